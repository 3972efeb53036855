/* What the trap-and-emulate monitor says (see vmm_trap.h): the traps it
 * emulated by cause, what it passed on to the guest's IDT, the failures
 * of the deception it saw, and `info vmm`. */
#include <stdio.h>
#include <string.h>

#include "cpu/fault.h"
#include "inspect.h"
#include "trace/event.h"
#include "vmm/trap_internal.h"
#include "vmm/vmm_hw.h"
#include "vmm/vmm_status.h"

const char *const trap_cause_name[T_CAUSE_COUNT] = {
    "CLI", "STI", "HLT", "IN", "OUT", "LGDT", "LIDT", "LTR", "LLDT", "MOV r, CRn",
    "MOV CR0, r", "MOV CR3, r", "MOV CR4, r", "INVLPG", "WRMSR", "RDMSR", "CLTS",
    "WBINVD/INVD", "MOV SS", "MOV Sreg", "SYSENTER", "SYSEXIT", "INS", "OUTS", "POP SS", "LSS", "LMSW",
    "MOV DRn", "RDTSC", "RDPMC", "INT n (DPL-0 gate)"};

/* ---- the report ------------------------------------------------------------ */

void trap_report_traps(const struct vmm_trap *t, struct strbuf *out)
{
    uint64_t total = 0;
    for (int c = 0; c < T_CAUSE_COUNT; c++)
        total += t->traps[c];
    strbuf_add(out, "%llu traps emulated", (unsigned long long)total);
    const char *sep = ": ";
    for (int c = 0; c < T_CAUSE_COUNT; c++)
        if (t->traps[c]) {
            strbuf_add(out, "%s%s %llu", sep, trap_cause_name[c], (unsigned long long)t->traps[c]);
            sep = ", ";
        }
    strbuf_add(out, "\n");
}

void trap_report_passed_on(const struct vmm_trap *t, struct strbuf *out)
{
    strbuf_add(out, "reflected into the guest's IDT: external interrupt %llu, INT n %llu",
               (unsigned long long)t->irqs, (unsigned long long)t->syscalls);
    vmm_vector_counts(out, t->reflected);
    strbuf_add(out, "\n");
}

/* "3 times, first at instruction 1234, c0101234 timer_check+0x4f" */
static void first_seen(const struct vmm_trap *t, const struct trap_failure_seen *f,
                       struct strbuf *out)
{
    strbuf_add(out, "%llu times, first at instruction %llu, %08x", (unsigned long long)f->count,
               (unsigned long long)f->first_icount, f->first_eip);
    if (f->site >= 0 && f->site < t->nsites)
        strbuf_add(out, " %s", t->sites[f->site].where);
}

/* The failures trap_watch.c saw at the sensitive instructions it watches. */
static void watched_failures(const struct vmm_trap *t, const char *prefix, struct strbuf *out)
{
    const struct trap_failure_seen *f = &t->fail[FAIL_POPF_IF];
    if (f->count) {
        bool want_on = f->detail & EFLAGS_IF;
        strbuf_add(out, "%sFAILED: POPF at ring 1 left IF %s (", prefix, want_on ? "clear" : "set");
        first_seen(t, f, out);
        strbuf_add(out,
                   "): it popped EFLAGS %08x, IF %s, but at CPL 1 > IOPL %u POPF keeps IF as it "
                   "is, without a trap (SDM Vol. 2B POPF): %s\n",
                   f->detail, want_on ? "set" : "clear", (f->detail2 & EFLAGS_IOPL) >> EFLAGS_IOPL_SHIFT,
                   want_on ? "the interrupts the kernel turned back on stay off until its next STI"
                           : "interrupts stay on in a section the kernel meant to run without them");
    }
    f = &t->fail[FAIL_READ_CS];
    if (f->count) {
        const char *insn = f->site >= 0 ? t->sites[f->site].insn : "MOV r/m, CS";
        strbuf_add(out, "%sFAILED: %s revealed RPL %u (", prefix, insn, f->detail & 3);
        first_seen(t, f, out);
        strbuf_add(out,
                   "): the selector read is %04x, and a code or stack selector's RPL is the CPL "
                   "(SDM Vol. 3A 5.5): the kernel can tell it does not run at ring %u\n",
                   f->detail, f->detail2);
    }
    f = &t->fail[FAIL_SGDT];
    if (f->count) {
        strbuf_add(out, "%sFAILED: SGDT revealed the shadow GDT at %08x (", prefix, f->detail);
        first_seen(t, f, out);
        strbuf_add(out,
                   "): the kernel loaded its own at %08x; SGDT is not privileged and stores the "
                   "real GDTR (SDM Vol. 2B SGDT)\n",
                   f->detail2);
    }
    f = &t->fail[FAIL_LAR];
    if (f->count) {
        const char *insn = f->site >= 0 ? t->sites[f->site].insn : "LAR";
        strbuf_add(out, "%sFAILED: %s revealed DPL %u for selector %04x (", prefix, insn,
                   f->detail2 & 0xf, f->detail);
        first_seen(t, f, out);
        strbuf_add(out,
                   "): the kernel's descriptor says DPL %u; the CPU reads the shadow's, without "
                   "a trap (SDM Vol. 2A LAR)\n",
                   f->detail2 >> 4);
    }
}

void trap_report_failures(const struct vmm_trap *t, const char *prefix, struct strbuf *out)
{
    const struct trap_failure_seen *f = t->fail;
    if (f[FAIL_IRET_IF].count)
        strbuf_add(out,
                   "%sFAILED: IRET at ring 1 left IF clear (%llu times, first at instruction "
                   "%llu, %04x:%08x): the kernel's frame had EFLAGS %08x, IF set, and IRET, like "
                   "POPF, changes "
                   "IF only at CPL <= IOPL, without a trap: the monitor never learns, and the "
                   "process runs with interrupts off\n",
                   prefix, (unsigned long long)f[FAIL_IRET_IF].count,
                   (unsigned long long)f[FAIL_IRET_IF].first_icount, f[FAIL_IRET_IF].first_cs,
                   f[FAIL_IRET_IF].first_eip, f[FAIL_IRET_IF].detail);
    if (f[FAIL_IRET_IOPL].count)
        strbuf_add(out,
                   "%sFAILED: IRET at ring 1 did not load IOPL %u (%llu times, first at "
                   "instruction %llu, %04x:%08x): IRET loads IOPL only at CPL 0, without a trap; "
                   "the process kept IOPL %u\n",
                   prefix, (f[FAIL_IRET_IOPL].detail & EFLAGS_IOPL) >> EFLAGS_IOPL_SHIFT,
                   (unsigned long long)f[FAIL_IRET_IOPL].count,
                   (unsigned long long)f[FAIL_IRET_IOPL].first_icount, f[FAIL_IRET_IOPL].first_cs,
                   f[FAIL_IRET_IOPL].first_eip, 0u);
    if (f[FAIL_PUSHED_CS].count)
        strbuf_add(out,
                   "%sFAILED: %llu exceptions in the kernel itself pushed CS %04x (RPL 1), first "
                   "at instruction %llu, %04x:%08x: the kernel's trap frame says ring 1, as PUSH "
                   "CS and MOV r, CS do\n",
                   prefix, (unsigned long long)f[FAIL_PUSHED_CS].count, f[FAIL_PUSHED_CS].detail,
                   (unsigned long long)f[FAIL_PUSHED_CS].first_icount, f[FAIL_PUSHED_CS].first_cs,
                   f[FAIL_PUSHED_CS].first_eip);
    if (f[FAIL_REFLECTED_GP].count)
        strbuf_add(out,
                   "%sFAILED: the guest's own ring 1 faulted on a privileged instruction %llu "
                   "times (first at instruction %llu, %04x:%08x, real IOPL %u): passed to the "
                   "guest, which granted it IOPL 1\n",
                   prefix, (unsigned long long)f[FAIL_REFLECTED_GP].count,
                   (unsigned long long)f[FAIL_REFLECTED_GP].first_icount,
                   f[FAIL_REFLECTED_GP].first_cs, f[FAIL_REFLECTED_GP].first_eip,
                   f[FAIL_REFLECTED_GP].detail);
    watched_failures(t, prefix, out);
    if (t->stopped[0])
        strbuf_add(out, "%sFAILED: %s\n", prefix, t->stopped);
}

void trap_report_watched(const struct vmm_trap *t, struct strbuf *out)
{
    strbuf_add(out, "watched (sensitive, no trap): %d in the kernel's code", t->nsites);
    for (int i = 0; i < t->nsites; i++)
        strbuf_add(out, "%s%s at %s %llu", i ? ", " : ": ", t->sites[i].insn, t->sites[i].where,
                   (unsigned long long)t->sites[i].hits);
    strbuf_add(out, "\n");
}

void trap_report_paging(const struct vmm_trap *t, struct strbuf *out)
{
    const struct shadow_paging *sp = &t->sp;
    strbuf_add(out,
               "shadow page tables: %llu hidden page faults filled from the guest's tables "
               "(%llu of them first writes, the guest's D bit set), %llu page faults the "
               "guest's own, passed on; %llu rebuilt empty (CR3, CR0, CR4 loads), %llu entries "
               "dropped by INVLPG; at most %d of %d pages in use\n",
               (unsigned long long)sp->filled, (unsigned long long)sp->dirtied,
               (unsigned long long)sp->guest_faults, (unsigned long long)sp->rebuilt,
               (unsigned long long)sp->dropped, sp->peak, SHADOW_POOL_PAGES);
}

void trap_report_cpu_table(struct vmm_trap *t, struct strbuf *out)
{
    struct cpu_state st;
    if (inspect_cpu(t->m, &st)) {
        strbuf_add(out, "             virtual CPU (the guest's)  real CPU\n");
        strbuf_add(out, "  CPL        %-26u %u\n", trap_virtual_cpl(t, &st), st.cpl);
        strbuf_add(out, "  EFLAGS.IF  %-26u %u\n", t->v.iflag, (st.eflags & EFLAGS_IF) != 0);
        strbuf_add(out, "  CR0        %08x                   %08x\n", t->v.cr0, st.cr0);
        strbuf_add(out, "  CR2        %08x                   %08x\n", t->v.cr2, st.cr2);
        strbuf_add(out, "  CR3        %08x                   %08x%s\n", t->v.cr3, st.cr3,
                   t->sp.on ? " (the shadow page directory)" : "");
        strbuf_add(out, "  GDTR       %08x/%04x              %08x/%04x (the shadow)\n",
                   t->v.gdtr.base, t->v.gdtr.limit, st.gdtr.base, st.gdtr.limit);
        strbuf_add(out, "  IDTR       %08x/%04x              %08x/%04x\n", t->v.idtr.base,
                   t->v.idtr.limit, st.idtr.base, st.idtr.limit);
        strbuf_add(out, "  TR         %04x                       %04x (the shadow TSS at %08x)\n",
                   t->v.tr, st.tr.selector, st.tr.base);
    }
}

void trap_report_counts(const struct vmm_trap *t, const char *prefix, struct strbuf *out)
{
    strbuf_add(out, "%s", prefix);
    trap_report_traps(t, out);
    strbuf_add(out, "%s", prefix);
    trap_report_passed_on(t, out);
    strbuf_add(out, "%s", prefix);
    trap_report_paging(t, out);
}

void vmm_trap_info(void *opaque, struct strbuf *out)
{
    struct vmm_trap *t = opaque;
    strbuf_add(out, "monitor: trap, trap-and-emulate: the guest kernel runs at real ring 1\n");
    trap_report_cpu_table(t, out);
    trap_report_traps(t, out);
    trap_report_passed_on(t, out);
    trap_report_paging(t, out);
    if (t->nsites)
        trap_report_watched(t, out);
    trap_report_failures(t, "", out);
}

/* The short names of the failures, for the view's monitor panel. */
static const char *const failure_name[FAIL_COUNT] = {
    "IRET at ring 1 left IF clear", "IRET at ring 1 kept IOPL", "an event pushed CS with RPL 1",
    "the guest's ring 1 faulted", "POPF at ring 1 kept IF", "a read of CS revealed RPL 1",
    "SGDT revealed the shadow GDT", "LAR revealed the shadow's DPL",
};

void vmm_trap_status(void *opaque, struct vmm_status *out)
{
    const struct vmm_trap *t = opaque;
    vmm_status_init(out, "trap", "the kernel at real ring 1", "traps");
    struct cpu_state st;
    if (inspect_cpu(t->m, &st)) {
        out->have_cpu = true;
        out->virt = (struct vmm_cpu_view){trap_virtual_cpl((struct vmm_trap *)t, &st), t->v.iflag,
                                          t->v.cr0, t->v.cr3, t->v.gdtr.base, t->v.idtr.base,
                                          t->v.tr};
        out->real = vmm_cpu_view_of(&st);
    }
    for (int c = 0; c < T_CAUSE_COUNT; c++) {
        out->total += t->traps[c];
        vmm_status_add_cause(out, trap_cause_name[c], t->traps[c]);
    }
    /* The shadow's faults are traps too: the guest does not see them. */
    out->total += t->sp.filled;
    vmm_status_add_cause(out, "hidden #PF", t->sp.filled);
    if (t->last_cause >= 0)
        snprintf(out->latest, sizeof out->latest, "%s at %04x:%08x, instruction %llu",
                 trap_cause_name[t->last_cause], t->last_cs, t->last_eip,
                 (unsigned long long)t->last_icount);
    uint64_t newest = 0;
    for (int f = 0; f < FAIL_COUNT; f++) {
        if (!t->fail[f].count)
            continue;
        out->nfailures++;
        if (t->fail[f].first_icount >= newest) {
            newest = t->fail[f].first_icount;
            snprintf(out->failure, sizeof out->failure, "%s", failure_name[f]);
        }
    }
}
