/* The page-fault explainer: for the selected #PF (or the last one), the
 * walk CR3 -> PDE -> PTE with every bit of each entry, the bit that caused
 * the fault marked, and the error code decoded (SDM Vol. 3A 4.3, Tables
 * 4-5 and 4-6; 4.7, Figure 4-12).  The walk is made again through
 * inspect_walk with the fault's CR3, address and kind of access; when the
 * view stopped at the fault, the tables are the ones the CPU walked. */
#include <string.h>

#include "mmu/paging.h"
#include "ui.h"

/* Which bit of which entry caused the fault: level 1 the PDE, 2 the PTE. */
struct culprit {
    int level;
    uint32_t bits;
    const char *why;
};

static struct culprit culprit_of(const struct paging_walk *w)
{
    struct culprit c = {w->fault_level, 0, ""};
    const char *r = w->reason_code ? w->reason_code : "";
    if (!strcmp(r, "not-present")) {
        c.bits = PAGING_P;
        c.why = "P=0: the page is not present";
    } else if (!strcmp(r, "supervisor-page")) {
        c.bits = PAGING_US;
        c.why = "U/S=0: a supervisor page, and the access was a user one";
    } else if (!strcmp(r, "read-only")) {
        c.bits = PAGING_RW;
        c.why = w->user ? "R/W=0: read-only, and a user write" : "R/W=0: read-only, and CR0.WP=1";
    } else if (!strcmp(r, "reserved")) {
        c.bits = w->rsvd_bits;
        c.why = "reserved bits set in a 4 MiB PDE";
    } else if (!strcmp(r, "smep")) {
        c.bits = PAGING_US;
        c.why = "U/S=1: CR4.SMEP forbids the supervisor to run user code";
    } else {
        c.level = 0;
    }
    return c;
}

static void bit(struct ui_text *t, const char *name, uint32_t entry, uint32_t mask, bool culprit)
{
    uitext_add(t, culprit ? ST_FAULT : ((entry & mask) ? ST_VALUE : ST_DIM), "%s=%u", name,
             (entry & mask) ? 1 : 0);
    uitext_add(t, ST_TEXT, " ");
}

static void entry_bits(struct ui_text *t, const char *label, uint32_t e, bool is_pde, bool large,
                       uint32_t culprit_bits)
{
    uitext_add(t, ST_LABEL, "    %s ", label);
    bit(t, "G", e, PAGING_G, culprit_bits & PAGING_G);
    bit(t, is_pde ? "PS" : "PAT", e, PAGING_PS, culprit_bits & PAGING_PS);
    bit(t, "D", e, PAGING_D, culprit_bits & PAGING_D);
    bit(t, "A", e, PAGING_A, culprit_bits & PAGING_A);
    bit(t, "PCD", e, PAGING_PCD, culprit_bits & PAGING_PCD);
    bit(t, "PWT", e, PAGING_PWT, culprit_bits & PAGING_PWT);
    bit(t, "U/S", e, PAGING_US, culprit_bits & PAGING_US);
    bit(t, "R/W", e, PAGING_RW, culprit_bits & PAGING_RW);
    bit(t, "P", e, PAGING_P, culprit_bits & PAGING_P);
    if (is_pde && large && (culprit_bits & PAGING_PDE_4M_RSVD))
        uitext_add(t, ST_FAULT, "RSVD %05x", (e & PAGING_PDE_4M_RSVD) >> 13);
    uitext_add(t, ST_TEXT, "\n");
}

void pfault_model(struct view *v, struct ui_text *t)
{
    const struct ui_event *sel = model_selected(v);
    const struct ui_event *e =
        sel && sel->ev.kind == TRACE_EXCEPTION && sel->ev.vector == 14 ? sel : model_last_pf(v, 0);
    if (!e) {
        uitext_add(t, ST_DIM, "no page fault yet\n");
        return;
    }
    const struct trace_event *ev = &e->ev;
    uint32_t ec = ev->error_code;
    uitext_add(t, ST_SELECTED, "#PF");
    uitext_add(t, ST_TEXT, " event %llu at %04x:%08x, CR2 ", (unsigned long long)ev->seq,
             ev->before.cs, ev->before.eip);
    uitext_add(t, ST_VALUE, "%08x\n", ev->cr2);
    /* SDM Vol. 3A 4.7: the error code's bits. */
    uitext_add(t, ST_LABEL, "error code %04x: ", ec);
    uitext_add(t, ST_VALUE, "P=%u", ec & 1);
    uitext_add(t, ST_TEXT, " %s, ", (ec & 1) ? "protection" : "not present");
    uitext_add(t, ST_VALUE, "W/R=%u", (ec >> 1) & 1);
    uitext_add(t, ST_TEXT, " %s,\n  ", (ec & 2) ? "write" : "read");
    uitext_add(t, ST_VALUE, "U/S=%u", (ec >> 2) & 1);
    uitext_add(t, ST_TEXT, " %s, ", (ec & 4) ? "user" : "supervisor");
    uitext_add(t, ST_VALUE, "RSVD=%u", (ec >> 3) & 1);
    uitext_add(t, ST_TEXT, " reserved bit, ");
    uitext_add(t, ST_VALUE, "I/D=%u", (ec >> 4) & 1);
    uitext_add(t, ST_TEXT, " %s\n", (ec & 16) ? "fetch" : "data");
    uint32_t lin = ev->cr2;
    uitext_add(t, ST_LABEL, "linear %08x", lin);
    uitext_add(t, ST_TEXT, " = directory %03x | table %03x | offset %03x\n", lin >> 22,
             (lin >> 12) & 0x3ff, lin & 0xfff);

    enum paging_access acc = (ec & PAGING_PF_ID) ? PAGING_FETCH
                             : (ec & PAGING_PF_W) ? PAGING_WRITE : PAGING_READ;
    struct paging_walk w;
    uint32_t cr3 = ev->cr3;
    bool ok = inspect_walk(v->m, &cr3, lin, acc, (ec & PAGING_PF_U) != 0, &w);
    struct culprit c = ok ? (struct culprit){0, 0, ""} : culprit_of(&w);
    uitext_add(t, ST_LABEL, "CR3 ");
    uitext_add(t, ST_VALUE, "%08x", cr3);
    uitext_add(t, ST_TEXT, " -> PDE[%03x] at %08x = ", lin >> 22, w.pde_addr);
    uitext_add(t, c.level == 1 ? ST_FAULT : ST_VALUE, "%08x\n", w.pde);
    entry_bits(t, "PDE", w.pde, true, w.large, c.level == 1 ? c.bits : 0);
    if (w.large) {
        uitext_add(t, ST_TEXT, "  a 4 MiB page (PS=1, CR4.PSE=1): no page table\n");
    } else if (w.pte_addr || c.level == 2 || (w.pde & PAGING_P)) {
        uitext_add(t, ST_TEXT, "  -> PTE[%03x] at %08x = ", (lin >> 12) & 0x3ff, w.pte_addr);
        uitext_add(t, c.level == 2 ? ST_FAULT : ST_VALUE, "%08x\n", w.pte);
        entry_bits(t, "PTE", w.pte, false, false, c.level == 2 ? c.bits : 0);
    } else {
        uitext_add(t, ST_DIM, "  -> no page table: the walk stops at the PDE\n");
    }
    if (ok) {
        uitext_add(t, ST_TEXT, "the walk succeeds now: the kernel has changed\n"
                               "the tables since the fault (physical %08x)\n", w.paddr);
    } else {
        uitext_add(t, ST_LABEL, "why: ");
        uitext_add(t, ST_FAULT, "%s", c.level == 1 ? "PDE" : "PTE");
        uitext_add(t, ST_TEXT, " %s\n", c.why);
        if (w.error_code != ec)
            uitext_add(t, ST_DIM, "(the walk now gives error code %04x, not %04x)\n", w.error_code,
                     ec);
    }
}

void pfault_draw(struct view *v, struct panel *p, SDL_Rect body)
{
    draw_text(v, body, &p->text, 0);
    /* The marked bit of an entry's line, for the tests. */
    int rows = body.h / v->ch, cols = body.w / v->cw;
    for (int i = 0; i < p->text.n && i < rows; i++) {
        const struct ui_line *l = &p->text.line[i];
        bool entry = l->len > 8 && (!memcmp(l->ch, "    PDE ", 8) || !memcmp(l->ch, "    PTE ", 8));
        for (int j = 0; entry && j < l->len && j < cols; j++)
            if (l->st[j] == ST_FAULT) {
                /* "pf-bit-PTE-P": the entry and the marked bit's name. */
                int k = j;
                while (k < l->len && l->ch[k] != '=' && l->st[k] == ST_FAULT)
                    k++;
                char name[40];
                snprintf(name, sizeof name, "pf-bit-%.3s-%.*s", l->ch + 4, k - j, l->ch + j);
                view_probe(v, name, body.x + j * v->cw + 1, body.y + i * v->ch + 1, C_VERMILLION);
                break;
            }
    }
}
