/* The run loop and its stops: control_run, control_step, control_idle,
 * control_pause, control_reset.
 *
 * The engine runs until a hook stops it (exits.c says why in m->cause);
 * between runs the loop services the devices, delivers IRQs and decides
 * whether the caller's run is over.  Where a run stops must not change the
 * guest's story, so stops inside a translated block land on an exact
 * instruction, and the next timer interrupt is taken at the very
 * instruction at which its time comes, whatever the blocks look like. */
#include <stdio.h>
#include <string.h>

#include "cpu/engine.h"
#include "inspect.h"
#include "machine/internal.h"

/* How often, in executed instructions, a run looks at the wall clock for
 * its slice (or, under --realtime, for the timers). */
#define WALL_CHECK_INSNS 4000000ull
/* How long a step of one CPU among several waits for that CPU's turn
 * before it returns RUN_SLICE (having taken no step). */
#define STEP_WAIT_SLICE_S 0.05

static uint64_t min_u64(uint64_t a, uint64_t b)
{
    return a < b ? a : b;
}

/* Where the next engine run must stop by itself: the next timer event,
 * the run's budget, a held IRQ's block end, the next recorded input byte
 * (precise, at that very instruction), or the next look at the wall clock
 * or snapshot (at a block's start). */
static void plan_stop(struct machine *m)
{
    uint64_t precise = m->goal.insn_target;
    precise = min_u64(precise, smp_quantum_end(m));
    if (!m->clock.realtime) {
        uint64_t now = clock_now_ns(&m->clock), next = board_next_event_ns(m);
        if (next != UINT64_MAX)
            precise = min_u64(precise, m->clock.icount + (next > now ? next - now : 0));
    }
    if (m->irq_hold_until > m->clock.icount && apics_irq_pending(m))
        precise = min_u64(precise, m->irq_hold_until);
    uint64_t in_icount, in_time;
    bool at_end;
    /* At the recording's end, waiting for its last deliveries: stop again
     * before the next instruction. */
    if (input_next(m, &in_icount, &in_time, &at_end) &&
        (in_icount > m->clock.icount ||
         (at_end && in_icount == m->clock.icount && clock_now_ns(&m->clock) >= in_time)))
        precise = min_u64(precise, in_icount);
    m->precise_at = precise;
    uint64_t check = UINT64_MAX;
    if (m->goal.slice_end > 0 || m->clock.realtime)
        check = m->clock.icount + WALL_CHECK_INSNS;
    check = min_u64(check, history_next_icount(m));
    m->stop_at = m->pause_requested ? 0 : min_u64(precise, check);
}

/* A halted CPU waits for the next timer event, or for the next recorded
 * input byte if it is due at this instruction count. */
static uint64_t next_wakeup_ns(struct machine *m)
{
    uint64_t next = board_next_event_ns(m), in_icount, in_time;
    bool at_end;
    if (input_next(m, &in_icount, &in_time, &at_end) && in_icount == m->clock.icount &&
        in_time > clock_now_ns(&m->clock))
        next = min_u64(next, in_time);
    return next;
}

/* After a stop before a block because a precise deadline falls inside it:
 * run up to the instruction at which it falls. */
static enum engine_exit run_to_deadline(struct machine *m)
{
    const struct block_info *b = m->block;
    uint64_t k = m->precise_at - m->clock.icount;
    if (!b || m->clock.icount >= m->precise_at || k >= b->count)
        return ENGINE_AT_EXIT;
    struct cpu_state st;
    uint8_t code[512];
    uint32_t n = m->block_size < sizeof code ? m->block_size : (uint32_t)sizeof code;
    if (!engine_read_state(m->engine, &st) ||
        deliver_read_code(m, &st, st.eip, code, n) < n)
        return ENGINE_AT_EXIT;
    uint32_t offset = disasm_offset_of(m->disasm, code, n, m->block_addr, b->code32, (unsigned)k);
    /* The block as the straight run would have seen it ends here: an IRQ a
     * device raises before the stop is taken there, not at the stop. */
    m->irq_hold_until = m->clock.icount + b->count;
    m->fresh_addr = m->block_addr;
    enum engine_exit x = engine_run_to(m->engine, st.eip, m->block_addr + offset);
    m->fresh_addr = UINT32_MAX;
    return x;
}

/* The engine returned by itself: after HLT (EIP just past it)? */
static void note_halt(struct machine *m)
{
    struct cpu_state st;
    uint8_t byte = 0;
    if (engine_read_state(m->engine, &st) &&
        deliver_read_code(m, &st, st.eip - 1, &byte, 1) == 1 && byte == 0xf4)
        m->halted = true;
}

static void end_of_engine(struct machine *m, enum engine_exit x)
{
    if (x == ENGINE_INVALID) {
        /* Unicorn ends the run for vector 6 whether it was raised (an
         * invalid opcode) or asked for: `int 6` is a software interrupt,
         * through the gate's DPL check (SDM Vol. 2A INT n). */
        struct cpu_state st;
        uint8_t code[2];
        if (engine_pending_is_software_int(m->engine) && engine_read_state(m->engine, &st) &&
            deliver_read_code(m, &st, st.eip, code, 2) == 2 && code[0] == 0xcd &&
            code[1] == VEC_UD) {
            /* EIP is left at the INT here (Unicorn 2.1.1): past it, as for
             * any other INT n the engine hands over. */
            engine_goto(m->engine, st.eip + 2);
            deliver_engine_event(m, VEC_UD);
            return;
        }
        if (engine_begin_state(m->engine, &st)) {
            m->clock.icount = exits_exact_icount(m, st.seg[SEG_CS].base + st.eip);
            deliver_exception(m, &st, VEC_UD, st.eip, "invalid opcode");
        }
        return;
    }
    machine_finish(m, END_GUEST_ERROR, "the guest stopped the engine at EIP %08x: %s",
                   engine_eip(m->engine), engine_exit_text(m->engine));
}

/* A stop the block hook made: the block did not run, and EIP must name its
 * first instruction.  Unicorn does not always leave it so: with a code hook
 * installed, a block entered by a chained jump leaves EIP at the jump. */
static void settle_eip(struct machine *m)
{
    if (!m->stopped_before_block)
        return;
    m->stopped_before_block = false;
    struct cpu_state st;
    if (engine_read_state(m->engine, &st) && st.seg[SEG_CS].base + st.eip != m->block_addr)
        engine_goto(m->engine, m->block_addr - st.seg[SEG_CS].base);
}

/* Act on why the engine returned.  Returns the stop for the caller, or -1
 * to go on. */
static int after_engine(struct machine *m, enum engine_exit x)
{
    for (;;) {
        settle_eip(m);
        if (x == ENGINE_INVALID || x == ENGINE_FAILED) {
            end_of_engine(m, x);
            return -1;
        }
        enum stop_cause cause = m->cause;
        m->cause = CAUSE_NONE;
        switch (cause) {
        case CAUSE_NONE:
            /* Nothing stopped the engine but HLT, or it reached the exit
             * it was given. */
            if (x == ENGINE_RETURNED && !m->pause_requested && m->end == END_NONE &&
                !m->reset_pending)
                note_halt(m);
            return -1;
        case CAUSE_RETRANSLATE:
            engine_discard_code(m->engine, m->block_addr, m->block_size);
            return -1;
        case CAUSE_SPECIAL:
            x = special_step(m);
            continue;
        case CAUSE_DEADLINE:
            if (m->clock.icount < m->precise_at && !m->pause_requested &&
                !(m->goal.slice_end > 0 && clock_wall_seconds() >= m->goal.slice_end)) {
                x = run_to_deadline(m);
                continue;
            }
            return -1;
        case CAUSE_EVENT:
            return RUN_EVENT;
        case CAUSE_BREAKPOINT:
            return RUN_BREAKPOINT;
        case CAUSE_WATCHPOINT:
            return RUN_WATCHPOINT;
        case CAUSE_STEP:
            return RUN_INSNS;
        case CAUSE_SEG_LOAD:
            x = seglimit_run_past_load(m);
            continue;
        case CAUSE_SEG_FAULT:
            seglimit_deliver(m);
            return -1;
        case CAUSE_SEG_SYNC: /* the run loop syncs before the next run */
        case CAUSE_IRQ_WINDOW:
        case CAUSE_END:
            return -1;
        }
        return -1;
    }
}

/* The reset after a triple fault (without -no-reboot): the guest sees a
 * power cycle, the trace a reset event, and time goes on. */
static void reset_after_triple_fault(struct machine *m)
{
    m->reset_pending = false;
    char err[256];
    struct cpu_state st;
    engine_read_state(m->engine, &st);
    if (!machine_boot_image(m, err, sizeof err)) {
        machine_finish(m, END_HOST_ERROR, "cannot load the image again after a reset: %s", err);
        return;
    }
    struct trace_event ev;
    intr_event_init(&ev, TRACE_RESET, &st, st.eip);
    snprintf(ev.explain, sizeof ev.explain, "the machine reset after a triple fault");
    events_emit(m, &ev);
}

/* Before the instruction a step over returns to: back in the same address
 * space at the same stack depth? */
static void return_hook(void *opaque, uint32_t addr, uint32_t size)
{
    struct machine *m = opaque;
    const struct run_request *req = m->goal.req;
    (void)size;
    struct cpu_state st;
    if (!req || addr != req->until_addr || m->cpu != req->until_cpu ||
        !engine_read_state(m->engine, &st) ||
        (st.cr3 & PAGING_FRAME_4K) != (req->until_cr3 & PAGING_FRAME_4K) ||
        st.gpr[GPR_ESP] < req->until_esp)
        return;
    exits_stop_mid_block(m, exits_exact_icount(m, addr), CAUSE_STEP);
}

bool control_step_over_request(struct machine *m, struct run_request *req)
{
    struct cpu_state st;
    uint8_t code[16];
    int len = 0;
    memset(req, 0, sizeof *req);
    if (!inspect_cpu(m, &st))
        return false;
    size_t got = deliver_read_code(m, &st, st.eip, code, sizeof code);
    enum disasm_kind kind = got ? disasm_kind_of(m->disasm, code, got, st.eip,
                                                 (st.seg[SEG_CS].flags & DESC_B) != 0, &len)
                                : DISASM_OTHER;
    if (kind != DISASM_CALL && kind != DISASM_INT)
        return false;
    req->until_return = true;
    req->until_addr = st.seg[SEG_CS].base + st.eip + (uint32_t)len;
    req->until_esp = st.gpr[GPR_ESP];
    req->until_cr3 = st.cr3;
    req->until_cpu = inspect_selected_cpu(m);
    return true;
}

static enum run_stop run_loop(struct machine *m, const struct run_request *req,
                              struct run_result *out);

/* Stepping's code hook stays in place over consecutive steps (adding and
 * removing it each retranslates everything); any other run removes it. */
static void stop_stepping(struct machine *m)
{
    if (m->step_hook) {
        engine_del_hook(m->engine, m->step_hook);
        m->step_hook = 0;
    }
    m->step_count = 0;
}

enum run_stop control_run(struct machine *m, const struct run_request *req,
                          struct run_result *out)
{
    stop_stepping(m);
    return run_loop(m, req, out);
}

static enum run_stop run_loop(struct machine *m, const struct run_request *req,
                              struct run_result *out)
{
    memset(out, 0, sizeof *out);
    out->next_event_ns = UINT64_MAX;
    m->goal = (struct run_goal){
        .req = req,
        .insn_target = req->max_insns ? m->clock.icount + req->max_insns : UINT64_MAX,
        .slice_end = req->slice_s > 0 ? clock_wall_seconds() + req->slice_s : 0,
        .result = out,
    };
    if (req->max_insns && m->clock.icount + req->max_insns < m->clock.icount)
        m->goal.insn_target = UINT64_MAX;
    m->want_returns = m->cfg.trace_returns ||
                      (req->stop_on & (STOP_ON_SYSRET | STOP_ON_TRANSITION));
    struct cpu_state st;
    /* After a wall-clock slice the run goes on where it was: the place it
     * started from stays the one to go past (a slice may end on a
     * breakpoint, which must then stop the run that follows). */
    if (m->resume_after_slice && !m->resume_no_skip) {
        /* as it was */
    } else if (engine_read_state(m->engine, &st)) {
        m->resume_linear = m->resume_no_skip ? UINT32_MAX : st.seg[SEG_CS].base + st.eip;
        m->resume_icount = m->clock.icount;
        m->resume_cpu = m->cpu;
    }
    m->resume_no_skip = false;
    uintptr_t until_hook = 0;
    if (req->until_return)
        until_hook = engine_add_code_hook(m->engine, return_hook, m, req->until_addr,
                                          req->until_addr);
    int stop = -1;
    while (stop < 0) {
        if (m->end != END_NONE) {
            stop = RUN_END;
            break;
        }
        if (m->pause_requested) {
            m->pause_requested = 0;
            stop = RUN_PAUSED;
            break;
        }
        if (m->reset_pending) {
            reset_after_triple_fault(m);
            if (m->cause == CAUSE_EVENT) {
                m->cause = CAUSE_NONE;
                stop = RUN_EVENT;
            }
            continue;
        }
        if (m->clock.icount >= m->goal.insn_target) {
            stop = RUN_INSNS;
            break;
        }
        /* (A step's slice ends it only while no step was taken: see
         * control_step.) */
        if (m->goal.slice_end > 0 && (m->step_count == 0 || m->step_seen == 0) &&
            clock_wall_seconds() >= m->goal.slice_end) {
            stop = RUN_SLICE;
            break;
        }
        history_tick(m);
        input_feed(m);
        if (m->end != END_NONE)
            continue;
        board_advance(m);
        smp_schedule(m);
        if (m->end != END_NONE)
            continue;
        if (m->halted) {
            if (!(engine_eflags(m->engine) & EFLAGS_IF)) {
                machine_finish(m, END_HALTED,
                               "the CPU halted with interrupts disabled at %04x:%08x",
                               engine_cs(m->engine), engine_eip(m->engine) - 1);
                continue;
            }
            if (!apics_irq_pending(m)) {
                out->next_event_ns = next_wakeup_ns(m);
                stop = RUN_IDLE;
                break;
            }
        }
        if (m->clock.icount >= m->irq_hold_until)
            deliver_irq_if_ready(m);
        if (m->cause == CAUSE_EVENT) {
            m->cause = CAUSE_NONE;
            stop = RUN_EVENT;
            break;
        }
        if (m->end != END_NONE || m->reset_pending)
            continue;
        seglimit_sync(m);
        plan_stop(m);
        m->paging_stale = true;
        m->cause = CAUSE_NONE;
        stop = after_engine(m, engine_run(m->engine, engine_eip(m->engine)));
    }
    if (until_hook)
        engine_del_hook(m->engine, until_hook);
    m->goal = (struct run_goal){0};
    m->resume_after_slice = stop == RUN_SLICE;
    out->stop = (enum run_stop)stop;
    return out->stop;
}

void control_idle(struct machine *m, uint64_t ns)
{
    if (!m->clock.realtime)
        m->clock.idle_ns += ns;
}

void control_pause(struct machine *m)
{
    m->pause_requested = 1;
    /* The block hook looks at the flag once stop_at is behind it. */
    m->stop_at = 0;
}

bool control_reset(struct machine *m)
{
    char err[256];
    m->reset_pending = false;
    if (!machine_boot_image(m, err, sizeof err)) {
        machine_finish(m, END_HOST_ERROR, "cannot load the image again: %s", err);
        return false;
    }
    /* The reset is not in the input log: going back across it could not
     * run it again. */
    history_restart(m);
    return true;
}

/* ---- stepping ---------------------------------------------------------------- */

/* Before every instruction while stepping.  A step ends where the CPU
 * goes next: after an instruction, or after a delivery, at the handler's
 * first instruction, whether the instruction that caused it completed
 * (INT n, SYSENTER) or not (a fault), as QEMU's gdb stub steps.  So the
 * steps are the instructions reached, each once: the same one met again
 * (the engine stopped and restarted before it, or a REP's next round)
 * does not count. */
bool run_step_reach(struct machine *m, uint32_t addr)
{
    if (m->step_count == 0)
        return false; /* the hook stays between steps */
    if (m->step_cpu >= 0 && m->cpu != m->step_cpu)
        return false; /* another CPU's turn: the step waits for its own */
    /* Instructions of a block come one after another: count them here
     * rather than decode the block again for each one. */
    if (addr == m->block_addr || m->step_block != m->block_start_icount) {
        m->step_block = m->block_start_icount;
        m->step_index = addr == m->block_addr ? 0 : exits_exact_icount(m, addr) - m->block_start_icount;
    }
    uint64_t exact = m->block_start_icount + m->step_index++;
    if (exact == m->step_last_icount && addr == m->step_last_addr)
        return false;
    if (m->step_seen >= m->step_count) {
        exits_stop_mid_block(m, exact, CAUSE_STEP);
        return true;
    }
    m->step_seen++;
    m->step_last_icount = exact;
    m->step_last_addr = addr;
    return false;
}

static void step_hook(void *opaque, uint32_t addr, uint32_t size)
{
    (void)size;
    run_step_reach(opaque, addr);
}

/* SDM Vol. 3A 17.3.1.1: RF is set only by IRET and POPF loading it, and
 * the processor clears it when the next instruction completes.  The
 * engine clears it at the end of a translated block instead, which a run
 * cut into steps shows: after a step over any other instruction, RF is
 * clear. */
static void step_clear_rf(struct machine *m)
{
    struct cpu_state st;
    uint8_t code[4];
    if (!engine_begin_state(m->engine, &st))
        return;
    size_t n = 0;
    if (st.eflags & EFLAGS_RF)
        n = deliver_read_code(m, &st, m->step_last_addr - st.seg[SEG_CS].base, code, sizeof code);
    size_t i = 0;
    while (i < n && (code[i] == 0x66 || code[i] == 0x67))
        i++; /* operand- and address-size prefixes */
    bool loads_rf = i < n && (code[i] == 0xcf || code[i] == 0x9d); /* IRET, POPF */
    if ((st.eflags & EFLAGS_RF) && !loads_rf)
        st.eflags &= ~EFLAGS_RF;
    engine_commit_state(m->engine, &st);
}

enum run_stop control_step(struct machine *m, uint64_t n, struct run_result *out)
{
    struct run_request req = {0};
    if (m->end != END_NONE) {
        memset(out, 0, sizeof *out);
        return out->stop = RUN_END;
    }
    m->step_count = n;
    m->step_cpu = m->cfg.cpus > 1 ? inspect_selected_cpu(m) : -1;
    /* A step of one CPU among several may wait long for its turn (a CPU
     * halted, or waiting for its start-up IPI): the front end looks at its
     * input every slice meanwhile. */
    if (m->step_cpu >= 0)
        req.slice_s = STEP_WAIT_SLICE_S;
    m->step_seen = 0;
    m->step_last_icount = UINT64_MAX;
    m->step_last_addr = 0;
    if (!m->step_hook)
        m->step_hook = engine_add_code_hook(m->engine, step_hook, m, 1, 0);
    enum run_stop stop = run_loop(m, &req, out);
    m->step_count = 0;
    if (stop == RUN_INSNS && m->step_seen > 0)
        step_clear_rf(m);
    return stop;
}
