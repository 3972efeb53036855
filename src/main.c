/* The ringlab command: parse the options, open the logs, build the machine,
 * then hand it to a front end (the plain run on the terminal, or the text
 * debugger), and turn how it stopped into an exit status.  Every message
 * for the user is made here or in the front ends, one line each on stderr. */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "control.h"
#include "debug/symbols.h"
#include "devices/disk_image.h"
#include "front/console.h"
#include "front/images.h"
#include "front/record.h"
#include "front/repl.h"
#include "front/report.h"
#include "front/runner.h"
#include "inspect.h"
#include "loader/boot_sector.h"
#include "machine.h"
#include "machine/clock.h"
#include "gdb/stub.h"
#include "options.h"
#include "status.h"
#include "trace/jsonl.h"
#include "trace/qemu_log.h"
#include "vmm/pg_command.h"
#include "vmm/vmm_bt.h"
#include "vmm/vmm_hw.h"
#include "vmm/vmm_pv.h"
#include "vmm/vmm_status.h"
#include "vmm/vmm_trap.h"
#ifdef HAVE_VIEW
#include "view.h"
#endif

#ifndef RINGLAB_DATADIR
#define RINGLAB_DATADIR "/usr/local/share/ringlab"
#endif

/* A deterministic default for the CMOS clock: 2000-01-01 00:00:00 UTC. */
#define DETERMINISTIC_EPOCH 946684800

static bool open_chardev(const struct chardev_spec *spec, const char *what, FILE **out,
                         bool *owned)
{
    *out = NULL;
    *owned = false;
    switch (spec->kind) {
    case CHARDEV_STDIO:
        *out = stdout;
        return true;
    case CHARDEV_FILE:
        *out = fopen(spec->path, "w");
        if (!*out) {
            report_say("%s: cannot create %s output: %s", spec->path, what, strerror(errno));
            return false;
        }
        *owned = true;
        return true;
    default:
        return true;
    }
}

static void file_out(void *opaque, uint8_t byte)
{
    fputc(byte, opaque);
}

static void log_unimp(void *opaque, uint16_t port, bool is_write, uint32_t value, int size)
{
    qemu_log_unimp(opaque, port, is_write, value, size);
}

/* COM1's bytes: to the view's console panel while the view is open, else
 * to the terminal's console. */
struct serial_sink {
    struct console *con;
    bool quiet; /* drop the bytes (a monitor's native run of the same session) */
    void (*view_put)(void *opaque, uint8_t byte);
    void *view_opaque;
};

static void serial_out(void *opaque, uint8_t byte)
{
    struct serial_sink *s = opaque;
    if (s->quiet)
        return;
    if (s->view_put)
        s->view_put(s->view_opaque, byte);
    else
        console_put(s->con, byte);
}

static void serial_quiet(void *opaque, bool on)
{
    struct serial_sink *s = opaque;
    s->quiet = on;
}

/* As QEMU decides: a window when a display is there. */
static bool display_present(void)
{
    const char *x = getenv("DISPLAY"), *w = getenv("WAYLAND_DISPLAY");
    return (x && *x) || (w && *w);
}

/* ---- signals ---------------------------------------------------------- */

static struct runner *signal_runner;

static void on_signal(int sig)
{
    (void)sig;
    if (signal_runner) {
        signal_runner->interrupted = 1;
        control_pause(signal_runner->m);
    }
}

/* ---- the plain run ------------------------------------------------------- */

static int run_plain(struct runner *r, struct qemu_log *qlog, double timeout_s)
{
    struct run_request req = {0};
    struct run_result res;
    for (;;) {
        enum runner_stop s = runner_run(r, &req, &res);
        if (s == RUNNER_BREAK || s == RUNNER_STOP || s == RUNNER_YIELD)
            continue; /* no debugger to break into: go on */
        return report_exit(s, r, qlog, timeout_s);
    }
}

/* ---- recording and replaying ------------------------------------------------ */

/* --record: every byte the UART takes goes to the file.  --replay: the
 * recorded bytes are the input, if the recording was made with the same
 * images and options.  False after saying why. */
static bool start_recording(struct machine *m, const struct options *o,
                            const struct image_set *images, struct recorder *rec)
{
    char err[512];
    uint64_t fingerprint = record_fingerprint(images, o);
    if (o->record_file) {
        if (!record_open(rec, o->record_file, fingerprint, err, sizeof err)) {
            report_say("%s", err);
            return false;
        }
        control_input_observe(m, record_input, rec);
    }
    if (!o->replay_file)
        return true;
    struct recording r;
    if (!recording_read(o->replay_file, &r, err, sizeof err)) {
        report_say("%s", err);
        return false;
    }
    bool ok = r.fingerprint == fingerprint;
    if (!ok)
        report_say("--replay: %s was recorded with other images or options (-kernel, -initrd, "
                   "-append, -m, -cpu, -no-reboot, -device): a replay must use the same",
                   o->replay_file);
    else if (!control_input_replay(m, r.recs, r.n, r.has_end ? &r.end : NULL, err, sizeof err)) {
        report_say("--replay: %s: %s", o->replay_file, err);
        ok = false;
    }
    recording_free(&r);
    return ok;
}

/* -cpu's features as CPUID bits. */
static uint32_t cpu_features(unsigned f)
{
    return ((f & OPTIONS_CPU_APIC) ? MACHINE_CPUID_APIC : 0) |
           ((f & OPTIONS_CPU_SEP) ? MACHINE_CPUID_SEP : 0) |
           ((f & OPTIONS_CPU_TSC) ? MACHINE_CPUID_TSC : 0) |
           ((f & OPTIONS_CPU_PSE) ? MACHINE_CPUID_PSE : 0);
}

/* -cpu's leaf-7 features as CPUID bits. */
static uint32_t cpu_features7(unsigned f)
{
    return ((f & OPTIONS_CPU_SMEP) ? MACHINE_CPUID7_SMEP : 0) |
           ((f & OPTIONS_CPU_SMAP) ? MACHINE_CPUID7_SMAP : 0);
}

/* Does the file start with a boot sector (and is no ELF file)? */
static bool file_is_disk_image(const char *path)
{
    uint8_t sector[BOOT_SECTOR_SIZE];
    FILE *f = fopen(path, "rb");
    if (!f)
        return false;
    size_t got = fread(sector, 1, sizeof sector, f);
    fclose(f);
    return boot_sector_is_disk_image(sector, got);
}

/* ---- main ----------------------------------------------------------------- */

/* A run of the machine: the plain one, the debugger, the gdb stub, the
 * view; or, with `vmm`, the plain one under a monitor. */
static int ringlab_main(int argc, char **argv, const struct vmm_request *vmm)
{
    bool trap_monitor = vmm && strcmp(vmm->strategy, "trap") == 0;
    bool bt_monitor = vmm && strcmp(vmm->strategy, "bt") == 0;
    bool pv_monitor = vmm && strcmp(vmm->strategy, "pv") == 0;
    struct options o;
    char err[512] = "";
    switch (options_parse(argc, argv, &o, err, sizeof err)) {
    case OPTIONS_HELP:
        options_print_help_topic(stdout, o.help_topic);
        options_free(&o);
        return RL_EXIT_POWEROFF;
    case OPTIONS_VERSION:
        options_print_version(stdout);
        options_free(&o);
        return RL_EXIT_POWEROFF;
    case OPTIONS_ERROR:
        report_say("%s (try 'ringlab --help')", err);
        options_free(&o);
        return RL_EXIT_USAGE;
    case OPTIONS_OK:
        break;
    }

    /* The trap, bt and pv monitors keep one virtual CPU (struct vcpu): an AP
     * the guest started would run at real ring 0, unseen.  hw counts the
     * exits of every CPU. */
    if ((trap_monitor || bt_monitor || pv_monitor) && o.cpus > 1) {
        report_say("pg vmm --strategy %s: the monitor keeps one virtual CPU, -smp %d is for "
                   "--strategy hw only", vmm->strategy, o.cpus);
        options_free(&o);
        return RL_EXIT_USAGE;
    }
    /* A debugger script that cannot be read stops everything before it runs. */
    struct repl_script script = {0};
    if (o.debugger_script && !repl_script_open(&script, o.debugger_script, err, sizeof err)) {
        report_say("%s", err);
        options_free(&o);
        return RL_EXIT_USAGE;
    }

    /* The view: asked for (-display sdl, --ui-script, --screenshot), or by
     * default when there is a display and no terminal debugger. */
    bool view_asked = o.display == DISPLAY_SDL;
    bool want_view = view_asked || (o.display == DISPLAY_DEFAULT && !o.debugger && !vmm &&
                                    display_present());
#ifndef HAVE_VIEW
    if (view_asked) {
        report_say("the view was asked for, but this ringlab was built without it (SDL2, SDL2_ttf, "
                   "SDL2_image or fontconfig were missing; run scripts/setup and build again), "
                   "or use -nographic");
        repl_script_close(&script);
        options_free(&o);
        return RL_EXIT_NO_VIEW;
    }
    want_view = false;
#endif

    int status = RL_EXIT_POWEROFF;
    char kernel_path[PATH_MAX], initrd_path[PATH_MAX], rom_path[PATH_MAX];
    const char *bundled_initrd = NULL;
    const char *image = o.image;
    /* The lone IMAGE that is a disk image is the first disk, as QEMU takes it. */
    if (image && !o.image_is_kernel && !o.drives[0].path && file_is_disk_image(image)) {
        o.drives[0].path = o.image;
        o.image = NULL;
        image = NULL;
    }
    /* Without a kernel, a machine with disks or a ROM starts at the reset
     * vector: the ROM named by -bios, or ringlab's own firmware. */
    bool from_rom = !image && (o.bios || o.drives[0].path || o.drives[1].path);
    if (from_rom) {
        if (o.bios)
            snprintf(rom_path, sizeof rom_path, "%s", o.bios);
        else if (!images_find_firmware(RINGLAB_DATADIR, rom_path, sizeof rom_path)) {
            report_say("ringlab's firmware (bios.bin) is not installed (looked beside the binary "
                       "and in %s); run 'make' first, or name a ROM with -bios",
                       RINGLAB_DATADIR);
            repl_script_close(&script);
            options_free(&o);
            return RL_EXIT_BAD_IMAGE;
        }
        image = rom_path;
    } else if (!image) {
        /* The paravirtual monitor runs the kernel's ring-1 build. */
        if (!images_find_bundled(RINGLAB_DATADIR, pv_monitor ? "kernel-pv.elf" : "kernel.elf",
                                 kernel_path, initrd_path, sizeof kernel_path)) {
            report_say("no image given and the bundled guest is not installed (looked beside the "
                "binary and in %s); run 'make' first, or name a kernel with -kernel",
                RINGLAB_DATADIR);
            repl_script_close(&script);
            options_free(&o);
            return RL_EXIT_BAD_IMAGE;
        }
        image = kernel_path;
        bundled_initrd = initrd_path;
    }

    /* Under the paravirtual monitor, the native build beside the kernel
     * (kernel.elf beside kernel-pv.elf) runs the same session for the
     * report's comparison. */
    struct image_set native_images;
    bool have_native = false;
    char native_path[PATH_MAX];
    struct image_set images;
    if (!images_read(&images, &o, image, bundled_initrd, report_say)) {
        images_free(&images);
        repl_script_close(&script);
        options_free(&o);
        return RL_EXIT_BAD_IMAGE;
    }
    if (pv_monitor && !from_rom && images_native_beside(image, native_path, sizeof native_path))
        have_native = images_read(&native_images, &o, native_path, bundled_initrd, report_say);
    struct disk_image disks[OPTIONS_MAX_DRIVES];
    struct block_dev disk_blocks[OPTIONS_MAX_DRIVES];
    bool disk_open[OPTIONS_MAX_DRIVES] = {false};
    if (from_rom && (images.kernel.size == 0 || images.kernel.size % 0x10000 != 0 ||
                     images.kernel.size > MACHINE_ROM_MAX)) {
        report_say("%s: the ROM image must be a multiple of 64 KiB, at most %u MiB (it has %zu "
                   "bytes)", image, MACHINE_ROM_MAX >> 20, images.kernel.size);
        status = RL_EXIT_BAD_IMAGE;
        goto out_disks;
    }
    for (int i = 0; i < OPTIONS_MAX_DRIVES; i++) {
        if (!o.drives[i].path)
            continue;
        if (!disk_image_open(&disks[i], o.drives[i].path, o.drives[i].snapshot, err,
                             sizeof err)) {
            report_say("%s", err);
            status = RL_EXIT_BAD_IMAGE;
            goto out_disks;
        }
        disk_open[i] = true;
        disk_blocks[i] = disk_image_block(&disks[i]);
    }

    /* Logs first: a log that cannot be created is a usage problem, found
     * before anything runs. */
    struct qemu_log qlog;
    bool have_qlog = false;
    struct jsonl jlog;
    bool have_jlog = false;
    if (o.log_items) {
        if (!qemu_log_open(&qlog, o.log_file, o.log_items, err, sizeof err)) {
            report_say("%s", err);
            status = RL_EXIT_HOST;
            goto out_disks;
        }
        have_qlog = true;
    }
    if (o.trace_file) {
        if (!jsonl_open(&jlog, o.trace_file, err, sizeof err)) {
            report_say("%s", err);
            status = RL_EXIT_HOST;
            goto out_logs;
        }
        have_jlog = true;
    }

    struct console con;
    FILE *serial = NULL, *debugcon = NULL;
    bool serial_owned = false, debugcon_owned = false;
    if (!open_chardev(&o.serial, "serial", &serial, &serial_owned) ||
        !open_chardev(&o.debugcon, "debugcon", &debugcon, &debugcon_owned)) {
        if (serial_owned)
            fclose(serial);
        status = RL_EXIT_HOST;
        goto out_logs;
    }
    /* COM1's input is stdin, except for a debugger reading its commands
     * from a stdin that is no terminal: there the guest gets what `type`
     * gives it (at a terminal the two take turns: the prompt, then `c`);
     * and under --replay, where it comes from the recording. */
    bool commands_on_stdin = o.debugger && !o.debugger_script && !isatty(STDIN_FILENO);
    console_init(&con, serial, serial_owned,
                 o.serial.kind == CHARDEV_STDIO && !commands_on_stdin && !o.replay_file);
    struct serial_sink sink = {.con = &con};
#ifdef HAVE_VIEW
    /* Under the view COM1 is its console panel, and a file still gets a copy. */
    struct view_serial *vserial = NULL;
    if (want_view && o.serial.kind != CHARDEV_NONE && o.serial.kind != CHARDEV_NULL) {
        vserial = view_serial_create(o.serial.kind == CHARDEV_FILE ? serial : NULL);
        sink.view_put = vserial ? view_serial_put : NULL;
        sink.view_opaque = vserial;
    }
#endif

    struct machine_config cfg = {
        .ram_size = o.ram_bytes,
        .cpu_model = o.cpu_model,
        .no_reboot = o.no_reboot,
        .realtime = o.realtime,
        .trace_returns = o.trace_file != NULL || o.debugger || want_view || trap_monitor,
        .explain_events = o.debugger || want_view,
        .rtc_epoch = o.realtime ? (int64_t)time(NULL) : DETERMINISTIC_EPOCH,
        .cpus = o.cpus,
        .apic = true,
        .cpuid_on = cpu_features(o.cpu_features_on),
        .cpuid_off = cpu_features(o.cpu_features_off),
        .cpuid7_on = cpu_features7(o.cpu_features_on),
        .no_umip = (o.cpu_features_off & OPTIONS_CPU_UMIP) != 0,
        .disks = {disk_open[0] ? &disk_blocks[0] : NULL, disk_open[1] ? &disk_blocks[1] : NULL},
        .rom = from_rom ? images.kernel.data : NULL,
        .rom_size = from_rom ? images.kernel.size : 0,
        .debugcon_port = o.debugcon_port,
        .debug_exit = o.debug_exit,
        .debug_exit_iobase = o.debug_exit_iobase,
        .debug_exit_iosize = o.debug_exit_iosize,
        .load = images_load,
        .load_opaque = &images,
        .serial_out = serial_out,
        .serial_opaque = &sink,
        .debugcon_out = debugcon ? file_out : NULL,
        .debugcon_opaque = debugcon,
        .unimp = (have_qlog && (o.log_items & OPTIONS_LOG_UNIMP)) ? log_unimp : NULL,
        .unimp_opaque = have_qlog ? &qlog : NULL,
    };
    /* The paravirtual monitor counts the console's bytes on their way. */
    static struct vmm_pv pv_mon;
    if (pv_monitor) {
        pv_mon.serial_out = cfg.serial_out;
        pv_mon.serial_opaque = cfg.serial_opaque;
        cfg.serial_out = vmm_pv_serial_out;
        cfg.serial_opaque = &pv_mon;
    }
    struct machine_config native_cfg = cfg;
    native_cfg.load_opaque = &native_images;
    struct machine *m = machine_create(&cfg, err, sizeof err);
    if (!m) {
        report_say("cannot start the machine: %s", err);
        status = RL_EXIT_HOST;
        goto out_chardevs;
    }
    if (have_qlog) /* it picks what to print by the -d items */
        machine_add_sink(m, (struct trace_sink){qemu_log_event, &qlog});
    if (have_jlog)
        machine_add_sink(m, (struct trace_sink){jsonl_event, &jlog});
    /* Under a monitor its sink counts the exits, whoever runs the machine. */
    static struct vmm_hw monitor;
    if (vmm && !trap_monitor && !bt_monitor && !pv_monitor &&
        !vmm_hw_attach(&monitor, m, &vmm->controls)) {
        report_say("cannot take the machine under the monitor");
        status = RL_EXIT_HOST;
        goto out_machine;
    }
    if (!machine_power_on(m, err, sizeof err)) {
        report_say("%s", err);
        status = RL_EXIT_BAD_IMAGE;
        goto out_machine;
    }
    /* The trap monitor deprivileges the guest as it stands at power-on. */
    static struct vmm_trap trap_mon;
    if (trap_monitor && !vmm_trap_attach(&trap_mon, m, err, sizeof err)) {
        report_say("pg vmm: cannot deprivilege the guest: %s", err);
        status = RL_EXIT_HOST;
        goto out_machine;
    }
    /* It watches what cannot trap, in every front end. */
    if (trap_monitor &&
        !vmm_trap_watch(&trap_mon, images.kernel.data, images.kernel.size, err, sizeof err))
        report_say("pg vmm: the kernel's code is not scanned (%s): only what traps is seen", err);
    /* The translating monitor runs over the trap monitor, as it stands too. */
    static struct vmm_bt bt_mon;
    if (bt_monitor && !vmm_bt_attach(&bt_mon, m, err, sizeof err)) {
        report_say("pg vmm: cannot deprivilege the guest: %s", err);
        status = RL_EXIT_HOST;
        goto out_machine;
    }
    if (pv_monitor && !vmm_pv_attach(&pv_mon, m, err, sizeof err)) {
        report_say("pg vmm: cannot start the paravirtual guest: %s", err);
        status = RL_EXIT_HOST;
        goto out_machine;
    }
    struct recorder rec = {0};
    if (!start_recording(m, &o, &images, &rec)) {
        status = o.record_file ? RL_EXIT_HOST : RL_EXIT_USAGE;
        goto out_machine;
    }
    /* The front ends that go back in time keep a history. */
    if ((o.gdb || o.debugger) && o.snapshot_budget > 0 && !o.realtime) {
        struct history_config hc = {.every = o.snapshot_every, .budget = o.snapshot_budget};
        if (!control_history_start(m, &hc, err, sizeof err))
            report_say("no history, going back is off: %s", err);
    }

    /* What every front end shows of the monitor: `info vmm`, the panel. */
    struct vmm_front front = trap_monitor ? (struct vmm_front){vmm_trap_info, vmm_trap_status, &trap_mon}
                             : bt_monitor ? (struct vmm_front){vmm_bt_info, vmm_bt_status, &bt_mon}
                             : pv_monitor ? (struct vmm_front){vmm_pv_info, vmm_pv_status, &pv_mon}
                             : vmm        ? (struct vmm_front){vmm_hw_info, vmm_hw_status, &monitor}
                                          : (struct vmm_front){NULL, NULL, NULL};
    struct runner runner = {
        .m = m,
        .io = console_io(&con),
        .realtime = o.realtime,
        .timeout_at = o.timeout_sec > 0 ? clock_wall_seconds() + o.timeout_sec : 0,
        .max_insns = o.max_insns,
    };
    signal_runner = &runner;
    signal(SIGINT, on_signal);
    signal(SIGTERM, on_signal);
    signal(SIGHUP, on_signal);
    signal(SIGPIPE, SIG_IGN);

#ifdef HAVE_VIEW
    if (want_view) {
        struct view_config vc = {
            .runner = &runner,
            .serial = vserial,
            .qlog = have_qlog ? &qlog : NULL,
            .timeout_s = o.timeout_sec,
            .kernel_path = image,
            .initrd_path = bundled_initrd,
            .bundled = bundled_initrd != NULL,
            .script = o.ui_script,
            .screenshot = o.screenshot,
            .vmm_info = front.info,
            .vmm_status = front.status,
            .vmm_opaque = front.opaque,
        };
        struct view *v = view_open(&vc, err, sizeof err);
        if (v) {
            status = view_run(v);
            view_close(v);
        } else if (view_asked) {
            report_say("%s", err);
            status = RL_EXIT_NO_VIEW;
        } else {
            /* Not asked for: the terminal will do. */
            report_say("%s; running on the terminal", err);
            want_view = false;
            sink.view_put = NULL;
            runner.io = console_io(&con);
        }
    }
#endif
    if (want_view) {
        /* done above */
    } else if (o.gdb) {
        struct symbols *syms = repl_load_symbols(image, bundled_initrd, NULL);
        struct gdb_stub_config gc = {
            .host = o.gdb_host,
            .port = o.gdb_port,
            .start_stopped = o.start_stopped,
            .runner = &runner,
            .console = &con,
            .symbols = syms,
            .qlog = have_qlog ? &qlog : NULL,
            .timeout_s = o.timeout_sec,
            .vmm_info = front.info,
            .vmm_opaque = front.opaque,
        };
        status = gdb_serve(&gc);
        symbols_destroy(syms);
    } else if (o.debugger) {
        struct repl_config rc = {
            .runner = &runner,
            .console = &con,
            .qlog = have_qlog ? &qlog : NULL,
            .timeout_s = o.timeout_sec,
            .kernel_path = image,
            .initrd_path = bundled_initrd,
            .script = o.debugger_script ? &script : NULL,
            .vmm_info = front.info,
            .vmm_opaque = front.opaque,
        };
        status = repl_main(&rc);
    } else if (trap_monitor) {
        console_raw(&con, true);
        status = vmm_run_trap(&runner, &trap_mon, have_qlog ? &qlog : NULL, o.timeout_sec);
        console_raw(&con, false);
    } else if (bt_monitor) {
        struct vmm_request v = *vmm;
        v.quiet = serial_quiet;
        v.quiet_opaque = &sink;
        v.machine_cfg = &cfg;
        console_raw(&con, true);
        status = vmm_run_bt(&runner, &v, &bt_mon, have_qlog ? &qlog : NULL, o.timeout_sec);
        console_raw(&con, false);
    } else if (pv_monitor) {
        struct vmm_request v = *vmm;
        v.machine_cfg = have_native ? &native_cfg : NULL;
        console_raw(&con, true);
        status = vmm_run_pv(&runner, &v, &pv_mon, have_qlog ? &qlog : NULL, o.timeout_sec);
        console_raw(&con, false);
    } else if (vmm) {
        struct vmm_request v = *vmm;
        v.quiet = serial_quiet;
        v.quiet_opaque = &sink;
        v.machine_cfg = &cfg;
        console_raw(&con, true);
        status = vmm_run_hw(&runner, &v, &monitor, have_qlog ? &qlog : NULL, o.timeout_sec);
        console_raw(&con, false);
    } else {
        console_raw(&con, true);
        status = run_plain(&runner, have_qlog ? &qlog : NULL, o.timeout_sec);
        console_raw(&con, false);
    }
    signal_runner = NULL;
    console_flush(&con);
    console_free(&con); /* bytes `type` queued that the guest never took */
    if (o.record_file) {
        struct machine_pos end;
        control_position(m, &end);
        if (!record_close(&rec, &end, err, sizeof err)) {
            report_say("%s", err);
            status = status ? status : RL_EXIT_HOST;
        }
    }
    if (o.vga_dump)
        machine_dump_vga(m, stdout);
    if (machine_walker_disagreements(m))
        report_say("warning: ringlab's page walk disagreed with the CPU on %llu page fault(s); see the "
            "trace",
            (unsigned long long)machine_walker_disagreements(m));
out_machine:
    machine_destroy(m);
    if (bt_monitor)
        vmm_bt_detach(&bt_mon);
out_chardevs:
    console_free(&con);
#ifdef HAVE_VIEW
    view_serial_destroy(vserial);
#endif
    if (serial_owned && fclose(serial) != 0) {
        report_say("%s: cannot write the serial output: %s", o.serial.path, strerror(errno));
        status = status ? status : RL_EXIT_HOST;
    }
    if (debugcon_owned && fclose(debugcon) != 0) {
        report_say("%s: cannot write the debugcon output: %s", o.debugcon.path, strerror(errno));
        status = status ? status : RL_EXIT_HOST;
    }
out_logs:
    if (have_jlog && !jsonl_close(&jlog)) {
        report_say("%s", jsonl_error(&jlog));
        status = status ? status : RL_EXIT_HOST;
    }
    if (have_qlog && !qemu_log_close(&qlog)) {
        report_say("%s", qemu_log_error(&qlog));
        status = status ? status : RL_EXIT_HOST;
    }
out_disks:
    for (int i = 0; i < OPTIONS_MAX_DRIVES; i++) {
        if (!disk_open[i])
            continue;
        if (disks[i].error[0]) {
            report_say("%s", disks[i].error);
            status = status ? status : RL_EXIT_HOST;
        }
        disk_image_close(&disks[i]);
    }
    images_free(&images);
    if (have_native)
        images_free(&native_images);
    repl_script_close(&script);
    options_free(&o);
    return status;
}

int main(int argc, char **argv)
{
    if (argc < 2 || strcmp(argv[1], "pg") != 0)
        return ringlab_main(argc, argv, NULL);
    /* `ringlab pg vmm --strategy S [options]`: a run under a monitor, with
     * ringlab's options after the monitor's; `ringlab pg audit ...` and
     * the rest have arguments of their own. */
    if (argc < 3 || strcmp(argv[2], "vmm") != 0)
        return pg_command(argc - 1, argv + 1);
    struct vmm_request vmm;
    int used = 0;
    int st = vmm_parse(argc - 2, argv + 2, &vmm, &used);
    if (st != 0)
        return st;
    /* ringlab's own argument vector: the program, then what follows. */
    int rest = argc - 2 - used;
    char **args = calloc((size_t)rest + 2, sizeof *args);
    if (!args) {
        report_say("out of memory");
        return RL_EXIT_HOST;
    }
    args[0] = argv[0];
    for (int i = 0; i < rest; i++)
        args[i + 1] = argv[2 + used + i];
    st = ringlab_main(rest + 1, args, &vmm);
    free(args);
    return st;
}
