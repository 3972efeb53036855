/* The debugger's words for a machine with more than one CPU (-smp N):
 * `info cpus` (each CPU's state, CPL and CS:EIP) and `cpu [N]`, which
 * chooses the CPU that r, x, u, page, info gdt/idt/ldt/tss/tab/msr, s and
 * n refer to.  A run or step that stops chooses the CPU it stopped on, as
 * gdb chooses the thread that stopped. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "debug/commands.h"
#include "debug/show.h"
#include "inspect.h"

void debug_cpu_before(struct debugger *d)
{
    control_select_cpu(d->m, d->cpu);
}

void debug_cpu_after_run(struct debugger *d)
{
    if (inspect_cpu_count(d->m) > 1)
        d->cpu = inspect_running_cpu(d->m);
}

void debugger_select_cpu(struct debugger *d, int cpu)
{
    d->cpu = cpu;
}

void debug_info_cpus(struct debugger *d, struct strbuf *out)
{
    struct cpu_summary cpus[MACHINE_MAX_CPUS];
    size_t n = inspect_cpus(d->m, cpus, MACHINE_MAX_CPUS);
    strbuf_add(out, "  CPU  APIC ID  state             CPL  CS:EIP\n");
    for (size_t i = 0; i < n; i++) {
        const struct cpu_summary *c = &cpus[i];
        strbuf_add(out, "%c %-3d  %-7u  %-16s  ", c->selected ? '*' : ' ', c->index, c->apic_id,
                   inspect_cpu_state_name(c->state));
        if (c->state == CPU_WAITING_FOR_SIPI || !c->have_state)
            strbuf_add(out, "-    -");
        else
            strbuf_add(out, "%u    %04x:%08x", c->st.cpl, c->st.seg[SEG_CS].selector, c->st.eip);
        strbuf_add(out, "%s\n", c->in_engine && n > 1 ? "  (ran last)" : "");
    }
    strbuf_add(out, "(* the CPU the debugger's commands refer to: cpu N chooses another)\n");
}

enum debug_result debug_cmd_cpu(struct debugger *d, struct words *ws, struct strbuf *out)
{
    int count = inspect_cpu_count(d->m);
    if (ws->n > 2) {
        strbuf_add(out, "cpu takes one number at most\n");
        return DEBUG_ERROR;
    }
    if (ws->n == 2) {
        char *end;
        long n = strtol(ws->w[1], &end, 0);
        if (*end != '\0' || end == ws->w[1] || n < 0 || n >= count) {
            strbuf_add(out, "cpu: '%s' is not a CPU (0 to %d)\n", ws->w[1], count - 1);
            return DEBUG_ERROR;
        }
        d->cpu = (int)n;
        control_select_cpu(d->m, d->cpu);
    }
    strbuf_add(out, "CPU %d of %d: ", inspect_selected_cpu(d->m), count);
    debugger_where(d, out);
    return DEBUG_OK;
}
