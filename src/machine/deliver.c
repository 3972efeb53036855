/* Events into the guest: exceptions and INT n the engine reports,
 * exceptions ringlab raises itself (#UD, #GP from the I/O bitmap, SYSENTER's
 * #GP), and IRQs from the PIC, each delivered through the guest's IDT by
 * cpu/intr.c with its explanation for the trace. */
#include <stdio.h>
#include <string.h>

#include "cpu/engine.h"
#include "cpu/sdm_fixup.h"
#include "machine/internal.h"

struct intr_env deliver_env(struct machine *m)
{
    struct intr_env env = {.phys = &m->phys, .emit = events_emit, .opaque = m,
                           .explain = m->explain};
    if (m->shadow.guest_regs) {
        env.shadowed = true;
        m->shadow.guest_regs(m->shadow.opaque, &env.guest_paging);
    }
    return env;
}

struct linear_mem deliver_linear(struct machine *m, const struct cpu_state *st)
{
    struct linear_mem lm = {.phys = &m->phys, .regs = machine_walk_regs(m, st)};
    return lm;
}

/* Read up to `len` bytes of code at CS:eip (no side effects). */
size_t deliver_read_code(struct machine *m, const struct cpu_state *st, uint32_t eip, uint8_t *buf,
                         size_t len)
{
    struct linear_mem lm = deliver_linear(m, st);
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

void deliver_describe_insn(struct machine *m, const struct cpu_state *st, uint32_t eip, char *text,
                           size_t n)
{
    uint8_t code[16];
    size_t got = deliver_read_code(m, st, eip, code, sizeof code);
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
    struct linear_mem lm = deliver_linear(m, st);
    /* A supervisor access at CPL 3 can only be an implicit one (SDM Vol.
     * 3A 4.6); below CPL 3 ringlab takes it for the instruction's own. */
    lm.regs.eflags = st->eflags;
    lm.regs.origin = st->cpl == 3 ? PAGING_IMPLICIT : PAGING_EXPLICIT;
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
 * CPU shut down (a triple fault): the machine ends or resets. */
bool deliver(struct machine *m, struct cpu_state *st, struct intr_request *req)
{
    if (m->intercept) {
        enum monitor_verdict v = m->intercept(m->intercept_opaque, m, st, req);
        if (v != MONITOR_DELIVER) {
            /* The monitor took the event: the guest never sees it, and the
             * faulting instruction has run. */
            engine_commit_state(m->engine, st);
            if (req->source == INTR_EXCEPTION)
                m->clock.icount++;
            if (v == MONITOR_HALTED) {
                /* The CPU waits for an interrupt: the emulated HLT, or a
                 * hypercall that blocks (no HLT behind EIP for the run
                 * loop to find). */
                m->halted = true;
                exits_stop(m, CAUSE_NONE);
            }
            m->paging_stale = true;
            return true;
        }
    }
    struct intr_env env = deliver_env(m);
    if (intr_deliver(&env, st, req) == INTR_TRIPLE_FAULT) {
        if (m->cfg.no_reboot)
            machine_finish(m, END_TRIPLE_FAULT,
                           "triple fault at %04x:%08x (see the trace for the faults that led to it)",
                           st->seg[SEG_CS].selector, req->insn_eip);
        else {
            m->reset_pending = true;
            exits_stop(m, CAUSE_END);
        }
        return false;
    }
    if (m->translate_delivered)
        m->translate_delivered(m->translate_opaque, m, st, req);
    engine_commit_state(m->engine, st);
    seglimit_after_commit(m, st);
    /* A task gate may have loaded another CR3 (or the state came from a
     * front end's write), a gate may go to code of the other size (a
     * real-mode or 16-bit handler); the block hook looks again only then. */
    struct paging_regs now = machine_walk_regs(m, st);
    if (now.cr0 != m->paging.cr0 || now.cr3 != m->paging.cr3 || now.cr4 != m->paging.cr4 ||
        ((st->seg[SEG_CS].flags & DESC_B) != 0) != m->code32)
        m->paging_stale = true;
    return true;
}

/* Raise an exception at `eip` from between runs or from a hook. */
void deliver_exception(struct machine *m, struct cpu_state *st, int vector, uint32_t eip,
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

/* The engine's interrupt hook: an exception or INT n it raised instead of
 * delivering it. */
void deliver_engine_event(struct machine *m, int vector)
{
    struct cpu_state st;
    if (!engine_begin_state(m->engine, &st)) {
        machine_finish(m, END_HOST_ERROR, "cannot read the CPU state from the engine");
        return;
    }
    struct intr_request req = {.vector = vector, .return_eip = st.eip, .insn_eip = st.eip};
    char why[320] = "";
    uint32_t ran_to = st.eip;   /* the instructions before this one ran */
    bool switched_task = false; /* and this one too */
    if (engine_pending_is_software_int(m->engine)) {
        /* EIP is already past the instruction: find its start (CD ib, CC, CE). */
        uint8_t code[2] = {0, 0};
        size_t got = deliver_read_code(m, &st, st.eip - 2, code, 2);
        uint32_t len = (got == 2 && code[0] == 0xcd && code[1] == vector) ? 2 : 1;
        req.source = INTR_SOFTWARE;
        req.insn_eip = ran_to = st.eip - len;
        if (m->explain)
            snprintf(why, sizeof why, "%s at CPL %d",
                     len == 2 ? "INT n" : (vector == 3 ? "INT3" : "INTO"), st.cpl);
    } else {
        req.source = INTR_EXCEPTION;
        req.has_error_code = intr_vector_has_error_code(vector);
        if (req.has_error_code)
            req.error_code = engine_pending_error_code(m->engine);
        if (vector == VEC_PF && m->shadow.page_fault &&
            m->shadow.page_fault(m->shadow.opaque, m, &st, &req.error_code)) {
            /* The monitor's own fault (its shadow tables were behind the
             * guest's): the instruction has not run and runs again. */
            m->clock.icount = exits_exact_icount(m, st.seg[SEG_CS].base + st.eip);
            engine_commit_state(m->engine, &st);
            return;
        }
        char insn[96] = "";
        if (m->explain)
            deliver_describe_insn(m, &st, st.eip, insn, sizeof insn);
        uint8_t code[16];
        size_t ncode = deliver_read_code(m, &st, st.eip, code, sizeof code);
        struct linear_mem lm = deliver_linear(m, &st);
        char in_task[160];
        uint32_t task_eip;
        if (sdm_fixup_task_eip(&lm, &st, code, ncode, req.error_code, &task_eip, in_task,
                               sizeof in_task)) {
            /* The JMP or CALL ran: the clock counts it, the new task has the fault. */
            switched_task = true;
            req.insn_eip = req.return_eip = st.eip = task_eip;
            if (m->explain)
                snprintf(why, sizeof why, "%s, raised %s", insn, in_task);
        } else if (sdm_fixup(&lm, &st, code, ncode, &req.vector, req.error_code, why, sizeof why)) {
            /* corrected: `why` says how */
        } else if (vector == VEC_PF && m->explain) {
            char walk[256];
            explain_page_fault(m, &st, req.error_code, walk, sizeof walk);
            snprintf(why, sizeof why, "%.250s, by `%.60s`", walk, insn);
        } else if (m->explain) {
            snprintf(why, sizeof why, "raised by `%s`", insn);
        }
    }
    /* The clock: the instructions before this one ran; a fault's did not
     * (it restarts), a software interrupt's has once it is delivered. */
    m->clock.icount = exits_exact_icount(m, st.seg[SEG_CS].base + ran_to) + switched_task;
    req.why = why;
    if (deliver(m, &st, &req) && req.source == INTR_SOFTWARE)
        m->clock.icount++;
}

/* Deliver an IRQ if one is pending and the CPU accepts it: IF set and not
 * in the shadow of STI or MOV SS (SDM Vol. 3A 6.8.3).  Between runs only. */
void deliver_irq_if_ready(struct machine *m)
{
    m->irq_poll = false;
    m->irq_recheck = false;
    machine_rewatch(m);
    if (!apics_irq_pending(m))
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
        machine_rewatch(m);
        engine_commit_state(m->engine, &st);
        return;
    }
    const char *from = "";
    int vector = apics_irq_acknowledge(m, &from);
    m->halted = false;
    struct intr_request req = {
        .vector = vector,
        .source = INTR_HARDWARE,
        .return_eip = st.eip,
        .insn_eip = st.eip,
        .why = from,
    };
    deliver(m, &st, &req);
}
