/* The -d log: QEMU-compatible text.  Under -d int every exception and
 * interrupt delivery attempt becomes the line qemu-system-i386 7.2 prints
 * (target/i386/tcg/seg_helper.c, do_interrupt_all), byte for byte:
 *
 *      2: v=0e e=0006 i=0 cpl=3 IP=001b:001000fe pc=001000fe SP=0023:00104868 CR2=00800000
 *
 * so that a QEMU log and a ringlab log can be compared line by line with
 * `grep -E '^ *[0-9]+: v='`.  Where QEMU follows the line with its full
 * register dump, ringlab prints a shorter one of its own (what the event
 * changed, and why); those lines never match the pattern above. */
#ifndef RINGLAB_QEMU_LOG_H
#define RINGLAB_QEMU_LOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "trace/event.h"

/* The -d items, the same bits as struct options' log_items. */
#define QEMU_LOG_INT (1u << 0)          /* "int": the event lines */
#define QEMU_LOG_UNIMP (1u << 1)        /* "unimp": unassigned I/O ports */
#define QEMU_LOG_CPU_RESET (1u << 2)    /* "cpu_reset": triple fault, reset */
#define QEMU_LOG_GUEST_ERRORS (1u << 3) /* "guest_errors" */

struct qemu_log {
    FILE *f;
    bool owned;      /* f was opened here (not stderr) */
    unsigned items;  /* QEMU_LOG_* */
    uint64_t count;  /* QEMU's per-process counter: lines printed so far */
    int error;       /* the first write error (errno), 0 if none */
    /* The last line was "Triple fault" / "CPU Reset" written for an event:
     * a direct call right after it reports the same thing and prints
     * nothing, so the machine's event and main's call give one line. */
    enum { QEMU_LOG_LAST_OTHER, QEMU_LOG_LAST_TRIPLE, QEMU_LOG_LAST_RESET } last;
    char path[256];  /* for messages */
    char msg[320];   /* the error message qemu_log_close reports */
    /* unassigned ports already reported: [0] reads, [1] writes */
    uint8_t unimp_seen[2][65536 / 8];
};

/* Open the log: path, or stderr when path is NULL (QEMU's default without
 * -D).  items is the -d mask.  The file is opened even when items is 0, so
 * that a bad -D path is reported at start-up. */
bool qemu_log_open(struct qemu_log *log, const char *path, unsigned items, char *err,
                   size_t errlen);

/* A trace_sink.emit: under -d int, one line (and the short dump) for each
 * exception, software or hardware interrupt, counted as QEMU counts them;
 * under -d cpu_reset, "Triple fault" and "CPU Reset (CPU 0)" for those
 * events (with the reason under either item).  Other kinds (sysenter,
 * syscall, returns) print nothing: QEMU does not log them. */
void qemu_log_event(void *opaque, const struct trace_event *ev);

/* -d unimp: a guest access to an I/O port nothing decodes.  Each port is
 * reported once for reads and once for writes.  For a read, value is what
 * the guest received (all ones). */
void qemu_log_unimp(struct qemu_log *log, uint16_t port, bool write, uint32_t value,
                    int size);

/* -d cpu_reset: the lines QEMU prints, for callers without an event.  Each
 * prints nothing when the last line written was the same one, written for
 * the TRACE_TRIPLE_FAULT or TRACE_RESET event of the same occasion. */
void qemu_log_triple_fault(struct qemu_log *log);
void qemu_log_cpu_reset(struct qemu_log *log);

/* A free-form line under one item (e.g. QEMU_LOG_GUEST_ERRORS); a newline
 * is added. */
void qemu_log_msg(struct qemu_log *log, unsigned item, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Flush and close; false if any write failed, with qemu_log_error() saying
 * which file and why. */
bool qemu_log_close(struct qemu_log *log);
const char *qemu_log_error(const struct qemu_log *log);

#endif
