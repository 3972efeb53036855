/* One gdb client on a socket (see conn.h). */
#include "gdb/conn.h"

#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "front/report.h"

void gdb_conn_init(struct gdb_conn *c, int fd)
{
    memset(c, 0, sizeof *c);
    c->fd = fd;
    gdb_reader_init(&c->rd);
}

void gdb_conn_close(struct gdb_conn *c)
{
    if (c->fd >= 0)
        close(c->fd);
    c->fd = -1;
    c->closed = true;
    free(c->last);
    c->last = NULL;
    c->last_len = c->last_cap = 0;
}

static void write_all(struct gdb_conn *c, const char *p, size_t n)
{
    while (n > 0 && !c->closed) {
        /* MSG_NOSIGNAL: a client that went away is an error here, not a SIGPIPE. */
        ssize_t w = send(c->fd, p, n, MSG_NOSIGNAL);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0) {
            c->closed = true;
            return;
        }
        p += w;
        n -= (size_t)w;
    }
}

void gdb_conn_send(struct gdb_conn *c, const char *data, size_t len)
{
    size_t need = 2 * len + 8;
    if (need > c->last_cap) {
        char *n = realloc(c->last, need);
        if (!n) {
            c->closed = true;
            return;
        }
        c->last = n;
        c->last_cap = need;
    }
    c->last_len = gdb_frame(data, len, c->last, c->last_cap);
    write_all(c, c->last, c->last_len);
}

void gdb_conn_send_str(struct gdb_conn *c, const char *text)
{
    gdb_conn_send(c, text, strlen(text));
}

/* Read what the socket has, waiting up to timeout_ms for the first byte.
 * False when nothing came (or the client is gone). */
static bool fill(struct gdb_conn *c, int timeout_ms)
{
    if (c->in_at < c->in_len)
        return true;
    if (c->closed)
        return false;
    struct pollfd p = {.fd = c->fd, .events = POLLIN};
    int r = poll(&p, 1, timeout_ms);
    if (r <= 0)
        return false;
    ssize_t n = recv(c->fd, c->in, sizeof c->in, 0);
    if (n < 0 && (errno == EINTR || errno == EAGAIN))
        return false;
    if (n <= 0) {
        c->closed = true;
        return false;
    }
    c->in_len = (size_t)n;
    c->in_at = 0;
    return true;
}

/* Parse buffered bytes: true at a complete good packet. */
static bool parse(struct gdb_conn *c)
{
    while (c->in_at < c->in_len) {
        uint8_t b = (uint8_t)c->in[c->in_at++];
        switch (gdb_read_byte(&c->rd, b)) {
        case GDB_IN_MORE:
        case GDB_IN_ACK:
        case GDB_IN_JUNK:
            break;
        case GDB_IN_NAK:
            if (c->last_len)
                write_all(c, c->last, c->last_len);
            break;
        case GDB_IN_INTERRUPT:
            c->interrupted = true;
            break;
        case GDB_IN_BAD_CHECKSUM:
            report_say("gdb: a packet with a wrong checksum was refused (%.20s%s)", c->rd.data,
                       c->rd.len > 20 ? "..." : "");
            if (!c->no_ack)
                write_all(c, "-", 1);
            break;
        case GDB_IN_TOO_LONG:
            report_say("gdb: a packet longer than %d bytes was refused", GDB_PACKET_MAX);
            if (!c->no_ack)
                write_all(c, "+", 1);
            gdb_conn_send_str(c, "E01");
            break;
        case GDB_IN_PACKET:
            if (!c->no_ack)
                write_all(c, "+", 1);
            return true;
        }
    }
    return false;
}

bool gdb_conn_next(struct gdb_conn *c, int timeout_ms)
{
    for (;;) {
        if (parse(c))
            return true;
        if (c->interrupted || c->closed)
            return false;
        if (!fill(c, timeout_ms))
            return false;
    }
}

bool gdb_conn_poll_interrupt(struct gdb_conn *c)
{
    while (fill(c, 0)) {
        if (parse(c))
            report_say("gdb: a packet came while the guest ran, and was dropped (%.20s)",
                       c->rd.data);
    }
    return c->interrupted || c->closed;
}
