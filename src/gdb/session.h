/* A gdb session's state and its packets (session.c), shared with the
 * server loop (server.c) and nothing else. */
#ifndef RINGLAB_GDB_SESSION_H
#define RINGLAB_GDB_SESSION_H

#include <stdbool.h>
#include <stdint.h>

#include "debug/debugger.h"
#include "gdb/conn.h"
#include "gdb/stub.h"

#define GDB_MAX_POINTS 64

/* A Z packet's breakpoint or watchpoint, and the machine's number for it. */
struct gdb_point {
    int type; /* 0 software, 1 hardware, 2 write, 3 read, 4 access watch */
    uint32_t addr, len;
    int id;
};

struct gdb_session {
    const struct gdb_stub_config *cfg;
    struct runner *r;
    struct machine *m;
    struct debugger *dbg;
    struct gdb_conn *c;   /* the client, NULL between clients */
    int listen_fd;
    bool physical;        /* monitor phys: m/M/X/Z2-4 take physical addresses */
    struct gdb_point points[GDB_MAX_POINTS];
    int npoints;
    char last_stop[96];   /* the answer to '?' */
    bool finished;        /* the guest ended or ringlab must exit: status says how */
    int status;
    bool detached;        /* D: the guest runs on without a client */
    bool in_monitor;      /* a monitor line runs the machine: gdb waits for its answer */
    double last_keepalive;
    int g_thread;         /* Hg: the thread (CPU + 1) registers and memory are of; 0 any */
    int c_thread;         /* Hc: the thread s steps; 0 any, -1 all */
};

/* A vCont packet's actions, as ringlab carries them out. */
struct gdb_vcont {
    bool step;  /* step one CPU (the others run their turns meanwhile) */
    int thread; /* the thread to step; 0: the one Hc names, or that stopped */
    bool stop;  /* t: stop (the machine is stopped already) */
};

/* session.c: answer the client; a malformed packet's answer and line. */
void gdb_session_reply(struct gdb_session *s, const char *text);
void gdb_session_bad(struct gdb_session *s, const char *what);
/* ADDR,LEN (hex) up to `stop`; *rest after it.  False when malformed. */
bool gdb_addr_len(const char *p, char stop, uint64_t *addr, uint64_t *len, const char **rest);
/* query.c: a q packet (without the q). */
void gdb_session_query(struct gdb_session *s, const char *q);

/* Handle one packet from the client (c->rd.data).  Returns false when the
 * session with this client is over (detach, kill, the guest's end). */
bool gdb_session_packet(struct gdb_session *s);
/* Stop or exit replies for a run that ended so. */
void gdb_session_report(struct gdb_session *s, enum runner_stop stop, const struct run_result *res);
/* Refuse a second client waiting on the listening socket, if any. */
void gdb_session_refuse_others(struct gdb_session *s);

/* threads.c: one thread per CPU. */
int gdb_thread_of_stop(struct gdb_session *s);
/* Make the CPU Hg names the one registers and memory packets (and monitor
 * lines) read and write; the one a step steps (thread, or Hc's when 0). */
void gdb_threads_select_general(struct gdb_session *s);
void gdb_threads_select_step(struct gdb_session *s, int thread);
/* After a stop reply: the thread that stopped is gdb's. */
void gdb_threads_stopped(struct gdb_session *s);
void gdb_threads_set(struct gdb_session *s, const char *p);   /* H */
void gdb_threads_alive(struct gdb_session *s, const char *p); /* T */
/* qC, qfThreadInfo, qsThreadInfo, qThreadExtraInfo,THREAD (q is after the q). */
void gdb_threads_query(struct gdb_session *s, const char *q);
/* vCont;ACTION[:THREAD]... (p after "vCont"): false when malformed. */
bool gdb_vcont_parse(struct gdb_session *s, const char *p, struct gdb_vcont *out);

#endif
