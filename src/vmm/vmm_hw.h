/* `ringlab pg vmm --strategy hw`: a monitor in the style of VT-x.  The
 * guest kernel runs unmodified at ring 0 in "non-root" mode: the machine
 * is the hardware, and the events its exit controls (a small VMCS) name
 * leave the guest's run and come to the monitor, in ringlab's host code
 * ("ring -1"), which counts them by cause and resumes the guest.  Events
 * the controls do not name never leave the guest. */
#ifndef RINGLAB_VMM_HW_H
#define RINGLAB_VMM_HW_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "front/runner.h"
#include "machine.h"
#include "trace/qemu_log.h"
#include "util/strbuf.h"

/* The exit controls (after the VMCS's, SDM Vol. 3C 24.6). */
struct vmcs_controls {
    uint32_t exception_bitmap;       /* bit n: exception n exits (24.6.3) */
    bool external_interrupt_exiting; /* pin-based control (24.6.1) */
};

/* What the pg vmm words asked for. */
struct vmm_request {
    const char *strategy; /* "trap", "pv" or "hw" */
    bool print_vmcs;      /* --vmcs: print the controls before running */
    struct vmcs_controls controls;
    /* Silence the guest's console (true) or not, for the native run the
     * report compares with; NULL: that run prints what it prints. */
    void (*quiet)(void *opaque, bool on);
    void *quiet_opaque;
    /* How the monitored machine was built, to build the native one. */
    const struct machine_config *machine_cfg;
};

/* Parse `vmm --strategy S [--vmcs] [--exit-on LIST]` from argv (argv[0] is
 * "vmm"); *used = the words taken (the rest are ringlab's own options).
 * Returns 0, or an exit status after one line on stderr. */
int vmm_parse(int argc, char **argv, struct vmm_request *out, int *used);

/* The controls, one per line. */
void vmm_print_vmcs(FILE *f, const struct vmcs_controls *c);

/* The monitor's own state: its controls and the exits it has taken,
 * counted by a trace sink on the machine, whoever drives it (the monitor's
 * loop, or the debugger under it). */
#define VMM_EXIT_LOG 16
struct vmm_exit {
    uint64_t icount;
    bool irq;       /* an external interrupt; else an exception */
    int vector;
    uint8_t cpl;
    uint16_t cs;
    uint32_t eip;
};
struct vmm_hw {
    struct vmcs_controls controls;
    uint64_t exceptions[32], irqs[256], total;
    struct vmm_exit log[VMM_EXIT_LOG]; /* the last exits, log[total % VMM_EXIT_LOG] next */
    struct machine *m;
};

/* Take the machine under the monitor: its sink counts the exits from now
 * on.  The monitor must outlive the machine.  False when no sink could be
 * added. */
bool vmm_hw_attach(struct vmm_hw *h, struct machine *m, const struct vmcs_controls *c);

/* `info vmm`: the controls, the virtual CPU beside the real one, the exits
 * (opaque is the struct vmm_hw). */
void vmm_hw_info(void *opaque, struct strbuf *out);

/* ", #GP 1, #PF 2": the exceptions counted (by vector, 0..31) that
 * a monitor passed to the guest's IDT, for its report. */
void vmm_vector_counts(struct strbuf *out, const uint64_t counts[32]);

/* How a monitored run ended, in words for its report. */
const char *vmm_how_it_ended(enum runner_stop s);

/* Run the machine under the monitor until it ends; then build another
 * from the same configuration and run the same session on it natively (no
 * exits; the serial input replayed as recorded, up to the same
 * instruction), and write the report to stderr.  Returns the exit status of the monitored run, as a plain
 * run's. */
int vmm_run_hw(struct runner *r, const struct vmm_request *req, struct vmm_hw *h,
               struct qemu_log *qlog, double timeout_s);

#endif
