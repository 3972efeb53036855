/* The paravirtual monitor (see vmm_pv.h): the hypercalls against the
 * virtual CPU, the events it looks at before the guest's IDT does, and
 * `info vmm`. */
#include "vmm/vmm_pv.h"

#include <stdio.h>
#include <string.h>

#include "control.h"
#include "cpu/desc.h"
#include "cpu/fastsys.h"
#include "cpu/fault.h"
#include "cpu/intr.h"
#include "inspect.h"
#include "trace/event.h"
#include "vmm/vmm_status.h"

static const char *const hc_name[HC_COUNT] = HC_NAMES;

/* The TSS fields the monitor moves (SDM Vol. 3A 7.2.1, Figure 7-2). */
#define TSS_ESP0 4u
#define TSS_SS0 8u
#define TSS_ESP1 12u
#define TSS_SS1 16u

static void note_failure(struct vmm_pv *p, const char *fmt, uint32_t a, uint32_t b, uint32_t c)
{
    if (!p->first_failure[0])
        snprintf(p->first_failure, sizeof p->first_failure, fmt, a, b, c);
}

/* ---- descriptors, through the guest's own GDT (the real one) ------------- */

static bool gdt_desc(struct vmm_pv *p, const struct cpu_state *st, uint16_t sel,
                     struct descriptor *d)
{
    uint32_t raw[2];
    unsigned index = selector_index(sel);
    if (selector_ti(sel) || index == 0 || index * 8u + 7 > st->gdtr.limit ||
        !machine_monitor_read_linear(p->m, st, st->gdtr.base + index * 8u, raw, 8))
        return false;
    desc_decode(raw[0], raw[1], d);
    return true;
}

/* Load segment register `reg` with `sel` for privilege level `pl`, as a
 * MOV or POP at that level would (SDM Vol. 3A 5.5: DPL = RPL = CPL for CS
 * and SS, DPL >= max(CPL, RPL) for data); a null selector for data. */
static bool load_seg(struct vmm_pv *p, struct cpu_state *st, int reg, uint16_t sel, uint8_t pl)
{
    if (selector_is_null(sel) && reg != SEG_CS && reg != SEG_SS) {
        st->seg[reg] = (struct seg_cache){sel, 0, 0, 0};
        return true;
    }
    struct descriptor d;
    if (!gdt_desc(p, st, sel, &d) || !d.s || !d.present)
        return false;
    bool code = desc_is_code(&d);
    if (reg == SEG_CS && (!code || d.dpl != pl || selector_rpl(sel) != pl))
        return false;
    if (reg == SEG_SS && (!desc_is_writable(&d) || d.dpl != pl || selector_rpl(sel) != pl))
        return false;
    st->seg[reg] = desc_to_cache(sel, &d);
    return true;
}

/* ---- the TSS: its SS0:ESP0 is the kernel's stack, SS1:ESP1 ring 3's
 * call gates' (the ring-1 service); the CPU takes SS1:ESP1 for an event
 * that leaves ring 3 for the ring-1 kernel, so each such event gets the
 * kernel's stack there, and each return to ring 3 puts the gates' back. */

static void tss_set_ring1_stack(struct vmm_pv *p, const struct cpu_state *st, uint16_t ss,
                                uint32_t esp)
{
    uint32_t ss32 = ss;
    if (!st->tr.selector || st->tr.limit < TSS_SS1 + 3)
        return;
    control_write_linear(p->m, &st->cr3, st->tr.base + TSS_ESP1, &esp, 4);
    control_write_linear(p->m, &st->cr3, st->tr.base + TSS_SS1, &ss32, 4);
}

static void tss_kernel_stack_for_event(struct vmm_pv *p, const struct cpu_state *st)
{
    uint32_t esp0 = 0, ss0 = 0;
    if (!st->tr.selector ||
        !machine_monitor_read_linear(p->m, st, st->tr.base + TSS_ESP0, &esp0, 4) ||
        !machine_monitor_read_linear(p->m, st, st->tr.base + TSS_SS0, &ss0, 2))
        return;
    tss_set_ring1_stack(p, st, (uint16_t)ss0, esp0);
}

/* ---- the hypercalls --------------------------------------------------------- */

/* HC_IRET: [ESP] holds the guest's EAX, then EIP, CS, EFLAGS and, for a
 * return to an outer ring, ESP and SS.  Done as IRET does it at CPL 0
 * (SDM Vol. 2A IRET, protected mode, RETURN-TO-SAME/OUTER-PRIVILEGE-LEVEL):
 * IF and IOPL come from the frame; the returns are to ring 1 or 3. */
static bool hc_iret(struct vmm_pv *p, struct cpu_state *st)
{
    uint32_t f[6];
    uint32_t sp = st->seg[SEG_SS].base + st->gpr[GPR_ESP];
    if (!machine_monitor_read_linear(p->m, st, sp, f, 16))
        return false;
    uint16_t cs = (uint16_t)f[2];
    uint8_t pl = selector_rpl(cs);
    if (pl < 1 || pl == 2 || (f[3] & EFLAGS_VM))
        return false; /* no ring 0 for the guest, no ring 2, no virtual-8086 mode */
    struct cpu_state n = *st;
    if (!load_seg(p, &n, SEG_CS, cs, pl))
        return false;
    uint32_t esp = st->gpr[GPR_ESP] + 16;
    if (pl > st->cpl) {
        if (!machine_monitor_read_linear(p->m, st, sp + 16, f + 4, 8) ||
            !load_seg(p, &n, SEG_SS, (uint16_t)f[5], pl))
            return false;
        esp = f[4];
        /* A data segment the outer ring may not use becomes null. */
        static const int data[4] = {SEG_ES, SEG_DS, SEG_FS, SEG_GS};
        for (int i = 0; i < 4; i++) {
            struct seg_cache *c = &n.seg[data[i]];
            unsigned dpl = (c->flags & DESC_DPL_MASK) >> DESC_DPL_SHIFT;
            bool conforming_code = (c->flags & (DESC_TYPE_CODE << DESC_TYPE_SHIFT)) &&
                                   (c->flags & (DESC_TYPE_CONFORMING << DESC_TYPE_SHIFT));
            if ((c->flags & DESC_P) && dpl < pl && !conforming_code)
                *c = (struct seg_cache){0, 0, 0, 0};
        }
        tss_set_ring1_stack(p, st, p->ss1, p->esp1);
    }
    n.gpr[GPR_EAX] = f[0];
    n.eip = f[1];
    n.eflags = (f[3] & 0x003f7fd5u) | EFLAGS_FIXED1;
    n.gpr[GPR_ESP] = esp;
    n.cpl = pl;
    *st = n;
    p->v.cpl = pl;
    p->v.iflag = (st->eflags & EFLAGS_IF) != 0;
    return true;
}

/* HC_SET_GDT: the guest's table becomes the real one, once no code or data
 * descriptor in it is DPL 0 (a PV monitor never lets the guest make
 * itself a ring-0 segment). */
static bool hc_set_gdt(struct vmm_pv *p, struct cpu_state *st, uint32_t base, uint32_t limit)
{
    struct table_reg t = {base, (uint16_t)limit};
    if (limit > 0xffff)
        return false;
    struct cpu_state probe = *st;
    probe.gdtr = t;
    for (unsigned i = 1; i * 8 + 7 <= limit; i++) {
        struct descriptor d;
        if (gdt_desc(p, &probe, (uint16_t)(i * 8), &d) && d.present && d.s && d.dpl == 0) {
            note_failure(p, "set_gdt refused: descriptor %u is DPL 0 (table at %08x/%04x)", i,
                         base, limit);
            return false;
        }
    }
    st->gdtr = p->v.gdtr = t;
    return true;
}

static bool hc_ltr(struct vmm_pv *p, struct cpu_state *st, uint16_t sel)
{
    struct descriptor d;
    if (!gdt_desc(p, st, sel, &d) || !desc_is_tss(&d) || !d.present)
        return false;
    st->tr = desc_to_cache(sel, &d);
    p->v.tr = sel;
    /* SDM Vol. 2A LTR: the descriptor is marked busy. */
    uint32_t hi = d.hi | (DESC_SYS_TSS_BUSY_BIT << 8);
    control_write_linear(p->m, &st->cr3, st->gdtr.base + selector_index(sel) * 8u + 4, &hi, 4);
    uint32_t esp1 = 0, ss1 = 0;
    machine_monitor_read_linear(p->m, st, st->tr.base + TSS_ESP1, &esp1, 4);
    machine_monitor_read_linear(p->m, st, st->tr.base + TSS_SS1, &ss1, 2);
    p->esp1 = esp1;
    p->ss1 = (uint16_t)ss1;
    return true;
}

static bool hc_wrmsr(struct vmm_pv *p, uint32_t msr, uint64_t value)
{
    /* The SYSENTER MSRs are the guest's own: the real SYSENTER_CS stays 0,
     * so that SYSENTER faults to the monitor instead of entering ring 0
     * (SDM Vol. 2B SYSENTER: #GP(0) when it is 0). */
    if (msr == MSR_SYSENTER_CS)
        p->v.sysenter_cs = (uint32_t)value;
    else if (msr == MSR_SYSENTER_ESP)
        p->v.sysenter_esp = (uint32_t)value;
    else if (msr == MSR_SYSENTER_EIP)
        p->v.sysenter_eip = (uint32_t)value;
    else
        return machine_monitor_msr(p->m, msr, &value, true);
    return true;
}

static bool hc_cr(struct vmm_pv *p, struct cpu_state *st, bool write, uint32_t n, uint32_t *value)
{
    uint32_t *virt = n == 0 ? &p->v.cr0 : n == 3 ? &p->v.cr3 : n == 4 ? &p->v.cr4 : NULL;
    if (!write) {
        if (n == 2)
            *value = st->cr2;
        else if (virt)
            *value = *virt;
        return n == 2 || virt;
    }
    if (!virt || (n == 0 && !(*value & CR0_PE)))
        return false;
    /* Ring 1 is a supervisor to the MMU (SDM Vol. 3A 4.6): the guest's own
     * page tables and CR0.WP serve unchanged. */
    *virt = *value;
    if (n == 0)
        st->cr0 = *value;
    else if (n == 4)
        st->cr4 = *value;
    else
        st->cr3 = *value;
    machine_monitor_flush_tlb(p->m);
    return true;
}

/* Execute hypercall EAX for the guest at CPL 1.  The verdict for the
 * machine; the answer is in EAX. */
static enum monitor_verdict hypercall(struct vmm_pv *p, struct cpu_state *st, uint64_t icount)
{
    uint32_t nr = st->gpr[GPR_EAX], b = st->gpr[GPR_EBX], c = st->gpr[GPR_ECX],
             d = st->gpr[GPR_EDX];
    uint32_t answer = 0, eip = st->eip;
    bool ok = true, halted = false;
    uint32_t at = st->eip - 2;
    switch (nr) {
    case HC_CLI:
        st->eflags &= ~EFLAGS_IF;
        break;
    case HC_STI: /* with STI's one-instruction shadow (SDM Vol. 3A 6.8.3) */
        st->eflags |= EFLAGS_IF;
        st->irq_inhibited = true;
        break;
    case HC_BLOCK:
        st->eflags |= EFLAGS_IF;
        halted = true;
        break;
    case HC_HALT:
        st->eflags &= ~EFLAGS_IF;
        halted = true;
        break;
    case HC_IN:
        ok = c == 1 || c == 2 || c == 4;
        if (ok)
            answer = machine_monitor_port_in(p->m, (uint16_t)b, (int)c);
        break;
    case HC_OUT:
        ok = c == 1 || c == 2 || c == 4;
        if (ok)
            machine_monitor_port_out(p->m, (uint16_t)b, d, (int)c);
        break;
    case HC_SET_GDT:
        ok = hc_set_gdt(p, st, b, c);
        break;
    case HC_SET_IDT:
        ok = c <= 0xffff;
        if (ok)
            st->idtr = p->v.idtr = (struct table_reg){b, (uint16_t)c};
        break;
    case HC_LTR:
        ok = hc_ltr(p, st, (uint16_t)b);
        break;
    case HC_READ_CR:
        ok = hc_cr(p, st, false, b, &answer);
        break;
    case HC_WRITE_CR:
        ok = hc_cr(p, st, true, b, &c);
        break;
    case HC_INVLPG: /* the whole TLB, which is more than enough */
        machine_monitor_flush_tlb(p->m);
        break;
    case HC_WRMSR:
        ok = hc_wrmsr(p, b, (uint64_t)d << 32 | c);
        break;
    case HC_IRET:
        ok = hc_iret(p, st);
        if (ok)
            answer = st->gpr[GPR_EAX];
        break;
    default:
        ok = false;
    }
    p->v.iflag = (st->eflags & EFLAGS_IF) != 0;
    if (!ok) {
        p->refused++;
        note_failure(p, "hypercall %u refused at %08x (EBX %08x)", nr, at, b);
        if (nr == HC_IRET) {
            /* Nothing sensible follows a return that did not happen: the
             * INT goes to the guest's IDT, which has no gate for it. */
            st->eip = eip;
            return MONITOR_DELIVER;
        }
        answer = 0xffffffffu;
    } else {
        p->calls[nr]++;
        p->log[p->total % PV_CALL_LOG] = (struct pv_call){icount, (int)nr, at, b, c, d};
        p->total++;
    }
    st->gpr[GPR_EAX] = answer;
    return halted ? MONITOR_HALTED : MONITOR_EMULATED;
}

/* SYSENTER from ring 3 faulted (the real SYSENTER_CS is 0): enter the
 * guest's handler as the instruction would (SDM Vol. 2B SYSENTER), at
 * ring 1, from the guest's MSRs: CS = SYSENTER_CS, SS = CS + 8. */
static bool enter_sysenter(struct vmm_pv *p, struct cpu_state *st)
{
    uint16_t cs = (uint16_t)(p->v.sysenter_cs & 0xfffc);
    struct cpu_state n = *st;
    if (!cs || !load_seg(p, &n, SEG_CS, cs | 1, 1) ||
        !load_seg(p, &n, SEG_SS, (uint16_t)(cs + 8) | 1, 1))
        return false;
    n.cpl = 1;
    n.eflags &= ~(EFLAGS_VM | EFLAGS_IF | EFLAGS_RF);
    n.gpr[GPR_ESP] = p->v.sysenter_esp;
    n.eip = p->v.sysenter_eip;
    *st = n;
    p->v.cpl = 1;
    p->v.iflag = false;
    return true;
}

/* Is the instruction in code one that faults at CPL 1 whatever IOPL is,
 * or one the kernel has only at CPL <= IOPL (CLI, STI, IN, OUT, INS,
 * OUTS)?  SDM Vol. 3A 5.9 lists the privileged instructions. */
static bool ring0_only(const uint8_t code[4])
{
    int at = code[0] == 0x66 || code[0] == 0xf3 ? 1 : 0;
    uint8_t op = code[at], op2 = code[at + 1], reg = (uint8_t)((code[at + 2] >> 3) & 7);
    if (op == 0xfa || op == 0xfb || op == 0xf4 || (op >= 0xe4 && op <= 0xe7) ||
        (op >= 0xec && op <= 0xef) || (op >= 0x6c && op <= 0x6f))
        return true;
    if (op != 0x0f)
        return false;
    if (op2 == 0x06 || op2 == 0x08 || op2 == 0x09 || (op2 >= 0x20 && op2 <= 0x23) ||
        op2 == 0x30 || op2 == 0x32 || op2 == 0x35)
        return true;
    return (op2 == 0x01 && (reg == 2 || reg == 3 || reg == 6 || reg == 7)) ||
           (op2 == 0x00 && (reg == 2 || reg == 3));
}

static enum monitor_verdict intercept(void *opaque, struct machine *m, struct cpu_state *st,
                                      const struct intr_request *req)
{
    struct vmm_pv *p = opaque;
    (void)m;
    struct machine_pos pos;
    control_position(p->m, &pos);
    if (req->source == INTR_SOFTWARE && req->vector == HC_VECTOR && st->cpl == 1) {
        st->eip = req->return_eip;
        return hypercall(p, st, pos.icount);
    }
    if (req->source == INTR_EXCEPTION && req->vector == VEC_GP && st->cpl == 3) {
        uint8_t code[2];
        if (machine_monitor_read_code(p->m, st, code, 2) == 2 && code[0] == 0x0f &&
            code[1] == 0x34 && enter_sysenter(p, st)) {
            p->sysenters++;
            return MONITOR_EMULATED;
        }
    }
    uint8_t code[4] = {0};
    if (req->source == INTR_EXCEPTION && req->vector == VEC_GP && st->cpl == 1 &&
        machine_monitor_read_code(p->m, st, code, sizeof code) >= 2 && ring0_only(code)) {
        /* Ring 1 executed what only ring 0 may: a place the port missed.
         * The guest's IDT gets the fault. */
        p->port_failures++;
        note_failure(p, "the first, #GP(0) at %08x (bytes %08x), CS %04x, went to the guest",
                     st->eip, (uint32_t)code[0] << 24 | code[1] << 16 | code[2] << 8 | code[3],
                     st->seg[SEG_CS].selector);
    }
    if (req->source == INTR_HARDWARE)
        p->irqs++;
    else if (req->source == INTR_SOFTWARE)
        p->syscalls++;
    else if (req->vector >= 0 && req->vector < 32)
        p->reflected[req->vector]++;
    if (st->cpl == 3)
        tss_kernel_stack_for_event(p, st);
    return MONITOR_DELIVER;
}

void vmm_pv_serial_out(void *opaque, uint8_t byte)
{
    struct vmm_pv *p = opaque;
    p->out_bytes++;
    if (p->serial_out)
        p->serial_out(p->serial_opaque, byte);
}

/* The monitor in the machine's history: the virtual CPU and the counts
 * as they were at the moment gone back to; where the console goes is not
 * state of the moment. */
static void history_save(void *opaque, void *buf)
{
    memcpy(buf, opaque, sizeof(struct vmm_pv));
}

static void history_restore(void *opaque, struct machine *m, const void *buf)
{
    struct vmm_pv *p = opaque;
    void (*serial_out)(void *, uint8_t) = p->serial_out;
    void *serial_opaque = p->serial_opaque;
    memcpy(p, buf, sizeof *p);
    p->m = m;
    p->serial_out = serial_out;
    p->serial_opaque = serial_opaque;
}

bool vmm_pv_attach(struct vmm_pv *p, struct machine *m, char *err, size_t errlen)
{
    void (*out)(void *, uint8_t) = p->serial_out;
    void *out_opaque = p->serial_opaque;
    memset(p, 0, sizeof *p);
    p->serial_out = out;
    p->serial_opaque = out_opaque;
    p->m = m;
    struct cpu_state st;
    if (!inspect_cpu(m, &st)) {
        snprintf(err, errlen, "cannot read the CPU");
        return false;
    }
    vmm_deprivilege(&st);
    if (!control_write_cpu(m, &st)) {
        snprintf(err, errlen, "cannot load the deprivileged state");
        return false;
    }
    p->v = (struct vcpu){.cpl = 1, .iflag = (st.eflags & EFLAGS_IF) != 0, .cr0 = st.cr0,
                         .cr3 = st.cr3, .cr4 = st.cr4, .cr2 = st.cr2, .gdtr = st.gdtr,
                         .idtr = st.idtr, .tr = st.tr.selector};
    machine_set_intercept(m, intercept, p);
    struct machine_history_client c = {sizeof *p, history_save, history_restore, p};
    machine_set_history_client(m, &c);
    return true;
}

/* ---- what it saw --------------------------------------------------------- */

void vmm_pv_counts(const struct vmm_pv *p, const char *prefix, struct strbuf *out)
{
    strbuf_add(out, "%s%llu hypercalls", prefix, (unsigned long long)p->total);
    const char *sep = ": ";
    for (int c = 0; c < HC_COUNT; c++)
        if (p->calls[c]) {
            strbuf_add(out, "%s%s (%d) %llu", sep, hc_name[c], c, (unsigned long long)p->calls[c]);
            sep = ", ";
        }
    if (p->refused)
        strbuf_add(out, "; %llu refused", (unsigned long long)p->refused);
    strbuf_add(out, "\n%straps: SYSENTER emulated %llu", prefix,
               (unsigned long long)p->sysenters);
    strbuf_add(out, "; to the guest's IDT: external interrupt %llu, INT n %llu",
               (unsigned long long)p->irqs, (unsigned long long)p->syscalls);
    vmm_vector_counts(out, p->reflected);
    strbuf_add(out, "\n");
    if (p->port_failures || p->first_failure[0])
        strbuf_add(out, "%sFAILED: %llu privileged instructions still in the guest; %s\n", prefix,
                   (unsigned long long)p->port_failures, p->first_failure);
}

void vmm_pv_info(void *opaque, struct strbuf *out)
{
    struct vmm_pv *p = opaque;
    strbuf_add(out, "monitor: pv, paravirtualization: the guest kernel runs at real ring 1 and "
                    "makes hypercalls (INT 0x82)\n");
    struct cpu_state st;
    if (inspect_cpu(p->m, &st)) {
        strbuf_add(out, "             virtual CPU (the guest's)  real CPU\n");
        /* The guest knows where it runs: its kernel's CPL is 1. */
        strbuf_add(out, "  CPL        %-26u %u\n", st.cpl, st.cpl);
        /* The real IF is the guest's: the hypercalls set it, the gates
         * clear it, HC_IRET loads it from the frame. */
        p->v.iflag = (st.eflags & EFLAGS_IF) != 0;
        strbuf_add(out, "  EFLAGS.IF  %-26u %u\n", p->v.iflag, p->v.iflag);
        strbuf_add(out, "  CR0        %08x                   %08x\n", p->v.cr0, st.cr0);
        strbuf_add(out, "  CR3        %08x                   %08x\n", p->v.cr3, st.cr3);
        strbuf_add(out, "  GDTR       %08x/%04x              %08x/%04x\n", p->v.gdtr.base,
                   p->v.gdtr.limit, st.gdtr.base, st.gdtr.limit);
        strbuf_add(out, "  IDTR       %08x/%04x              %08x/%04x\n", p->v.idtr.base,
                   p->v.idtr.limit, st.idtr.base, st.idtr.limit);
        strbuf_add(out, "  TR         %04x                       %04x\n", p->v.tr, st.tr.selector);
        strbuf_add(out, "  SYSENTER_CS %04x                      %04x (SYSENTER faults to the "
                        "monitor)\n",
                   p->v.sysenter_cs, 0u);
        strbuf_add(out, "  (the guest's tables are the real ones; its ring 0 is real ring 1)\n");
    }
    vmm_pv_counts(p, "", out);
    uint64_t first = p->total > PV_CALL_LOG ? p->total - PV_CALL_LOG : 0;
    if (p->total)
        strbuf_add(out, "the last %llu hypercalls:\n", (unsigned long long)(p->total - first));
    for (uint64_t i = first; i < p->total; i++) {
        const struct pv_call *c = &p->log[i % PV_CALL_LOG];
        strbuf_add(out, "  at instruction %llu: %s (%d) from %08x, EBX %08x ECX %08x EDX %08x\n",
                   (unsigned long long)c->icount, hc_name[c->nr], c->nr, c->eip, c->ebx, c->ecx,
                   c->edx);
    }
}

/* The view's account: the virtual CPU beside the real one (the guest's
 * ring 0 is real ring 1, and it knows it), the hypercalls by number as
 * the causes, what still trapped as a note, and a privileged instruction
 * left in the guest as the failure. */
void vmm_pv_status(void *opaque, struct vmm_status *out)
{
    struct vmm_pv *p = opaque;
    vmm_status_init(out, "pv", "the kernel at ring 1, hypercalls", "hypercalls");
    struct cpu_state st;
    if (inspect_cpu(p->m, &st)) {
        out->have_cpu = true;
        out->real = vmm_cpu_view_of(&st);
        out->virt = (struct vmm_cpu_view){st.cpl, (st.eflags & EFLAGS_IF) != 0, p->v.cr0,
                                          p->v.cr3, p->v.gdtr.base, p->v.idtr.base, p->v.tr};
    }
    out->total = p->total;
    for (int c = 0; c < HC_COUNT; c++) {
        char name[24];
        snprintf(name, sizeof name, "%.17s (%d)", hc_name[c], c);
        vmm_status_add_cause(out, name, p->calls[c]);
    }
    if (p->total) {
        const struct pv_call *c = &p->log[(p->total - 1) % PV_CALL_LOG];
        snprintf(out->latest, sizeof out->latest, "%s (%d) from %08x, instruction %llu",
                 hc_name[c->nr], c->nr, c->eip, (unsigned long long)c->icount);
    }
    uint64_t exceptions = 0;
    for (int v = 0; v < 32; v++)
        exceptions += p->reflected[v];
    vmm_status_add_note(out, "still trapped: SYSENTER %llu, interrupts %llu, INT n %llu, "
                        "exceptions %llu", (unsigned long long)p->sysenters,
                        (unsigned long long)p->irqs, (unsigned long long)p->syscalls,
                        (unsigned long long)exceptions);
    if (p->refused)
        vmm_status_add_note(out, "hypercalls refused: %llu", (unsigned long long)p->refused);
    if (p->port_failures || p->first_failure[0]) {
        out->nfailures = 1;
        snprintf(out->failure, sizeof out->failure, "%.95s", p->first_failure);
    }
}
