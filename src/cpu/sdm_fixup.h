/* Where the engine's own checks raise another exception than the SDM
 * prescribes, ringlab corrects the exception before delivering it.  Each
 * correction names the SDM's rule and has a guest under tests/guests. */
#ifndef RINGLAB_SDM_FIXUP_H
#define RINGLAB_SDM_FIXUP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cpu/cpu_state.h"
#include "mmu/linear.h"

/* `code` holds the bytes at CS:EIP of the faulting instruction.  Returns
 * true, with *vector and the explanation changed, when the exception must
 * be another one. */
bool sdm_fixup(const struct linear_mem *mem, const struct cpu_state *st, const uint8_t *code,
               size_t ncode, int *vector, uint32_t error_code, char *why, size_t whylen);

/* A far JMP or CALL (direct operand) that switched tasks and faulted past
 * the task switch's commit point: the fault belongs to the new task, at its
 * first instruction (SDM Vol. 3A 7.3, step 13 and Table 7-1), but the
 * engine leaves EIP at the JMP or CALL (so does QEMU 7.2).  Returns true,
 * with *eip the new task's, when that is the case: TR is already the
 * target's TSS and the fault is not the TSS's own (a busy or bad TSS is
 * refused before the commit point, with the TSS selector as error code).
 * The state must be read with CS the new task's, as the engine leaves it
 * when the fault is in a later segment; a fault loading CS itself is not
 * recognised. */
bool sdm_fixup_task_eip(const struct linear_mem *mem, const struct cpu_state *st,
                        const uint8_t *code, size_t ncode, uint32_t error_code, uint32_t *eip,
                        char *why, size_t whylen);

#endif
