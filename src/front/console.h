/* The terminal as the guest's serial console: COM1's output to stdout or a
 * file, stdin as its input (raw mode on a terminal, with QEMU's Ctrl-A
 * escapes: Ctrl-A x quits, Ctrl-A c breaks into the debugger, Ctrl-A
 * Ctrl-A sends a Ctrl-A).  Bytes read but not yet taken by the UART wait
 * here. */
#ifndef RINGLAB_CONSOLE_H
#define RINGLAB_CONSOLE_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <termios.h>

#include "machine.h"

struct console {
    FILE *out;       /* serial output, or NULL to drop it */
    bool out_owned;  /* out was opened here (a file) */
    bool in_enabled; /* serial input from stdin */
    bool in_eof;     /* stdin has ended */
    bool is_tty;     /* stdin is a terminal */
    bool raw;        /* the terminal is in raw mode now */
    bool escape;     /* Ctrl-A seen */
    bool quit;       /* Ctrl-A x */
    bool brk;        /* Ctrl-A c */
    int pending;     /* a byte the UART could not take yet, or -1 */
    bool mid_line;   /* the guest's last byte out was not a newline */
    struct termios saved;
    /* Bytes a script typed (the debugger's `type`), fed before stdin's. */
    char *queued;
    size_t queued_len, queued_at;
};

void console_init(struct console *c, FILE *out, bool out_owned, bool in_enabled);
void console_free(struct console *c);
/* Bytes for the guest's input ahead of anything read from stdin. */
void console_queue(struct console *c, const char *bytes, size_t len);
/* Raw mode while the guest owns the terminal; cooked again for a prompt.
 * Raw mode is undone at exit in any case. */
void console_raw(struct console *c, bool on);

/* machine_config.serial_out */
void console_put(void *opaque, uint8_t byte);
void console_flush(struct console *c);

/* Hand the machine what input there is, waiting up to wait_ms for the
 * first byte (0: do not wait).  Returns true when a byte went in. */
bool console_feed(struct console *c, struct machine *m, int wait_ms);

#endif
