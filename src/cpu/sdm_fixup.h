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

#endif
