/* The debugger's words for going back in time: `back [N]`, `until-back
 * KIND` (back across the last transition, system call, return or fault,
 * to the state just before it) and `info history`.  The machine does the
 * going back (control.h); this says where it got to. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "debug/commands.h"
#include "debug/show.h"
#include "inspect.h"

static enum debug_result no_history(struct strbuf *out)
{
    strbuf_add(out, "no history is kept: the snapshots are off (--snapshot-budget 0, "
                    "--realtime, or they could not start)\n");
    return DEBUG_ERROR;
}

static bool history_is_on(struct debugger *d)
{
    struct history_info hi;
    control_history_info(d->m, &hi);
    return hi.on;
}

enum debug_result debug_cmd_back(struct debugger *d, struct words *ws, struct strbuf *out)
{
    uint64_t n = 1;
    if (ws->n > 2 || (ws->n == 2 && !debug_parse_count(ws->w[1], 1000000000000ull, &n,
                                                       "the count", out)))
        return DEBUG_ERROR;
    if (!history_is_on(d))
        return no_history(out);
    struct run_result res;
    uint64_t from = inspect_icount(d->m);
    control_step_back(d->m, n, &res);
    if (res.stop == RUN_INSNS)
        strbuf_add(out, "back %" PRIu64 " instruction%s, at instruction %" PRIu64 "\n",
                   from - inspect_icount(d->m), from - inspect_icount(d->m) == 1 ? "" : "s",
                   inspect_icount(d->m));
    return debug_report_run(d, DEBUG_RUN_STOPPED, &res, NULL, out);
}

enum debug_result debug_cmd_until_back(struct debugger *d, struct words *ws, struct strbuf *out)
{
    static const struct {
        const char *word;
        unsigned bits;
    } kinds[] = {
        {"transition", STOP_ON_TRANSITION}, {"syscall", STOP_ON_SYSCALL},
        {"sysret", STOP_ON_SYSRET}, {"fault", STOP_ON_FAULT}, {"irq", STOP_ON_IRQ},
    };
    unsigned bits = 0;
    for (size_t i = 0; ws->n == 2 && i < sizeof kinds / sizeof kinds[0]; i++)
        if (!strcmp(ws->w[1], kinds[i].word))
            bits = kinds[i].bits;
    if (!bits) {
        strbuf_add(out, "until-back needs what to go back across: transition, syscall, sysret, "
                        "fault or irq\n");
        return DEBUG_ERROR;
    }
    if (!history_is_on(d))
        return no_history(out);
    struct run_request req = {.stop_on = bits, .no_breakpoints = true};
    struct run_result res;
    control_run_back(d->m, &req, &res);
    if (res.stop != RUN_EVENT) {
        strbuf_add(out, "no %s in the history kept\n", ws->w[1]);
        return debug_report_run(d, DEBUG_RUN_STOPPED, &res, NULL, out);
    }
    /* Back across it: the state just before the event. */
    struct trace_event ev = res.event;
    control_back_before(d->m, &ev, &res);
    strbuf_add(out, "before ");
    show_event(d->m, &ev, out);
    return debug_report_run(d, DEBUG_RUN_STOPPED, &res, NULL, out);
}

void debug_info_history(struct debugger *d, struct strbuf *out)
{
    struct history_info hi;
    control_history_info(d->m, &hi);
    if (!hi.on) {
        strbuf_add(out, "history: off\n");
        return;
    }
    strbuf_add(out,
               "history: %zu snapshot%s, the oldest at instruction %" PRIu64 " (now %" PRIu64
               ")\n  memory %zu KiB now, %zu KiB at most so far, of a budget of %zu KiB; "
               "%" PRIu64 " snapshot%s given up for it\n",
               hi.snapshots, hi.snapshots == 1 ? "" : "s", hi.oldest.icount,
               inspect_icount(d->m), hi.bytes >> 10, hi.peak_bytes >> 10, hi.budget >> 10,
               hi.dropped, hi.dropped == 1 ? "" : "s");
}
