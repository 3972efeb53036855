/* Going back in time (control.h): a number of instructions, to the last
 * stop a run would have made, or to just before an event.  Each one
 * restores the nearest snapshot before its target (history.c) and runs
 * forward to the target again; to find the last stop, the intervals
 * between snapshots are run again from the newest back, with the stops
 * asked for, until one holds a stop. */
#include <string.h>

#include "cpu/engine.h"
#include "machine/internal.h"

static bool pos_before(const struct machine_pos *a, const struct machine_pos *b)
{
    return a->icount < b->icount || (a->icount == b->icount && a->deliveries < b->deliveries);
}

/* No delivery has happened at the current count yet: the state is the
 * one a forward run stops at when it reaches this count. */
static bool at_count_start(const struct machine *m)
{
    return m->last_delivery_icount == UINT64_MAX || m->last_delivery_icount < m->clock.icount;
}

static enum run_stop finish(struct run_result *out, enum run_stop stop)
{
    out->stop = stop;
    return stop;
}

static void clear_result(struct run_result *out)
{
    memset(out, 0, sizeof *out);
    out->next_event_ns = UINT64_MAX;
}

enum run_stop control_step_back(struct machine *m, uint64_t n, struct run_result *out)
{
    clear_result(out);
    if (!history_on(m))
        return finish(out, RUN_HISTORY_START);
    if (n == 0)
        return finish(out, RUN_INSNS);
    uint64_t now = m->clock.icount, steps = n;
    /* Deliveries with no instruction after them yet: the first step back
     * undoes them. */
    if (!at_count_start(m))
        steps--;
    uint64_t target = steps > now ? 0 : now - steps;
    return finish(out, history_goto(m, target));
}

enum run_stop control_back_before(struct machine *m, const struct trace_event *ev,
                                  struct run_result *out)
{
    clear_result(out);
    if (!history_on(m))
        return finish(out, RUN_HISTORY_START);
    bool is_return =
        ev->kind == TRACE_RETURN || ev->kind == TRACE_SYSEXIT || ev->kind == TRACE_SYSRET;
    if (is_return) {
        /* Seen at the first instruction back in the outer ring: the return
         * instruction was the one before. */
        return finish(out, history_goto(m, ev->icount ? ev->icount - 1 : 0));
    }
    /* A delivery: the state with the deliveries before it made. */
    struct machine_pos before = {ev->icount, ev->deliveries ? ev->deliveries - 1 : 0, 0};
    return finish(out, history_goto_pos(m, &before));
}

/* Run from where the machine is to `end` with the stops of `scan`, and
 * keep the last one before `end`.  Returns false when the run was paused
 * (the machine is left where it got to). */
static bool scan_interval(struct machine *m, struct run_request *scan,
                          const struct machine_pos *end, bool *found, struct machine_pos *hit,
                          struct run_result *hit_res)
{
    /* A breakpoint at the interval's very first instruction stops the run
     * there, as it did the first time. */
    m->resume_no_skip = true;
    while (m->clock.icount < end->icount) {
        scan->max_insns = end->icount - m->clock.icount;
        struct run_result res;
        enum run_stop stop = control_run(m, scan, &res);
        struct machine_pos p;
        switch (stop) {
        case RUN_BREAKPOINT:
        case RUN_WATCHPOINT:
        case RUN_EVENT:
            control_position(m, &p);
            if (!pos_before(&p, end))
                return true;
            *found = true;
            *hit = p;
            *hit_res = res;
            continue;
        case RUN_IDLE:
            if (res.next_event_ns == UINT64_MAX)
                return true;
            control_idle(m, res.next_event_ns - clock_now_ns(&m->clock));
            continue;
        case RUN_INSNS:
        case RUN_SLICE:
        case RUN_HISTORY_START:
            continue;
        case RUN_PAUSED:
            return false;
        case RUN_END:
            return true;
        }
    }
    m->resume_no_skip = false;
    return true;
}

enum run_stop control_run_back(struct machine *m, const struct run_request *req,
                               struct run_result *out)
{
    clear_result(out);
    if (!history_on(m))
        return finish(out, RUN_HISTORY_START);
    struct run_request scan = *req;
    scan.slice_s = 0;
    scan.until_return = false;
    struct machine_pos end, start;
    control_position(m, &end);
    while (history_restore_before(m, &end, &start)) {
        bool found = false;
        struct machine_pos hit;
        struct run_result hit_res;
        if (!scan_interval(m, &scan, &end, &found, &hit, &hit_res)) {
            m->resume_no_skip = false;
            return finish(out, RUN_PAUSED);
        }
        if (found) {
            enum run_stop s = history_goto_pos(m, &hit);
            if (s != RUN_INSNS)
                return finish(out, s);
            *out = hit_res;
            return out->stop;
        }
        end = start;
    }
    /* No stop in all the history: the oldest state kept. */
    struct machine_pos oldest;
    if (!history_oldest(m, &oldest))
        return finish(out, RUN_HISTORY_START);
    enum run_stop s = history_goto_pos(m, &oldest);
    return finish(out, s == RUN_INSNS ? RUN_HISTORY_START : s);
}
