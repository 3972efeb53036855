/* The SDL debug view: the machine in a window, panel by panel (rings,
 * registers, code, stack, timeline, page-fault explainer, address space,
 * tables, console), driven by keys, the mouse or a --ui-script.  It reads
 * the machine only through inspect.h and drives it only through control.h
 * (by way of the debugger's interpreter and the runner).  This header is
 * what main.c needs. */
#ifndef RINGLAB_VIEW_H
#define RINGLAB_VIEW_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "front/runner.h"
#include "trace/qemu_log.h"

/* What COM1 wrote, kept for the console panel (and copied to a file when
 * -serial file:PATH asked for one). */
struct strbuf;
struct vmm_status;
struct view_serial;
struct view_serial *view_serial_create(FILE *copy);
void view_serial_destroy(struct view_serial *s);
/* machine_config.serial_out */
void view_serial_put(void *opaque, uint8_t byte);

struct view_config {
    struct runner *runner;       /* its io is set by the view */
    struct view_serial *serial;
    struct qemu_log *qlog;       /* for the exit status of a triple fault */
    double timeout_s;            /* --timeout, for its message */
    const char *kernel_path;     /* symbols */
    const char *initrd_path;     /* the bundled kernel's programs, NULL for none */
    bool bundled;                /* the bundled kernel: name its system calls */
    const char *script;          /* --ui-script FILE, NULL for none */
    const char *screenshot;      /* --screenshot PATH.png at exit, NULL for none */
    /* Under `pg vmm`: the monitor's `info vmm` and its account for the
     * monitor panel (opaque: the monitor); NULL: no monitor. */
    void (*vmm_info)(void *opaque, struct strbuf *out);
    void (*vmm_status)(void *opaque, struct vmm_status *out);
    void *vmm_opaque;
};

/* Open the window.  On failure: false, one line in err (exit status
 * RL_EXIT_NO_VIEW): no display, or no font. */
struct view;
struct view *view_open(const struct view_config *cfg, char *err, size_t errlen);
/* Run the session until the person or the script leaves; returns the exit
 * status. */
int view_run(struct view *v);
void view_close(struct view *v);

#endif
