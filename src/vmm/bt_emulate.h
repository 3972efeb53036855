/* The translating monitor's execution of the sensitive instructions its
 * scanner found (bt_scan.h), against the virtual CPU, for the guest
 * kernel at virtual CPL 0 running at real ring 1. */
#ifndef RINGLAB_BT_EMULATE_H
#define RINGLAB_BT_EMULATE_H

#include <stdbool.h>

#include "cpu/cpu_state.h"
#include "vmm/vmm_bt.h"

/* Execute the instruction at st->eip, of kind *kind (set here): true when
 * done, st then the state after it; false when the engine must execute it
 * (the shadow already gives the guest's answer, as for a far JMP, or a
 * form this monitor leaves alone, or its memory is not there: the engine
 * then raises the fault). */
bool bt_emulate(struct vmm_bt *b, struct cpu_state *st, enum bt_kind *kind);

#endif
