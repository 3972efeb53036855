/* The audit's laboratory: one machine on which each experiment starts from
 * a fresh state, built here from nothing (memory and CPU both written
 * through control.h), then takes one step and is read back through
 * inspect.h.
 *
 * The fresh state is a small protected-mode system with paging off:
 *
 *   GDT   0x08 ring-0 code   0x10 ring-0 data   0x19 ring-1 code
 *         0x21 ring-1 data   0x2b ring-3 code   0x33 ring-3 data
 *         0x38 TSS (busy, TR) 0x40 LDT (LDTR)   0x4b call gate, DPL 3, to
 *         ring-0 code        0x50 a second TSS (available, for LTR)
 *         0x58 a second LDT  0x60 a third TSS (the moved machine's TR)
 *   IDT   vectors 0-31: ring-0 interrupt gates (DPL 0); 0x80: a DPL-3
 *         interrupt gate to ring-0 code, the system call
 *   TSS   SS0:ESP0 and SS1:ESP1 valid; no I/O bit map (every port is
 *         refused where the map decides, SDM Vol. 1 19.5)
 *
 * All segments are flat.  A context runs with its ring's CS and SS, DS =
 * ES = FS = GS = 0x33 (a selector every ring may hold), IOPL 0, IF clear;
 * virtual-8086 mode with real-mode segments.  The moved configuration
 * (CONFIG_MOVED) has the same tables at other addresses, LDTR = 0x58,
 * TR = 0x60, CR0.TS and CR0.MP set and EFLAGS.IF set: what a monitor's
 * machine looks like under a guest that believes it owns the real one. */
#include "vmm/audit.h"
#include "vmm/audit_layout.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "control.h"
#include "cpu/cpu_state.h"
#include "inspect.h"
#include "machine.h"

struct audit_rig {
    struct machine *m;
    uint8_t *image; /* [0, IMAGE_END) as the next experiment starts */
    struct cpu_state st;
    bool saw_exception;
    struct trace_event exception;
};

/* ---- building the tables ---------------------------------------------------- */

static void put32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
    p[2] = (uint8_t)(v >> 16);
    p[3] = (uint8_t)(v >> 24);
}

/* A segment descriptor (SDM Vol. 3A 3.4.5, Figure 3-8): access is the
 * byte with P, DPL, S and the type; flags the G and D/B nibble. */
static void put_desc(uint8_t *gdt, uint16_t sel, uint32_t base, uint32_t limit, uint8_t access,
                     uint8_t flags)
{
    uint8_t *d = gdt + (sel & ~7u);
    d[0] = (uint8_t)limit;
    d[1] = (uint8_t)(limit >> 8);
    d[2] = (uint8_t)base;
    d[3] = (uint8_t)(base >> 8);
    d[4] = (uint8_t)(base >> 16);
    d[5] = access;
    d[6] = (uint8_t)((flags & 0xf0u) | ((limit >> 16) & 0x0fu));
    d[7] = (uint8_t)(base >> 24);
}

/* A gate (SDM Vol. 3A 6.11, Figure 6-2; 5.8.3, Figure 5-8). */
static void put_gate(uint8_t *slot, uint16_t sel, uint32_t offset, uint8_t type)
{
    slot[0] = (uint8_t)offset;
    slot[1] = (uint8_t)(offset >> 8);
    slot[2] = (uint8_t)sel;
    slot[3] = (uint8_t)(sel >> 8);
    slot[4] = 0;
    slot[5] = type;
    slot[6] = (uint8_t)(offset >> 16);
    slot[7] = (uint8_t)(offset >> 24);
}

static void put_tss(uint8_t *tss)
{
    memset(tss, 0, 104);
    put32(tss + 4, STACK0_TOP);  /* ESP0 */
    put32(tss + 8, SEL_KDATA);   /* SS0 */
    put32(tss + 12, STACK1_TOP); /* ESP1 */
    put32(tss + 16, SEL_R1DATA); /* SS1 */
    tss[102] = 104;              /* I/O map base at the limit: no map */
}

static void build_image(uint8_t *img, enum audit_config cfg)
{
    memset(img, 0, IMAGE_END);
    uint32_t gdt_at = cfg == CONFIG_MOVED ? GDT_MOVED : GDT_NATIVE;
    uint32_t idt_at = cfg == CONFIG_MOVED ? IDT_MOVED : IDT_NATIVE;
    uint8_t *gdt = img + gdt_at;
    put_desc(gdt, SEL_KCODE, 0, 0xfffff, 0x9a, 0xc0);
    put_desc(gdt, SEL_KDATA, 0, 0xfffff, 0x92, 0xc0);
    put_desc(gdt, SEL_R1CODE, 0, 0xfffff, 0xba, 0xc0);
    put_desc(gdt, SEL_R1DATA, 0, 0xfffff, 0xb2, 0xc0);
    put_desc(gdt, SEL_UCODE, 0, 0xfffff, 0xfa, 0xc0);
    put_desc(gdt, SEL_UDATA, 0, 0xfffff, 0xf2, 0xc0);
    /* The TSS TR names is busy (type 0xB); the others available (0x9). */
    put_desc(gdt, SEL_TSS, TSS_MAIN, 103, cfg == CONFIG_MOVED ? 0x89 : 0x8b, 0x00);
    put_desc(gdt, SEL_LDT, LDT_MAIN, 7, 0x82, 0x00);
    put_gate(gdt + (SEL_GATE & ~7u), SEL_KCODE, TARGET_GATE, 0xec);
    put_desc(gdt, SEL_TSS_SPARE, TSS_SPARE, 103, 0x89, 0x00);
    put_desc(gdt, SEL_LDT_MOVED, LDT_MOVED, 7, 0x82, 0x00);
    put_desc(gdt, SEL_TSS_MOVED, TSS_MOVED, 103, cfg == CONFIG_MOVED ? 0x8b : 0x89, 0x00);
    uint8_t *idt = img + idt_at;
    for (unsigned v = 0; v < 32; v++)
        put_gate(idt + 8 * v, SEL_KCODE, TARGET_EXCEPTION, 0x8e);
    put_gate(idt + 8 * SYSCALL_VECTOR, SEL_KCODE, TARGET_SYSCALL, 0xee);
    put_tss(img + TSS_MAIN);
    put_tss(img + TSS_SPARE);
    put_tss(img + TSS_MOVED);
    /* The pseudo-descriptors LGDT and LIDT load: the tables in force. */
    uint8_t *p = img + POINTERS;
    p[0] = GDT_ENTRIES * 8 - 1;
    put32(p + 2, gdt_at);
    p[8] = 0xff;
    p[9] = 0x07;
    put32(p + 10, idt_at);
    memset(img + SCRATCH, 0xcc, AUDIT_SCRATCH_BYTES);
    /* Every handler and target is a HLT: the step stops at its door. */
    for (uint32_t h = HANDLERS; h < HANDLERS + 0x60; h += 0x10)
        img[h] = 0xf4;
}

/* ---- the CPU state --------------------------------------------------------- */

static struct seg_cache flat(uint16_t sel, uint8_t access)
{
    /* flags = the descriptor's high dword: access byte at bits 8-15,
     * G and D/B set, limit 19:16 all ones. */
    return (struct seg_cache){sel, 0, 0xffffffffu,
                              ((uint32_t)access << 8) | DESC_G | DESC_B | (0xfu << 16)};
}

static struct seg_cache real_seg(uint16_t sel)
{
    /* Virtual-8086 mode: base = selector * 16, limit 0xFFFF, a present
     * writable data segment of DPL 3 (SDM Vol. 3A 20.1.1). */
    return (struct seg_cache){sel, (uint32_t)sel << 4, 0xffff,
                              DESC_P | DESC_S | (3u << DESC_DPL_SHIFT) | (0x3u << DESC_TYPE_SHIFT)};
}

static struct seg_cache sys_seg(uint16_t sel, uint32_t base, uint32_t limit, uint8_t type)
{
    return (struct seg_cache){sel, base, limit, DESC_P | ((uint32_t)type << DESC_TYPE_SHIFT)};
}

static void build_cpu(struct cpu_state *st, enum audit_ctx ctx, enum audit_config cfg,
                      bool umip, uint32_t code)
{
    memset(st, 0, sizeof *st);
    st->eflags = EFLAGS_FIXED1 | (cfg == CONFIG_MOVED ? EFLAGS_IF : 0);
    st->cr0 = CR0_PE | (1u << 4) | (cfg == CONFIG_MOVED ? CR0_TS | (1u << 1) : 0); /* ET; TS, MP */
    st->cr4 = umip ? CR4_UMIP : 0;
    st->gdtr = (struct table_reg){cfg == CONFIG_MOVED ? GDT_MOVED : GDT_NATIVE, GDT_ENTRIES * 8 - 1};
    st->idtr = (struct table_reg){cfg == CONFIG_MOVED ? IDT_MOVED : IDT_NATIVE, 0x7ff};
    st->ldtr = cfg == CONFIG_MOVED ? sys_seg(SEL_LDT_MOVED, LDT_MOVED, 7, 0x2)
                                   : sys_seg(SEL_LDT, LDT_MAIN, 7, 0x2);
    /* The engine keeps TR's cache as LTR read it, before it marked the
     * descriptor busy: type 9 (and refuses a call gate's stack switch
     * with any other). */
    st->tr = cfg == CONFIG_MOVED ? sys_seg(SEL_TSS_MOVED, TSS_MOVED, 103, 0x9)
                                 : sys_seg(SEL_TSS, TSS_MAIN, 103, 0x9);
    if (ctx == CTX_V86) {
        st->eflags |= EFLAGS_VM;
        st->seg[SEG_CS] = real_seg((uint16_t)(CODE >> 4));
        st->eip = code - CODE;
        st->seg[SEG_SS] = real_seg(V86_SS);
        st->gpr[GPR_ESP] = V86_SP;
        for (int s = SEG_ES; s < SEG_COUNT; s++)
            if (s != SEG_CS && s != SEG_SS)
                st->seg[s] = real_seg((uint16_t)(SCRATCH >> 4));
        st->cpl = 3;
        return;
    }
    static const uint16_t cs[] = {SEL_KCODE, SEL_R1CODE, SEL_UCODE};
    static const uint16_t ss[] = {SEL_KDATA, SEL_R1DATA, SEL_UDATA};
    static const uint32_t top[] = {STACK0_TOP, STACK1_TOP, STACK3_TOP};
    static const uint8_t dpl[] = {0, 1, 3};
    uint8_t ring = dpl[ctx];
    st->seg[SEG_CS] = flat(cs[ctx], (uint8_t)(0x9b | ring << 5));
    st->seg[SEG_SS] = flat(ss[ctx], (uint8_t)(0x93 | ring << 5));
    st->gpr[GPR_ESP] = top[ctx];
    for (int s = SEG_ES; s < SEG_COUNT; s++)
        if (s != SEG_CS && s != SEG_SS)
            st->seg[s] = flat(SEL_UDATA, 0xf3);
    st->eip = code;
    st->cpl = ring;
}

/* ---- the row's set-up -------------------------------------------------------- */

static uint32_t stack_linear(const struct cpu_state *st)
{
    uint32_t esp = st->gpr[GPR_ESP];
    if (st->eflags & EFLAGS_VM)
        esp &= 0xffff;
    return st->seg[SEG_SS].base + esp;
}

static void op_push(struct audit_state_ops *ops, uint32_t value)
{
    struct audit_rig *r = ops->rig;
    r->st.gpr[GPR_ESP] -= 4;
    put32(r->image + stack_linear(&r->st), value);
}

static void op_set_cr4(struct audit_state_ops *ops, uint32_t bits)
{
    struct audit_rig *r = ops->rig;
    r->st.cr4 |= bits;
    ops->cr4 = r->st.cr4;
}

/* ---- the machine ------------------------------------------------------------ */

static bool load_nothing(void *opaque, uint8_t *ram, size_t ram_size, struct boot_info *boot,
                         char *err, size_t errlen)
{
    (void)opaque;
    (void)err;
    (void)errlen;
    if (ram_size > HANDLERS)
        ram[HANDLERS] = 0xf4;
    memset(boot, 0, sizeof *boot);
    boot->entry = HANDLERS;
    return true;
}

static void note_event(void *opaque, const struct trace_event *ev)
{
    struct audit_rig *r = opaque;
    if (ev->kind == TRACE_EXCEPTION && !r->saw_exception) {
        r->saw_exception = true;
        r->exception = *ev;
    }
}

/* Mask every line of both PICs, from ring 0, so that no IRQ lands in an
 * experiment that sets IF: mov al, 0xff; out 0x21, al; out 0xa1, al. */
static bool mask_irqs(struct audit_rig *r)
{
    static const uint8_t code[] = {0xb0, 0xff, 0xe6, 0x21, 0xe6, 0xa1, 0xf4};
    memset(r->image, 0, IMAGE_END);
    memcpy(r->image + CODE, code, sizeof code);
    build_cpu(&r->st, CTX_CPL0, CONFIG_NATIVE, false, CODE);
    struct run_result res;
    return control_write_phys(r->m, 0, r->image, IMAGE_END) && control_write_cpu(r->m, &r->st) &&
           control_step(r->m, 3, &res) == RUN_INSNS;
}

static bool rig_machine(struct audit_rig *r, char *err, size_t errlen)
{
    struct machine_config cfg = {
        .ram_size = RAM_SIZE,
        .rtc_epoch = 946684800,
        .load = load_nothing,
    };
    r->m = machine_create(&cfg, err, errlen);
    if (!r->m)
        return false;
    if (!machine_add_sink(r->m, (struct trace_sink){note_event, r}) ||
        !machine_power_on(r->m, err, errlen)) {
        if (!*err)
            snprintf(err, errlen, "cannot add the audit's event sink");
        machine_destroy(r->m);
        r->m = NULL;
        return false;
    }
    if (!mask_irqs(r)) {
        snprintf(err, errlen, "cannot mask the interrupt controllers");
        machine_destroy(r->m);
        r->m = NULL;
        return false;
    }
    return true;
}

struct audit_rig *audit_rig_open(char *err, size_t errlen)
{
    struct audit_rig *r = calloc(1, sizeof *r);
    if (r)
        r->image = malloc(IMAGE_END);
    if (!r || !r->image) {
        snprintf(err, errlen, "out of memory");
        if (r)
            free(r);
        return NULL;
    }
    *err = 0;
    if (!rig_machine(r, err, errlen)) {
        free(r->image);
        free(r);
        return NULL;
    }
    return r;
}

void audit_rig_close(struct audit_rig *r)
{
    if (!r)
        return;
    if (r->m)
        machine_destroy(r->m);
    free(r->image);
    free(r);
}

static void read_priv(const struct cpu_state *st, struct audit_priv *p)
{
    p->eflags_sys = st->eflags & (EFLAGS_IF | EFLAGS_IOPL | EFLAGS_VM);
    p->cr0 = st->cr0;
    p->cr3 = st->cr3;
    p->cr4 = st->cr4;
    p->gdt_base = st->gdtr.base;
    p->gdt_limit = st->gdtr.limit;
    p->idt_base = st->idtr.base;
    p->idt_limit = st->idtr.limit;
    p->ldtr = st->ldtr.selector;
    p->tr = st->tr.selector;
}

/* Virtual-8086 mode: the machine's stepper counts instructions as 32-bit
 * code, so 16-bit code is not stepped but run until the first exception:
 * the instruction's own, or the #GP(0) of the HLT after it (HLT at CPL 3).
 * In the second case the state after the instruction is the one the
 * #GP's virtual-8086 frame saved (SDM Vol. 3A 20.3.1, Figure 20-2: EIP,
 * CS, EFLAGS, ESP, SS, ES, DS, FS, GS on the ring-0 stack), and the event
 * is not the instruction's. */
static bool run_v86(struct audit_rig *r, const struct cpu_state *before, struct cpu_state *after,
                    uint32_t len)
{
    struct run_request req = {.stop_on = STOP_ON_FAULT, .max_insns = 0};
    struct run_result res;
    if (control_run(r->m, &req, &res) != RUN_EVENT || !r->saw_exception ||
        !inspect_cpu(r->m, after))
        return false;
    if (r->exception.before.eip == before->eip)
        return true; /* the instruction trapped */
    r->saw_exception = false;
    uint32_t frame[10]; /* the error code first, when there is one */
    if (!inspect_phys(r->m, after->seg[SEG_SS].base + after->gpr[GPR_ESP], frame, sizeof frame))
        return false;
    const uint32_t *f = frame + (r->exception.has_error_code ? 1 : 0);
    after->eip = f[0];
    after->seg[SEG_CS] = real_seg((uint16_t)f[1]);
    after->eflags = f[2];
    after->gpr[GPR_ESP] = f[3];
    after->seg[SEG_SS] = real_seg((uint16_t)f[4]);
    after->seg[SEG_ES] = real_seg((uint16_t)f[5]);
    after->seg[SEG_DS] = real_seg((uint16_t)f[6]);
    after->seg[SEG_FS] = real_seg((uint16_t)f[7]);
    after->seg[SEG_GS] = real_seg((uint16_t)f[8]);
    return true;
}

/* The status flags and the others no privilege guards (SDM Vol. 1 3.4.3). */
#define FLAGS_RESULT (0x8d5u | EFLAGS_DF | EFLAGS_NT | EFLAGS_AC)

bool audit_rig_run(struct audit_rig *r, const struct audit_insn *insn, enum audit_ctx ctx,
                   enum audit_config cfg, bool umip, struct audit_outcome *out, char *err,
                   size_t errlen)
{
    memset(out, 0, sizeof *out);
    const uint8_t *code = ctx == CTX_V86 ? insn->code16 : insn->code32;
    size_t len = ctx == CTX_V86 ? insn->len16 : insn->len32;
    if (len == 0)
        return true;
    out->measured = true;
    if (!r->m && !rig_machine(r, err, errlen))
        return false;
    size_t row = (size_t)(insn - audit_catalogue);
    uint32_t at = CODE + (uint32_t)(row * CODE_STRIDE);
    build_image(r->image, cfg);
    memcpy(r->image + at, code, len);
    r->image[at + len] = 0xf4;
    build_cpu(&r->st, ctx, cfg, umip, at);
    /* The far pointer JMP FAR m16:32 reads: the context's own code. */
    put32(r->image + POINTERS + 0x10, TARGET_JMP);
    r->image[POINTERS + 0x14] = (uint8_t)r->st.seg[SEG_CS].selector;
    struct audit_state_ops ops = {
        .rig = r,
        .gpr = r->st.gpr,
        .eflags = &r->st.eflags,
        .cr0 = r->st.cr0,
        .cr4 = r->st.cr4,
        .own_cs = r->st.seg[SEG_CS].selector,
        .own_ss = r->st.seg[SEG_SS].selector,
        .push = op_push,
        .set_cr4 = op_set_cr4,
    };
    if (insn->setup)
        insn->setup(&ops, ctx);
    struct cpu_state before = r->st;
    if (!control_write_phys(r->m, 0, r->image, IMAGE_END) || !control_write_cpu(r->m, &before)) {
        snprintf(err, errlen, "%s: cannot set up the machine", insn->name);
        return false;
    }
    struct cpu_state check;
    if (!inspect_cpu(r->m, &check) || check.eip != before.eip ||
        check.seg[SEG_CS].selector != before.seg[SEG_CS].selector ||
        ((check.eflags ^ before.eflags) & EFLAGS_VM)) {
        snprintf(err, errlen, "%s in %s: the machine did not take the state", insn->name,
                 audit_ctx_name(ctx));
        return false;
    }
    r->saw_exception = false;
    struct run_result res;
    struct cpu_state after;
    if (ctx == CTX_V86) {
        if (!run_v86(r, &before, &after, (uint32_t)len)) {
            snprintf(err, errlen, "%s in virtual-8086 mode: no fault came", insn->name);
            return false;
        }
    } else {
        control_step(r->m, 1, &res);
        if (!inspect_cpu(r->m, &after)) {
            snprintf(err, errlen, "%s: cannot read the CPU back", insn->name);
            return false;
        }
    }
    read_priv(&before, &out->before);
    read_priv(&after, &out->after);
    if (r->saw_exception) {
        out->trapped = true;
        out->vector = r->exception.vector;
        out->has_error_code = r->exception.has_error_code;
        out->error_code = r->exception.error_code;
    } else {
        for (int i = 0; i < 8; i++)
            if (i != GPR_ESP && after.gpr[i] != before.gpr[i]) {
                out->gpr[i] = after.gpr[i];
                out->gpr_changed |= (uint8_t)(1u << i);
            }
        out->esp_loaded = after.seg[SEG_SS].selector != before.seg[SEG_SS].selector;
        out->esp = out->esp_loaded ? after.gpr[GPR_ESP]
                                   : after.gpr[GPR_ESP] - before.gpr[GPR_ESP];
        out->eip_loaded = after.seg[SEG_CS].selector != before.seg[SEG_CS].selector ||
                          after.eip - before.eip > 16;
        out->eip = out->eip_loaded ? after.eip : after.eip - before.eip;
        out->cs = out->eip_loaded && after.seg[SEG_CS].selector != before.seg[SEG_CS].selector
                      ? after.seg[SEG_CS].selector
                      : 0;
        out->ss = out->esp_loaded ? after.seg[SEG_SS].selector : 0;
        out->ds = after.seg[SEG_DS].selector;
        out->es = after.seg[SEG_ES].selector;
        out->fs = after.seg[SEG_FS].selector;
        out->gs = after.seg[SEG_GS].selector;
        out->flags = after.eflags & FLAGS_RESULT;
        inspect_phys(r->m, stack_linear(&after), out->stack, sizeof out->stack);
        inspect_phys(r->m, SCRATCH, out->scratch, sizeof out->scratch);
    }
    if (machine_end(r->m) != END_NONE) {
        /* The instruction ended the machine (a HLT nothing can wake):
         * the next experiment gets a new one. */
        machine_destroy(r->m);
        r->m = NULL;
    }
    return true;
}

/* ---- the whole catalogue ---------------------------------------------------- */

static bool run_rows(struct audit_rig *rig, struct audit_row *rows, bool umip, char *err,
                     size_t errlen)
{
    for (size_t i = 0; i < audit_catalogue_size; i++) {
        struct audit_row *row = &rows[i];
        memset(row, 0, sizeof *row);
        row->insn = &audit_catalogue[i];
        for (int c = 0; c < CTX_COUNT; c++) {
            if (!audit_rig_run(rig, row->insn, c, CONFIG_NATIVE, umip, &row->out[c], err, errlen))
                return false;
            if (c != CTX_CPL0 && row->out[c].measured && !row->out[c].trapped &&
                !audit_rig_run(rig, row->insn, c, CONFIG_MOVED, umip, &row->moved[c], err,
                               errlen))
                return false;
        }
        audit_classify(row);
    }
    return true;
}

bool audit_run(struct audit_row *rows, bool umip, char *err, size_t errlen)
{
    struct audit_rig *rig = audit_rig_open(err, errlen);
    if (!rig)
        return false;
    bool ok = run_rows(rig, rows, umip, err, errlen);
    if (ok && umip) {
        /* Which rows UMIP fixes: the same audit without it. */
        struct audit_row *plain = calloc(audit_catalogue_size, sizeof *plain);
        ok = plain && run_rows(rig, plain, false, err, errlen);
        if (!plain)
            snprintf(err, errlen, "out of memory");
        for (size_t i = 0; ok && i < audit_catalogue_size; i++)
            rows[i].fixed_by_umip =
                plain[i].verdict == VERDICT_SENSITIVE && rows[i].verdict == VERDICT_PRIVILEGED;
        free(plain);
    }
    audit_rig_close(rig);
    return ok;
}
