/* Segment limit checks (see seg_limit.h). */
#include "cpu/seg_limit.h"

#include <stdio.h>

#include "cpu/desc.h"
#include "cpu/fault.h"

const char *seg_limit_name(unsigned seg)
{
    static const char *const names[SEG_COUNT] = {"ES", "CS", "SS", "DS", "FS", "GS"};
    return seg < SEG_COUNT ? names[seg] : "?";
}

/* Loading a null selector leaves the register's descriptor cache not
 * present: the register is unusable until loaded again (SDM Vol. 3A 3.4.2). */
bool seg_limit_usable(const struct seg_cache *s)
{
    return (s->flags & DESC_P) != 0;
}

/* E is a data segment's type bit 2; in a code segment the same bit means
 * conforming (SDM Vol. 3A 3.4.5.1, Table 3-1). */
bool seg_limit_expand_down(const struct seg_cache *s)
{
    uint32_t type = (s->flags & DESC_TYPE_MASK) >> DESC_TYPE_SHIFT;
    return (s->flags & DESC_S) && !(type & DESC_TYPE_CODE) && (type & DESC_TYPE_EXPAND_DOWN);
}

/* SDM Vol. 3A 5.3: for an expand-down segment the B flag sets the upper
 * bound, 0xFFFFFFFF (B = 1) or 0xFFFF (B = 0). */
static uint64_t highest(const struct seg_cache *s)
{
    if (!seg_limit_expand_down(s))
        return s->limit;
    return (s->flags & DESC_B) ? 0xffffffffu : 0xffffu;
}

static uint64_t lowest(const struct seg_cache *s)
{
    return seg_limit_expand_down(s) ? (uint64_t)s->limit + 1 : 0;
}

uint32_t seg_limit_lowest(const struct seg_cache *s)
{
    return (uint32_t)lowest(s);
}

uint32_t seg_limit_highest(const struct seg_cache *s)
{
    return (uint32_t)highest(s);
}

bool seg_limit_contains(const struct seg_cache *s, uint32_t offset, uint32_t size)
{
    uint64_t last = (uint64_t)offset + (size ? size : 1) - 1;
    return seg_limit_usable(s) && offset >= lowest(s) && last <= highest(s);
}

/* Flat: every offset valid, so no access through it can fault. */
static bool flat(const struct seg_cache *s)
{
    return seg_limit_usable(s) && !seg_limit_expand_down(s) && s->limit == 0xffffffffu;
}

static bool not_flat(const struct seg_cache *s)
{
    return !flat(s);
}

static bool null(const struct seg_cache *s)
{
    return !seg_limit_usable(s);
}

/* The data and stack segment registers for which `pred` holds, in
 * protected mode outside virtual-8086 mode. */
static unsigned data_segs_where(const struct cpu_state *st, bool (*pred)(const struct seg_cache *))
{
    if (!(st->cr0 & CR0_PE) || (st->eflags & EFLAGS_VM))
        return 0;
    static const unsigned data_segs[] = {SEG_ES, SEG_SS, SEG_DS, SEG_FS, SEG_GS};
    unsigned mask = 0;
    for (unsigned i = 0; i < sizeof data_segs / sizeof data_segs[0]; i++)
        if (pred(&st->seg[data_segs[i]]))
            mask |= 1u << data_segs[i];
    return mask;
}

unsigned seg_limit_checked(const struct cpu_state *st)
{
    return data_segs_where(st, not_flat);
}

unsigned seg_limit_nulls(const struct cpu_state *st)
{
    return data_segs_where(st, null);
}

uint32_t seg_limit_offset(const struct cpu_state *st, const struct mem_ref *r)
{
    if (r->stack) {
        /* SS's B flag: ESP or SP (SDM Vol. 3A 3.4.5). */
        bool ss32 = (st->seg[SEG_SS].flags & DESC_B) != 0;
        uint32_t base = r->base >= 0 ? st->gpr[r->base] : 0;
        uint32_t off = (ss32 ? base : base & 0xffffu) + (uint32_t)r->disp;
        return ss32 ? off : off & 0xffffu;
    }
    uint32_t mask = r->addr16 ? 0xffffu : 0xffffffffu;
    uint32_t off = (uint32_t)r->disp;
    if (r->base >= 0)
        off += st->gpr[r->base] & mask;
    if (r->index >= 0)
        off += (st->gpr[r->index] & mask) * r->scale;
    return off & mask;
}

bool seg_limit_violated(const struct cpu_state *st, unsigned checked,
                        const struct mem_operands *ops, struct seg_violation *v)
{
    if (ops->rep) {
        uint32_t count = st->gpr[GPR_ECX];
        if ((ops->rep_count16 ? count & 0xffffu : count) == 0)
            return false; /* no iteration: no access */
    }
    for (unsigned i = 0; i < ops->count; i++) {
        const struct mem_ref *r = &ops->ref[i];
        if (!(checked & (1u << r->seg)))
            continue;
        const struct seg_cache *s = &st->seg[r->seg];
        uint32_t offset = seg_limit_offset(st, r);
        if (seg_limit_contains(s, offset, r->size))
            continue;
        v->vector = r->seg == SEG_SS ? VEC_SS : VEC_GP;
        v->seg = r->seg;
        v->null = !seg_limit_usable(s);
        v->offset = offset;
        v->size = r->size;
        v->cache = *s;
        return true;
    }
    return false;
}

size_t seg_limit_explain(const struct seg_violation *v, char *buf, size_t n)
{
    const char *name = seg_limit_name(v->seg);
    const char *fault = v->vector == VEC_SS ? "#SS(0)" : "#GP(0)";
    uint32_t last = v->offset + v->size - 1;
    char range[48];
    if (v->size > 1)
        snprintf(range, sizeof range, "%s:0x%08x..0x%08x (%u bytes)", name, v->offset, last,
                 v->size);
    else
        snprintf(range, sizeof range, "%s:0x%08x (1 byte)", name, v->offset);
    int len;
    if (v->null)
        len = snprintf(buf, n,
                       "%s through %s, which holds the null selector 0x%04x: %s (SDM Vol. 3A 3.4.2)",
                       range, name, v->cache.selector, fault);
    else if (seg_limit_expand_down(&v->cache))
        len = snprintf(buf, n,
                       "%s is outside expand-down %s (selector 0x%04x, limit 0x%08x): its valid "
                       "offsets are 0x%08x..0x%08x: %s (SDM Vol. 3A 5.3)",
                       range, name, v->cache.selector, v->cache.limit,
                       seg_limit_lowest(&v->cache), seg_limit_highest(&v->cache), fault);
    else if (v->offset <= v->cache.limit)
        len = snprintf(buf, n, "%s ends past %s's limit 0x%08x (selector 0x%04x): %s (SDM Vol. 3A 5.3)", range, name,
                       v->cache.limit, v->cache.selector, fault);
    else
        len = snprintf(buf, n, "%s is past %s's limit 0x%08x (selector 0x%04x): %s (SDM Vol. 3A 5.3)", range, name,
                       v->cache.limit, v->cache.selector, fault);
    return len < 0 ? 0 : (size_t)len;
}
