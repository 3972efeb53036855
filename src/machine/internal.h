/* The machine's insides, shared by the files of src/machine/ and by no one
 * else: front ends see only machine.h, control.h and inspect.h.
 *
 *   machine.c   life cycle: create, power on, reset, destroy
 *   board.c     the devices: which, on which ports and IRQs, their reset state
 *   apics.c     the local and I/O APIC: their pages, the APIC bus, which
 *               interrupt the CPU takes
 *   firmware.c  the reset vector: the ROM, the tables a PC's firmware leaves
 *   smp.c       more than one CPU: turns in fixed quanta, INIT and SIPI
 *   clock.c     the virtual clock
 *   run.c       the run loop and its stops (control_run, step, pause, idle)
 *   exits.c     what the engine hands back: interrupts, blocks, SYSENTER, CPUID
 *   deliver.c   events into the guest: exceptions, IRQs, with their explanations
 *   special.c   instructions ringlab executes itself: I/O the TSS bitmap
 *               judges, RDTSC, RDMSR/WRMSR of the TSC
 *   seglimit.c  data and stack segment limits, checked while one is not flat
 *   events.c    the event fan-out: sinks, the ring of recent events, stops
 *   breakpoints.c  breakpoints and watchpoints
 *   inspect.c   the inspect API
 *   change.c    changes from outside: CPU state, memory, MSRs
 *   input.c     the serial input's door: the input log, recording, replaying
 *   history.c   snapshots of the whole machine, and going back to them
 *   cow.c       RAM copy-on-write: the pages written since the last snapshot
 *   reverse.c   going back: a number of instructions, to a stop, before an event */
#ifndef RINGLAB_MACHINE_INTERNAL_H
#define RINGLAB_MACHINE_INTERNAL_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>

#include "control.h"
#include "cpu/block_cache.h"
#include "cpu/cpu_state.h"
#include "cpu/engine.h"
#include "cpu/fault.h"
#include "cpu/intr.h"
#include "debug/disasm.h"
#include "devices/bus.h"
#include "devices/cmos.h"
#include "devices/debug_ports.h"
#include "devices/fw_cfg.h"
#include "devices/ide.h"
#include "devices/ioapic.h"
#include "devices/lapic.h"
#include "loader/pc_tables.h"
#include "devices/pic8259.h"
#include "devices/pit8254.h"
#include "devices/ps2.h"
#include "devices/uart16550.h"
#include "devices/vga_text.h"
#include "machine.h"
#include "machine/clock.h"
#include "mmu/linear.h"
#include "mmu/phys.h"

struct history;
struct seglimit;

#define MACHINE_MAX_SINKS 4
#define MACHINE_MAX_BREAKS 64

/* Why the engine returned, as the hook that stopped it says.  The run loop
 * acts on it and clears it. */
enum stop_cause {
    CAUSE_NONE,       /* the engine returned by itself: HLT */
    CAUSE_DEADLINE,   /* the clock reached stop_at (a timer, a run's budget, a slice) */
    CAUSE_RETRANSLATE, /* a block's code is new or changed: translate it again */
    CAUSE_SPECIAL,    /* a block holds an instruction ringlab executes itself */
    CAUSE_IRQ_WINDOW, /* IF may have become 1 while an IRQ waits */
    CAUSE_EVENT,      /* a trace event matched the run's stop_on */
    CAUSE_BREAKPOINT,
    CAUSE_WATCHPOINT,
    CAUSE_STEP,       /* stepping: the instructions asked for ran */
    CAUSE_END,        /* the guest ended the machine, or it must reset */
    CAUSE_SEG_SYNC,   /* a segment stopped (or started) being flat: the
                         limit checks come (or go) before the next block */
    CAUSE_SEG_LOAD,   /* a block uses a segment register it loads: run it
                         up to the load first */
    CAUSE_SEG_FAULT,  /* an instruction breaks a segment limit: deliver
                         m->seg_fault_vector before it runs */
};

struct breakpoint {
    struct breakpoint_info info;
    uintptr_t hook; /* the engine's code hook (EIP breakpoints) */
};

/* The run in progress: what the caller asked for. */
struct run_goal {
    const struct run_request *req;
    uint64_t insn_target; /* icount at which the budget is used up, UINT64_MAX none */
    double slice_end;     /* wall-clock second, 0 none */
    struct run_result *result;
};

/* A processor while another one runs (smp.c): its saved engine state and
 * the machine's view of it. */
struct cpu_slot {
    struct engine_cpu *saved;
    bool running; /* the BSP, or an AP a start-up IPI started */
    bool halted, irq_poll, irq_recheck, irq_poll_skip;
    bool return_pending;
    uint8_t return_kind;
    struct trace_point return_from;
};

struct machine {
    struct machine_config cfg;
    struct engine *engine;
    uint8_t *ram;
    size_t ram_size;
    struct phys_mem phys;
    struct disasm *disasm;
    struct clock clock;

    /* ---- devices (board.c) */
    struct bus bus;
    struct pic_pair pic;
    struct pit pit;
    struct uart com1;
    struct cmos cmos;
    struct ps2 ps2;
    struct vga_text vga;
    struct debug_ports debug;
    struct ide_channel ide;
    struct fw_cfg fw_cfg;
    struct lapic lapic[PC_TABLES_MAX_CPUS]; /* cfg.cpus of them, when cfg.apic */
    /* The local APIC pages mapped (apics.c): one where some CPU's
     * IA32_APIC_BASE points, shared by CPUs whose bases agree. */
    struct lapic_window {
        struct machine *m;
        uint32_t base;
        bool mapped;
    } lapic_windows[PC_TABLES_MAX_CPUS];
    struct ioapic ioapic;

    /* ---- the CPUs (smp.c): the one in the engine is cpu */
    int cpu;
    int view_cpu;   /* the CPU inspect and control name (cpus.c); -1: cpu */
    int view_depth; /* visits in progress (the outermost one swaps) */
    struct cpu_slot cpus[MACHINE_MAX_CPUS]; /* used when cfg.cpus > 1 */
    uint64_t quantum_end; /* icount at which the running CPU's turn ends */
    uint64_t tsc_offset; /* what WRMSR to IA32_TSC moved the TSC by */

    /* ---- events (events.c) */
    struct trace_sink sinks[MACHINE_MAX_SINKS];
    int nsinks;
    uint64_t seq;
    struct trace_event *ring; /* INSPECT_EVENT_RING entries */
    uint64_t ring_count;      /* events ever put in the ring */
    bool want_returns;        /* some sink or stop needs returns to outer rings */
    bool explain;             /* build each event's explanation (someone reads them) */

    /* ---- the block hook's view (exits.c) */
    struct block_cache blocks;
    struct ram_guard ram_guard; /* RAM write-protected for the code guard and the history */
    struct code_guard guard; /* the frames of translated code, write-protected */
    uint32_t epoch;          /* the block cache's mappings: moved on by CR0/CR3/CR4
                                changes and TLB flushes */
    bool tlb_flushed;        /* a block that ran flushed TLB entries (INVLPG, MOV CRn) */
    bool watch_blocks;       /* return_pending || irq_recheck: the hot path looks once */
    uint8_t seg_nulls;       /* the data segment registers holding a null selector
                                while no limit check runs everywhere (seglimit.c):
                                a block that may use one leaves the fast path */
    uint64_t stop_at;        /* the block hook stops the run when icount reaches it */
    struct paging_regs paging; /* CR0/CR3/CR4 as last read: refreshed after blocks
                                  that may change them, never on every block */
    bool paging_stale;
    bool code32;             /* CS.D as last read with them: blocks decode as 32-bit code */
    uint32_t fresh_addr;     /* the block the run loop just had translated anew
                                starts here (UINT32_MAX: none) */
    uint32_t block_addr, block_size; /* the block now running */
    bool stopped_before_block;       /* the block hook stopped the run before it */
    uint64_t block_start_icount;     /* icount before it */
    const struct block_info *block;  /* its entry (NULL when unreadable) */
    /* A block ending in IRET/RETF/SYSEXIT/SYSRET ran: at the next block
     * hook, a changed CPL is a return to an outer ring. */
    bool return_pending;
    uint8_t return_kind;
    struct trace_point return_from;
    /* An IRQ waits for IF: the block hook looks at EFLAGS again after a
     * block that may have set IF (and not before the STI shadow is over). */
    bool irq_poll;
    bool irq_recheck;   /* look at the next block hook */
    bool irq_poll_skip; /* ... but only at the one after (STI shadow) */
    bool halted;        /* HLT executed, waiting for an interrupt */

    /* ---- special instructions (special.c) */
    unsigned io_seen;       /* I/O instructions of the current block done so far */
    uint32_t special_pass;  /* let this block through once (running up to its instruction) */
    bool io_stepping;       /* the I/O hooks check permission and refuse quietly */
    bool io_refused;

    /* ---- segment limits (seglimit.c) */
    struct seglimit *seglimit;
    uintptr_t seg_hook;      /* the check before every instruction, while a
                                data or stack segment is not flat */
    bool seg_stale;          /* look at the segment registers at the next block */
    uint32_t seg_reload_pass; /* the block run up to its segment load now */
    int seg_fault_vector;
    char seg_fault_why[400];

    /* ---- stops (run.c) */
    enum stop_cause cause;
    struct run_goal goal;
    volatile sig_atomic_t pause_requested;
    uintptr_t step_hook;     /* control_step's code hook */
    uint64_t step_block, step_index; /* the block it counts in, and the next number */
    int step_cpu;            /* the CPU whose instructions a step counts (-1: any) */
    uint64_t step_count;     /* the instructions a step is to reach (0: not stepping) */
    uint64_t step_seen;      /* ... and those reached so far */
    uint64_t step_last_icount; /* where the last one was met */
    uint32_t step_last_addr; /* (the last instruction a step executed) */
    /* Where the current run started: a breakpoint there does not stop its
     * first instruction (the run stopped there already). */
    uint32_t resume_linear;
    uint64_t resume_icount;
    int resume_cpu;          /* and on this CPU */
    bool resume_after_slice; /* the last run ended with its wall-clock slice */
    bool resume_no_skip;     /* the next run stops at a breakpoint where it starts, too */
    uint64_t precise_at;     /* icount of the next stop that must land exactly */
    /* A run stopped inside a block: the block as an unbroken run would have
     * executed it ends at this icount, and an IRQ a device raised before the
     * stop waits until then, as it would have. */
    uint64_t irq_hold_until;

    /* ---- breakpoints and watchpoints (breakpoints.c) */
    struct breakpoint breaks[MACHINE_MAX_BREAKS];
    int nbreaks;
    int next_break_id;
    uintptr_t watch_hook;    /* the engine's write hook while any watchpoint is set */
    uintptr_t watch_read_hook; /* its read hook while a read or access watchpoint is */
    uintptr_t watch_step_hook; /* a code hook that stops after the writing instruction */
    int watch_hit;           /* the watchpoint a store hit, 0 none */
    uint32_t watch_hit_addr;
    bool watch_hit_read;

    /* ---- serial input (input.c): every byte the UART took from the host,
     * while history or an observer wants them; bytes from input_pos on are
     * replayed (a --replay, or the future after going back) */
    struct input_record *input;
    size_t input_count, input_cap, input_pos;
    bool input_logging;
    void (*input_observer)(void *opaque, const struct input_record *rec);
    void *input_observer_opaque;
    bool replay_has_end;
    struct machine_pos replay_end;
    bool replay_waiting;        /* at the end's count, for its last deliveries */
    uint64_t replay_wait_deliveries;

    /* ---- what has been shown (events.c, board.c): after going back, the
     * run does again what it did; its output and events are given to the
     * console and the sinks only past the furthest point reached before */
    uint64_t deliveries;       /* events delivered since power-on */
    uint64_t shown_deliveries; /* the most that have reached the sinks */
    uint64_t shown_return_icount; /* icount of the last return event the sinks saw */
    uint64_t serial_out, serial_shown; /* COM1 bytes sent, and given to the host */
    uint64_t debugcon_out, debugcon_shown;
    uint64_t last_delivery_icount; /* icount of the last delivery (UINT64_MAX: none) */
    uint64_t ring_high;        /* the most events the ring ever held (ring_count after going back) */

    /* ---- history (history.c, cow.c), NULL when off */
    struct history *history;

    /* ---- how it ended (machine.c) */
    enum machine_end end;
    bool reset_pending;      /* a triple fault without no_reboot */
    bool powered;            /* machine_boot_image ran: the next one is a reset, not power-on */
    int debug_exit_status;
    char detail[256];
    uint64_t walker_disagreements;

    /* ---- a monitor below the guest (monitor.c) */
    machine_intercept_fn intercept;
    void *intercept_opaque;
    struct machine_shadow_paging shadow; /* a monitor's shadow page tables */
    struct machine_history_client history_client; /* a monitor's state in snapshots */
    machine_step_fn translate_step;       /* the translator's (NULL: none) */
    machine_delivered_fn translate_delivered;
    void *translate_opaque;
};

/* The block hook's one look at what waits for it (exits.c). */
static inline void machine_rewatch(struct machine *m)
{
    m->watch_blocks = m->return_pending || m->irq_recheck || m->seg_stale;
}

/* machine.c */
void machine_finish(struct machine *m, enum machine_end end, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
bool machine_boot_image(struct machine *m, char *err, size_t errlen);

/* board.c */
bool board_wire(struct machine *m, char *err, size_t errlen);
void board_reset(struct machine *m);
uint64_t board_next_event_ns(struct machine *m);
void board_advance(struct machine *m);

/* apics.c */
bool apics_map(struct machine *m, char *err, size_t errlen);
/* Map the local APIC pages where the CPUs' IA32_APIC_BASE now point and
 * unmap the ones no CPU points at (after a reset or a restored snapshot).
 * False, with the message, when a base lies over RAM or another device. */
bool apics_follow_bases(struct machine *m, char *err, size_t errlen);
/* Power-up state; bios_setup: the BSP as SeaBIOS leaves it (virtual wire). */
void apics_reset(struct machine *m, bool bios_setup);
bool apics_present(const struct machine *m);
bool apics_read_base(struct machine *m, uint64_t *value);
bool apics_write_base(struct machine *m, uint64_t value); /* false: #GP(0) */
/* An interrupt the running CPU (or CPU i) would take if IF allowed it. */
bool apics_irq_pending(const struct machine *m);
bool apics_irq_pending_for(const struct machine *m, int i);
/* Take it: its vector; *from says from where, in words. */
int apics_irq_acknowledge(struct machine *m, const char **from);
uint64_t apics_next_event_ns(const struct machine *m);
void apics_advance(struct machine *m);
/* An ISA IRQ line changes level: the 8259s and the I/O APIC see it. */
void apics_isa_irq(struct machine *m, int irq, int level);

/* firmware.c */
/* The tables a PC's firmware leaves (BIOS data area, MP, ACPI), for the
 * machine's CPUs and RAM; false with one line in err. */
bool firmware_tables(struct machine *m, char *err, size_t errlen);
/* Map the ROM and put the CPU at the reset vector, F000:FFF0 in real mode. */
bool firmware_map_rom(struct machine *m, char *err, size_t errlen);
/* cpus.c: make the CPU the inspect and control calls name the engine's
 * for a while (*visited its index, or -1 when it is there already), and
 * put the running one back (keeping what was changed when keep). */
bool cpu_view_enter(struct machine *m, int *visited);
/* smp_history.c: the other CPUs and the schedule, for a snapshot. */
struct smp_saved;
size_t smp_saved_size(const struct machine *m); /* 0 with one CPU */
struct smp_saved *smp_saved_new(struct machine *m);
void smp_saved_free(struct smp_saved *s);
void smp_save(struct machine *m, struct smp_saved *s);
void smp_load(struct machine *m, const struct smp_saved *s);
void cpu_view_leave(struct machine *m, int visited, bool keep);
bool cpu_view_halted(const struct machine *m, int i);
/* The paging registers of the CPU the front ends name. */
struct paging_regs machine_paging_regs(struct machine *m);
/* The paging registers ringlab walks with for the running CPU: the
 * engine's, or the guest's own under a monitor's shadow page tables
 * (machine_set_shadow_paging).  `st`, when not NULL, is the CPU state to
 * take them from instead of the engine. */
struct paging_regs machine_walk_regs(struct machine *m, const struct cpu_state *st);
/* A CR3 a front end names, to walk with: under shadow page tables the
 * real one (the shadow directory, which ringlab's walks do not read)
 * stands for the guest's; any other is itself. */
uint32_t machine_walk_cr3(struct machine *m, uint32_t cr3);

bool firmware_reset_cpu(struct machine *m);
/* The CPU in real mode at selector:eip with CS base `base`, the other
 * registers as after RESET (SDM Vol. 3A Table 9-1). */
bool firmware_start_cpu(struct machine *m, uint16_t selector, uint32_t base, uint32_t eip);

/* warm_reset.c: the BSP (in the engine) took an INIT: it starts at the
 * reset vector, or, without a ROM, where the shutdown code in CMOS 0Fh and
 * the warm-reset vector at 0040:0067 send it (or the machine reboots). */
void warm_reset_bsp(struct machine *m);
/* Does the shutdown code ask for a warm start (05h, 0Ah)?  Then
 * warm_reset_jump does it: the byte back to 0, the EOI for 05h, and the
 * CPU in the engine in real mode at 0040:0067's far pointer. */
bool warm_reset_requested(const struct machine *m);
bool warm_reset_jump(struct machine *m);

/* smp.c */
bool smp_init(struct machine *m, char *err, size_t errlen);
void smp_free(struct machine *m);
/* After a boot: the BSP runs, the APs wait for INIT/SIPI. */
void smp_reset(struct machine *m);
/* Between runs: take the IPIs' signals, and give the next CPU its turn
 * when this one's is over or it cannot run. */
void smp_schedule(struct machine *m);
/* Where the running CPU's turn ends (UINT64_MAX with one CPU). */
uint64_t smp_quantum_end(const struct machine *m);

/* events.c */
bool events_init(struct machine *m);
void events_free(struct machine *m);
void events_emit(void *opaque, struct trace_event *ev);

/* deliver.c */
struct intr_env deliver_env(struct machine *m);
struct linear_mem deliver_linear(struct machine *m, const struct cpu_state *st);
size_t deliver_read_code(struct machine *m, const struct cpu_state *st, uint32_t eip, uint8_t *buf,
                         size_t len);
void deliver_describe_insn(struct machine *m, const struct cpu_state *st, uint32_t eip, char *text,
                           size_t n);
bool deliver(struct machine *m, struct cpu_state *st, struct intr_request *req);
void deliver_exception(struct machine *m, struct cpu_state *st, int vector, uint32_t eip,
                       const char *why);
void deliver_irq_if_ready(struct machine *m);
void deliver_engine_event(struct machine *m, int vector);

/* exits.c */
bool exits_install(struct machine *m);
void exits_stop(struct machine *m, enum stop_cause cause);
/* A return to an outer ring (IRET, RETF, SYSEXIT, SYSRET) ran from `from`
 * to the state `st`, at linear `pc`: its trace event. */
void exits_return_event(struct machine *m, enum trace_kind kind, struct trace_point from,
                        const struct cpu_state *st, uint32_t pc);
/* Stop before the instruction of the current block whose exact count is
 * `exact` (from exits_exact_icount). */
void exits_stop_mid_block(struct machine *m, uint64_t exact, enum stop_cause cause);
uint64_t exits_exact_icount(struct machine *m, uint32_t linear);
/* CPUID as this machine answers it, and one of its leaf 1 EDX bits. */
void exits_cpuid(struct machine *m, uint32_t leaf, uint32_t subleaf, uint32_t regs[4]);
bool exits_has_feature(struct machine *m, uint32_t cpuid1_edx_bit);
/* CPUID.01H:EDX bit 9: an APIC is present (SDM Vol. 2A, Table 3-11). */
#define CPUID_1_EDX_APIC (1u << 9)

/* run.c: stepping reaches the instruction at linear `addr` (before it
 * runs); true when the step ends there, before it. */
bool run_step_reach(struct machine *m, uint32_t addr);

/* breakpoints.c: the breakpoint at linear (in the space of cr3), 0 none */
int breakpoints_match(struct machine *m, uint32_t linear, uint32_t cr3);

/* input.c */
void input_free(struct machine *m);
/* At the run loop's top: hand the UART the recorded bytes due now, and end
 * a replay at its end. */
void input_feed(struct machine *m);
/* The next recorded byte's position, or the recording's end (at_end), for
 * the run's stops: false when neither. */
bool input_next(const struct machine *m, uint64_t *icount, uint64_t *time_ns, bool *at_end);
/* Forget the recorded future (a change from outside). */
void input_truncate(struct machine *m);

/* history.c */
void history_free(struct machine *m);
/* At the run loop's top: a snapshot when one is due. */
void history_tick(struct machine *m);
/* Where the next periodic snapshot falls (UINT64_MAX: none). */
uint64_t history_next_icount(const struct machine *m);
/* A change from outside: the history starts again here. */
void history_restart(struct machine *m);
/* Go to the state a forward run reaches at icount `target` (the first
 * state with that count), from the nearest snapshot: RUN_INSNS when there,
 * RUN_HISTORY_START at the oldest snapshot when none is old enough, or the
 * stop that kept the run from getting there (RUN_PAUSED, RUN_END; RUN_IDLE
 * for a halt nothing ends). */
enum run_stop history_goto(struct machine *m, uint64_t target);
/* The same for an exact position (icount, deliveries). */
enum run_stop history_goto_pos(struct machine *m, const struct machine_pos *pos);
bool history_on(const struct machine *m);
/* Restore the newest snapshot no later than `before` (icount, deliveries); false when none. */
bool history_restore_before(struct machine *m, const struct machine_pos *before,
                            struct machine_pos *restored);
/* Position of the oldest snapshot. */
bool history_oldest(const struct machine *m, struct machine_pos *out);

/* special.c */
enum engine_exit special_step(struct machine *m);
uint32_t special_port_in(void *opaque, uint16_t port, int size);
void special_port_out(void *opaque, uint16_t port, int size, uint32_t value);
bool special_io_needs_bitmap(struct machine *m);
bool special_umip_refuses(struct machine *m);
/* The CR4 bits of features this CPU lacks (SMEP, SMAP, PSE, UMIP):
 * reserved, so a MOV to CR4 that sets one is #GP(0).  0 when it has all. */
uint32_t special_cr4_reserved(struct machine *m);

/* seglimit.c */
bool seglimit_init(struct machine *m);
void seglimit_free(struct machine *m);
/* Between runs: the check hook in place exactly while a segment is not flat. */
void seglimit_sync(struct machine *m);
/* At a block hook after a segment load: does the hook have to come or go? */
bool seglimit_changed(struct machine *m);
/* At a block hook while a data segment register is null: must this block
 * (which may use it) get a check before each of its instructions first? */
bool seglimit_block_needs_check(struct machine *m, uint32_t addr, uint32_t size);
/* After a delivery wrote st back. */
void seglimit_after_commit(struct machine *m, const struct cpu_state *st);
/* CAUSE_SEG_LOAD: run the block up to just past its segment load. */
enum engine_exit seglimit_run_past_load(struct machine *m);
/* CAUSE_SEG_FAULT: deliver the fault the check found. */
void seglimit_deliver(struct machine *m);
/* Instructions the check has looked at (for tests and the bench). */
uint64_t seglimit_checked_insns(const struct machine *m);


#endif
