/* The text debugger on the terminal (--debugger) or from a file
 * (--debugger-script FILE): reads command lines, hands them to the
 * debugger's interpreter, prints its answers.  At a terminal the prompt has
 * line editing and history (libedit); `c` gives the terminal to the guest
 * until Ctrl-A c or a stop. */
#ifndef RINGLAB_REPL_H
#define RINGLAB_REPL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "front/console.h"
#include "debug/symbols.h"
#include "front/runner.h"
#include "trace/qemu_log.h"
#include "util/strbuf.h"

struct repl_script {
    FILE *f;
    char path[256];
    unsigned line; /* the number of the last line read */
};

/* Open a script; false with one line in err (exit status 2). */
bool repl_script_open(struct repl_script *s, const char *path, char *err, size_t errlen);
void repl_script_close(struct repl_script *s);

struct repl_config {
    struct runner *runner;
    struct console *console;   /* the terminal the guest shares with the prompt */
    struct qemu_log *qlog;     /* for the exit status of a triple fault */
    double timeout_s;          /* --timeout, for its message */
    const char *kernel_path;   /* symbols */
    const char *initrd_path;   /* the bundled kernel's programs, NULL for none */
    struct repl_script *script; /* NULL: the terminal */
    /* A monitor's `info vmm` (see debugger_set_vmm); NULL: none. */
    void (*vmm_info)(void *opaque, struct strbuf *out);
    void *vmm_opaque;
};

/* The kernel's symbols (with kernel_path) and its programs' (with
 * initrd_path), for the debugger and the view (NULL when
 * out of memory; a kernel without symbols gives an empty table, and a
 * line on `note` if not NULL). */
struct symbols *repl_load_symbols(const char *kernel_path, const char *initrd_path, FILE *note);

/* Run the session; returns the exit status. */
int repl_main(const struct repl_config *cfg);

#endif
