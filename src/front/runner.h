/* Running a machine for a person or a script: control_run in wall-clock
 * slices, with the waiting that belongs to a front end in between (its
 * input and output, idle time, --timeout, --max-insns, what the person
 * asks for).  The front end's side is a runner_io: the terminal console
 * (console.h) and the SDL view each have one.  The plain command line, the
 * debugger's `c` and the view all run through here. */
#ifndef RINGLAB_RUNNER_H
#define RINGLAB_RUNNER_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>

#include "control.h"

/* What the person at the front end asked for (runner_io.request). */
enum runner_request {
    RUNNER_GO,    /* nothing: go on */
    RUNNER_ASK_QUIT,  /* leave (Ctrl-A x, the window closed) */
    RUNNER_ASK_BREAK, /* stop and come back (Ctrl-A c, pause) */
    RUNNER_ASK_YIELD, /* hand control back for a moment (a frame to draw); the
                         run can be taken up again with the same request */
};

struct runner_io {
    /* Hand the machine the input there is, waiting up to wait_ms for the
     * first byte (0: do not wait).  True when a byte went in. */
    bool (*feed)(void *opaque, struct machine *m, int wait_ms);
    /* Make what the guest wrote so far visible (a prompt has no newline). */
    void (*flush)(void *opaque);
    /* A person is typing: idle time passes as it does for them. */
    bool (*live)(void *opaque);
    /* Input can still come (it has not ended, or some is waiting). */
    bool (*input_open)(void *opaque);
    /* Asked at every slice; a request is answered once. */
    enum runner_request (*request)(void *opaque);
    void *opaque;
};

struct runner {
    struct machine *m;
    struct runner_io io;
    bool realtime;        /* guest time is the wall clock */
    double timeout_at;    /* --timeout: wall-clock second to give up at, 0: none */
    uint64_t max_insns;   /* --max-insns: total instructions, 0: none */
    double slice_s;       /* how often a run looks at the front end; 0: 50 ms */
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
    RUNNER_BREAK,      /* Ctrl-A c, the view's pause, or the poll callback */
    RUNNER_YIELD,      /* the front end asked for control back (runner_run only) */
};

/* Run until req's stop, or one of the runner's own. */
enum runner_stop runner_run(struct runner *r, const struct run_request *req,
                            struct run_result *res);
/* The same for control_step and control_step_over (no waiting needed:
 * they stop at once unless the CPU idles). */
enum runner_stop runner_step(struct runner *r, uint64_t n, bool over, struct run_result *res);

#endif
