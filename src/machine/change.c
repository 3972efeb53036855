/* Changes from outside the guest (see control.h): a whole CPU state, guest
 * memory, MSRs.  Each drops what the engine or the block hook had derived
 * from the old values: translated code, the paging registers, the wait for
 * an interrupt window.  Nothing in the input log says they happened, so
 * the history starts again from the changed state. */
#include <string.h>

#include "cpu/engine.h"
#include "machine/internal.h"

/* IA32_TSC, which the machine keeps as the virtual clock plus an offset. */
#define MSR_TSC 0x10u

bool control_write_cpu(struct machine *m, const struct cpu_state *st)
{
    struct cpu_state now;
    int visited;
    if (!cpu_view_enter(m, &visited))
        return false;
    if (!engine_begin_state(m->engine, &now)) {
        cpu_view_leave(m, visited, false);
        return false;
    }
    bool ok = engine_commit_state(m->engine, st);
    cpu_view_leave(m, visited, true);
    if (visited >= 0) {
        /* Another CPU than the one in the engine: its saved view. */
        struct cpu_slot *c = &m->cpus[visited];
        c->irq_poll = c->irq_recheck = c->irq_poll_skip = false;
        c->halted = false;
        history_restart(m);
        return ok;
    }
    m->paging_stale = true;
    m->irq_poll = m->irq_recheck = m->irq_poll_skip = false;
    machine_rewatch(m);
    m->halted = false;
    history_restart(m);
    return ok;
}

bool control_write_phys(struct machine *m, uint32_t paddr, const void *buf, size_t len)
{
    if (!phys_write(&m->phys, paddr, buf, len))
        return false;
    /* With paging on, translations are found by linear address: drop them
     * all rather than look for every mapping of these frames. */
    if (engine_paging_regs(m->engine).cr0 & CR0_PG)
        engine_flush_code(m->engine);
    history_restart(m);
    return true;
}

bool control_write_linear(struct machine *m, const uint32_t *cr3, uint32_t laddr, const void *buf,
                          size_t len)
{
    struct linear_mem lm = {.phys = &m->phys, .regs = machine_paging_regs(m)};
    if (cr3)
        lm.regs.cr3 = machine_walk_cr3(m, *cr3);
    const uint8_t *src = buf;
    /* Every page first, so that a failure writes nothing. */
    for (size_t done = 0; done < len;) {
        struct paging_walk w;
        uint32_t la = laddr + (uint32_t)done;
        if (!linear_translate(&lm, la, PAGING_READ, false, &w))
            return false;
        uint8_t probe;
        if (!phys_read(&m->phys, w.paddr, &probe, 1))
            return false;
        done += 4096 - (la & 4095);
    }
    for (size_t done = 0; done < len;) {
        struct paging_walk w;
        uint32_t la = laddr + (uint32_t)done;
        linear_translate(&lm, la, PAGING_READ, false, &w);
        size_t n = 4096 - (la & 4095);
        if (n > len - done)
            n = len - done;
        if (!phys_write(&m->phys, w.paddr, src + done, n))
            return false;
        done += n;
    }
    if (lm.regs.cr0 & CR0_PG)
        engine_flush_code(m->engine);
    history_restart(m);
    return true;
}

bool control_write_msr(struct machine *m, uint32_t msr, uint64_t value)
{
    bool ok = true;
    if (msr == MSR_TSC)
        m->tsc_offset = value - clock_now_ns(&m->clock);
    else {
        int visited;
        ok = cpu_view_enter(m, &visited);
        ok = ok && engine_write_msr(m->engine, msr, value);
        cpu_view_leave(m, visited, true);
    }
    history_restart(m);
    return ok;
}

void control_explain(struct machine *m, bool on)
{
    m->explain = on || m->nsinks > 0;
}
