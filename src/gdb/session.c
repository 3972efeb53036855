/* The gdb remote protocol's packets (GDB manual, Appendix E "Packets"),
 * each answered from the machine: registers and memory through inspect.h,
 * runs, steps, breakpoints and going back through control.h.  The
 * queries, monitor lines among them, are in query.c. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "control.h"
#include "front/report.h"
#include "gdb/interrupt_watch.h"
#include "gdb/regs.h"
#include "gdb/session.h"
#include "inspect.h"
#include "status.h"

/* gdb's own signal numbers (include/gdb/signals.def). */
#define GDB_SIGINT 2
#define GDB_SIGTRAP 5
#define GDB_SIGTERM 15

/* The most memory one m packet returns (its hex must fit PacketSize). */
#define MEM_MAX 0x1800

void gdb_session_reply(struct gdb_session *s, const char *text)
{
    gdb_conn_send_str(s->c, text);
}

static void reply(struct gdb_session *s, const char *text)
{
    gdb_session_reply(s, text);
}

void gdb_session_bad(struct gdb_session *s, const char *what)
{
    report_say("gdb: a malformed '%.1s' packet was refused (%s): %.40s", s->c->rd.data, what,
               s->c->rd.data);
    reply(s, "E01");
}

/* ---- stops ------------------------------------------------------------------------ */

static const struct gdb_point *point_of(struct gdb_session *s, int id)
{
    for (int i = 0; i < s->npoints; i++)
        if (s->points[i].id == id)
            return &s->points[i];
    return NULL;
}

static void stop_reply(struct gdb_session *s, int sig, const char *why)
{
    snprintf(s->last_stop, sizeof s->last_stop, "T%02xthread:%x;%s", sig, gdb_thread_of_stop(s),
             why);
    gdb_threads_stopped(s);
    reply(s, s->last_stop);
}

static void machine_ended(struct gdb_session *s, enum runner_stop stop)
{
    s->status = report_exit(stop, s->r, s->cfg->qlog, s->cfg->timeout_s);
    s->finished = true;
    char text[16];
    if (stop == RUNNER_QUIT)
        snprintf(text, sizeof text, "X%02x", GDB_SIGTERM);
    else
        snprintf(text, sizeof text, "W%02x", s->status & 0xff);
    reply(s, text);
}

void gdb_session_report(struct gdb_session *s, enum runner_stop stop, const struct run_result *res)
{
    char why[64] = "";
    switch (stop) {
    case RUNNER_STOP:
        switch (res->stop) {
        case RUN_BREAKPOINT: {
            const struct gdb_point *p = point_of(s, res->id);
            snprintf(why, sizeof why, "%s", p && p->type == 1 ? "hwbreak:;" : "swbreak:;");
            break;
        }
        case RUN_WATCHPOINT: {
            const struct gdb_point *p = point_of(s, res->id);
            const char *kind = !p || p->type == 2 ? "watch" : p->type == 3 ? "rwatch" : "awatch";
            snprintf(why, sizeof why, "%s:%x;", kind, res->watch_addr);
            break;
        }
        case RUN_HISTORY_START:
            snprintf(why, sizeof why, "replaylog:begin;");
            break;
        case RUN_PAUSED:
            stop_reply(s, GDB_SIGINT, "");
            return;
        case RUN_END:
            machine_ended(s, RUNNER_END);
            return;
        default:
            break;
        }
        stop_reply(s, GDB_SIGTRAP, why);
        return;
    case RUNNER_YIELD: /* the console never asks for it */
    case RUNNER_BREAK:
        stop_reply(s, GDB_SIGINT, "");
        return;
    case RUNNER_END:
    case RUNNER_QUIT:
    case RUNNER_TIMEOUT:
    case RUNNER_INSN_LIMIT:
    case RUNNER_STUCK:
        machine_ended(s, stop);
        return;
    }
}

/* Registers gdb changed: general ones, EIP, EFLAGS (VM, which changes the
 * meaning of every segment register, stays as it is; bit 1 is always set). */
static bool set_registers(struct gdb_session *s, const struct cpu_state *now,
                          struct cpu_state *next)
{
    next->eflags = (next->eflags & ~EFLAGS_VM) | (now->eflags & EFLAGS_VM) | EFLAGS_FIXED1;
    return control_write_cpu(s->m, next);
}

/* ---- running -------------------------------------------------------------------------- */

/* Continue every CPU, or step one (thread; 0: the one Hc names). */
static void resume(struct gdb_session *s, bool step, int thread)
{
    struct run_result res;
    enum runner_stop stop;
    s->c->interrupted = false;
    if (step) {
        gdb_threads_select_step(s, thread);
        stop = runner_step(s->r, 1, false, &res);
    } else {
        struct run_request req = {0};
        stop = runner_run(s->r, &req, &res);
    }
    if (s->c->closed)
        return; /* the server loop says so */
    gdb_session_report(s, stop, &res);
}

/* c [ADDR], s [ADDR], C SIG[;ADDR], S SIG[;ADDR]: ADDR is where to go on. */
static bool set_resume_address(struct gdb_session *s, const char *arg)
{
    if (*arg == '\0')
        return true;
    uint64_t a;
    if (!gdb_parse_hex(arg, '\0', &a, NULL) || a > 0xffffffffu)
        return false;
    struct cpu_state st;
    if (!inspect_cpu(s->m, &st))
        return false;
    struct cpu_state now = st;
    st.eip = (uint32_t)a - st.seg[SEG_CS].base;
    return set_registers(s, &now, &st);
}

static void cmd_resume(struct gdb_session *s, const char *p, bool step, bool with_signal)
{
    if (with_signal) {
        /* The signal means nothing to a bare machine: only the address counts. */
        p += strspn(p, "0123456789abcdefABCDEF");
        if (*p == ';')
            p++;
    }
    if (step)
        gdb_threads_select_step(s, 0); /* the address is the stepped CPU's */
    if (!set_resume_address(s, p)) {
        gdb_session_bad(s, "not an address");
        return;
    }
    resume(s, step, 0);
}

/* vCont;ACTION[:THREAD][;ACTION...]: a step action steps its CPU (the
 * others run their turns meanwhile); otherwise every CPU continues. */
static void cmd_vcont(struct gdb_session *s, const char *p)
{
    if (strcmp(p, "?") == 0) {
        reply(s, "vCont;c;C;s;S;t");
        return;
    }
    struct gdb_vcont v;
    if (*p != ';' || !gdb_vcont_parse(s, p, &v)) {
        gdb_session_bad(s, "not ;ACTION[:THREAD]...");
        return;
    }
    if (v.step)
        resume(s, true, v.thread);
    else if (v.stop)
        stop_reply(s, 0, "");
    else
        resume(s, false, 0);
}

static void cmd_reverse(struct gdb_session *s, bool step)
{
    struct run_result res;
    if (step) {
        control_step_back(s->m, 1, &res);
    } else {
        struct run_request req = {0};
        struct gdb_interrupt_watch w;
        gdb_interrupt_watch_start(&w, s->c->fd, s->m);
        control_run_back(s->m, &req, &res);
        gdb_interrupt_watch_stop(&w);
    }
    /* No history to go back through (off, or given up): as far as gdb
     * can tell, the start of it. */
    if (res.stop == RUN_END && machine_end(s->m) == END_NONE)
        res.stop = RUN_HISTORY_START;
    gdb_session_report(s, RUNNER_STOP, &res);
}

/* ---- registers ---------------------------------------------------------------------------- */

static bool read_cpu(struct gdb_session *s, struct cpu_state *st, struct fpu_state *f)
{
    return inspect_cpu(s->m, st) && inspect_fpu(s->m, f);
}

static void cmd_read_registers(struct gdb_session *s)
{
    struct cpu_state st;
    struct fpu_state f;
    char hex[GDB_NREGS * 20 + 1];
    if (!read_cpu(s, &st, &f) || !gdb_regs_hex(&st, &f, hex, sizeof hex)) {
        reply(s, "E01");
        return;
    }
    reply(s, hex);
}

static void cmd_write_registers(struct gdb_session *s, const char *hex)
{
    struct cpu_state st;
    struct fpu_state f;
    if (!read_cpu(s, &st, &f)) {
        reply(s, "E01");
        return;
    }
    struct cpu_state next = st;
    size_t at = 0, len = strlen(hex);
    for (int r = 0; r < GDB_NREGS && at < len; r++) {
        size_t size = gdb_reg_size(r);
        uint8_t v[10];
        if (at + 2 * size > len || !gdb_hex_decode(hex + at, size, v)) {
            gdb_session_bad(s, "not hex");
            return;
        }
        /* 'x' digits mean "unknown": gdb_hex_decode refused them above. */
        if (!gdb_reg_set(r, &next, &f, v)) {
            reply(s, "E02");
            return;
        }
        at += 2 * size;
    }
    if (memcmp(&next, &st, sizeof st) != 0 && !set_registers(s, &st, &next)) {
        reply(s, "E01");
        return;
    }
    reply(s, "OK");
}

static void cmd_read_register(struct gdb_session *s, const char *p)
{
    uint64_t n;
    struct cpu_state st;
    struct fpu_state f;
    uint8_t v[10];
    char hex[21];
    if (!gdb_parse_hex(p, '\0', &n, NULL)) {
        gdb_session_bad(s, "not a register number");
        return;
    }
    if (n >= GDB_NREGS || !read_cpu(s, &st, &f) || !gdb_reg_get((int)n, &st, &f, v)) {
        reply(s, "E01");
        return;
    }
    gdb_hex_encode(v, gdb_reg_size((int)n), hex);
    reply(s, hex);
}

static void cmd_write_register(struct gdb_session *s, const char *p)
{
    uint64_t n;
    const char *eq;
    struct cpu_state st;
    struct fpu_state f;
    uint8_t v[10];
    if (!gdb_parse_hex(p, '=', &n, &eq) || *eq != '=') {
        gdb_session_bad(s, "not N=VALUE");
        return;
    }
    size_t size = gdb_reg_size(n < GDB_NREGS ? (int)n : -1);
    if (!size || strlen(eq + 1) != 2 * size || !gdb_hex_decode(eq + 1, size, v)) {
        reply(s, "E01");
        return;
    }
    if (!read_cpu(s, &st, &f)) {
        reply(s, "E01");
        return;
    }
    struct cpu_state next = st;
    if (!gdb_reg_set((int)n, &next, &f, v)) {
        reply(s, "E02"); /* ringlab sets the general registers, EIP and EFLAGS only */
        return;
    }
    if (memcmp(&next, &st, sizeof st) != 0 && !set_registers(s, &st, &next)) {
        reply(s, "E01");
        return;
    }
    reply(s, "OK");
}

/* ---- memory --------------------------------------------------------------------------------- */

/* ADDR,LEN then `stop`; the rest after it in *rest. */
bool gdb_addr_len(const char *p, char stop, uint64_t *addr, uint64_t *len, const char **rest)
{
    const char *e;
    if (!gdb_parse_hex(p, ',', addr, &e) || *e != ',' || !gdb_parse_hex(e + 1, stop, len, &e))
        return false;
    if (stop && *e != stop)
        return false;
    *rest = stop ? e + 1 : e;
    return *addr <= 0xffffffffu && *len <= 0x100000000ull - *addr;
}

static void cmd_read_memory(struct gdb_session *s, const char *p)
{
    uint64_t addr, len;
    const char *rest;
    if (!gdb_addr_len(p, '\0', &addr, &len, &rest)) {
        gdb_session_bad(s, "not ADDR,LEN");
        return;
    }
    if (len > MEM_MAX)
        len = MEM_MAX;
    static uint8_t buf[MEM_MAX];
    size_t got = 0;
    /* Page by page: what can be read up to the first hole is the answer. */
    while (got < len) {
        uint32_t a = (uint32_t)addr + (uint32_t)got;
        size_t n = 4096 - (a & 4095u);
        if (n > len - got)
            n = len - got;
        bool ok = s->physical ? inspect_phys(s->m, a, buf + got, n)
                              : inspect_linear(s->m, NULL, a, buf + got, n, NULL);
        if (!ok)
            break;
        got += n;
    }
    if (got == 0 && len > 0) {
        reply(s, "E14");
        return;
    }
    static char hex[2 * MEM_MAX + 1];
    gdb_hex_encode(buf, got, hex);
    reply(s, hex);
}

static void write_memory(struct gdb_session *s, uint64_t addr, const void *data, size_t len)
{
    bool ok = s->physical ? control_write_phys(s->m, (uint32_t)addr, data, len)
                          : control_write_linear(s->m, NULL, (uint32_t)addr, data, len);
    reply(s, ok ? "OK" : "E14");
}

static void cmd_write_memory(struct gdb_session *s, const char *p, bool binary)
{
    uint64_t addr, len;
    const char *data;
    if (!gdb_addr_len(p, ':', &addr, &len, &data)) {
        gdb_session_bad(s, "not ADDR,LEN:DATA");
        return;
    }
    size_t at = (size_t)(data - s->c->rd.data);
    if (binary) {
        size_t n = gdb_unescape(s->c->rd.data + at, s->c->rd.len - at);
        if (n != len) {
            gdb_session_bad(s, "the data is not LEN bytes");
            return;
        }
        write_memory(s, addr, data, n);
        return;
    }
    static uint8_t buf[GDB_PACKET_MAX / 2];
    if (len > sizeof buf || strlen(data) != 2 * len || !gdb_hex_decode(data, len, buf)) {
        gdb_session_bad(s, "the data is not LEN bytes of hex");
        return;
    }
    write_memory(s, addr, buf, len);
}

/* ---- breakpoints and watchpoints -------------------------------------------------------------- */

static void cmd_point(struct gdb_session *s, const char *p, bool insert)
{
    uint64_t type, addr, len;
    const char *rest;
    if (!gdb_parse_hex(p, ',', &type, &rest) || *rest != ',' ||
        !gdb_addr_len(rest + 1, '\0', &addr, &len, &rest)) {
        /* "addr,kind;cond_list..." keeps only what comes before ';'. */
        const char *semi = strchr(p, ';');
        char head[64];
        if (!semi || (size_t)(semi - p) >= sizeof head) {
            gdb_session_bad(s, "not TYPE,ADDR,KIND");
            return;
        }
        memcpy(head, p, (size_t)(semi - p));
        head[semi - p] = '\0';
        if (!gdb_parse_hex(head, ',', &type, &rest) || *rest != ',' ||
            !gdb_addr_len(rest + 1, '\0', &addr, &len, &rest)) {
            gdb_session_bad(s, "not TYPE,ADDR,KIND");
            return;
        }
    }
    if (type > 4) {
        reply(s, "");
        return;
    }
    if (type >= 2 && len == 0)
        len = 1;
    for (int i = 0; i < s->npoints; i++) {
        struct gdb_point *g = &s->points[i];
        if (g->type != (int)type || g->addr != addr || (type >= 2 && g->len != len))
            continue;
        if (insert) {
            reply(s, "OK"); /* already there */
            return;
        }
        bool ok = type < 2 ? control_break_del(s->m, g->id) : control_watch_del(s->m, g->id);
        *g = s->points[--s->npoints];
        reply(s, ok ? "OK" : "E01");
        return;
    }
    if (!insert) {
        reply(s, "OK"); /* nothing to remove */
        return;
    }
    if (s->npoints == GDB_MAX_POINTS) {
        reply(s, "E28"); /* ENOSPC */
        return;
    }
    static const enum watch_kind kinds[] = {0, 0, WATCH_WRITE, WATCH_READ, WATCH_ACCESS};
    int id = type < 2 ? control_break_add(s->m, (uint32_t)addr, false, 0)
                      : control_watch_add_kind(s->m, kinds[type], s->physical, (uint32_t)addr,
                                               (uint32_t)len);
    if (id < 0) {
        reply(s, "E28");
        return;
    }
    s->points[s->npoints++] = (struct gdb_point){(int)type, (uint32_t)addr, (uint32_t)len, id};
    reply(s, "OK");
}

bool gdb_session_packet(struct gdb_session *s)
{
    char *p = s->c->rd.data;
    /* Registers, memory and monitor lines are those of the Hg thread's CPU. */
    gdb_threads_select_general(s);
    switch (p[0]) {
    case '?':
        reply(s, s->last_stop);
        break;
    case 'g':
        cmd_read_registers(s);
        break;
    case 'G':
        cmd_write_registers(s, p + 1);
        break;
    case 'p':
        cmd_read_register(s, p + 1);
        break;
    case 'P':
        cmd_write_register(s, p + 1);
        break;
    case 'm':
        cmd_read_memory(s, p + 1);
        break;
    case 'M':
        cmd_write_memory(s, p + 1, false);
        break;
    case 'X':
        cmd_write_memory(s, p + 1, true);
        break;
    case 'c':
    case 's':
        cmd_resume(s, p + 1, p[0] == 's', false);
        break;
    case 'C':
    case 'S':
        cmd_resume(s, p + 1, p[0] == 'S', true);
        break;
    case 'b':
        if (strcmp(p, "bs") == 0 || strcmp(p, "bc") == 0)
            cmd_reverse(s, p[1] == 's');
        else
            reply(s, "");
        break;
    case 'Z':
    case 'z':
        cmd_point(s, p + 1, p[0] == 'Z');
        break;
    case 'H':
        gdb_threads_set(s, p + 1);
        break;
    case 'T':
        gdb_threads_alive(s, p + 1);
        break;
    case 'q':
        gdb_session_query(s, p + 1);
        break;
    case 'Q':
        if (strcmp(p, "QStartNoAckMode") == 0) {
            reply(s, "OK");
            s->c->no_ack = true;
        } else {
            reply(s, "");
        }
        break;
    case 'v':
        if (strncmp(p, "vCont", 5) == 0)
            cmd_vcont(s, p + 5);
        else if (strncmp(p, "vKill", 5) == 0) {
            reply(s, "OK");
            s->status = RL_EXIT_POWEROFF;
            s->finished = true;
        } else
            reply(s, "");
        break;
    case 'D':
        reply(s, "OK");
        s->detached = true;
        return false;
    case 'k':
        s->status = RL_EXIT_POWEROFF;
        s->finished = true;
        return false;
    default:
        reply(s, "");
        break;
    }
    return !s->finished && !s->c->closed;
}
