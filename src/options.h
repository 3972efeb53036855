/* The ringlab command line: everything the user can ask for, parsed into
 * one plain struct.  QEMU's spelling is accepted for the options QEMU has,
 * so that a course's `qemu-system-i386 -kernel ...` line runs unchanged with
 * `ringlab` in its place; ringlab's own options are long options (--trace).
 * Parsing has no side effects: it opens no file and prints nothing; main.c
 * prints the message and decides what to do. */
#ifndef RINGLAB_OPTIONS_H
#define RINGLAB_OPTIONS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* RAM size limits for -m: a 32-bit machine needs room for the kernel at
 * 1 MiB, and leaves the top GiB of the address space for ROM and devices. */
#define OPTIONS_RAM_DEFAULT (128ull << 20)
#define OPTIONS_RAM_MIN (2ull << 20)
#define OPTIONS_RAM_MAX (3ull << 30)

/* isa-debug-exit's defaults, as QEMU's device has them. */
#define OPTIONS_DEBUG_EXIT_IOBASE 0x501
#define OPTIONS_DEBUG_EXIT_IOSIZE 0x02

enum options_result {
    OPTIONS_OK,      /* run the machine */
    OPTIONS_HELP,    /* print options_print_help_topic(stdout, help_topic), exit 0 */
    OPTIONS_VERSION, /* print options_print_version(stdout), exit 0 */
    OPTIONS_ERROR,   /* err holds one line naming the option; exit RL_EXIT_USAGE */
};

/* What OPTIONS_HELP asked for: --help, or QEMU's `-d help`, `-device help`,
 * `-cpu help`, `-machine help`, `-machine pc,help`. */
enum options_help_topic {
    HELP_USAGE,
    HELP_LOG_ITEMS,
    HELP_DEVICES,
    HELP_CPUS,
    HELP_MACHINES,
    HELP_MACHINE_PROPERTIES,
};

/* Where a character device (-serial, -debugcon) goes. */
enum chardev_kind {
    CHARDEV_NONE,  /* not connected: the device is absent (-serial none) */
    CHARDEV_NULL,  /* present, output discarded, no input */
    CHARDEV_STDIO, /* the terminal: output to stdout, input from stdin */
    CHARDEV_FILE,  /* output written to path (truncated first, as QEMU does) */
};

struct chardev_spec {
    enum chardev_kind kind;
    char *path; /* CHARDEV_FILE only */
};

/* The -chardev definitions, by id (options_chardev.h). */
#define OPTIONS_MAX_CHARDEVS 8
#define OPTIONS_CHARDEV_ID_MAX 64
struct chardev_def {
    char id[OPTIONS_CHARDEV_ID_MAX];
    struct chardev_spec spec;
};
struct chardev_table {
    struct chardev_def defs[OPTIONS_MAX_CHARDEVS];
    int n;
};

enum display_kind {
    DISPLAY_DEFAULT, /* neither -display nor -nographic: main decides */
    DISPLAY_NONE,
    DISPLAY_SDL,
};

#define OPTIONS_MAX_CPUS 8

/* CPU features -cpu turns on (+) or off (-). */
#define OPTIONS_CPU_APIC (1u << 0)
#define OPTIONS_CPU_SEP (1u << 1)
#define OPTIONS_CPU_TSC (1u << 2)
#define OPTIONS_CPU_SMEP (1u << 3)
#define OPTIONS_CPU_SMAP (1u << 4)
#define OPTIONS_CPU_PSE (1u << 5)
#define OPTIONS_CPU_UMIP (1u << 6)
#define OPTIONS_CPU_ALL 0x7fu /* -cpu max */

/* A disk on the IDE channel (-drive, -hda, -hdb). */
#define OPTIONS_MAX_DRIVES 2
struct drive_spec {
    char *path;    /* NULL: no disk at this index */
    bool snapshot; /* snapshot=on: writes stay in memory */
};

/* One -initrd module: QEMU hands the whole "path args" string to the guest
 * as the module's command line and loads the file named by its first word. */
struct option_module {
    char *path;
    char *cmdline;
};

/* Bits of log_items, the -d mask (see qemu_log.h for what each one logs). */
#define OPTIONS_LOG_INT (1u << 0)
#define OPTIONS_LOG_UNIMP (1u << 1)
#define OPTIONS_LOG_CPU_RESET (1u << 2)
#define OPTIONS_LOG_GUEST_ERRORS (1u << 3)

struct options {
    /* The kernel: -kernel FILE or the lone IMAGE argument.  NULL when none
     * was given (main boots the bundled guest). */
    char *image;
    bool image_is_kernel; /* given with -kernel: it must be Multiboot, as for QEMU;
                             the lone IMAGE may also be a flat binary */
    struct option_module *modules; /* -initrd, in order */
    size_t module_count;
    char *append;       /* -append, NULL when absent */
    uint64_t ram_bytes; /* -m, default OPTIONS_RAM_DEFAULT, 4 KiB aligned */

    bool nographic;
    enum display_kind display; /* DISPLAY_NONE under -nographic */
    struct chardev_spec serial;   /* COM1; default CHARDEV_STDIO */
    struct chardev_spec debugcon; /* the debug console; default CHARDEV_NONE */
    uint16_t debugcon_port;       /* its port: 0xE9 unless -device isa-debugcon,iobase= */
    struct chardev_table chardevs; /* -chardev, as given */

    unsigned log_items; /* OPTIONS_LOG_* from -d */
    char *log_file;     /* -D, NULL for stderr */

    bool no_reboot;   /* triple fault: exit instead of resetting */
    bool no_shutdown; /* accepted for QEMU compatibility */

    bool debug_exit; /* -device isa-debug-exit given */
    uint16_t debug_exit_iobase;
    uint16_t debug_exit_iosize;

    char *cpu_model; /* -cpu NAME (a 32-bit model), NULL when absent */
    unsigned cpu_features_on, cpu_features_off; /* -cpu MODEL,+F / -F: OPTIONS_CPU_* */
    int cpus;        /* -smp, 1 to OPTIONS_MAX_CPUS */

    struct drive_spec drives[OPTIONS_MAX_DRIVES]; /* IDE master (index 0) and slave */
    char *bios;      /* -bios FILE: the ROM at the reset vector; NULL: ringlab's own */

    /* ringlab's own */
    char *trace_file;    /* --trace FILE, JSON lines; NULL when absent */
    uint64_t max_insns;  /* --max-insns N; 0 = no limit */
    double timeout_sec;  /* --timeout SECONDS; 0 = no limit */
    bool realtime;       /* --realtime: timers follow the wall clock */
    bool vga_dump;       /* --vga-dump: print the VGA text screen at exit */
    bool debugger;       /* --debugger: start stopped, at the debugger's prompt */
    char *debugger_script; /* --debugger-script FILE: its commands instead of a prompt */
    char *ui_script;     /* --ui-script FILE: drive the SDL view with commands */
    char *screenshot;    /* --screenshot PATH.png: the view's last frame at exit */
    bool has_load_addr;  /* --load-addr ADDR given (flat binaries) */
    uint32_t load_addr;

    /* the gdb stub, spelled as QEMU spells it: -s is -gdb tcp::1234 */
    bool gdb;             /* -s or -gdb tcp:... given */
    char *gdb_host;       /* the address to listen on; NULL: the loopback */
    uint16_t gdb_port;
    bool start_stopped;   /* -S: the CPU waits for the debugger at its first instruction */

    /* record, replay and history */
    char *record_file;    /* --record FILE: the serial input with when it arrived */
    char *replay_file;    /* --replay FILE: that input instead of stdin's */
    uint64_t snapshot_every;  /* --snapshot-every N instructions */
    uint64_t snapshot_budget; /* --snapshot-budget SIZE in bytes; 0: no history */

    enum options_help_topic help_topic; /* meaningful for OPTIONS_HELP */
};

/* The history the gdb stub and the debugger keep unless told otherwise. */
#define OPTIONS_SNAPSHOT_EVERY_DEFAULT 10000000ull
#define OPTIONS_SNAPSHOT_BUDGET_DEFAULT (256ull << 20)
#define OPTIONS_GDB_PORT_DEFAULT 1234

/* Parse argv[1..argc-1] into *out (which it initialises; call options_free
 * afterwards whatever the result).  On OPTIONS_ERROR, err receives one line
 * without the program name and without a newline, naming the option at
 * fault, e.g. "-m: '12X' is not a size (use e.g. 128, 128M or 1G)". */
enum options_result options_parse(int argc, char **argv, struct options *out,
                                  char *err, size_t errlen);

/* The --help text: usage, every option, the exit statuses. */
void options_print_help(FILE *f);
/* The text for a help topic (HELP_USAGE is options_print_help). */
void options_print_help_topic(FILE *f, enum options_help_topic topic);
void options_print_version(FILE *f);

void options_free(struct options *opts);

#endif
