/* The trap-and-emulate monitor's shadow page tables (see vmm_trap.h).
 *
 * The guest kernel runs at ring 1, and its own page tables would serve
 * the MMU as they are (ring 1 is a supervisor to paging, SDM Vol. 3A
 * 4.6), but a monitor that lets the guest's tables be the real ones has
 * given the guest the machine's memory: the guest could map any frame,
 * the monitor's included.  So the real CR3 names a page directory of the
 * monitor's own, in memory the guest's physical address space does not
 * have, and the monitor fills it from the guest's tables as the guest
 * touches its pages -- the way a TLB is filled, which is what the shadow
 * stands for:
 *
 *  - it starts empty at each load of the guest's CR3 (and each change of
 *    CR0.PG, CR0.WP, CR4.PSE, CR4.PGE, CR4.SMEP, CR4.SMAP), as a MOV to
 *    CR3 flushes the TLB (SDM Vol. 3A 4.10.4.1);
 *  - a page fault the engine raises on the shadow is first the monitor's:
 *    it walks the guest's tables as the processor would (the A bits, and
 *    D on a write, set in the guest's entries, SDM Vol. 3A 4.8); when the
 *    guest's tables allow the access, it copies the translation into the
 *    shadow and the instruction runs again (a hidden fault: the guest
 *    never sees it, and its CR2 is put back); when they do not, the fault
 *    is the guest's and goes to its IDT with the error code its own
 *    tables give;
 *  - a clean page (D = 0) is shadowed read-only, so that the first write
 *    to it faults and the monitor can set the guest's D bit;
 *  - INVLPG drops the one entry (SDM Vol. 3A 4.10.4.1), as it drops the
 *    TLB's.
 * A guest that changes a present entry without INVLPG or a CR3 load may
 * go on seeing the old translation, as it would through a real TLB.  The
 * shadow maps 4 KiB pages only: a guest's 4 MiB page is shadowed a 4 KiB
 * page at a time. */
#include <stdlib.h>
#include <string.h>

#include "cpu/fault.h"
#include "vmm/trap_internal.h"

/* The real CR0, CR3 and CR4 for the guest's: the shadow directory when
 * the guest pages; CR0.WP always, so that a supervisor write to a page
 * the shadow keeps read-only faults (the guest's own WP = 0 is honoured
 * by the fill); no 4 MiB pages and no global ones in the shadow. */
static void real_paging(const struct vmm_trap *t, uint32_t *cr0, uint32_t *cr3, uint32_t *cr4)
{
    *cr0 = t->v.cr0;
    *cr3 = t->v.cr3;
    *cr4 = t->v.cr4;
    if (t->sp.on) {
        *cr0 |= CR0_WP;
        *cr3 = SHADOW_POOL_PA;
        *cr4 &= ~(CR4_PSE | CR4_PGE);
    }
}

uint32_t trap_real_cr0(const struct vmm_trap *t)
{
    uint32_t cr0, cr3, cr4;
    real_paging(t, &cr0, &cr3, &cr4);
    return cr0;
}

static uint32_t *pool_page(struct shadow_paging *sp, int page)
{
    return (uint32_t *)(sp->pool + (size_t)page * 4096);
}

/* Drop every shadow entry: the directory and the tables handed out. */
static void shadow_drop_all(struct shadow_paging *sp)
{
    for (int i = 1; i < sp->used; i++)
        memset(pool_page(sp, i), 0, 4096);
    memset(pool_page(sp, 0), 0, 4096);
    memset(sp->table_of, 0, sizeof sp->table_of);
    sp->used = 1;
}

void trap_paging_load(struct vmm_trap *t, struct cpu_state *st)
{
    struct shadow_paging *sp = &t->sp;
    sp->on = (t->v.cr0 & CR0_PG) && (t->v.cr0 & CR0_PE);
    if (sp->used > 1)
        sp->rebuilt++;
    shadow_drop_all(sp);
    real_paging(t, &st->cr0, &st->cr3, &st->cr4);
    machine_monitor_flush_tlb(t->m); /* even when CR3 is the same */
}

void trap_paging_drop(struct vmm_trap *t)
{
    shadow_drop_all(&t->sp);
    machine_monitor_flush_tlb(t->m);
}

/* The shadow entry for `lin`, or NULL when its directory slot has no table. */
static uint32_t *shadow_pte(struct shadow_paging *sp, uint32_t lin)
{
    int page = sp->table_of[lin >> 22];
    return page ? &pool_page(sp, page)[(lin >> 12) & 0x3ff] : NULL;
}

void trap_paging_invlpg(struct vmm_trap *t, uint32_t lin)
{
    uint32_t *e = shadow_pte(&t->sp, lin);
    if (e && *e) {
        *e = 0;
        t->sp.dropped++;
    }
    machine_monitor_flush_tlb(t->m);
}

/* The entry for `lin`, with a table under it: a new one from the pool,
 * which when it is used up starts again empty (a flush is always allowed). */
static uint32_t *shadow_pte_for_fill(struct vmm_trap *t, uint32_t lin)
{
    struct shadow_paging *sp = &t->sp;
    uint32_t *e = shadow_pte(sp, lin);
    if (e)
        return e;
    if (sp->used == SHADOW_POOL_PAGES) {
        shadow_drop_all(sp);
        sp->rebuilt++;
        machine_monitor_flush_tlb(t->m);
    }
    int page = sp->used++;
    if (sp->used > sp->peak)
        sp->peak = sp->used;
    sp->table_of[lin >> 22] = (uint16_t)page;
    /* The rights are the table's entries': the directory's allow all. */
    pool_page(sp, 0)[lin >> 22] = (SHADOW_POOL_PA + (uint32_t)page * 4096) | PAGING_US |
                                  PAGING_RW | PAGING_P;
    return &pool_page(sp, page)[(lin >> 12) & 0x3ff];
}

/* The shadow entry that gives the access the guest's walk `w` allowed:
 * the guest's frame, its combined rights (SDM Vol. 3A 4.6: both levels
 * must allow), writable only once the guest's entry is dirty. */
static uint32_t shadow_entry(const struct vmm_trap *t, const struct paging_walk *w)
{
    uint32_t leaf = w->large ? w->pde : w->pte;
    bool rw = (w->pde & PAGING_RW) && (w->large || (w->pte & PAGING_RW));
    bool us = (w->pde & PAGING_US) && (w->large || (w->pte & PAGING_US));
    uint32_t e = (w->paddr & PAGING_FRAME_4K) | (leaf & (PAGING_PWT | PAGING_PCD)) | PAGING_P;
    if (us)
        e |= PAGING_US;
    if (rw && (leaf & PAGING_D))
        e |= PAGING_RW;
    if (!rw && w->access == PAGING_WRITE && !w->user) {
        /* The guest's CR0.WP = 0 let a supervisor write to a read-only
         * page (SDM Vol. 3A 4.6.1): writable in the shadow, for the
         * supervisor only; a user access faults and is filled again. */
        e = (e | PAGING_RW) & ~PAGING_US;
    }
    return e;
}

/* A page fault the engine raised (machine_set_shadow_paging). */
static bool shadow_page_fault(void *opaque, struct machine *m, struct cpu_state *st,
                              uint32_t *error_code)
{
    struct vmm_trap *t = opaque;
    struct shadow_paging *sp = &t->sp;
    uint32_t lin = st->cr2, ec = *error_code;
    if (!sp->on) {
        t->v.cr2 = lin;
        return false;
    }
    bool user = (ec & PAGING_PF_U) != 0;
    enum paging_access access = (ec & PAGING_PF_W)    ? PAGING_WRITE
                                : (ec & PAGING_PF_ID) ? PAGING_FETCH
                                                      : PAGING_READ;
    /* A supervisor access at CPL 3 is the processor's own (SDM Vol. 3A 4.6). */
    struct paging_regs regs = {t->v.cr0, t->v.cr3, t->v.cr4, st->eflags,
                               !user && st->cpl == 3 ? PAGING_IMPLICIT : PAGING_EXPLICIT};
    struct paging_walk w;
    if (!machine_monitor_walk(m, &regs, lin, access, user, true, &w)) {
        /* The guest's own fault: what its tables say, and nothing of
         * its translation left in the shadow. */
        uint32_t *e = shadow_pte(sp, lin);
        if (e)
            *e = 0;
        *error_code = w.error_code;
        t->v.cr2 = lin;
        sp->guest_faults++;
        return false;
    }
    uint32_t *e = shadow_pte_for_fill(t, lin);
    uint32_t want = shadow_entry(t, &w);
    if (*e == want) {
        /* The shadow already allowed it: the engine's TLB held an older
         * entry.  Once; then the fault is taken for the guest's. */
        if (sp->stale_at == lin) {
            sp->stale_at = 0;
            t->v.cr2 = lin;
            sp->guest_faults++;
            return false;
        }
        sp->stale_at = lin;
        machine_monitor_flush_tlb(m);
    } else {
        sp->stale_at = 0;
        if ((*e & PAGING_P) && access == PAGING_WRITE && !(*e & PAGING_RW))
            sp->dirtied++;
        /* Fewer rights than before (the WP = 0 case's user bit): the
         * engine's TLB may hold the old entry. */
        if (*e & ~want & (PAGING_RW | PAGING_US))
            machine_monitor_flush_tlb(m);
        *e = want;
    }
    sp->filled++;
    st->cr2 = t->v.cr2; /* the guest's CR2, as its last page fault left it */
    return true;
}

static void guest_regs(void *opaque, struct paging_regs *regs)
{
    const struct vmm_trap *t = opaque;
    regs->cr0 = t->v.cr0;
    regs->cr3 = t->v.cr3;
    regs->cr4 = t->v.cr4;
}

bool trap_paging_attach(struct vmm_trap *t, struct cpu_state *st, char *err, size_t errlen)
{
    struct shadow_paging *sp = &t->sp;
    sp->pool = aligned_alloc(4096, SHADOW_POOL_PAGES * 4096u);
    if (!sp->pool) {
        snprintf(err, errlen, "no memory for the shadow page tables");
        return false;
    }
    memset(sp->pool, 0, SHADOW_POOL_PAGES * 4096u);
    if (!machine_monitor_map_memory(t->m, SHADOW_POOL_PA, sp->pool, SHADOW_POOL_PAGES * 4096u)) {
        snprintf(err, errlen, "cannot map the monitor's memory at physical %#x", SHADOW_POOL_PA);
        free(sp->pool);
        sp->pool = NULL;
        return false;
    }
    sp->used = sp->peak = 1;
    struct machine_shadow_paging hooks = {guest_regs, shadow_page_fault, t};
    machine_set_shadow_paging(t->m, &hooks);
    trap_paging_load(t, st);
    sp->rebuilt = 0;
    return true;
}
