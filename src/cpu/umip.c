/* CR4.UMIP: which privilege refuses the five store instructions, and the
 * CPUID bit that announces it.  See umip.h. */
#include "cpu/umip.h"

#include <string.h>

#include "cpu/cpu_state.h"

bool umip_refuses(uint32_t cr4, uint8_t cpl, uint32_t eflags)
{
    /* SDM Vol. 3A 2.5: "the SGDT, SIDT, SLDT, SMSW, and STR instructions
     * cannot be executed if CPL > 0" when CR4.UMIP = 1. */
    if (!(cr4 & CR4_UMIP))
        return false;
    return cpl > 0 || (eflags & EFLAGS_VM);
}

void umip_cpuid(uint32_t model_max_basic, uint32_t leaf, uint32_t subleaf, uint32_t regs[4])
{
    if (leaf >= 0x80000000u)
        return;
    if (leaf == 0) {
        if (regs[0] < UMIP_CPUID_LEAF)
            regs[0] = UMIP_CPUID_LEAF;
        return;
    }
    if (model_max_basic < UMIP_CPUID_LEAF && leaf > model_max_basic) {
        /* A leaf the model does not have: nothing in it but UMIP. */
        memset(regs, 0, 4 * sizeof regs[0]);
        if (leaf > UMIP_CPUID_LEAF)
            leaf = UMIP_CPUID_LEAF;
    }
    if (leaf == UMIP_CPUID_LEAF && subleaf == 0)
        regs[2] |= CPUID_7_ECX_UMIP;
}
