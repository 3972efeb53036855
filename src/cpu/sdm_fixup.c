/* Corrections of the engine's exceptions (see sdm_fixup.h). */
#include "cpu/sdm_fixup.h"

#include <stdio.h>

enum { VEC_NP = 11, VEC_SS = 12 };

static bool read32(const struct linear_mem *mem, const struct cpu_state *st, uint32_t offset,
                   uint32_t *value)
{
    /* A stack read at the current privilege (Unicorn read it the same way). */
    return linear_read(mem, st->seg[SEG_SS].base + offset, value, 4, st->cpl == 3, NULL);
}

/* IRET and far RET to an outer ring: "IF stack segment is not present THEN
 * #SS(SS selector)" (SDM Vol. 2A IRET and RET pseudo-code, RETURN-TO-OUTER-
 * PRIVILEGE-LEVEL).  The engine raises #NP(SS selector) instead. */
static bool outer_return_ss(const struct linear_mem *mem, const struct cpu_state *st,
                            const uint8_t *code, size_t n, int *vector, uint32_t error_code,
                            char *why, size_t whylen)
{
    if (*vector != VEC_NP || n < 1 || !(st->seg[SEG_CS].flags & DESC_B))
        return false;
    uint32_t ss_at; /* where the new SS lies above ESP, 32-bit operands */
    const char *insn;
    if (code[0] == 0xcf) {
        ss_at = 16; /* EIP CS EFLAGS ESP SS */
        insn = "IRET";
    } else if (code[0] == 0xcb) {
        ss_at = 12; /* EIP CS ESP SS */
        insn = "RETF";
    } else if (code[0] == 0xca && n >= 3) {
        ss_at = 12u + (uint32_t)(code[1] | code[2] << 8); /* EIP CS, imm16 bytes, ESP SS */
        insn = "RETF imm16";
    } else {
        return false;
    }
    uint32_t ss;
    if (!read32(mem, st, st->gpr[GPR_ESP] + ss_at, &ss) || ((ss ^ error_code) & 0xfffc) != 0)
        return false;
    *vector = VEC_SS;
    snprintf(why, whylen, "%s to an outer ring: its SS 0x%04x is not present, #SS(SS) by the SDM",
             insn, ss & 0xffff);
    return true;
}

bool sdm_fixup(const struct linear_mem *mem, const struct cpu_state *st, const uint8_t *code,
               size_t ncode, int *vector, uint32_t error_code, char *why, size_t whylen)
{
    return outer_return_ss(mem, st, code, ncode, vector, error_code, why, whylen);
}
