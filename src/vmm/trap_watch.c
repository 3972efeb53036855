/* What the trap-and-emulate monitor cannot trap (see vmm_trap.h).
 *
 * A trap-and-emulate monitor gets control only when the guest traps.  A
 * POPF that keeps IF, a MOV from CS, an SGDT or a LAR run at ring 1
 * without a trap: the monitor could see them only by what they cause, and
 * that comes late and far away (interrupts that never arrive; a warning
 * the guest prints on a console the monitor does not read).  To name each
 * where it happens, this monitor scans the kernel's code once, before the
 * run, function by function from the kernel's symbol table, with the
 * recogniser a binary translator uses (sensitive.h), and has the machine
 * stop just before each one it found: through the machine's translator
 * (machine_set_translator), whose scan names the first watched site of a
 * block as the block is decoded and whose step sees the CPU there, inside
 * the machine's run, so the stop is no breakpoint and the user's runs
 * (the debugger's, the view's, gdb's) go on through it.  There it looks at
 * what the instruction is about to do, notes where the result differs
 * from ring 0's, and lets the engine run it unchanged: the guest gets the
 * ring-1 result, as under a monitor that did not look.  (A monitor that
 * also emulated them there would be doing binary translation, vmm_bt.h,
 * which uses the translator for that and does not watch.) */
#include <stdio.h>
#include <string.h>

#include "control.h"
#include "cpu/mem_operands.h"
#include "cpu/seg_limit.h"
#include "debug/disasm.h"
#include "inspect.h"
#include "loader/elf32.h"
#include "vmm/sensitive.h"
#include "vmm/trap_internal.h"

#define STT_FUNC 2 /* ELF symbol type: a function */

/* Does the instruction's result differ between ring 0 and this monitor's
 * ring 1?  PUSHF does not (the monitor keeps the real IF the virtual one;
 * IOPL is 0 in both), nor SIDT (the real IDT is the guest's), SLDT, STR
 * or SMSW (the real registers hold the guest's values), nor loads of data
 * segments (a DPL-1 shadow descriptor admits an RPL-0 selector at CPL 1). */
static bool watched(enum sensitive_kind k)
{
    return k == SENSITIVE_POPF || k == SENSITIVE_READ_CS || k == SENSITIVE_READ_SS ||
           k == SENSITIVE_STORE_GDTR || k == SENSITIVE_LAR;
}

static void add_site(struct vmm_trap *t, uint32_t addr, const struct sensitive_insn *s,
                     const char *func, uint32_t offset)
{
    for (int i = 0; i < t->nsites; i++)
        if (t->sites[i].addr == addr)
            return; /* an alias of the same function */
    if (t->nsites == TRAP_WATCH_MAX)
        return;
    struct trap_site *site = &t->sites[t->nsites++];
    *site = (struct trap_site){addr, s->kind, s->name, "", 0};
    snprintf(site->where, sizeof site->where, "%.36s+%#x", func, offset);
}

/* The file bytes of [addr, addr + size) when an executable PT_LOAD holds them. */
static const uint8_t *code_of(const struct elf32_file *f, uint32_t addr, uint32_t size)
{
    for (unsigned i = 0; i < f->ehdr.phnum; i++) {
        struct elf32_phdr ph;
        elf32_get_phdr(f, i, &ph);
        if (ph.type != ELF32_PT_LOAD || !(ph.flags & ELF32_PF_X) || addr < ph.vaddr ||
            addr - ph.vaddr + (uint64_t)size > ph.filesz)
            continue;
        return f->image + ph.offset + (addr - ph.vaddr);
    }
    return NULL;
}

/* The translator's scan: the offset of the first watched site in the block
 * [addr, addr + size), or -1.  A block that starts after a site runs from
 * the next instruction on, and is decoded (and scanned) as a block of its
 * own. */
static int watch_scan(void *opaque, const uint8_t *code, uint32_t size, uint32_t addr,
                      bool code32)
{
    struct vmm_trap *t = opaque;
    (void)code;
    (void)code32;
    int64_t first = -1;
    for (int i = 0; i < t->nsites; i++) {
        uint32_t at = t->sites[i].addr - addr;
        if (t->sites[i].addr >= addr && at < size && (first < 0 || at < first))
            first = at;
    }
    return (int)first;
}

static void watch_hit(struct vmm_trap *t, int i, const struct cpu_state *st);

/* The translator's step: the CPU stands on a watched site; look, note, and
 * have the engine execute the instruction as it is. */
static enum monitor_verdict watch_step(void *opaque, struct machine *m, struct cpu_state *st)
{
    struct vmm_trap *t = opaque;
    (void)m;
    uint32_t lin = st->seg[SEG_CS].base + st->eip;
    for (int i = 0; i < t->nsites; i++)
        if (t->sites[i].addr == lin)
            watch_hit(t, i, st);
    return MONITOR_DELIVER;
}

bool vmm_trap_watch(struct vmm_trap *t, const uint8_t *image, size_t size, char *err,
                    size_t errlen)
{
    struct elf32_file f;
    struct elf32_symtab syms;
    if (elf32_open(&f, image, size, "the kernel", err, errlen) != ELF32_OK ||
        elf32_symtab_open(&f, &syms, err, errlen) != ELF32_OK)
        return false;
    for (uint32_t i = 0; i < syms.count; i++) {
        struct elf32_sym sym;
        const char *name;
        elf32_symtab_get(&syms, i, &sym, &name);
        const uint8_t *code = (sym.info & 0xf) == STT_FUNC && sym.size
                                  ? code_of(&f, sym.value, sym.size)
                                  : NULL;
        for (uint32_t at = 0; code && at < sym.size;) {
            char text[64];
            int len = disasm_one(t->dis, code + at, sym.size - at, sym.value + at, true, text,
                                 sizeof text);
            if (len <= 0)
                break; /* data inside the function: the rest is not scanned */
            struct sensitive_insn s;
            if (sensitive_classify(code + at, (size_t)len, &s) && watched(s.kind))
                add_site(t, sym.value + at, &s, name, at);
            at += (uint32_t)len;
        }
    }
    machine_set_translator(t->m, watch_scan, watch_step, NULL, t);
    return true;
}

/* The selector a LAR, LSL, VERR or VERW examines: its register or memory operand. */
static bool examined_selector(struct vmm_trap *t, const struct cpu_state *st, uint16_t *sel)
{
    uint8_t code[16];
    size_t n = machine_monitor_read_code(t->m, st, code, sizeof code);
    struct sensitive_insn s;
    if (!sensitive_classify(code, n, &s) || !s.modrm_at || s.modrm_at >= n)
        return false;
    uint8_t modrm = code[s.modrm_at];
    if ((modrm >> 6) == 3) {
        *sel = (uint16_t)st->gpr[modrm & 7];
        return true;
    }
    struct mem_operands ops;
    if (mem_operands_decode(t->dis, code, n, st->seg[SEG_CS].base + st->eip, true, &ops) <= 0 ||
        !ops.count)
        return false;
    uint32_t lin = st->seg[ops.ref[0].seg].base + seg_limit_offset(st, &ops.ref[0]);
    return machine_monitor_read_linear(t->m, st, lin, sel, 2);
}

static void note(struct vmm_trap *t, enum trap_failure f, const struct cpu_state *st, int site,
                 uint32_t detail, uint32_t detail2)
{
    if (trap_note_failure(t, f, inspect_icount(t->m), st->seg[SEG_CS].selector, st->eip,
                          detail)) {
        t->fail[f].detail2 = detail2;
        t->fail[f].site = site;
    }
}

static void watch_hit(struct vmm_trap *t, int i, const struct cpu_state *at)
{
    struct cpu_state st = *at;
    struct trap_site *site = &t->sites[i];
    site->hits++;
    uint8_t vcpl = trap_virtual_cpl(t, &st);
    if (st.cpl != 1 || vcpl != 0)
        return; /* the guest's own ring 1: it gets what it should */
    switch (site->kind) {
    case SENSITIVE_POPF: {
        /* POPF changes IF only at CPL <= IOPL (SDM Vol. 2B POPF). */
        uint32_t popped = 0;
        unsigned iopl = (st.eflags & EFLAGS_IOPL) >> EFLAGS_IOPL_SHIFT;
        if (machine_monitor_read_linear(t->m, &st, st.seg[SEG_SS].base + st.gpr[GPR_ESP],
                                        &popped, 4) &&
            st.cpl > iopl && ((popped ^ st.eflags) & EFLAGS_IF))
            note(t, FAIL_POPF_IF, &st, i, popped, st.eflags);
        break;
    }
    case SENSITIVE_READ_CS:
        note(t, FAIL_READ_CS, &st, i, st.seg[SEG_CS].selector, vcpl);
        break;
    case SENSITIVE_READ_SS:
        if ((st.seg[SEG_SS].selector & 3) != vcpl)
            note(t, FAIL_READ_CS, &st, i, st.seg[SEG_SS].selector, vcpl);
        break;
    case SENSITIVE_STORE_GDTR:
        if (st.gdtr.base != t->v.gdtr.base)
            note(t, FAIL_SGDT, &st, i, st.gdtr.base, t->v.gdtr.base);
        break;
    case SENSITIVE_LAR: {
        uint16_t sel;
        uint64_t guest, shadow;
        if (examined_selector(t, &st, &sel) && !(sel & 4) &&
            trap_guest_desc(t, &st, sel >> 3, &guest) && trap_shadow_desc(t, sel >> 3, &shadow) &&
            trap_decoded(guest).dpl != trap_decoded(shadow).dpl)
            note(t, FAIL_LAR, &st, i, sel,
                 (uint32_t)trap_decoded(guest).dpl << 4 | trap_decoded(shadow).dpl);
        break;
    }
    default:
        break;
    }
}
