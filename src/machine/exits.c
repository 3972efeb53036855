/* What the engine hands back to the machine while it runs: the block hook
 * (the clock, rewritten code, the stops), exceptions and INT n, SYSENTER
 * and SYSCALL, CPUID, and accesses outside RAM.
 *
 * The block hook runs before every translated block.  Its common case is a
 * lookup, a compare and an addition; everything else waits in
 * block_slow_path.  No per-instruction hook is installed unless a front end
 * steps or watches memory. */
#include <stdio.h>
#include <string.h>

#include "cpu/engine.h"
#include "cpu/fastsys.h"
#include "cpu/ioperm.h"
#include "cpu/umip.h"
#include "machine/internal.h"

void exits_stop(struct machine *m, enum stop_cause cause)
{
    /* The first cause wins: the run loop acts on the one that stopped it. */
    if (m->cause == CAUSE_NONE || m->cause == CAUSE_DEADLINE)
        m->cause = cause;
    engine_stop(m->engine);
}

void exits_stop_mid_block(struct machine *m, uint64_t exact, enum stop_cause cause)
{
    m->clock.icount = exact;
    if (exact > m->block_start_icount && m->block)
        m->irq_hold_until = m->block_start_icount + m->block->count;
    exits_stop(m, cause);
}

/* The instructions executed before the one at `linear`, which lies in the
 * block now running: the block's start count plus its instructions before
 * that one.  (The block hook has already counted the whole block.) */
uint64_t exits_exact_icount(struct machine *m, uint32_t linear)
{
    const struct block_info *b = m->block;
    uint32_t offset = linear - m->block_addr;
    if (!b || linear < m->block_addr || offset >= m->block_size)
        return m->clock.icount;
    if (offset == 0)
        return m->block_start_icount;
    if (offset == b->last_insn)
        return m->block_start_icount + b->count - 1;
    uint8_t code[512];
    uint32_t n = m->block_size < sizeof code ? m->block_size : (uint32_t)sizeof code;
    struct cpu_state st;
    if (!engine_read_state(m->engine, &st) ||
        deliver_read_code(m, &st, m->block_addr - st.seg[SEG_CS].base, code, n) < n)
        return m->clock.icount;
    return m->block_start_icount +
           disasm_index_of(m->disasm, code, n, m->block_addr, b->code32, offset);
}

/* ---- returns to an outer ring ----------------------------------------- */

/* Before a block that ends in a return instruction runs: remember where
 * it returns from. */
static __attribute__((noinline)) void note_return(struct machine *m, const struct block_info *b,
                                                   uint32_t addr)
{
    struct cpu_state st;
    if (!engine_read_state(m->engine, &st))
        return;
    m->return_from = intr_trace_point(&st, addr + b->last_insn - st.seg[SEG_CS].base);
    m->return_kind = b->returns;
    m->return_pending = true;
}

/* At the next block: if the CPL changed, the return crossed rings. */
static __attribute__((noinline)) void check_return(struct machine *m, uint32_t addr)
{
    struct cpu_state st;
    m->return_pending = false;
    machine_rewatch(m);
    if (!engine_read_state(m->engine, &st) || st.cpl == m->return_from.cpl)
        return;
    enum trace_kind kind = m->return_kind == RETURN_SYSEXIT  ? TRACE_SYSEXIT
                           : m->return_kind == RETURN_SYSRET ? TRACE_SYSRET
                                                             : TRACE_RETURN;
    exits_return_event(m, kind, m->return_from, &st, addr);
}

void exits_return_event(struct machine *m, enum trace_kind kind, struct trace_point from,
                        const struct cpu_state *st, uint32_t pc)
{
    struct trace_event ev;
    intr_event_init(&ev, kind, st, from.eip);
    ev.delivered = true;
    ev.before = from;
    ev.after = intr_trace_point(st, pc - st->seg[SEG_CS].base);
    ev.pc = pc;
    if (m->explain)
        snprintf(ev.explain, sizeof ev.explain, "%s from CPL %d back to CPL %d at %04x:%08x",
                 ev.kind == TRACE_SYSEXIT  ? "SYSEXIT"
                 : ev.kind == TRACE_SYSRET ? "SYSRET"
                                           : "IRET/RETF",
                 ev.before.cpl, ev.after.cpl, ev.after.cs, ev.after.eip);
    events_emit(m, &ev);
}

/* ---- the block hook ---------------------------------------------------- */

/* The paging registers again, after a block or a delivery that may have
 * changed them.  When they changed, or the block flushed TLB entries, the
 * block cache's translations of linear addresses move to a new epoch. */
static __attribute__((noinline)) void refresh_paging(struct machine *m)
{
    struct paging_regs now = machine_walk_regs(m, NULL);
    bool code32 = engine_code32(m->engine);
    if (now.cr0 != m->paging.cr0 || now.cr3 != m->paging.cr3 || now.cr4 != m->paging.cr4 ||
        m->tlb_flushed || code32 != m->code32)
        m->epoch++;
    m->paging = now;
    m->code32 = code32;
    m->paging_stale = false;
    m->tlb_flushed = false;
}

/* Stop the run before the block about to start: it does not run, and the
 * run returns with EIP at its first instruction. */
static void stop_before_block(struct machine *m, enum stop_cause cause)
{
    m->clock.icount = m->block_start_icount;
    m->stopped_before_block = true;
    exits_stop(m, cause);
}

/* Does a special instruction of this block need ringlab now?  I/O only
 * when the TSS bitmap must judge it (CPL > IOPL or virtual-8086 mode); the
 * descriptor-table stores only when CR4.UMIP refuses them; MOV to CR4 when
 * the CPU lacks SMEP or SMAP; the clock's instructions, RDPMC and the
 * monitor's always. */
static bool special_applies(struct machine *m, const struct block_info *b)
{
    if (b->special & (DISASM_SPECIAL_TSC | DISASM_SPECIAL_MSR | DISASM_SPECIAL_PMC |
                      BLOCK_SPECIAL_MONITOR))
        return true;
    if ((b->special & DISASM_SPECIAL_IO) && special_io_needs_bitmap(m))
        return true;
    if ((b->special & DISASM_SPECIAL_CR4) && special_cr4_reserved(m) != 0)
        return true;
    return (b->special & DISASM_SPECIAL_UMIP) && special_umip_refuses(m);
}

/* The block hook's uncommon cases, in order: a block seen for the first
 * time or changed, a return to an outer ring to report, a pause, a special
 * instruction, a deadline, an interrupt window; then the counting of a
 * block that runs, with what it may change. */
static __attribute__((noinline)) void block_slow_path(struct machine *m, uint32_t addr,
                                                      uint32_t size, const struct block_info *b)
{
    bool is_new = false;
    if (!b)
        b = block_cache_get(&m->blocks, &m->paging, m->code32, m->epoch, addr, size, &is_new);
    m->block = b;
    bool fresh = addr == m->fresh_addr;
    m->fresh_addr = UINT32_MAX;
    if (is_new && !fresh) {
        /* First seen, or its bytes changed: Unicorn's translation may be of
         * older code, so stop before it runs and have it translated again
         * (unless the run loop has just had it translated). */
        stop_before_block(m, CAUSE_RETRANSLATE);
        return;
    }
    if (m->return_pending)
        check_return(m, addr);
    if (m->seg_stale && (!b || b->seg_uses) && seglimit_changed(m)) {
        /* A segment stopped or started being flat: the limit checks come
         * or go before this block runs.  (A block that accesses no memory
         * does not need to know: the look waits for one that may, or for
         * the next delivery, which sees the whole state anyway.) */
        stop_before_block(m, CAUSE_SEG_SYNC);
        return;
    }
    if (m->pause_requested) {
        stop_before_block(m, CAUSE_DEADLINE);
        return;
    }
    if (m->cause == CAUSE_EVENT) {
        /* The return matched the run's stop_on: stop back in the outer ring. */
        stop_before_block(m, CAUSE_EVENT);
        return;
    }
    if (!b) {
        m->clock.icount++;
        return;
    }
    m->io_seen = 0;
    if ((b->slow & BLOCK_SPECIAL) && m->special_pass != addr && special_applies(m, b)) {
        /* An instruction ringlab must execute itself: Unicorn cannot abort
         * an I/O instruction from its own hook, so stop before the block and
         * let the run loop run up to the instruction and take it from there. */
        stop_before_block(m, CAUSE_SPECIAL);
        return;
    }
    m->special_pass = UINT32_MAX;
    if ((b->seg_uses & m->seg_nulls) && seglimit_block_needs_check(m, addr, size)) {
        /* It may use a null segment register: it gets its checks first. */
        stop_before_block(m, CAUSE_SEG_SYNC);
        return;
    }
    if (b->seg_reload_end > 0 && !m->seg_hook && m->seg_reload_pass != addr) {
        /* A later instruction may use a segment register this block loads:
         * run up to the load, and look at the limits before the rest. */
        stop_before_block(m, CAUSE_SEG_LOAD);
        return;
    }
    if (m->clock.icount >= m->stop_at) {
        stop_before_block(m, CAUSE_DEADLINE);
        return;
    }
    if (m->irq_poll && m->irq_recheck && m->irq_poll_skip) {
        m->irq_poll_skip = false;
    } else if (m->irq_poll && m->irq_recheck) {
        m->irq_recheck = false;
        if (engine_eflags(m->engine) & EFLAGS_IF) {
            stop_before_block(m, CAUSE_IRQ_WINDOW);
            return;
        }
    }
    if (m->clock.icount + b->count > m->stop_at) {
        /* The deadline falls inside this block: the run loop runs up to
         * the very instruction at which it falls. */
        stop_before_block(m, CAUSE_DEADLINE);
        return;
    }
    /* The block runs. */
    m->clock.icount += b->count;
    if ((b->slow & BLOCK_RETURNS) && m->want_returns)
        note_return(m, b, addr);
    if (b->slow & BLOCK_REMAP) {
        m->paging_stale = true;
        m->tlb_flushed |= b->flushes_tlb;
    }
    if ((b->slow & BLOCK_SET_IF) && m->irq_poll)
        m->irq_recheck = true;
    if (b->slow & BLOCK_SEGLOAD)
        m->seg_stale = true;
    machine_rewatch(m);
}

/* A block that starts inside the one before and ends before its end: the
 * one before was cut short there.  It happens when a store rewrites the
 * block it is in: Unicorn abandons the block and runs the store again in a
 * block of its own.  The clock counted the whole block; it counts now only
 * the instructions before the cut.  (A jump back into a block ends where
 * the block ends, and so does a repeated string instruction.) */
static __attribute__((noinline)) void cut_short(struct machine *m, uint32_t addr)
{
    m->clock.icount = exits_exact_icount(m, addr);
}

/* Called by Unicorn before every translated block runs.  The common case:
 * the block is known and nothing may have moved it, nothing waits to be
 * looked at, no deadline falls in it: count it. */
static void hook_block(struct uc_struct *uc, uint64_t addr, uint32_t size, void *opaque)
{
    struct machine *m = opaque;
    (void)uc;
    uint32_t into = (uint32_t)addr - m->block_addr;
    if (into < m->block_size && into + size < m->block_size)
        cut_short(m, (uint32_t)addr);
    m->block_addr = (uint32_t)addr;
    m->block_size = size;
    m->block_start_icount = m->clock.icount;
    if (m->paging_stale)
        refresh_paging(m);
    const struct block_info *b =
        block_cache_hit(&m->blocks, m->paging.cr3, m->epoch, (uint32_t)addr, size);
    if (__builtin_expect(!b || b->slow || m->watch_blocks || (b->seg_uses & m->seg_nulls) ||
                             m->clock.icount + b->count > m->stop_at,
                         0)) {
        block_slow_path(m, (uint32_t)addr, size, b);
        return;
    }
    m->block = b;
    m->clock.icount += b->count;
}

/* ---- exceptions and INT n ----------------------------------------------- */

static void hook_interrupt(void *opaque, int vector)
{
    deliver_engine_event(opaque, vector);
}

/* ---- SYSENTER, SYSCALL --------------------------------------------------- */

static uint32_t msr32(struct machine *m, uint32_t msr)
{
    uint64_t v = 0;
    engine_read_msr(m->engine, msr, &v);
    return (uint32_t)v;
}

static void fast_event(struct machine *m, enum trace_kind kind, const struct cpu_state *before,
                       uint32_t insn_eip, const struct cpu_state *after)
{
    struct trace_event ev;
    intr_event_init(&ev, kind, before, insn_eip);
    ev.delivered = true;
    ev.after = intr_trace_point(after, after->eip);
    if (m->explain)
        snprintf(ev.explain, sizeof ev.explain, "%s from CPL %d to %04x:%08x",
                 kind == TRACE_SYSENTER ? "SYSENTER" : "SYSCALL", before->cpl,
                 after->seg[SEG_CS].selector, after->eip);
    events_emit(m, &ev);
}

/* SYSENTER and SYSCALL end their translated block, so the instruction is
 * the block's last two bytes; the engine adds 2 to whatever EIP the hook
 * leaves, so the new EIP is written 2 short. */
static void fast_system_call(struct machine *m, bool is_sysenter)
{
    struct cpu_state st;
    if (!engine_begin_state(m->engine, &st)) {
        machine_finish(m, END_HOST_ERROR, "cannot read the CPU state from the engine");
        return;
    }
    uint32_t insn_eip = m->block_addr + m->block_size - 2 - st.seg[SEG_CS].base;
    /* The instruction is the block's last: it counts as executed. */
    m->clock.icount = m->block_start_icount + (m->block ? m->block->count - 1 : 0);
    struct cpu_state before = st;
    enum fastsys_result r;
    if (is_sysenter && !exits_has_feature(m, MACHINE_CPUID_SEP))
        r = FASTSYS_UD; /* SDM Vol. 2B SYSENTER: a processor without SEP has no SYSENTER */
    else if (is_sysenter)
        r = fastsys_sysenter(&st, msr32(m, MSR_SYSENTER_CS), msr32(m, MSR_SYSENTER_ESP),
                             msr32(m, MSR_SYSENTER_EIP));
    else {
        uint64_t efer = 0, star = 0;
        engine_read_msr(m->engine, MSR_EFER, &efer);
        engine_read_msr(m->engine, MSR_STAR, &star);
        r = fastsys_syscall(&st, efer, star, insn_eip + 2);
    }
    if (r == FASTSYS_OK) {
        fast_event(m, is_sysenter ? TRACE_SYSENTER : TRACE_SYSCALL, &before, insn_eip, &st);
        m->clock.icount++;
        st.eip -= 2;
        engine_commit_state(m->engine, &st);
        return;
    }
    int vector = r == FASTSYS_GP0 ? VEC_GP : VEC_UD;
    const char *why = is_sysenter && r == FASTSYS_UD ? "SYSENTER on a CPU without SEP (-cpu ...,-sep)"
                      : is_sysenter                  ? "SYSENTER with IA32_SYSENTER_CS = 0"
                                                     : "SYSCALL with EFER.SCE = 0";
    deliver_exception(m, &st, vector, insn_eip, why);
    if (m->end == END_NONE && !m->reset_pending) {
        /* Undo the engine's +2 on the handler's EIP. */
        engine_begin_state(m->engine, &st);
        st.eip -= 2;
        engine_commit_state(m->engine, &st);
    }
}

static void hook_sysenter(void *opaque)
{
    fast_system_call(opaque, true);
}

static void hook_syscall(void *opaque)
{
    fast_system_call(opaque, false);
}

/* ---- CPUID ------------------------------------------------------------------ */

/* CPUID says what this machine has: the model's answers, less what
 * ringlab does not provide, and more what it adds.  The APIC bit is set
 * only with a local APIC that IA32_APIC_BASE has not disabled (SDM Vol. 3A
 * 10.4.3).  CR4.UMIP works on every model (umip.h), so leaf 7 says so. */
void exits_cpuid(struct machine *m, uint32_t leaf, uint32_t subleaf, uint32_t regs[4])
{
    uint32_t top[4];
    engine_model_cpuid(m->engine, 0, 0, top);
    engine_model_cpuid(m->engine, leaf, subleaf, regs);
    if (leaf == 1)
        regs[3] = (regs[3] | m->cfg.cpuid_on) & ~m->cfg.cpuid_off;
    uint64_t base = 0;
    if (leaf == 1 && !(apics_read_base(m, &base) && (base & APIC_BASE_ENABLE)))
        regs[3] &= ~CPUID_1_EDX_APIC;
    umip_cpuid(top[0], leaf, subleaf, regs);
    /* SMEP and SMAP where -cpu adds them (machine_create gave the engine
     * SMAP); no model has them by itself. */
    if (leaf == UMIP_CPUID_LEAF && subleaf == 0) {
        regs[1] |= m->cfg.cpuid7_on;
        if (m->cfg.no_umip)
            regs[2] &= ~CPUID_7_ECX_UMIP;
    }
}

bool exits_has_feature(struct machine *m, uint32_t cpuid1_edx_bit)
{
    uint32_t regs[4];
    exits_cpuid(m, 1, 0, regs);
    return (regs[3] & cpuid1_edx_bit) != 0;
}

static void hook_cpuid(void *opaque, uint32_t leaf, uint32_t subleaf, uint32_t regs[4])
{
    exits_cpuid(opaque, leaf, subleaf, regs);
}

/* ---- outside RAM -------------------------------------------------------------- */

/* What a PC has at a physical address above RAM that ringlab does not
 * provide, for the message. */
static const char *pc_device_at(uint64_t paddr)
{
    if (paddr >= 0xfee00000u && paddr < 0xfee01000u)
        return "the local APIC (not emulated)";
    if (paddr >= 0xfec00000u && paddr < 0xfec01000u)
        return "the I/O APIC (not emulated)";
    if (paddr >= 0xfed00000u && paddr < 0xfed00400u)
        return "the HPET (not emulated)";
    if (paddr >= 0xfffc0000u && paddr <= 0xffffffffu)
        return "the BIOS ROM (ringlab boots without one)";
    if (paddr >= 0xa0000u && paddr < 0x100000u)
        return "the VGA/ROM area";
    return NULL;
}

/* A physical access outside RAM: nothing of the PC ringlab builds is
 * there, so the machine stops and says where (exit status 12). */
static void hook_unmapped(void *opaque, char kind, uint64_t paddr, int size)
{
    struct machine *m = opaque;
    const char *what = kind == 'x' ? "fetched code from" : kind == 'w' ? "wrote to" : "read from";
    const char *device = pc_device_at(paddr);
    uint32_t eip = engine_eip(m->engine);
    if (device)
        machine_finish(m, END_GUEST_ERROR,
                       "the guest %s physical address 0x%08llx (%d bytes), where a PC has %s, "
                       "near EIP %08x",
                       what, (unsigned long long)paddr, size, device, eip);
    else
        machine_finish(m, END_GUEST_ERROR,
                       "the guest %s physical address 0x%08llx (%d bytes), outside its %zu MiB of "
                       "RAM, near EIP %08x",
                       what, (unsigned long long)paddr, size, m->ram_size >> 20, eip);
}

bool exits_install(struct machine *m)
{
    struct engine_hooks hooks = {
        .interrupt = hook_interrupt,
        .block = hook_block,
        .port_in = special_port_in,
        .port_out = special_port_out,
        .sysenter = hook_sysenter,
        .syscall = hook_syscall,
        .cpuid = hook_cpuid,
        .unmapped = hook_unmapped,
    };
    return engine_set_hooks(m->engine, &hooks, m);
}
