/* The machine as text (see show.h).  Layouts follow Bochs's debugger where
 * it has one (the register dump, `info tab`'s ranges); everything is
 * decoded by the same functions the CPU model uses (desc.c, paging.c). */
#include "debug/show.h"

#include <stdio.h>
#include <string.h>

#include "cpu/desc.h"
#include "debug/disasm.h"
#include "debug/syscalls.h"
#include "inspect.h"
#include "mmu/paging.h"

/* ---- registers ------------------------------------------------------------ */

/* A flag set shows in capitals, a clear one in lower case, as in Bochs. */
static void add_flag(struct strbuf *out, bool set, const char *name)
{
    char buf[16];
    size_t i = 0;
    for (; name[i] && i < sizeof buf - 1; i++)
        buf[i] = set ? (char)(name[i] - ('a' - 'A') * (name[i] >= 'a' && name[i] <= 'z'))
                     : name[i];
    buf[i] = '\0';
    strbuf_add(out, " %s", buf);
}

void show_eflags(uint32_t f, struct strbuf *out)
{
    static const struct {
        uint32_t bit;
        const char *name;
    } flags[] = {
        {1u << 21, "id"}, {1u << 20, "vip"}, {1u << 19, "vif"}, {EFLAGS_AC, "ac"},
        {EFLAGS_VM, "vm"}, {EFLAGS_RF, "rf"}, {EFLAGS_NT, "nt"},
    };
    static const struct {
        uint32_t bit;
        const char *name;
    } low[] = {
        {EFLAGS_OF, "of"}, {EFLAGS_DF, "df"}, {EFLAGS_IF, "if"}, {EFLAGS_TF, "tf"},
        {1u << 7, "sf"},   {1u << 6, "zf"},   {1u << 4, "af"},   {1u << 2, "pf"},
        {EFLAGS_CF, "cf"},
    };
    strbuf_add(out, "0x%08x:", f);
    for (size_t i = 0; i < sizeof flags / sizeof flags[0]; i++)
        add_flag(out, f & flags[i].bit, flags[i].name);
    strbuf_add(out, " IOPL=%u", (f & EFLAGS_IOPL) >> EFLAGS_IOPL_SHIFT);
    for (size_t i = 0; i < sizeof low / sizeof low[0]; i++)
        add_flag(out, f & low[i].bit, low[i].name);
}

void show_cr0(uint32_t cr0, struct strbuf *out)
{
    static const struct {
        uint32_t bit;
        const char *name;
    } bits[] = {
        {CR0_PG, "pg"}, {1u << 30, "cd"}, {1u << 29, "nw"}, {1u << 18, "am"}, {CR0_WP, "wp"},
        {1u << 5, "ne"}, {1u << 4, "et"}, {CR0_TS, "ts"}, {1u << 2, "em"}, {1u << 1, "mp"},
        {CR0_PE, "pe"},
    };
    strbuf_add(out, "0x%08x:", cr0);
    for (size_t i = 0; i < sizeof bits / sizeof bits[0]; i++)
        add_flag(out, cr0 & bits[i].bit, bits[i].name);
}

void show_cr4(uint32_t cr4, struct strbuf *out)
{
    static const struct {
        uint32_t bit;
        const char *name;
    } bits[] = {
        {1u << 21, "smap"}, {1u << 20, "smep"}, {CR4_UMIP, "umip"}, {1u << 10, "osxmmexcpt"},
        {1u << 9, "osfxsr"}, {1u << 8, "pce"}, {1u << 7, "pge"}, {1u << 6, "mce"},
        {CR4_PAE, "pae"}, {CR4_PSE, "pse"}, {1u << 3, "de"}, {1u << 2, "tsd"}, {1u << 1, "pvi"},
        {CR4_VME, "vme"},
    };
    strbuf_add(out, "0x%08x:", cr4);
    for (size_t i = 0; i < sizeof bits / sizeof bits[0]; i++)
        add_flag(out, cr4 & bits[i].bit, bits[i].name);
}

/* A segment register: its selector taken apart and the descriptor cache
 * the CPU holds for it (which need not match the table any more). */
void show_segment(const char *name, const struct seg_cache *s, struct strbuf *out)
{
    char sel[64], desc[160];
    selector_describe(s->selector, sel, sizeof sel);
    struct descriptor d;
    /* The cache holds the descriptor's high dword as loaded; rebuild the
     * low one from base and limit so desc.c can describe it. */
    uint32_t raw_limit = (s->flags & DESC_G) ? s->limit >> 12 : s->limit;
    uint32_t lo = (s->base << 16) | (raw_limit & 0xffffu);
    desc_decode(lo, s->flags, &d);
    d.base = s->base;
    d.limit = s->limit;
    if (s->flags == 0 && s->base == 0 && s->limit == 0)
        snprintf(desc, sizeof desc, "unusable (null)");
    else
        desc_describe(&d, desc, sizeof desc);
    strbuf_add(out, "%-4s %s\n     cache: %s\n", name, sel, desc);
}

static void show_symbol_for(struct machine *m, const struct symbols *syms, uint32_t addr,
                            struct strbuf *out);

void show_registers(struct machine *m, const struct symbols *syms, struct strbuf *out)
{
    static const char *const names[8] = {"eax", "ecx", "edx", "ebx", "esp", "ebp", "esi", "edi"};
    struct cpu_state st;
    if (!inspect_cpu(m, &st)) {
        strbuf_add(out, "the CPU state cannot be read\n");
        return;
    }
    for (int i = 0; i < 8; i++)
        strbuf_add(out, "%s: 0x%08x %-10u%s", names[i], st.gpr[i], st.gpr[i],
                   (i % 2) ? "\n" : "   ");
    strbuf_add(out, "eip: 0x%08x", st.eip);
    show_symbol_for(m, syms, st.seg[SEG_CS].base + st.eip, out);
    strbuf_add(out, "\neflags ");
    show_eflags(st.eflags, out);
    strbuf_add(out, "\nCPL %u%s\n", st.cpl, (st.eflags & EFLAGS_VM) ? " (virtual-8086 mode)" : "");
    show_segments(m, out);
    show_control(m, out);
}

void show_segments(struct machine *m, struct strbuf *out)
{
    static const char *const names[SEG_COUNT] = {"es", "cs", "ss", "ds", "fs", "gs"};
    static const enum seg_reg order[SEG_COUNT] = {SEG_CS, SEG_SS, SEG_DS, SEG_ES, SEG_FS, SEG_GS};
    struct cpu_state st;
    if (!inspect_cpu(m, &st))
        return;
    for (int i = 0; i < SEG_COUNT; i++)
        show_segment(names[order[i]], &st.seg[order[i]], out);
    show_segment("ldtr", &st.ldtr, out);
    show_segment("tr", &st.tr, out);
    strbuf_add(out, "gdtr base 0x%08x limit 0x%04x (%u entries)\n", st.gdtr.base, st.gdtr.limit,
               (st.gdtr.limit + 1u) / 8);
    strbuf_add(out, "idtr base 0x%08x limit 0x%04x (%u gates)\n", st.idtr.base, st.idtr.limit,
               (st.idtr.limit + 1u) / 8);
}

void show_control(struct machine *m, struct strbuf *out)
{
    struct cpu_state st;
    if (!inspect_cpu(m, &st))
        return;
    strbuf_add(out, "cr0 ");
    show_cr0(st.cr0, out);
    strbuf_add(out, "\ncr2 0x%08x (the last page-fault address)\n", st.cr2);
    strbuf_add(out, "cr3 0x%08x (page directory at physical 0x%08x)\ncr4 ", st.cr3,
               st.cr3 & PAGING_FRAME_4K);
    show_cr4(st.cr4, out);
    strbuf_add(out, "\n");
}

void show_msrs(struct machine *m, struct strbuf *out)
{
    struct msr_value v[16];
    size_t n = inspect_msrs(m, v, 16);
    for (size_t i = 0; i < n && i < 16; i++)
        strbuf_add(out, "0x%08x %-18s 0x%016llx\n", v[i].index, v[i].name,
                   (unsigned long long)v[i].value);
}

/* The current ring and the stacks the TSS holds for the inner ones. */
void show_ring(struct machine *m, struct strbuf *out)
{
    static const char *const what[4] = {"ring 0 (kernel)", "ring 1", "ring 2", "ring 3 (user)"};
    struct cpu_state st;
    if (!inspect_cpu(m, &st))
        return;
    strbuf_add(out, "CPL %u: %s%s; CS 0x%04x, SS 0x%04x\n", st.cpl, what[st.cpl & 3],
               (st.eflags & EFLAGS_VM) ? ", virtual-8086 mode" : "", st.seg[SEG_CS].selector,
               st.seg[SEG_SS].selector);
    struct tss_view t;
    if (inspect_tss(m, &t) && t.is32)
        strbuf_add(out,
                   "TSS 0x%04x stacks: ring 0 %04x:%08x, ring 1 %04x:%08x, ring 2 %04x:%08x\n",
                   t.selector, t.t32.ss0, t.t32.esp0, t.t32.ss1, t.t32.esp1, t.t32.ss2,
                   t.t32.esp2);
}

/* ---- tables ---------------------------------------------------------------- */

static void show_descriptors(struct machine *m, bool ldt, unsigned first, unsigned last,
                             struct strbuf *out)
{
    struct cpu_state st;
    if (!inspect_cpu(m, &st))
        return;
    uint32_t base = ldt ? st.ldtr.base : st.gdtr.base;
    uint32_t limit = ldt ? st.ldtr.limit : st.gdtr.limit;
    if (ldt && selector_is_null(st.ldtr.selector)) {
        strbuf_add(out, "no LDT (LDTR is null)\n");
        return;
    }
    unsigned entries = (limit + 1u) / 8;
    strbuf_add(out, "%s (base 0x%08x, limit 0x%04x, %u entries):\n", ldt ? "LDT" : "GDT", base,
               limit, entries);
    if (last >= entries)
        last = entries ? entries - 1 : 0;
    for (unsigned i = first; i <= last && i < entries; i++) {
        struct descriptor d;
        char text[200];
        bool ok = ldt ? inspect_ldt(m, i, &d) : inspect_gdt(m, i, &d);
        if (!ok) {
            strbuf_add(out, "%s[0x%02x] (not readable)\n", ldt ? "LDT" : "GDT", i);
            continue;
        }
        desc_describe(&d, text, sizeof text);
        uint16_t sel = (uint16_t)(i * 8 + (ldt ? 4 : 0));
        const char *in_use = "";
        for (int r = 0; r < SEG_COUNT; r++)
            if (!selector_is_null(st.seg[r].selector) && (st.seg[r].selector & ~3u) == sel)
                in_use = " <-";
        if ((st.tr.selector & ~3u) == sel && !ldt)
            in_use = " <- TR";
        if ((st.ldtr.selector & ~3u) == sel && !ldt && !selector_is_null(sel))
            in_use = " <- LDTR";
        strbuf_add(out, "%s[0x%02x] sel 0x%04x  %08x %08x  %s%s\n", ldt ? "LDT" : "GDT", i, sel,
                   d.hi, d.lo, text, in_use);
    }
}

void show_gdt(struct machine *m, unsigned first, unsigned last, struct strbuf *out)
{
    show_descriptors(m, false, first, last, out);
}

void show_ldt(struct machine *m, unsigned first, unsigned last, struct strbuf *out)
{
    show_descriptors(m, true, first, last, out);
}

void show_idt(struct machine *m, unsigned first, unsigned last, struct strbuf *out)
{
    struct cpu_state st;
    if (!inspect_cpu(m, &st))
        return;
    unsigned gates = (st.idtr.limit + 1u) / 8;
    strbuf_add(out, "IDT (base 0x%08x, limit 0x%04x, %u gates):\n", st.idtr.base, st.idtr.limit,
               gates);
    if (last >= gates)
        last = gates ? gates - 1 : 0;
    for (unsigned v = first; v <= last && v < gates && v < 256; v++) {
        struct gate g;
        uint32_t raw[2];
        if (!inspect_idt(m, v, &g, raw)) {
            strbuf_add(out, "IDT[0x%02x] (not readable)\n", v);
            continue;
        }
        if (raw[0] == 0 && raw[1] == 0)
            continue; /* an empty entry says nothing: left out */
        char text[160];
        gate_describe(&g, text, sizeof text);
        const char *mn = trace_vector_mnemonic((int)v);
        strbuf_add(out, "IDT[0x%02x]%s%-4s %s\n", v, mn ? " " : "", mn ? mn : "", text);
    }
}

void show_tss(struct machine *m, struct strbuf *out)
{
    struct tss_view t;
    if (!inspect_tss(m, &t)) {
        strbuf_add(out, "no TSS (TR is null or the TSS cannot be read)\n");
        return;
    }
    strbuf_add(out, "TSS 0x%04x: %s, base 0x%08x, limit 0x%x\n", t.selector,
               t.is32 ? "32-bit" : "16-bit", t.base, t.limit);
    if (!t.is32) {
        strbuf_add(out, "  link 0x%04x  ss0:sp0 %04x:%04x  ss1:sp1 %04x:%04x  ss2:sp2 %04x:%04x\n",
                   t.t16.link, t.t16.ss0, t.t16.sp0, t.t16.ss1, t.t16.sp1, t.t16.ss2, t.t16.sp2);
        return;
    }
    const struct tss32 *s = &t.t32;
    strbuf_add(out, "  link   0x%04x\n", s->link);
    strbuf_add(out, "  ss0:esp0 %04x:%08x   (the stack an interrupt from an outer ring uses)\n",
               s->ss0, s->esp0);
    strbuf_add(out, "  ss1:esp1 %04x:%08x\n  ss2:esp2 %04x:%08x\n", s->ss1, s->esp1, s->ss2,
               s->esp2);
    strbuf_add(out, "  cr3 0x%08x  eip 0x%08x  eflags 0x%08x\n", s->cr3, s->eip, s->eflags);
    strbuf_add(out, "  eax %08x ecx %08x edx %08x ebx %08x esp %08x ebp %08x esi %08x edi %08x\n",
               s->gpr[0], s->gpr[1], s->gpr[2], s->gpr[3], s->gpr[4], s->gpr[5], s->gpr[6],
               s->gpr[7]);
    strbuf_add(out, "  es %04x cs %04x ss %04x ds %04x fs %04x gs %04x  ldt %04x  T=%d\n",
               s->seg[0], s->seg[1], s->seg[2], s->seg[3], s->seg[4], s->seg[5], s->ldt, s->trap);
    strbuf_add(out, "  I/O map base 0x%04x%s\n", s->iomap_base,
               s->iomap_base > t.limit ? " (beyond the limit: no bitmap, every port denied above IOPL)"
                                       : "");
}

/* ---- paging ------------------------------------------------------------------ */

/* The rights a page's PDE and PTE give together (SDM Vol. 3A 4.6.1): user
 * only if both say U, writable only if both say W. */
static uint32_t combined_rights(uint32_t pde, uint32_t pte)
{
    return (pde & pte & (PAGING_US | PAGING_RW)) | (pte & (PAGING_A | PAGING_D));
}

struct tab_range {
    bool open;
    uint32_t lin, phys, end; /* end: linear one past */
    uint32_t rights;
    bool large;
};

static void flush_range(struct tab_range *r, struct strbuf *out)
{
    if (!r->open)
        return;
    strbuf_add(out, "0x%08x-0x%08x -> 0x%08x-0x%08x  %s %s%s%s%s\n", r->lin, r->end - 1, r->phys,
               r->phys + (r->end - r->lin) - 1, (r->rights & PAGING_US) ? "user" : "supervisor",
               (r->rights & PAGING_RW) ? "read/write" : "read-only",
               (r->rights & PAGING_A) ? " accessed" : "", (r->rights & PAGING_D) ? " dirty" : "",
               r->large ? " (4 MiB pages)" : "");
    r->open = false;
}

static void add_page(struct tab_range *r, uint32_t lin, uint32_t phys, uint32_t size,
                     uint32_t rights, bool large, struct strbuf *out)
{
    if (r->open && r->end == lin && r->phys + (lin - r->lin) == phys && r->rights == rights &&
        r->large == large) {
        r->end = lin + size;
        if (r->end == 0)
            flush_range(r, out);
        return;
    }
    flush_range(r, out);
    *r = (struct tab_range){true, lin, phys, lin + size, rights, large};
    if (r->end == 0)
        flush_range(r, out);
}

void show_page_tables(struct machine *m, struct strbuf *out)
{
    struct cpu_state st;
    if (!inspect_cpu(m, &st))
        return;
    if (!(st.cr0 & CR0_PG)) {
        strbuf_add(out, "paging is off (CR0.PG=0): linear addresses are physical\n");
        return;
    }
    uint32_t dir = st.cr3 & PAGING_FRAME_4K;
    strbuf_add(out, "page directory at 0x%08x (CR3 0x%08x):\n", dir, st.cr3);
    struct tab_range r = {0};
    for (uint32_t i = 0; i < 1024; i++) {
        uint32_t pde;
        if (!inspect_phys(m, dir + i * 4, &pde, 4) || !(pde & PAGING_P)) {
            flush_range(&r, out);
            continue;
        }
        uint32_t lin = i << 22;
        if ((pde & PAGING_PS) && (st.cr4 & CR4_PSE)) {
            add_page(&r, lin, pde & PAGING_FRAME_4M, 1u << 22,
                     (pde & (PAGING_US | PAGING_RW | PAGING_A | PAGING_D)), true, out);
            continue;
        }
        for (uint32_t j = 0; j < 1024; j++) {
            uint32_t pte;
            if (!inspect_phys(m, (pde & PAGING_FRAME_4K) + j * 4, &pte, 4) || !(pte & PAGING_P)) {
                flush_range(&r, out);
                continue;
            }
            add_page(&r, lin | (j << 12), pte & PAGING_FRAME_4K, 4096, combined_rights(pde, pte),
                     false, out);
        }
    }
    flush_range(&r, out);
}

void show_page(struct machine *m, uint32_t linear, struct strbuf *out)
{
    struct paging_walk w;
    char text[400];
    inspect_walk(m, NULL, linear, PAGING_READ, false, &w);
    if (!w.paging) {
        strbuf_add(out, "paging is off: linear 0x%08x is physical 0x%08x\n", linear, linear);
        return;
    }
    strbuf_add(out, "linear 0x%08x: directory index %u, table index %u, offset 0x%03x\n", linear,
               linear >> 22, (linear >> 12) & 0x3ff, linear & 0xfff);
    char flags[64];
    paging_entry_flags(w.pde, true, flags, sizeof flags);
    strbuf_add(out, "  PDE at 0x%08x = 0x%08x (%s)\n", w.pde_addr, w.pde, flags);
    if (!w.large && (w.pde & PAGING_P)) {
        paging_entry_flags(w.pte, false, flags, sizeof flags);
        strbuf_add(out, "  PTE at 0x%08x = 0x%08x (%s)\n", w.pte_addr, w.pte, flags);
    }
    static const struct {
        enum paging_access access;
        bool user;
        const char *name;
    } kinds[] = {
        {PAGING_READ, true, "user read"},        {PAGING_WRITE, true, "user write"},
        {PAGING_FETCH, true, "user fetch"},      {PAGING_READ, false, "supervisor read"},
        {PAGING_WRITE, false, "supervisor write"},
    };
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++) {
        inspect_walk(m, NULL, linear, kinds[i].access, kinds[i].user, &w);
        if (w.ok)
            strbuf_add(out, "  %-17s ok -> physical 0x%08x\n", kinds[i].name, w.paddr);
        else {
            paging_explain(&w, text, sizeof text);
            strbuf_add(out, "  %-17s #PF(0x%x): %s\n", kinds[i].name, w.error_code, text);
        }
    }
}

/* ---- memory and code ---------------------------------------------------------- */

bool show_memory(struct machine *m, bool physical, uint32_t addr, unsigned count, unsigned unit,
                 char format, struct strbuf *out)
{
    unsigned per_line = format == 'c' ? 16 : 16 / unit;
    for (unsigned i = 0; i < count; i++) {
        uint32_t at = addr + i * unit;
        uint8_t b[8] = {0};
        struct paging_walk w;
        bool ok = physical ? inspect_phys(m, at, b, unit) : inspect_linear(m, NULL, at, b, unit, &w);
        if (!ok) {
            if (i % per_line)
                strbuf_add(out, "\n");
            if (physical)
                strbuf_add(out, "0x%08x: not RAM\n", at);
            else if (w.ok)
                strbuf_add(out, "0x%08x: at physical 0x%08x, which is not RAM\n", at, w.paddr);
            else {
                char text[300];
                paging_explain(&w, text, sizeof text);
                strbuf_add(out, "0x%08x: not mapped: %s\n", at, text);
            }
            return false;
        }
        if (i % per_line == 0)
            strbuf_add(out, "0x%08x:", at);
        uint64_t v = 0;
        for (unsigned k = 0; k < unit; k++)
            v |= (uint64_t)b[k] << (8 * k);
        switch (format) {
        case 'c':
            strbuf_add(out, "%s%c", i % per_line ? "" : " ", (v >= 32 && v < 127) ? (char)v : '.');
            break;
        case 'u':
            strbuf_add(out, " %llu", (unsigned long long)v);
            break;
        case 'd': {
            int64_t sv = unit == 1 ? (int8_t)v : unit == 2 ? (int16_t)v
                         : unit == 4 ? (int32_t)v : (int64_t)v;
            strbuf_add(out, " %lld", (long long)sv);
            break;
        }
        default:
            strbuf_add(out, " 0x%0*llx", (int)unit * 2, (unsigned long long)v);
        }
        if (i % per_line == per_line - 1 || i == count - 1)
            strbuf_add(out, "\n");
    }
    return true;
}

struct read_ctx {
    struct machine *m;
};

static bool read_linear(void *opaque, uint32_t linear, void *buf, size_t len)
{
    struct read_ctx *c = opaque;
    return inspect_linear(c->m, NULL, linear, buf, len, NULL);
}

/* The running program (for its symbols), or -1. */
static int running_program(struct machine *m, const struct symbols *syms, uint32_t addr)
{
    if (!syms || addr >= 0xc0000000u)
        return -1;
    struct read_ctx c = {m};
    return symbols_identify(syms, read_linear, &c);
}

static void show_symbol_for(struct machine *m, const struct symbols *syms, uint32_t addr,
                            struct strbuf *out)
{
    if (!syms)
        return;
    char name[128];
    int prog = running_program(m, syms, addr);
    if (symbols_name(syms, prog, addr, name, sizeof name)) {
        if (prog >= 0 && addr < 0xc0000000u)
            strbuf_add(out, " <%s in %s>", name, symbols_program_name(syms, (size_t)prog));
        else
            strbuf_add(out, " <%s>", name);
    }
}

void show_symbol(struct machine *m, const struct symbols *syms, uint32_t addr, struct strbuf *out)
{
    show_symbol_for(m, syms, addr, out);
}

uint32_t show_disasm(struct machine *m, const struct symbols *syms, uint32_t addr, unsigned n,
                     struct strbuf *out)
{
    struct cpu_state st;
    bool code32 = !inspect_cpu(m, &st) || (st.seg[SEG_CS].flags & DESC_B);
    uint32_t here = st.seg[SEG_CS].base + st.eip;
    struct disasm *d = disasm_open();
    if (!d) {
        strbuf_add(out, "the disassembler cannot start\n");
        return addr;
    }
    for (unsigned i = 0; i < n; i++) {
        uint8_t code[16];
        size_t got = 0;
        while (got < sizeof code && inspect_linear(m, NULL, addr + (uint32_t)got, code + got, 1, NULL))
            got++;
        if (got == 0) {
            strbuf_add(out, "0x%08x: (not mapped)\n", addr);
            break;
        }
        char text[96];
        int len = disasm_one(d, code, got, addr, code32, text, sizeof text);
        strbuf_add(out, "%s0x%08x:", addr == here ? "=> " : "   ", addr);
        show_symbol_for(m, syms, addr, out);
        strbuf_add(out, " ");
        for (int k = 0; k < (len > 0 ? len : 1) && k < 8; k++)
            strbuf_add(out, "%02x", code[k]);
        strbuf_add(out, "  %s\n", text);
        addr += len > 0 ? (uint32_t)len : 1;
    }
    disasm_close(d);
    return addr;
}

/* ---- events --------------------------------------------------------------------- */

static const char *event_name(const struct trace_event *ev, char *buf, size_t n)
{
    switch (ev->kind) {
    case TRACE_EXCEPTION: {
        const char *mn = trace_vector_mnemonic(ev->vector);
        if (mn)
            return mn;
        snprintf(buf, n, "exception 0x%02x", ev->vector & 0xff);
        return buf;
    }
    case TRACE_SOFTWARE_INT:
        snprintf(buf, n, "int 0x%02x", ev->vector & 0xff);
        return buf;
    case TRACE_HARDWARE_INT:
        snprintf(buf, n, "IRQ vector 0x%02x", ev->vector & 0xff);
        return buf;
    case TRACE_SYSENTER: return "sysenter";
    case TRACE_SYSEXIT: return "sysexit";
    case TRACE_SYSCALL: return "syscall";
    case TRACE_SYSRET: return "sysret";
    case TRACE_RETURN: return "iret/retf";
    case TRACE_TRIPLE_FAULT: return "triple fault";
    case TRACE_RESET: return "reset";
    }
    return "event";
}

void show_event(struct machine *m, const struct trace_event *ev, struct strbuf *out)
{
    char name[32];
    strbuf_add(out, "event %llu at icount %llu", (unsigned long long)ev->seq,
               (unsigned long long)ev->icount);
    if (inspect_cpu_count(m) > 1)
        strbuf_add(out, " on CPU %d", ev->cpu);
    strbuf_add(out, ": %s", event_name(ev, name, sizeof name));
    if (ev->has_error_code)
        strbuf_add(out, " e=%04x", ev->error_code);
    strbuf_add(out, ", CPL %u %04x:%08x (stack %04x:%08x)", ev->before.cpl, ev->before.cs,
               ev->before.eip, ev->before.ss, ev->before.esp);
    if (ev->delivered)
        strbuf_add(out, " -> CPL %u %04x:%08x (stack %04x:%08x)", ev->after.cpl, ev->after.cs,
                   ev->after.eip, ev->after.ss, ev->after.esp);
    else if (ev->kind != TRACE_TRIPLE_FAULT && ev->kind != TRACE_RESET)
        strbuf_add(out, " (not delivered)");
    if (ev->vector == 14 && ev->kind == TRACE_EXCEPTION)
        strbuf_add(out, ", CR2=%08x", ev->cr2);
    strbuf_add(out, ", EAX=%08x\n", ev->eax);
    size_t n = strnlen(ev->explain, sizeof ev->explain);
    if (n)
        strbuf_add(out, "  why: %.*s\n", (int)n, ev->explain);
}

static bool read_in(void *opaque, uint32_t cr3, uint32_t linear, void *buf, size_t len)
{
    return inspect_linear(opaque, &cr3, linear, buf, len, NULL);
}

void show_syscall(struct machine *m, const struct trace_event *ev, struct strbuf *out)
{
    if (!syscalls_is_entry(ev))
        return;
    strbuf_add(out, "  call: ");
    syscalls_describe(ev, read_in, m, out);
    strbuf_add(out, "\n");
}

void show_events(struct machine *m, unsigned n, bool syscall_names, struct strbuf *out)
{
    static struct trace_event evs[64];
    if (n > 64)
        n = 64;
    size_t got = inspect_events(m, evs, n);
    if (got == 0)
        strbuf_add(out, "no events yet\n");
    for (size_t i = 0; i < got; i++) {
        show_event(m, &evs[i], out);
        if (syscall_names)
            show_syscall(m, &evs[i], out);
    }
}

/* ---- devices --------------------------------------------------------------------- */

static void show_chip(const char *name, const struct pic_chip *c, struct strbuf *out)
{
    strbuf_add(out, "%s: vector base 0x%02x  IRR 0x%02x  ISR 0x%02x  IMR 0x%02x%s%s%s\n", name,
               c->vector_base, c->irr, c->isr, c->imr, c->auto_eoi ? "  auto-EOI" : "",
               c->init_step ? "  (being initialised)" : "",
               c->special_mask ? "  special mask" : "");
}

void show_pic(struct machine *m, struct strbuf *out)
{
    struct pic_pair p;
    inspect_pic(m, &p);
    show_chip("master 8259A (IRQ 0-7) ", &p.master, out);
    show_chip("slave  8259A (IRQ 8-15)", &p.slave, out);
    strbuf_add(out, "interrupt output: %s; spurious acknowledges: %llu\n",
               pic_has_interrupt(&p) ? "asserted" : "idle", (unsigned long long)p.spurious);
}

void show_pit(struct machine *m, struct strbuf *out)
{
    struct pit p;
    inspect_pit(m, &p);
    uint64_t now = inspect_time_ns(m);
    for (int i = 0; i < 3; i++) {
        const struct pit_channel *c = &p.ch[i];
        uint32_t reload = c->reload ? c->reload : 65536;
        strbuf_add(out, "channel %d: mode %u, reload %u (%.1f Hz), count now %u, OUT %d, gate %d%s\n",
                   i, c->mode, reload, (double)PIT_HZ / reload, pit_count(&p, i, now),
                   pit_out(&p, i, now), c->gate, c->have_count ? "" : " (no count written)");
    }
    uint64_t next = pit_next_event_ns(&p, now);
    if (next == UINT64_MAX)
        strbuf_add(out, "next IRQ 0 edge: none\n");
    else
        strbuf_add(out, "next IRQ 0 edge: in %llu ns of guest time\n",
                   (unsigned long long)(next - now));
}

void show_uart(struct machine *m, struct strbuf *out)
{
    struct uart u;
    inspect_uart(m, &u);
    strbuf_add(out, "16550A at 0x%03x: divisor %u (%u baud)\n", u.base, u.divisor,
               u.divisor ? 115200u / u.divisor : 0);
    strbuf_add(out, "IER 0x%02x  LCR 0x%02x  MCR 0x%02x  LSR %s%s  SCR 0x%02x\n", u.ier, u.lcr,
               u.mcr, u.rx_count ? "data ready" : "empty", u.lsr_errors ? ", errors" : "", u.scr);
    strbuf_add(out, "receive FIFO: %d of %d bytes; interrupt %s%s\n", u.rx_count, UART_FIFO_SIZE,
               uart_interrupt_pending(&u) ? "pending" : "none",
               (u.out2_gates_irq && !(u.mcr & UART_MCR_OUT2)) ? " (OUT2 off: IRQ 4 gated)" : "");
}
