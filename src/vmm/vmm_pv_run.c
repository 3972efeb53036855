/* The paravirtual monitor's run and its report (see vmm_pv.h): the guest
 * under the monitor, then the same session on the native build of the
 * kernel, for the cost.  The two kernels execute different instructions,
 * so the session cannot be replayed at the same instruction counts (as
 * vmm_hw.c does); it is replayed at the same places of the console
 * output instead: each byte typed goes in once the native run has printed
 * as much as the monitored one had when that byte arrived, and has taken
 * as many events (interrupts, exceptions, system calls): so it idles as
 * long, in timer ticks, as the monitored guest waited for the byte.  The two
 * transcripts being the same is what tests/vmm/pv-session.sh checks. */
#include "vmm/vmm_pv.h"

#include <stdlib.h>
#include <string.h>

#include "control.h"
#include "front/report.h"
#include "machine/clock.h"

/* A byte of the session's input, and how much output came before it. */
struct typed {
    uint8_t byte;
    uint64_t after_out, after_events;
};

struct session {
    struct typed *keys;
    size_t n, cap, next;
    bool failed;
    uint64_t native_out, end_out, end_events;
    const struct vmm_pv *p;
    struct machine *m; /* the native machine */
    volatile sig_atomic_t *stop; /* a signal asked to quit */
};

static void note_key(void *opaque, const struct input_record *rec)
{
    struct session *s = opaque;
    if (s->n == s->cap) {
        size_t cap = s->cap ? 2 * s->cap : 256;
        struct typed *more = realloc(s->keys, cap * sizeof *more);
        if (!more) {
            s->failed = true;
            return;
        }
        s->keys = more;
        s->cap = cap;
    }
    struct machine_pos pos;
    control_position(s->p->m, &pos);
    s->keys[s->n++] = (struct typed){rec->byte, s->p->out_bytes, pos.deliveries};
}

/* ---- the native run's front end: the keys, at their places ---------------- */

static void native_out(void *opaque, uint8_t byte)
{
    (void)byte;
    ((struct session *)opaque)->native_out++;
}

static bool native_feed(void *opaque, struct machine *m, int wait_ms)
{
    (void)wait_ms;
    struct session *s = opaque;
    bool any = false;
    struct machine_pos pos;
    control_position(m, &pos);
    while (s->next < s->n && s->native_out >= s->keys[s->next].after_out &&
           pos.deliveries >= s->keys[s->next].after_events &&
           machine_serial_input(m, s->keys[s->next].byte)) {
        s->next++;
        any = true;
    }
    return any;
}

static void native_flush(void *opaque)
{
    (void)opaque;
}

static bool native_live(void *opaque)
{
    (void)opaque;
    return false;
}

static bool native_input_open(void *opaque)
{
    struct session *s = opaque;
    return s->next < s->n;
}

static enum runner_request native_request(void *opaque)
{
    (void)opaque;
    return RUNNER_GO;
}

/* Done: every key typed, as much printed and as many events taken as
 * under the monitor. */
static bool native_done(void *opaque)
{
    struct session *s = opaque;
    struct machine_pos pos;
    control_position(s->m, &pos);
    return s->next == s->n && s->native_out >= s->end_out && pos.deliveries >= s->end_events;
}

/* The native run's poll: done, or a signal came. */
static bool native_stop(void *opaque)
{
    struct session *s = opaque;
    return native_done(s) || *s->stop;
}

static bool run_native(struct runner *r, const struct vmm_request *req, struct session *s,
                       uint64_t monitored_icount, double *seconds, uint64_t *icount, char *err,
                       size_t errlen)
{
    if (s->failed) {
        snprintf(err, errlen, "out of memory for the input");
        return false;
    }
    if (!req->machine_cfg) {
        snprintf(err, errlen, "no native build of the kernel beside the one monitored");
        return false;
    }
    struct machine_config cfg = *req->machine_cfg;
    cfg.serial_out = native_out;
    cfg.serial_opaque = s;
    struct machine *m = machine_create(&cfg, err, errlen);
    if (!m)
        return false;
    s->m = m;
    bool ok = machine_power_on(m, err, errlen);
    if (ok) {
        struct runner native = *r;
        native.m = m;
        native.interrupted = 0;
        native.timeout_at = r->timeout_at > 0 ? clock_wall_seconds() + 600 : 0;
        /* A kernel that never prints what the other did (one of the two
         * failed) must not run for ever. */
        native.max_insns = 2 * monitored_icount + 100000000u;
        native.io = (struct runner_io){native_feed, native_flush, native_live,
                                       native_input_open, native_request, s};
        /* The signal that ended the monitored run (how a script ends it)
         * has been answered; the next one ends this run too. */
        r->interrupted = 0;
        s->stop = &r->interrupted;
        native.poll = native_stop;
        native.poll_opaque = s;
        struct run_request none = {0};
        struct run_result res;
        double t0 = clock_wall_seconds();
        enum runner_stop st;
        do
            st = runner_run(&native, &none, &res);
        while ((st == RUNNER_STOP || st == RUNNER_YIELD) ||
               (st == RUNNER_BREAK && !native_stop(s)));
        *seconds = clock_wall_seconds() - t0;
        struct machine_pos pos;
        control_position(m, &pos);
        *icount = pos.icount;
        if (!native_done(s)) {
            snprintf(err, errlen,
                     "the native kernel: %s, after %llu of %llu bytes of output and %zu of %zu "
                     "bytes of input",
                     *s->stop ? "stopped from outside" : vmm_how_it_ended(st),
                     (unsigned long long)s->native_out,
                     (unsigned long long)s->end_out, s->next, s->n);
            ok = false;
        }
    }
    machine_destroy(m);
    return ok;
}

int vmm_run_pv(struct runner *r, const struct vmm_request *req, struct vmm_pv *p,
               struct qemu_log *qlog, double timeout_s)
{
    struct session s = {.p = p};
    control_input_observe(r->m, note_key, &s);
    struct run_request run = {0};
    struct run_result res;
    double t0 = clock_wall_seconds();
    for (;;) {
        enum runner_stop st = runner_run(r, &run, &res);
        if (st == RUNNER_STOP || st == RUNNER_BREAK || st == RUNNER_YIELD)
            continue;
        double monitored_s = clock_wall_seconds() - t0;
        control_input_observe(r->m, NULL, NULL);
        fflush(stdout);
        struct machine_pos pos;
        control_position(r->m, &pos);
        struct strbuf o;
        strbuf_init(&o);
        strbuf_add(&o, "\nvmm pv: the guest kernel ran at ring 1 under the paravirtual monitor; %s\n",
                   vmm_how_it_ended(st));
        vmm_pv_counts(p, "vmm pv: ", &o);
        strbuf_add(&o, "vmm pv: blocks translated: none (the guest's code runs as it is)\n");
        strbuf_add(&o, "vmm pv: under the monitor: %llu guest instructions, %.2f s\n",
                   (unsigned long long)pos.icount, monitored_s);
        if (!p->port_failures && !p->first_failure[0])
            strbuf_add(&o, "vmm pv: no privileged instruction was left in the guest\n");
        fputs(strbuf_str(&o), stderr);
        strbuf_free(&o);
        int status = report_exit(st, r, qlog, timeout_s);

        s.end_out = p->out_bytes;
        s.end_events = pos.deliveries;
        double native_s = 0;
        uint64_t native_icount = 0;
        char err[256] = "";
        if (run_native(r, req, &s, pos.icount, &native_s, &native_icount, err, sizeof err)) {
            fprintf(stderr,
                    "vmm pv: native, the same session on the native kernel: %llu guest "
                    "instructions, %.2f s",
                    (unsigned long long)native_icount, native_s);
            if (native_icount)
                fprintf(stderr, " (the paravirtual kernel's instructions are %.2fx",
                        (double)pos.icount / (double)native_icount);
            if (native_s > 0)
                fprintf(stderr, "; the monitor's time is %.2fx", monitored_s / native_s);
            fputs(native_icount ? ")\n" : "\n", stderr);
        } else {
            fprintf(stderr, "vmm pv: no native run to compare with: %s\n", err);
        }
        free(s.keys);
        return status;
    }
}
