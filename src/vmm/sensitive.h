/* The IA-32 instructions that are sensitive but not privileged (Robin and
 * Irvine, USENIX Security 2000; `ringlab pg audit` measures them): at
 * CPL > 0 they run without a trap and yet read or keep privileged state.
 * A trap-and-emulate monitor never sees them run; a monitor that scans
 * code before it runs (binary translation) recognises them here.  Pure:
 * bytes in, a kind out. */
#ifndef RINGLAB_VMM_SENSITIVE_H
#define RINGLAB_VMM_SENSITIVE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum sensitive_kind {
    SENSITIVE_NONE,
    SENSITIVE_PUSHF,     /* PUSHF: IF and IOPL as the real CPU holds them */
    SENSITIVE_POPF,      /* POPF: IF kept at CPL > IOPL, IOPL kept at CPL > 0 */
    SENSITIVE_READ_CS,   /* PUSH CS, MOV r/m, CS: the CPL is CS's RPL */
    SENSITIVE_READ_SS,   /* PUSH SS, MOV r/m, SS: SS's RPL is the CPL */
    SENSITIVE_READ_SEG,  /* PUSH and MOV from DS, ES, FS, GS */
    SENSITIVE_LOAD_SEG,  /* POP and MOV to DS, ES, FS, GS: checked against the CPL */
    SENSITIVE_STORE_GDTR, /* SGDT: where the real GDT is */
    SENSITIVE_STORE_IDTR, /* SIDT */
    SENSITIVE_STORE_SEL, /* SLDT, STR */
    SENSITIVE_SMSW,      /* SMSW: CR0's low word */
    SENSITIVE_LAR,       /* LAR, LSL, VERR, VERW: descriptors checked against the CPL */
    SENSITIVE_FAR,       /* far CALL, JMP, RET and IRET: privilege checks on selectors */
    SENSITIVE_KIND_COUNT
};

struct sensitive_insn {
    enum sensitive_kind kind;
    const char *name;  /* "POPF", "SGDT", "MOV r/m, CS", ... */
    size_t opcode_at;  /* the opcode's first byte, past the prefixes */
    size_t modrm_at;   /* the ModRM byte's index, 0 when it has none */
};

/* Recognise the 32-bit-code instruction at code[0..n): true and *out
 * filled when it is one of the sensitive unprivileged ones.  Only the
 * prefixes and opcode are read: the caller knows the length (from its
 * disassembler). */
bool sensitive_classify(const uint8_t *code, size_t n, struct sensitive_insn *out);

/* "reads the CPL", ... one phrase per kind, for reports. */
const char *sensitive_kind_what(enum sensitive_kind k);

#endif
