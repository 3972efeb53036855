/* The stack panel: the words around ESP, and the frame the CPU pushed on
 * the last crossing into an inner ring (or the selected event's), field by
 * field: SS, ESP, EFLAGS, CS, EIP and the error code (SDM Vol. 3A 6.12.1,
 * Figure 6-4).  SYSENTER pushes nothing (Vol. 2B SYSENTER): the panel says
 * so, and the kernel's own frame is just words. */
#include <stdlib.h>
#include <string.h>

#include "ui.h"

#define WORDS_ABOVE 2
#define WORDS 22

/* The frame an event pushed: addresses and field names, lowest first. */
struct frame {
    int n;
    uint32_t at;
    const char *field[6];
};

static bool frame_of(const struct trace_event *ev, struct frame *f)
{
    memset(f, 0, sizeof *f);
    if (!ev->delivered || ev->kind == TRACE_SYSENTER || ev->kind == TRACE_SYSCALL ||
        ev->kind == TRACE_RETURN || ev->kind == TRACE_SYSEXIT || ev->kind == TRACE_SYSRET ||
        ev->kind == TRACE_TRIPLE_FAULT || ev->kind == TRACE_RESET || ev->gate == GATE_TASK ||
        ev->gate == GATE_NONE)
        return false;
    if (ev->gate != GATE_INTR32 && ev->gate != GATE_TRAP32)
        return false; /* 16-bit frames: words, not shown field by field */
    f->at = ev->after.esp;
    if (ev->has_error_code)
        f->field[f->n++] = "error code";
    f->field[f->n++] = "EIP";
    f->field[f->n++] = "CS";
    f->field[f->n++] = "EFLAGS";
    if (ev->after.cpl < ev->before.cpl) {
        f->field[f->n++] = "ESP";
        f->field[f->n++] = "SS";
    }
    return true;
}

static const char *field_at(const struct frame *f, uint32_t addr)
{
    if (addr < f->at || (addr - f->at) % 4 || (addr - f->at) / 4 >= (uint32_t)f->n)
        return NULL;
    return f->field[(addr - f->at) / 4];
}

void stack_model(struct view *v, struct ui_text *t)
{
    if (!v->cpu_ok) {
        uitext_add(t, ST_DIM, "the CPU state cannot be read\n");
        return;
    }
    const struct seg_cache *ss = &v->cpu.seg[SEG_SS];
    uint32_t esp = v->cpu.gpr[GPR_ESP];
    uitext_add(t, ST_LABEL, "ESP ");
    uitext_add(t, ST_VALUE, "%08x", esp);
    uitext_add(t, ST_TEXT, " on SS %04x, the ", ss->selector);
    uitext_add(t, v->cpu.cpl == 0 ? ST_KERNEL : ST_USER, "ring %u stack\n", v->cpu.cpl);

    /* The frame of the selected event when it pushed one, else of the last
     * crossing into an inner ring. */
    const struct ui_event *sel = model_selected(v);
    const struct ui_event *e = sel;
    struct frame f;
    bool have = e && frame_of(&e->ev, &f);
    if (!have) {
        e = model_last_crossing(v, sel ? sel->ev.seq : 0);
        /* (upto 0 means "any": stop at the first event.) */
        while (e && !(e->ev.after.cpl < e->ev.before.cpl))
            e = e->ev.seq > 1 ? model_last_crossing(v, e->ev.seq - 1) : NULL;
        have = e && frame_of(&e->ev, &f);
    }
    if (e && !have && (e->ev.kind == TRACE_SYSENTER || e->ev.kind == TRACE_SYSCALL)) {
        uitext_add(t, ST_FRAME, "event %llu (%s) pushed nothing:\n", (unsigned long long)e->ev.seq,
                   e->cause);
        uitext_add(t, ST_TEXT, "  ESP came from IA32_SYSENTER_ESP; the kernel\n"
                               "  pushes the user's SS, ESP, EFLAGS, CS, EIP itself\n");
    }
    if (have) {
        uitext_add(t, ST_FRAME, "frame pushed by %s (event %llu) at %08x:\n", e->cause,
                 (unsigned long long)e->ev.seq, f.at);
        /* The values as the event says they were pushed, beside memory now. */
        for (int i = 0; i < f.n; i++) {
            uint32_t w = 0;
            bool ok = model_read(v, e->ev.cr3, f.at + 4u * (uint32_t)i, &w, 4);
            uitext_add(t, ST_FRAME, "  %-10s ", f.field[i]);
            if (ok)
                uitext_add(t, ST_VALUE, "%08x\n", w);
            else
                uitext_add(t, ST_DIM, "(not mapped)\n");
        }
    }
    uitext_add(t, ST_LABEL, "words around ESP:\n");
    for (int i = -WORDS_ABOVE; i < WORDS; i++) {
        uint32_t addr = esp + 4u * (uint32_t)i;
        uint32_t w;
        bool ok = inspect_linear(v->m, NULL, ss->base + addr, &w, 4, NULL);
        const char *field = have && e->ev.cr3 == v->cpu.cr3 ? field_at(&f, addr) : NULL;
        uitext_add(t, i == 0 ? ST_CURRENT : ST_TEXT, "%s%08x", i == 0 ? "ESP> " : "     ", addr);
        uitext_add(t, ST_TEXT, "  ");
        if (ok)
            uitext_add(t, ST_VALUE, "%08x", w);
        else
            uitext_add(t, ST_DIM, "--------");
        if (field)
            uitext_add(t, ST_FRAME, "  %s", field);
        char sym[80];
        /* A word that points into code near a symbol: a return address, likely. */
        const char *plus;
        if (ok && !field && v->syms && w >= 0x1000 &&
            symbols_name(v->syms, v->program, w, sym, sizeof sym) &&
            (!(plus = strrchr(sym, '+')) || strtoul(plus + 1, NULL, 16) < 0x1000))
            uitext_add(t, ST_DIM, "  <%s>", sym);
        uitext_add(t, ST_TEXT, "\n");
    }
}
