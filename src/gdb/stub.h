/* The gdb remote stub: a front end that serves one gdb at a time on a TCP
 * port (QEMU's -s, -S, -gdb tcp::PORT) and drives the machine through
 * control.h for it: registers with ringlab's system registers, memory
 * through the current page tables (or physical after `monitor phys`),
 * breakpoints kept by the machine, watchpoints of the three kinds,
 * stepping, Ctrl-C, `monitor` lines run by the debugger's interpreter, and
 * reverse stepping and continuing over the machine's history. */
#ifndef RINGLAB_GDB_STUB_H
#define RINGLAB_GDB_STUB_H

#include <stdbool.h>
#include <stdint.h>

#include "debug/symbols.h"
#include "front/runner.h"
#include "trace/qemu_log.h"

struct console;
struct strbuf;

struct gdb_stub_config {
    const char *host; /* the address to listen on; NULL: 127.0.0.1 */
    uint16_t port;
    bool start_stopped;       /* -S: wait for gdb before the first instruction */
    struct runner *runner;
    struct console *console;  /* the terminal the guest's COM1 uses */
    const struct symbols *symbols; /* for `monitor` (may be NULL) */
    struct qemu_log *qlog;    /* for the exit report (may be NULL) */
    double timeout_s;
    /* Under `pg vmm`: the monitor's `info vmm` for `monitor info vmm`. */
    void (*vmm_info)(void *opaque, struct strbuf *out);
    void *vmm_opaque;
};

/* Serve until the guest ends, gdb kills it, or ringlab is told to quit;
 * returns ringlab's exit status.  Problems with a client are one line on
 * stderr each; the guest keeps its state and the next client attaches. */
int gdb_serve(const struct gdb_stub_config *cfg);

#endif
