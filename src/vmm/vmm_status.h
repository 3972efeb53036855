/* What a monitor says of itself to a front end that draws it (the view's
 * monitor panel): the virtual CPU beside the real one, the traps or exits
 * by cause, the latest one, the failures seen.  Filled by the monitor
 * from the state `info vmm` prints; plain data, no pointers into it. */
#ifndef RINGLAB_VMM_STATUS_H
#define RINGLAB_VMM_STATUS_H

#include <stdbool.h>
#include <stdint.h>

#include "cpu/cpu_state.h"

#define VMM_STATUS_CAUSES 10
#define VMM_STATUS_NOTES 3

struct vmm_cpu_view {
    uint8_t cpl;
    bool iflag;
    uint32_t cr0, cr3, gdt_base, idt_base;
    uint16_t tr;
};

struct vmm_status {
    char strategy[8];   /* "trap", "bt", "pv", "hw" */
    char how[64];       /* "trap-and-emulate: the kernel runs at real ring 1" */
    char traps_are[16]; /* "traps", "exits", "hypercalls" */
    bool have_cpu;
    struct vmm_cpu_view virt, real;
    uint64_t total;     /* traps or exits so far */
    int ncauses;        /* the most frequent first */
    struct {
        char name[24];
        uint64_t count;
    } causes[VMM_STATUS_CAUSES];
    char latest[96];    /* "OUT at 0008:c0101234, instruction 1234", "" none */
    int nnotes;         /* what else the strategy counts, a line each */
    char notes[VMM_STATUS_NOTES][112]; /* "blocks scanned 120, 31 with a sensitive one" */
    int nfailures;      /* kinds of failure of the deception seen */
    char failure[96];   /* the last kind named: "SGDT revealed the shadow GDT" */
};

/* For the monitors: start an account (all else zero); a CPU's registers
 * as the account shows them; one more cause (kept are the most frequent,
 * in descending order; none for a count of 0). */
void vmm_status_init(struct vmm_status *out, const char *strategy, const char *how,
                     const char *traps_are);
struct vmm_cpu_view vmm_cpu_view_of(const struct cpu_state *st);
void vmm_status_add_cause(struct vmm_status *out, const char *name, uint64_t count);
/* One more note line (printf-style; dropped past VMM_STATUS_NOTES). */
void vmm_status_add_note(struct vmm_status *out, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* What a front end is given of the monitor that runs the guest: `info
 * vmm` (the debugger, the view's script, the gdb stub's `monitor`) and the
 * account (the view's panel); all NULL without a monitor. */
struct strbuf;
struct vmm_front {
    void (*info)(void *opaque, struct strbuf *out);
    void (*status)(void *opaque, struct vmm_status *out);
    void *opaque;
};

/* Fill `out` (opaque: the struct vmm_trap, vmm_bt, vmm_pv or vmm_hw). */
void vmm_trap_status(void *opaque, struct vmm_status *out);
void vmm_bt_status(void *opaque, struct vmm_status *out);
void vmm_pv_status(void *opaque, struct vmm_status *out);
void vmm_hw_status(void *opaque, struct vmm_status *out);

#endif
