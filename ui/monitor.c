/* The monitor panel, shown under `ringlab pg vmm`: the monitor drawn as
 * ring -1, a band above ring 0, then the four rings below it, the ring
 * the CPU really runs the guest kernel at lit and the ring the guest
 * believes it runs at marked; beside them the virtual CPU against the real
 * one, the traps (or exits) by cause, the latest, and the failures of the
 * deception seen, and what else the strategy counts (bt's blocks scanned,
 * pv's events that still trap).  All of it comes from the monitor's own account
 * (view_config.vmm_status, the same state `info vmm` prints). */
#include <string.h>

#include "ui.h"

/* Read the monitor at a frame's build (the guest is stopped then). */
static bool read_status(struct view *v)
{
    v->mon_ok = v->cfg->vmm_status != NULL;
    if (v->mon_ok)
        v->cfg->vmm_status(v->cfg->vmm_opaque, &v->mon);
    return v->mon_ok;
}

static void cpu_row(struct ui_text *t, const char *name, uint32_t guest, uint32_t real, int digits)
{
    enum ui_style st = guest == real ? ST_VALUE : ST_CHANGED;
    uitext_add(t, ST_LABEL, "%-5s", name);
    uitext_add(t, st, "%0*x", digits, guest);
    uitext_add(t, ST_TEXT, "%*s", 10 - digits, "");
    uitext_add(t, st, "%0*x\n", digits, real);
}

void monitor_model(struct view *v, struct ui_text *t)
{
    if (!read_status(v)) {
        uitext_add(t, ST_DIM, "no monitor (ringlab pg vmm shows one)\n");
        return;
    }
    const struct vmm_status *s = &v->mon;
    uitext_add(t, ST_LABEL, "monitor: ");
    uitext_add(t, ST_VALUE, "%s", s->strategy);
    uitext_add(t, ST_DIM, ", %s\n", s->how);
    if (s->have_cpu) {
        uitext_add(t, ST_LABEL, "     guest's   real\n");
        cpu_row(t, "CPL", s->virt.cpl, s->real.cpl, 1);
        cpu_row(t, "IF", s->virt.iflag, s->real.iflag, 1);
        cpu_row(t, "CR0", s->virt.cr0, s->real.cr0, 8);
        cpu_row(t, "CR3", s->virt.cr3, s->real.cr3, 8);
        cpu_row(t, "GDT", s->virt.gdt_base, s->real.gdt_base, 8);
        cpu_row(t, "IDT", s->virt.idt_base, s->real.idt_base, 8);
        cpu_row(t, "TR", s->virt.tr, s->real.tr, 4);
    }
    uitext_add(t, ST_LABEL, "%s ", s->traps_are);
    uitext_add(t, ST_VALUE, "%llu", (unsigned long long)s->total);
    for (int i = 0; i < s->ncauses; i++)
        uitext_add(t, ST_TEXT, "%s%s %llu", i ? ", " : ": ", s->causes[i].name,
                   (unsigned long long)s->causes[i].count);
    uitext_add(t, ST_TEXT, "\n");
    uitext_add(t, ST_LABEL, "latest: ");
    uitext_add(t, s->latest[0] ? ST_VALUE : ST_DIM, "%s\n", s->latest[0] ? s->latest : "none");
    for (int i = 0; i < s->nnotes; i++)
        uitext_add(t, ST_TEXT, "%s\n", s->notes[i]);
    if (s->nfailures)
        uitext_add(t, ST_FAULT, "FAILED (%d kinds), last: %s\n", s->nfailures, s->failure);
    else
        uitext_add(t, ST_DIM, "no failure of the deception seen\n");
}

/* One band of the ladder: ring k (-1 for the monitor) from the top. */
static void band(struct view *v, SDL_Rect area, int k, enum ui_colour c, const char *words)
{
    int h = area.h / 5, y = area.y + (k + 1) * h;
    SDL_Rect r = {area.x, y + 1, area.w, h - 2};
    draw_fill(v, r, c);
    char name[24];
    snprintf(name, sizeof name, k < 0 ? "monitor-ring-1" : "monitor-ring%d", k);
    view_probe(v, name, r.x + r.w - 4, r.y + r.h / 2, c);
    enum ui_colour ink = c == C_RING_OFF ? C_TEXT : C_BLACK;
    char label[24];
    snprintf(label, sizeof label, "ring %d", k);
    draw_string(v, r.x + 4, r.y + 2, ink, true, label);
    if (words && r.h >= 2 * v->ch + 2)
        draw_string(v, r.x + 4, r.y + 2 + v->ch, ink, false, words);
}

void monitor_draw(struct view *v, struct panel *p, SDL_Rect body)
{
    int w = body.w * 2 / 5;
    if (w < 12 * v->cw)
        w = 12 * v->cw;
    draw_text(v, (SDL_Rect){body.x + w + v->cw, body.y, body.w - w - v->cw, body.h}, &p->text,
              p->scroll);
    if (!v->mon_ok || !v->mon.have_cpu)
        return;
    SDL_Rect area = {body.x, body.y, w, body.h};
    const struct vmm_status *s = &v->mon;
    /* Ring -1 above ring 0: the monitor, which owns the real IDT and
     * sees each event first. */
    band(v, area, -1, C_PURPLE, "the monitor");
    for (int k = 0; k < 4; k++) {
        enum ui_colour c = C_RING_OFF;
        const char *words = NULL;
        if ((unsigned)k == s->real.cpl) {
            c = C_RING_LIT;
            words = s->virt.cpl != s->real.cpl ? "really runs" : "runs";
        } else if ((unsigned)k == s->virt.cpl) {
            c = C_SKY;
            words = "guest thinks";
        }
        band(v, area, k, c, words);
    }
}
