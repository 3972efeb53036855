/* Interrupt and exception delivery in real-address mode: the IVT (SDM
 * Vol. 2A INT n, REAL-ADDRESS-MODE; Vol. 3A 20.1.4). */
#ifndef RINGLAB_INTR_REAL_H
#define RINGLAB_INTR_REAL_H

#include <stdbool.h>

#include "cpu/cpu_state.h"
#include "cpu/fault.h"
#include "cpu/intr.h"
#include "mmu/linear.h"
#include "trace/event.h"

/* One delivery attempt of `req` through the IVT at IDTR.base: FLAGS, CS
 * and IP pushed, IF, TF and AC cleared, CS:IP from the vector's entry.
 * false with *f filled in (#GP past the IDT limit, #SS when the frame does
 * not fit), `st` then unchanged.  ev (may be NULL) learns the entry used. */
bool intr_real_deliver(const struct linear_mem *mem, struct cpu_state *st,
                       const struct intr_request *req, struct trace_event *ev,
                       struct cpu_fault *f);

#endif
