/* Disassembly of guest code with Capstone: instruction text for the trace
 * explanations and the debugger, and instruction counts for the clock. */
#ifndef RINGLAB_DISASM_H
#define RINGLAB_DISASM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct disasm;
struct cs_insn;

struct disasm *disasm_open(void);
void disasm_close(struct disasm *d);
/* The first instruction with Capstone's x86 operand details, or NULL when
 * it cannot be decoded; valid until the next call (cpu/mem_operands.c
 * reads it). */
const struct cs_insn *disasm_detailed(struct disasm *d, const uint8_t *code, size_t size,
                                      uint32_t addr, bool code32);
/* Instructions ringlab may have to execute itself instead of the engine
 * (bits of disasm_block.special). */
#define DISASM_SPECIAL_IO 0x1u  /* IN, OUT, INS, OUTS: the TSS I/O bitmap may decide */
#define DISASM_SPECIAL_TSC 0x2u /* RDTSC, RDTSCP: the TSC is the virtual clock */
#define DISASM_SPECIAL_MSR 0x4u /* RDMSR, WRMSR: IA32_TSC is the virtual clock,
                                   IA32_APIC_BASE the local APIC's; not when
                                   the block sets ECX to another MSR itself
                                   (MOV ECX, imm32 before it) */
#define DISASM_SPECIAL_UMIP 0x8u /* SGDT, SIDT, SLDT, SMSW, STR: CR4.UMIP may refuse them */
#define DISASM_SPECIAL_PMC 0x10u /* RDPMC: CR4.PCE decides at CPL > 0 */
#define DISASM_SPECIAL_CR4 0x20u /* MOV to CR4: a feature the CPU lacks has a reserved bit */
/* The MSR numbers (ECX) ringlab answers itself (SDM Vol. 4, Table 2-2). */
#define DISASM_MSR_TSC 0x10u
#define DISASM_MSR_APIC_BASE 0x1bu

/* What the clock and the special-instruction check need to know about a
 * translated block: how many instructions it holds (an undecodable byte
 * counts as one); where its first special instruction is, as an offset
 * from `addr` (-1 when there is none), and the kinds of all of them;
 * whether it may switch address spaces, enable interrupts or return to an
 * outer ring (such an instruction ends a translated block: it is the last). */
#define DISASM_IO_MAX 4
struct disasm_block {
    unsigned count;
    int first_special;
    unsigned special; /* DISASM_SPECIAL_* of every special instruction in it */
    /* Which instructions (by number from 0) do I/O: the first DISASM_IO_MAX. */
    uint8_t io_index[DISASM_IO_MAX];
    unsigned nio;
    bool may_remap; /* may change CR3 or CR0 (MOV to CRn, IRET, far JMP/CALL,
                       SYSEXIT), or the code segment's size (those and RETF),
                       or flushes TLB entries: translations can differ after it */
    bool flushes_tlb; /* INVLPG or MOV to a control register: the TLB forgets
                         (SDM Vol. 3A 4.10.4) even when CR3 keeps its value */
    bool may_set_if; /* STI, POPF, IRET, far JMP/CALL (a task switch): interrupts
                        may be enabled after it */
    enum disasm_return { RETURN_NONE, RETURN_IRET_RETF, RETURN_SYSEXIT, RETURN_SYSRET } returns;
    int last_insn;   /* offset of the last instruction (the return, if any) */
    /* It loads a segment register (MOV, POP, LDS..LSS, or a far transfer
     * at its end); and when a later instruction of the block may access
     * memory through a data or stack segment register loaded earlier in
     * it, the offset just past the first such load (-1: none), so the
     * limits can be looked at again before that access. */
    bool loads_seg;
    int seg_reload_end;
    /* The segment registers its instructions may access memory through
     * (too many rather than too few), as 1 << enum seg_reg bits. */
    unsigned seg_uses;
};
/* code32: the code segment's D bit (false: 16-bit code, real mode). */
void disasm_scan(struct disasm *d, const uint8_t *code, size_t size, uint32_t addr, bool code32,
                 struct disasm_block *out);
/* The first instruction: its length (0 if undecodable) and "mnemonic operands". */
int disasm_one(struct disasm *d, const uint8_t *code, size_t size, uint32_t addr, bool code32,
               char *text, size_t textlen);

/* How many instructions of the straight-line code at `code` (32-bit or
 * 16-bit) start before byte `offset`, counting as disasm_scan counts. */
unsigned disasm_index_of(struct disasm *d, const uint8_t *code, size_t size, uint32_t addr,
                         bool code32, uint32_t offset);
/* The byte offset at which instruction number `index` (0 = the first)
 * of that code starts; size when the code holds fewer. */
uint32_t disasm_offset_of(struct disasm *d, const uint8_t *code, size_t size, uint32_t addr,
                          bool code32, unsigned index);

/* What the first instruction is, for stepping over it. */
enum disasm_kind {
    DISASM_OTHER,
    DISASM_CALL,  /* near or far CALL */
    DISASM_INT,   /* INT n, INT3, INTO */
    DISASM_SPECIAL_INSN, /* see disasm_special */
};
enum disasm_kind disasm_kind_of(struct disasm *d, const uint8_t *code, size_t size, uint32_t addr,
                                bool code32, int *len);
/* The DISASM_SPECIAL_* kind of the first instruction (0 for others), its
 * length and its Capstone id-free name ("rdtsc"). */
unsigned disasm_special(struct disasm *d, const uint8_t *code, size_t size, uint32_t addr,
                        bool code32, int *len, const char **name);

#endif
