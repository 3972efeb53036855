/* Exception and interrupt delivery through the guest's IDT (SDM Vol. 3A
 * chapter 6, and the INT n pseudo-code in Vol. 2A): gate checks, the TSS
 * stack switch, the frame, task gates, virtual-8086 mode, and the double
 * fault / shutdown rules of Table 6-5.  Unicorn never reads the IDT; this is
 * the code that does. */
#ifndef RINGLAB_INTR_H
#define RINGLAB_INTR_H

#include <stdbool.h>
#include <stdint.h>

#include "cpu/cpu_state.h"
#include "mmu/phys.h"
#include "trace/event.h"

enum intr_source {
    INTR_EXCEPTION, /* raised by an instruction (or by a delivery) */
    INTR_SOFTWARE,  /* INT n, INT3, INTO: the gate's DPL is checked */
    INTR_HARDWARE,  /* an IRQ acknowledged from the PIC */
};

struct intr_request {
    int vector;
    enum intr_source source;
    bool has_error_code;
    uint32_t error_code;
    uint32_t return_eip; /* pushed: the faulting instruction, or the next one */
    uint32_t insn_eip;   /* the instruction concerned, for the trace */
    const char *why;     /* optional explanation of the original event */
};

/* What delivery needs from the machine: memory, and somewhere to report
 * each delivery attempt (one trace event per attempt, as QEMU logs them). */
struct intr_env {
    struct phys_mem *phys;
    void (*emit)(void *opaque, struct trace_event *ev);
    void *opaque;
    bool explain; /* fill in trace_event.explain (someone reads the events) */
    /* Under a monitor's shadow page tables: the guest's own CR0, CR3 and
     * CR4, which delivery walks with instead of the state's (the shadow
     * finds the same frames). */
    bool shadowed;
    struct paging_regs guest_paging;
};

enum intr_result {
    INTR_DELIVERED,    /* st now holds the handler's state */
    INTR_TRIPLE_FAULT, /* a fault while delivering #DF: the CPU shuts down */
};

/* Deliver `req` to the guest whose state is `st`, updating `st` and guest
 * memory.  Faults during delivery are delivered in turn, or become #DF,
 * or a triple fault, as Table 6-5 says. */
enum intr_result intr_deliver(const struct intr_env *env, struct cpu_state *st,
                              const struct intr_request *req);

/* Where the CPU stands, for a trace event: CPL, CS, SS, ESP, EFLAGS from
 * `st`, and `eip` (the instruction concerned, which may not be st->eip). */
struct trace_point intr_trace_point(const struct cpu_state *st, uint32_t eip);
/* A trace event of `kind` about the instruction at CS:insn_eip, with the
 * state before it taken from `st` (after = before until someone says
 * otherwise), no vector and no error code. */
void intr_event_init(struct trace_event *ev, enum trace_kind kind, const struct cpu_state *st,
                     uint32_t insn_eip);

/* Exceptions that push an error code (SDM Vol. 3A Table 6-1). */
bool intr_vector_has_error_code(int vector);

#endif
