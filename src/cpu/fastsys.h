/* The fast system-call instructions Unicorn only reports: SYSENTER (SDM
 * Vol. 2B) and SYSCALL in legacy mode (AMD APM Vol. 3; QEMU follows it).
 * SYSEXIT and SYSRET run natively in Unicorn.  Pure functions over the CPU
 * state, given the MSRs. */
#ifndef RINGLAB_FASTSYS_H
#define RINGLAB_FASTSYS_H

#include <stdint.h>

#include "cpu/cpu_state.h"

#define MSR_SYSENTER_CS 0x174u
#define MSR_SYSENTER_ESP 0x175u
#define MSR_SYSENTER_EIP 0x176u
#define MSR_EFER 0xc0000080u
#define MSR_STAR 0xc0000081u
#define EFER_SCE (1u << 0)

enum fastsys_result {
    FASTSYS_OK,
    FASTSYS_GP0, /* deliver #GP(0) at the instruction */
    FASTSYS_UD,  /* deliver #UD at the instruction */
};

enum fastsys_result fastsys_sysenter(struct cpu_state *st, uint32_t sysenter_cs,
                                     uint32_t sysenter_esp, uint32_t sysenter_eip);
/* next_eip: the address after SYSCALL, saved in ECX. */
enum fastsys_result fastsys_syscall(struct cpu_state *st, uint64_t efer, uint64_t star,
                                    uint32_t next_eip);

#endif
