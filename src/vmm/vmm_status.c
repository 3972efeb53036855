/* The monitors' account for front ends (see vmm_status.h): the parts the
 * strategies fill alike. */
#include "vmm/vmm_status.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void vmm_status_init(struct vmm_status *out, const char *strategy, const char *how,
                     const char *traps_are)
{
    memset(out, 0, sizeof *out);
    snprintf(out->strategy, sizeof out->strategy, "%s", strategy);
    snprintf(out->how, sizeof out->how, "%s", how);
    snprintf(out->traps_are, sizeof out->traps_are, "%s", traps_are);
}

struct vmm_cpu_view vmm_cpu_view_of(const struct cpu_state *st)
{
    return (struct vmm_cpu_view){st->cpl, (st->eflags & EFLAGS_IF) != 0, st->cr0, st->cr3,
                                 st->gdtr.base, st->idtr.base, st->tr.selector};
}

void vmm_status_add_cause(struct vmm_status *out, const char *name, uint64_t count)
{
    if (!count)
        return;
    /* Kept in descending order, a later one after the earlier of equal count. */
    int at = out->ncauses;
    while (at > 0 && out->causes[at - 1].count < count)
        at--;
    if (at == VMM_STATUS_CAUSES)
        return;
    int last = out->ncauses < VMM_STATUS_CAUSES ? out->ncauses : VMM_STATUS_CAUSES - 1;
    memmove(&out->causes[at + 1], &out->causes[at], (size_t)(last - at) * sizeof out->causes[0]);
    snprintf(out->causes[at].name, sizeof out->causes[at].name, "%s", name);
    out->causes[at].count = count;
    if (out->ncauses < VMM_STATUS_CAUSES)
        out->ncauses++;
}

void vmm_status_add_note(struct vmm_status *out, const char *fmt, ...)
{
    if (out->nnotes == VMM_STATUS_NOTES)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(out->notes[out->nnotes++], sizeof out->notes[0], fmt, ap);
    va_end(ap);
}
