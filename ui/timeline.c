/* The timeline panel: every event the machine reported, newest at the
 * bottom -- system calls of the bundled kernel by name with their
 * arguments, faults with their explanation -- and the selected one in
 * detail: the gate it went through, the stack it switched to (TSS.SS0:ESP0,
 * SDM Vol. 3A 6.12.1), the state before and after. */
#include <string.h>

#include "cpu/desc.h"
#include "ui.h"

/* Lines kept for the selected event's detail. */
#define DETAIL_LINES 10

static int panel_rows(const struct view *v, int fallback)
{
    const struct panel *p = &v->panels[P_TIMELINE];
    int rows = v->ch > 0 ? p->body.h / v->ch : 0;
    return rows > 0 ? rows : fallback;
}

static int panel_cols(const struct view *v)
{
    const struct panel *p = &v->panels[P_TIMELINE];
    int cols = v->cw > 0 ? p->body.w / v->cw : 0;
    return cols > 20 ? (cols < UI_COLS ? cols : UI_COLS) : 80;
}

/* A long text over several lines of the panel's width. */
static void wrapped(struct ui_text *t, enum ui_style st, const char *lead, const char *s,
                    int cols, int max_lines)
{
    int lead_len = (int)strlen(lead);
    int width = cols - lead_len > 16 ? cols - lead_len : 16;
    for (int line = 0; *s && line < max_lines; line++) {
        int n = (int)strlen(s);
        if (n > width) {
            n = width;
            while (n > width / 2 && s[n] != ' ')
                n--;
        }
        uitext_add(t, ST_LABEL, "%s", line ? "" : lead);
        if (line)
            uitext_add(t, ST_TEXT, "%*s", lead_len, "");
        uitext_add(t, st, "%.*s\n", n, s);
        s += n;
        while (*s == ' ')
            s++;
    }
}

static void point(struct ui_text *t, const char *label, const struct trace_point *p)
{
    uitext_add(t, ST_LABEL, "%-7s", label);
    uitext_add(t, p->cpl == 0 ? ST_KERNEL : (p->cpl == 3 ? ST_USER : ST_VALUE), "%u  ", p->cpl);
    uitext_add(t, ST_VALUE, "%04x:%08x  %04x:%08x  %08x\n", p->cs, p->eip, p->ss, p->esp,
               p->eflags);
}

static void detail(struct view *v, struct ui_text *t, const struct ui_event *e, int cols)
{
    const struct trace_event *ev = &e->ev;
    uitext_add(t, ST_SELECTED, "event %llu", (unsigned long long)ev->seq);
    uitext_add(t, ST_TEXT, " at icount %llu: %s (%s)\n", (unsigned long long)ev->icount,
             e->cause, trace_kind_name(ev->kind));
    if (ev->gate != GATE_NONE) {
        struct gate g;
        uitext_add(t, ST_LABEL, "gate: ");
        if (ev->vector >= 0)
            uitext_add(t, ST_TEXT, "IDT[0x%02x] ", ev->vector);
        if (gate_decode(ev->gate_lo, ev->gate_hi, &g))
            uitext_add(t, ST_TEXT, "%s, DPL %u, %04x:%08x%s\n", trace_gate_name(ev->gate), g.dpl,
                     g.selector, g.offset, g.present ? "" : " (not present)");
        else
            uitext_add(t, ST_TEXT, "%s\n", trace_gate_name(ev->gate));
    } else if (ev->kind == TRACE_SYSENTER) {
        uitext_add(t, ST_LABEL, "door: ");
        uitext_add(t, ST_TEXT, "no gate: CS, EIP, ESP from the IA32_SYSENTER MSRs\n");
    }
    if (ev->stack_switched) {
        /* What was pushed lies between the TSS's ESP0 and the new ESP. */
        uint32_t pushed = (ev->has_error_code ? 4u : 0u) + 20u;
        if (ev->gate == GATE_INTR16 || ev->gate == GATE_TRAP16)
            pushed /= 2;
        uitext_add(t, ST_LABEL, "stack: ");
        uitext_add(t, ST_TEXT, "switched, from TSS %04x: SS0:ESP0 = ", ev->tss_selector);
        uitext_add(t, ST_KERNEL, "%04x:%08x\n", ev->after.ss, ev->after.esp + pushed);
    } else if (ev->delivered && ev->kind != TRACE_SYSENTER && ev->kind != TRACE_SYSCALL &&
               ev->after.cpl == ev->before.cpl) {
        uitext_add(t, ST_LABEL, "stack: ");
        uitext_add(t, ST_TEXT, "the same (no change of ring)\n");
    }
    if (ev->has_error_code) {
        uitext_add(t, ST_LABEL, "error code: ");
        uitext_add(t, ST_VALUE, "%04x", ev->error_code);
        if (ev->vector == 14)
            uitext_add(t, ST_TEXT, "  P=%u W/R=%u U/S=%u RSVD=%u I/D=%u", ev->error_code & 1,
                     (ev->error_code >> 1) & 1, (ev->error_code >> 2) & 1,
                     (ev->error_code >> 3) & 1, (ev->error_code >> 4) & 1);
        else if (ev->error_code)
            uitext_add(t, ST_TEXT, "  selector index %u, %s%s", ev->error_code >> 3,
                     (ev->error_code & 2) ? "IDT" : ((ev->error_code & 4) ? "LDT" : "GDT"),
                     (ev->error_code & 1) ? ", external" : "");
        if (ev->vector == 14)
            uitext_add(t, ST_TEXT, "  CR2 %08x", ev->cr2);
        uitext_add(t, ST_TEXT, "\n");
    }
    uitext_add(t, ST_DIM, "       CPL CS:EIP         SS:ESP         EFLAGS\n");
    point(t, "before", &ev->before);
    if (ev->delivered)
        point(t, "after", &ev->after);
    size_t n = strnlen(ev->explain, sizeof ev->explain);
    if (n) {
        char why[TRACE_EXPLAIN_MAX + 1];
        memcpy(why, ev->explain, n);
        why[n] = '\0';
        wrapped(t, ST_TEXT, "why: ", why, cols, 3);
    }
}

void timeline_model(struct view *v, struct ui_text *t)
{
    memset(v->tl_row_seq, 0, sizeof v->tl_row_seq);
    if (v->ev_n == 0) {
        uitext_add(t, ST_DIM, "no events yet\n");
        return;
    }
    int rows = panel_rows(v, 40), cols = panel_cols(v);
    int list = rows - DETAIL_LINES - 1;
    if (list < 3)
        list = 3;
    const struct ui_event *sel = model_selected(v);
    /* The newest event shown: the newest, or far enough back for the selection. */
    size_t last = v->ev_n - 1;
    if (v->selected && sel) {
        size_t at = v->ev_n - 1 - (size_t)(model_event_at(v, v->ev_n - 1)->ev.seq - sel->ev.seq);
        if (at + (size_t)list / 2 < last)
            last = at + (size_t)list / 2;
    }
    size_t first = last + 1 >= (size_t)list ? last + 1 - (size_t)list : 0;
    for (size_t i = first; i <= last; i++) {
        const struct ui_event *e = model_event_at(v, i);
        bool is_sel = sel && e->ev.seq == sel->ev.seq;
        if (t->n < UI_LINES)
            v->tl_row_seq[t->n ? t->n - 1 : 0] = e->ev.seq;
        enum ui_style st = ST_TEXT;
        if (e->ev.kind == TRACE_EXCEPTION || e->ev.kind == TRACE_TRIPLE_FAULT)
            st = ST_USER;
        else if (e->ev.kind == TRACE_HARDWARE_INT)
            st = ST_DIM;
        uitext_add(t, is_sel ? ST_SELECTED : ST_LABEL, "%7llu", (unsigned long long)e->ev.seq);
        uitext_add(t, is_sel ? ST_SELECTED : st, " %s", e->summary);
        uitext_add(t, ST_TEXT, "\n");
    }
    while (t->n - 1 < list && t->n < UI_LINES)
        uitext_add(t, ST_TEXT, "\n");
    uitext_add(t, ST_DIM, "%.*s\n", cols, "--------------------------------------------------"
             "----------------------------------------------------------------------------");
    if (sel)
        detail(v, t, sel, cols);
}
