/* SYSENTER and legacy-mode SYSCALL: flat ring-0 CS and SS made from an MSR,
 * without reading any descriptor (see fastsys.h). */
#include "cpu/fastsys.h"

/* The flat 4 GiB descriptor caches both instructions load (SDM Vol. 2B,
 * SYSENTER: CS type 11 execute/read accessed, SS type 3 read/write
 * accessed, DPL 0, present, 32-bit, 4 KiB granularity). */
static void load_flat_ring0(struct cpu_state *st, uint16_t cs_sel)
{
    st->seg[SEG_CS].selector = cs_sel & 0xfffc;
    st->seg[SEG_CS].base = 0;
    st->seg[SEG_CS].limit = 0xffffffffu;
    st->seg[SEG_CS].flags = (11u << DESC_TYPE_SHIFT) | DESC_S | DESC_P | DESC_B | DESC_G;
    st->seg[SEG_SS].selector = (uint16_t)((cs_sel & 0xfffc) + 8);
    st->seg[SEG_SS].base = 0;
    st->seg[SEG_SS].limit = 0xffffffffu;
    st->seg[SEG_SS].flags = (3u << DESC_TYPE_SHIFT) | DESC_S | DESC_P | DESC_B | DESC_G;
    st->cpl = 0;
}

enum fastsys_result fastsys_sysenter(struct cpu_state *st, uint32_t sysenter_cs,
                                     uint32_t sysenter_esp, uint32_t sysenter_eip)
{
    /* IF CR0.PE = 0 OR IA32_SYSENTER_CS[15:2] = 0 THEN #GP(0). */
    if (!(st->cr0 & CR0_PE) || (sysenter_cs & 0xfffc) == 0)
        return FASTSYS_GP0;
    /* RFLAGS.VM, IF and RF are cleared; CS:EIP and SS:ESP come from the MSRs. */
    st->eflags &= ~(EFLAGS_VM | EFLAGS_IF | EFLAGS_RF);
    load_flat_ring0(st, (uint16_t)sysenter_cs);
    st->gpr[GPR_ESP] = sysenter_esp;
    st->eip = sysenter_eip;
    return FASTSYS_OK;
}

enum fastsys_result fastsys_syscall(struct cpu_state *st, uint64_t efer, uint64_t star,
                                    uint32_t next_eip)
{
    /* IF EFER.SCE = 0 THEN #UD. */
    if (!(efer & EFER_SCE))
        return FASTSYS_UD;
    /* Legacy mode: ECX gets the return address, CS = STAR[47:32], SS = CS + 8,
     * EIP = STAR[31:0]; VM, IF and RF are cleared. */
    st->gpr[GPR_ECX] = next_eip;
    st->eflags &= ~(EFLAGS_VM | EFLAGS_IF | EFLAGS_RF);
    load_flat_ring0(st, (uint16_t)(star >> 32));
    st->eip = (uint32_t)star;
    return FASTSYS_OK;
}
