/* One gdb client on a socket: packets in and out with their acks, the
 * interrupt byte, and how the connection ended. */
#ifndef RINGLAB_GDB_CONN_H
#define RINGLAB_GDB_CONN_H

#include <stdbool.h>
#include <stddef.h>

#include "gdb/packet.h"

struct gdb_conn {
    int fd;
    struct gdb_reader rd;
    bool no_ack;       /* after QStartNoAckMode */
    bool closed;       /* the client went away (or the socket failed) */
    bool interrupted;  /* a 0x03 arrived */
    char *last;        /* the last packet sent, framed, for a '-' */
    size_t last_len, last_cap;
    char in[4096];     /* bytes read and not yet parsed */
    size_t in_len, in_at;
};

void gdb_conn_init(struct gdb_conn *c, int fd);
void gdb_conn_close(struct gdb_conn *c);

/* Send one packet (framed here). */
void gdb_conn_send(struct gdb_conn *c, const char *data, size_t len);
void gdb_conn_send_str(struct gdb_conn *c, const char *text);

/* The next packet: waits up to timeout_ms (-1: for ever) and returns true
 * with the packet in c->rd.data / c->rd.len; false when the time is up, the
 * client is gone (c->closed) or an interrupt came (c->interrupted).  Acks
 * and bad packets are dealt with here (bad ones get a line on stderr). */
bool gdb_conn_next(struct gdb_conn *c, int timeout_ms);

/* While the machine runs: read what has arrived without waiting; true
 * when the run must stop (an interrupt, or the client gone). */
bool gdb_conn_poll_interrupt(struct gdb_conn *c);

#endif
