/* The machine: one CPU (Unicorn plus ringlab's protection model), RAM from
 * address 0, the PC devices, a virtual clock, and the run loop that ties
 * them together.  The only file besides cpu/engine.c that talks to
 * Unicorn. */
#ifndef RINGLAB_MACHINE_H
#define RINGLAB_MACHINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cpu/cpu_state.h"
#include "loader/multiboot.h"
#include "trace/event.h"

struct machine;

struct machine_config {
    size_t ram_size;
    const char *cpu_model; /* QEMU's name; NULL: qemu32 */
    bool no_reboot;     /* a triple fault stops the machine instead of resetting it */
    bool realtime;      /* timers follow the wall clock instead of executed work */
    bool interactive;   /* input comes from a person: idle time passes in real time */
    bool trace_returns; /* report IRET/RETF/SYSEXIT/SYSRET to an outer ring (costs a
                           state read per such instruction) */
    uint64_t max_insns; /* 0: no limit */
    double timeout_s;   /* 0: no limit (wall-clock seconds) */
    int64_t rtc_epoch;  /* what the CMOS clock shows at power-on, seconds since 1970 */
    bool debug_exit;    /* isa-debug-exit present */
    uint16_t debug_exit_iobase, debug_exit_iosize;
    /* Where the guest's bytes go: COM1 and the 0xE9 debug console (NULL: dropped). */
    void (*serial_out)(void *opaque, uint8_t byte);
    void (*serial_flush)(void *opaque); /* the CPU went idle: show what it wrote */
    void *serial_opaque;
    void (*debugcon_out)(void *opaque, uint8_t byte);
    void *debugcon_opaque;
    /* Host input for COM1: returns a byte (0..255), or -1 when none is ready now.
     * NULL: no input.  `wait_ms` > 0 allows it to block that long. */
    int (*serial_in)(void *opaque, int wait_ms);
    void *serial_in_opaque;
    /* First access to a port nothing claims (-d unimp). */
    void (*unimp)(void *opaque, uint16_t port, bool is_write, uint32_t value, int size);
    void *unimp_opaque;
};

enum machine_stop {
    STOP_POWEROFF,       /* the guest switched the machine off */
    STOP_HALTED,         /* HLT with interrupts disabled: nothing can wake the CPU */
    STOP_DEBUG_EXIT,     /* isa-debug-exit written: see machine_debug_exit_status */
    STOP_TRIPLE_FAULT,   /* shutdown under no_reboot */
    STOP_RESET,          /* the machine must be reset and the image loaded again */
    STOP_INSN_LIMIT,
    STOP_TIME_LIMIT,
    STOP_GUEST_ERROR,    /* e.g. code fetched from outside RAM: see machine_stop_detail */
    STOP_HOST_ERROR,     /* the engine failed */
    STOP_QUIT,           /* the user asked to quit */
};

struct machine *machine_create(const struct machine_config *cfg, char *err, size_t errlen);
void machine_destroy(struct machine *m);

uint8_t *machine_ram(struct machine *m);
size_t machine_ram_size(const struct machine *m);

/* Every trace event goes to every sink, in the order they were added. */
bool machine_add_sink(struct machine *m, struct trace_sink sink);

/* Power on (or reset) with the state a Multiboot loader leaves: flat 32-bit
 * protected mode, paging off, IF clear, EAX/EBX/EIP from `boot`.  RAM must
 * already hold the image. */
bool machine_boot(struct machine *m, const struct boot_info *boot);

enum machine_stop machine_run(struct machine *m);
void machine_request_quit(struct machine *m);

int machine_debug_exit_status(const struct machine *m);
/* One line, no newline: what stopped the machine, for the user. */
const char *machine_stop_detail(const struct machine *m);
/* The final VGA text screen (for -nographic --vga-dump). */
void machine_dump_vga(const struct machine *m, void *file);
/* Page walks whose predicted #PF error code differed from the engine's. */
uint64_t machine_walker_disagreements(const struct machine *m);

#endif
