/* What a snapshot of a machine with more than one CPU holds beside the
 * CPU in the engine (history.c): every other processor's saved state as
 * it waits for its turn, each one's slot (started, halted, the interrupt
 * window it waits for), and where the schedule is: which CPU runs and at
 * which instruction count its turn ends.  With these put back, a run from
 * the snapshot interleaves the CPUs as the first run did, instruction for
 * instruction. */
#include <stdlib.h>
#include <string.h>

#include "cpu/engine.h"
#include "machine/internal.h"

struct smp_saved {
    int cpu;
    uint64_t quantum_end;
    struct cpu_slot slots[MACHINE_MAX_CPUS]; /* their `saved` pointers unused */
    unsigned char *contexts;                 /* cfg.cpus of engine_snapshot_size bytes */
};

size_t smp_saved_size(const struct machine *m)
{
    if (m->cfg.cpus == 1)
        return 0;
    return sizeof(struct smp_saved) + (size_t)m->cfg.cpus * engine_snapshot_size(m->engine);
}

struct smp_saved *smp_saved_new(struct machine *m)
{
    struct smp_saved *s = calloc(1, sizeof *s);
    if (!s)
        return NULL;
    s->contexts = malloc((size_t)m->cfg.cpus * engine_snapshot_size(m->engine));
    if (!s->contexts) {
        free(s);
        return NULL;
    }
    return s;
}

void smp_saved_free(struct smp_saved *s)
{
    if (!s)
        return;
    free(s->contexts);
    free(s);
}

void smp_save(struct machine *m, struct smp_saved *s)
{
    size_t size = engine_snapshot_size(m->engine);
    s->cpu = m->cpu;
    s->quantum_end = m->quantum_end;
    for (int i = 0; i < m->cfg.cpus; i++) {
        s->slots[i] = m->cpus[i];
        /* The running CPU's own slot is stale: the engine holds it, and
         * the snapshot's CPU state is that one. */
        if (i != m->cpu)
            engine_cpu_export(m->engine, m->cpus[i].saved, s->contexts + (size_t)i * size);
    }
}

void smp_load(struct machine *m, const struct smp_saved *s)
{
    size_t size = engine_snapshot_size(m->engine);
    m->cpu = s->cpu;
    m->quantum_end = s->quantum_end;
    for (int i = 0; i < m->cfg.cpus; i++) {
        struct engine_cpu *saved = m->cpus[i].saved;
        m->cpus[i] = s->slots[i];
        m->cpus[i].saved = saved;
        if (i != s->cpu)
            engine_cpu_import(m->engine, saved, s->contexts + (size_t)i * size);
    }
    /* Watches translated through the page tables are the running CPU's. */
    machine_rewatch(m);
}
