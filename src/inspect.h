/* Inspect: read the machine and change nothing.  Every front end looks at
 * the machine through these calls only: no register, no byte of memory, no
 * Accessed or Dirty bit, no device register and no clock moves because of
 * them (a test checks it).  Call them between runs, not from inside one. */
#ifndef RINGLAB_INSPECT_H
#define RINGLAB_INSPECT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cpu/cpu_state.h"
#include "cpu/desc.h"
#include "devices/pic8259.h"
#include "devices/pit8254.h"
#include "devices/uart16550.h"
#include "devices/vga_text.h"
#include "machine.h"
#include "mmu/paging.h"
#include "trace/event.h"

/* The CPU: general registers, EIP, EFLAGS, the segment registers with
 * their descriptor caches as the CPU holds them, the control and table
 * registers, the CPL. */
bool inspect_cpu(struct machine *m, struct cpu_state *out);

/* ---- more than one CPU (-smp N) ---------------------------------------
 * The calls that read one processor (inspect_cpu, _fpu, _msrs, memory
 * through "the current" page tables, the descriptor tables and the TSS)
 * read the one control_select_cpu chose: by default the one that ran
 * last, where the last run or step stopped.  With one CPU it is CPU 0. */
int inspect_cpu_count(const struct machine *m);
int inspect_selected_cpu(const struct machine *m);
int inspect_running_cpu(const struct machine *m); /* the one that ran last */

enum cpu_run_state {
    CPU_RUNNING,          /* executing instructions (in its turn) */
    CPU_HALTED,           /* HLT: waiting for an interrupt */
    CPU_WAITING_FOR_SIPI, /* an AP after reset or INIT (SDM Vol. 3A 8.4.4) */
};
const char *inspect_cpu_state_name(enum cpu_run_state s); /* "waiting for SIPI" */

struct cpu_summary {
    int index;          /* 0 the bootstrap processor */
    uint8_t apic_id;
    enum cpu_run_state state;
    bool in_engine;     /* it ran last */
    bool selected;      /* the inspect calls read it */
    bool have_state;
    struct cpu_state st;
};
/* Every CPU, in order; returns how many (at most max are written). */
size_t inspect_cpus(struct machine *m, struct cpu_summary *out, size_t max);

/* The x87 FPU registers, ST(0) first. */
bool inspect_fpu(struct machine *m, struct fpu_state *out);

/* The model-specific registers ringlab models, in a fixed order. */
struct msr_value {
    uint32_t index;
    const char *name; /* "IA32_SYSENTER_CS" */
    uint64_t value;
};
size_t inspect_msrs(struct machine *m, struct msr_value *out, size_t max);

/* Physical memory: false when part of the range is not RAM. */
bool inspect_phys(struct machine *m, uint32_t paddr, void *buf, size_t len);
/* The paging registers the walks below use for the current CPU: its own
 * CR0, CR3 and CR4, or, under a monitor that keeps shadow page tables
 * (`pg vmm --strategy trap|bt`), the guest's, whose tables the shadow is
 * made from; a `cr3` argument naming the real (shadow) directory then
 * stands for the guest's current one. */
struct paging_regs inspect_paging(struct machine *m);
/* Linear memory through the page tables of `cr3` (NULL: the current CR3,
 * with the current CR0.PG and CR4.PSE).  On failure *walk (if given) is
 * the walk of the first byte that could not be read: walk->ok false when
 * it is not mapped, walk->ok true (and mem_error) when it leads outside RAM. */
bool inspect_linear(struct machine *m, const uint32_t *cr3, uint32_t laddr, void *buf, size_t len,
                    struct paging_walk *walk);
/* The page walk of a linear address for an access of the given kind, as
 * the CPU would make it now (user: at CPL 3), with nothing set.  Use
 * paging_explain for the sentence. */
bool inspect_walk(struct machine *m, const uint32_t *cr3, uint32_t laddr,
                  enum paging_access access, bool user, struct paging_walk *walk);

/* Descriptor tables, decoded by desc.c.  False when the entry lies beyond
 * the table's limit or cannot be read. */
bool inspect_gdt(struct machine *m, unsigned index, struct descriptor *out);
bool inspect_ldt(struct machine *m, unsigned index, struct descriptor *out);
bool inspect_idt(struct machine *m, unsigned vector, struct gate *out, uint32_t raw[2]);
/* The current task's TSS (what TR's cache names): a 32-bit TSS decoded,
 * or a 16-bit one (is32 false). */
struct tss_view {
    bool is32;
    struct tss32 t32;
    struct tss16 t16;
    uint16_t selector;
    uint32_t base, limit;
};
bool inspect_tss(struct machine *m, struct tss_view *out);

/* Devices, as copies of their state: reading a copy has none of the side
 * effects a guest's read has (acknowledging, clearing, latching). */
void inspect_pic(struct machine *m, struct pic_pair *out);
void inspect_pit(struct machine *m, struct pit *out);
void inspect_uart(struct machine *m, struct uart *out);
/* The VGA text screen as displayed: cells from the display start address
 * (characters and attributes) and the cursor. */
void inspect_vga(struct machine *m, struct vga_screen *out);

/* The clock. */
uint64_t inspect_icount(struct machine *m);
uint64_t inspect_time_ns(struct machine *m);

/* The last events (the same records the sinks receive), oldest first:
 * copies up to `max` of the most recent ones and returns how many. */
size_t inspect_events(struct machine *m, struct trace_event *out, size_t max);
/* Events seen since power-on (the ring keeps the last INSPECT_EVENT_RING). */
uint64_t inspect_event_count(struct machine *m);
#define INSPECT_EVENT_RING 4096

#endif
