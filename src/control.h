/* Control: the one way a front end drives the machine (the command line,
 * the text debugger, the SDL view, the gdb stub, the monitor).
 *
 * A run returns: after the instructions asked for, at a breakpoint or
 * watchpoint, after a trace event of a kind asked for, at the end of a
 * wall-clock slice, when paused from elsewhere, when the CPU halts to wait
 * for an interrupt, or when the guest ends the machine.  The caller then
 * decides what to do and how to wait: the machine never sleeps inside
 * (TinyEMU's virt_machine_interp is the model).  A run cut into pieces at
 * any of these stops gives the same trace as one run, instruction for
 * instruction: stopping changes nothing the guest can see. */
#ifndef RINGLAB_CONTROL_H
#define RINGLAB_CONTROL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cpu/cpu_state.h"
#include "machine.h"
#include "trace/event.h"

/* Kinds of trace event a run can stop after (bits of run_request.stop_on).
 * The machine stops once the event is complete: after a delivery, at the
 * handler's first instruction; after a return, at the first instruction
 * back in the outer ring. */
#define STOP_ON_SYSCALL (1u << 0)    /* a system call entry: INT n (not INT3 or INTO)
                                        from CPL > 0 into an inner ring, SYSENTER,
                                        SYSCALL */
#define STOP_ON_SYSRET (1u << 1)     /* a return to an outer ring: IRET/RETF,
                                        SYSEXIT, SYSRET */
#define STOP_ON_TRANSITION (1u << 2) /* any event that changed the CPL */
#define STOP_ON_FAULT (1u << 3)      /* an exception raised by an instruction */
#define STOP_ON_VECTOR (1u << 4)     /* any delivery of run_request.vector */
#define STOP_ON_IRQ (1u << 5)        /* a hardware interrupt */
#define STOP_ON_RESET (1u << 6)      /* a triple fault and the reset after it */
#define STOP_ON_ANY (1u << 7)        /* every event */

struct run_request {
    uint64_t max_insns; /* stop once this many more instructions ran; 0: no limit */
    unsigned stop_on;   /* STOP_ON_* */
    int vector;         /* for STOP_ON_VECTOR */
    double slice_s;     /* return after about this much wall-clock time; 0: none */
    bool no_breakpoints; /* run past breakpoints and watchpoints */
    /* Stop (RUN_INSNS) before the instruction at linear until_addr, in the
     * address space of until_cr3, once ESP is back at until_esp or above:
     * a return to the instruction after a CALL or INT n. */
    bool until_return;
    uint32_t until_addr, until_esp, until_cr3;
    int until_cpu; /* and on this CPU (0 with one) */
};

enum run_stop {
    RUN_INSNS,      /* max_insns instructions ran */
    RUN_EVENT,      /* an event of a kind in stop_on: run_result.event */
    RUN_BREAKPOINT, /* EIP reached a breakpoint (it has not run): run_result.id */
    RUN_WATCHPOINT, /* an instruction wrote to (or read, for a read or access
                       watch) a watched range (it has run) */
    RUN_SLICE,      /* the wall-clock slice is over */
    RUN_PAUSED,     /* control_pause was called */
    RUN_IDLE,       /* the CPU is halted waiting for an interrupt: see next_event_ns */
    RUN_END,        /* the guest ended the machine (machine_end says how) */
    RUN_HISTORY_START, /* going back: the oldest state kept was reached first */
};

struct run_result {
    enum run_stop stop;
    struct trace_event event; /* RUN_EVENT */
    int id;                   /* RUN_BREAKPOINT, RUN_WATCHPOINT: which one */
    uint32_t watch_addr;      /* RUN_WATCHPOINT: the start of the range (as watched) */
    bool watch_read;          /* RUN_WATCHPOINT: it was a load, not a store */
    uint64_t next_event_ns;   /* RUN_IDLE: guest time of the next timer event,
                                 UINT64_MAX when no timer is running */
};

/* Run until one of the stops above.  Once the machine has ended, returns
 * RUN_END at once. */
enum run_stop control_run(struct machine *m, const struct run_request *req,
                          struct run_result *out);
/* Take n steps (fewer when something else stops the run first), one
 * instruction at a time.  A step ends where the CPU goes next: after an
 * INT n, a SYSENTER or a faulting instruction, at the handler's first
 * instruction (a fault's instruction has not completed: the count does not
 * move), as QEMU's gdb stub steps.  Returns RUN_INSNS when all n were taken.
 * With more than one CPU it steps the one control_select_cpu chose; while
 * that CPU waits for its turn and has taken no step yet, the step returns
 * RUN_SLICE after about 50 ms of wall-clock time (step again to go on). */
enum run_stop control_step(struct machine *m, uint64_t n, struct run_result *out);
/* Stepping over: when the current instruction is a CALL or INT n, fill
 * `req` (zeroed first) so that a run stops when control comes back to the
 * instruction after it in the same address space at the same stack depth,
 * and return true; for any other instruction return false (step it). */
bool control_step_over_request(struct machine *m, struct run_request *req);

/* The CPU is halted (after RUN_IDLE): let ns of guest time pass, as if
 * the caller had waited that long.  Under --realtime guest time is the
 * wall clock and this does nothing. */
void control_idle(struct machine *m, uint64_t ns);

/* Make the current or next control_run return RUN_PAUSED.  Safe from a
 * signal handler and from another thread. */
void control_pause(struct machine *m);

/* Choose the processor (0 .. cpus - 1) that inspect's CPU calls read,
 * that control_write_cpu, control_write_msr and writes through "the
 * current" page tables change, and that control_step steps; -1 (the
 * default) names the one that ran last.  A step of a chosen CPU takes its
 * next instructions as the schedule reaches them: the other CPUs run their
 * turns in between as they would without the step, so the run stays the
 * one it would have been.  A run (control_run) runs every CPU.  False when
 * there is no such CPU. */
bool control_select_cpu(struct machine *m, int cpu);

/* Power-cycle: devices and CPU to their power-on state, the image loaded
 * again, the clock back to zero.  Breakpoints and watchpoints stay. */
bool control_reset(struct machine *m);

/* ---- changing the machine from outside (a debugger's set, gdb's G and M
 * packets, an experiment's set-up) ------------------------------------- */

/* Each of these starts the machine's history again from the changed state
 * (nothing in the input log says they happened). */

/* Load a whole CPU state: general registers, EIP, EFLAGS, the segment
 * registers with their caches as given (a front end that changes a
 * selector builds the cache as a load would), the table registers, CR0,
 * CR2, CR3, CR4.  st->cpl is ignored: it follows SS (or EFLAGS.VM). */
bool control_write_cpu(struct machine *m, const struct cpu_state *st);
/* Write guest memory; code translated from those bytes is dropped.  False
 * when part of the range is not RAM (physical) or not mapped (linear,
 * through `cr3` or the current page tables when NULL; no A/D bit is set). */
bool control_write_phys(struct machine *m, uint32_t paddr, const void *buf, size_t len);
bool control_write_linear(struct machine *m, const uint32_t *cr3, uint32_t laddr, const void *buf,
                          size_t len);
bool control_write_msr(struct machine *m, uint32_t msr, uint64_t value);

/* ---- breakpoints and watchpoints --------------------------------------- */

/* Stop before the instruction at linear address `addr`; with `has_cr3`,
 * only when CR3 (its page-directory base) equals cr3.  Kept by the
 * machine, not written into guest memory, so they survive code being
 * loaded over them.  Returns the breakpoint's number (1, 2, ...), or -1
 * when no more can be added. */
int control_break_add(struct machine *m, uint32_t addr, bool has_cr3, uint32_t cr3);
bool control_break_del(struct machine *m, int id);

/* Stop after an instruction that writes any byte of [addr, addr + len):
 * physical addresses, or linear ones translated through the page tables
 * in force at each write.  Every store is slower while one is set.
 * Returns its number, or -1. */
int control_watch_add(struct machine *m, bool physical, uint32_t addr, uint32_t len);
/* The same for loads (WATCH_READ) or both (WATCH_ACCESS): a hook on every
 * load too while one of these is set.  Loads are the instruction's own
 * data reads; code fetches and the CPU's reads of descriptor and page
 * tables are not loads. */
enum watch_kind { WATCH_WRITE = 1, WATCH_READ = 2, WATCH_ACCESS = 3 };
int control_watch_add_kind(struct machine *m, enum watch_kind kind, bool physical, uint32_t addr,
                           uint32_t len);
bool control_watch_del(struct machine *m, int id);

struct breakpoint_info {
    int id;
    bool is_watch;
    enum watch_kind kind; /* a watchpoint's */
    bool physical, has_cr3;
    uint32_t addr, len, cr3;
    uint64_t hits;
};
/* Breakpoints and watchpoints in the order they were added; returns how
 * many there are (at most `max` are written). */
size_t control_break_list(const struct machine *m, struct breakpoint_info *out, size_t max);

/* ---- where the machine is ---------------------------------------------------
 * A position in the run: instructions executed, events delivered (returns
 * to an outer ring are seen, not delivered, and do not count) and guest
 * time.  Two runs of the same image with the same input pass through the
 * same positions in the same states. */
struct machine_pos {
    uint64_t icount;
    uint64_t deliveries;
    uint64_t time_ns;
};
void control_position(struct machine *m, struct machine_pos *out);

/* ---- serial input: recording and replaying -------------------------------- */

/* A byte COM1 received from the host, and when. */
struct input_record {
    uint64_t icount;  /* instructions executed before it arrived */
    uint64_t time_ns; /* guest time when it arrived */
    uint8_t byte;
};
/* Every byte machine_serial_input hands to the UART from now on is also
 * given to fn (NULL: none): what --record writes. */
void control_input_observe(struct machine *m,
                           void (*fn)(void *opaque, const struct input_record *rec), void *opaque);
/* COM1's input comes from recs instead of machine_serial_input (which
 * refuses bytes until the records are used up): each byte reaches the UART
 * at its instruction count and guest time, and a run halted before one
 * says RUN_IDLE with that time in next_event_ns.  With `end`, the machine
 * ends there (END_REPLAY_END).  A guest that does not pass through the
 * recorded positions ends the machine (END_HOST_ERROR, saying where).
 * False (one line in err) when the records are out of order. */
bool control_input_replay(struct machine *m, const struct input_record *recs, size_t n,
                          const struct machine_pos *end, char *err, size_t errlen);

/* ---- history: snapshots, and going back ----------------------------------
 * With history on, the machine keeps snapshots of itself (the CPU, the
 * devices, and RAM as copies of the pages written since), one every
 * `every` instructions, within `budget` bytes (the oldest go first), and
 * the serial input since the oldest.  Going back restores the nearest
 * snapshot before the target and runs forward to it again, feeding the
 * same input at the same moments; what the guest prints and the events
 * already logged are not printed or logged a second time.  Going forward
 * again from there replays the same input until the run is back where it
 * was, and takes new input after that.  Not under --realtime.  A change
 * made from outside (control_reset, control_write_*) starts the history
 * again from that state. */
struct history_config {
    uint64_t every;  /* instructions between snapshots */
    size_t budget;   /* bytes the snapshots may take, at most */
};
bool control_history_start(struct machine *m, const struct history_config *cfg, char *err,
                           size_t errlen);
void control_history_stop(struct machine *m);

struct history_info {
    bool on;
    size_t snapshots;
    struct machine_pos oldest; /* the oldest state that can be gone back to */
    size_t bytes;              /* memory the snapshots use now */
    size_t peak_bytes;         /* the most they ever used */
    size_t budget;
    uint64_t dropped;          /* snapshots given up for the budget */
};
void control_history_info(struct machine *m, struct history_info *out);

/* Go back n instructions: to the state a forward run reaches at icount - n
 * (after a delivery that is not yet followed by an instruction, one step
 * back is the state before the delivery).  RUN_INSNS when there;
 * RUN_HISTORY_START at the oldest state kept when the target is older;
 * RUN_END when history is off or the machine could not be brought back. */
enum run_stop control_step_back(struct machine *m, uint64_t n, struct run_result *out);
/* Go back to the last stop `req` would have made before now (its
 * breakpoints and watchpoints unless no_breakpoints, its stop_on events;
 * max_insns and slice_s are ignored), with out filled as that stop's; or
 * to the oldest state kept (RUN_HISTORY_START) when there is none. */
enum run_stop control_run_back(struct machine *m, const struct run_request *req,
                               struct run_result *out);
/* Go back to the state just before event ev (from a run_result or
 * inspect_events): before the instruction that raised or caused it, or
 * before a delivery with no instruction of its own (an IRQ). */
enum run_stop control_back_before(struct machine *m, const struct trace_event *ev,
                                  struct run_result *out);

/* Build each event's explanation in words from now on (on), or not (off:
 * only when a sink asks for them).  They cost time on every event. */
void control_explain(struct machine *m, bool on);

#endif
