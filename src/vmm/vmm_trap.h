/* `ringlab pg vmm --strategy trap`: the classic trap-and-emulate monitor.
 * The guest kernel runs deprivileged at real ring 1: the real GDT is a
 * shadow of the guest's with its DPL-0 code and data descriptors made
 * DPL 1, the real IDT is the guest's own (its gates name the kernel's code
 * selector, DPL 1 in the shadow, so they enter ring 1), and the real TSS is
 * a shadow whose SS1:ESP1 stands for the guest's SS0:ESP0 and which has no
 * I/O bit map.  Every privileged instruction the kernel executes then
 * raises #GP(0); the monitor, which sees each event before the guest's IDT
 * does, executes it against the virtual CPU it keeps and resumes the guest.
 * Exceptions and interrupts go on to the guest's own handlers.  The
 * instructions that are sensitive but do not trap run unseen: the monitor
 * watches for what they cause and names it. */
#ifndef RINGLAB_VMM_TRAP_H
#define RINGLAB_VMM_TRAP_H

#include <stdbool.h>
#include <stdint.h>

#include "cpu/cpu_state.h"
#include "front/runner.h"
#include "machine.h"
#include "trace/qemu_log.h"
#include "util/strbuf.h"

/* What the guest believes the CPU is. */
struct vcpu {
    uint8_t cpl;
    bool iflag;
    uint32_t cr0, cr3, cr4;
    struct table_reg gdtr, idtr;
    uint16_t tr;
    uint32_t sysenter_cs, sysenter_esp, sysenter_eip; /* the MSRs (SDM Vol. 3A 5.8.7.1) */
    uint32_t dr[8]; /* the debug registers (SDM Vol. 3A 17.2); DR4, DR5 unused */
    uint32_t cr2;   /* as the guest's last page fault left it, or its own MOV */
    uint16_t ldtr;  /* the LDT selector the guest loaded (LLDT), 0: none */
};

/* A place where deprivileging shows (by what it causes). */
enum trap_failure {
    FAIL_IRET_IF,      /* IRET at ring 1 left IF clear the frame set */
    FAIL_IRET_IOPL,    /* IRET at ring 1 did not load the frame's IOPL */
    FAIL_PUSHED_CS,    /* an event in the kernel pushed its CS with RPL 1 */
    FAIL_REFLECTED_GP, /* a privileged instruction of the guest's own ring 1 */
    FAIL_POPF_IF,      /* POPF at ring 1 kept IF (trap_watch.c) */
    FAIL_READ_CS,      /* PUSH CS, MOV r/m, CS (or SS) read RPL 1 */
    FAIL_SGDT,         /* SGDT stored the shadow GDT's address */
    FAIL_LAR,          /* LAR, LSL, VERR, VERW saw the shadow's DPL 1 */
    FAIL_COUNT
};

struct trap_failure_seen {
    uint64_t count;
    uint64_t first_icount;
    uint32_t first_eip;
    uint16_t first_cs;
    uint32_t detail; /* what the frame asked for, the CS pushed, ... */
    uint32_t detail2; /* what the guest expected instead */
    int site;         /* the first one's place in vmm_trap.sites, -1: none */
};

/* A sensitive instruction of the guest kernel that does not trap, found
 * by vmm_trap_watch's scan, watched through the machine's translator. */
#define TRAP_WATCH_MAX 32
struct trap_site {
    uint32_t addr;
    int kind;          /* enum sensitive_kind */
    const char *insn;  /* "POPF", "SGDT", ... */
    char where[48];    /* "timer_check+0x4f" */
    uint64_t hits;
};

/* The shadow page tables (trap_paging.c): the real CR3's directory and
 * the tables under it, in the monitor's own memory, filled from the
 * guest's tables as the guest touches its pages. */
#define SHADOW_POOL_PAGES 256 /* 1 MiB: the directory and 255 tables */
struct shadow_paging {
    uint8_t *pool;             /* SHADOW_POOL_PAGES pages; page 0 the directory */
    uint16_t table_of[1024];   /* the pool page of each directory slot's table, 0: none */
    int used, peak;            /* pool pages handed out (the directory's included) */
    bool on;                   /* the guest pages: the real CR3 is the shadow's */
    uint32_t stale_at;         /* a fault the shadow already allowed, once */
    uint64_t filled;           /* hidden page faults: entries copied from the guest's */
    uint64_t dirtied;          /* of them, first writes to a clean page (the guest's D set) */
    uint64_t guest_faults;     /* page faults that were the guest's, passed on */
    uint64_t rebuilt;          /* the whole shadow dropped: CR3 loads, CR0/CR4, a full pool */
    uint64_t dropped;          /* entries dropped by INVLPG */
};

#define TRAP_CAUSES 32
struct disasm;
struct vmm_trap {
    struct machine *m;
    struct disasm *dis;     /* the instruction decoder of trap_emulate.c */
    struct vcpu v;
    struct shadow_paging sp;
    uint32_t shadow_lin;    /* where the shadow GDT is seen now */
    bool active;            /* the guest's GDT has been shadowed */
    uint64_t traps[TRAP_CAUSES]; /* emulated, by instruction (trap_cause_name) */
    uint64_t reflected[32], irqs, syscalls;
    struct trap_failure_seen fail[FAIL_COUNT];
    struct trap_site sites[TRAP_WATCH_MAX];
    int nsites;
    int last_cause;         /* the latest trap emulated (T_*), -1: none */
    uint16_t last_cs;
    uint32_t last_eip;
    uint64_t last_icount;
    uint64_t last_tsc;      /* the last RDTSC emulated (CR4.TSD set) */
    char stopped[160];      /* the instruction it could not emulate, if any */
    bool returns_executed;  /* the kernel's IRETs and far RETs are the translating
                               monitor's to execute: no frame to check after them */
};

/* Deprivilege the machine's guest (powered on, not yet run) and take its
 * events.  False (one line in err) when the machine cannot be so set up. */
bool vmm_trap_attach(struct vmm_trap *t, struct machine *m, char *err, size_t errlen);

/* Before the run: scan the kernel (its ELF image) for the sensitive
 * instructions that do not trap, and watch each (see trap_watch.c) in
 * every front end, without stopping its runs.  False (one line in err)
 * when the image has no symbols to scan by. */
bool vmm_trap_watch(struct vmm_trap *t, const uint8_t *image, size_t size, char *err,
                    size_t errlen);

/* Down to ring 1: a guest state as the loader left it at ring 0, its
 * DPL-0 segment caches made DPL 1 (also the paravirtual monitor's start). */
void vmm_deprivilege(struct cpu_state *st);

/* `info vmm` (opaque is the struct vmm_trap). */
void vmm_trap_info(void *opaque, struct strbuf *out);

/* Run to the end and write the report to stderr; the plain run's status. */
int vmm_run_trap(struct runner *r, struct vmm_trap *t, struct qemu_log *qlog, double timeout_s);

#endif
