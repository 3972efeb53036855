/* The event fan-out: every trace event gets its number and instruction
 * count here, goes to each sink (the -d int log, the JSON lines), into the
 * ring of recent events that inspect_events reads, and is matched against
 * what the run in progress asked to stop at. */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "cpu/engine.h"
#include "inspect.h"
#include "machine/internal.h"

bool events_init(struct machine *m)
{
    m->ring = calloc(INSPECT_EVENT_RING, sizeof *m->ring);
    return m->ring != NULL;
}

void events_free(struct machine *m)
{
    free(m->ring);
    m->ring = NULL;
}

bool machine_add_sink(struct machine *m, struct trace_sink sink)
{
    if (m->nsinks == MACHINE_MAX_SINKS)
        return false;
    m->sinks[m->nsinks++] = sink;
    m->explain = true; /* a log shows the explanations */
    return true;
}

/* A system call entry: INT n (not INT3 or INTO) from an outer ring into an
 * inner one, SYSENTER or SYSCALL. */
static bool is_syscall(const struct trace_event *ev)
{
    if (ev->kind == TRACE_SYSENTER || ev->kind == TRACE_SYSCALL)
        return true;
    return ev->kind == TRACE_SOFTWARE_INT && ev->delivered && ev->vector != 3 && ev->vector != 4 &&
           ev->before.cpl > 0 && ev->after.cpl < ev->before.cpl;
}

static bool matches(const struct run_request *req, const struct trace_event *ev)
{
    unsigned on = req->stop_on;
    if ((on & STOP_ON_SYSCALL) && is_syscall(ev))
        return true;
    if ((on & STOP_ON_SYSRET) &&
        (ev->kind == TRACE_RETURN || ev->kind == TRACE_SYSEXIT || ev->kind == TRACE_SYSRET))
        return true;
    if ((on & STOP_ON_TRANSITION) && ev->delivered && ev->after.cpl != ev->before.cpl)
        return true;
    if ((on & STOP_ON_FAULT) && ev->kind == TRACE_EXCEPTION)
        return true;
    if ((on & STOP_ON_VECTOR) && ev->vector == req->vector && ev->vector >= 0)
        return true;
    if ((on & STOP_ON_IRQ) && ev->kind == TRACE_HARDWARE_INT)
        return true;
    if ((on & STOP_ON_RESET) && (ev->kind == TRACE_TRIPLE_FAULT || ev->kind == TRACE_RESET))
        return true;
    return (on & STOP_ON_ANY) != 0;
}

static bool is_return(const struct trace_event *ev)
{
    return ev->kind == TRACE_RETURN || ev->kind == TRACE_SYSEXIT || ev->kind == TRACE_SYSRET;
}

/* Should the sinks see this event?  Not when the run is doing again what
 * it did before going back: they saw it then. */
static bool first_showing(struct machine *m, const struct trace_event *ev)
{
    if (is_return(ev)) {
        if (m->shown_return_icount != UINT64_MAX && ev->icount <= m->shown_return_icount)
            return false;
        m->shown_return_icount = ev->icount;
        return true;
    }
    if (m->deliveries <= m->shown_deliveries)
        return false;
    m->shown_deliveries = m->deliveries;
    return true;
}

void events_emit(void *opaque, struct trace_event *ev)
{
    struct machine *m = opaque;
    ev->seq = ++m->seq;
    ev->icount = m->clock.icount;
    ev->cpu = m->cpu;
    if (!is_return(ev)) {
        m->deliveries++;
        m->last_delivery_icount = ev->icount;
    }
    ev->deliveries = m->deliveries;
    if (first_showing(m, ev))
        for (int i = 0; i < m->nsinks; i++)
            m->sinks[i].emit(m->sinks[i].opaque, ev);
    /* Into the ring: the fields and as much of the explanation as is
     * written (most events have a short one or none). */
    struct trace_event *slot = &m->ring[m->ring_count++ % INSPECT_EVENT_RING];
    memcpy(slot, ev, offsetof(struct trace_event, explain));
    size_t len = strnlen(ev->explain, sizeof ev->explain - 1);
    memcpy(slot->explain, ev->explain, len);
    slot->explain[len] = '\0';
    if (m->ring_count > m->ring_high)
        m->ring_high = m->ring_count;
    const struct run_goal *g = &m->goal;
    if (g->req && g->result && m->cause != CAUSE_EVENT && matches(g->req, ev)) {
        g->result->event = *ev;
        /* The stop takes effect once the event is complete: the delivery
         * has been committed, or the return has reached its target. */
        m->cause = CAUSE_EVENT;
        engine_stop(m->engine);
    }
}
