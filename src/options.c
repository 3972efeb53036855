/* The ringlab command line: QEMU-compatible options (-kernel, -initrd, -m,
 * -serial, -d, -device isa-debug-exit, ...) and ringlab's own long options
 * (--trace, --max-insns, --timeout, ...), parsed into struct options; the
 * --help text and the lists printed for `-d help`, `-device help` and
 * `-cpu help`.  Every error is one line naming the option at fault. */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "options.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "options_chardev.h"
#include "options_drive.h"
#include "options_machine.h"
#include "status.h"
#include "trace/qemu_log.h"
#include "util/text.h"

/* -d's bits are the log's own. */
_Static_assert(OPTIONS_LOG_INT == QEMU_LOG_INT && OPTIONS_LOG_UNIMP == QEMU_LOG_UNIMP &&
                   OPTIONS_LOG_CPU_RESET == QEMU_LOG_CPU_RESET &&
                   OPTIONS_LOG_GUEST_ERRORS == QEMU_LOG_GUEST_ERRORS,
               "options.h and qemu_log.h disagree on the -d bits");

#ifndef PACKAGE_VERSION
#define PACKAGE_VERSION "unknown"
#endif

/* --- the parser's state ------------------------------------------------- */

struct parser {
    struct options *out;
    char *err;
    size_t errlen;
    bool kernel_given;    /* -kernel seen */
    const char *positional; /* the lone IMAGE argument */
    bool serial_given;
    bool debugcon_given;  /* -debugcon seen */
    bool debugcon_device; /* -device isa-debugcon seen */
    char debugcon_chardev[OPTIONS_CHARDEV_ID_MAX]; /* its chardev=, "" none */
};

static bool fail(struct parser *p, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* The message quotes what the user typed: control characters in it are
 * escaped, so that it stays one line (an argument may hold a newline). */
static bool fail(struct parser *p, const char *fmt, ...)
{
    va_list ap;
    char raw[1024];
    if (p->errlen == 0)
        return false;
    va_start(ap, fmt);
    vsnprintf(raw, sizeof raw, fmt, ap);
    va_end(ap);
    text_escape(p->err, p->errlen, raw);
    return false;
}

static bool set_string(struct parser *p, char **dst, const char *value)
{
    char *copy = strdup(value);
    if (!copy)
        return fail(p, "out of memory");
    free(*dst);
    *dst = copy;
    return true;
}

/* Parse an unsigned number in C syntax (0x... hex, else decimal), all of s. */
static bool parse_u64(const char *s, uint64_t *v)
{
    char *end;
    int base = 10;
    if (s[0] == '\0' || s[0] == '-' || s[0] == '+' || isspace((unsigned char)s[0]))
        return false;
    if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
        base = 16;
    errno = 0;
    unsigned long long x = strtoull(s, &end, base);
    if (errno != 0 || *end != '\0' || end == s)
        return false;
    *v = x;
    return true;
}

/* --- -m: QEMU's size syntax ---------------------------------------------
 * "[size=]N[.F][suffix]" where a bare number counts MiB and the suffix is
 * B, K, M, G or T (either case), as qemu-system-i386 reads -m. */

static bool parse_size(const char *s, uint64_t *bytes)
{
    uint64_t ip = 0, frac = 0, frac_div = 1;
    const char *c = s;
    if (!isdigit((unsigned char)*c))
        return false;
    for (; isdigit((unsigned char)*c); c++) {
        ip = ip * 10 + (uint64_t)(*c - '0');
        if (ip > (1ull << 40))
            return false;
    }
    if (*c == '.') {
        c++;
        if (!isdigit((unsigned char)*c))
            return false;
        for (; isdigit((unsigned char)*c); c++) {
            if (frac_div < 1000000000ull) {
                frac = frac * 10 + (uint64_t)(*c - '0');
                frac_div *= 10;
            }
        }
    }
    uint64_t unit;
    switch (*c) {
    case '\0':
    case 'M':
    case 'm':
        unit = 1ull << 20;
        break;
    case 'B':
    case 'b':
        unit = 1;
        break;
    case 'K':
    case 'k':
        unit = 1ull << 10;
        break;
    case 'G':
    case 'g':
        unit = 1ull << 30;
        break;
    case 'T':
    case 't':
        unit = 1ull << 40;
        break;
    default:
        return false;
    }
    if (*c != '\0' && c[1] != '\0')
        return false;
    if (ip > UINT64_MAX / unit / 2)
        return false;
    /* frac * unit / frac_div without the product: nine fraction digits
     * times 2^40 would not fit in 64 bits (and wrapped "0.016779123T", some
     * 18 GB, to 2 MiB).  Both terms are exact. */
    uint64_t part = (unit / frac_div) * frac + (unit % frac_div) * frac / frac_div;
    *bytes = ip * unit + part;
    return true;
}

static bool opt_m(struct parser *p, const char *name, const char *arg)
{
    const char *s = arg;
    uint64_t bytes;
    if (strncmp(s, "size=", 5) == 0)
        s += 5;
    if (strchr(s, ',') != NULL || strncmp(s, "slots=", 6) == 0 ||
        strncmp(s, "maxmem=", 7) == 0)
        return fail(p, "%s: '%s': only the size is supported (no slots= or maxmem=)",
                    name, arg);
    if (!parse_size(s, &bytes))
        return fail(p, "%s: '%s' is not a size (use e.g. 128, 128M or 1G)", name, arg);
    bytes = (bytes + 0xfff) & ~(uint64_t)0xfff; /* whole 4 KiB pages */
    if (bytes < OPTIONS_RAM_MIN)
        return fail(p, "%s: '%s' is too small (ringlab needs at least 2M)", name, arg);
    if (bytes > OPTIONS_RAM_MAX)
        return fail(p, "%s: '%s' is too large for a 32-bit machine (at most 3G)", name,
                    arg);
    p->out->ram_bytes = bytes;
    return true;
}

/* --- -initrd: "mod1 arg,mod2"; ",," is a literal comma ------------------ */

static bool add_module(struct parser *p, const char *name, const char *text, size_t len)
{
    struct options *o = p->out;
    struct option_module m = {0};
    m.cmdline = malloc(len + 1);
    if (!m.cmdline)
        return fail(p, "out of memory");
    memcpy(m.cmdline, text, len);
    m.cmdline[len] = '\0';
    /* QEMU loads the file named by the text up to the first space. */
    size_t plen = strcspn(m.cmdline, " ");
    if (plen == 0) {
        free(m.cmdline);
        return fail(p, "%s: module %zu has no file name (modules are \"file [args]\", "
                       "separated by commas)",
                    name, o->module_count + 1);
    }
    m.path = strndup(m.cmdline, plen);
    struct option_module *grown =
        m.path ? realloc(o->modules, (o->module_count + 1) * sizeof *grown) : NULL;
    if (!grown) {
        free(m.path);
        free(m.cmdline);
        return fail(p, "out of memory");
    }
    o->modules = grown;
    o->modules[o->module_count++] = m;
    return true;
}

static void free_modules(struct options *o)
{
    for (size_t i = 0; i < o->module_count; i++) {
        free(o->modules[i].path);
        free(o->modules[i].cmdline);
    }
    free(o->modules);
    o->modules = NULL;
    o->module_count = 0;
}

static bool opt_initrd(struct parser *p, const char *name, const char *arg)
{
    size_t n = strlen(arg);
    char *buf = malloc(n + 1);
    if (!buf)
        return fail(p, "out of memory");
    free_modules(p->out); /* a second -initrd replaces the first, as in QEMU */
    size_t len = 0;
    for (size_t i = 0;; i++) {
        if (arg[i] == ',' && arg[i + 1] == ',') {
            buf[len++] = ',';
            i++;
        } else if (arg[i] == ',' || arg[i] == '\0') {
            bool ok = add_module(p, name, buf, len);
            len = 0;
            if (!ok) {
                free(buf);
                return false;
            }
            if (arg[i] == '\0')
                break;
        } else {
            buf[len++] = arg[i];
        }
    }
    free(buf);
    return true;
}

/* --- character devices: -serial, -debugcon ------------------------------ */

static bool parse_chardev(struct parser *p, const char *name, const char *arg,
                          struct chardev_spec *cd)
{
    enum chardev_kind kind;
    const char *path = NULL;
    if (strcmp(arg, "stdio") == 0 || strcmp(arg, "mon:stdio") == 0)
        kind = CHARDEV_STDIO;
    else if (strcmp(arg, "none") == 0)
        kind = CHARDEV_NONE;
    else if (strcmp(arg, "null") == 0)
        kind = CHARDEV_NULL;
    else if (strncmp(arg, "file:", 5) == 0) {
        kind = CHARDEV_FILE;
        path = arg + 5;
        if (*path == '\0')
            return fail(p, "%s: 'file:' needs a path (file:PATH)", name);
    } else
        return fail(p, "%s: '%s' is not supported (use stdio, file:PATH, null or none)",
                    name, arg);
    char *copy = NULL;
    if (path && !(copy = strdup(path)))
        return fail(p, "out of memory");
    free(cd->path);
    cd->kind = kind;
    cd->path = copy;
    return true;
}

static bool opt_serial(struct parser *p, const char *name, const char *arg)
{
    if (p->serial_given)
        return fail(p, "%s: given twice; ringlab has one serial port (COM1)", name);
    p->serial_given = true;
    return parse_chardev(p, name, arg, &p->out->serial);
}

static bool opt_debugcon(struct parser *p, const char *name, const char *arg)
{
    p->debugcon_given = true;
    return parse_chardev(p, name, arg, &p->out->debugcon);
}

static bool opt_chardev(struct parser *p, const char *name, const char *arg)
{
    char why[512];
    return options_chardev_parse(&p->out->chardevs, arg, why, sizeof why) ||
           fail(p, "%s: %s", name, why);
}

/* -device isa-debugcon: the debug console on its port, connected (once all
 * options are read) to the -chardev its chardev= names. */
static bool device_debugcon(struct parser *p, const char *name, const char *props)
{
    char why[512];
    if (p->debugcon_device)
        return fail(p, "%s: isa-debugcon given twice; ringlab has one debug console", name);
    p->debugcon_device = true;
    return options_debugcon_device_parse(props, &p->out->debugcon_port, p->debugcon_chardev,
                                         sizeof p->debugcon_chardev, why, sizeof why) ||
           fail(p, "%s: %s", name, why);
}

/* After all options: the console isa-debugcon's chardev= names. */
static bool connect_debugcon(struct parser *p)
{
    if (!p->debugcon_device)
        return true;
    if (p->debugcon_given)
        return fail(p, "-device isa-debugcon and -debugcon both given; ringlab has one debug "
                       "console");
    struct chardev_spec *cd = &p->out->debugcon;
    if (p->debugcon_chardev[0] == '\0') {
        cd->kind = CHARDEV_NULL; /* QEMU's device without a chardev drops its bytes */
        return true;
    }
    const struct chardev_spec *def = options_chardev_find(&p->out->chardevs, p->debugcon_chardev);
    if (!def)
        return fail(p, "-device isa-debugcon: chardev=%s: no -chardev has id=%s",
                    p->debugcon_chardev, p->debugcon_chardev);
    cd->kind = def->kind;
    if (def->path && !(cd->path = strdup(def->path)))
        return fail(p, "out of memory");
    return true;
}

/* --- -d: log items ------------------------------------------------------ */

static const struct log_item {
    const char *name;
    unsigned bit;
    const char *help;
} log_items[] = {
    {"int", OPTIONS_LOG_INT, "show interrupts/exceptions in QEMU's short format"},
    {"unimp", OPTIONS_LOG_UNIMP, "report each unassigned I/O port once"},
    {"cpu_reset", OPTIONS_LOG_CPU_RESET, "report triple faults and CPU resets"},
    {"guest_errors", OPTIONS_LOG_GUEST_ERRORS,
     "report when the guest does something invalid"},
};

/* QEMU's other log items: known, so the message can say they are QEMU's. */
static const char *const qemu_only_log_items[] = {
    "out_asm", "in_asm", "op",   "op_opt", "op_ind", "exec",   "cpu",
    "fpu",     "mmu",    "pcall", "page",  "nochain", "plugin", "strace",
    "tid",
};

static bool opt_d(struct parser *p, const char *name, const char *arg)
{
    if (strcmp(arg, "help") == 0) {
        p->out->help_topic = HELP_LOG_ITEMS;
        return true;
    }
    const char *s = arg;
    while (true) {
        size_t len = strcspn(s, ",");
        bool found = false;
        for (size_t i = 0; i < sizeof log_items / sizeof log_items[0]; i++) {
            if (strlen(log_items[i].name) == len && strncmp(s, log_items[i].name, len) == 0) {
                p->out->log_items |= log_items[i].bit;
                found = true;
            }
        }
        if (!found) {
            if (len == 0)
                return fail(p, "%s: empty log item in '%s' (use -d help)", name, arg);
            for (size_t i = 0; i < sizeof qemu_only_log_items / sizeof qemu_only_log_items[0];
                 i++) {
                if (strlen(qemu_only_log_items[i]) == len &&
                    strncmp(s, qemu_only_log_items[i], len) == 0)
                    return fail(p,
                                "%s: QEMU's log item '%.*s' is not supported by ringlab "
                                "(supported: int, unimp, cpu_reset, guest_errors)",
                                name, (int)len, s);
            }
            return fail(p, "%s: unknown log item '%.*s' (use -d help)", name, (int)len, s);
        }
        if (s[len] == '\0')
            break;
        s += len + 1;
    }
    return true;
}

/* --- -device ------------------------------------------------------------ */

static bool opt_device(struct parser *p, const char *name, const char *arg)
{
    struct options *o = p->out;
    size_t len = strcspn(arg, ",");
    if (strcmp(arg, "help") == 0) {
        o->help_topic = HELP_DEVICES;
        return true;
    }
    if (len == strlen("isa-debugcon") && strncmp(arg, "isa-debugcon", len) == 0)
        return device_debugcon(p, name, arg[len] == ',' ? arg + len + 1 : arg + len);
    if (len != strlen("isa-debug-exit") || strncmp(arg, "isa-debug-exit", len) != 0)
        return fail(p, "%s: ringlab has no device '%.*s' (it knows: isa-debug-exit, isa-debugcon)", name,
                    (int)len, arg);
    if (o->debug_exit)
        return fail(p, "%s: isa-debug-exit given twice", name);
    uint64_t iobase = OPTIONS_DEBUG_EXIT_IOBASE, iosize = OPTIONS_DEBUG_EXIT_IOSIZE;
    const char *s = arg + len;
    while (*s == ',') {
        s++;
        size_t plen = strcspn(s, ",");
        char prop[64];
        if (plen >= sizeof prop)
            return fail(p, "%s: isa-debug-exit: property too long", name);
        memcpy(prop, s, plen);
        prop[plen] = '\0';
        s += plen;
        char *eq = strchr(prop, '=');
        if (!eq)
            return fail(p, "%s: isa-debug-exit: '%s' is not NAME=VALUE", name, prop);
        *eq = '\0';
        uint64_t *dst;
        if (strcmp(prop, "iobase") == 0)
            dst = &iobase;
        else if (strcmp(prop, "iosize") == 0)
            dst = &iosize;
        else
            return fail(p, "%s: isa-debug-exit has no property '%s' (it has: iobase, iosize)",
                        name, prop);
        if (!parse_u64(eq + 1, dst))
            return fail(p, "%s: isa-debug-exit: %s='%s' is not a number", name, prop,
                        eq + 1);
    }
    if (iosize == 0 || iosize > 4)
        return fail(p, "%s: isa-debug-exit: iosize=%llu must be 1 to 4", name,
                    (unsigned long long)iosize);
    if (iobase + iosize > 0x10000)
        return fail(p, "%s: isa-debug-exit: iobase=0x%llx is outside the I/O space", name,
                    (unsigned long long)iobase);
    o->debug_exit = true;
    o->debug_exit_iobase = (uint16_t)iobase;
    o->debug_exit_iosize = (uint16_t)iosize;
    return true;
}

/* --- -cpu, -machine, -smp, -display, -monitor, -accel -------------------- */

/* The 32-bit CPU models the engine knows by QEMU's names. */
static const char *const cpu_models[] = {
    "qemu32", "kvm32", "486", "pentium", "pentium2", "pentium3", "athlon", "n270", "coreduo",
};

/* The CPUID features -cpu can turn on or off: those whose instructions
 * and devices ringlab itself provides, so that CPUID says what the machine
 * does. */
static const struct {
    const char *name;
    unsigned bit;
} cpu_features[] = {
    {"apic", OPTIONS_CPU_APIC},
    {"sep", OPTIONS_CPU_SEP},
    {"tsc", OPTIONS_CPU_TSC},
};

/* -cpu MODEL[,+FEAT|-FEAT|FEAT=on|off]...; max is qemu32 with every
 * feature ringlab can turn on. */
static bool opt_cpu(struct parser *p, const char *name, const char *arg)
{
    if (strcmp(arg, "help") == 0) {
        p->out->help_topic = HELP_CPUS;
        return true;
    }
    char buf[256], model[64];
    snprintf(buf, sizeof buf, "%s", arg);
    char *save = NULL, *e = strtok_r(buf, ",", &save);
    snprintf(model, sizeof model, "%s", e ? e : "");
    bool max = strcmp(model, "max") == 0, known = max;
    for (size_t i = 0; i < sizeof cpu_models / sizeof cpu_models[0]; i++)
        known |= strcmp(model, cpu_models[i]) == 0;
    if (!known)
        return fail(p, "%s: '%s' is not a 32-bit CPU model ringlab knows (use -cpu help)", name,
                    model);
    unsigned on = max ? OPTIONS_CPU_APIC | OPTIONS_CPU_SEP | OPTIONS_CPU_TSC : 0, off = 0;
    while ((e = strtok_r(NULL, ",", &save)) != NULL) {
        bool enable;
        char feat[64];
        const char *eq = strchr(e, '=');
        if (e[0] == '+' || e[0] == '-') {
            enable = e[0] == '+';
            snprintf(feat, sizeof feat, "%s", e + 1);
        } else if (eq && (strcmp(eq + 1, "on") == 0 || strcmp(eq + 1, "off") == 0)) {
            enable = strcmp(eq + 1, "on") == 0;
            snprintf(feat, sizeof feat, "%.*s", (int)(eq - e), e);
        } else {
            return fail(p, "%s: '%s': write +FEATURE, -FEATURE or FEATURE=on|off", name, e);
        }
        unsigned bit = 0;
        for (size_t i = 0; i < sizeof cpu_features / sizeof cpu_features[0]; i++)
            if (strcmp(feat, cpu_features[i].name) == 0)
                bit = cpu_features[i].bit;
        if (!bit)
            return fail(p, "%s: '%s': ringlab does not model the feature '%s' (it can turn: "
                           "apic, sep, tsc)", name, arg, feat);
        on = enable ? on | bit : on & ~bit;
        off = enable ? off & ~bit : off | bit;
    }
    p->out->cpu_features_on = on;
    p->out->cpu_features_off = off;
    return set_string(p, &p->out->cpu_model, max ? "qemu32" : model);
}

static bool opt_machine(struct parser *p, const char *name, const char *arg)
{
    char why[256];
    if (!options_machine_parse(arg, &p->out->help_topic, why, sizeof why))
        return fail(p, "%s: %s", name, why);
    return true;
}

/* -smp [cpus=]N[,maxcpus=N][,sockets=S][,cores=C][,threads=T]: N CPUs,
 * 1 to OPTIONS_MAX_CPUS; the topology properties only have to agree. */
static bool opt_smp(struct parser *p, const char *name, const char *arg)
{
    char buf[256];
    snprintf(buf, sizeof buf, "%s", arg);
    unsigned long cpus = 0, product = 1;
    bool have_product = false;
    for (char *save = NULL, *e = strtok_r(buf, ",", &save); e; e = strtok_r(NULL, ",", &save)) {
        char *eq = strchr(e, '=');
        const char *key = eq ? (*eq = '\0', e) : "cpus";
        const char *v = eq ? eq + 1 : e;
        char *end;
        unsigned long n = strtoul(v, &end, 10);
        if (*v == '\0' || *end || n == 0)
            return fail(p, "%s: '%s': %s=%s is not a number of at least 1", name, arg, key, v);
        if (strcmp(key, "cpus") == 0 || strcmp(key, "maxcpus") == 0) {
            if (cpus && n != cpus)
                return fail(p, "%s: '%s': ringlab has no CPU hot-plug (cpus and maxcpus must "
                               "agree)", name, arg);
            cpus = n;
        } else if (strcmp(key, "sockets") == 0 || strcmp(key, "cores") == 0 ||
                   strcmp(key, "threads") == 0 || strcmp(key, "dies") == 0) {
            product *= n;
            have_product = true;
        } else {
            return fail(p, "%s: '%s': no property '%s' (cpus, maxcpus, sockets, cores, threads)",
                        name, arg, key);
        }
    }
    if (!cpus)
        cpus = product;
    if (have_product && product != cpus)
        return fail(p, "%s: '%s': sockets, cores and threads make %lu CPUs, not %lu", name, arg,
                    product, cpus);
    if (cpus > OPTIONS_MAX_CPUS)
        return fail(p, "%s: '%s': at most %d CPUs", name, arg, OPTIONS_MAX_CPUS);
    p->out->cpus = (int)cpus;
    return true;
}

static bool opt_display(struct parser *p, const char *name, const char *arg)
{
    if (strcmp(arg, "none") == 0)
        p->out->display = DISPLAY_NONE;
    else if (strcmp(arg, "sdl") == 0)
        p->out->display = DISPLAY_SDL;
    else
        return fail(p, "%s: '%s' is not available (use sdl or none)", name, arg);
    return true;
}

static bool opt_monitor(struct parser *p, const char *name, const char *arg)
{
    if (strcmp(arg, "none") == 0)
        return true;
    return fail(p, "%s: '%s': ringlab has no QEMU monitor (only -monitor none is accepted)",
                name, arg);
}

static bool opt_accel(struct parser *p, const char *name, const char *arg)
{
    if (strcmp(arg, "tcg") == 0)
        return true;
    return fail(p, "%s: '%s' is not available: ringlab is an emulator (no KVM, HVF or WHPX)",
                name, arg);
}

static bool opt_net(struct parser *p, const char *name, const char *arg)
{
    if (strcmp(arg, "none") == 0)
        return true;
    return fail(p, "%s: '%s': ringlab has no network card (only 'none' is accepted)", name,
                arg);
}

/* --- plain values ------------------------------------------------------- */

static bool opt_kernel(struct parser *p, const char *name, const char *arg)
{
    if (arg[0] == '\0')
        return fail(p, "%s: the file name is empty", name);
    p->kernel_given = true;
    p->out->image_is_kernel = true;
    return set_string(p, &p->out->image, arg);
}

static bool opt_append(struct parser *p, const char *name, const char *arg)
{
    (void)name;
    return set_string(p, &p->out->append, arg);
}

static bool opt_D(struct parser *p, const char *name, const char *arg)
{
    if (arg[0] == '\0')
        return fail(p, "%s: the file name is empty", name);
    return set_string(p, &p->out->log_file, arg);
}

static bool opt_trace(struct parser *p, const char *name, const char *arg)
{
    if (arg[0] == '\0')
        return fail(p, "%s: the file name is empty", name);
    return set_string(p, &p->out->trace_file, arg);
}

static bool opt_max_insns(struct parser *p, const char *name, const char *arg)
{
    uint64_t n;
    if (!parse_u64(arg, &n) || n == 0)
        return fail(p, "%s: '%s' is not a positive whole number of instructions", name, arg);
    p->out->max_insns = n;
    return true;
}

/* SECONDS[.FRACTION], read without strtod so the locale cannot change it. */
static bool opt_timeout(struct parser *p, const char *name, const char *arg)
{
    double v = 0, scale = 0.1;
    const char *c = arg;
    bool digits = false;
    for (; isdigit((unsigned char)*c); c++, digits = true)
        v = v * 10 + (*c - '0');
    if (*c == '.') {
        for (c++; isdigit((unsigned char)*c); c++, digits = true, scale /= 10)
            v += (*c - '0') * scale;
    }
    if (!digits || *c != '\0')
        return fail(p, "%s: '%s' is not a number of seconds (use e.g. 10 or 2.5)", name, arg);
    if (v <= 0 || v > 1e7)
        return fail(p, "%s: '%s' must be more than 0 and at most 10000000 seconds", name, arg);
    p->out->timeout_sec = v;
    return true;
}

static bool opt_debugger_script(struct parser *p, const char *name, const char *arg)
{
    if (arg[0] == '\0')
        return fail(p, "%s: the file name is empty", name);
    p->out->debugger = true;
    return set_string(p, &p->out->debugger_script, arg);
}

static bool opt_ui_script(struct parser *p, const char *name, const char *arg)
{
    if (arg[0] == '\0')
        return fail(p, "%s: the file name is empty", name);
    return set_string(p, &p->out->ui_script, arg);
}

static bool opt_screenshot(struct parser *p, const char *name, const char *arg)
{
    size_t n = strlen(arg);
    if (n < 5 || strcasecmp(arg + n - 4, ".png") != 0)
        return fail(p, "%s: '%s' must name a .png file", name, arg);
    return set_string(p, &p->out->screenshot, arg);
}

static bool opt_load_addr(struct parser *p, const char *name, const char *arg)
{
    uint64_t a;
    if (!parse_u64(arg, &a) || a > 0xffffffffull)
        return fail(p, "%s: '%s' is not a 32-bit address (use e.g. 0x100000)", name, arg);
    p->out->load_addr = (uint32_t)a;
    p->out->has_load_addr = true;
    return true;
}

/* -gdb DEV, as QEMU's chardev: tcp:[HOST]:PORT[,server][,nowait]..., or none. */
static bool opt_gdb(struct parser *p, const char *name, const char *arg)
{
    struct options *o = p->out;
    if (strcmp(arg, "none") == 0) {
        o->gdb = false;
        return true;
    }
    if (strncmp(arg, "tcp:", 4) != 0)
        return fail(p, "%s: '%s' is not something ringlab's stub listens on (tcp::PORT or "
                       "tcp:HOST:PORT)", name, arg);
    const char *host = arg + 4, *colon = strrchr(host, ':');
    if (!colon)
        return fail(p, "%s: '%s' has no port (use tcp::1234)", name, arg);
    size_t hostlen = (size_t)(colon - host);
    char port[16];
    size_t plen = strcspn(colon + 1, ",");
    if (plen == 0 || plen >= sizeof port)
        return fail(p, "%s: '%s' has no port (use tcp::1234)", name, arg);
    memcpy(port, colon + 1, plen);
    port[plen] = '\0';
    uint64_t n;
    if (!parse_u64(port, &n) || n == 0 || n > 65535)
        return fail(p, "%s: '%s' is not a TCP port (1 to 65535)", name, port);
    /* QEMU's chardev switches that change nothing for a listening stub. */
    for (const char *opt = colon + 1 + plen; *opt == ',';) {
        opt++;
        size_t len = strcspn(opt, ",");
        static const char *const ok[] = {"server", "server=on", "nowait", "wait=off",
                                         "ipv4", "ipv4=on", "nodelay", "nodelay=on"};
        bool known = false;
        for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++)
            known |= strlen(ok[i]) == len && strncmp(opt, ok[i], len) == 0;
        if (!known)
            return fail(p, "%s: '%.*s' is not a switch ringlab's stub takes (server, nowait, "
                           "ipv4, nodelay)", name, (int)len, opt);
        opt += len;
    }
    free(o->gdb_host);
    o->gdb_host = NULL;
    if (hostlen > 0) {
        o->gdb_host = strndup(host, hostlen);
        if (!o->gdb_host)
            return fail(p, "out of memory");
    }
    o->gdb_port = (uint16_t)n;
    o->gdb = true;
    return true;
}

static bool opt_s(struct parser *p, const char *name, const char *arg)
{
    (void)name;
    (void)arg;
    free(p->out->gdb_host);
    p->out->gdb_host = NULL;
    p->out->gdb_port = OPTIONS_GDB_PORT_DEFAULT;
    p->out->gdb = true;
    return true;
}

static bool opt_S(struct parser *p, const char *name, const char *arg)
{
    (void)name;
    (void)arg;
    p->out->start_stopped = true;
    return true;
}

static bool opt_record(struct parser *p, const char *name, const char *arg)
{
    if (arg[0] == '\0')
        return fail(p, "%s: the file name is empty", name);
    return set_string(p, strcmp(name, "--record") == 0 ? &p->out->record_file
                                                       : &p->out->replay_file, arg);
}

static bool opt_snapshot_every(struct parser *p, const char *name, const char *arg)
{
    uint64_t n;
    if (!parse_u64(arg, &n) || n < 1000)
        return fail(p, "%s: '%s' is not a number of instructions of at least 1000", name, arg);
    p->out->snapshot_every = n;
    return true;
}

static bool opt_snapshot_budget(struct parser *p, const char *name, const char *arg)
{
    uint64_t bytes;
    if (strcmp(arg, "0") == 0) {
        p->out->snapshot_budget = 0;
        return true;
    }
    if (!parse_size(arg, &bytes))
        return fail(p, "%s: '%s' is not a size (use e.g. 64M or 1G; 0 keeps no history)", name,
                    arg);
    if (bytes < (1ull << 20))
        return fail(p, "%s: '%s' is too small for snapshots (at least 1M; 0 keeps none)", name,
                    arg);
    if (bytes > (64ull << 30))
        return fail(p, "%s: '%s' is more than 64G", name, arg);
    p->out->snapshot_budget = bytes;
    return true;
}

static bool opt_unsupported(struct parser *p, const char *name, const char *arg)
{
    (void)arg;
    if (strcmp(name, "-enable-kvm") == 0)
        return fail(p, "%s: KVM is not available: ringlab is an emulator", name);
    return fail(p, "%s: ringlab has hard disks only (use -drive or -hda)", name);
}

static bool opt_drive(struct parser *p, const char *name, const char *arg)
{
    char why[512];
    bool ok = strcmp(name, "-drive") == 0
                  ? options_drive_parse(arg, p->out->drives, why, sizeof why)
                  : options_drive_index(arg, strcmp(name, "-hda") == 0 ? 0 : 1, p->out->drives,
                                        why, sizeof why);
    return ok || fail(p, "%s: %s", name, why);
}

static bool opt_bios(struct parser *p, const char *name, const char *arg)
{
    if (arg[0] == '\0')
        return fail(p, "%s: the file name is empty", name);
    return set_string(p, &p->out->bios, arg);
}

/* --- the option table --------------------------------------------------- */

enum opt_flags {
    TAKES_ARG = 1,
    OWN = 2, /* ringlab's own: spelt with two dashes only */
};

enum flag_id {
    F_NONE,
    F_NOGRAPHIC,
    F_NO_REBOOT,
    F_NO_SHUTDOWN,
    F_REALTIME,
    F_VGA_DUMP,
    F_HELP,
    F_VERSION,
    F_NODEFAULTS,
    F_DEBUGGER,
};

struct opt_def {
    const char *name;
    unsigned flags;
    bool (*handle)(struct parser *p, const char *name, const char *arg);
    enum flag_id flag; /* for options without a handler */
};

static const struct opt_def opt_defs[] = {
    /* QEMU's spelling */
    {"kernel", TAKES_ARG, opt_kernel, F_NONE},
    {"initrd", TAKES_ARG, opt_initrd, F_NONE},
    {"append", TAKES_ARG, opt_append, F_NONE},
    {"m", TAKES_ARG, opt_m, F_NONE},
    {"nographic", 0, NULL, F_NOGRAPHIC},
    {"display", TAKES_ARG, opt_display, F_NONE},
    {"serial", TAKES_ARG, opt_serial, F_NONE},
    {"monitor", TAKES_ARG, opt_monitor, F_NONE},
    {"d", TAKES_ARG, opt_d, F_NONE},
    {"D", TAKES_ARG, opt_D, F_NONE},
    {"no-reboot", 0, NULL, F_NO_REBOOT},
    {"no-shutdown", 0, NULL, F_NO_SHUTDOWN},
    {"device", TAKES_ARG, opt_device, F_NONE},
    {"debugcon", TAKES_ARG, opt_debugcon, F_NONE},
    {"chardev", TAKES_ARG, opt_chardev, F_NONE},
    {"cpu", TAKES_ARG, opt_cpu, F_NONE},
    {"machine", TAKES_ARG, opt_machine, F_NONE},
    {"M", TAKES_ARG, opt_machine, F_NONE},
    {"smp", TAKES_ARG, opt_smp, F_NONE},
    {"accel", TAKES_ARG, opt_accel, F_NONE},
    {"net", TAKES_ARG, opt_net, F_NONE},
    {"nic", TAKES_ARG, opt_net, F_NONE},
    {"nodefaults", 0, NULL, F_NODEFAULTS},
    {"h", 0, NULL, F_HELP},
    {"help", 0, NULL, F_HELP},
    {"version", 0, NULL, F_VERSION},
    {"S", 0, opt_S, F_NONE},
    {"s", 0, opt_s, F_NONE},
    {"gdb", TAKES_ARG, opt_gdb, F_NONE},
    {"drive", TAKES_ARG, opt_drive, F_NONE},
    {"hda", TAKES_ARG, opt_drive, F_NONE},
    {"hdb", TAKES_ARG, opt_drive, F_NONE},
    {"bios", TAKES_ARG, opt_bios, F_NONE},
    /* QEMU's, refused with a reason */
    {"enable-kvm", 0, opt_unsupported, F_NONE},
    {"fda", TAKES_ARG, opt_unsupported, F_NONE},
    {"cdrom", TAKES_ARG, opt_unsupported, F_NONE},
    /* ringlab's own */
    {"trace", TAKES_ARG | OWN, opt_trace, F_NONE},
    {"max-insns", TAKES_ARG | OWN, opt_max_insns, F_NONE},
    {"timeout", TAKES_ARG | OWN, opt_timeout, F_NONE},
    {"realtime", OWN, NULL, F_REALTIME},
    {"vga-dump", OWN, NULL, F_VGA_DUMP},
    {"load-addr", TAKES_ARG | OWN, opt_load_addr, F_NONE},
    {"debugger", OWN, NULL, F_DEBUGGER},
    {"debugger-script", TAKES_ARG | OWN, opt_debugger_script, F_NONE},
    {"ui-script", TAKES_ARG | OWN, opt_ui_script, F_NONE},
    {"screenshot", TAKES_ARG | OWN, opt_screenshot, F_NONE},
    {"record", TAKES_ARG | OWN, opt_record, F_NONE},
    {"replay", TAKES_ARG | OWN, opt_record, F_NONE},
    {"snapshot-every", TAKES_ARG | OWN, opt_snapshot_every, F_NONE},
    {"snapshot-budget", TAKES_ARG | OWN, opt_snapshot_budget, F_NONE},
};

static const char *arg_hint(const char *name)
{
    static const struct {
        const char *name, *hint;
    } hints[] = {
        {"kernel", "a kernel file"},
        {"initrd", "\"module [args],module2\""},
        {"append", "a command line"},
        {"m", "a size, e.g. 128M"},
        {"display", "sdl or none"},
        {"serial", "stdio, file:PATH, null or none"},
        {"monitor", "none"},
        {"d", "log items, e.g. int,cpu_reset"},
        {"D", "a log file"},
        {"device", "isa-debug-exit[,iobase=0xf4][,iosize=0x04]"},
        {"debugcon", "stdio, file:PATH, null or none"},
        {"chardev", "file,id=ID,path=FILE or stdio,id=ID"},
        {"cpu", "a CPU model, e.g. qemu32"},
        {"machine", "a machine, e.g. pc or pc,accel=tcg"},
        {"M", "a machine, e.g. pc or pc,accel=tcg"},
        {"smp", "a number of CPUs, 1 to 8"},
        {"drive", "file=F,index=N,media=disk,format=raw[,snapshot=on]"},
        {"hda", "a raw disk image"},
        {"hdb", "a raw disk image"},
        {"bios", "a ROM image"},
        {"trace", "a file for JSON lines"},
        {"max-insns", "a number of instructions"},
        {"timeout", "a number of seconds"},
        {"load-addr", "an address, e.g. 0x100000"},
        {"debugger-script", "a file of debugger commands"},
        {"ui-script", "a file of view commands"},
        {"screenshot", "a .png file"},
        {"gdb", "tcp::PORT or tcp:HOST:PORT"},
        {"record", "a file for the input"},
        {"replay", "a file written by --record"},
        {"snapshot-every", "a number of instructions"},
        {"snapshot-budget", "a size, e.g. 256M"},
    };
    for (size_t i = 0; i < sizeof hints / sizeof hints[0]; i++)
        if (strcmp(hints[i].name, name) == 0)
            return hints[i].hint;
    return "a value";
}

static void options_init(struct options *o)
{
    memset(o, 0, sizeof *o);
    o->ram_bytes = OPTIONS_RAM_DEFAULT;
    o->display = DISPLAY_DEFAULT;
    o->serial.kind = CHARDEV_STDIO;
    o->debugcon.kind = CHARDEV_NONE;
    o->debugcon_port = 0xE9;
    o->cpus = 1;
    o->debug_exit_iobase = OPTIONS_DEBUG_EXIT_IOBASE;
    o->debug_exit_iosize = OPTIONS_DEBUG_EXIT_IOSIZE;
    o->help_topic = HELP_USAGE;
    o->snapshot_every = OPTIONS_SNAPSHOT_EVERY_DEFAULT;
    o->snapshot_budget = OPTIONS_SNAPSHOT_BUDGET_DEFAULT;
}

enum options_result options_parse(int argc, char **argv, struct options *out, char *err,
                                  size_t errlen)
{
    struct parser p = {.out = out, .err = err, .errlen = errlen};
    bool display_given = false, help = false, version = false;
    bool only_positional = false;

    options_init(out);
    if (errlen > 0)
        err[0] = '\0';

    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (only_positional || a[0] != '-' || a[1] == '\0') {
            if (p.positional) {
                fail(&p, "'%s': only one IMAGE may be given (already have '%s')", a,
                     p.positional);
                return OPTIONS_ERROR;
            }
            if (a[0] == '\0') {
                fail(&p, "the IMAGE name is empty");
                return OPTIONS_ERROR;
            }
            p.positional = a;
            continue;
        }
        if (strcmp(a, "--") == 0) {
            only_positional = true;
            continue;
        }

        bool two_dashes = a[1] == '-';
        const char *body = a + (two_dashes ? 2 : 1);
        const char *eq = two_dashes ? strchr(body, '=') : NULL;
        size_t nlen = eq ? (size_t)(eq - body) : strlen(body);

        const struct opt_def *def = NULL;
        for (size_t k = 0; k < sizeof opt_defs / sizeof opt_defs[0]; k++) {
            if (strlen(opt_defs[k].name) == nlen && strncmp(opt_defs[k].name, body, nlen) == 0) {
                def = &opt_defs[k];
                break;
            }
        }
        /* The option's name as the user wrote it, for messages. */
        char name[48];
        snprintf(name, sizeof name, "%.*s", (int)(nlen + (size_t)(body - a)), a);
        if (!def || ((def->flags & OWN) && !two_dashes)) {
            if (def)
                fail(&p, "%s: ringlab's own options take two dashes (--%s)", name, def->name);
            else
                fail(&p, "%s: unknown option", name);
            return OPTIONS_ERROR;
        }

        const char *arg = NULL;
        if (def->flags & TAKES_ARG) {
            if (eq)
                arg = eq + 1;
            else if (i + 1 < argc)
                arg = argv[++i];
            else {
                fail(&p, "%s: needs an argument (%s)", name, arg_hint(def->name));
                return OPTIONS_ERROR;
            }
        } else if (eq) {
            fail(&p, "%s: takes no argument", name);
            return OPTIONS_ERROR;
        }

        if (def->handle) {
            enum options_help_topic before = out->help_topic;
            if (!def->handle(&p, name, arg))
                return OPTIONS_ERROR;
            if (out->help_topic != before)
                help = true;
            if (strcmp(def->name, "display") == 0)
                display_given = true;
            continue;
        }
        switch (def->flag) {
        case F_NOGRAPHIC:
            out->nographic = true;
            break;
        case F_NO_REBOOT:
            out->no_reboot = true;
            break;
        case F_NO_SHUTDOWN:
            out->no_shutdown = true;
            break;
        case F_REALTIME:
            out->realtime = true;
            break;
        case F_VGA_DUMP:
            out->vga_dump = true;
            break;
        case F_DEBUGGER:
            out->debugger = true;
            break;
        case F_HELP:
            help = true;
            out->help_topic = HELP_USAGE;
            break;
        case F_VERSION:
            version = true;
            break;
        case F_NODEFAULTS:
        case F_NONE:
            break;
        }
    }

    /* Help and version win over everything else, as in QEMU. */
    if (help)
        return OPTIONS_HELP;
    if (version)
        return OPTIONS_VERSION;
    if (!connect_debugcon(&p))
        return OPTIONS_ERROR;

    if (p.positional) {
        if (p.kernel_given) {
            fail(&p, "'%s': an IMAGE and -kernel '%s' were both given; use one", p.positional,
                 out->image);
            return OPTIONS_ERROR;
        }
        if (!set_string(&p, &out->image, p.positional))
            return OPTIONS_ERROR;
    }
    if (out->nographic) {
        if (display_given) {
            fail(&p, "-nographic: cannot be used with -display");
            return OPTIONS_ERROR;
        }
        out->display = DISPLAY_NONE;
    }
    if ((out->ui_script || out->screenshot) && out->display == DISPLAY_NONE) {
        fail(&p, "%s: needs the view, so it cannot be used with %s",
             out->ui_script ? "--ui-script" : "--screenshot",
             out->nographic ? "-nographic" : "-display none");
        return OPTIONS_ERROR;
    }
    if ((out->ui_script || out->screenshot) && out->debugger) {
        fail(&p, "%s: the view and the terminal debugger (--debugger) cannot both run",
             out->ui_script ? "--ui-script" : "--screenshot");
        return OPTIONS_ERROR;
    }
    if (out->debugger && out->display == DISPLAY_SDL) {
        fail(&p, "-display sdl: the view and the terminal debugger (--debugger) cannot both run");
        return OPTIONS_ERROR;
    }
    if (out->ui_script || out->screenshot)
        out->display = DISPLAY_SDL;
    if (out->start_stopped && !out->gdb) {
        fail(&p, "-S: the CPU would wait for a debugger: give -s or -gdb tcp::PORT too "
                 "(or use --debugger)");
        return OPTIONS_ERROR;
    }
    if (out->gdb && out->debugger) {
        fail(&p, "%s: one debugger at a time: the gdb stub or the text debugger",
             out->debugger_script ? "--debugger-script" : "--debugger");
        return OPTIONS_ERROR;
    }
    if (out->record_file && out->replay_file) {
        fail(&p, "--replay: cannot be used with --record");
        return OPTIONS_ERROR;
    }
    if (out->realtime && (out->record_file || out->replay_file)) {
        fail(&p, "%s: a recording needs the virtual clock, not --realtime",
             out->record_file ? "--record" : "--replay");
        return OPTIONS_ERROR;
    }
    if ((out->module_count > 0 || out->append) && !out->image) {
        fail(&p, "%s: needs a kernel (-kernel FILE)", out->module_count > 0 ? "-initrd" : "-append");
        return OPTIONS_ERROR;
    }
    return OPTIONS_OK;
}

void options_free(struct options *o)
{
    free(o->image);
    free_modules(o);
    free(o->append);
    free(o->serial.path);
    free(o->debugcon.path);
    free(o->log_file);
    free(o->cpu_model);
    for (int i = 0; i < OPTIONS_MAX_DRIVES; i++)
        free(o->drives[i].path);
    free(o->bios);
    options_chardev_free(&o->chardevs);
    free(o->trace_file);
    free(o->debugger_script);
    free(o->ui_script);
    free(o->screenshot);
    free(o->gdb_host);
    free(o->record_file);
    free(o->replay_file);
    memset(o, 0, sizeof *o);
}

/* --- help ---------------------------------------------------------------- */

static const char help_text[] =
    "Usage: ringlab [options] [IMAGE]\n"
    "       ringlab [options] -kernel FILE [-initrd \"MOD [ARGS],MOD2\"] [-append CMDLINE]\n"
    "       ringlab pg audit [--umip] [--format table|csv|json|markdown]\n"
    "       ringlab pg vmm --strategy trap [options] [IMAGE]\n"
    "       ringlab pg vmm --strategy pv [options] [IMAGE]\n"
    "       ringlab pg vmm --strategy hw [--vmcs] [--exit-on LIST] [options] [IMAGE]\n"
    "       ringlab [options] -drive file=DISK,index=0,media=disk,format=raw\n"
    "\n"
    "An IA-32 PC that boots Multiboot kernels the way qemu-system-i386 -kernel\n"
    "does, or disks through its firmware, and shows every privilege transition\n"
    "and fault.  Without an IMAGE, -kernel or a disk, the bundled guest kernel\n"
    "boots.  `ringlab pg audit` runs the Popek-Goldberg audit of the instruction\n"
    "set, `ringlab pg vmm` the guest under a monitor ('ringlab pg --help').\n"
    "\n"
    "QEMU-compatible options (QEMU's spelling; one or two dashes):\n"
    "  -kernel FILE         the Multiboot kernel (ELF32, a.out kludge), started\n"
    "                       with the BIOS data area, MP and ACPI tables in memory;\n"
    "                       a lone IMAGE may also be a flat binary (see\n"
    "                       --load-addr) or a disk image (boot sector: -hda)\n"
    "  -drive file=F[,index=N][,media=disk][,format=raw][,snapshot=on]\n"
    "                       a raw disk on the IDE channel: index 0 master, 1\n"
    "                       slave; writes reach F unless snapshot=on\n"
    "  -hda F, -hdb F       the same for index 0 and 1\n"
    "  -bios FILE           the ROM started at the reset vector when there is no\n"
    "                       -kernel (default: ringlab's own firmware, bios.bin)\n"
    "  -initrd \"F [A],F2\"   Multiboot modules, comma-separated, each \"file [args]\";\n"
    "                       write ,, for a comma inside a module's arguments\n"
    "  -append CMDLINE      the kernel's command line\n"
    "  -m SIZE              RAM size: MiB, or with suffix K, M, G (also size=SIZE);\n"
    "                       2M to 3G, default 128M\n"
    "  -nographic           no window; the serial port is on the terminal\n"
    "  -display sdl|none    the debug view's window, or none; by default the view\n"
    "                       opens when DISPLAY or WAYLAND_DISPLAY is set (exit\n"
    "                       status 14 when a window was asked for and cannot open)\n"
    "  -serial DEV          COM1: stdio (also mon:stdio), file:PATH, null, none;\n"
    "                       default stdio\n"
    "  -debugcon DEV        the port 0xE9 console: stdio, file:PATH, null, none;\n"
    "                       default none\n"
    "  -monitor none        accepted (ringlab has no QEMU monitor)\n"
    "  -d ITEMS             log items, comma-separated: int, unimp, cpu_reset,\n"
    "                       guest_errors (-d help lists them)\n"
    "  -D FILE              write the -d log to FILE instead of stderr\n"
    "  -no-reboot           exit on a triple fault instead of resetting the machine\n"
    "  -no-shutdown         accepted\n"
    "  -device isa-debug-exit[,iobase=ADDR][,iosize=N]\n"
    "                       a write of V to the port exits with status (V << 1) | 1;\n"
    "                       default iobase=0x501, iosize=2 (as QEMU)\n"
    "  -device isa-debugcon[,iobase=PORT][,chardev=ID]\n"
    "                       the debug console on PORT (default 0xE9), to -chardev ID\n"
    "  -chardev file,id=ID,path=FILE | stdio,id=ID | null,id=ID\n"
    "                       a character device for chardev=ID\n"
    "  -cpu MODEL[,+F|,-F]  accepted for 32-bit models and max (-cpu help); the\n"
    "                       CPU is qemu32-class whatever the name; features\n"
    "                       F: apic, sep, tsc\n"
    "  -machine [type=]pc[,NAME=VALUE...], -M ...\n"
    "                       the one machine, pc (also pc-i440fx-X.Y, or left out);\n"
    "                       properties as ringlab's pc has them: accel=tcg,\n"
    "                       hpet, usb, sata, smbus, smm, vmport =off; pic, pit,\n"
    "                       i8042 =on (-machine help, -machine pc,help list them)\n"
    "  -smp N               N CPUs (1 to 8), taking turns of 20000 instructions;\n"
    "                       the others wait for the BSP's INIT and start-up IPIs\n"
    "  -accel tcg           accepted; -enable-kvm and other accelerators are refused\n"
    "  -net none, -nic none, -nodefaults\n"
    "                       accepted (ringlab has no network card)\n"
    "  -s                   the gdb stub on TCP port 1234 (-gdb tcp::1234)\n"
    "  -gdb tcp:[HOST]:PORT the gdb stub on PORT; HOST empty: the loopback\n"
    "                       address (QEMU listens on all); -gdb none: no stub\n"
    "  -S                   with -s or -gdb: wait for gdb at the first instruction\n"
    "  -h, -help, --help    print this help and exit\n"
    "  -version, --version  print the version and exit\n"
    "\n"
    "ringlab's own options (two dashes; --opt=VALUE also works):\n"
    "  --trace FILE         write every event as one JSON object per line\n"
    "  --max-insns N        stop after N instructions (exit status 8)\n"
    "  --timeout SECONDS    stop after SECONDS of wall-clock time, e.g. 2.5\n"
    "                       (exit status 8)\n"
    "  --realtime           timers follow the wall clock (default: a virtual clock\n"
    "                       that advances with executed instructions)\n"
    "  --vga-dump           at exit, print the VGA text screen to stdout\n"
    "                       (for kernels that only write to 0xB8000)\n"
    "  --load-addr ADDR     load a flat (non-Multiboot) binary at ADDR and start\n"
    "                       there (default 0x100000)\n"
    "  --debugger           start stopped at the guest's first instruction, at the\n"
    "                       debugger's prompt (Bochs's words: c, s, n, b, r, x, u,\n"
    "                       until syscall, info gdt|idt|tss|tab, page ...; 'help')\n"
    "  --debugger-script FILE\n"
    "                       the debugger, reading its commands from FILE; a bad\n"
    "                       line stops the run with status 2\n"
    "  --ui-script FILE     drive the view with FILE: the debugger's commands and\n"
    "                       the view's (select-event N, key NAME, type TEXT,\n"
    "                       screenshot PATH.png, wait-frames N, model PATH)\n"
    "  --screenshot PATH.png\n"
    "                       save the view's last frame at exit\n"
    "  --record FILE        write the serial input to FILE with the instruction\n"
    "                       count and guest time at which each byte arrived\n"
    "  --replay FILE        take the serial input from FILE (stdin is not read):\n"
    "                       the run, its logs and its console are the recorded\n"
    "                       ones, and it stops where the recording stopped\n"
    "  --snapshot-every N   under the gdb stub or the debugger, a snapshot every\n"
    "                       N instructions (default 10000000), to go back in time\n"
    "  --snapshot-budget SIZE\n"
    "                       memory the snapshots may use (default 256M); the\n"
    "                       oldest go first; 0 keeps no history\n"
    "\n"
    "Exit status:\n"
    "  0                    the guest powered off, or halted for good\n"
    "  (V << 1) | 1         the guest wrote V to isa-debug-exit (always odd)\n"
    "  2                    usage error: a wrong or missing option\n"
    "  4                    an image or module that cannot be loaded\n"
    "  6                    triple fault under -no-reboot\n"
    "  8                    --max-insns or --timeout reached\n"
    "  10                   the host failed: a file, memory, the engine\n"
    "  12                   the guest left the machine, e.g. ran code outside RAM\n"
    "  14                   the view was asked for and cannot open: no display, no\n"
    "                       font, or ringlab was built without it\n"
    "\n"
    "Example (an OS course's make qemu line, with ringlab for qemu-system-i386):\n"
    "  ringlab -kernel kernel.elf -initrd \"mod1 arg,mod2\" -append \"console=ttyS0\" \\\n"
    "          -m 128 -nographic -d int -D int.log -no-reboot \\\n"
    "          -device isa-debug-exit,iobase=0xf4,iosize=0x04\n"
    "\n"
    "See ringlab(1) for the trace formats.\n";

/* The help text names the statuses by number: keep it honest. */
_Static_assert(RL_EXIT_POWEROFF == 0 && RL_EXIT_USAGE == 2 && RL_EXIT_BAD_IMAGE == 4 &&
                   RL_EXIT_TRIPLE_FAULT == 6 && RL_EXIT_LIMIT == 8 && RL_EXIT_HOST == 10 &&
                   RL_EXIT_GUEST_ERROR == 12 && RL_EXIT_NO_VIEW == 14,
               "update the exit statuses in options.c and doc/ringlab.1");

void options_print_help(FILE *f)
{
    fputs(help_text, f);
}

void options_print_help_topic(FILE *f, enum options_help_topic topic)
{
    switch (topic) {
    case HELP_USAGE:
        options_print_help(f);
        break;
    case HELP_LOG_ITEMS:
        fputs("Log items (comma separated):\n", f);
        for (size_t i = 0; i < sizeof log_items / sizeof log_items[0]; i++)
            fprintf(f, "%-15s %s\n", log_items[i].name, log_items[i].help);
        break;
    case HELP_DEVICES:
        fputs("Devices ringlab can add with -device:\n"
              "isa-debug-exit  properties: iobase (default 0x501), iosize (default 0x02, "
              "1 to 4)\n"
              "isa-debugcon    properties: iobase (default 0xe9), chardev (a -chardev id)\n",
              f);
        break;
    case HELP_CPUS:
        fputs("CPU models accepted by -cpu (ringlab emulates a qemu32-class CPU):\n", f);
        for (size_t i = 0; i < sizeof cpu_models / sizeof cpu_models[0]; i++)
            fprintf(f, "  %s\n", cpu_models[i]);
        fputs("  max        qemu32 with apic, sep and tsc\n"
              "Features a model may be given with +FEATURE or -FEATURE (FEATURE=on|off):\n"
              "  apic       the local APIC (and the I/O APIC) and CPUID's APIC bit\n"
              "  sep        SYSENTER/SYSEXIT (without: #UD) and CPUID's SEP bit\n"
              "  tsc        RDTSC (without: #UD) and CPUID's TSC bit\n",
              f);
        break;
    case HELP_MACHINES:
    case HELP_MACHINE_PROPERTIES:
        options_machine_print_help(f, topic);
        break;
    }
}

void options_print_version(FILE *f)
{
    fprintf(f, "ringlab %s\n", PACKAGE_VERSION);
}
