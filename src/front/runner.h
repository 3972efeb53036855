/* Running a machine for a person or a script: control_run in wall-clock
 * slices, with the waiting that belongs to a front end in between (the
 * console's input and output, idle time, --timeout, --max-insns, Ctrl-A).
 * The plain command line and the debugger's `c` both use it. */
#ifndef RINGLAB_RUNNER_H
#define RINGLAB_RUNNER_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>

#include "control.h"
#include "front/console.h"

struct runner {
    struct machine *m;
    struct console *con;
    bool realtime;        /* guest time is the wall clock */
    double timeout_at;    /* --timeout: wall-clock second to give up at, 0: none */
    uint64_t max_insns;   /* --max-insns: total instructions, 0: none */
    volatile sig_atomic_t interrupted; /* a signal asked to quit */
    /* Looked at between slices and idle steps (the gdb stub reads its
     * socket there): true stops the run with RUNNER_BREAK.  NULL: none. */
    bool (*poll)(void *opaque);
    void *poll_opaque;
};

enum runner_stop {
    RUNNER_STOP,       /* the run's own stop (event, breakpoint, instructions...) */
    RUNNER_END,        /* the guest ended the machine */
    RUNNER_STUCK,      /* halted for good: no timer, and no more input */
    RUNNER_TIMEOUT,    /* --timeout */
    RUNNER_INSN_LIMIT, /* --max-insns */
    RUNNER_QUIT,       /* Ctrl-A x or a signal */
    RUNNER_BREAK,      /* Ctrl-A c, or the poll callback */
};

/* Run until req's stop, or one of the runner's own. */
enum runner_stop runner_run(struct runner *r, const struct run_request *req,
                            struct run_result *res);
/* The same for control_step and control_step_over (no waiting needed:
 * they stop at once unless the CPU idles). */
enum runner_stop runner_step(struct runner *r, uint64_t n, bool over, struct run_result *res);

#endif
