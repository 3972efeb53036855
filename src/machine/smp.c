/* More than one CPU: every processor runs in turn on the one engine, in
 * fixed quanta of instructions, so that a run with several CPUs is as
 * repeatable as a run with one.  Between quanta the machine saves the
 * running CPU (the engine's state and the machine's own view of it: halted,
 * waiting for an interrupt window, a return to report) and puts the next
 * one in.  The application processors wait, as they come out of reset,
 * for the INIT and start-up IPIs (SDM Vol. 3A 8.4.4, 10.6.1). */
#include <stdio.h>
#include <string.h>

#include "cpu/engine.h"
#include "machine/internal.h"

/* Instructions a CPU runs before the next one has its turn. */
#define SMP_QUANTUM 20000u

void smp_free(struct machine *m)
{
    for (int i = 0; i < MACHINE_MAX_CPUS; i++) {
        engine_cpu_free(m->cpus[i].saved);
        m->cpus[i].saved = NULL;
    }
}

bool smp_init(struct machine *m, char *err, size_t errlen)
{
    if (m->cfg.cpus == 1)
        return true;
    for (int i = 0; i < m->cfg.cpus; i++) {
        m->cpus[i].saved = engine_cpu_new(m->engine);
        if (!m->cpus[i].saved) {
            snprintf(err, errlen, "out of memory for the CPUs' states");
            return false;
        }
    }
    return true;
}

/* The machine's view of the running CPU, to and from its slot. */
static void put_away(struct machine *m, struct cpu_slot *s)
{
    s->halted = m->halted;
    s->irq_poll = m->irq_poll;
    s->irq_recheck = m->irq_recheck;
    s->irq_poll_skip = m->irq_poll_skip;
    s->return_pending = m->return_pending;
    s->return_kind = m->return_kind;
    s->return_from = m->return_from;
}

static void take_out(struct machine *m, const struct cpu_slot *s)
{
    m->halted = s->halted;
    m->irq_poll = s->irq_poll;
    m->irq_recheck = s->irq_recheck;
    m->irq_poll_skip = s->irq_poll_skip;
    m->return_pending = s->return_pending;
    m->return_kind = s->return_kind;
    m->return_from = s->return_from;
    /* Nothing of the last block or its paging registers carries over. */
    m->block = NULL;
    m->block_addr = m->block_size = 0;
    m->irq_hold_until = 0;
    m->paging_stale = true;
    m->epoch++;
    machine_rewatch(m);
}

static bool switch_to(struct machine *m, int next)
{
    if (next == m->cpu)
        return true;
    put_away(m, &m->cpus[m->cpu]);
    if (!engine_cpu_switch(m->engine, m->cpus[m->cpu].saved, m->cpus[next].saved)) {
        machine_finish(m, END_HOST_ERROR, "cannot switch the engine to CPU %d", next);
        return false;
    }
    m->cpu = next;
    take_out(m, &m->cpus[next]);
    return true;
}

void smp_reset(struct machine *m)
{
    if (m->cfg.cpus == 1)
        return;
    /* The CPU in the engine is the bootstrap processor, as the boot left
     * it; every AP starts from a copy and waits. */
    m->cpu = 0;
    for (int i = 0; i < m->cfg.cpus; i++) {
        struct cpu_slot *s = &m->cpus[i];
        struct engine_cpu *saved = s->saved;
        memset(s, 0, sizeof *s);
        s->saved = saved;
        s->running = i == 0;
        engine_cpu_save(m->engine, saved);
    }
    m->quantum_end = m->clock.icount + SMP_QUANTUM;
}

/* SDM Vol. 3A 8.4.4.1, 10.4.7.3: the start-up IPI sends the AP to real
 * mode at VV00:0000, in the state INIT left it. */
static void start_ap(struct machine *m, int i, uint8_t vector)
{
    int was = m->cpu;
    if (!switch_to(m, i))
        return;
    if (!firmware_start_cpu(m, (uint16_t)(vector << 8), (uint32_t)vector << 12, 0))
        machine_finish(m, END_HOST_ERROR, "cannot start CPU %d", i);
    m->halted = false;
    m->cpus[i].running = true;
    switch_to(m, was);
}

/* INIT and start-up IPIs the local APICs took since the last look. */
static void take_signals(struct machine *m)
{
    for (int i = 1; i < m->cfg.cpus; i++) {
        struct lapic *l = &m->lapic[i];
        uint8_t vector;
        if (lapic_take_init(l)) {
            /* The AP waits for a start-up IPI again (10.4.7.3). */
            m->cpus[i].running = false;
            if (m->cpu == i)
                switch_to(m, 0);
        }
        if (lapic_take_startup(l, &vector) && !m->cpus[i].running)
            start_ap(m, i, vector);
    }
}

/* Can CPU i run now: started, and not halted with nothing to wake it? */
static bool runnable(struct machine *m, int i)
{
    const struct cpu_slot *s = &m->cpus[i];
    if (!s->running)
        return false;
    bool halted = i == m->cpu ? m->halted : s->halted;
    return !halted || apics_irq_pending_for(m, i);
}

/* An INIT the BSP's local APIC took: the BSP into the engine, and through
 * its INIT reset (warm_reset.c). */
static void take_bsp_init(struct machine *m)
{
    if (!m->cfg.apic || !lapic_take_init(&m->lapic[0]) || !switch_to(m, 0))
        return;
    warm_reset_bsp(m);
}

void smp_schedule(struct machine *m)
{
    take_bsp_init(m);
    if (m->cfg.cpus == 1 || m->end != END_NONE || m->reset_pending)
        return;
    take_signals(m);
    if (m->end != END_NONE)
        return;
    bool turn_over = m->clock.icount >= m->quantum_end;
    if (!turn_over && runnable(m, m->cpu))
        return;
    /* The next runnable CPU after this one, in order; this one again if
     * none (when none at all, the run loop waits as for one halted CPU). */
    for (int k = 1; k <= m->cfg.cpus; k++) {
        int i = (m->cpu + k) % m->cfg.cpus;
        if (runnable(m, i)) {
            switch_to(m, i);
            break;
        }
    }
    m->quantum_end = m->clock.icount + SMP_QUANTUM;
}

uint64_t smp_quantum_end(const struct machine *m)
{
    return m->cfg.cpus == 1 ? UINT64_MAX : m->quantum_end;
}
