/* Hardware task switching (SDM Vol. 3A 7.3), as an interrupt or exception
 * through a task gate performs it.  Unicorn switches tasks by itself for
 * far CALL/JMP to a TSS and for IRET with NT set; ringlab must do it for
 * task gates in the IDT, which Unicorn never reads. */
#ifndef RINGLAB_TASK_H
#define RINGLAB_TASK_H

#include <stdbool.h>
#include <stdint.h>

#include "cpu/cpu_state.h"
#include "cpu/fault.h"
#include "mmu/linear.h"

enum task_switch_reason {
    TASK_SWITCH_INTERRUPT, /* nested: link field and NT set, old task stays busy */
};

struct task_env {
    const struct linear_mem *mem; /* memory as seen by the old task */
    uint32_t ext;                 /* EXT bit for error codes (6.13) */
};

/* On a fault after the commit point, f->committed is set and st holds the
 * new task (the fault is then delivered in its context, Table 7-1). */
bool task_switch(const struct task_env *env, struct cpu_state *st, uint16_t tss_selector,
                 enum task_switch_reason reason, uint32_t return_eip, struct cpu_fault *f);

#endif
