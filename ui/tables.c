/* The tables panel: the IDT's present gates in runs of alike ones, the
 * vector of the selected event marked; the GDT entry by entry, those the
 * segment registers and TR hold marked; the TSS's inner-ring stacks and its
 * I/O map (SDM Vol. 3A 3.5.1, 6.10, 7.2.1). */
#include <string.h>

#include "cpu/desc.h"
#include "ui.h"

#define GDT_MAX 16
#define IDT_RUNS_MAX 12

static void descriptor_words(const struct descriptor *d, char *buf, size_t n)
{
    if (!d->present && d->lo == 0 && d->hi == 0) {
        snprintf(buf, n, "null");
        return;
    }
    const char *kind;
    char sys[24];
    if (desc_is_code(d))
        kind = desc_is_conforming(d) ? "code conf"
               : desc_is_readable(d) ? "code r-x" : "code --x";
    else if (desc_is_data(d))
        kind = desc_is_writable(d) ? "data rw-" : "data r--";
    else if (desc_is_tss(d))
        kind = desc_is_tss_busy(d) ? "TSS busy" : "TSS";
    else {
        snprintf(sys, sizeof sys, "system %x", d->type);
        kind = sys;
    }
    snprintf(buf, n, "%-9s DPL %u base %08x lim %08x%s", kind, d->dpl, d->base, d->limit,
             d->present ? "" : " not present");
}

static void gdt(struct view *v, struct ui_text *t)
{
    const struct cpu_state *c = &v->cpu;
    unsigned entries = (c->gdtr.limit + 1u) / 8u;
    uitext_add(t, ST_LABEL, "GDT");
    uitext_add(t, ST_TEXT, " at %08x, %u entries\n", c->gdtr.base, entries);
    static const char *const names[SEG_COUNT] = {"ES", "CS", "SS", "DS", "FS", "GS"};
    for (unsigned i = 0; i < entries && i < GDT_MAX; i++) {
        struct descriptor d;
        if (!inspect_gdt(v->m, i, &d))
            break;
        char users[40] = "";
        for (int s = 0; s < SEG_COUNT; s++)
            if ((c->seg[s].selector >> 3) == i && !(c->seg[s].selector & 4) && i) {
                strcat(users, " ");
                strcat(users, names[s]);
            }
        if ((c->tr.selector >> 3) == i && i)
            strcat(users, " TR");
        if ((c->ldtr.selector >> 3) == i && i && !(c->ldtr.selector & 4))
            strcat(users, " LDTR");
        char words[80];
        descriptor_words(&d, words, sizeof words);
        enum ui_style st = users[0] ? ST_CURRENT : (d.dpl == 3 && d.present ? ST_USER : ST_TEXT);
        uitext_add(t, st, " %2u %04x %s", i, i * 8, words);
        if (users[0])
            uitext_add(t, ST_CURRENT, " <-%s", users);
        uitext_add(t, ST_TEXT, "\n");
    }
}

static void idt(struct view *v, struct ui_text *t)
{
    const struct cpu_state *c = &v->cpu;
    unsigned entries = (c->idtr.limit + 1u) / 8u;
    const struct ui_event *sel = model_selected(v);
    int mark = sel && sel->ev.vector >= 0 ? sel->ev.vector : -1;
    uitext_add(t, ST_LABEL, "IDT");
    uitext_add(t, ST_TEXT, " at %08x, %u gates; present ones:\n", c->idtr.base, entries);
    int runs = 0;
    for (unsigned i = 0; i < entries && i < 256 && runs < IDT_RUNS_MAX;) {
        struct gate g;
        uint32_t raw[2];
        if (!inspect_idt(v->m, i, &g, raw) || !g.present || g.kind == GATE_KIND_NONE) {
            i++;
            continue;
        }
        /* A run: the same kind, DPL and selector; offsets may differ. */
        unsigned j = i + 1;
        for (; j < entries && j < 256; j++) {
            struct gate h;
            uint32_t r2[2];
            if (!inspect_idt(v->m, j, &h, r2) || !h.present || h.kind != g.kind ||
                h.dpl != g.dpl || h.selector != g.selector || h.is32 != g.is32)
                break;
        }
        bool marked = mark >= (int)i && mark < (int)j;
        const char *kind = g.kind == GATE_KIND_INTERRUPT ? "interrupt"
                           : g.kind == GATE_KIND_TRAP ? "trap"
                           : g.kind == GATE_KIND_TASK ? "task" : "call";
        char vecs[24];
        if (j - i == 1)
            snprintf(vecs, sizeof vecs, "0x%02x", i);
        else
            snprintf(vecs, sizeof vecs, "0x%02x-0x%02x", i, j - 1);
        uitext_add(t, marked ? ST_CURRENT : (g.dpl == 3 ? ST_USER : ST_TEXT),
                 " %-9s %s%s DPL %u sel %04x", vecs, kind, g.is32 ? "32" : "16", g.dpl, g.selector);
        if (j - i == 1)
            uitext_add(t, marked ? ST_CURRENT : ST_TEXT, " -> %08x", g.offset);
        if (marked)
            uitext_add(t, ST_CURRENT, " <- vector 0x%02x", mark);
        uitext_add(t, ST_TEXT, "\n");
        runs++;
        i = j;
    }
}

static void tss(struct view *v, struct ui_text *t)
{
    struct tss_view tv;
    if (!inspect_tss(v->m, &tv)) {
        uitext_add(t, ST_DIM, "TSS: none loaded (TR %04x)\n", v->cpu.tr.selector);
        return;
    }
    uitext_add(t, ST_LABEL, "TSS");
    uitext_add(t, ST_TEXT, " %04x at %08x, limit %x, %s\n", tv.selector, tv.base, tv.limit,
             tv.is32 ? "32-bit" : "16-bit");
    if (tv.is32) {
        uitext_add(t, ST_TEXT, "  ring 0 stack ");
        uitext_add(t, ST_KERNEL, "SS0:ESP0 %04x:%08x", tv.t32.ss0, tv.t32.esp0);
        uitext_add(t, ST_TEXT, "  ring 1 %04x:%08x  ring 2 %04x:%08x\n", tv.t32.ss1, tv.t32.esp1,
                 tv.t32.ss2, tv.t32.esp2);
        uitext_add(t, ST_TEXT, "  I/O map base %04x%s\n", tv.t32.iomap_base,
                 tv.t32.iomap_base > tv.limit ? " (beyond the limit: no bitmap)" : "");
    } else {
        uitext_add(t, ST_TEXT, "  SS0:SP0 %04x:%04x\n", tv.t16.ss0, tv.t16.sp0);
    }
}

void tables_model(struct view *v, struct ui_text *t)
{
    if (!v->cpu_ok) {
        uitext_add(t, ST_DIM, "the CPU state cannot be read\n");
        return;
    }
    idt(v, t);
    gdt(v, t);
    tss(v, t);
}
