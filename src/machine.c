/* The machine: wires Unicorn, ringlab's protection model, RAM, the devices
 * and the virtual clock together, and runs the guest.
 *
 * Unicorn runs instructions until something needs ringlab: an exception or
 * software interrupt (the interrupt hook delivers it through the guest IDT
 * at once), an I/O instruction (dispatched to the port bus after the I/O
 * permission check), SYSENTER/SYSCALL, an invalid opcode, HLT, or a block
 * hook that sees a timer deadline or a deliverable IRQ and stops the run.
 * The run loop then services the devices, delivers the IRQ, and starts
 * Unicorn again.  No per-instruction hook is installed. */
#include "machine.h"

#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unicorn/unicorn.h>

#include "cpu/block_cache.h"
#include "cpu/engine.h"
#include "cpu/fastsys.h"
#include "cpu/intr.h"
#include "cpu/sdm_fixup.h"
#include "cpu/ioperm.h"
#include "debug/disasm.h"
#include "devices/bus.h"
#include "devices/cmos.h"
#include "devices/debug_ports.h"
#include "devices/pic8259.h"
#include "devices/pit8254.h"
#include "devices/ps2.h"
#include "devices/uart16550.h"
#include "devices/vga_text.h"
#include "mmu/linear.h"
#include "mmu/phys.h"

#define MAX_SINKS 4
#define VGA_TEXT_BASE 0xb8000u
/* Entries of the block cache (a power of two). */
#define BLOCK_CACHE_SIZE 65536
/* How often, in executed instructions, the wall clock is looked at for
 * --timeout and --realtime. */
#define WALL_CHECK_INSNS 4000000ull
/* Idle time that passes in one step when a person is typing. */
#define IDLE_STEP_MS 10

struct machine {
    struct machine_config cfg;
    struct engine *engine;
    uc_engine *uc;
    uint8_t *ram;
    size_t ram_size;
    struct phys_mem phys;
    struct disasm *disasm;

    struct bus bus;
    struct pic_pair pic;
    struct pit pit;
    struct uart com1;
    struct cmos cmos;
    struct ps2 ps2;
    struct vga_text vga;
    struct debug_ports debug;

    uc_hook hooks[12];
    int nhooks;

    struct trace_sink sinks[MAX_SINKS];
    int nsinks;
    uint64_t seq;

    /* The clock: instructions executed, and where virtual time stands. */
    uint64_t icount;
    uint64_t idle_ns;        /* virtual time spent halted, not executing */
    uint64_t stop_at_icount; /* the block hook stops the run here */
    double wall_start;
    uint64_t next_wall_check;
    struct block_cache blocks;
    /* The paging registers as the block hook knows them: read at each run
     * start and after any block or delivery that may have changed them,
     * never on every block. */
    struct paging_regs paging;
    bool paging_stale;
    bool retranslate;        /* the block at block_addr must be translated anew */
    bool fresh_run;          /* run_until: its code was just translated anew */
    /* A block ending in IRET/RETF/SYSEXIT/SYSRET ran: at the next block
     * hook, a changed CPL is a return to an outer ring (traced only). */
    bool return_pending;
    uint8_t return_kind;
    struct trace_point return_from;
    uint32_t block_addr, block_size; /* the block now running */

    /* Why the run stopped, set by hooks before uc_emu_stop. */
    bool stop_requested;
    /* An IRQ waits for IF: the block hook looks at EFLAGS again after a
     * block that may have set IF (and not before the STI shadow is over). */
    bool irq_poll;
    bool irq_recheck;        /* look at the next block hook */
    bool irq_poll_skip;      /* ... but only at the one after (STI shadow) */
    bool halted;
    bool input_ended;        /* the host input reported its end */
    volatile sig_atomic_t quit_requested;
    /* I/O at CPL > IOPL: the block hook stops before a block that holds an
     * I/O instruction, and the run loop steps that instruction alone. */
    bool io_stop;            /* stopped before such a block */
    uint32_t io_block, io_insn; /* the block and its I/O instruction (linear) */
    uint32_t io_pass;        /* let this block through once (running up to io_insn) */
    bool io_stepping;        /* the I/O hooks check permission and refuse quietly */
    bool io_refused;
    bool have_stop;
    enum machine_stop stop;
    int debug_exit_status;
    char detail[256];
    uint64_t walker_disagreements;
};

static double wall_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Virtual time: one nanosecond per instruction, plus the time spent halted.
 * With --realtime, the wall clock since power-on. */
static uint64_t now_ns(void *opaque)
{
    struct machine *m = opaque;
    if (m->cfg.realtime)
        return (uint64_t)((wall_seconds() - m->wall_start) * 1e9);
    return m->icount + m->idle_ns;
}

static void finish(struct machine *m, enum machine_stop why, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void finish(struct machine *m, enum machine_stop why, const char *fmt, ...)
{
    if (m->have_stop)
        return;
    m->have_stop = true;
    m->stop = why;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(m->detail, sizeof m->detail, fmt, ap);
    va_end(ap);
    m->stop_requested = true;
    uc_emu_stop(m->uc);
}

/* ---- trace ------------------------------------------------------------ */

static void emit_event(void *opaque, struct trace_event *ev)
{
    struct machine *m = opaque;
    ev->seq = ++m->seq;
    ev->icount = m->icount;
    for (int i = 0; i < m->nsinks; i++)
        m->sinks[i].emit(m->sinks[i].opaque, ev);
}

bool machine_add_sink(struct machine *m, struct trace_sink sink)
{
    if (m->nsinks == MAX_SINKS)
        return false;
    m->sinks[m->nsinks++] = sink;
    return true;
}

/* ---- delivering events ------------------------------------------------ */

static struct intr_env intr_env_of(struct machine *m)
{
    struct intr_env env = {.phys = &m->phys, .emit = emit_event, .opaque = m,
                           .explain = m->nsinks > 0};
    return env;
}

static struct linear_mem linear_of(struct machine *m, const struct cpu_state *st)
{
    struct linear_mem lm = {.phys = &m->phys, .regs = {st->cr0, st->cr3, st->cr4}};
    return lm;
}

/* Read up to `len` bytes of code at CS:eip (no side effects). */
static size_t read_code(struct machine *m, const struct cpu_state *st, uint32_t eip, uint8_t *buf,
                        size_t len)
{
    struct linear_mem lm = linear_of(m, st);
    size_t got = 0;
    while (got < len) {
        struct paging_walk w;
        uint32_t la = st->seg[SEG_CS].base + eip + (uint32_t)got;
        if (!linear_translate(&lm, la, PAGING_FETCH, st->cpl == 3, &w))
            break;
        size_t n = 4096 - (la & 4095);
        if (n > len - got)
            n = len - got;
        if (!phys_read(&m->phys, w.paddr, buf + got, n))
            break;
        got += n;
    }
    return got;
}

static void describe_insn(struct machine *m, const struct cpu_state *st, uint32_t eip, char *text,
                          size_t n)
{
    uint8_t code[16];
    size_t got = read_code(m, st, eip, code, sizeof code);
    if (got == 0 || !disasm_one(m->disasm, code, got, eip, (st->seg[SEG_CS].flags & DESC_B) != 0,
                                text, n))
        snprintf(text, n, "(code not readable)");
}

/* Explain a page fault the engine raised, with ringlab's own page walk,
 * and check that the walk predicts the engine's error code. */
static void explain_page_fault(struct machine *m, const struct cpu_state *st, uint32_t error_code,
                               char *out, size_t n)
{
    enum paging_access access = (error_code & 2) ? PAGING_WRITE : PAGING_READ;
    uint32_t pc = st->seg[SEG_CS].base + st->eip;
    if (!(error_code & 2) && st->cr2 - pc < 16)
        access = PAGING_FETCH;
    struct paging_walk w;
    struct linear_mem lm = linear_of(m, st);
    bool ok = linear_translate(&lm, st->cr2, access, (error_code & 4) != 0, &w);
    size_t len = paging_explain(&w, out, n);
    uint32_t predicted = ok ? 0xffffffffu : w.error_code;
    if (predicted != error_code) {
        m->walker_disagreements++;
        if (len < n)
            snprintf(out + len, n - len, " [ringlab's walk predicts %s, the CPU reported %04x]",
                     ok ? "no fault" : "another error code", error_code);
    }
}

/* Deliver an event and write the new state back.  Returns false when the
 * machine shut down (triple fault). */
static bool deliver(struct machine *m, struct cpu_state *st, struct intr_request *req)
{
    struct intr_env env = intr_env_of(m);
    if (intr_deliver(&env, st, req) == INTR_TRIPLE_FAULT) {
        if (m->cfg.no_reboot)
            finish(m, STOP_TRIPLE_FAULT, "triple fault at %04x:%08x (see the trace for the faults that led to it)",
                   st->seg[SEG_CS].selector, req->insn_eip);
        else
            finish(m, STOP_RESET, "triple fault: resetting");
        return false;
    }
    engine_commit_state(m->engine, st);
    m->paging_stale = true; /* a task gate may have loaded another CR3 */
    return true;
}

/* The interrupt hook: Unicorn reports an exception or INT n here instead of
 * delivering it. */
static void hook_intr(uc_engine *uc, uint32_t intno, void *opaque)
{
    struct machine *m = opaque;
    struct cpu_state st;
    (void)uc;
    if (!engine_begin_state(m->engine, &st)) {
        finish(m, STOP_HOST_ERROR, "cannot read the CPU state from the engine");
        return;
    }
    struct intr_request req = {.vector = (int)intno, .return_eip = st.eip, .insn_eip = st.eip};
    char why[320] = "";
    if (engine_pending_is_software_int(m->engine)) {
        /* EIP is already past the instruction: find its start (CD ib, CC, CE). */
        uint8_t code[2] = {0, 0};
        size_t got = read_code(m, &st, st.eip - 2, code, 2);
        uint32_t len = (got == 2 && code[0] == 0xcd && code[1] == intno) ? 2 : 1;
        req.source = INTR_SOFTWARE;
        req.insn_eip = st.eip - len;
        if (m->nsinks)
            snprintf(why, sizeof why, "%s at CPL %d",
                     len == 2 ? "INT n" : (intno == 3 ? "INT3" : "INTO"), st.cpl);
    } else {
        req.source = INTR_EXCEPTION;
        req.has_error_code = intr_vector_has_error_code((int)intno);
        if (req.has_error_code)
            req.error_code = engine_pending_error_code(m->engine);
        char insn[96] = "";
        if (m->nsinks)
            describe_insn(m, &st, st.eip, insn, sizeof insn);
        uint8_t code[16];
        size_t ncode = read_code(m, &st, st.eip, code, sizeof code);
        struct linear_mem lm = linear_of(m, &st);
        if (sdm_fixup(&lm, &st, code, ncode, &req.vector, req.error_code, why, sizeof why)) {
            /* corrected: `why` says how */
        } else if (intno == 14 && m->nsinks) {
            char walk[256];
            explain_page_fault(m, &st, req.error_code, walk, sizeof walk);
            snprintf(why, sizeof why, "%.250s, by `%.60s`", walk, insn);
        } else if (m->nsinks) {
            snprintf(why, sizeof why, "raised by `%s`", insn);
        }
    }
    req.why = why;
    deliver(m, &st, &req);
}

/* ---- the clock and the block hook ------------------------------------- */

/* Does I/O at this privilege need the TSS bitmap (CPL > IOPL, or V86)? */
static bool io_needs_bitmap(struct machine *m)
{
    uint32_t eflags = 0, cs = 0;
    uc_reg_read(m->uc, UC_X86_REG_EFLAGS, &eflags);
    uc_reg_read(m->uc, UC_X86_REG_CS, &cs);
    return ioperm_uses_bitmap((eflags & EFLAGS_VM) ? 3 : (uint8_t)(cs & 3), eflags);
}

/* Before a block that ends in a return instruction runs: remember where
 * it returns from. */
static __attribute__((noinline)) void note_return(struct machine *m, const struct block_info *b,
                                                   uint32_t addr)
{
    struct cpu_state st;
    if (!engine_begin_state(m->engine, &st))
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
    if (!engine_begin_state(m->engine, &st) || st.cpl == m->return_from.cpl)
        return;
    struct trace_event ev;
    enum trace_kind kind = m->return_kind == RETURN_SYSEXIT  ? TRACE_SYSEXIT
                           : m->return_kind == RETURN_SYSRET ? TRACE_SYSRET
                                                             : TRACE_RETURN;
    intr_event_init(&ev, kind, &st, m->return_from.eip);
    ev.delivered = true;
    ev.before = m->return_from;
    ev.after = intr_trace_point(&st, addr - st.seg[SEG_CS].base);
    ev.pc = addr;
    snprintf(ev.explain, sizeof ev.explain, "%s from CPL %d back to CPL %d at %04x:%08x",
             ev.kind == TRACE_SYSEXIT ? "SYSEXIT" : ev.kind == TRACE_SYSRET ? "SYSRET" : "IRET/RETF",
             ev.before.cpl, ev.after.cpl, ev.after.cs, ev.after.eip);
    emit_event(m, &ev);
}

static __attribute__((noinline)) void refresh_paging(struct machine *m, uc_engine *uc)
{
    uc_reg_read(uc, UC_X86_REG_CR0, &m->paging.cr0);
    uc_reg_read(uc, UC_X86_REG_CR3, &m->paging.cr3);
    uc_reg_read(uc, UC_X86_REG_CR4, &m->paging.cr4);
    m->paging_stale = false;
}

/* Stop the run before the block about to start: it does not run, and the
 * run returns with EIP at its first instruction. */
static void stop_before_block(struct machine *m, uc_engine *uc)
{
    m->stop_requested = true;
    uc_emu_stop(uc);
}

/* The block hook's uncommon cases, in order.  Returns true when the block
 * runs and is to be counted as usual. */
static __attribute__((noinline)) bool block_slow_path(struct machine *m, uc_engine *uc,
                                                      uint32_t addr, const struct block_info *b,
                                                      bool is_new)
{
    if (is_new && !m->fresh_run) {
        /* First seen, or its bytes changed: Unicorn's translation may be of
         * older code, so stop before it runs and have it translated again. */
        m->retranslate = true;
        stop_before_block(m, uc);
        return false;
    }
    if (m->return_pending)
        check_return(m, addr);
    if (!b) {
        m->icount++;
        return false;
    }
    if (b->first_io >= 0 && m->io_pass != addr && io_needs_bitmap(m)) {
        /* An I/O instruction the TSS bitmap must judge: Unicorn cannot abort
         * it from its own hook, so stop before the block and let the run
         * loop step the instruction alone. */
        m->io_stop = true;
        m->io_block = addr;
        m->io_insn = addr + (uint32_t)b->first_io;
        stop_before_block(m, uc);
        return false;
    }
    m->io_pass = UINT32_MAX;
    if (m->icount >= m->stop_at_icount) {
        stop_before_block(m, uc);
        return false;
    }
    if (m->irq_poll && m->irq_recheck && m->irq_poll_skip) {
        m->irq_poll_skip = false;
    } else if (m->irq_poll && m->irq_recheck) {
        m->irq_recheck = false;
        uint32_t eflags = 0;
        uc_reg_read(uc, UC_X86_REG_EFLAGS, &eflags);
        if (eflags & EFLAGS_IF) {
            stop_before_block(m, uc);
            return false;
        }
    }
    return true;
}

/* Called by Unicorn before every translated block runs: the clock, the
 * block cache, and whatever must happen between blocks.  The common case
 * stays short; the rest is in block_slow_path. */
static void hook_block(uc_engine *uc, uint64_t addr, uint32_t size, void *opaque)
{
    struct machine *m = opaque;
    m->block_addr = (uint32_t)addr;
    m->block_size = size;
    if (m->paging_stale)
        refresh_paging(m, uc);
    bool is_new;
    const struct block_info *b = block_cache_get(&m->blocks, &m->paging, (uint32_t)addr, size,
                                                 &is_new);
    if (is_new || !b || b->first_io >= 0 || m->return_pending || m->irq_recheck ||
        m->icount >= m->stop_at_icount) {
        if (!block_slow_path(m, uc, (uint32_t)addr, b, is_new))
            return;
    }
    m->io_pass = UINT32_MAX;
    m->icount += b->count;
    if (b->returns != RETURN_NONE && m->cfg.trace_returns)
        note_return(m, b, (uint32_t)addr);
    if (b->may_remap)
        m->paging_stale = true;
    if (b->may_set_if && m->irq_poll)
        m->irq_recheck = true;
}

/* ---- I/O instructions ------------------------------------------------- */

static int port_size(int size)
{
    return size == 1 || size == 2 ? size : 4;
}

static bool tss_read_byte(void *opaque, uint32_t laddr, uint8_t *byte)
{
    struct machine *m = opaque;
    struct cpu_state st;
    memset(&st, 0, sizeof st);
    uint32_t cr0 = 0, cr3 = 0, cr4 = 0;
    uc_reg_read(m->uc, UC_X86_REG_CR0, &cr0);
    uc_reg_read(m->uc, UC_X86_REG_CR3, &cr3);
    uc_reg_read(m->uc, UC_X86_REG_CR4, &cr4);
    struct linear_mem lm = {.phys = &m->phys, .regs = {cr0, cr3, cr4}};
    return linear_read(&lm, laddr, byte, 1, false, NULL);
}

/* SDM Vol. 1 19.5: when CPL > IOPL (or in virtual-8086 mode) the TSS's I/O
 * permission bitmap decides; otherwise the access is allowed. */
static bool io_allowed(struct machine *m, uint16_t port, int size)
{
    uint32_t eflags = 0, cs = 0;
    uc_reg_read(m->uc, UC_X86_REG_EFLAGS, &eflags);
    uc_reg_read(m->uc, UC_X86_REG_CS, &cs);
    uint8_t cpl = (eflags & EFLAGS_VM) ? 3 : (cs & 3);
    if (!ioperm_uses_bitmap(cpl, eflags))
        return true;
    uc_x86_mmr tr;
    memset(&tr, 0, sizeof tr);
    uc_reg_read(m->uc, UC_X86_REG_TR, &tr);
    bool tss32 = ((tr.flags >> DESC_TYPE_SHIFT) & 8) != 0;
    struct ioperm_mem mem = {tss_read_byte, m};
    struct ioperm_result r;
    return ioperm_check(&mem, (uint32_t)tr.base, tr.limit, tss32, port, size, &r) == IOPERM_ALLOW;
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
        finish(m, STOP_GUEST_ERROR, "I/O to port 0x%04x refused outside a checked step", port);
    return false;
}

static void after_io(struct machine *m)
{
    /* A device may have raised an IRQ: have the run stop soon to look. */
    if (pic_has_interrupt(&m->pic))
        m->stop_at_icount = 0;
}

static uint32_t hook_in(uc_engine *uc, uint32_t port, int size, void *opaque)
{
    struct machine *m = opaque;
    (void)uc;
    if (!io_permitted(m, (uint16_t)port, size))
        return 0xffffffffu;
    uint32_t v = bus_in(&m->bus, (uint16_t)port, port_size(size));
    after_io(m);
    return v;
}

static void hook_out(uc_engine *uc, uint32_t port, int size, uint32_t value, void *opaque)
{
    struct machine *m = opaque;
    (void)uc;
    if (!io_permitted(m, (uint16_t)port, size))
        return;
    bus_out(&m->bus, (uint16_t)port, value, port_size(size));
    after_io(m);
}

/* ---- SYSENTER, SYSCALL, invalid opcodes -------------------------------- */

/* Raise an exception at `eip` from between runs or from a hook. */
static void raise_at(struct machine *m, struct cpu_state *st, int vector, uint32_t eip,
                     const char *why)
{
    struct intr_request req = {
        .vector = vector,
        .source = INTR_EXCEPTION,
        .has_error_code = intr_vector_has_error_code(vector),
        .error_code = 0,
        .return_eip = eip,
        .insn_eip = eip,
        .why = why,
    };
    st->eip = eip;
    deliver(m, st, &req);
}

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
    snprintf(ev.explain, sizeof ev.explain, "%s from CPL %d to %04x:%08x",
             kind == TRACE_SYSENTER ? "SYSENTER" : "SYSCALL", before->cpl,
             after->seg[SEG_CS].selector, after->eip);
    emit_event(m, &ev);
}

/* SYSENTER and SYSCALL end their translated block, so the instruction is
 * the block's last two bytes; the engine adds 2 to whatever EIP the hook
 * leaves, so the new EIP is written 2 short. */
static void hook_fast_syscall(uc_engine *uc, void *opaque, bool is_sysenter)
{
    struct machine *m = opaque;
    (void)uc;
    struct cpu_state st;
    if (!engine_begin_state(m->engine, &st)) {
        finish(m, STOP_HOST_ERROR, "cannot read the CPU state from the engine");
        return;
    }
    uint32_t insn_eip = m->block_addr + m->block_size - 2 - st.seg[SEG_CS].base;
    struct cpu_state before = st;
    enum fastsys_result r;
    if (is_sysenter)
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
        st.eip -= 2;
        engine_commit_state(m->engine, &st);
        return;
    }
    int vector = r == FASTSYS_GP0 ? 13 : 6;
    const char *why = is_sysenter ? "SYSENTER with IA32_SYSENTER_CS = 0"
                                  : "SYSCALL with EFER.SCE = 0";
    raise_at(m, &st, vector, insn_eip, why);
    if (!m->have_stop) {
        /* Undo the engine's +2 on the handler's EIP. */
        engine_begin_state(m->engine, &st);
        st.eip -= 2;
        engine_commit_state(m->engine, &st);
    }
}

static void hook_sysenter(uc_engine *uc, void *opaque)
{
    hook_fast_syscall(uc, opaque, true);
}

static void hook_syscall(uc_engine *uc, void *opaque)
{
    hook_fast_syscall(uc, opaque, false);
}

/* A physical access outside RAM: nothing of the PC ringlab builds is
 * there, so the machine stops and says where (exit status 12). */
static bool hook_unmapped(uc_engine *uc, uc_mem_type type, uint64_t addr, int size, int64_t value,
                          void *opaque)
{
    struct machine *m = opaque;
    uint32_t eip = 0;
    (void)value;
    uc_reg_read(uc, UC_X86_REG_EIP, &eip);
    const char *what = type == UC_MEM_FETCH_UNMAPPED  ? "fetched code from"
                       : type == UC_MEM_WRITE_UNMAPPED ? "wrote to"
                                                       : "read from";
    finish(m, STOP_GUEST_ERROR,
           "the guest %s physical address 0x%08llx (%d bytes), outside its %zu MiB of RAM, near EIP %08x",
           what, (unsigned long long)addr, size, m->ram_size >> 20, eip);
    return false;
}

static bool hook_invalid(uc_engine *uc, void *opaque)
{
    (void)uc;
    (void)opaque;
    /* Ends the run; the run loop delivers #UD (Unicorn cannot from here). */
    return false;
}

/* ---- devices ----------------------------------------------------------- */

static void pic_set(void *opaque, int irq, int level)
{
    struct machine *m = opaque;
    pic_set_irq(&m->pic, irq, level);
}

static void device_exit(void *opaque, int status)
{
    struct machine *m = opaque;
    m->debug_exit_status = status;
    finish(m, STOP_DEBUG_EXIT, "isa-debug-exit: status %d", status);
}

static void device_poweroff(void *opaque)
{
    finish(opaque, STOP_POWEROFF, "the guest powered off");
}

static void device_reset(void *opaque)
{
    finish(opaque, STOP_RESET, "the guest reset the machine through the keyboard controller");
}

static void serial_tx(void *opaque, uint8_t byte)
{
    struct machine *m = opaque;
    if (m->cfg.serial_out)
        m->cfg.serial_out(m->cfg.serial_opaque, byte);
}

static void debugcon_tx(void *opaque, uint8_t byte)
{
    struct machine *m = opaque;
    if (m->cfg.debugcon_out)
        m->cfg.debugcon_out(m->cfg.debugcon_opaque, byte);
}

static bool engine_write(void *opaque, uint32_t paddr, const void *src, size_t len)
{
    return engine_phys_write(opaque, paddr, src, len);
}

/* Power-on state of every device, then the state the PC firmware leaves
 * before it starts a Multiboot kernel, as QEMU's SeaBIOS does: PIC bases
 * 0x08/0x70, PIT channel 0 in mode 2, COM1 at 9600 baud.  The bus keeps
 * pointing at the same structs. */
static void reset_devices(struct machine *m)
{
    pic_init(&m->pic);
    struct irq_line irq0 = {pic_set, m, 0}, irq1 = {pic_set, m, 1}, irq4 = {pic_set, m, 4};
    pit_init(&m->pit, irq0, now_ns, m);
    uart_init(&m->com1, 0x3f8, irq4, serial_tx, m);
    cmos_init(&m->cmos, m->ram_size, m->cfg.rtc_epoch, now_ns, m);
    ps2_init(&m->ps2, irq1, device_reset, m);
    vga_text_init(&m->vga, m->ram + VGA_TEXT_BASE);
    struct debug_ports_config dc = {
        .debugcon = true,
        .debug_exit = m->cfg.debug_exit,
        .debug_exit_iobase = m->cfg.debug_exit_iobase,
        .debug_exit_iosize = m->cfg.debug_exit_iosize,
        .byte_out = debugcon_tx,
        .exit = device_exit,
        .poweroff = device_poweroff,
        .opaque = m,
    };
    debug_ports_init(&m->debug, &dc);
    pic_bios_setup(&m->pic);
    pit_bios_setup(&m->pit, now_ns(m));
    uart_bios_setup(&m->com1);
}

static bool wire_devices(struct machine *m, char *err, size_t errlen)
{
    bus_init(&m->bus);
    m->bus.unimp = m->cfg.unimp;
    m->bus.unimp_opaque = m->cfg.unimp_opaque;
    reset_devices(m); /* the ports a device claims may depend on its settings */
    if (!pic_register(&m->pic, &m->bus) || !pit_register(&m->pit, &m->bus) ||
        !uart_register(&m->com1, &m->bus) || !cmos_register(&m->cmos, &m->bus) ||
        !ps2_register(&m->ps2, &m->bus) || !vga_text_register(&m->vga, &m->bus) ||
        !debug_ports_register(&m->debug, &m->bus)) {
        snprintf(err, errlen, "device ports overlap (is -device isa-debug-exit on a used port?)");
        return false;
    }
    return true;
}

/* ---- life cycle -------------------------------------------------------- */

struct machine *machine_create(const struct machine_config *cfg, char *err, size_t errlen)
{
    struct machine *m = calloc(1, sizeof *m);
    if (!m) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    m->cfg = *cfg;
    m->ram_size = (cfg->ram_size + 4095) & ~(size_t)4095;
    if (posix_memalign((void **)&m->ram, 4096, m->ram_size) != 0) {
        snprintf(err, errlen, "cannot allocate %zu MiB of guest RAM", m->ram_size >> 20);
        free(m);
        return NULL;
    }
    memset(m->ram, 0, m->ram_size);
    m->disasm = disasm_open();
    if (!m->disasm || !block_cache_init(&m->blocks, BLOCK_CACHE_SIZE, m->ram, m->ram_size,
                                        m->disasm)) {
        snprintf(err, errlen, "cannot start the Capstone disassembler");
        disasm_close(m->disasm);
        free(m->ram);
        free(m);
        return NULL;
    }
    m->engine = engine_open(m->ram, m->ram_size, cfg->cpu_model, err, errlen);
    if (!m->engine)
        goto fail;
    m->uc = engine_uc(m->engine);
    m->phys = (struct phys_mem){m->ram, m->ram_size, engine_write, m->engine};
    if (!wire_devices(m, err, errlen))
        goto fail;

    uc_err e = UC_ERR_OK;
    uc_hook *h = m->hooks;
    e |= uc_hook_add(m->uc, h++, UC_HOOK_INTR, (void *)hook_intr, m, 1, 0);
    e |= uc_hook_add(m->uc, h++, UC_HOOK_BLOCK, (void *)hook_block, m, 1, 0);
    e |= uc_hook_add(m->uc, h++, UC_HOOK_INSN, (void *)hook_in, m, 1, 0, UC_X86_INS_IN);
    e |= uc_hook_add(m->uc, h++, UC_HOOK_INSN, (void *)hook_out, m, 1, 0, UC_X86_INS_OUT);
    e |= uc_hook_add(m->uc, h++, UC_HOOK_INSN, (void *)hook_sysenter, m, 1, 0, UC_X86_INS_SYSENTER);
    e |= uc_hook_add(m->uc, h++, UC_HOOK_INSN, (void *)hook_syscall, m, 1, 0, UC_X86_INS_SYSCALL);
    e |= uc_hook_add(m->uc, h++, UC_HOOK_INSN_INVALID, (void *)hook_invalid, m, 1, 0);
    e |= uc_hook_add(m->uc, h++, UC_HOOK_MEM_UNMAPPED, (void *)hook_unmapped, m, 1, 0);
    m->nhooks = (int)(h - m->hooks);
    /* Exit addresses come from a list (empty but when stepping an I/O
     * instruction), never from uc_emu_start's `until`. */
    e |= uc_ctl_exits_enable(m->uc);
    if (e != UC_ERR_OK) {
        snprintf(err, errlen, "cannot install the engine hooks: %s", uc_strerror(e));
        goto fail;
    }
    m->wall_start = wall_seconds();
    return m;
fail:
    machine_destroy(m);
    return NULL;
}

void machine_destroy(struct machine *m)
{
    if (!m)
        return;
    if (m->disasm)
        disasm_close(m->disasm);
    if (m->engine)
        engine_close(m->engine);
    block_cache_free(&m->blocks);
    free(m->ram);
    free(m);
}

uint8_t *machine_ram(struct machine *m) { return m->ram; }
size_t machine_ram_size(const struct machine *m) { return m->ram_size; }
int machine_debug_exit_status(const struct machine *m) { return m->debug_exit_status; }
const char *machine_stop_detail(const struct machine *m) { return m->detail; }
uint64_t machine_walker_disagreements(const struct machine *m) { return m->walker_disagreements; }

void machine_dump_vga(const struct machine *m, void *file)
{
    vga_text_dump(&m->vga, file);
}

/* Safe from a signal handler: only a flag and the engine's stop request. */
void machine_request_quit(struct machine *m)
{
    m->quit_requested = 1;
    uc_emu_stop(m->uc);
}

/* The state a Multiboot loader leaves (Multiboot spec 3.2): flat 4 GiB CS
 * (execute/read) and data segments, CR0.PE set, paging off, IF clear. */
bool machine_boot(struct machine *m, const struct boot_info *boot)
{
    struct cpu_state st;
    if (!engine_begin_state(m->engine, &st))
        return false;
    /* The registers the Multiboot spec leaves undefined are set as QEMU's
     * loader leaves them, so that traces of careless guests still agree. */
    memset(st.gpr, 0, sizeof st.gpr);
    st.gpr[GPR_EAX] = boot->eax;
    st.gpr[GPR_EBX] = boot->ebx;
    st.gpr[GPR_ECX] = boot->entry;
    st.gpr[GPR_ESP] = 0x6f08;
    st.eip = boot->entry;
    st.eflags = EFLAGS_FIXED1;
    for (int r = 0; r < SEG_COUNT; r++) {
        bool code = r == SEG_CS;
        st.seg[r].selector = code ? 0x08 : 0x10;
        st.seg[r].base = 0;
        st.seg[r].limit = 0xffffffffu;
        st.seg[r].flags = ((code ? 11u : 3u) << DESC_TYPE_SHIFT) | DESC_S | DESC_P | DESC_B | DESC_G;
    }
    st.cpl = 0;
    st.cr0 = CR0_PE | (1u << 4); /* PE, and ET as on every processor since the 486 */
    st.cr3 = 0;
    st.cr4 = 0;
    st.gdtr = (struct table_reg){0, 0};
    st.idtr = (struct table_reg){0, 0x3ff};
    st.tr = (struct seg_cache){0, 0, 0xffff, DESC_P | (11u << DESC_TYPE_SHIFT)};
    st.ldtr = (struct seg_cache){0, 0, 0xffff, DESC_P | (2u << DESC_TYPE_SHIFT)};
    if (!engine_commit_state(m->engine, &st))
        return false;
    reset_devices(m);
    if (m->icount) {
        /* A reset: the image was loaded again by the host, which Unicorn
         * does not notice, so forget every translation and block. */
        uc_ctl_flush_tb(m->uc);
        block_cache_clear(&m->blocks);
    }
    m->halted = false;
    m->have_stop = false;
    m->io_stop = false;
    m->io_pass = UINT32_MAX;
    m->detail[0] = 0;
    return true;
}

/* ---- the run loop ------------------------------------------------------- */

static uint64_t insns_until(struct machine *m, uint64_t deadline_ns)
{
    uint64_t now = now_ns(m);
    if (deadline_ns == UINT64_MAX)
        return UINT64_MAX;
    return deadline_ns > now ? deadline_ns - now : 0;
}

/* Where the next run must stop by itself: the next device deadline, the
 * instruction limit, or the next look at the wall clock. */
static void plan_stop(struct machine *m)
{
    uint64_t stop = UINT64_MAX;
    uint64_t to_timer = insns_until(m, pit_next_event_ns(&m->pit, now_ns(m)));
    if (!m->cfg.realtime && to_timer != UINT64_MAX)
        stop = m->icount + to_timer;
    if (m->cfg.max_insns && m->cfg.max_insns < stop)
        stop = m->cfg.max_insns;
    if ((m->cfg.timeout_s > 0 || m->cfg.realtime || m->cfg.serial_in || m->cfg.serial_flush) &&
        m->next_wall_check < stop)
        stop = m->next_wall_check;
    m->stop_at_icount = stop;
}

static void feed_input(struct machine *m, int wait_ms)
{
    if (!m->cfg.serial_in || m->input_ended)
        return;
    while (uart_can_receive(&m->com1)) {
        int c = m->cfg.serial_in(m->cfg.serial_in_opaque, wait_ms);
        if (c == -2)
            m->input_ended = true;
        if (c < 0)
            return;
        uart_receive(&m->com1, (uint8_t)c);
        wait_ms = 0;
    }
}

static bool check_limits(struct machine *m)
{
    if (m->cfg.max_insns && m->icount >= m->cfg.max_insns) {
        finish(m, STOP_INSN_LIMIT, "--max-insns reached: %llu instructions executed",
               (unsigned long long)m->icount);
        return false;
    }
    if (m->icount >= m->next_wall_check) {
        m->next_wall_check = m->icount + WALL_CHECK_INSNS;
        if (m->cfg.timeout_s > 0 && wall_seconds() - m->wall_start >= m->cfg.timeout_s) {
            finish(m, STOP_TIME_LIMIT, "--timeout reached after %.1f s", m->cfg.timeout_s);
            return false;
        }
        /* A busy guest never idles: show its output now and then too. */
        if (m->cfg.serial_flush)
            m->cfg.serial_flush(m->cfg.serial_opaque);
        feed_input(m, 0);
    }
    return true;
}

/* Deliver an IRQ if one is pending and the CPU accepts it: IF set and not
 * in the shadow of STI or MOV SS (SDM Vol. 3A 6.8.3). */
static void maybe_deliver_irq(struct machine *m)
{
    m->irq_poll = false;
    m->irq_recheck = false;
    if (!pic_has_interrupt(&m->pic))
        return;
    struct cpu_state st;
    if (!engine_begin_state(m->engine, &st))
        return;
    /* A halted CPU has executed the instruction after STI: no shadow. */
    if (m->halted)
        st.irq_inhibited = false;
    if (!(st.eflags & EFLAGS_IF) || st.irq_inhibited) {
        m->irq_poll = true;
        m->irq_recheck = st.irq_inhibited;
        m->irq_poll_skip = st.irq_inhibited;
        engine_commit_state(m->engine, &st);
        return;
    }
    int vector = pic_acknowledge(&m->pic);
    m->halted = false;
    struct intr_request req = {
        .vector = vector,
        .source = INTR_HARDWARE,
        .return_eip = st.eip,
        .insn_eip = st.eip,
        .why = "hardware interrupt from the PIC",
    };
    deliver(m, &st, &req);
}

/* The CPU is halted: let virtual time pass until the next device event. */
static void idle(struct machine *m)
{
    /* A prompt without a newline must reach whoever waits for it. */
    if (m->cfg.serial_flush)
        m->cfg.serial_flush(m->cfg.serial_opaque);
    uint64_t next = pit_next_event_ns(&m->pit, now_ns(m));
    uint64_t now = now_ns(m);
    if (m->cfg.realtime || m->cfg.interactive) {
        uint64_t wait_ns = next == UINT64_MAX ? (uint64_t)IDLE_STEP_MS * 1000000u
                                              : (next > now ? next - now : 0);
        int wait_ms = (int)(wait_ns / 1000000u);
        if (wait_ms > IDLE_STEP_MS)
            wait_ms = IDLE_STEP_MS;
        feed_input(m, wait_ms > 0 ? wait_ms : 0);
        if (!m->cfg.realtime)
            m->idle_ns += wait_ns < (uint64_t)IDLE_STEP_MS * 1000000u ? wait_ns
                                                                      : (uint64_t)IDLE_STEP_MS * 1000000u;
    } else if (next != UINT64_MAX) {
        /* Input that is already there arrives at the first idle moment, so
         * a scripted session runs the same way every time. */
        feed_input(m, 0);
        if (next > now && !pic_has_interrupt(&m->pic))
            m->idle_ns += next - now;
    } else {
        /* No timer will ever fire: only input can wake the CPU. */
        feed_input(m, IDLE_STEP_MS);
        if (!pic_has_interrupt(&m->pic) && (m->input_ended || !m->cfg.serial_in))
            finish(m, STOP_HALTED,
                   "the CPU waits for an interrupt that cannot come (no timer, no more input)");
    }
}

/* Run from `eip` until linear address `until`, or until anything else
 * stops the run.  The exit must be known when the code is translated, so
 * translations of the bytes just before it are discarded first. */
/* Discard translations of the code at linear [from, to).  Unicorn walks
 * the page tables for it and, when an address is not mapped, records a
 * page fault silently, CR2 included: keep the guest's CR2. */
static void discard_code(struct machine *m, uint32_t from, uint32_t to)
{
    uint32_t cr2 = 0, after = 0;
    uc_reg_read(m->uc, UC_X86_REG_CR2, &cr2);
    uc_ctl_remove_cache(m->uc, from, to);
    uc_reg_read(m->uc, UC_X86_REG_CR2, &after);
    if (after != cr2) {
        struct cpu_state st;
        if (engine_begin_state(m->engine, &st)) {
            st.cr2 = cr2;
            engine_commit_state(m->engine, &st);
        }
    }
}

static uc_err run_until(struct machine *m, uint32_t eip, uint32_t until)
{
    uint64_t exit_at = until;
    discard_code(m, until - 1, until);
    uc_ctl_set_exits(m->uc, &exit_at, 1);
    m->stop_requested = false;
    m->fresh_run = true;
    uc_err e = uc_emu_start(m->uc, eip, 0, 0, 0);
    m->fresh_run = false;
    uc_ctl_set_exits(m->uc, NULL, 0);
    /* The block translated at the exit only stops the run: drop it. */
    discard_code(m, until, until + 1);
    return e;
}

/* An I/O instruction at CPL > IOPL (or in V86 mode), found by the block
 * hook: run up to it, then execute it alone with the I/O hooks checking
 * the TSS bitmap (SDM Vol. 1 19.5.2).  If they refuse, the state from
 * before the instruction gets #GP(0), as if it had never started. */
static void step_io(struct machine *m)
{
    uint32_t eip = 0;
    uc_reg_read(m->uc, UC_X86_REG_EIP, &eip);
    uint32_t cs_base = m->io_block - eip; /* the hook's address is linear */
    if (m->io_insn != m->io_block) {
        m->io_pass = m->io_block;
        uc_err e = run_until(m, eip, m->io_insn);
        uc_reg_read(m->uc, UC_X86_REG_EIP, &eip);
        if (e != UC_ERR_OK || m->have_stop || eip + cs_base != m->io_insn) {
            m->io_pass = UINT32_MAX;
            return; /* something else happened on the way: carry on normally */
        }
    }
    struct cpu_state before;
    if (!engine_begin_state(m->engine, &before))
        return;
    engine_commit_state(m->engine, &before);
    uint8_t code[16];
    char text[64];
    size_t got = read_code(m, &before, eip, code, sizeof code);
    int len = got ? disasm_one(m->disasm, code, got, eip, true, text, sizeof text) : 0;
    if (len <= 0)
        return;
    m->io_stepping = true;
    m->io_refused = false;
    m->io_pass = m->io_insn;
    run_until(m, eip, m->io_insn + (uint32_t)len);
    m->io_stepping = false;
    m->io_pass = UINT32_MAX;
    if (m->io_refused && !m->have_stop) {
        /* Back to the state before the instruction (a refused IN must not
         * have loaded AL, INS/OUTS must not have moved ESI/EDI). */
        struct cpu_state now;
        if (!engine_begin_state(m->engine, &now))
            return;
        char why[128];
        snprintf(why, sizeof why,
                 "`%s` at CPL %d with IOPL %d: the TSS I/O bitmap refuses the port", text,
                 before.cpl, (before.eflags & EFLAGS_IOPL) >> EFLAGS_IOPL_SHIFT);
        raise_at(m, &before, 13, before.eip, why);
    }
}

static void service_devices(struct machine *m)
{
    pit_advance(&m->pit, now_ns(m));
}

enum machine_stop machine_run(struct machine *m)
{
    m->next_wall_check = m->icount + WALL_CHECK_INSNS;
    while (!m->have_stop) {
        if (m->quit_requested) {
            finish(m, STOP_QUIT, "quit at the user's request");
            break;
        }
        service_devices(m);
        if (m->halted) {
            uint32_t eflags = 0;
            uc_reg_read(m->uc, UC_X86_REG_EFLAGS, &eflags);
            if (!(eflags & EFLAGS_IF)) {
                uint32_t eip = 0, cs = 0;
                uc_reg_read(m->uc, UC_X86_REG_EIP, &eip);
                uc_reg_read(m->uc, UC_X86_REG_CS, &cs);
                finish(m, STOP_HALTED, "the CPU halted with interrupts disabled at %04x:%08x",
                       cs, eip - 1);
                break;
            }
            if (!pic_has_interrupt(&m->pic)) {
                idle(m);
                if (!check_limits(m))
                    break;
                if (m->cfg.timeout_s > 0 && wall_seconds() - m->wall_start >= m->cfg.timeout_s) {
                    finish(m, STOP_TIME_LIMIT, "--timeout reached after %.1f s", m->cfg.timeout_s);
                    break;
                }
                continue;
            }
        }
        maybe_deliver_irq(m);
        if (m->have_stop)
            break;
        if (!check_limits(m))
            break;
        plan_stop(m);

        uint32_t eip = 0;
        uc_reg_read(m->uc, UC_X86_REG_EIP, &eip);
        m->paging_stale = true;
        m->stop_requested = false;
        uc_err e = uc_emu_start(m->uc, eip, 0, 0, 0);
        if (m->have_stop)
            break;
        if (m->quit_requested)
            continue;
        if (e == UC_ERR_INSN_INVALID) {
            struct cpu_state st;
            engine_begin_state(m->engine, &st);
            raise_at(m, &st, 6, st.eip, "invalid opcode");
            continue;
        }
        if (e != UC_ERR_OK) {
            uint32_t at = 0;
            uc_reg_read(m->uc, UC_X86_REG_EIP, &at);
            finish(m, STOP_GUEST_ERROR, "the guest stopped the engine at EIP %08x: %s", at,
                   uc_strerror(e));
            break;
        }
        if (m->retranslate) {
            m->retranslate = false;
            discard_code(m, m->block_addr, m->block_addr + m->block_size);
            continue;
        }
        if (m->io_stop) {
            m->io_stop = false;
            step_io(m);
            continue;
        }
        if (!m->stop_requested) {
            /* Unicorn returns by itself after HLT (EIP just past it). */
            struct cpu_state st;
            uint8_t byte = 0;
            if (engine_begin_state(m->engine, &st)) {
                engine_commit_state(m->engine, &st);
                if (read_code(m, &st, st.eip - 1, &byte, 1) == 1 && byte == 0xf4)
                    m->halted = true;
            }
        }
    }
    return m->stop;
}
