/* Segment limits: the checks Unicorn leaves out (cpu/seg_limit.h), paid for
 * only while some data or stack segment is not flat.
 *
 * While DS, ES, FS, GS and SS are all flat (usable, expand-up, limit
 * 0xFFFFFFFF), as the bundled kernel and most guests keep them, nothing is
 * installed and nothing is checked.  What can change that is a segment
 * load, and the machine sees each one:
 *   - a block that loads a segment register (the block cache marks it)
 *     has the segments looked at again at the next block hook;
 *   - a block in which a later instruction may use a segment register
 *     loaded earlier in the same block is run in two parts: up to just
 *     past the load, then the rest, with the limits looked at in between;
 *   - a delivery (an interrupt, a task switch) looks at the state it
 *     writes back.
 * When a segment stops being flat the run stops before the next block and
 * the run loop installs a hook before every instruction; it goes again once
 * every segment is flat again.  The hook decodes the instruction's memory
 * accesses (cpu/mem_operands.h), computes each offset from the registers
 * as they are before the instruction, and if one breaks a limit, stops the
 * engine before the instruction runs; the run loop then delivers #GP(0) or
 * #SS(0) through the IDT, with EIP on the instruction, like any fault. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cpu/engine.h"
#include "cpu/mem_operands.h"
#include "cpu/seg_limit.h"
#include "machine/internal.h"

/* Decoded instructions, by linear address, each with its bytes. */
#define SEGLIMIT_CACHE 1024
#define SEGLIMIT_CODE 16

struct seglimit_entry {
    uint32_t addr;
    bool code32;
    uint8_t len; /* 0: empty */
    uint8_t code[SEGLIMIT_CODE];
    struct mem_operands ops;
};

/* The hook reads only the general registers before each instruction; the
 * rest of the state it needs (segment caches, CPL, CR0.PE, EFLAGS.VM) can
 * change only where the view is taken again: at a segment load or a CR0
 * write the hook has just let through, at the block after a far transfer
 * (the block cache marks it), after a delivery, and between runs. */
/* Blocks checked one by one while a null selector is the only thing not
 * flat (beyond this many, the hook goes everywhere). */
#define SEGLIMIT_RANGES 32

struct seglimit_range {
    uint32_t begin, end; /* linear, end exclusive */
    uintptr_t hook;
};

struct seglimit {
    struct cpu_state view;
    unsigned checked;       /* seg_limit_checked(&view) */
    unsigned nulls;         /* seg_limit_nulls(&view) */
    bool view_stale;        /* the instruction let through last reloads */
    struct seglimit_range ranges[SEGLIMIT_RANGES];
    int nranges;
    bool range_wanted;      /* the block hook asked for `wanted` */
    struct seglimit_range wanted;
    struct seglimit_entry cache[SEGLIMIT_CACHE];
    uint64_t checked_insns; /* instructions the hook looked at */
};

/* A segment that is usable but not flat can fault anywhere: the hook goes
 * before every instruction.  A null one faults only where it is named. */
static bool want_everywhere(const struct seglimit *sl)
{
    return (sl->checked & ~sl->nulls) != 0;
}

/* While no check runs everywhere, the blocks that may name a null segment
 * register leave the block hook's fast path, to get their checks. */
static void watch_nulls(struct machine *m)
{
    m->seg_nulls = m->seg_hook ? 0 : (uint8_t)m->seglimit->nulls;
}

static void take_view(struct machine *m, const struct cpu_state *st)
{
    struct seglimit *sl = m->seglimit;
    /* The view itself serves the hooks only (sync reads it afresh before
     * it installs one). */
    if ((m->seg_hook || sl->nranges) && st != &sl->view)
        sl->view = *st;
    sl->checked = seg_limit_checked(st);
    sl->nulls = seg_limit_nulls(st);
    sl->view_stale = false;
    watch_nulls(m);
}

static void drop_ranges(struct machine *m)
{
    struct seglimit *sl = m->seglimit;
    for (int i = 0; i < sl->nranges; i++)
        engine_del_hook(m->engine, sl->ranges[i].hook);
    sl->nranges = 0;
    sl->range_wanted = false;
}

static bool read_view(struct machine *m)
{
    struct cpu_state *st = &m->seglimit->view;
    if (!engine_read_segments(m->engine, st))
        return false;
    take_view(m, st);
    return true;
}

bool seglimit_init(struct machine *m)
{
    m->seglimit = calloc(1, sizeof *m->seglimit);
    return m->seglimit != NULL;
}

void seglimit_free(struct machine *m)
{
    if (!m->seglimit)
        return;
    /* The hooks go with the engine. */
    free(m->seglimit);
    m->seglimit = NULL;
}

/* The accesses of the instruction at CS:eip (linear `addr`), from the
 * cache when its bytes are the same. */
static const struct mem_operands *operands_at(struct machine *m, const struct cpu_state *st,
                                              uint32_t addr)
{
    uint8_t code[SEGLIMIT_CODE];
    size_t got = deliver_read_code(m, st, addr - st->seg[SEG_CS].base, code, sizeof code);
    if (got == 0)
        return NULL;
    bool code32 = (st->seg[SEG_CS].flags & DESC_B) != 0;
    struct seglimit_entry *e = &m->seglimit->cache[(addr * 2654435761u >> 22) % SEGLIMIT_CACHE];
    if (e->len && e->addr == addr && e->code32 == code32 && e->len <= got &&
        memcmp(e->code, code, e->len) == 0)
        return &e->ops;
    int len = mem_operands_decode(m->disasm, code, got, addr, code32, &e->ops);
    if (len <= 0) {
        e->len = 0;
        return NULL;
    }
    e->addr = addr;
    e->code32 = code32;
    e->len = (uint8_t)len;
    memcpy(e->code, code, (size_t)len);
    return &e->ops;
}

/* Before every instruction while a segment is not flat. */
static void check_insn(void *opaque, uint32_t addr, uint32_t size)
{
    struct machine *m = opaque;
    struct seglimit *sl = m->seglimit;
    (void)size;
    if (sl->view_stale && !read_view(m))
        return;
    struct cpu_state *st = &sl->view;
    /* Paging registers as the block hook last read them: a write to CR3 or
     * CR4 ends the translated block. */
    st->cr3 = m->paging.cr3;
    st->cr4 = m->paging.cr4;
    sl->checked_insns++;
    /* Decoded even while every segment is flat: a load may change that. */
    const struct mem_operands *ops = operands_at(m, st, addr);
    if (!ops)
        return;
    /* The registers the addresses are made of, and nothing else. */
    bool any = false;
    for (unsigned i = 0; i < ops->count; i++) {
        const struct mem_ref *r = &ops->ref[i];
        if (!(sl->checked & (1u << r->seg)))
            continue;
        any = true;
        if (r->base >= 0)
            st->gpr[r->base] = engine_gpr(m->engine, r->base);
        if (r->index >= 0)
            st->gpr[r->index] = engine_gpr(m->engine, r->index);
    }
    if (any && ops->rep)
        st->gpr[GPR_ECX] = engine_gpr(m->engine, GPR_ECX);
    struct seg_violation v;
    if (!any || !seg_limit_violated(st, sl->checked, ops, &v)) {
        if (ops->reloads)
            sl->view_stale = true;
        return;
    }
    /* A step reaches the instruction, faulting or not (whichever code hook
     * Unicorn calls first): the step ends at the handler, as for the
     * engine's own faults, or before the instruction if it is complete. */
    if (run_step_reach(m, addr))
        return;
    char text[80], why[280];
    deliver_describe_insn(m, st, addr - st->seg[SEG_CS].base, text, sizeof text);
    seg_limit_explain(&v, why, sizeof why);
    snprintf(m->seg_fault_why, sizeof m->seg_fault_why, "`%s`: %s", text, why);
    m->seg_fault_vector = v.vector;
    exits_stop_mid_block(m, exits_exact_icount(m, addr), CAUSE_SEG_FAULT);
}

/* Between runs: install the hook when some segment is not flat, remove it
 * when all are. */
void seglimit_sync(struct machine *m)
{
    struct seglimit *sl = m->seglimit;
    m->seg_stale = false;
    if (!read_view(m))
        return;
    bool want = want_everywhere(sl) || sl->nranges + sl->range_wanted > SEGLIMIT_RANGES;
    if (want && !m->seg_hook)
        m->seg_hook = engine_add_code_hook(m->engine, check_insn, m, 1, 0);
    else if (!want && m->seg_hook) {
        engine_del_hook(m->engine, m->seg_hook);
        m->seg_hook = 0;
    }
    if (m->seg_hook || !sl->nulls) {
        drop_ranges(m); /* the hook everywhere covers them, or nothing is null */
    } else if (sl->range_wanted) {
        struct seglimit_range *r = &sl->ranges[sl->nranges];
        *r = sl->wanted;
        r->hook = engine_add_code_hook(m->engine, check_insn, m, r->begin, r->end - 1);
        if (r->hook)
            sl->nranges++;
        sl->range_wanted = false;
    }
    watch_nulls(m);
}

bool seglimit_block_needs_check(struct machine *m, uint32_t addr, uint32_t size)
{
    struct seglimit *sl = m->seglimit;
    for (int i = 0; i < sl->nranges; i++)
        if (addr >= sl->ranges[i].begin && addr + size <= sl->ranges[i].end)
            return false;
    if (sl->range_wanted || size == 0)
        return false;
    sl->wanted = (struct seglimit_range){addr, addr + size, 0};
    sl->range_wanted = true;
    return true;
}

/* The block hook, after a segment load: must the hook come or go? */
bool seglimit_changed(struct machine *m)
{
    m->seg_stale = false;
    machine_rewatch(m);
    if (!read_view(m))
        return false;
    return want_everywhere(m->seglimit) != (m->seg_hook != 0);
}

void seglimit_after_commit(struct machine *m, const struct cpu_state *st)
{
    take_view(m, st);
    /* The view is the state now: the block hook need look again only if
     * the hook must come or go. */
    m->seg_stale = want_everywhere(m->seglimit) != (m->seg_hook != 0);
    machine_rewatch(m);
}

/* A block whose later instructions use a segment register it loads: run
 * it up to just past the load (the run loop looks at the limits before
 * the rest runs). */
enum engine_exit seglimit_run_past_load(struct machine *m)
{
    const struct block_info *b = m->block;
    if (!b || b->seg_reload_end <= 0)
        return ENGINE_AT_EXIT;
    uint32_t eip = engine_eip(m->engine);
    m->seg_reload_pass = m->block_addr;
    m->fresh_addr = m->block_addr;
    enum engine_exit x =
        engine_run_to(m->engine, eip, m->block_addr + (uint32_t)b->seg_reload_end);
    m->fresh_addr = UINT32_MAX;
    m->seg_reload_pass = UINT32_MAX;
    return x;
}

void seglimit_deliver(struct machine *m)
{
    struct cpu_state st;
    if (!engine_begin_state(m->engine, &st))
        return;
    deliver_exception(m, &st, m->seg_fault_vector, st.eip, m->seg_fault_why);
}

uint64_t seglimit_checked_insns(const struct machine *m)
{
    return m->seglimit ? m->seglimit->checked_insns : 0;
}
