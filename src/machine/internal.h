/* The machine's insides, shared by the files of src/machine/ and by no one
 * else: front ends see only machine.h, control.h and inspect.h.
 *
 *   machine.c   life cycle: create, power on, reset, destroy
 *   board.c     the devices: which, on which ports and IRQs, their reset state
 *   clock.c     the virtual clock
 *   run.c       the run loop and its stops (control_run, step, pause, idle)
 *   exits.c     what the engine hands back: interrupts, blocks, SYSENTER, CPUID
 *   deliver.c   events into the guest: exceptions, IRQs, with their explanations
 *   special.c   instructions ringlab executes itself: I/O the TSS bitmap
 *               judges, RDTSC, RDMSR/WRMSR of the TSC
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
    uint64_t stop_at;        /* the block hook stops the run when icount reaches it */
    struct paging_regs paging; /* CR0/CR3/CR4 as last read: refreshed after blocks
                                  that may change them, never on every block */
    bool paging_stale;
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

    /* ---- stops (run.c) */
    enum stop_cause cause;
    struct run_goal goal;
    volatile sig_atomic_t pause_requested;
    uintptr_t step_hook;     /* control_step's code hook */
    uint64_t step_block, step_index; /* the block it counts in, and the next number */
    uint64_t step_count;     /* the instructions a step is to reach (0: not stepping) */
    uint64_t step_seen;      /* ... and those reached so far */
    uint64_t step_last_icount; /* where the last one was met */
    uint32_t step_last_addr; /* (the last instruction a step executed) */
    /* Where the current run started: a breakpoint there does not stop its
     * first instruction (the run stopped there already). */
    uint32_t resume_linear;
    uint64_t resume_icount;
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
    int debug_exit_status;
    char detail[256];
    uint64_t walker_disagreements;

    /* ---- a monitor below the guest (monitor.c) */
    machine_intercept_fn intercept;
    void *intercept_opaque;
};

/* The block hook's one look at what waits for it (exits.c). */
static inline void machine_rewatch(struct machine *m)
{
    m->watch_blocks = m->return_pending || m->irq_recheck;
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
/* Stop before the instruction of the current block whose exact count is
 * `exact` (from exits_exact_icount). */
void exits_stop_mid_block(struct machine *m, uint64_t exact, enum stop_cause cause);
uint64_t exits_exact_icount(struct machine *m, uint32_t linear);

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


#endif
