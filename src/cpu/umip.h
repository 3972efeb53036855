/* User-Mode Instruction Prevention (CR4.UMIP, bit 11; SDM Vol. 3A 2.5):
 * with it set, SGDT, SIDT, SLDT, SMSW and STR raise #GP(0) at CPL > 0
 * instead of storing the descriptor-table registers or the machine status
 * word.  The engine stores the bit and ignores it; ringlab applies the
 * rule and says so in CPUID (CPUID.(EAX=07H,ECX=0):ECX bit 2, SDM Vol. 2A
 * Table 3-8).  Pure functions. */
#ifndef RINGLAB_UMIP_H
#define RINGLAB_UMIP_H

#include <stdbool.h>
#include <stdint.h>

#define CPUID_7_ECX_UMIP (1u << 2)
#define UMIP_CPUID_LEAF 7u

/* True when SGDT, SIDT, SLDT, SMSW or STR must raise #GP(0): CR4.UMIP set
 * and CPL > 0.  Virtual-8086 mode runs at CPL 3 (SDM Vol. 2B SGDT,
 * "Virtual-8086 Mode Exceptions: #GP(0) if CR4.UMIP = 1"). */
bool umip_refuses(uint32_t cr4, uint8_t cpl, uint32_t eflags);

/* CPUID as ringlab answers it: `regs` holds the CPU model's answer for
 * leaf/subleaf, model_max_basic the model's highest basic leaf.  The
 * highest basic leaf becomes at least 7; the basic leaves the model lacks
 * up to 7 answer zeros (a leaf above the new highest answers as leaf 7,
 * SDM Vol. 2A CPUID); leaf 7 subleaf 0 has the UMIP bit. */
void umip_cpuid(uint32_t model_max_basic, uint32_t leaf, uint32_t subleaf, uint32_t regs[4]);

#endif
