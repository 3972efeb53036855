/* The -d log in qemu-system-i386 7.2's format (see qemu_log.h): the event
 * line of do_interrupt_all, "Servicing hardware INT", "Triple fault" and
 * "CPU Reset", plus ringlab's own short dump and -d unimp reports.  Write
 * errors are remembered and reported when the log is closed. */
#include "trace/qemu_log.h"

#include <errno.h>
#include <stdarg.h>
#include <string.h>

static void note_error(struct qemu_log *log, int err)
{
    if (log->error == 0)
        log->error = err ? err : EIO;
}

static void out(struct qemu_log *log, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void out(struct qemu_log *log, const char *fmt, ...)
{
    va_list ap;
    if (!log->f)
        return;
    errno = 0;
    va_start(ap, fmt);
    int n = vfprintf(log->f, fmt, ap);
    va_end(ap);
    if (n < 0)
        note_error(log, errno);
}

bool qemu_log_open(struct qemu_log *log, const char *path, unsigned items, char *err,
                   size_t errlen)
{
    memset(log, 0, sizeof *log);
    log->items = items;
    if (!path) {
        log->f = stderr;
        return true;
    }
    snprintf(log->path, sizeof log->path, "%s", path);
    log->f = fopen(path, "w");
    if (!log->f) {
        snprintf(err, errlen, "-D: %s: %s", path, strerror(errno));
        return false;
    }
    log->owned = true;
    return true;
}

/* The line QEMU 7.2 prints in do_interrupt_all (protected mode):
 *   "%6d: v=%02x e=%04x i=%d cpl=%d IP=%04x:%08x pc=%08x SP=%04x:%08x"
 * then " CR2=%08x" for vector 0x0e, else " env->regs[R_EAX]=%08x".
 * IP and SP are the state before delivery; for INT n, IP is the address of
 * the INT instruction; i=1 only for INT n, INT3 and INTO. */
static void event_line(struct qemu_log *log, const struct trace_event *ev)
{
    const struct trace_point *b = &ev->before;
    out(log, "%6llu: v=%02x e=%04x i=%d cpl=%u IP=%04x:%08x pc=%08x SP=%04x:%08x",
        (unsigned long long)log->count, (unsigned)ev->vector & 0xff,
        ev->has_error_code ? ev->error_code : 0u, ev->kind == TRACE_SOFTWARE_INT ? 1 : 0,
        (unsigned)b->cpl, (unsigned)b->cs, b->eip, ev->pc, (unsigned)b->ss, b->esp);
    if (ev->vector == 0x0e)
        out(log, " CR2=%08x\n", ev->cr2);
    else
        out(log, " env->regs[R_EAX]=%08x\n", ev->eax);
    log->count++;
    log->last = QEMU_LOG_LAST_OTHER;
}

/* ringlab's short dump in place of QEMU's register dump: indented, so it
 * never matches the event-line pattern. */
static void event_dump(struct qemu_log *log, const struct trace_event *ev)
{
    const char *mn = trace_vector_mnemonic(ev->vector);
    const char *what = ev->kind == TRACE_EXCEPTION      ? "exception"
                       : ev->kind == TRACE_SOFTWARE_INT ? "software interrupt"
                                                        : "hardware interrupt";
    out(log, "        %s%s%s at icount %llu, EFL=%08x CR3=%08x\n", mn && ev->kind == TRACE_EXCEPTION ? mn : "",
        mn && ev->kind == TRACE_EXCEPTION ? " " : "", what, (unsigned long long)ev->icount,
        ev->before.eflags, ev->cr3);
    if (ev->delivered) {
        const struct trace_point *a = &ev->after;
        out(log, "        -> CS:EIP=%04x:%08x SS:ESP=%04x:%08x CPL=%u EFL=%08x via %s gate",
            (unsigned)a->cs, a->eip, (unsigned)a->ss, a->esp, (unsigned)a->cpl, a->eflags,
            trace_gate_name(ev->gate));
        if (ev->stack_switched)
            out(log, ", stack from TSS %04x", (unsigned)ev->tss_selector);
        out(log, "\n");
    } else {
        out(log, "        -> not delivered\n");
    }
    size_t n = strnlen(ev->explain, sizeof ev->explain);
    if (n > 0)
        out(log, "        why: %.*s\n", (int)n, ev->explain);
}

/* QEMU 7.2 prints no event line for a delivery in real-address mode
 * (do_interrupt_all logs only with CR0.PE set); ringlab says what
 * happened in its own indented line, which no comparison matches. */
static void real_mode_dump(struct qemu_log *log, const struct trace_event *ev)
{
    const struct trace_point *b = &ev->before, *a = &ev->after;
    const char *what = ev->kind == TRACE_EXCEPTION      ? "exception"
                       : ev->kind == TRACE_SOFTWARE_INT ? "INT"
                                                        : "IRQ";
    out(log, "        real mode: %s 0x%02x at %04x:%04x FLAGS=%04x", what,
        (unsigned)ev->vector & 0xff, (unsigned)b->cs, b->eip & 0xffff, b->eflags & 0xffff);
    if (ev->delivered)
        out(log, " -> %04x:%04x SS:SP=%04x:%04x through the IVT\n", (unsigned)a->cs,
            a->eip & 0xffff, (unsigned)a->ss, a->esp & 0xffff);
    else
        out(log, " -> not delivered\n");
    size_t n = strnlen(ev->explain, sizeof ev->explain);
    if (n > 0)
        out(log, "        why: %.*s\n", (int)n, ev->explain);
    log->last = QEMU_LOG_LAST_OTHER;
}

static bool print_triple_fault(struct qemu_log *log);
static bool print_cpu_reset(struct qemu_log *log);

void qemu_log_event(void *opaque, const struct trace_event *ev)
{
    struct qemu_log *log = opaque;
    switch (ev->kind) {
    case TRACE_HARDWARE_INT:
        if (!(log->items & QEMU_LOG_INT))
            return;
        /* QEMU 7.2, x86_cpu_exec_interrupt: logged before the delivery. */
        out(log, "Servicing hardware INT=0x%02x\n", (unsigned)ev->vector & 0xff);
        /* fall through */
    case TRACE_EXCEPTION:
    case TRACE_SOFTWARE_INT:
        if (!(log->items & QEMU_LOG_INT))
            return;
        if (ev->real_mode) {
            real_mode_dump(log, ev);
            return;
        }
        event_line(log, ev);
        event_dump(log, ev);
        return;
    case TRACE_TRIPLE_FAULT:
        log->last = print_triple_fault(log) ? QEMU_LOG_LAST_TRIPLE : QEMU_LOG_LAST_OTHER;
        if ((log->items & (QEMU_LOG_INT | QEMU_LOG_CPU_RESET)) && ev->explain[0] != '\0')
            out(log, "        why: %.*s\n", (int)strnlen(ev->explain, sizeof ev->explain),
                ev->explain);
        return;
    case TRACE_RESET:
        log->last = print_cpu_reset(log) ? QEMU_LOG_LAST_RESET : QEMU_LOG_LAST_OTHER;
        return;
    case TRACE_SYSENTER:
    case TRACE_SYSEXIT:
    case TRACE_SYSCALL:
    case TRACE_SYSRET:
    case TRACE_RETURN:
        return; /* QEMU logs none of these */
    }
}

/* QEMU 7.2, check_exception: a fault while delivering #DF. */
static bool print_triple_fault(struct qemu_log *log)
{
    if (!(log->items & QEMU_LOG_CPU_RESET))
        return false;
    out(log, "Triple fault\n");
    return true;
}

/* QEMU 7.2, cpu_common_reset: "CPU Reset (CPU %d)" before its dump. */
static bool print_cpu_reset(struct qemu_log *log)
{
    if (!(log->items & QEMU_LOG_CPU_RESET))
        return false;
    out(log, "CPU Reset (CPU 0)\n");
    return true;
}

void qemu_log_triple_fault(struct qemu_log *log)
{
    bool echo = log->last == QEMU_LOG_LAST_TRIPLE;
    log->last = QEMU_LOG_LAST_OTHER;
    if (!echo)
        print_triple_fault(log);
}

void qemu_log_cpu_reset(struct qemu_log *log)
{
    bool echo = log->last == QEMU_LOG_LAST_RESET;
    log->last = QEMU_LOG_LAST_OTHER;
    if (!echo)
        print_cpu_reset(log);
}

static bool bit_test_and_set(uint8_t *map, unsigned bit)
{
    uint8_t m = (uint8_t)(1u << (bit & 7));
    bool was = (map[bit >> 3] & m) != 0;
    map[bit >> 3] |= m;
    return was;
}

void qemu_log_unimp(struct qemu_log *log, uint16_t port, bool write, uint32_t value, int size)
{
    if (!(log->items & QEMU_LOG_UNIMP))
        return;
    if (bit_test_and_set(log->unimp_seen[write ? 1 : 0], port))
        return;
    int digits = size >= 4 ? 8 : size == 2 ? 4 : 2;
    uint32_t shown = size >= 4 ? value : value & ((1u << (8 * size)) - 1);
    log->last = QEMU_LOG_LAST_OTHER;
    if (write)
        out(log, "unassigned I/O port 0x%04x: write of %d byte%s, 0x%0*x discarded\n",
            (unsigned)port, size, size == 1 ? "" : "s", digits, shown);
    else
        out(log, "unassigned I/O port 0x%04x: read of %d byte%s returns 0x%0*x\n",
            (unsigned)port, size, size == 1 ? "" : "s", digits, shown);
}

void qemu_log_msg(struct qemu_log *log, unsigned item, const char *fmt, ...)
{
    va_list ap;
    if (!(log->items & item) || !log->f)
        return;
    errno = 0;
    va_start(ap, fmt);
    int n = vfprintf(log->f, fmt, ap);
    va_end(ap);
    if (n < 0)
        note_error(log, errno);
    out(log, "\n");
    log->last = QEMU_LOG_LAST_OTHER;
}

bool qemu_log_close(struct qemu_log *log)
{
    if (!log->f)
        return log->error == 0;
    if (fflush(log->f) != 0)
        note_error(log, errno);
    if (ferror(log->f))
        note_error(log, EIO);
    if (log->owned && fclose(log->f) != 0)
        note_error(log, errno);
    log->f = NULL;
    if (log->error) {
        if (log->owned)
            snprintf(log->msg, sizeof log->msg, "-D: %s: %s", log->path,
                     strerror(log->error));
        else
            snprintf(log->msg, sizeof log->msg, "-d: writing the log to stderr: %s",
                     strerror(log->error));
        return false;
    }
    return true;
}

const char *qemu_log_error(const struct qemu_log *log)
{
    return log->error ? log->msg : NULL;
}
