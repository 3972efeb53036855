/* `ringlab pg vmm --strategy bt`: binary translation over the trap
 * monitor, in the manner of VMware's.  The guest kernel runs unmodified
 * at real ring 1 with the trap monitor's shadow GDT and TSS, and every
 * privileged instruction still traps and is emulated by it (vmm_trap.h).
 * In addition, before a block of the kernel's code (virtual CPL 0) first
 * runs, the monitor scans it with Capstone for the instructions that are
 * sensitive but do not trap (bt_scan.h); the machine then stops before
 * each one and the monitor executes it against the virtual CPU: POPF and
 * IRET load the virtual IF and IOPL, PUSHF pushes them, PUSH CS and LAR
 * show ring 0, SGDT the guest's GDTR.  What the deprivileged CPU pushes
 * on an event in the kernel (CS with RPL 1) is corrected before the
 * guest's handler sees it, and an event in the guest's own ring 1 gets the
 * stack switch to the kernel's stack that ring compression took away.
 * Scan results are kept with the block cache's entries, so a block is
 * scanned again exactly when its bytes or mappings change. */
#ifndef RINGLAB_VMM_BT_H
#define RINGLAB_VMM_BT_H

#include <stdbool.h>
#include <stdint.h>

#include "front/runner.h"
#include "machine.h"
#include "trace/qemu_log.h"
#include "util/strbuf.h"
#include "vmm/bt_scan.h"
#include "vmm/vmm_hw.h"
#include "vmm/vmm_trap.h"

#define BT_LOG 16
struct bt_intercept {
    uint64_t icount;
    enum bt_kind kind;
    bool native; /* executed by the engine (the shadow gives the guest's answer) */
    uint16_t cs;
    uint32_t eip;
};

struct vmm_bt {
    struct vmm_trap trap;  /* the virtual CPU, the shadow tables, the traps */
    uint8_t iopl;          /* the virtual EFLAGS.IOPL (the real one is 0 in the kernel) */
    bool stop;             /* an instruction it cannot execute rightly: the run ends */
    struct disasm *disasm;
    uint64_t scanned, with_sensitive; /* blocks scanned at virtual CPL 0, and how many held one */
    uint64_t emulated[BT_KIND_COUNT], native[BT_KIND_COUNT];
    uint64_t frames_fixed, stack_switches; /* delivery frames corrected, ring-1 stack switches */
    uint64_t guest_bitmap_io; /* ring 3's I/O its TSS's bit map allows (the shadow has none) */
    uint64_t total;
    struct bt_intercept log[BT_LOG]; /* the last intercepts, log[total % BT_LOG] next */
    struct cpu_state before;         /* the state an event came from, for its delivery */
    bool before_valid;
};

/* Deprivilege the guest as the trap monitor does and take its code under
 * the scanner.  False (one line in err) when it cannot. */
bool vmm_bt_attach(struct vmm_bt *b, struct machine *m, char *err, size_t errlen);
void vmm_bt_detach(struct vmm_bt *b);

/* `info vmm` (opaque is the struct vmm_bt). */
void vmm_bt_info(void *opaque, struct strbuf *out);

/* Run to the end, then the same session natively, and write the report to
 * stderr; the monitored run's status, as a plain run's. */
int vmm_run_bt(struct runner *r, const struct vmm_request *req, struct vmm_bt *b,
               struct qemu_log *qlog, double timeout_s);

#endif
