/* The trap-and-emulate monitor in the machine's history: a snapshot keeps
 * the whole monitor as it was (the virtual CPU, the traps it emulated,
 * the failures it saw in them), so that going back under the debugger or
 * gdb also takes back what the monitor believed, and running forward
 * again counts each trap once.
 * The shadow page tables are not kept: they stand for a TLB, which may be
 * emptied at any moment, and start again empty from the tables of the
 * moment gone back to. */
#include <string.h>

#include "vmm/trap_internal.h"

static void save(void *opaque, void *buf)
{
    memcpy(buf, opaque, sizeof(struct vmm_trap));
}

void trap_history_restored(struct vmm_trap *t, const struct vmm_trap *then)
{
    /* What is not state of the moment: the machine, the decoder, the
     * monitor's memory and what of it is handed out. */
    struct machine *m = t->m;
    struct disasm *dis = t->dis;
    struct shadow_paging live = t->sp;
    struct trap_failure_seen iret_if = t->fail[FAIL_IRET_IF], iret_iopl = t->fail[FAIL_IRET_IOPL];
    memcpy(t, then, sizeof *t);
    t->m = m;
    t->dis = dis;
    /* The IRETs at ring 1 are seen in the trace (vmm_trap.c's sink), which
     * shows each event once, the first time it runs: what it saw stays. */
    t->fail[FAIL_IRET_IF] = iret_if;
    t->fail[FAIL_IRET_IOPL] = iret_iopl;
    t->sp.pool = live.pool;
    memcpy(t->sp.table_of, live.table_of, sizeof live.table_of);
    t->sp.used = live.used;
    trap_paging_drop(t);
}

static void restore(void *opaque, struct machine *m, const void *buf)
{
    (void)m;
    trap_history_restored(opaque, buf);
}

void trap_history_attach(struct vmm_trap *t)
{
    struct machine_history_client c = {sizeof *t, save, restore, t};
    machine_set_history_client(t->m, &c);
}
