/* Disassembly of guest code with Capstone: instruction text for the trace
 * explanations and the debugger, and instruction counts for the clock. */
#ifndef RINGLAB_DISASM_H
#define RINGLAB_DISASM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct disasm;

struct disasm *disasm_open(void);
void disasm_close(struct disasm *d);
/* What the clock and the I/O check need to know about a translated block:
 * how many instructions it holds (an undecodable byte counts as one) and where its first I/O instruction (IN,
 * OUT, INS, OUTS) is, as an offset from `addr` (-1 when there is none), and
 * whether it may switch address spaces, enable interrupts or return to an
 * outer ring (such an instruction ends a translated block: it is the last). */
struct disasm_block {
    unsigned count;
    int first_io;
    bool may_remap; /* may change CR3 or CR0 (MOV to CRn, IRET, far JMP/CALL,
                       SYSEXIT): translations can differ after it */
    bool may_set_if; /* STI, POPF, IRET, far JMP/CALL (a task switch): interrupts
                        may be enabled after it */
    enum disasm_return { RETURN_NONE, RETURN_IRET_RETF, RETURN_SYSEXIT, RETURN_SYSRET } returns;
    int last_insn;   /* offset of the last instruction (the return, if any) */
};
void disasm_scan(struct disasm *d, const uint8_t *code, size_t size, uint32_t addr,
                 struct disasm_block *out);
/* The first instruction: its length (0 if undecodable) and "mnemonic operands". */
int disasm_one(struct disasm *d, const uint8_t *code, size_t size, uint32_t addr, bool code32,
               char *text, size_t textlen);

#endif
