/* `ringlab pg vmm --strategy pv`: paravirtualization.  The guest is the
 * bundled kernel built with -DPV (kernel-pv.elf): it knows it runs at real
 * ring 1 (its GDT's kernel descriptors are DPL 1, its selectors RPL 1) and
 * asks the monitor, by hypercall (guests/kernel/hypercall.h: INT 0x82,
 * the number in EAX), for each thing ring 1 may not do.  Nothing is
 * shadowed: the GDT, IDT, TSS and page tables the guest hands over are the
 * real ones.  The monitor keeps the virtual CPU (struct vcpu, vmm_trap.h),
 * counts the hypercalls by number, emulates SYSENTER (its real MSR stays 0,
 * so that SYSENTER faults instead of entering ring 0), moves the TSS's
 * SS0:ESP0 into SS1:ESP1 for each event that leaves ring 3, and names as a
 * failure of the port any privileged instruction the guest still executes
 * (it faults, and goes on to the guest's own IDT). */
#ifndef RINGLAB_VMM_PV_H
#define RINGLAB_VMM_PV_H

#include <stdbool.h>
#include <stdint.h>

#include "front/runner.h"
#include "machine.h"
#include "trace/qemu_log.h"
#include "util/strbuf.h"
#include "vmm/vmm_hw.h"
#include "vmm/vmm_trap.h"
#include "../../guests/kernel/hypercall.h" /* the interface, shared with the guest */

/* One hypercall, for `info vmm`. */
#define PV_CALL_LOG 16
struct pv_call {
    uint64_t icount;
    int nr;
    uint32_t eip, ebx, ecx, edx;
};

/* The monitor's state. */
struct vmm_pv {
    struct machine *m;
    struct vcpu v;
    uint16_t ss1;       /* what ring 3's call gates use (the TSS's at LTR) */
    uint32_t esp1;
    uint64_t calls[HC_COUNT], refused, total;
    struct pv_call log[PV_CALL_LOG]; /* the last, log[total % PV_CALL_LOG] next */
    uint64_t reflected[32], irqs, syscalls, sysenters;
    uint64_t port_failures;     /* privileged instructions the guest executed */
    char first_failure[160];    /* the first of them, or a refused call */
    /* The serial output so far (for the native run's input), and where it
     * goes on to. */
    uint64_t out_bytes;
    void (*serial_out)(void *opaque, uint8_t byte);
    void *serial_opaque;
};

/* The machine's serial_out under this monitor: counts and passes on. */
void vmm_pv_serial_out(void *opaque, uint8_t byte);

/* Put the guest (powered on, not yet run) at ring 1 and take its events.
 * False (one line in err) when it cannot. */
bool vmm_pv_attach(struct vmm_pv *p, struct machine *m, char *err, size_t errlen);

/* `info vmm` (opaque is the struct vmm_pv). */
void vmm_pv_info(void *opaque, struct strbuf *out);

/* Hypercalls and traps by cause, one line each ("" or "vmm pv: " first). */
void vmm_pv_counts(const struct vmm_pv *p, const char *prefix, struct strbuf *out);

/* Run to the end; then the same session natively on a machine built from
 * req->machine_cfg (which loads the native build of the kernel; NULL: no
 * native run), its input given at the same points of the console output;
 * the report on stderr.  Returns the monitored run's status, as a plain
 * run's. */
int vmm_run_pv(struct runner *r, const struct vmm_request *req, struct vmm_pv *p,
               struct qemu_log *qlog, double timeout_s);

#endif
