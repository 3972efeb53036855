/* The gdb stub's server loop (see stub.h): listen, take one client at a
 * time, serve its packets, and in between either wait (the guest stopped)
 * or run the guest until a client comes (after a detach, or -s without
 * -S).  A client that connects stops the guest, as QEMU's stub does; one
 * that goes away leaves it stopped where it was for the next. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "control.h"
#include "front/console.h"
#include "front/report.h"
#include "gdb/session.h"
#include "inspect.h"
#include "machine/clock.h"
#include "status.h"

static int listen_on(const char *host, uint16_t port, char *err, size_t errlen)
{
    struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM,
                             .ai_flags = AI_PASSIVE | AI_NUMERICSERV};
    struct addrinfo *res = NULL;
    char service[8];
    snprintf(service, sizeof service, "%u", port);
    int rc = getaddrinfo(host ? host : "127.0.0.1", service, &hints, &res);
    if (rc != 0) {
        snprintf(err, errlen, "%s: %s", host ? host : "127.0.0.1", gai_strerror(rc));
        return -1;
    }
    int fd = -1, saved = 0;
    for (struct addrinfo *a = res; a; a = a->ai_next) {
        fd = socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC, a->ai_protocol);
        if (fd < 0) {
            saved = errno;
            continue;
        }
        int one = 1;
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
        if (bind(fd, a->ai_addr, a->ai_addrlen) == 0 && listen(fd, 2) == 0)
            break;
        saved = errno;
        close(fd);
        fd = -1;
    }
    freeaddrinfo(res);
    if (fd < 0)
        snprintf(err, errlen, "%s:%u: %s", host ? host : "127.0.0.1", port, strerror(saved));
    return fd;
}

static void peer_name(int fd, char *buf, size_t n)
{
    struct sockaddr_storage ss;
    socklen_t len = sizeof ss;
    char host[64] = "?", serv[16] = "?";
    if (getpeername(fd, (struct sockaddr *)&ss, &len) == 0)
        getnameinfo((struct sockaddr *)&ss, len, host, sizeof host, serv, sizeof serv,
                    NI_NUMERICHOST | NI_NUMERICSERV);
    snprintf(buf, n, "%s:%s", host, serv);
}

static int take_connection(int listen_fd)
{
    int fd = accept(listen_fd, NULL, NULL);
    if (fd >= 0)
        fcntl(fd, F_SETFD, FD_CLOEXEC);
    return fd;
}

static bool listener_ready(int fd, int timeout_ms)
{
    struct pollfd p = {.fd = fd, .events = POLLIN};
    return poll(&p, 1, timeout_ms) > 0 && (p.revents & POLLIN);
}

void gdb_session_refuse_others(struct gdb_session *s)
{
    while (listener_ready(s->listen_fd, 0)) {
        int fd = take_connection(s->listen_fd);
        if (fd < 0)
            return;
        char who[96];
        peer_name(fd, who, sizeof who);
        report_say("gdb: a second debugger (from %s) was turned away: one at a time", who);
        close(fd);
    }
}

/* ---- the debugger's host, for monitor lines that run the machine -------------- */

static enum debug_run host_result(struct gdb_session *s, enum runner_stop stop,
                                  struct strbuf *text)
{
    switch (stop) {
    case RUNNER_STOP:
        return DEBUG_RUN_STOPPED;
    case RUNNER_END:
        return DEBUG_RUN_ENDED;
    case RUNNER_BREAK:
    case RUNNER_YIELD: /* the console never asks for it */
        return DEBUG_RUN_BROKEN;
    case RUNNER_QUIT:
        return DEBUG_RUN_QUIT;
    case RUNNER_STUCK:
        strbuf_add(text, "the CPU waits for an interrupt that cannot come\n");
        return DEBUG_RUN_HOST;
    case RUNNER_TIMEOUT:
        strbuf_add(text, "--timeout reached after %.1f s\n", s->cfg->timeout_s);
        return DEBUG_RUN_HOST;
    case RUNNER_INSN_LIMIT:
        strbuf_add(text, "--max-insns reached: %llu instructions executed\n",
                   (unsigned long long)inspect_icount(s->m));
        return DEBUG_RUN_HOST;
    }
    return DEBUG_RUN_STOPPED;
}

static enum debug_run host_run(void *opaque, const struct run_request *req, struct run_result *res,
                               struct strbuf *text)
{
    struct gdb_session *s = opaque;
    return host_result(s, runner_run(s->r, req, res), text);
}

static enum debug_run host_step(void *opaque, uint64_t n, bool over, struct run_result *res,
                                struct strbuf *text)
{
    struct gdb_session *s = opaque;
    return host_result(s, runner_step(s->r, n, over, res), text);
}

static void host_type(void *opaque, const char *bytes, size_t len)
{
    struct gdb_session *s = opaque;
    console_queue(s->cfg->console, bytes, len);
}

/* ---- polling while the guest runs --------------------------------------------- */

/* With a client: its Ctrl-C, or its going away, stops the run.  While a
 * monitor line runs the machine gdb waits for the answer, and gives up
 * after its remote timeout (2 s): an empty console packet now and then
 * tells it the answer is coming. */
static bool poll_client(void *opaque)
{
    struct gdb_session *s = opaque;
    gdb_session_refuse_others(s);
    if (s->in_monitor) {
        double now = clock_wall_seconds();
        if (now - s->last_keepalive > 0.5) {
            gdb_conn_send_str(s->c, "O");
            s->last_keepalive = now;
        }
    }
    return gdb_conn_poll_interrupt(s->c);
}

/* Without one: a client that connects stops the run. */
static bool poll_listener(void *opaque)
{
    struct gdb_session *s = opaque;
    return listener_ready(s->listen_fd, 0);
}

/* Take back every breakpoint and watchpoint the client set. */
static void drop_points(struct gdb_session *s)
{
    for (int i = 0; i < s->npoints; i++) {
        if (s->points[i].type < 2)
            control_break_del(s->m, s->points[i].id);
        else
            control_watch_del(s->m, s->points[i].id);
    }
    s->npoints = 0;
}

/* No client: run the guest until one connects (true), or until the run is
 * over for good (false, s->status set). */
static bool run_until_client(struct gdb_session *s)
{
    s->r->poll = poll_listener;
    s->r->poll_opaque = s;
    for (;;) {
        struct run_request req = {0};
        struct run_result res;
        enum runner_stop stop = runner_run(s->r, &req, &res);
        if (stop == RUNNER_BREAK)
            return true; /* a client, or Ctrl-A c: stop and wait for one */
        if (stop == RUNNER_STOP)
            continue;
        s->status = report_exit(stop, s->r, s->cfg->qlog, s->cfg->timeout_s);
        s->finished = true;
        return false;
    }
}

/* The guest stopped, no client: wait for one (true) or a signal to quit. */
static bool wait_for_client(struct gdb_session *s)
{
    console_flush(s->cfg->console);
    while (!listener_ready(s->listen_fd, 200)) {
        if (s->r->interrupted) {
            s->status = RL_EXIT_POWEROFF;
            s->finished = true;
            return false;
        }
    }
    return true;
}

static void serve_client(struct gdb_session *s, int fd)
{
    struct gdb_conn conn;
    gdb_conn_init(&conn, fd);
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    s->c = &conn;
    s->r->poll = poll_client;
    s->r->poll_opaque = s;
    for (;;) {
        if (s->r->interrupted) {
            s->status = RL_EXIT_POWEROFF;
            s->finished = true;
            gdb_conn_send_str(&conn, "X0f");
            break;
        }
        gdb_session_refuse_others(s);
        if (gdb_conn_next(&conn, 200)) {
            if (!gdb_session_packet(s))
                break;
            continue;
        }
        if (conn.closed)
            break;
        conn.interrupted = false; /* Ctrl-C with the guest already stopped */
    }
    if (conn.closed && !s->finished && !s->detached)
        report_say("gdb: the debugger went away; the guest is stopped where it was, and the "
                   "next one can attach");
    drop_points(s);
    s->physical = false;
    gdb_conn_close(&conn);
    s->c = NULL;
    s->r->poll = NULL;
}

int gdb_serve(const struct gdb_stub_config *cfg)
{
    char err[256];
    struct gdb_session s = {.cfg = cfg, .r = cfg->runner, .m = cfg->runner->m};
    s.listen_fd = listen_on(cfg->host, cfg->port, err, sizeof err);
    if (s.listen_fd < 0) {
        report_say("-gdb: cannot listen on %s", err);
        return RL_EXIT_HOST;
    }
    struct debug_host host = {host_run, host_step, host_type, &s};
    s.dbg = debugger_create(s.m, &host, cfg->symbols);
    if (!s.dbg) {
        close(s.listen_fd);
        report_say("out of memory");
        return RL_EXIT_HOST;
    }
    if (cfg->vmm_info)
        debugger_set_vmm(s.dbg, cfg->vmm_info, cfg->vmm_opaque);
    snprintf(s.last_stop, sizeof s.last_stop, "T05thread:%x;", gdb_thread_of_stop(&s));
    bool stopped = cfg->start_stopped;
    if (stopped)
        report_say("waiting for gdb on %s:%u ('target remote :%u')",
                   cfg->host ? cfg->host : "127.0.0.1", cfg->port, cfg->port);
    console_raw(s.cfg->console, true);
    while (!s.finished) {
        bool have = stopped ? wait_for_client(&s) : run_until_client(&s);
        if (!have)
            break;
        if (!listener_ready(s.listen_fd, 0)) {
            /* Ctrl-A c with no client: stay stopped, wait for one. */
            stopped = true;
            continue;
        }
        int fd = take_connection(s.listen_fd);
        if (fd < 0)
            continue;
        serve_client(&s, fd);
        stopped = !s.detached;
        s.detached = false;
    }
    console_raw(s.cfg->console, false);
    debugger_destroy(s.dbg);
    close(s.listen_fd);
    return s.status;
}
