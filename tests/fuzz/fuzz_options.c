/* Fuzz harness: the command-line parser (src/options.c).  The input is a
 * command line, one argument per line ('\n' ends an argument; an argument
 * ends at a NUL, as argv's strings do); "ringlab" is put in front as
 * argv[0].  Checked, for what options.h promises:
 *   - an error is one line naming the option, and the same error comes with
 *     a short message buffer, cut to fit;
 *   - an accepted line gives a RAM size of whole pages within the limits,
 *     modules with a file name and their whole text as command line, a
 *     debug-exit device inside the I/O space, a kernel wherever there are
 *     modules or an -append;
 *   - parsing has no memory of an earlier parse, and options_free leaves
 *     nothing behind (LeakSanitizer);
 *   - each line, also taken alone as the size in `-m LINE`, is accepted
 *     exactly when its exact value, rounded up to 4 KiB, lies within the
 *     limits, and gives that value (the reference below reads QEMU's size
 *     syntax in 128-bit arithmetic). */
#include <string.h>

#include "fuzz.h"
#include "options.h"

#define MAX_ARGS 64

static FILE *devnull;

static void check_error(const char *err, const char *short_err)
{
    FUZZ_CHECK(err[0] != '\0' && fuzz_one_line(err));
    /* The short buffer holds the start of the same message. */
    FUZZ_CHECK(strncmp(err, short_err, strlen(short_err)) == 0);
}

static void check_ok(const struct options *o)
{
    FUZZ_CHECK(o->ram_bytes % 4096 == 0);
    FUZZ_CHECK(o->ram_bytes >= OPTIONS_RAM_MIN && o->ram_bytes <= OPTIONS_RAM_MAX);
    FUZZ_CHECK(o->module_count == 0 || o->image != NULL);
    FUZZ_CHECK(o->append == NULL || o->image != NULL);
    FUZZ_CHECK(o->image == NULL || o->image[0] != '\0');
    for (size_t i = 0; i < o->module_count; i++) {
        const struct option_module *m = &o->modules[i];
        size_t len = strlen(m->path);
        FUZZ_CHECK(len > 0 && strchr(m->path, ' ') == NULL);
        FUZZ_CHECK(strncmp(m->cmdline, m->path, len) == 0);
        FUZZ_CHECK(m->cmdline[len] == '\0' || m->cmdline[len] == ' ');
    }
    if (o->debug_exit) {
        FUZZ_CHECK(o->debug_exit_iosize >= 1 && o->debug_exit_iosize <= 4);
        FUZZ_CHECK((uint32_t)o->debug_exit_iobase + o->debug_exit_iosize <= 0x10000);
    }
    if (o->serial.kind == CHARDEV_FILE)
        FUZZ_CHECK(o->serial.path != NULL && o->serial.path[0] != '\0');
    if (o->debugcon.kind == CHARDEV_FILE)
        FUZZ_CHECK(o->debugcon.path != NULL && o->debugcon.path[0] != '\0');
    if (o->nographic)
        FUZZ_CHECK(o->display == DISPLAY_NONE);
    FUZZ_CHECK(o->timeout_sec >= 0 && o->timeout_sec <= 1e7);
    FUZZ_CHECK(o->log_file == NULL || o->log_file[0] != '\0');
    FUZZ_CHECK(o->trace_file == NULL || o->trace_file[0] != '\0');
}

/* Two parses of the same line give the same options. */
static void check_same(const struct options *a, const struct options *b)
{
    FUZZ_CHECK(a->ram_bytes == b->ram_bytes && a->module_count == b->module_count);
    FUZZ_CHECK((a->image == NULL) == (b->image == NULL));
    FUZZ_CHECK(a->image == NULL || strcmp(a->image, b->image) == 0);
    FUZZ_CHECK(a->log_items == b->log_items && a->max_insns == b->max_insns);
    FUZZ_CHECK(a->debug_exit == b->debug_exit && a->debug_exit_iobase == b->debug_exit_iobase);
    FUZZ_CHECK(a->load_addr == b->load_addr && a->help_topic == b->help_topic);
}

typedef unsigned __int128 u128;

/* The reference for -m: QEMU's "[size=]N[.F][suffix]", N in MiB without a
 * suffix; fraction digits past the ninth ignored, as options.c documents.
 * Returns 1 with the exact byte count, 0 when the text is no size at all. */
static int ref_size(const char *s, u128 *bytes)
{
    if (strncmp(s, "size=", 5) == 0)
        s += 5;
    u128 ip = 0, frac = 0, div = 1;
    if (*s < '0' || *s > '9')
        return 0;
    for (; *s >= '0' && *s <= '9'; s++) {
        ip = ip * 10 + (unsigned)(*s - '0');
        if (ip > ((u128)1 << 40))
            return 0;
    }
    if (*s == '.') {
        s++;
        if (*s < '0' || *s > '9')
            return 0;
        for (int n = 0; *s >= '0' && *s <= '9'; s++, n++)
            if (n < 9) {
                frac = frac * 10 + (unsigned)(*s - '0');
                div *= 10;
            }
    }
    u128 unit;
    switch (*s) {
    case '\0': case 'M': case 'm': unit = (u128)1 << 20; break;
    case 'B': case 'b': unit = 1; break;
    case 'K': case 'k': unit = (u128)1 << 10; break;
    case 'G': case 'g': unit = (u128)1 << 30; break;
    case 'T': case 't': unit = (u128)1 << 40; break;
    default: return 0;
    }
    if (*s != '\0' && s[1] != '\0')
        return 0;
    *bytes = ip * unit + frac * unit / div;
    return 1;
}

static void check_m(const char *arg)
{
    char *argv[] = {"ringlab", "-m", (char *)arg, NULL};
    struct options o;
    char err[256];
    enum options_result r = options_parse(3, argv, &o, err, sizeof err);
    FUZZ_CHECK(r == OPTIONS_OK || r == OPTIONS_ERROR);
    u128 bytes;
    int sized = strchr(arg, ',') == NULL && ref_size(arg, &bytes);
    if (sized)
        bytes = (bytes + 0xfff) & ~(u128)0xfff;
    int fits = sized && bytes >= OPTIONS_RAM_MIN && bytes <= OPTIONS_RAM_MAX;
    FUZZ_CHECK((r == OPTIONS_OK) == fits);
    if (r == OPTIONS_OK)
        FUZZ_CHECK(o.ram_bytes == (uint64_t)bytes);
    else
        FUZZ_CHECK(strncmp(err, "-m: ", 4) == 0 && fuzz_one_line(err));
    options_free(&o);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (devnull == NULL && (devnull = fopen("/dev/null", "w")) == NULL)
        abort();
    char *text = malloc(size + 1);
    if (text == NULL)
        abort();
    memcpy(text, data, size);
    text[size] = '\0';
    char *argv[MAX_ARGS + 2];
    int argc = 0;
    argv[argc++] = "ringlab";
    for (char *p = text; argc < MAX_ARGS + 1;) {
        argv[argc++] = p;
        char *nl = memchr(p, '\n', (size_t)(text + size - p));
        if (nl == NULL)
            break;
        *nl = '\0';
        p = nl + 1;
    }
    argv[argc] = NULL;
    if (size == 0)
        argc = 1;

    struct options o, again;
    char err[512], short_err[16];
    enum options_result r = options_parse(argc, argv, &o, err, sizeof err);
    enum options_result r2 = options_parse(argc, argv, &again, short_err, sizeof short_err);
    FUZZ_CHECK(r == r2);
    switch (r) {
    case OPTIONS_OK:
        check_ok(&o);
        check_same(&o, &again);
        break;
    case OPTIONS_ERROR:
        check_error(err, short_err);
        break;
    case OPTIONS_HELP:
        options_print_help_topic(devnull, o.help_topic);
        break;
    case OPTIONS_VERSION:
        options_print_version(devnull);
        break;
    }
    options_free(&o);
    options_free(&again);
    /* No message buffer at all: nothing is written, nothing breaks. */
    r2 = options_parse(argc, argv, &again, NULL, 0);
    FUZZ_CHECK(r == r2);
    options_free(&again);

    for (int i = 1; i < argc; i++)
        check_m(argv[i]);
    free(text);
    return 0;
}
