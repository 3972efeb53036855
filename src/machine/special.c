/* Instructions ringlab executes itself, or watches the engine execute one
 * at a time: I/O that the TSS permission bitmap judges, RDTSC and RDTSCP,
 * RDMSR/WRMSR of IA32_TSC, the descriptor-table stores CR4.UMIP refuses,
 * and RDPMC, whose #GP the engine does not raise; and the instructions a
 * translating monitor asked for (machine_set_translator).
 *
 * The block cache marks blocks holding such instructions; the block hook
 * stops before one when it matters (I/O only at CPL > IOPL or in
 * virtual-8086 mode, the stores only with CR4.UMIP at CPL > 0), and the
 * run loop calls special_step: run up to the instruction, then take it
 * alone. */
#include <stdio.h>
#include <string.h>

#include "cpu/engine.h"
#include "cpu/ioperm.h"
#include "cpu/umip.h"
#include "machine/internal.h"

/* IA32_TSC (SDM Vol. 4, Table 2-2) and IA32_TSC_AUX, which RDTSCP returns in ECX. */
#define MSR_TSC DISASM_MSR_TSC
#define MSR_TSC_AUX 0xc0000103u
#define CR4_TSD (1u << 2)
#define CR4_PCE (1u << 8)

static int port_size(int size)
{
    return size == 1 || size == 2 ? size : 4;
}

/* ---- I/O permission ------------------------------------------------------ */

bool special_io_needs_bitmap(struct machine *m)
{
    uint32_t eflags = engine_eflags(m->engine);
    uint8_t cpl = (eflags & EFLAGS_VM) ? 3 : (uint8_t)(engine_cs(m->engine) & 3);
    return ioperm_uses_bitmap(cpl, eflags);
}

static bool tss_read_byte(void *opaque, uint32_t laddr, uint8_t *byte)
{
    struct machine *m = opaque;
    struct linear_mem lm = {.phys = &m->phys, .regs = machine_walk_regs(m, NULL)};
    lm.regs.origin = PAGING_IMPLICIT; /* the TSS: the processor's own read (SDM Vol. 3A 4.6) */
    return linear_read(&lm, laddr, byte, 1, false, NULL);
}

/* SDM Vol. 1 19.5: when CPL > IOPL (or in virtual-8086 mode) the TSS's I/O
 * permission bitmap decides; otherwise the access is allowed. */
static bool io_allowed(struct machine *m, uint16_t port, int size)
{
    if (!special_io_needs_bitmap(m))
        return true;
    struct seg_cache tr = engine_tr(m->engine);
    bool tss32 = ((tr.flags >> DESC_TYPE_SHIFT) & 8) != 0;
    struct ioperm_mem mem = {tss_read_byte, m};
    struct ioperm_result r;
    return ioperm_check(&mem, tr.base, tr.limit, tss32, port, size, &r) == IOPERM_ALLOW;
}

/* The I/O hooks.  Outside a stepped instruction a refusal cannot happen
 * here (the block hook stopped first), except for code the block cache did
 * not see; that access is dropped and reported as a guest error. */
static bool io_permitted(struct machine *m, uint16_t port, int size)
{
    if (io_allowed(m, port, size))
        return true;
    if (m->io_stepping)
        m->io_refused = true;
    else
        machine_finish(m, END_GUEST_ERROR, "I/O to port 0x%04x refused outside a checked step",
                       port);
    return false;
}

/* The devices see the time of the I/O instruction itself: the clock is
 * set back from the block's end to the instructions before it (the block
 * cache knows which instruction of the block each I/O is), and forward
 * again afterwards, or to just after it when the access ended the machine. */
struct io_time {
    uint64_t block_end; /* the clock as the block hook left it */
    bool exact;         /* the clock now stands before this instruction */
};

static struct io_time before_io(struct machine *m)
{
    struct io_time t = {m->clock.icount, false};
    const struct block_info *b = m->block;
    if (b && m->io_seen < b->nio) {
        m->clock.icount = m->block_start_icount + b->io_index[m->io_seen];
        t.exact = true;
    }
    m->io_seen++;
    return t;
}

static void after_io(struct machine *m, struct io_time t)
{
    if ((m->end != END_NONE || m->reset_pending) && t.exact)
        m->clock.icount++;
    else
        m->clock.icount = t.block_end;
    /* A device may have raised an IRQ: stop at the end of this block to
     * look. */
    if (apics_irq_pending(m))
        m->stop_at = 0;
}

uint32_t special_port_in(void *opaque, uint16_t port, int size)
{
    struct machine *m = opaque;
    struct io_time t = before_io(m);
    uint32_t v = 0xffffffffu;
    if (io_permitted(m, port, size))
        v = bus_in(&m->bus, port, port_size(size));
    after_io(m, t);
    return v;
}

void special_port_out(void *opaque, uint16_t port, int size, uint32_t value)
{
    struct machine *m = opaque;
    struct io_time t = before_io(m);
    if (io_permitted(m, port, size))
        bus_out(&m->bus, port, value, port_size(size));
    after_io(m, t);
}

/* ---- CR4.UMIP ---------------------------------------------------------------- */

bool special_umip_refuses(struct machine *m)
{
    uint32_t eflags = engine_eflags(m->engine);
    uint8_t cpl = (eflags & EFLAGS_VM) ? 3 : (uint8_t)(engine_cs(m->engine) & 3);
    return umip_refuses(engine_paging_regs(m->engine).cr4, cpl, eflags);
}

/* ---- reserved CR4 bits ----------------------------------------------------- */

/* The engine takes CR4.SMEP and CR4.PSE on every model (and enforces
 * them), and drops CR4.SMAP silently where the model lacks it; ringlab
 * applies CR4.UMIP on every model.  The SDM makes each bit reserved on a
 * processor without the feature (Vol. 3A 2.5, "reserved ... attempting to
 * set any of them results in #GP(0)"; Vol. 2B MOV CR). */
uint32_t special_cr4_reserved(struct machine *m)
{
    uint32_t r = 0;
    if (!(m->cfg.cpuid7_on & MACHINE_CPUID7_SMEP))
        r |= PAGING_CR4_SMEP;
    if (!(m->cfg.cpuid7_on & MACHINE_CPUID7_SMAP))
        r |= PAGING_CR4_SMAP;
    if (m->cfg.no_umip)
        r |= CR4_UMIP;
    if (!exits_has_feature(m, MACHINE_CPUID_PSE))
        r |= CR4_PSE;
    return r;
}

static const char *cr4_feature(uint32_t bit)
{
    switch (bit) {
    case CR4_PSE: return "pse";
    case CR4_UMIP: return "umip";
    case PAGING_CR4_SMEP: return "smep";
    default: return "smap";
    }
}

/* MOV CR4, r32 at CPL 0 setting a reserved bit: #GP(0), CR4 unchanged.
 * (At CPL > 0 the engine raises #GP(0) itself.)  The source register is
 * ModRM.rm, whatever ModRM.mod says.  False: the engine executes it. */
static bool refuse_cr4(struct machine *m, struct cpu_state *st, const uint8_t *code, size_t got)
{
    if (st->cpl != 0 || (st->eflags & EFLAGS_VM))
        return false;
    for (size_t k = 0; k + 2 < got; k++) {
        if (code[k] != 0x0f || code[k + 1] != 0x22)
            continue;
        uint32_t value = st->gpr[code[k + 2] & 7];
        uint32_t bad = value & special_cr4_reserved(m);
        if (!bad)
            return false;
        uint32_t bit = bad & -bad; /* the lowest one */
        int n = 0;
        while (!(bit >> n & 1))
            n++;
        char why[128];
        snprintf(why, sizeof why, "MOV to CR4 sets reserved bit %d: the CPU has no %s (-cpu ...,+%s)",
                 n, cr4_feature(bit), cr4_feature(bit));
        deliver_exception(m, st, VEC_GP, st->eip, why);
        return true;
    }
    return false;
}

/* ---- taking one instruction ------------------------------------------------ */

/* Run the instruction at linear `insn` (EIP on it) alone in the engine,
 * letting the block hook pass it. */
static enum engine_exit run_alone(struct machine *m, uint32_t eip, uint32_t insn, int len)
{
    m->special_pass = insn;
    m->fresh_addr = insn;
    enum engine_exit x = engine_run_to(m->engine, eip, insn + (uint32_t)len);
    m->special_pass = UINT32_MAX;
    m->fresh_addr = UINT32_MAX;
    return x;
}

/* An I/O instruction at CPL > IOPL (or in V86 mode): execute it alone with
 * the I/O hooks checking the TSS bitmap (SDM Vol. 1 19.5.2).  If they
 * refuse, the state from before the instruction gets #GP(0), as if it had
 * never started. */
static enum engine_exit step_io(struct machine *m, const struct cpu_state *before, uint32_t insn,
                                int len, const char *text)
{
    m->io_stepping = true;
    m->io_refused = false;
    enum engine_exit x = run_alone(m, before->eip, insn, len);
    m->io_stepping = false;
    if (m->io_refused && m->end == END_NONE && !m->reset_pending) {
        /* Back to the state before the instruction (a refused IN must not
         * have loaded AL, INS/OUTS must not have moved ESI/EDI). */
        struct cpu_state now, st = *before;
        if (!engine_begin_state(m->engine, &now))
            return x;
        char why[128];
        snprintf(why, sizeof why,
                 "`%s` at CPL %d with IOPL %d: the TSS I/O bitmap refuses the port", text,
                 before->cpl, (before->eflags & EFLAGS_IOPL) >> EFLAGS_IOPL_SHIFT);
        m->cause = CAUSE_NONE;
        m->clock.icount = exits_exact_icount(m, insn);
        deliver_exception(m, &st, VEC_GP, before->eip, why);
        return ENGINE_AT_EXIT;
    }
    return x;
}

/* The time-stamp counter is the virtual clock: one tick a nanosecond of
 * guest time, moved by WRMSR to IA32_TSC (SDM Vol. 3B 17.17). */
static uint64_t tsc_now(const struct machine *m)
{
    return clock_now_ns(&m->clock) + m->tsc_offset;
}

/* RDTSC, RDTSCP: #GP(0) at CPL > 0 with CR4.TSD set (SDM Vol. 2B RDTSC),
 * else EDX:EAX = the TSC (and ECX = IA32_TSC_AUX). */
static void emulate_rdtsc(struct machine *m, struct cpu_state *st, int len, bool rdtscp)
{
    if (!exits_has_feature(m, MACHINE_CPUID_TSC)) {
        deliver_exception(m, st, VEC_UD, st->eip, "RDTSC on a CPU without a TSC (-cpu ...,-tsc)");
        return;
    }
    if ((st->cr4 & CR4_TSD) && st->cpl > 0) {
        deliver_exception(m, st, VEC_GP, st->eip, rdtscp ? "RDTSCP at CPL > 0 with CR4.TSD set"
                                                     : "RDTSC at CPL > 0 with CR4.TSD set");
        return;
    }
    uint64_t tsc = tsc_now(m);
    st->gpr[GPR_EAX] = (uint32_t)tsc;
    st->gpr[GPR_EDX] = (uint32_t)(tsc >> 32);
    if (rdtscp) {
        uint64_t aux = 0;
        engine_read_msr(m->engine, MSR_TSC_AUX, &aux);
        st->gpr[GPR_ECX] = (uint32_t)aux;
    }
    st->eip += (uint32_t)len;
    engine_commit_state(m->engine, st);
    m->clock.icount++;
}

/* RDMSR/WRMSR of IA32_APIC_BASE at CPL 0 (SDM Vol. 3A 10.4.4): the local
 * APIC's.  A reserved bit set is #GP(0), as is the MSR without an APIC. */
static bool emulate_apic_base(struct machine *m, struct cpu_state *st, int len, bool write)
{
    uint64_t v = ((uint64_t)st->gpr[GPR_EDX] << 32) | st->gpr[GPR_EAX];
    if (write ? !apics_write_base(m, v) : !apics_read_base(m, &v)) {
        deliver_exception(m, st, VEC_GP,  st->eip,
                          write ? "WRMSR to IA32_APIC_BASE with a reserved bit set"
                                : "RDMSR of IA32_APIC_BASE without a local APIC");
        return true;
    }
    if (!write) {
        st->gpr[GPR_EAX] = (uint32_t)v;
        st->gpr[GPR_EDX] = (uint32_t)(v >> 32);
    }
    st->eip += (uint32_t)len;
    engine_commit_state(m->engine, st);
    m->clock.icount++;
    return true;
}

/* RDMSR/WRMSR of IA32_TSC at CPL 0: the virtual clock; of IA32_APIC_BASE:
 * the local APIC.  Returns false for every other case, which the engine
 * executes (with its #GP at CPL > 0). */
static bool emulate_msr(struct machine *m, struct cpu_state *st, int len, bool write)
{
    if (st->cpl != 0 || (st->eflags & EFLAGS_VM))
        return false;
    if (st->gpr[GPR_ECX] == LAPIC_MSR_APIC_BASE)
        return emulate_apic_base(m, st, len, write);
    if (st->gpr[GPR_ECX] != MSR_TSC)
        return false;
    if (write)
        m->tsc_offset = (((uint64_t)st->gpr[GPR_EDX] << 32) | st->gpr[GPR_EAX]) -
                        clock_now_ns(&m->clock);
    else {
        uint64_t tsc = tsc_now(m);
        st->gpr[GPR_EAX] = (uint32_t)tsc;
        st->gpr[GPR_EDX] = (uint32_t)(tsc >> 32);
    }
    st->eip += (uint32_t)len;
    engine_commit_state(m->engine, st);
    m->clock.icount++;
    return true;
}

enum engine_exit special_step(struct machine *m)
{
    const struct block_info *b = m->block;
    if (!b || b->first_special < 0)
        return ENGINE_AT_EXIT;
    uint32_t eip = engine_eip(m->engine);
    uint32_t insn = m->block_addr + (uint32_t)b->first_special;
    struct cpu_state st;
    if (!engine_read_state(m->engine, &st))
        return ENGINE_AT_EXIT;
    if (st.seg[SEG_CS].base + eip != insn) {
        /* Up to the instruction; anything else that happens on the way
         * (a fault, a deadline) is the run loop's to handle. */
        m->fresh_addr = m->block_addr;
        enum engine_exit x = engine_run_to(m->engine, eip, insn);
        m->fresh_addr = UINT32_MAX;
        eip = engine_eip(m->engine);
        if (x != ENGINE_AT_EXIT || m->cause != CAUSE_NONE || m->end != END_NONE ||
            m->reset_pending)
            return x;
    }
    uint8_t code[16];
    int len = 0;
    const char *name = "";
    if (!engine_begin_state(m->engine, &st))
        return ENGINE_AT_EXIT;
    if ((b->special & BLOCK_SPECIAL_MONITOR) && b->monitor_at == b->first_special &&
        m->translate_step) {
        /* The monitor's: it executes it, or lets the engine. */
        struct trace_point from = intr_trace_point(&st, st.eip);
        enum monitor_verdict v = m->translate_step(m->translate_opaque, m, &st);
        if (v == MONITOR_STOPPED) {
            machine_finish(m, END_GUEST_ERROR, "the monitor stopped the run at %04x:%08x",
                           st.seg[SEG_CS].selector, st.eip);
            return ENGINE_AT_EXIT;
        }
        if (v != MONITOR_DELIVER) {
            engine_commit_state(m->engine, &st);
            seglimit_after_commit(m, &st);
            m->clock.icount++;
            /* An IRET or far RET it executed to an outer ring is one the
             * trace shows, as when the engine runs it (exits.c). */
            if (st.cpl != from.cpl)
                exits_return_event(m, TRACE_RETURN, from, &st, st.seg[SEG_CS].base + st.eip);
            m->paging_stale = true;
            if (v == MONITOR_HALTED)
                exits_stop(m, CAUSE_NONE);
            return ENGINE_AT_EXIT;
        }
    }
    size_t got = deliver_read_code(m, &st, st.eip, code, sizeof code);
    unsigned kind = got ? disasm_special(m->disasm, code, got, insn, b->code32, &len, &name) : 0;
    if (kind == DISASM_SPECIAL_TSC) {
        emulate_rdtsc(m, &st, len, name[5] == 'p');
        return ENGINE_AT_EXIT;
    }
    if (kind == DISASM_SPECIAL_MSR && emulate_msr(m, &st, len, name[0] == 'w'))
        return ENGINE_AT_EXIT;
    if (kind == DISASM_SPECIAL_CR4 && refuse_cr4(m, &st, code, got))
        return ENGINE_AT_EXIT;
    if (kind == DISASM_SPECIAL_PMC && (st.cpl > 0 || (st.eflags & EFLAGS_VM)) &&
        !(st.cr4 & CR4_PCE)) {
        /* SDM Vol. 2B RDPMC: #GP(0) at CPL > 0 with CR4.PCE clear.  (Where
         * it may read, the engine's model has no counters: #UD, as QEMU.) */
        deliver_exception(m, &st, VEC_GP, st.eip, "RDPMC at CPL > 0 with CR4.PCE clear");
        return ENGINE_AT_EXIT;
    }
    if (kind == DISASM_SPECIAL_UMIP && umip_refuses(st.cr4, st.cpl, st.eflags)) {
        /* SDM Vol. 3A 2.5: #GP(0), nothing stored. */
        char why[96];
        snprintf(why, sizeof why, "`%s` at CPL %d with CR4.UMIP set", name,
                 (st.eflags & EFLAGS_VM) ? 3 : st.cpl);
        deliver_exception(m, &st, VEC_GP, st.eip, why);
        return ENGINE_AT_EXIT;
    }
    engine_commit_state(m->engine, &st); /* nothing changed: only read */
    if (kind == DISASM_SPECIAL_IO && special_io_needs_bitmap(m)) {
        char text[64];
        disasm_one(m->disasm, code, got, insn, b->code32, text, sizeof text);
        return step_io(m, &st, insn, len, text);
    }
    /* I/O the CPL may do after all, or an MSR the engine models: its own. */
    return len > 0 ? run_alone(m, st.eip, insn, len) : ENGINE_AT_EXIT;
}
