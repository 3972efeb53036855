/* Corrections of the engine's exceptions (see sdm_fixup.h). */
#include "cpu/sdm_fixup.h"

#include <stdio.h>

#include "cpu/desc.h"

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

/* The TSS selector a far JMP or CALL's selector leads to: itself, or a
 * task gate's TSS (SDM Vol. 3A 7.3, steps 1-2).  0 when it can't be read. */
static uint16_t task_of(const struct linear_mem *mem, const struct cpu_state *st, uint16_t sel)
{
    const struct table_reg *table = &st->gdtr;
    struct table_reg ldt;
    if (sel & 4) {
        ldt = (struct table_reg){st->ldtr.base, st->ldtr.limit};
        table = &ldt;
    }
    uint32_t raw[2];
    if ((uint32_t)(sel & ~7u) + 7 > table->limit ||
        !linear_read(mem, table->base + (sel & ~7u), raw, 8, false, NULL))
        return 0;
    struct gate g;
    if (gate_decode(raw[0], raw[1], &g) && g.kind == GATE_KIND_TASK)
        return g.selector;
    return sel;
}

bool sdm_fixup_task_eip(const struct linear_mem *mem, const struct cpu_state *st,
                        const uint8_t *code, size_t ncode, uint32_t error_code, uint32_t *eip,
                        char *why, size_t whylen)
{
    size_t i = 0;
    bool op16 = !(st->seg[SEG_CS].flags & DESC_B);
    if (ncode > 0 && code[0] == 0x66) {
        op16 = !op16;
        i = 1;
    }
    size_t sel_at = i + 1 + (op16 ? 2 : 4); /* EA/9A offset16/32 selector16 */
    if (sel_at + 2 > ncode || (code[i] != 0xea && code[i] != 0x9a))
        return false;
    uint16_t target = (uint16_t)(code[sel_at] | code[sel_at + 1] << 8);
    uint16_t tr = st->tr.selector;
    if ((tr & ~3u) == 0 || ((task_of(mem, st, target) ^ tr) & ~3u) != 0 ||
        ((error_code ^ tr) & ~3u) == 0)
        return false;
    /* The switch loaded EIP from the new TSS, which nothing has written since. */
    bool tss16 = ((st->tr.flags & DESC_TYPE_MASK) >> DESC_TYPE_SHIFT) == DESC_SYS_TSS16_BUSY;
    uint32_t new_eip = 0;
    if (!linear_read(mem, st->tr.base + (tss16 ? TSS16_IP : TSS32_EIP), &new_eip, tss16 ? 2 : 4,
                     false, NULL) ||
        new_eip == st->eip)
        return false;
    *eip = new_eip;
    snprintf(why, whylen, "in task 0x%04x, past the commit point of the %s's task switch: "
                          "at the new task's first instruction (SDM Vol. 3A 7.3)",
             tr, code[i] == 0xea ? "far JMP" : "far CALL");
    return true;
}
