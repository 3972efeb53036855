/* Hardware task switch through a task gate (SDM Vol. 3A 7.3, and the
 * exception conditions of Table 7-1, checked in that order). */
#include "cpu/task.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "cpu/desc.h" /* TSS field offsets: Figures 7-2 and 7-11 */



static bool mem_fault(struct cpu_fault *f, const struct linear_fault *lf, const char *what)
{
    f->cr2 = lf->cr2;
    return cpu_fault_raise(f, VEC_PF, lf->error_code, "%s", what);
}

/* Read the GDT/LDT descriptor of `sel`; false if beyond the table. */
static bool fetch_descriptor(const struct linear_mem *mem, const struct cpu_state *st,
                             uint16_t sel, struct descriptor *d, uint32_t *addr)
{
    uint32_t base = st->gdtr.base, limit = st->gdtr.limit;
    if (sel & 4) {
        if ((st->ldtr.selector & ~3u) == 0)
            return false;
        base = st->ldtr.base;
        limit = st->ldtr.limit;
    }
    if ((uint32_t)(sel & ~7u) + 7 > limit)
        return false;
    uint32_t raw[2];
    if (!linear_read(mem, base + (sel & ~7u), raw, 8, false, NULL))
        return false;
    desc_decode(raw[0], raw[1], d);
    *addr = base + (sel & ~7u);
    return true;
}

/* Load the new task's segment registers, after the commit point: a fault
 * here is delivered in the new task's context (Table 7-1). */
static bool load_task_segments(const struct linear_mem *mem, struct cpu_state *st,
                               const uint16_t sel[SEG_COUNT], uint16_t ldt, uint32_t ext,
                               struct cpu_fault *f)
{
    struct descriptor d;
    uint32_t addr;
    f->committed = true;

    /* SDM Vol. 3A 7.3, steps 12 and 13: the segment selectors are loaded
     * first, then the descriptors are loaded and qualified.  So a fault
     * while qualifying one finds every register holding the new task's
     * selector (what a later switch saves in this TSS).  The descriptor
     * caches not yet loaded are left empty, as QEMU leaves them; CS's and
     * SS's keep the old ones until their own loads below, so that the CPL
     * stays the old one until the new CS is loaded. */
    for (int r = 0; r < SEG_COUNT; r++) {
        if (r != SEG_CS && r != SEG_SS)
            memset(&st->seg[r], 0, sizeof st->seg[r]);
        st->seg[r].selector = sel[r];
    }

    /* The LDT selector must name an LDT in the GDT: #TS(LDT selector). */
    memset(&st->ldtr, 0, sizeof st->ldtr);
    st->ldtr.selector = ldt;
    if ((ldt & ~3u) != 0) {
        if ((ldt & 4) || !fetch_descriptor(mem, st, ldt, &d, &addr) || d.s || d.type != 2)
            return cpu_fault_raise(f, VEC_TS, (ldt & ~3u) | ext, "the new task's LDT selector 0x%04x is invalid", ldt);
        if (!d.present)
            return cpu_fault_raise(f, VEC_TS, (ldt & ~3u) | ext, "the new task's LDT is not present");
        st->ldtr = desc_to_cache(ldt, &d);
    }

    if (st->eflags & EFLAGS_VM) {
        /* A virtual-8086 task: segments are paragraphs (20.1.1). */
        for (int r = 0; r < SEG_COUNT; r++) {
            st->seg[r].selector = sel[r];
            st->seg[r].base = (uint32_t)sel[r] << 4;
            st->seg[r].limit = 0xffff;
            st->seg[r].flags = DESC_P | DESC_S | (3u << DESC_DPL_SHIFT) | (3u << DESC_TYPE_SHIFT);
        }
        st->cpl = 3;
        return true;
    }

    /* CS: a present code segment; its RPL is the new CPL (7.3 step 13). */
    uint16_t cs = sel[SEG_CS];
    uint32_t cs_err = (cs & ~3u) | ext;
    if ((cs & ~3u) == 0 || !fetch_descriptor(mem, st, cs, &d, &addr) || !desc_is_code(&d))
        return cpu_fault_raise(f, VEC_TS, cs_err, "the new task's CS 0x%04x is not a code segment", cs);
    if (desc_is_conforming(&d) ? d.dpl > (cs & 3) : d.dpl != (cs & 3))
        return cpu_fault_raise(f, VEC_TS, cs_err, "the new task's CS 0x%04x has DPL %d for RPL %d", cs, d.dpl, cs & 3);
    if (!d.present)
        return cpu_fault_raise(f, VEC_NP, cs_err, "the new task's CS 0x%04x is not present", cs);
    st->seg[SEG_CS] = desc_to_cache(cs, &d);
    uint8_t cpl = cs & 3;
    st->cpl = cpl;

    /* SS: a present writable data segment with RPL = DPL = CPL. */
    uint16_t ss = sel[SEG_SS];
    uint32_t ss_err = (ss & ~3u) | ext;
    if ((ss & ~3u) == 0 || !fetch_descriptor(mem, st, ss, &d, &addr) || !desc_is_data(&d) ||
        !desc_is_writable(&d) || (ss & 3) != cpl || d.dpl != cpl)
        return cpu_fault_raise(f, VEC_TS, ss_err, "the new task's SS 0x%04x is not a writable ring-%d data segment", ss, cpl);
    if (!d.present)
        return cpu_fault_raise(f, VEC_SS, ss_err, "the new task's SS 0x%04x is not present", ss);
    st->seg[SEG_SS] = desc_to_cache(ss, &d);

    /* DS, ES, FS, GS: null, or readable segments the CPL may use. */
    static const enum seg_reg data_regs[] = {SEG_ES, SEG_DS, SEG_FS, SEG_GS};
    for (size_t i = 0; i < sizeof data_regs / sizeof data_regs[0]; i++) {
        enum seg_reg r = data_regs[i];
        uint16_t s = sel[r];
        uint32_t err = (s & ~3u) | ext;
        if ((s & ~3u) == 0) {
            memset(&st->seg[r], 0, sizeof st->seg[r]);
            st->seg[r].selector = s;
            continue;
        }
        if (!fetch_descriptor(mem, st, s, &d, &addr) || d.s == 0 ||
            (desc_is_code(&d) && !desc_is_readable(&d)))
            return cpu_fault_raise(f, VEC_TS, err, "the new task's selector 0x%04x is not a data segment", s);
        if (!(desc_is_code(&d) && desc_is_conforming(&d)) && (d.dpl < cpl || d.dpl < (s & 3)))
            return cpu_fault_raise(f, VEC_TS, err, "the new task's selector 0x%04x is not accessible at CPL %d", s, cpl);
        if (!d.present)
            return cpu_fault_raise(f, VEC_NP, err, "the new task's segment 0x%04x is not present", s);
        st->seg[r] = desc_to_cache(s, &d);
    }
    return true;
}

bool task_switch(const struct task_env *env, struct cpu_state *st, uint16_t tss_sel,
                 enum task_switch_reason reason, uint32_t return_eip, struct cpu_fault *f)
{
    const struct linear_mem *mem = env->mem;
    uint32_t sel_err = (tss_sel & ~3u) | env->ext;
    struct descriptor nd;
    uint32_t nd_addr;
    struct linear_fault lf;
    (void)reason; /* only the nested (interrupt) kind is needed: see task.h */
    memset(f, 0, sizeof *f);

    /* The TSS selector must name a GDT entry: #GP(TSS selector + EXT). */
    if ((tss_sel & 4) || !fetch_descriptor(mem, st, tss_sel, &nd, &nd_addr))
        return cpu_fault_raise(f, VEC_GP, sel_err, "task gate selector 0x%04x is not in the GDT", tss_sel);
    /* It must be an available TSS: #GP(TSS selector + EXT). */
    bool new32 = nd.type == 9, new16 = nd.type == 1;
    if (nd.s || !(new32 || new16))
        return cpu_fault_raise(f, VEC_GP, sel_err, "selector 0x%04x is not an available TSS%s", tss_sel,
                    (!nd.s && (nd.type == 3 || nd.type == 11)) ? " (it is busy)" : "");
    /* Present: #NP(TSS selector + EXT). */
    if (!nd.present)
        return cpu_fault_raise(f, VEC_NP, sel_err, "TSS 0x%04x is not present", tss_sel);
    /* Large enough for a TSS of its kind: #TS(TSS selector + EXT). */
    if (nd.limit < (new32 ? TSS32_MIN_LIMIT : TSS16_MIN_LIMIT))
        return cpu_fault_raise(f, VEC_TS, sel_err, "TSS 0x%04x has limit 0x%x, too small", tss_sel, nd.limit);

    /* Read the new TSS and save the old state into the current TSS while
     * the old CR3 is still in force.  Page faults here are restartable.
     * Only the dynamic fields are written back (7.2.1): EIP, EFLAGS, the
     * general and segment registers. */
    uint8_t ntss[TSS32_SIZE] = {0};
    if (!linear_read(mem, nd.base, ntss, new32 ? TSS32_SIZE : TSS16_SIZE, false, &lf))
        return mem_fault(f, &lf, "reading the new TSS");
    bool old32 = ((st->tr.flags >> DESC_TYPE_SHIFT) & 8) != 0;
    uint8_t otss[TSS32_SIZE] = {0};
    if (!linear_read(mem, st->tr.base, otss, old32 ? TSS32_SIZE : TSS16_SIZE, false, &lf))
        return mem_fault(f, &lf, "reading the current TSS");
    /* The 16-bit TSS keeps ES CS SS DS (Figure 7-11). */
    static const enum seg_reg order16[] = {SEG_ES, SEG_CS, SEG_SS, SEG_DS};
    uint32_t dyn_from, dyn_to;
    if (old32) {
        struct tss32 t;
        tss32_decode(otss, &t);
        t.eip = return_eip;
        t.eflags = st->eflags;
        memcpy(t.gpr, st->gpr, sizeof t.gpr);
        for (int r = 0; r < SEG_COUNT; r++)
            t.seg[r] = st->seg[r].selector;
        tss32_encode(&t, otss);
        dyn_from = TSS32_EIP;
        dyn_to = TSS32_LDT;
    } else {
        struct tss16 t;
        tss16_decode(otss, &t);
        t.ip = (uint16_t)return_eip;
        t.flags = (uint16_t)st->eflags;
        for (int i = 0; i < 8; i++)
            t.gpr[i] = (uint16_t)st->gpr[i];
        for (int i = 0; i < 4; i++)
            t.seg[i] = st->seg[order16[i]].selector;
        tss16_encode(&t, otss);
        dyn_from = TSS16_IP;
        dyn_to = TSS16_LDT;
    }
    if (!linear_write(mem, st->tr.base + dyn_from, otss + dyn_from, dyn_to - dyn_from, false, &lf))
        return mem_fault(f, &lf, "saving the current task's state");

    /* A nested switch links back to the old task (7.4). */
    uint16_t link = st->tr.selector;
    linear_write(mem, nd.base + TSS32_LINK, &link, 2, false, NULL);
    /* Mark the new TSS busy (7.2.2). */
    nd.type |= 2;
    nd.hi |= 2u << DESC_TYPE_SHIFT;
    linear_write(mem, nd_addr + 4, &nd.hi, 4, false, NULL);

    /* The commit point: the new task's state is loaded. */
    st->tr = desc_to_cache(tss_sel, &nd);
    st->cr0 |= CR0_TS;
    uint16_t sel[SEG_COUNT] = {0};
    uint16_t ldt;
    if (new32) {
        struct tss32 t;
        tss32_decode(ntss, &t);
        if (st->cr0 & CR0_PG)
            st->cr3 = t.cr3;
        st->eip = t.eip;
        st->eflags = t.eflags | EFLAGS_FIXED1;
        memcpy(st->gpr, t.gpr, sizeof st->gpr);
        for (int r = 0; r < SEG_COUNT; r++)
            sel[r] = t.seg[r];
        ldt = t.ldt;
    } else {
        struct tss16 t;
        tss16_decode(ntss, &t);
        st->eip = t.ip;
        st->eflags = (st->eflags & 0xffff0000u) | t.flags | EFLAGS_FIXED1;
        for (int i = 0; i < 8; i++)
            st->gpr[i] = (st->gpr[i] & 0xffff0000u) | t.gpr[i];
        for (int i = 0; i < 4; i++)
            sel[order16[i]] = t.seg[i];
        ldt = t.ldt;
    }
    st->eflags |= EFLAGS_NT;

    /* Segment loads use the new task's address space. */
    struct linear_mem new_mem = *mem;
    new_mem.regs.cr3 = st->cr3;
    new_mem.regs.cr0 = st->cr0;
    return load_task_segments(&new_mem, st, sel, ldt, env->ext, f);
}
