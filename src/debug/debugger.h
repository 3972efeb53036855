/* The debugger's command language, in Bochs's words (c, s, n, b, r, x, u,
 * info gdt, info tab, page ...), written once: a function from a command
 * line to text.  It knows nothing of terminals.  The terminal debugger
 * (--debugger), the SDL view's script and the gdb stub's `monitor` all call
 * debugger_exec; the machine is read only through inspect.h and driven
 * only through control.h, by way of the host's run callbacks. */
#ifndef RINGLAB_DEBUGGER_H
#define RINGLAB_DEBUGGER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "control.h"
#include "debug/symbols.h"
#include "util/strbuf.h"

/* How the front end runs the machine for c, s, n and until: it waits as
 * it must (console input, idle time, its own limits) and returns why it
 * stopped.  A stop of the host's own is described by host_stop. */
enum debug_run {
    DEBUG_RUN_STOPPED, /* the run's own stop: res says which */
    DEBUG_RUN_ENDED,   /* the guest ended the machine */
    DEBUG_RUN_BROKEN,  /* the person broke in (Ctrl-A c) */
    DEBUG_RUN_HOST,    /* the host's own limit (timeout, no more input): see text */
    DEBUG_RUN_QUIT,    /* the person asked to leave */
};

struct debug_host {
    enum debug_run (*run)(void *opaque, const struct run_request *req, struct run_result *res,
                          struct strbuf *text);
    enum debug_run (*step)(void *opaque, uint64_t n, bool over, struct run_result *res,
                           struct strbuf *text);
    /* Queue bytes for the guest's serial input (the `type` command). */
    void (*type)(void *opaque, const char *bytes, size_t len);
    void *opaque;
};

enum debug_result {
    DEBUG_OK,    /* done; the text says what happened */
    DEBUG_ERROR, /* the line was wrong: the text is one line saying why */
    DEBUG_QUIT,  /* q, or the person left during a run */
};

struct debugger;

/* symbols may be NULL; it is borrowed. */
struct debugger *debugger_create(struct machine *m, const struct debug_host *host,
                                 const struct symbols *symbols);
void debugger_destroy(struct debugger *d);

/* The guest is the bundled teaching kernel: name its system calls (with
 * their arguments) in `info events` and in stops after a system call. */
void debugger_name_syscalls(struct debugger *d, bool on);

/* A monitor runs the guest (`ringlab pg vmm`): `info vmm` asks it for
 * its state (info appends text ending in a newline).  NULL: none. */
void debugger_set_vmm(struct debugger *d, void (*info)(void *opaque, struct strbuf *out),
                      void *opaque);

/* With more than one CPU: the CPU the commands refer to from now on, until
 * `cpu N` or a run chooses another (-1: the one that ran last).  The gdb
 * stub sets its thread's before a monitor line. */
void debugger_select_cpu(struct debugger *d, int cpu);
/* Run one command line; its answer is appended to out (ending in a newline
 * unless empty).  An empty line repeats the last execution command, as in
 * gdb and Bochs. */
enum debug_result debugger_exec(struct debugger *d, const char *line, struct strbuf *out);

/* Where the CPU is, in one line: "[CPL 3] 001b:0804810a <write+0xa in hello>: int 0x80"
 * ("[CPU 1, CPL 0] ..." with more than one CPU). */
void debugger_where(struct debugger *d, struct strbuf *out);

/* The help text: every command with its arguments. */
void debugger_help(struct strbuf *out);

#endif
