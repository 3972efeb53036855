/* The serial input's door: machine_serial_input, the log of every byte the
 * UART took (with the instruction count and guest time it arrived at), and
 * the replay of logged bytes, for --replay and for going forward again
 * after going back.
 *
 * The machine is deterministic but for its input, so a run is reproduced
 * by handing the UART the same bytes at the same positions.  Bytes arrive
 * between runs; replayed ones arrive at the top of the run loop, which is
 * the same moment: nothing of the guest's happens between the end of one
 * control_run and the top of the next. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "inspect.h"
#include "machine/internal.h"

void input_free(struct machine *m)
{
    free(m->input);
    m->input = NULL;
    m->input_count = m->input_cap = m->input_pos = 0;
}

static bool append(struct machine *m, const struct input_record *rec)
{
    if (m->input_count == m->input_cap) {
        size_t cap = m->input_cap ? m->input_cap * 2 : 256;
        struct input_record *n = realloc(m->input, cap * sizeof *n);
        if (!n)
            return false;
        m->input = n;
        m->input_cap = cap;
    }
    m->input[m->input_count++] = *rec;
    return true;
}

void control_position(struct machine *m, struct machine_pos *out)
{
    out->icount = m->clock.icount;
    out->deliveries = m->deliveries;
    out->time_ns = clock_now_ns(&m->clock);
}

bool machine_serial_input(struct machine *m, uint8_t byte)
{
    /* Recorded input comes first; the host's waits until it is used up. */
    if (m->input_pos < m->input_count)
        return false;
    if (!uart_receive(&m->com1, byte))
        return false;
    if (!m->input_logging && !m->input_observer)
        return true;
    struct input_record rec = {m->clock.icount, clock_now_ns(&m->clock), byte};
    if (m->input_logging) {
        if (!append(m, &rec)) {
            machine_finish(m, END_HOST_ERROR, "out of memory for the input log");
            return true;
        }
        m->input_pos = m->input_count;
    }
    if (m->input_observer)
        m->input_observer(m->input_observer_opaque, &rec);
    return true;
}

void control_input_observe(struct machine *m,
                           void (*fn)(void *opaque, const struct input_record *rec), void *opaque)
{
    m->input_observer = fn;
    m->input_observer_opaque = opaque;
}

bool control_input_replay(struct machine *m, const struct input_record *recs, size_t n,
                          const struct machine_pos *end, char *err, size_t errlen)
{
    for (size_t i = 1; i < n; i++)
        if (recs[i].icount < recs[i - 1].icount ||
            (recs[i].icount == recs[i - 1].icount && recs[i].time_ns < recs[i - 1].time_ns)) {
            snprintf(err, errlen, "input record %zu comes before the one ahead of it", i + 1);
            return false;
        }
    if (end && n > 0 && (end->icount < recs[n - 1].icount)) {
        snprintf(err, errlen, "the recording ends before its last input");
        return false;
    }
    input_truncate(m);
    for (size_t i = 0; i < n; i++)
        if (!append(m, &recs[i])) {
            snprintf(err, errlen, "out of memory for %zu input records", n);
            return false;
        }
    m->replay_has_end = end != NULL;
    if (end)
        m->replay_end = *end;
    m->input_logging = true;
    return true;
}

void input_truncate(struct machine *m)
{
    m->input_count = m->input_pos;
    m->replay_has_end = false;
    m->replay_waiting = false;
}

bool input_next(const struct machine *m, uint64_t *icount, uint64_t *time_ns, bool *at_end)
{
    *at_end = false;
    if (m->input_pos < m->input_count) {
        *icount = m->input[m->input_pos].icount;
        *time_ns = m->input[m->input_pos].time_ns;
        return true;
    }
    if (m->replay_has_end) {
        *icount = m->replay_end.icount;
        *time_ns = m->replay_end.time_ns;
        *at_end = true;
        return true;
    }
    return false;
}

/* The run went past a recorded position without meeting it: what follows
 * is not the recorded run. */
static void diverged(struct machine *m, const char *what, uint64_t icount, uint64_t time_ns)
{
    machine_finish(m, END_HOST_ERROR,
                   "replay: the run left its recording: %s at instruction %llu, guest time %llu ns, "
                   "but the run is at instruction %llu, %llu ns",
                   what, (unsigned long long)icount, (unsigned long long)time_ns,
                   (unsigned long long)m->clock.icount,
                   (unsigned long long)clock_now_ns(&m->clock));
    input_truncate(m);
}

void input_feed(struct machine *m)
{
    uint64_t now = clock_now_ns(&m->clock);
    while (m->input_pos < m->input_count) {
        const struct input_record *r = &m->input[m->input_pos];
        if (r->icount > m->clock.icount || (r->icount == m->clock.icount && r->time_ns > now))
            return;
        if (r->icount < m->clock.icount) {
            diverged(m, "a byte arrived", r->icount, r->time_ns);
            return;
        }
        if (!uart_receive(&m->com1, r->byte)) {
            diverged(m, "the UART took a byte", r->icount, r->time_ns);
            return;
        }
        m->input_pos++;
    }
    if (!m->replay_has_end)
        return;
    const struct machine_pos *e = &m->replay_end;
    if (m->clock.icount > e->icount) {
        diverged(m, "the recording ends", e->icount, e->time_ns);
        return;
    }
    if (m->clock.icount != e->icount || now < e->time_ns)
        return;
    if (m->deliveries >= e->deliveries) {
        m->replay_has_end = false;
        machine_finish(m, END_REPLAY_END, "the recording ends here, after %llu instructions",
                       (unsigned long long)e->icount);
        return;
    }
    /* The recording ended after deliveries at this very count (an IRQ
     * whose time had come): the run stops again before its next
     * instruction (input_next), and they must have come by then. */
    if (m->replay_waiting && m->replay_wait_deliveries == m->deliveries) {
        diverged(m, "the recording ends", e->icount, e->time_ns);
        return;
    }
    m->replay_waiting = true;
    m->replay_wait_deliveries = m->deliveries;
}
