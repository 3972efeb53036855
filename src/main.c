/* The ringlab command: parse the options, open the logs, build the machine,
 * load the image, run it, and turn how it stopped into an exit status.
 * Every message for the user is made here, one line each on stderr. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "loader/multiboot.h"
#include "machine.h"
#include "options.h"
#include "status.h"
#include "trace/jsonl.h"
#include "trace/qemu_log.h"

#ifndef RINGLAB_DATADIR
#define RINGLAB_DATADIR "/usr/local/share/ringlab"
#endif

/* A deterministic default for the CMOS clock: 2000-01-01 00:00:00 UTC. */
#define DETERMINISTIC_EPOCH 946684800

static void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void say(const char *fmt, ...)
{
    va_list ap;
    fputs("ringlab: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

/* ---- files -------------------------------------------------------------- */

struct blob {
    uint8_t *data;
    size_t size;
};

/* Read a whole file; false with a message naming it. */
static bool read_file(const char *path, const char *what, struct blob *out)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        say("%s: cannot open %s: %s", path, what, strerror(errno));
        return false;
    }
    struct stat sb;
    if (fstat(fileno(f), &sb) != 0 || !S_ISREG(sb.st_mode)) {
        say("%s: %s is not a regular file", path, what);
        fclose(f);
        return false;
    }
    out->size = (size_t)sb.st_size;
    out->data = malloc(out->size ? out->size : 1);
    if (!out->data || fread(out->data, 1, out->size, f) != out->size) {
        say("%s: cannot read %s", path, what);
        free(out->data);
        out->data = NULL;
        fclose(f);
        return false;
    }
    fclose(f);
    return true;
}

static bool file_exists(const char *path)
{
    return access(path, R_OK) == 0;
}

/* The bundled guest: next to the binary in a build tree, else installed. */
static bool find_bundled(char *kernel, char *initrd, size_t n)
{
    char exe[PATH_MAX - 64]; /* room for the file names appended below */
    ssize_t len = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (len > 0) {
        exe[len] = 0;
        char *slash = strrchr(exe, '/');
        if (slash) {
            *slash = 0;
            snprintf(kernel, n, "%s/guests/kernel/kernel.elf", exe);
            snprintf(initrd, n, "%s/guests/initrd.img", exe);
            if (file_exists(kernel) && file_exists(initrd))
                return true;
        }
    }
    const char *dir = getenv("RINGLAB_DATADIR");
    if (!dir)
        dir = RINGLAB_DATADIR;
    snprintf(kernel, n, "%s/kernel.elf", dir);
    snprintf(initrd, n, "%s/initrd.img", dir);
    return file_exists(kernel) && file_exists(initrd);
}

/* ---- the console ---------------------------------------------------------- */

struct console {
    FILE *out;             /* serial output, or NULL to drop it */
    bool out_owned;
    bool in_enabled;       /* serial input from stdin */
    bool in_eof;
    bool raw;              /* the terminal is in raw mode */
    bool escape;           /* Ctrl-A seen */
    struct termios saved;
    struct machine *machine;
};

static struct console *active_console;

static void restore_terminal(void)
{
    if (active_console && active_console->raw) {
        tcsetattr(STDIN_FILENO, TCSANOW, &active_console->saved);
        active_console->raw = false;
    }
}

static void console_out(void *opaque, uint8_t byte)
{
    struct console *c = opaque;
    if (!c->out)
        return;
    /* In raw mode the terminal no longer turns \n into \r\n. */
    if (c->raw && byte == '\n')
        fputc('\r', c->out);
    fputc(byte, c->out);
    if (byte == '\n' || c->raw)
        fflush(c->out);
}

static void console_flush(void *opaque)
{
    struct console *c = opaque;
    if (c->out)
        fflush(c->out);
}

static void file_out(void *opaque, uint8_t byte)
{
    fputc(byte, opaque);
}

/* One byte of host input for COM1, or -1 when none is ready within wait_ms
 * (-2 once the input has ended).  Ctrl-A x quits, Ctrl-A Ctrl-A sends Ctrl-A,
 * as in QEMU's -nographic console. */
static int console_in(void *opaque, int wait_ms)
{
    struct console *c = opaque;
    if (!c->in_enabled || c->in_eof)
        return -2;
    for (;;) {
        struct pollfd p = {.fd = STDIN_FILENO, .events = POLLIN};
        if (poll(&p, 1, wait_ms) <= 0)
            return -1;
        uint8_t b;
        ssize_t n = read(STDIN_FILENO, &b, 1);
        if (n <= 0) {
            c->in_eof = true;
            return -2;
        }
        if (!c->raw)
            return b;
        if (c->escape) {
            c->escape = false;
            if (b == 'x' || b == 'X') {
                machine_request_quit(c->machine);
                return -1;
            }
            if (b == 1)
                return 1;
            continue;
        }
        if (b == 1) {
            c->escape = true;
            wait_ms = 0;
            continue;
        }
        return b;
    }
}

static void enter_raw_mode(struct console *c)
{
    if (!isatty(STDIN_FILENO) || tcgetattr(STDIN_FILENO, &c->saved) != 0)
        return;
    struct termios raw = c->saved;
    cfmakeraw(&raw);
    raw.c_oflag |= OPOST; /* keep output processing; \n is handled in console_out */
    if (tcsetattr(STDIN_FILENO, TCSANOW, &raw) == 0) {
        c->raw = true;
        active_console = c;
        atexit(restore_terminal);
    }
}

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
            say("%s: cannot create %s output: %s", spec->path, what, strerror(errno));
            return false;
        }
        *owned = true;
        return true;
    default:
        return true;
    }
}

/* ---- signals ---------------------------------------------------------- */

static struct machine *signal_machine;

static void on_signal(int sig)
{
    (void)sig;
    if (signal_machine)
        machine_request_quit(signal_machine);
}

/* ---- the -d unimp log --------------------------------------------------- */

static void log_unimp(void *opaque, uint16_t port, bool is_write, uint32_t value, int size)
{
    qemu_log_unimp(opaque, port, is_write, value, size);
}

/* ---- loading ------------------------------------------------------------ */

struct image_set {
    const char *kernel_path;
    struct blob kernel;
    struct blob *modules;
    struct mb_module *mods;
    size_t nmods;
    char *cmdline;
};

static bool load_images(const struct options *o, const char *kernel_path,
                        const char *bundled_initrd, struct image_set *set)
{
    memset(set, 0, sizeof *set);
    set->kernel_path = kernel_path;
    if (!read_file(kernel_path, "the kernel", &set->kernel))
        return false;
    size_t n = bundled_initrd ? 1 : o->module_count;
    set->modules = calloc(n ? n : 1, sizeof *set->modules);
    set->mods = calloc(n ? n : 1, sizeof *set->mods);
    if (!set->modules || !set->mods)
        return false;
    for (size_t i = 0; i < n; i++) {
        const char *path = bundled_initrd ? bundled_initrd : o->modules[i].path;
        const char *cmd = bundled_initrd ? bundled_initrd : o->modules[i].cmdline;
        if (!read_file(path, "the module", &set->modules[i]))
            return false;
        set->mods[i] = (struct mb_module){path, cmd, set->modules[i].data, set->modules[i].size};
        set->nmods++;
    }
    set->cmdline = (char *)(o->append ? o->append : "");
    return true;
}

static void free_images(struct image_set *set)
{
    free(set->kernel.data);
    for (size_t i = 0; i < set->nmods; i++)
        free(set->modules[i].data);
    free(set->modules);
    free(set->mods);
}

static bool place_image(struct machine *m, const struct options *o, const struct image_set *set,
                        struct boot_info *boot)
{
    char err[512] = "";
    enum load_status st =
        multiboot_load(set->kernel.data, set->kernel.size, set->kernel_path, set->cmdline,
                       set->mods, set->nmods, machine_ram(m), machine_ram_size(m), boot, err,
                       sizeof err);
    /* The short form takes a flat binary too; -kernel, as QEMU's, does not. */
    if (st == LOAD_NOT_MULTIBOOT && o->image && !o->image_is_kernel && set->nmods == 0) {
        err[0] = '\0';
        st = flat_load(set->kernel.data, set->kernel.size, set->kernel_path,
                       o->has_load_addr ? o->load_addr : FLAT_DEFAULT_LOAD_ADDR, machine_ram(m),
                       machine_ram_size(m), boot, err, sizeof err);
    }
    if (st != LOAD_OK) {
        say("%s", err);
        return false;
    }
    return true;
}

/* ---- main ----------------------------------------------------------------- */

int main(int argc, char **argv)
{
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
        say("%s (try 'ringlab --help')", err);
        options_free(&o);
        return RL_EXIT_USAGE;
    case OPTIONS_OK:
        break;
    }

    int status = RL_EXIT_POWEROFF;
    char kernel_path[PATH_MAX], initrd_path[PATH_MAX];
    const char *bundled_initrd = NULL;
    const char *image = o.image;
    if (!image) {
        if (!find_bundled(kernel_path, initrd_path, sizeof kernel_path)) {
            say("no image given and the bundled guest is not installed (looked beside the "
                "binary and in %s); run 'make' first, or name a kernel with -kernel",
                RINGLAB_DATADIR);
            options_free(&o);
            return RL_EXIT_BAD_IMAGE;
        }
        image = kernel_path;
        bundled_initrd = initrd_path;
    }

    struct image_set images;
    if (!load_images(&o, image, bundled_initrd, &images)) {
        free_images(&images);
        options_free(&o);
        return RL_EXIT_BAD_IMAGE;
    }

    /* Logs first: a log that cannot be created is a usage problem, found
     * before anything runs. */
    struct qemu_log qlog;
    bool have_qlog = false;
    if (o.log_items) {
        if (!qemu_log_open(&qlog, o.log_file, o.log_items, err, sizeof err)) {
            say("%s", err);
            free_images(&images);
            options_free(&o);
            return RL_EXIT_HOST;
        }
        have_qlog = true;
    }
    struct jsonl jlog;
    bool have_jlog = false;
    if (o.trace_file) {
        if (!jsonl_open(&jlog, o.trace_file, err, sizeof err)) {
            say("%s", err);
            if (have_qlog)
                qemu_log_close(&qlog);
            free_images(&images);
            options_free(&o);
            return RL_EXIT_HOST;
        }
        have_jlog = true;
    }

    struct console con = {0};
    FILE *debugcon = NULL;
    bool debugcon_owned = false;
    if (!open_chardev(&o.serial, "serial", &con.out, &con.out_owned) ||
        !open_chardev(&o.debugcon, "debugcon", &debugcon, &debugcon_owned)) {
        status = RL_EXIT_HOST;
        goto out_logs;
    }
    con.in_enabled = o.serial.kind == CHARDEV_STDIO;
    bool interactive = con.in_enabled && isatty(STDIN_FILENO);

    struct machine_config cfg = {
        .ram_size = o.ram_bytes,
        .cpu_model = o.cpu_model,
        .no_reboot = o.no_reboot,
        .realtime = o.realtime,
        .trace_returns = o.trace_file != NULL,
        .interactive = interactive,
        .max_insns = o.max_insns,
        .timeout_s = o.timeout_sec,
        .rtc_epoch = o.realtime ? (int64_t)time(NULL) : DETERMINISTIC_EPOCH,
        .debug_exit = o.debug_exit,
        .debug_exit_iobase = o.debug_exit_iobase,
        .debug_exit_iosize = o.debug_exit_iosize,
        .serial_out = console_out,
        .serial_flush = console_flush,
        .serial_opaque = &con,
        .debugcon_out = debugcon ? file_out : NULL,
        .debugcon_opaque = debugcon,
        .serial_in = con.in_enabled ? console_in : NULL,
        .serial_in_opaque = &con,
        .unimp = (have_qlog && (o.log_items & OPTIONS_LOG_UNIMP)) ? log_unimp : NULL,
        .unimp_opaque = have_qlog ? &qlog : NULL,
    };
    struct machine *m = machine_create(&cfg, err, sizeof err);
    if (!m) {
        say("cannot start the machine: %s", err);
        status = RL_EXIT_HOST;
        goto out_chardevs;
    }
    con.machine = m;
    if (have_qlog) /* it picks what to print by the -d items */
        machine_add_sink(m, (struct trace_sink){qemu_log_event, &qlog});
    if (have_jlog)
        machine_add_sink(m, (struct trace_sink){jsonl_event, &jlog});

    signal_machine = m;
    signal(SIGINT, on_signal);
    signal(SIGTERM, on_signal);
    signal(SIGHUP, on_signal);
    signal(SIGPIPE, SIG_IGN);
    if (interactive)
        enter_raw_mode(&con);

    for (;;) {
        struct boot_info boot;
        if (!place_image(m, &o, &images, &boot)) {
            status = RL_EXIT_BAD_IMAGE;
            break;
        }
        if (!machine_boot(m, &boot)) {
            say("cannot set the boot state in the engine");
            status = RL_EXIT_HOST;
            break;
        }
        enum machine_stop why = machine_run(m);
        if (why == STOP_RESET) {
            if (have_qlog)
                qemu_log_cpu_reset(&qlog);
            continue;
        }
        restore_terminal();
        switch (why) {
        case STOP_POWEROFF:
        case STOP_QUIT:
            status = RL_EXIT_POWEROFF;
            break;
        case STOP_HALTED:
            say("%s", machine_stop_detail(m));
            status = RL_EXIT_POWEROFF;
            break;
        case STOP_DEBUG_EXIT:
            status = machine_debug_exit_status(m);
            break;
        case STOP_TRIPLE_FAULT:
            if (have_qlog)
                qemu_log_triple_fault(&qlog);
            say("%s", machine_stop_detail(m));
            status = RL_EXIT_TRIPLE_FAULT;
            break;
        case STOP_INSN_LIMIT:
        case STOP_TIME_LIMIT:
            say("%s", machine_stop_detail(m));
            status = RL_EXIT_LIMIT;
            break;
        case STOP_GUEST_ERROR:
            say("%s", machine_stop_detail(m));
            status = RL_EXIT_GUEST_ERROR;
            break;
        default:
            say("%s", machine_stop_detail(m));
            status = RL_EXIT_HOST;
            break;
        }
        break;
    }
    restore_terminal();
    signal_machine = NULL;
    if (con.out)
        fflush(con.out);
    if (o.vga_dump)
        machine_dump_vga(m, stdout);
    if (machine_walker_disagreements(m))
        say("warning: ringlab's page walk disagreed with the CPU on %llu page fault(s); see the "
            "trace",
            (unsigned long long)machine_walker_disagreements(m));
    machine_destroy(m);

out_chardevs:
    if (con.out_owned && fclose(con.out) != 0) {
        say("%s: cannot write the serial output: %s", o.serial.path, strerror(errno));
        status = status ? status : RL_EXIT_HOST;
    }
    if (debugcon_owned && fclose(debugcon) != 0) {
        say("%s: cannot write the debugcon output: %s", o.debugcon.path, strerror(errno));
        status = status ? status : RL_EXIT_HOST;
    }
out_logs:
    if (have_jlog && !jsonl_close(&jlog)) {
        say("%s", jsonl_error(&jlog));
        status = status ? status : RL_EXIT_HOST;
    }
    if (have_qlog && !qemu_log_close(&qlog)) {
        say("%s", qemu_log_error(&qlog));
        status = status ? status : RL_EXIT_HOST;
    }
    free_images(&images);
    options_free(&o);
    return status;
}
