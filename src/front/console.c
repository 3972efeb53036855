/* The serial console on the terminal (see console.h). */
#include "front/console.h"

#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static struct console *raw_console; /* the one to restore at exit */

static void restore_at_exit(void)
{
    if (raw_console)
        console_raw(raw_console, false);
}

void console_init(struct console *c, FILE *out, bool out_owned, bool in_enabled)
{
    *c = (struct console){.out = out, .out_owned = out_owned, .in_enabled = in_enabled,
                          .pending = -1};
    c->is_tty = in_enabled && isatty(STDIN_FILENO);
    if (c->is_tty && tcgetattr(STDIN_FILENO, &c->saved) != 0)
        c->is_tty = false;
}

void console_free(struct console *c)
{
    free(c->queued);
    c->queued = NULL;
    c->queued_len = c->queued_at = 0;
}

void console_queue(struct console *c, const char *bytes, size_t len)
{
    size_t left = c->queued_len - c->queued_at;
    char *q = malloc(left + len);
    if (!q)
        return;
    if (left)
        memcpy(q, c->queued + c->queued_at, left);
    memcpy(q + left, bytes, len);
    free(c->queued);
    c->queued = q;
    c->queued_len = left + len;
    c->queued_at = 0;
}

void console_raw(struct console *c, bool on)
{
    if (!c->is_tty || on == c->raw)
        return;
    if (on) {
        struct termios raw = c->saved;
        cfmakeraw(&raw);
        raw.c_oflag |= OPOST; /* keep output processing; \n is handled in console_put */
        if (tcsetattr(STDIN_FILENO, TCSANOW, &raw) != 0)
            return;
        c->raw = true;
        if (!raw_console) {
            raw_console = c;
            atexit(restore_at_exit);
        }
    } else {
        console_flush(c);
        tcsetattr(STDIN_FILENO, TCSANOW, &c->saved);
        c->raw = false;
    }
}

void console_put(void *opaque, uint8_t byte)
{
    struct console *c = opaque;
    if (!c->out)
        return;
    /* In raw mode the terminal no longer turns \n into \r\n. */
    if (c->raw && byte == '\n')
        fputc('\r', c->out);
    fputc(byte, c->out);
    c->mid_line = byte != '\n';
    if (byte == '\n' || c->raw)
        fflush(c->out);
}

void console_flush(struct console *c)
{
    if (c->out)
        fflush(c->out);
}

/* One byte from stdin within wait_ms: 0..255, -1 none yet, -2 the end.
 * On a terminal, Ctrl-A x and Ctrl-A c are taken here. */
static int read_byte(struct console *c, int wait_ms)
{
    if (!c->in_enabled || c->in_eof)
        return -2;
    for (;;) {
        struct pollfd p = {.fd = STDIN_FILENO, .events = POLLIN};
        if (poll(&p, 1, wait_ms) <= 0)
            return -1;
        uint8_t b;
        if (read(STDIN_FILENO, &b, 1) <= 0) {
            c->in_eof = true;
            return -2;
        }
        if (!c->raw)
            return b;
        if (c->escape) {
            c->escape = false;
            if (b == 'x' || b == 'X') {
                c->quit = true;
                return -1;
            }
            if (b == 'c' || b == 'C') {
                c->brk = true;
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

bool console_feed(struct console *c, struct machine *m, int wait_ms)
{
    bool fed = false;
    for (;;) {
        if (c->pending < 0 && c->queued_at < c->queued_len)
            c->pending = (uint8_t)c->queued[c->queued_at++];
        if (c->pending < 0) {
            int b = read_byte(c, fed ? 0 : wait_ms);
            if (b < 0)
                return fed;
            c->pending = b;
        }
        if (!machine_serial_input(m, (uint8_t)c->pending))
            return fed;
        c->pending = -1;
        fed = true;
    }
}
