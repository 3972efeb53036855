/* The machine: one CPU (Unicorn plus ringlab's protection model), RAM from
 * address 0, the PC devices and a virtual clock.  This header builds,
 * powers on and tears down a machine and says how it ended; control.h
 * drives it and inspect.h reads it.  The machine's own files live in
 * src/machine/. */
#ifndef RINGLAB_MACHINE_H
#define RINGLAB_MACHINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "devices/block.h"
#include "loader/multiboot.h"
#include "mmu/paging.h"
#include "trace/event.h"

struct machine;

#define MACHINE_MAX_CPUS 8

/* CPUID.01H:EDX bits a machine_config may add to or take from the model's
 * (SDM Vol. 2A, Table 3-11); the machine then does what they say. */
#define MACHINE_CPUID_PSE (1u << 3)
#define MACHINE_CPUID_TSC (1u << 4)
#define MACHINE_CPUID_APIC (1u << 9)
#define MACHINE_CPUID_SEP (1u << 11)
/* CPUID.(EAX=07H,ECX=0):EBX bits a machine_config may add (SDM Vol. 2A,
 * Table 3-8): none of the models has them. */
#define MACHINE_CPUID7_SMEP (1u << 7)
#define MACHINE_CPUID7_SMAP (1u << 20)
#define MACHINE_ROM_MAX (16u << 20)

struct machine_config {
    size_t ram_size;
    const char *cpu_model; /* QEMU's name; NULL: qemu32 */
    bool no_reboot;     /* a triple fault ends the machine instead of resetting it */
    bool realtime;      /* guest time follows the wall clock instead of executed work */
    bool trace_returns; /* report IRET/RETF/SYSEXIT/SYSRET to an outer ring even when no
                           run asks to stop there (costs a state read per such instruction) */
    bool explain_events; /* explain every event in words even with no sink (for front ends
                            that show events; a sink turns this on by itself) */
    int64_t rtc_epoch;  /* what the CMOS clock shows at power-on, seconds since 1970 */
    int cpus;           /* 1..8 (0 is taken as 1) */
    bool apic;          /* a local APIC per CPU and an I/O APIC, when the model has one
                           (or cpuid_on adds it) */
    uint32_t cpuid_on, cpuid_off; /* MACHINE_CPUID_* added to and taken from the model's */
    uint32_t cpuid7_on;           /* MACHINE_CPUID7_* added: CR4.SMEP, CR4.SMAP, STAC, CLAC */
    bool no_umip;                 /* CR4.UMIP reserved, CPUID.(7,0):ECX.UMIP clear */
    /* The IDE disks, master and slave of the primary channel (NULL: none);
     * they must outlive the machine. */
    const struct block_dev *disks[2];
    /* A ROM image (a multiple of 64 KiB, at most MACHINE_ROM_MAX): the
     * machine starts at the reset vector F000:FFF0 in real mode, with the
     * ROM at the top of the 4 GiB space and its last 128 KiB at the top of
     * the first MiB, and loads no image (load may be NULL).  NULL: the
     * Multiboot start. */
    const uint8_t *rom;
    size_t rom_size;
    uint16_t debugcon_port; /* the debug console's port (0: 0xE9) */
    bool debug_exit;    /* isa-debug-exit present */
    uint16_t debug_exit_iobase, debug_exit_iosize;
    /* Put the boot image into RAM (at power-on and at every reset) and say
     * where to start.  On failure: false, one line in err. */
    bool (*load)(void *opaque, uint8_t *ram, size_t ram_size, struct boot_info *boot, char *err,
                 size_t errlen);
    void *load_opaque;
    /* Where the guest's bytes go: COM1 and the 0xE9 debug console (NULL: dropped). */
    void (*serial_out)(void *opaque, uint8_t byte);
    void *serial_opaque;
    void (*debugcon_out)(void *opaque, uint8_t byte);
    void *debugcon_opaque;
    /* First access to a port nothing claims (-d unimp). */
    void (*unimp)(void *opaque, uint16_t port, bool is_write, uint32_t value, int size);
    void *unimp_opaque;
};

/* Build a machine (nothing runs yet).  On failure: NULL, one line in err. */
struct machine *machine_create(const struct machine_config *cfg, char *err, size_t errlen);
void machine_destroy(struct machine *m);

/* Every trace event goes to every sink, in the order they were added. */
bool machine_add_sink(struct machine *m, struct trace_sink sink);

/* ---- a monitor below the guest ("ring -1") --------------------------------
 * It sees every event (exception, INT n, IRQ) before the machine delivers
 * it through the guest's IDT, as a trap-and-emulate monitor owns the real
 * IDT.  It may change `st` and say what happens next. */
struct intr_request;
enum monitor_verdict {
    MONITOR_DELIVER,  /* deliver the event through the IDT, from `st` */
    MONITOR_EMULATED, /* the monitor executed the faulting instruction: `st`
                         is the state after it, which counts as run */
    MONITOR_HALTED,   /* as EMULATED, and the instruction was HLT: the CPU
                         waits for an interrupt */
    MONITOR_STOPPED,  /* the translator's step only: the instruction is one
                         neither the monitor nor the engine would run as the
                         guest means it; the run ends before it (a guest
                         error), `st` unchanged */
};
typedef enum monitor_verdict (*machine_intercept_fn)(void *opaque, struct machine *m,
                                                     struct cpu_state *st,
                                                     const struct intr_request *req);
/* NULL: no monitor. */
void machine_set_intercept(struct machine *m, machine_intercept_fn fn, void *opaque);
/* A monitor that translates the guest's code (binary translation) also
 * looks at each block of code before it first runs: `scan` gets the
 * block's bytes when the block cache decodes it (first seen, or its bytes
 * or mappings changed) and returns the offset of the first instruction it
 * wants to execute itself, or -1; the answer is kept with the block.  The
 * run then stops before that instruction each time and calls `step` with
 * the state there: EMULATED or HALTED as for an intercept (`st` is the
 * state after it), DELIVER to have the engine execute it after all.  And
 * `delivered`, when not NULL, sees the state each delivery through the IDT
 * produced (the handler's, its frame pushed) before it is loaded, for the
 * monitor to correct what the deprivileged CPU pushed.  NULL scan: none. */
typedef int (*machine_scan_fn)(void *opaque, const uint8_t *code, uint32_t size, uint32_t addr,
                               bool code32);
typedef enum monitor_verdict (*machine_step_fn)(void *opaque, struct machine *m,
                                                struct cpu_state *st);
typedef void (*machine_delivered_fn)(void *opaque, struct machine *m, struct cpu_state *st,
                                     const struct intr_request *req);
void machine_set_translator(struct machine *m, machine_scan_fn scan, machine_step_fn step,
                            machine_delivered_fn delivered, void *opaque);
/* A monitor that keeps shadow page tables: the engine runs on the
 * monitor's tables (CR3 in the engine names them), while everything
 * ringlab itself walks on the CPU's behalf or for a tool -- event
 * delivery, the TSS, descriptor tables, the block cache, the debugger --
 * walks the guest's own tables, with the CR0, CR3 and CR4 the guest
 * believes in (guest_regs fills in those three).  Both find the same
 * frames while the shadow is in step, as the TLB it stands for must be.
 * Each page fault the engine raises goes to page_fault first: true when
 * the fault was the monitor's own (it brought the shadow in step; the
 * instruction runs again and the guest never knows), false when it is
 * the guest's, *error_code then corrected to what the guest's tables
 * give.  NULL hooks: none. */
struct machine_shadow_paging {
    void (*guest_regs)(void *opaque, struct paging_regs *regs);
    bool (*page_fault)(void *opaque, struct machine *m, struct cpu_state *st,
                       uint32_t *error_code);
    void *opaque;
};
void machine_set_shadow_paging(struct machine *m, const struct machine_shadow_paging *sp);
/* Map the monitor's own memory (host memory, `size` bytes at physical
 * `paddr` above RAM) for the engine's walks of the shadow tables; the
 * guest's physical address space, and ringlab's reads of it, do not have it. */
bool machine_monitor_map_memory(struct machine *m, uint32_t paddr, void *mem, size_t size);
/* A monitor's own state in each snapshot of the machine's history (the
 * debugger's and the gdb stub's going back): `save` copies `size` bytes of
 * it into `buf` when a snapshot is taken; `restore` puts a snapshot's back
 * when the machine returns to it, after the CPU and memory are back (the
 * monitor may then read them).  One client; NULL: none. */
struct machine_history_client {
    size_t size;
    void (*save)(void *opaque, void *buf);
    void (*restore)(void *opaque, struct machine *m, const void *buf);
    void *opaque;
};
void machine_set_history_client(struct machine *m, const struct machine_history_client *c);
/* What the monitor needs from inside its intercept: the devices' ports
 * without the CPL and IOPL checks (the monitor decides), RAM, MSRs. */
uint32_t machine_monitor_port_in(struct machine *m, uint16_t port, int size);
void machine_monitor_port_out(struct machine *m, uint16_t port, uint32_t value, int size);
bool machine_monitor_read_phys(struct machine *m, uint32_t paddr, void *buf, size_t len);
bool machine_monitor_write_phys(struct machine *m, uint32_t paddr, const void *buf, size_t len);
/* Through the page tables of `st` (as the kernel would, a supervisor access). */
bool machine_monitor_read_linear(struct machine *m, const struct cpu_state *st, uint32_t laddr,
                                 void *buf, size_t len);
/* A write through the guest's page tables as the kernel makes it (no user
 * check); false when a page is not mapped writable (nothing written). */
bool machine_monitor_write_linear(struct machine *m, const struct cpu_state *st, uint32_t laddr,
                                  const void *buf, size_t len);
bool machine_monitor_translate(struct machine *m, const struct cpu_state *st, uint32_t laddr,
                               uint32_t *paddr);
/* ringlab's page walk over the guest's physical memory with `regs`
 * (paging.h: set_ad sets Accessed and Dirty as the processor does). */
bool machine_monitor_walk(struct machine *m, const struct paging_regs *regs, uint32_t laddr,
                          enum paging_access access, bool user, bool set_ad,
                          struct paging_walk *walk);
size_t machine_monitor_read_code(struct machine *m, const struct cpu_state *st, uint8_t *buf,
                                 size_t len);
bool machine_monitor_msr(struct machine *m, uint32_t msr, uint64_t *value, bool write);
/* Drop the TLB when the intercept's state is committed, for an emulated
 * MOV to CR3 or INVLPG. */
void machine_monitor_flush_tlb(struct machine *m);

/* Power on: devices in the state the PC firmware leaves them, the image
 * loaded (cfg.load), the CPU as a Multiboot loader leaves it: flat 32-bit
 * protected mode, paging off, IF clear, EAX/EBX/EIP from the boot info.
 * On failure: false, one line in err (the image's own message). */
bool machine_power_on(struct machine *m, char *err, size_t errlen);

/* Host input for COM1: false when the UART cannot take the byte now
 * (its FIFO is full, or recorded input is being replayed); offer it again
 * after the next run. */
bool machine_serial_input(struct machine *m, uint8_t byte);

/* How the guest ended the machine. */
enum machine_end {
    END_NONE,         /* it has not */
    END_POWEROFF,     /* the guest switched the machine off */
    END_HALTED,       /* HLT with interrupts disabled: nothing can wake the CPU */
    END_DEBUG_EXIT,   /* isa-debug-exit written: see machine_debug_exit_status */
    END_TRIPLE_FAULT, /* shutdown under no_reboot */
    END_GUEST_ERROR,  /* e.g. code fetched from outside RAM */
    END_HOST_ERROR,   /* the engine failed, or a replay left its recording */
    END_REPLAY_END,   /* a replay reached the end of its recording */
};
enum machine_end machine_end(const struct machine *m);
/* One line, no newline: what ended the machine, for the user. */
const char *machine_end_detail(const struct machine *m);
int machine_debug_exit_status(const struct machine *m);

/* The final VGA text screen (for -nographic --vga-dump). */
void machine_dump_vga(const struct machine *m, void *file);
/* Page walks whose predicted #PF error code differed from the engine's. */
uint64_t machine_walker_disagreements(const struct machine *m);

#endif
