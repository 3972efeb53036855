/* The memory an instruction reads or writes, and through which segment
 * register: its explicit memory operands, with the segment a prefix names
 * or the default one (SS for an address based on ESP or EBP, DS otherwise;
 * ES for a string instruction's destination, which no prefix changes), and
 * the stack accesses it makes without naming them (PUSH, POP, CALL, RET,
 * ENTER, LEAVE, PUSHA, POPA, PUSHF, POPF, RETF, IRET).  Decoded with
 * Capstone; seg_limit.c evaluates the addresses against the registers.
 *
 * Far CALL and JMP through a gate, INT n and exceptions push onto another
 * stack than the one in SS: only their reads through the current segments
 * (the far pointer in memory) are listed. */
#ifndef RINGLAB_MEM_OPERANDS_H
#define RINGLAB_MEM_OPERANDS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MEM_OPERANDS_MAX 4

/* One access: offset = base + index * scale + disp, in 32 bits, or in 16
 * bits (the registers' low words, the sum modulo 64 KiB) for a 16-bit
 * address.  A stack access (stack = true) takes its base, ESP or EBP, as
 * SS's B flag says: the 32-bit register, or the 16-bit SP or BP
 * (SDM Vol. 3A 3.4.5, "D/B flag"). */
struct mem_ref {
    uint8_t seg;   /* enum seg_reg */
    int8_t base;   /* enum gpr, -1 none */
    int8_t index;  /* enum gpr, -1 none */
    uint8_t scale; /* 1, 2, 4 or 8 */
    bool addr16;
    bool stack;
    bool write;
    int32_t disp;
    uint32_t size; /* bytes, at least 1 */
};

struct mem_operands {
    unsigned count;
    struct mem_ref ref[MEM_OPERANDS_MAX];
    /* A REP-prefixed string instruction: with its count register (ECX, or
     * CX for a 16-bit address) at 0 it accesses nothing. */
    bool rep;
    bool rep_count16;
    /* It loads a data or stack segment register (MOV, POP, LDS..LSS) or
     * writes CR0: the limits in force may be others after it. */
    bool reloads;
    /* LEA, INVLPG, PREFETCH: the address the operand names, which they
     * compute but do not access (not among ref[]). */
    bool has_named;
    struct mem_ref named;
};

struct disasm;

/* Decode the instruction at `code` (`n` bytes available, at linear `addr`)
 * in 32-bit or 16-bit code, with the disassembler's detailed decoding.
 * Returns its length, 0 when it cannot be decoded (out->count is then 0). */
int mem_operands_decode(struct disasm *d, const uint8_t *code, size_t n, uint32_t addr,
                        bool code32, struct mem_operands *out);

#endif
