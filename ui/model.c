/* What the view knows of the machine between frames: the CPU as inspect
 * reads it (and as it was at the stop before, to mark what changed), the
 * VGA screen, the running program, and the timeline -- a ring of the last
 * events, each with its line for the timeline and its label for the rings'
 * arrow, written when the view first sees it.  System calls of the bundled
 * kernel are named with their arguments then, so strings are read while
 * they are still there (at the end of the slice the call was made in, or
 * at once when the run stops at it). */
#include <string.h>

#include "debug/syscalls.h"
#include "ui.h"

bool model_read(struct view *v, uint32_t cr3, uint32_t linear, void *buf, size_t len)
{
    return inspect_linear(v->m, &cr3, linear, buf, len, NULL);
}

static bool read_for_syscalls(void *opaque, uint32_t cr3, uint32_t linear, void *buf, size_t len)
{
    return model_read(opaque, cr3, linear, buf, len);
}

static bool read_now(void *opaque, uint32_t linear, void *buf, size_t len)
{
    return inspect_linear(opaque, NULL, linear, buf, len, NULL);
}

/* The first clause of an explanation: "user read of not-present page 0x00000000". */
static void first_clause(const char *explain, char *out, size_t n)
{
    size_t k = strcspn(explain, ":");
    if (k >= n)
        k = n - 1;
    memcpy(out, explain, k);
    out[k] = '\0';
}

static void describe(struct view *v, struct ui_event *e, const struct pic_pair *pic)
{
    const struct trace_event *ev = &e->ev;
    char what[160] = "", cause[48] = "";
    struct strbuf call;
    strbuf_init(&call);
    bool named = v->cfg->bundled && syscalls_is_entry(ev);
    if (named)
        syscalls_describe(ev, read_for_syscalls, v, &call);
    const char *name = named ? syscalls_name(ev->gpr[GPR_EAX]) : NULL;
    switch (ev->kind) {
    case TRACE_SOFTWARE_INT:
        if (named) {
            snprintf(what, sizeof what, "int 0x%02x %s", ev->vector, strbuf_str(&call));
            snprintf(cause, sizeof cause, "int 0x%02x %s", ev->vector, name ? name : "?");
        } else {
            snprintf(what, sizeof what, "INT 0x%02x, EAX=%08x", ev->vector, ev->eax);
            snprintf(cause, sizeof cause, "int 0x%02x", ev->vector);
        }
        break;
    case TRACE_SYSENTER:
    case TRACE_SYSCALL: {
        const char *door = ev->kind == TRACE_SYSENTER ? "sysenter" : "syscall";
        if (named) {
            snprintf(what, sizeof what, "%s %s", door, strbuf_str(&call));
            snprintf(cause, sizeof cause, "%s %s", door, name ? name : "?");
        } else {
            snprintf(what, sizeof what, "%s, EAX=%08x", door, ev->eax);
            snprintf(cause, sizeof cause, "%s", door);
        }
        break;
    }
    case TRACE_EXCEPTION: {
        const char *mn = trace_vector_mnemonic(ev->vector);
        char clause[120];
        first_clause(ev->explain, clause, sizeof clause);
        char vec[16];
        snprintf(vec, sizeof vec, "vector %d", ev->vector);
        if (ev->has_error_code)
            snprintf(what, sizeof what, "%s e=%04x %s", mn ? mn : vec, ev->error_code, clause);
        else
            snprintf(what, sizeof what, "%s %s", mn ? mn : vec, clause);
        snprintf(cause, sizeof cause, "%s", mn ? mn : vec);
        break;
    }
    case TRACE_HARDWARE_INT: {
        int irq = -1;
        if (ev->vector >= pic->master.vector_base && ev->vector < pic->master.vector_base + 8)
            irq = ev->vector - pic->master.vector_base;
        else if (ev->vector >= pic->slave.vector_base && ev->vector < pic->slave.vector_base + 8)
            irq = 8 + ev->vector - pic->slave.vector_base;
        if (irq >= 0) {
            snprintf(what, sizeof what, "IRQ %d (vector 0x%02x)", irq, ev->vector);
            snprintf(cause, sizeof cause, "IRQ %d", irq);
        } else {
            snprintf(what, sizeof what, "IRQ vector 0x%02x", ev->vector);
            snprintf(cause, sizeof cause, "IRQ 0x%02x", ev->vector);
        }
        break;
    }
    case TRACE_RETURN:
        snprintf(what, sizeof what, "iret back to ring %u, EAX=%08x", ev->after.cpl, ev->eax);
        snprintf(cause, sizeof cause, "iret");
        break;
    case TRACE_SYSEXIT:
    case TRACE_SYSRET: {
        const char *door = ev->kind == TRACE_SYSEXIT ? "sysexit" : "sysret";
        snprintf(what, sizeof what, "%s back to ring %u, EAX=%08x", door, ev->after.cpl, ev->eax);
        snprintf(cause, sizeof cause, "%s", door);
        break;
    }
    case TRACE_TRIPLE_FAULT:
        snprintf(what, sizeof what, "triple fault: shutdown");
        snprintf(cause, sizeof cause, "triple fault");
        break;
    case TRACE_RESET:
        snprintf(what, sizeof what, "reset");
        snprintf(cause, sizeof cause, "reset");
        break;
    }
    strbuf_free(&call);
    char rings[16] = "";
    if (ev->delivered && ev->after.cpl != ev->before.cpl)
        snprintf(rings, sizeof rings, "%u->%u", ev->before.cpl, ev->after.cpl);
    else if (!ev->delivered && ev->kind != TRACE_RESET && ev->kind != TRACE_TRIPLE_FAULT)
        snprintf(rings, sizeof rings, "(not delivered)");
    else
        snprintf(rings, sizeof rings, "%u", ev->before.cpl);
    snprintf(e->summary, sizeof e->summary, "%-4s %s", rings, what);
    snprintf(e->cause, sizeof e->cause, "%s", cause);
}

/* Read the events the machine has had since the last look. */
static void take_events(struct view *v)
{
    static struct trace_event fresh[UI_EVENTS];
    uint64_t count = inspect_event_count(v->m);
    if (count <= v->ev_seen)
        return;
    uint64_t k = count - v->ev_seen;
    if (k > UI_EVENTS)
        k = UI_EVENTS;
    size_t got = inspect_events(v->m, fresh, (size_t)k);
    struct pic_pair pic;
    inspect_pic(v->m, &pic);
    uint64_t first = count - got; /* ring position of fresh[0] */
    for (size_t i = 0; i < got; i++) {
        struct ui_event *e = &v->events[(first + i) % UI_EVENTS];
        e->ev = fresh[i];
        describe(v, e, &pic);
        const struct trace_event *ev = &fresh[i];
        if (ev->delivered && ev->after.cpl != ev->before.cpl)
            v->arrow_seq = ev->seq;
    }
    v->ev_seen = count;
    v->ev_n = count < UI_EVENTS ? (size_t)count : UI_EVENTS;
}

void model_refresh(struct view *v, bool at_stop)
{
    uint64_t arrow_before = v->arrow_seq;
    v->cpu_ok = inspect_cpu(v->m, &v->cpu);
    inspect_vga(v->m, &v->vga);
    v->program = v->syms ? symbols_identify(v->syms, read_now, v->m) : -1;
    take_events(v);
    if (at_stop) {
        /* What changed is told against the stop before. */
        if (v->have_last_stop) {
            v->stop_cpu = v->last_stop_cpu;
            v->have_stop_cpu = true;
        }
        v->last_stop_cpu = v->cpu;
        v->have_last_stop = true;
        if (v->arrow_seq != arrow_before || v->arrow_since == 0)
            v->arrow_since = SDL_GetTicks() / 1000.0;
    }
    v->dirty = true;
}

const struct ui_event *model_event_at(const struct view *v, size_t i)
{
    if (i >= v->ev_n)
        return NULL;
    return &v->events[(v->ev_seen - v->ev_n + i) % UI_EVENTS];
}

const struct ui_event *model_event(const struct view *v, uint64_t seq)
{
    /* Sequence numbers grow by one per event, so the ring is searched from
     * the newest down only as far as that. */
    for (size_t i = v->ev_n; i-- > 0;) {
        const struct ui_event *e = model_event_at(v, i);
        if (e->ev.seq == seq)
            return e;
        if (e->ev.seq < seq)
            break;
    }
    return NULL;
}

const struct ui_event *model_selected(const struct view *v)
{
    if (v->selected) {
        const struct ui_event *e = model_event(v, v->selected);
        if (e)
            return e;
    }
    return v->ev_n ? model_event_at(v, v->ev_n - 1) : NULL;
}

const struct ui_event *model_last_pf(const struct view *v, uint64_t upto)
{
    for (size_t i = v->ev_n; i-- > 0;) {
        const struct ui_event *e = model_event_at(v, i);
        if (upto && e->ev.seq > upto)
            continue;
        if (e->ev.kind == TRACE_EXCEPTION && e->ev.vector == 14)
            return e;
    }
    return NULL;
}

const struct ui_event *model_last_crossing(const struct view *v, uint64_t upto)
{
    for (size_t i = v->ev_n; i-- > 0;) {
        const struct ui_event *e = model_event_at(v, i);
        if (upto && e->ev.seq > upto)
            continue;
        if (e->ev.delivered && e->ev.after.cpl != e->ev.before.cpl)
            return e;
    }
    return NULL;
}
