/* The processors as the front ends see them (inspect.h, control.h): which
 * one the CPU-specific inspect and control calls name, and a summary of
 * each.  With more than one CPU only one is in the engine at a time
 * (smp.c); another one is read or changed by visiting it: its saved state
 * is put into the engine for the call and the running one put back after,
 * so nothing of the run moves. */
#include <string.h>

#include "cpu/engine.h"
#include "inspect.h"
#include "machine/internal.h"

bool control_select_cpu(struct machine *m, int cpu)
{
    if (cpu < -1 || cpu >= m->cfg.cpus)
        return false;
    m->view_cpu = cpu;
    return true;
}

int inspect_selected_cpu(const struct machine *m)
{
    return m->view_cpu >= 0 ? m->view_cpu : m->cpu;
}

int inspect_running_cpu(const struct machine *m)
{
    return m->cpu;
}

int inspect_cpu_count(const struct machine *m)
{
    return m->cfg.cpus;
}

bool cpu_view_enter(struct machine *m, int *visited)
{
    *visited = -1;
    int want = inspect_selected_cpu(m);
    if (want == m->cpu || m->cfg.cpus == 1 || m->view_depth++ > 0)
        return true;
    if (!engine_cpu_visit_begin(m->engine, m->cpus[want].saved)) {
        m->view_depth = 0;
        return false;
    }
    *visited = want;
    return true;
}

void cpu_view_leave(struct machine *m, int visited, bool keep)
{
    if (m->view_depth > 0 && --m->view_depth > 0)
        return;
    if (visited >= 0)
        engine_cpu_visit_end(m->engine, keep ? m->cpus[visited].saved : NULL);
}

struct paging_regs machine_paging_regs(struct machine *m)
{
    int visited;
    struct paging_regs r = {0};
    if (cpu_view_enter(m, &visited)) {
        r = machine_walk_regs(m, NULL);
        cpu_view_leave(m, visited, false);
    }
    return r;
}

bool cpu_view_halted(const struct machine *m, int i)
{
    return i == m->cpu ? m->halted : m->cpus[i].halted;
}

size_t inspect_cpus(struct machine *m, struct cpu_summary *out, size_t max)
{
    int keep_view = m->view_cpu, selected = inspect_selected_cpu(m);
    size_t n = 0;
    for (int i = 0; i < m->cfg.cpus && n < max; i++, n++) {
        struct cpu_summary *c = &out[n];
        memset(c, 0, sizeof *c);
        c->index = i;
        c->apic_id = (uint8_t)i; /* the firmware's tables give CPU i APIC ID i */
        c->in_engine = i == m->cpu;
        c->selected = i == selected;
        /* The BSP runs from power-on; an AP once a start-up IPI started it
         * (SDM Vol. 3A 8.4.1, 8.4.4). */
        bool started = m->cfg.cpus == 1 || m->cpus[i].running;
        c->state = !started             ? CPU_WAITING_FOR_SIPI
                   : cpu_view_halted(m, i) ? CPU_HALTED
                                          : CPU_RUNNING;
        m->view_cpu = i;
        c->have_state = inspect_cpu(m, &c->st);
    }
    m->view_cpu = keep_view;
    return n;
}

const char *inspect_cpu_state_name(enum cpu_run_state s)
{
    switch (s) {
    case CPU_WAITING_FOR_SIPI:
        return "waiting for SIPI";
    case CPU_HALTED:
        return "halted";
    case CPU_RUNNING:
        break;
    }
    return "running";
}
