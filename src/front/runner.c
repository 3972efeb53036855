/* Running in slices, with a front end's waiting in between (see runner.h). */
#include "front/runner.h"

#include <poll.h>

#include "inspect.h"
#include "machine/clock.h"

/* A run returns at least this often, so input, output and limits are looked at. */
#define SLICE_S 0.05
/* Without a person at the input, waiting input also reaches a busy guest,
 * at every multiple of this many instructions (a place that does not
 * depend on the host's speed, so the run is the same every time). */
#define FEED_INSNS 4000000ull
/* Idle time that passes in one step when a person may be typing. */
#define IDLE_STEP_MS 10

static bool person_at_input(const struct runner *r)
{
    return r->realtime || r->io.live(r->io.opaque);
}

static uint64_t next_feed_point(uint64_t icount)
{
    return (icount / FEED_INSNS + 1) * FEED_INSNS;
}

static bool over_time(const struct runner *r)
{
    return r->timeout_at > 0 && clock_wall_seconds() >= r->timeout_at;
}

/* The CPU waits for an interrupt: give it the input there is, and let the
 * guest's time pass until its next timer event.  Returns false when
 * nothing can ever wake it. */
static bool wait_idle(struct runner *r, uint64_t next_ns)
{
    const struct runner_io *io = &r->io;
    /* A prompt without a newline must reach whoever waits for it. */
    io->flush(io->opaque);
    uint64_t now = inspect_time_ns(r->m);
    uint64_t until = next_ns == UINT64_MAX ? UINT64_MAX : (next_ns > now ? next_ns - now : 0);
    if (person_at_input(r)) {
        /* A person: time passes as it does for them, in short steps. */
        uint64_t step = (uint64_t)IDLE_STEP_MS * 1000000u;
        if (until < step)
            step = until;
        if (!io->feed(io->opaque, r->m, (int)(step / 1000000u)))
            control_idle(r->m, step);
        return true;
    }
    if (next_ns != UINT64_MAX) {
        /* A script: input already there arrives at the first idle moment,
         * so a scripted session runs the same way every time. */
        if (!io->feed(io->opaque, r->m, 0))
            control_idle(r->m, until);
        return true;
    }
    /* No timer will ever fire: only input can wake the CPU. */
    if (io->feed(io->opaque, r->m, IDLE_STEP_MS))
        return true;
    return io->input_open(io->opaque);
}

/* Run (req) or step (steps > 0 instructions) until the stop asked for, or
 * one of the runner's own. */
static enum runner_stop loop(struct runner *r, const struct run_request *req, uint64_t steps,
                             struct run_result *res)
{
    uint64_t start = inspect_icount(r->m);
    uint64_t own_end = steps ? UINT64_MAX
                             : (req->max_insns ? start + req->max_insns : UINT64_MAX);
    const struct runner_io *io = &r->io;
    for (;;) {
        if (r->interrupted)
            return RUNNER_QUIT;
        switch (io->request(io->opaque)) {
        case RUNNER_ASK_QUIT:
            return RUNNER_QUIT;
        case RUNNER_ASK_BREAK:
            return RUNNER_BREAK;
        case RUNNER_ASK_YIELD:
            if (!steps)
                return RUNNER_YIELD;
            break;
        case RUNNER_GO:
            break;
        }
        if (r->poll && r->poll(r->poll_opaque))
            return RUNNER_BREAK;
        if (over_time(r))
            return RUNNER_TIMEOUT;
        uint64_t icount = inspect_icount(r->m);
        uint64_t limit_end = r->max_insns ? r->max_insns : UINT64_MAX;
        if (icount >= limit_end)
            return RUNNER_INSN_LIMIT;
        enum run_stop stop;
        if (steps) {
            /* Steps, not instructions: a step onto a fault's handler
             * leaves the count where it was. */
            uint64_t left = steps;
            if (limit_end - icount < left)
                left = limit_end - icount;
            stop = control_step(r->m, left, res);
            if (stop == RUN_INSNS) {
                steps -= left;
                if (steps == 0)
                    return RUNNER_STOP;
                continue; /* --max-insns: the check above says so */
            }
        } else {
            struct run_request slice = *req;
            uint64_t end = own_end < limit_end ? own_end : limit_end;
            /* (Not when stepping over: its run says RUN_INSNS when it is back.) */
            if (!person_at_input(r) && next_feed_point(icount) < end && !req->until_return)
                end = next_feed_point(icount);
            slice.max_insns = end == UINT64_MAX ? 0 : end - icount;
            slice.slice_s = r->slice_s > 0 ? r->slice_s : SLICE_S;
            stop = control_run(r->m, &slice, res);
        }
        switch (stop) {
        case RUN_SLICE:
            io->flush(io->opaque);
            /* A person's keys go in at once; anything else only at a feed
             * point or when the CPU idles, places the wall clock does not
             * move (fed at a slice end during the boot, while a kernel
             * still resets its UART's FIFO, input would be lost on some
             * runs and not on others). */
            if (person_at_input(r))
                io->feed(io->opaque, r->m, 0);
            continue;
        case RUN_IDLE:
            if (!wait_idle(r, res->next_event_ns))
                return RUNNER_STUCK;
            continue;
        case RUN_PAUSED:
            return r->interrupted ? RUNNER_QUIT : RUNNER_STOP;
        case RUN_INSNS:
            if (inspect_icount(r->m) >= own_end || (req && req->until_return))
                return RUNNER_STOP;
            if (!steps && inspect_icount(r->m) % FEED_INSNS == 0) {
                /* A feed point (or --max-insns, which the check above says). */
                io->flush(io->opaque);
                io->feed(io->opaque, r->m, 0);
            }
            continue;
        case RUN_END:
            io->flush(io->opaque);
            return RUNNER_END;
        case RUN_EVENT:
        case RUN_BREAKPOINT:
        case RUN_WATCHPOINT:
        case RUN_HISTORY_START:
            return RUNNER_STOP;
        }
    }
}

enum runner_stop runner_run(struct runner *r, const struct run_request *req,
                            struct run_result *res)
{
    return loop(r, req, 0, res);
}

enum runner_stop runner_step(struct runner *r, uint64_t n, bool over, struct run_result *res)
{
    if (!over)
        return loop(r, NULL, n, res);
    enum runner_stop s = RUNNER_STOP;
    for (uint64_t i = 0; i < n && s == RUNNER_STOP; i++) {
        struct run_request req;
        s = control_step_over_request(r->m, &req) ? loop(r, &req, 0, res) : loop(r, NULL, 1, res);
        if (s == RUNNER_STOP && res->stop != RUN_INSNS)
            break;
    }
    return s;
}
