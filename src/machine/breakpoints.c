/* Breakpoints and watchpoints.
 *
 * A breakpoint is a code hook on one linear address: the engine calls it
 * before the instruction there runs, in every address space (the hook
 * checks CR3 when the breakpoint is bound to one).  Nothing is written into
 * guest memory, so a breakpoint survives the guest loading code over it.
 *
 * A watchpoint needs two hooks while any exists: one on every store (the
 * engine reports physical addresses), and one before every instruction,
 * which stops the run once the instruction that wrote has completed.  A
 * read or access watchpoint adds a third, on every load. */
#include <string.h>

#include "cpu/engine.h"
#include "machine/internal.h"

static struct breakpoint *find(struct machine *m, int id)
{
    for (int i = 0; i < m->nbreaks; i++)
        if (m->breaks[i].info.id == id)
            return &m->breaks[i];
    return NULL;
}

static bool any_watch(const struct machine *m, unsigned kind)
{
    for (int i = 0; i < m->nbreaks; i++)
        if (m->breaks[i].info.is_watch && (m->breaks[i].info.kind & kind))
            return true;
    return false;
}

/* Stop where an instruction inside the current block is about to run. */
static void stop_at_insn(struct machine *m, uint32_t linear, enum stop_cause cause)
{
    uint64_t exact = exits_exact_icount(m, linear);
    exits_stop_mid_block(m, exact, cause);
}

static bool breakpoints_active(const struct machine *m)
{
    return m->goal.req && !m->goal.req->no_breakpoints;
}

/* ---- breakpoints ---------------------------------------------------------- */

static void on_breakpoint(void *opaque, uint32_t addr, uint32_t size)
{
    struct machine *m = opaque;
    (void)size;
    if (!breakpoints_active(m))
        return;
    uint64_t exact = exits_exact_icount(m, addr);
    /* The run starts on a breakpoint it stopped at: go past it once. */
    if (addr == m->resume_linear && exact == m->resume_icount && m->cpu == m->resume_cpu)
        return;
    uint32_t cr3 = 0;
    bool have_cr3 = false;
    for (int i = 0; i < m->nbreaks; i++) {
        struct breakpoint *b = &m->breaks[i];
        if (b->info.is_watch || b->info.addr != addr)
            continue;
        if (b->info.has_cr3) {
            if (!have_cr3) {
                cr3 = machine_walk_regs(m, NULL).cr3;
                have_cr3 = true;
            }
            if ((cr3 & PAGING_FRAME_4K) != (b->info.cr3 & PAGING_FRAME_4K))
                continue;
        }
        b->info.hits++;
        if (m->goal.result)
            m->goal.result->id = b->info.id;
        exits_stop_mid_block(m, exact, CAUSE_BREAKPOINT);
        return;
    }
}

int breakpoints_match(struct machine *m, uint32_t linear, uint32_t cr3)
{
    for (int i = 0; i < m->nbreaks; i++) {
        const struct breakpoint_info *b = &m->breaks[i].info;
        if (!b->is_watch && b->addr == linear &&
            (!b->has_cr3 || (cr3 & PAGING_FRAME_4K) == (b->cr3 & PAGING_FRAME_4K)))
            return b->id;
    }
    return 0;
}

int control_break_add(struct machine *m, uint32_t addr, bool has_cr3, uint32_t cr3)
{
    if (m->nbreaks == MACHINE_MAX_BREAKS)
        return -1;
    /* Code translated before, in any address space, would not call the
     * hook: the add flushes every translation. */
    uintptr_t hook = engine_add_code_hook(m->engine, on_breakpoint, m, addr, addr);
    if (!hook)
        return -1;
    engine_flush_code(m->engine);
    struct breakpoint *b = &m->breaks[m->nbreaks++];
    memset(b, 0, sizeof *b);
    b->info.id = ++m->next_break_id;
    b->info.addr = addr;
    b->info.len = 1;
    b->info.has_cr3 = has_cr3;
    b->info.cr3 = cr3;
    b->hook = hook;
    return b->info.id;
}

static void remove_entry(struct machine *m, struct breakpoint *b)
{
    int i = (int)(b - m->breaks);
    memmove(&m->breaks[i], &m->breaks[i + 1], (size_t)(m->nbreaks - i - 1) * sizeof *b);
    m->nbreaks--;
}

bool control_break_del(struct machine *m, int id)
{
    struct breakpoint *b = find(m, id);
    if (!b || b->info.is_watch)
        return false;
    engine_del_hook(m->engine, b->hook);
    remove_entry(m, b);
    return true;
}

/* ---- watchpoints ------------------------------------------------------------ */

/* Does an access of `size` bytes at physical `paddr` touch watchpoint w? */
static bool access_hits(struct machine *m, const struct breakpoint_info *w, uint64_t paddr, int size)
{
    if (w->physical)
        return paddr < (uint64_t)w->addr + w->len && paddr + (uint64_t)size > w->addr;
    /* A linear watch: where its bytes are now, page by page. */
    struct linear_mem lm = {.phys = &m->phys, .regs = machine_walk_regs(m, NULL)};
    uint64_t at = w->addr, end = (uint64_t)w->addr + w->len;
    while (at < end) {
        uint64_t page_end = (at | 4095u) + 1, piece_end = page_end < end ? page_end : end;
        struct paging_walk walk;
        if (linear_translate(&lm, (uint32_t)at, PAGING_READ, false, &walk)) {
            uint64_t p0 = walk.paddr, p1 = p0 + (piece_end - at);
            if (paddr < p1 && paddr + (uint64_t)size > p0)
                return true;
        }
        at = piece_end;
    }
    return false;
}

static void on_access(struct machine *m, uint64_t paddr, int size, unsigned kind)
{
    if (!breakpoints_active(m) || m->watch_hit)
        return;
    for (int i = 0; i < m->nbreaks; i++) {
        struct breakpoint *b = &m->breaks[i];
        if (b->info.is_watch && (b->info.kind & kind) && access_hits(m, &b->info, paddr, size)) {
            b->info.hits++;
            m->watch_hit = b->info.id;
            m->watch_hit_addr = b->info.addr;
            m->watch_hit_read = kind == WATCH_READ;
            return;
        }
    }
}

static void on_store(void *opaque, uint64_t paddr, int size, uint64_t value)
{
    (void)value;
    on_access(opaque, paddr, size, WATCH_WRITE);
}

static void on_load(void *opaque, uint64_t paddr, int size)
{
    on_access(opaque, paddr, size, WATCH_READ);
}

/* Before every instruction while a watchpoint exists: the one before has
 * completed; if it wrote to a watched range, stop here. */
static void after_store(void *opaque, uint32_t addr, uint32_t size)
{
    struct machine *m = opaque;
    (void)size;
    if (!m->watch_hit)
        return;
    if (m->goal.result) {
        m->goal.result->id = m->watch_hit;
        m->goal.result->watch_addr = m->watch_hit_addr;
        m->goal.result->watch_read = m->watch_hit_read;
    }
    m->watch_hit = 0;
    stop_at_insn(m, addr, CAUSE_WATCHPOINT);
}

int control_watch_add_kind(struct machine *m, enum watch_kind kind, bool physical, uint32_t addr,
                           uint32_t len)
{
    if (m->nbreaks == MACHINE_MAX_BREAKS || len == 0 || (kind & ~WATCH_ACCESS) || !kind)
        return -1;
    bool had_any = any_watch(m, WATCH_ACCESS), had_read = any_watch(m, WATCH_READ);
    if (!had_any) {
        m->watch_hook = engine_add_write_hook(m->engine, on_store, m, 1, 0);
        m->watch_step_hook = engine_add_code_hook(m->engine, after_store, m, 1, 0);
        if (!m->watch_hook || !m->watch_step_hook) {
            engine_del_hook(m->engine, m->watch_hook);
            engine_del_hook(m->engine, m->watch_step_hook);
            m->watch_hook = m->watch_step_hook = 0;
            return -1;
        }
    }
    if ((kind & WATCH_READ) && !had_read) {
        m->watch_read_hook = engine_add_read_hook(m->engine, on_load, m, 1, 0);
        if (!m->watch_read_hook) {
            if (!had_any) {
                engine_del_hook(m->engine, m->watch_hook);
                engine_del_hook(m->engine, m->watch_step_hook);
                m->watch_hook = m->watch_step_hook = 0;
            }
            return -1;
        }
    }
    struct breakpoint *b = &m->breaks[m->nbreaks++];
    memset(b, 0, sizeof *b);
    b->info.id = ++m->next_break_id;
    b->info.is_watch = true;
    b->info.kind = kind;
    b->info.physical = physical;
    b->info.addr = addr;
    b->info.len = len;
    return b->info.id;
}

int control_watch_add(struct machine *m, bool physical, uint32_t addr, uint32_t len)
{
    return control_watch_add_kind(m, WATCH_WRITE, physical, addr, len);
}

bool control_watch_del(struct machine *m, int id)
{
    struct breakpoint *b = find(m, id);
    if (!b || !b->info.is_watch)
        return false;
    remove_entry(m, b);
    if (!any_watch(m, WATCH_READ) && m->watch_read_hook) {
        engine_del_hook(m->engine, m->watch_read_hook);
        m->watch_read_hook = 0;
    }
    if (!any_watch(m, WATCH_ACCESS)) {
        engine_del_hook(m->engine, m->watch_hook);
        engine_del_hook(m->engine, m->watch_step_hook);
        m->watch_hook = m->watch_step_hook = 0;
        m->watch_hit = 0;
    }
    return true;
}

size_t control_break_list(const struct machine *m, struct breakpoint_info *out, size_t max)
{
    for (int i = 0; i < m->nbreaks && (size_t)i < max; i++)
        out[i] = m->breaks[i].info;
    return (size_t)m->nbreaks;
}
