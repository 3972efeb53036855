/* The registers panel: the general registers, EIP with its symbol, EFLAGS
 * bit by bit, each segment register's selector taken apart (index, table,
 * RPL) beside its descriptor cache (base, limit, type, DPL), the table
 * registers, CR0/CR2/CR3/CR4 decoded.  What changed since the last stop is
 * marked (SDM Vol. 1 3.4.3 EFLAGS; Vol. 3A 3.4.2 selectors, 3.4.3 caches,
 * 2.5 control registers). */
#include <stdio.h>
#include <string.h>

#include "ui.h"

static const struct cpu_state *before(const struct view *v)
{
    return v->have_stop_cpu ? &v->stop_cpu : NULL;
}

static void value32(struct ui_text *t, const char *label, uint32_t now, const uint32_t *old)
{
    uitext_add(t, ST_LABEL, "%s ", label);
    uitext_add(t, old && *old != now ? ST_CHANGED : ST_VALUE, "%08x", now);
}

static void flag(struct ui_text *t, const char *name, uint32_t f, uint32_t old, bool have_old,
                 uint32_t bit)
{
    bool on = (f & bit) != 0;
    bool changed = have_old && ((old ^ f) & bit);
    uitext_add(t, changed ? ST_CHANGED : (on ? ST_VALUE : ST_DIM), "%s=%d", name, on);
    uitext_add(t, ST_TEXT, " ");
}

/* "code r-x", "data rw-", "TSS32 busy" from a cache's flags (type in bits 11:8). */
static void seg_kind(uint32_t flags, char *buf, size_t n)
{
    unsigned type = (flags & DESC_TYPE_MASK) >> DESC_TYPE_SHIFT;
    if (!(flags & DESC_P) && !(flags & DESC_S) && type == 0) {
        snprintf(buf, n, "unusable");
        return;
    }
    if (flags & DESC_S) {
        if (type & DESC_TYPE_CODE)
            snprintf(buf, n, "code %sx%s", type & DESC_TYPE_READABLE ? "r-" : "--",
                     type & DESC_TYPE_CONFORMING ? " conf" : "");
        else
            snprintf(buf, n, "data r%s%s", type & DESC_TYPE_WRITABLE ? "w-" : "--",
                     type & DESC_TYPE_EXPAND_DOWN ? " down" : "");
        return;
    }
    switch (type) {
    case DESC_SYS_LDT: snprintf(buf, n, "LDT"); break;
    case DESC_SYS_TSS32_BUSY: snprintf(buf, n, "TSS32 busy"); break;
    case DESC_SYS_TSS32_AVAIL: snprintf(buf, n, "TSS32"); break;
    case DESC_SYS_TSS16_BUSY: snprintf(buf, n, "TSS16 busy"); break;
    case DESC_SYS_TSS16_AVAIL: snprintf(buf, n, "TSS16"); break;
    default: snprintf(buf, n, "system %x", type); break;
    }
}

static void segment(struct ui_text *t, const char *name, const struct seg_cache *s,
                    const struct seg_cache *old)
{
    bool changed = old && (old->selector != s->selector || old->base != s->base ||
                           old->limit != s->limit || old->flags != s->flags);
    uitext_add(t, ST_LABEL, "%-4s ", name);
    uitext_add(t, changed ? ST_CHANGED : ST_VALUE, "%04x", s->selector);
    /* SDM Vol. 3A 3.4.2: index in bits 15:3, TI bit 2 (0 GDT, 1 LDT), RPL bits 1:0. */
    if ((s->selector & ~3u) == 0 && !(s->selector & 4))
        uitext_add(t, ST_DIM, " null    RPL%u", s->selector & 3);
    else
        uitext_add(t, ST_TEXT, " %s[%u]%s RPL%u", (s->selector & 4) ? "LDT" : "GDT",
                   s->selector >> 3, (s->selector >> 3) < 10 ? " " : "", s->selector & 3);
    char kind[24];
    seg_kind(s->flags, kind, sizeof kind);
    unsigned dpl = (s->flags & DESC_DPL_MASK) >> DESC_DPL_SHIFT;
    uitext_add(t, ST_TEXT, " base %08x lim %08x ", s->base, s->limit);
    uitext_add(t, dpl == 0 ? ST_KERNEL : (dpl == 3 ? ST_USER : ST_TEXT), "%s DPL%u", kind, dpl);
    uitext_add(t, ST_TEXT, "\n");
}

void regs_model(struct view *v, struct ui_text *t)
{
    if (!v->cpu_ok) {
        uitext_add(t, ST_DIM, "the CPU state cannot be read\n");
        return;
    }
    const struct cpu_state *c = &v->cpu, *o = before(v);
    static const char *const names[8] = {"EAX", "ECX", "EDX", "EBX", "ESP", "EBP", "ESI", "EDI"};
    static const int order[8] = {GPR_EAX, GPR_EBX, GPR_ECX, GPR_EDX,
                                 GPR_ESI, GPR_EDI, GPR_EBP, GPR_ESP};
    for (int i = 0; i < 8; i++) {
        int r = order[i];
        value32(t, names[r], c->gpr[r], o ? &o->gpr[r] : NULL);
        uitext_add(t, ST_TEXT, i % 4 == 3 ? "\n" : "  ");
    }
    value32(t, "EIP", c->eip, o ? &o->eip : NULL);
    char sym[96] = "";
    if (v->syms)
        symbols_name(v->syms, v->program, c->seg[SEG_CS].base + c->eip, sym, sizeof sym);
    if (sym[0])
        uitext_add(t, ST_TEXT, " <%s>", sym);
    uitext_add(t, ST_TEXT, "  ");
    uitext_add(t, c->cpl == 0 ? ST_KERNEL : (c->cpl == 3 ? ST_USER : ST_VALUE), "CPL %u", c->cpl);
    uitext_add(t, ST_TEXT, "\n");

    uint32_t f = c->eflags, of = o ? o->eflags : f;
    value32(t, "EFLAGS", f, o ? &o->eflags : NULL);
    uitext_add(t, ST_TEXT, "  ");
    flag(t, "IF", f, of, o, EFLAGS_IF);
    unsigned iopl = (f & EFLAGS_IOPL) >> EFLAGS_IOPL_SHIFT;
    uitext_add(t, o && ((of ^ f) & EFLAGS_IOPL) ? ST_CHANGED : ST_VALUE, "IOPL=%u", iopl);
    uitext_add(t, ST_TEXT, " ");
    flag(t, "VM", f, of, o, EFLAGS_VM);
    flag(t, "NT", f, of, o, EFLAGS_NT);
    flag(t, "TF", f, of, o, EFLAGS_TF);
    flag(t, "RF", f, of, o, EFLAGS_RF);
    flag(t, "AC", f, of, o, EFLAGS_AC);
    uitext_add(t, ST_TEXT, "\n       ");
    flag(t, "DF", f, of, o, EFLAGS_DF);
    flag(t, "OF", f, of, o, EFLAGS_OF);
    flag(t, "SF", f, of, o, 1u << 7);
    flag(t, "ZF", f, of, o, 1u << 6);
    flag(t, "AF", f, of, o, 1u << 4);
    flag(t, "PF", f, of, o, 1u << 2);
    flag(t, "CF", f, of, o, EFLAGS_CF);
    uitext_add(t, ST_TEXT, "\n");

    static const char *const segs[SEG_COUNT] = {"ES", "CS", "SS", "DS", "FS", "GS"};
    static const int seg_order[SEG_COUNT] = {SEG_CS, SEG_SS, SEG_DS, SEG_ES, SEG_FS, SEG_GS};
    for (int i = 0; i < SEG_COUNT; i++)
        segment(t, segs[seg_order[i]], &c->seg[seg_order[i]], o ? &o->seg[seg_order[i]] : NULL);
    segment(t, "LDTR", &c->ldtr, o ? &o->ldtr : NULL);
    segment(t, "TR", &c->tr, o ? &o->tr : NULL);
    uitext_add(t, ST_LABEL, "GDTR ");
    uitext_add(t, ST_VALUE, "%08x/%04x", c->gdtr.base, c->gdtr.limit);
    uitext_add(t, ST_LABEL, "  IDTR ");
    uitext_add(t, ST_VALUE, "%08x/%04x\n", c->idtr.base, c->idtr.limit);

    value32(t, "CR0", c->cr0, o ? &o->cr0 : NULL);
    uitext_add(t, ST_TEXT, "  ");
    flag(t, "PG", c->cr0, o ? o->cr0 : c->cr0, o, CR0_PG);
    flag(t, "WP", c->cr0, o ? o->cr0 : c->cr0, o, CR0_WP);
    flag(t, "TS", c->cr0, o ? o->cr0 : c->cr0, o, CR0_TS);
    flag(t, "PE", c->cr0, o ? o->cr0 : c->cr0, o, CR0_PE);
    uitext_add(t, ST_TEXT, "\n");
    value32(t, "CR2", c->cr2, o ? &o->cr2 : NULL);
    uitext_add(t, ST_DIM, "  the last page-fault address\n");
    value32(t, "CR3", c->cr3, o ? &o->cr3 : NULL);
    uitext_add(t, ST_DIM, "  page directory at %08x\n", c->cr3 & 0xfffff000u);
    value32(t, "CR4", c->cr4, o ? &o->cr4 : NULL);
    uitext_add(t, ST_TEXT, "  ");
    flag(t, "PSE", c->cr4, o ? o->cr4 : c->cr4, o, CR4_PSE);
    flag(t, "PAE", c->cr4, o ? o->cr4 : c->cr4, o, CR4_PAE);
    flag(t, "VME", c->cr4, o ? o->cr4 : c->cr4, o, CR4_VME);
    uitext_add(t, ST_TEXT, "\n");
}
