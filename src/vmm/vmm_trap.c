/* The trap-and-emulate monitor (see vmm_trap.h): it takes the guest's
 * events, hands the privileged instructions to trap_emulate.c and the
 * rest to the guest's IDT, notes where the deception shows, and runs. */
#include "vmm/vmm_trap.h"

#include <stdio.h>
#include <string.h>

#include "control.h"
#include "cpu/desc.h"
#include "cpu/fastsys.h"
#include "cpu/fault.h"
#include "cpu/intr.h"
#include "debug/disasm.h"
#include "front/report.h"
#include "inspect.h"
#include "machine/clock.h"
#include "status.h"
#include "trace/event.h"
#include "vmm/trap_internal.h"
#include "vmm/vmm_hw.h"

/* SYSENTER from ring 3 faulted (the real SYSENTER_CS is 0): enter the
 * guest's handler as the instruction would, at ring 1. */
static bool enter_sysenter(struct vmm_trap *t, struct cpu_state *st)
{
    uint16_t cs = (uint16_t)(t->v.sysenter_cs & 0xfffc);
    uint32_t esp = t->v.sysenter_esp, eip = t->v.sysenter_eip;
    if (!cs || !trap_load_seg(t, st, SEG_CS, cs | 1) || !trap_load_seg(t, st, SEG_SS, (uint16_t)(cs + 8) | 1))
        return false;
    st->cpl = 1;
    st->eflags &= ~(EFLAGS_VM | EFLAGS_IF | EFLAGS_RF);
    t->v.iflag = false;
    st->gpr[GPR_ESP] = esp;
    st->eip = eip;
    return true;
}

bool trap_note_failure(struct vmm_trap *t, enum trap_failure f, uint64_t icount, uint16_t cs,
                       uint32_t eip, uint32_t detail)
{
    struct trap_failure_seen *s = &t->fail[f];
    if (s->count++)
        return false;
    s->first_icount = icount;
    s->first_cs = cs;
    s->first_eip = eip;
    s->detail = detail;
    s->site = -1;
    return true;
}

enum monitor_verdict trap_intercept(void *opaque, struct machine *m, struct cpu_state *st,
                                    const struct intr_request *req)
{
    struct vmm_trap *t = opaque;
    (void)m;
    trap_shadow_sync(t, st);
    if (req->source == INTR_HARDWARE) {
        t->irqs++;
        return MONITOR_DELIVER;
    }
    uint8_t vcpl = trap_virtual_cpl(t, st);
    if (req->source == INTR_SOFTWARE) {
        if (st->cpl == 1 && vcpl == 0 &&
            trap_soft_int(t, st, (unsigned)req->vector, req->return_eip) == T_INT) {
            t->traps[T_INT]++;
            return MONITOR_EMULATED;
        }
        t->syscalls++;
        return MONITOR_DELIVER;
    }
    struct machine_pos pos;
    control_position(t->m, &pos);
    if (req->vector == VEC_GP && st->cpl == 3) {
        uint8_t code[2];
        if (machine_monitor_read_code(t->m, st, code, 2) == 2 && code[0] == 0x0f &&
            code[1] == 0x34 && enter_sysenter(t, st)) {
            t->traps[T_SYSENTER]++;
            t->v.cpl = 0;
            return MONITOR_EMULATED;
        }
    }
    if (req->vector == VEC_GP && st->cpl == 1 && vcpl == 0) {
        bool halted = false;
        uint16_t cs = st->seg[SEG_CS].selector;
        uint32_t eip = st->eip;
        int cause = trap_emulate(t, st, &halted);
        if (cause >= 0) {
            t->traps[cause]++;
            t->last_cause = cause;
            t->last_cs = cs;
            t->last_eip = eip;
            t->last_icount = pos.icount;
            return halted ? MONITOR_HALTED : MONITOR_EMULATED;
        }
        if (!t->stopped[0]) {
            uint8_t code[4] = {0};
            machine_monitor_read_code(t->m, st, code, sizeof code);
            snprintf(t->stopped, sizeof t->stopped,
                     "#GP(0) at %04x:%08x (bytes %02x %02x %02x %02x) is no instruction the "
                     "monitor emulates: passed to the guest",
                     st->seg[SEG_CS].selector, st->eip, code[0], code[1], code[2], code[3]);
        }
    }
    if (req->vector == VEC_GP && st->cpl == 1 && vcpl == 1)
        trap_note_failure(t, FAIL_REFLECTED_GP, pos.icount, st->seg[SEG_CS].selector, st->eip,
                     (st->eflags & EFLAGS_IOPL) >> EFLAGS_IOPL_SHIFT);
    if (req->vector >= 0 && req->vector < 32)
        t->reflected[req->vector]++;
    if (st->cpl == 1 && vcpl == 0)
        /* The CPU pushes CS as it is: RPL 1, where the kernel's frame
         * should say 0 (SDM Vol. 3A 6.12.1). */
        trap_note_failure(t, FAIL_PUSHED_CS, pos.icount, st->seg[SEG_CS].selector, st->eip,
                     st->seg[SEG_CS].selector);
    return MONITOR_DELIVER;
}

/* Returns from ring 1 to ring 3: the frame the kernel built against what
 * the CPU loaded.  IRET changes IF only when CPL <= IOPL and IOPL only at
 * CPL 0 (SDM Vol. 2A IRET), without a fault: the monitor is never told. */
static void note_return(void *opaque, const struct trace_event *ev)
{
    struct vmm_trap *t = opaque;
    if (ev->kind != TRACE_RETURN || ev->before.cpl != 1 || ev->after.cpl != 3 ||
        t->returns_executed)
        return;
    /* The page tables are the guest's own: read the frame through them. */
    struct cpu_state st = {.cr0 = t->v.cr0, .cr3 = t->v.cr3, .cr4 = t->v.cr4};
    /* The event's ESP is the one its block started with: the IRET's frame
     * is the first place above it that holds the EIP and CS it loaded. */
    uint32_t w[24];
    size_t len = 4096 - (ev->before.esp & 4095); /* the stack's page may be its last */
    int nw = (int)(len < sizeof w ? len : sizeof w) / 4;
    if (!machine_monitor_read_linear(t->m, &st, ev->before.esp, w, (size_t)nw * 4))
        return;
    int at = -1;
    for (int i = 0; i + 2 < nw && at < 0; i++)
        if (w[i] == ev->after.eip && (w[i + 1] & 0xffff) == ev->after.cs)
            at = i;
    if (at < 0)
        return;
    uint32_t want = w[at + 2], got = ev->after.eflags;
    t->v.cpl = 3;
    if ((want & EFLAGS_IF) && !(got & EFLAGS_IF))
        trap_note_failure(t, FAIL_IRET_IF, ev->icount, ev->before.cs, ev->before.eip, want);
    if ((want & EFLAGS_IOPL) != (got & EFLAGS_IOPL))
        trap_note_failure(t, FAIL_IRET_IOPL, ev->icount, ev->before.cs, ev->before.eip, want);
}

void vmm_deprivilege(struct cpu_state *st)
{
    /* The loader left the segment caches loaded (its GDT may be empty);
     * each DPL-0 one becomes DPL 1, CS and SS with RPL 1. */
    for (int r = 0; r < SEG_COUNT; r++) {
        struct seg_cache *c = &st->seg[r];
        if (!(c->flags & DESC_P))
            continue;
        if (((c->flags & DESC_DPL_MASK) >> DESC_DPL_SHIFT) == 0)
            c->flags = (c->flags & ~DESC_DPL_MASK) | (1u << DESC_DPL_SHIFT);
        if (r == SEG_CS || r == SEG_SS)
            c->selector |= 1;
    }
}

bool vmm_trap_attach(struct vmm_trap *t, struct machine *m, char *err, size_t errlen)
{
    memset(t, 0, sizeof *t);
    t->m = m;
    t->last_cause = -1;
    struct cpu_state st;
    if (!inspect_cpu(m, &st)) {
        snprintf(err, errlen, "cannot read the CPU");
        return false;
    }
    t->v = (struct vcpu){.cpl = 0, .iflag = (st.eflags & EFLAGS_IF) != 0, .cr0 = st.cr0,
                         .cr3 = st.cr3, .cr4 = st.cr4, .cr2 = st.cr2, .gdtr = st.gdtr,
                         .idtr = st.idtr, .tr = st.tr.selector};
    t->dis = disasm_open();
    if (!t->dis) {
        snprintf(err, errlen, "cannot open the disassembler");
        return false;
    }
    /* The shadow page tables first: what the monitor reads of the guest
     * from now on it reads through the guest's own. */
    if (!trap_paging_attach(t, &st, err, errlen))
        return false;
    if (!trap_shadow_place(t, &st)) {
        snprintf(err, errlen, "the monitor's page (physical %#x) is not mapped", SHADOW_PA);
        return false;
    }
    vmm_deprivilege(&st);
    if (!control_write_cpu(m, &st)) {
        snprintf(err, errlen, "cannot load the deprivileged state");
        return false;
    }
    t->active = true;
    machine_set_intercept(m, trap_intercept, t);
    trap_history_attach(t);
    if (!machine_add_sink(m, (struct trace_sink){note_return, t})) {
        snprintf(err, errlen, "no room for the monitor's sink");
        return false;
    }
    return true;
}

int vmm_run_trap(struct runner *r, struct vmm_trap *t, struct qemu_log *qlog, double timeout_s)
{
    struct run_request run = {0};
    struct run_result res;
    double t0 = clock_wall_seconds();
    for (;;) {
        enum runner_stop s = runner_run(r, &run, &res);
        if (s == RUNNER_STOP || s == RUNNER_BREAK || s == RUNNER_YIELD)
            continue;
        const char *how = vmm_how_it_ended(s);
        double seconds = clock_wall_seconds() - t0;
        fflush(stdout);
        struct machine_pos pos;
        control_position(r->m, &pos);
        struct strbuf o;
        strbuf_init(&o);
        strbuf_add(&o, "\nvmm trap: the guest kernel ran at ring 1 under the monitor; %s\n", how);
        strbuf_add(&o, "vmm trap: ");
        trap_report_traps(t, &o);
        strbuf_add(&o, "vmm trap: ");
        trap_report_passed_on(t, &o);
        strbuf_add(&o, "vmm trap: ");
        trap_report_paging(t, &o);
        if (t->nsites) {
            strbuf_add(&o, "vmm trap: ");
            trap_report_watched(t, &o);
        }
        strbuf_add(&o, "vmm trap: %llu guest instructions, %.2f s\n",
                   (unsigned long long)pos.icount, seconds);
        trap_report_failures(t, "vmm trap: ", &o);
        bool any = t->stopped[0];
        for (int f = 0; f < FAIL_COUNT; f++)
            any |= t->fail[f].count != 0;
        if (!any)
            strbuf_add(&o, "vmm trap: no failure of the deception was seen\n");
        fputs(strbuf_str(&o), stderr);
        strbuf_free(&o);
        return report_exit(s, r, qlog, timeout_s);
    }
}
