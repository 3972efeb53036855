/* The address-space panel: the running process's page tables as a map of
 * the 4 GiB linear space, one cell per page-directory entry (4 MiB), 64
 * cells a row: not mapped, supervisor only, user, writable marked; the
 * kernel/user split drawn where the supervisor-only part begins; the
 * faulting address of the last #PF framed.  Beneath, the mapped ranges in
 * words, with their accessed and dirty pages counted (SDM Vol. 3A 4.3). */
#include <string.h>

#include "mmu/paging.h"
#include "ui.h"

#define MAP_COLS 64
#define MAP_ROWS 16
#define MAP_TEXT_LINES 6 /* the lines the map takes in the text model */
#define RANGES_MAX 10

struct range {
    uint32_t start, end; /* end inclusive */
    bool user, writable;
    unsigned pages, accessed, dirty;
};

static void add_page(struct range *r, int *n, uint32_t lin, uint32_t size, bool user, bool w,
                     bool a, bool d)
{
    struct range *last = *n ? &r[*n - 1] : NULL;
    if (last && last->end + 1 == lin && last->user == user && last->writable == w) {
        last->end = lin + size - 1;
    } else if (*n < RANGES_MAX) {
        last = &r[(*n)++];
        *last = (struct range){lin, lin + size - 1, user, w, 0, 0, 0};
    } else {
        return; /* more ranges than lines: the rest are on the map */
    }
    last->pages += size / 4096;
    last->accessed += a ? size / 4096 : 0;
    last->dirty += d ? size / 4096 : 0;
}

/* Walk the page directory once, for the map and the ranges. */
static int scan(struct view *v, struct range *r)
{
    int n = 0;
    memset(v->aspace, 0, sizeof v->aspace);
    v->aspace_split = -1;
    /* The tables walks use: under a monitor's shadow page tables, the guest's. */
    struct paging_regs pr = inspect_paging(v->m);
    v->aspace_paging = v->cpu_ok && (pr.cr0 & CR0_PG);
    if (!v->aspace_paging)
        return 0;
    static uint32_t dir[1024], table[1024];
    if (!inspect_phys(v->m, pr.cr3 & PAGING_FRAME_4K, dir, sizeof dir))
        return 0;
    for (uint32_t i = 0; i < 1024; i++) {
        uint32_t pde = dir[i];
        struct aspace_cell *c = &v->aspace[i];
        if (!(pde & PAGING_P))
            continue;
        uint32_t lin = i << 22;
        if ((pde & PAGING_PS) && (pr.cr4 & CR4_PSE)) {
            bool u = pde & PAGING_US, w = pde & PAGING_RW;
            c->kind = u ? 2 : 1;
            c->writable = w;
            c->accessed = pde & PAGING_A;
            c->dirty = pde & PAGING_D;
            add_page(r, &n, lin, 1u << 22, u, w, c->accessed, c->dirty);
            continue;
        }
        if (!inspect_phys(v->m, pde & PAGING_FRAME_4K, table, sizeof table))
            continue;
        for (uint32_t j = 0; j < 1024; j++) {
            uint32_t pte = table[j];
            if (!(pte & PAGING_P))
                continue;
            /* SDM Vol. 3A 4.6: the rights are those of both entries. */
            bool u = (pde & PAGING_US) && (pte & PAGING_US);
            bool w = (pde & PAGING_RW) && (pte & PAGING_RW);
            c->kind |= u ? 2 : 1;
            c->writable |= w;
            c->accessed |= (pte & PAGING_A) != 0;
            c->dirty |= (pte & PAGING_D) != 0;
            add_page(r, &n, lin | (j << 12), 4096, u, w, pte & PAGING_A, pte & PAGING_D);
        }
    }
    /* The split: the first entry from which on nothing is user. */
    for (int i = 1023; i >= 0 && !(v->aspace[i].kind & 2); i--)
        if (v->aspace[i].kind == 1)
            v->aspace_split = i;
    return n;
}

/* While the guest runs, the tables are walked again every few frames, or at
 * once when CR3, CR4 or paging itself changed: a walk reads every page
 * table the directory names while the guest stands still, and a map a
 * fraction of a second old looks the same to the person watching.  At a
 * stop, the walk is always made. */
#define RUNNING_WALK_EVERY 8

static int scan_running(struct view *v, struct range *r)
{
    static struct range kept[RANGES_MAX];
    static int kept_n = -1;
    static uint32_t kept_cr3, kept_cr4;
    static uint64_t kept_frame;
    struct paging_regs pr = inspect_paging(v->m);
    bool paging = v->cpu_ok && (pr.cr0 & CR0_PG);
    if (v->running && kept_n >= 0 && paging == v->aspace_paging && pr.cr3 == kept_cr3 &&
        pr.cr4 == kept_cr4 && v->frames - kept_frame < RUNNING_WALK_EVERY) {
        memcpy(r, kept, sizeof kept);
        return kept_n;
    }
    int n = scan(v, r);
    memcpy(kept, r, sizeof kept);
    kept_n = n;
    kept_cr3 = pr.cr3;
    kept_cr4 = pr.cr4;
    kept_frame = v->frames;
    return n;
}

static uint32_t fault_address(const struct view *v, bool *have)
{
    const struct ui_event *sel = model_selected(v);
    const struct ui_event *e =
        sel && sel->ev.kind == TRACE_EXCEPTION && sel->ev.vector == 14 ? sel : model_last_pf(v, 0);
    *have = e != NULL;
    return e ? e->ev.cr2 : 0;
}

void aspace_model(struct view *v, struct ui_text *t)
{
    struct range r[RANGES_MAX];
    int n = scan_running(v, r);
    if (!v->aspace_paging) {
        uitext_add(t, ST_DIM, "paging is off (CR0.PG=0): linear addresses are physical\n");
        return;
    }
    const char *prog = v->program >= 0 ? symbols_program_name(v->syms, (size_t)v->program) : NULL;
    uint32_t walked = inspect_paging(v->m).cr3;
    uitext_add(t, ST_LABEL, "CR3 %08x", walked);
    if (walked != v->cpu.cr3)
        uitext_add(t, ST_DIM, " (the guest's)");
    uitext_add(t, ST_TEXT, "%s%s, a cell is 4 MiB, a row 256 MiB\n", prog ? " of " : "",
             prog ? prog : "");
    for (int i = 0; i < MAP_TEXT_LINES; i++)
        uitext_add(t, ST_TEXT, "\n"); /* the map is drawn here */
    uitext_add(t, ST_USER, "user");
    uitext_add(t, ST_TEXT, "  ");
    uitext_add(t, ST_KERNEL, "supervisor");
    uitext_add(t, ST_TEXT, "  white dot: writable  ");
    uitext_add(t, ST_FAULT, "[ ]");
    uitext_add(t, ST_TEXT, " last #PF\n");
    if (v->aspace_split >= 0)
        uitext_add(t, ST_TEXT, "kernel/user split at %08x: supervisor only from there up\n",
                 (uint32_t)v->aspace_split << 22);
    bool have;
    uint32_t cr2 = fault_address(v, &have);
    if (have) {
        struct paging_walk w;
        bool mapped = inspect_walk(v->m, NULL, cr2, PAGING_READ, false, &w);
        uitext_add(t, ST_TEXT, "last #PF address %08x: %s\n", cr2,
                   mapped ? "mapped now" : "not mapped");
    }
    for (int i = 0; i < n; i++)
        uitext_add(t, r[i].user ? ST_USER : ST_KERNEL, "%08x-%08x %s %s %u pages, A %u D %u\n",
                 r[i].start, r[i].end, r[i].user ? "user" : "supv", r[i].writable ? "r/w" : "r-o",
                 r[i].pages, r[i].accessed, r[i].dirty);
}

void aspace_draw(struct view *v, struct panel *p, SDL_Rect body)
{
    draw_text(v, body, &p->text, 0);
    if (!v->aspace_paging)
        return;
    int cell_w = body.w / MAP_COLS, cell_h = (MAP_TEXT_LINES * v->ch) / MAP_ROWS;
    if (cell_w < 3 || cell_h < 3 || body.h < (MAP_TEXT_LINES + 1) * v->ch)
        return;
    int x0 = body.x + (body.w - cell_w * MAP_COLS) / 2, y0 = body.y + v->ch;
    for (int i = 0; i < 1024; i++) {
        const struct aspace_cell *c = &v->aspace[i];
        SDL_Rect r = {x0 + (i % MAP_COLS) * cell_w, y0 + (i / MAP_COLS) * cell_h, cell_w - 1,
                      cell_h - 1};
        enum ui_colour col = c->kind == 0 ? C_MAP_NONE : (c->kind == 1 ? C_BLUE : C_ORANGE);
        draw_fill(v, r, col);
        if (c->kind == 3) /* both: the lower half user */
            draw_fill(v, (SDL_Rect){r.x, r.y + r.h / 2, r.w, r.h - r.h / 2}, C_ORANGE);
        if (c->kind && c->writable)
            draw_fill(v, (SDL_Rect){r.x + r.w / 2 - 1, r.y + r.h / 2 - 1, 2, 2}, C_WHITE);
        if (i == 0)
            view_probe(v, "map-first", r.x + r.w / 2, r.y + r.h / 2 + 1, col);
    }
    if (v->aspace_split >= 0) {
        int row = v->aspace_split / MAP_COLS, col = v->aspace_split % MAP_COLS;
        draw_fill(v, (SDL_Rect){x0 + col * cell_w, y0 + row * cell_h - 2,
                                (MAP_COLS - col) * cell_w, 2}, C_WHITE);
        if (col)
            draw_fill(v, (SDL_Rect){x0, y0 + (row + 1) * cell_h - 2, col * cell_w, 2}, C_WHITE);
    }
    bool have;
    uint32_t cr2 = fault_address(v, &have);
    if (have) {
        int i = (int)(cr2 >> 22);
        SDL_Rect r = {x0 + (i % MAP_COLS) * cell_w - 2, y0 + (i / MAP_COLS) * cell_h - 2,
                      cell_w + 3, cell_h + 3};
        draw_frame_rect(v, r, C_VERMILLION, 2);
        view_probe(v, "map-cr2", r.x, r.y + r.h / 2, C_VERMILLION);
    }
}
