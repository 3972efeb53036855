/* The hardware-assisted monitor (see vmm_hw.h): its exit controls, its
 * loop and its report. */
#include "vmm/vmm_hw.h"

#include <stdlib.h>
#include <string.h>

#include "control.h"
#include "front/report.h"
#include "inspect.h"
#include "machine/clock.h"
#include "status.h"
#include "trace/event.h"

/* A monitor that shadows the guest's page tables (no nested paging) must
 * see every #PF; the other exceptions go straight to the guest's IDT.
 * External interrupts belong to the monitor (SDM Vol. 3C 25.2). */
#define DEFAULT_EXCEPTION_BITMAP (1u << 14)

static bool parse_exits(const char *list, struct vmcs_controls *c)
{
    c->exception_bitmap = 0;
    c->external_interrupt_exiting = false;
    char *copy = strdup(list), *save = NULL;
    bool ok = copy != NULL;
    for (char *w = copy ? strtok_r(copy, ",", &save) : NULL; ok && w;
         w = strtok_r(NULL, ",", &save)) {
        if (strcmp(w, "irq") == 0) {
            c->external_interrupt_exiting = true;
            continue;
        }
        if (strcmp(w, "none") == 0)
            continue;
        int found = -1;
        for (int v = 0; v < 32; v++) {
            const char *name = trace_vector_mnemonic(v);
            if (name && strcasecmp(w, name + 1) == 0) /* "pf" for "#PF" */
                found = v;
        }
        if (found < 0)
            ok = false;
        else
            c->exception_bitmap |= 1u << found;
    }
    free(copy);
    return ok;
}

int vmm_parse(int argc, char **argv, struct vmm_request *out, int *used)
{
    memset(out, 0, sizeof *out);
    out->controls.exception_bitmap = DEFAULT_EXCEPTION_BITMAP;
    out->controls.external_interrupt_exiting = true;
    int i = 1;
    for (; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--strategy") == 0 && i + 1 < argc) {
            out->strategy = argv[++i];
        } else if (strncmp(a, "--strategy=", 11) == 0) {
            out->strategy = a + 11;
        } else if (strcmp(a, "--vmcs") == 0) {
            out->print_vmcs = true;
        } else if (strcmp(a, "--exit-on") == 0 && i + 1 < argc) {
            if (!parse_exits(argv[++i], &out->controls)) {
                report_say("pg vmm: --exit-on '%s': name exceptions (pf, gp, ud, ...), irq "
                           "or none, separated by commas",
                           argv[i]);
                return RL_EXIT_USAGE;
            }
        } else {
            break; /* ringlab's own options from here */
        }
    }
    *used = i;
    if (!out->strategy) {
        report_say("pg vmm: name a strategy: --strategy hw (try 'ringlab pg --help')");
        return RL_EXIT_USAGE;
    }
    if (strcmp(out->strategy, "hw") != 0) {
        report_say("pg vmm: --strategy '%s': this ringlab has the hw strategy", out->strategy);
        return RL_EXIT_USAGE;
    }
    return 0;
}

void vmm_print_vmcs(FILE *f, const struct vmcs_controls *c)
{
    fprintf(f, "vmcs: exception bitmap     %08x", c->exception_bitmap);
    for (int v = 0; v < 32; v++)
        if (c->exception_bitmap & (1u << v))
            fprintf(f, " %s", trace_vector_mnemonic(v) ? trace_vector_mnemonic(v) : "?");
    fprintf(f, "\nvmcs: external-interrupt exiting  %s\n",
            c->external_interrupt_exiting ? "on" : "off");
}

/* Exits by cause: the 32 exceptions, then the 256 interrupt vectors. */
struct exit_counts {
    uint64_t exception[32];
    uint64_t irq[256];
    uint64_t total;
};

/* The serial input of the monitored run, for the native one. */
struct input_log {
    struct input_record *recs;
    size_t n, cap;
    bool failed;
};

static void log_input(void *opaque, const struct input_record *rec)
{
    struct input_log *l = opaque;
    if (l->n == l->cap) {
        size_t cap = l->cap ? 2 * l->cap : 256;
        struct input_record *more = realloc(l->recs, cap * sizeof *more);
        if (!more) {
            l->failed = true;
            return;
        }
        l->recs = more;
        l->cap = cap;
    }
    l->recs[l->n++] = *rec;
}

/* The native run: the machine power-cycled, the input replayed, no exits,
 * to the position the monitored run ended at.  False when it could not be
 * made (the reason in err). */
static bool run_native(struct runner *r, const struct vmm_request *req, struct input_log *in,
                       const struct machine_pos *end, double *seconds, uint64_t *icount,
                       char *err, size_t errlen)
{
    if (in->failed) {
        snprintf(err, errlen, "out of memory for the input");
        return false;
    }
    if (!req->machine_cfg) {
        snprintf(err, errlen, "no machine configuration");
        return false;
    }
    struct machine *m = machine_create(req->machine_cfg, err, errlen);
    if (!m)
        return false;
    bool ok = machine_power_on(m, err, errlen) &&
              control_input_replay(m, in->recs, in->n, end, err, errlen);
    if (ok) {
        struct runner native = *r;
        native.m = m;
        native.interrupted = 0;
        native.timeout_at = 0;
        native.max_insns = 0;
        if (req->quiet)
            req->quiet(req->quiet_opaque, true);
        struct run_request none = {0};
        struct run_result res;
        double t0 = clock_wall_seconds();
        enum runner_stop s;
        do
            s = runner_run(&native, &none, &res);
        while (s == RUNNER_STOP || s == RUNNER_BREAK || s == RUNNER_YIELD);
        *seconds = clock_wall_seconds() - t0;
        if (req->quiet)
            req->quiet(req->quiet_opaque, false);
        struct machine_pos pos;
        control_position(m, &pos);
        *icount = pos.icount;
        if (s == RUNNER_QUIT) {
            snprintf(err, errlen, "stopped from outside");
            ok = false;
        }
    }
    machine_destroy(m);
    return ok;
}

static void print_report(const struct exit_counts *n, struct machine *m, double seconds,
                         const char *how)
{
    /* On a line of its own: the guest's console may end in a prompt. */
    fflush(stdout);
    fprintf(stderr, "\nvmm hw: the guest ran at ring 0 under the monitor; %s\n", how);
    fprintf(stderr, "vmm hw: %llu exits", (unsigned long long)n->total);
    const char *sep = ": ";
    for (int v = 0; v < 32; v++)
        if (n->exception[v]) {
            fprintf(stderr, "%s%s %llu", sep, trace_vector_mnemonic(v),
                    (unsigned long long)n->exception[v]);
            sep = ", ";
        }
    uint64_t irqs = 0;
    for (int v = 0; v < 256; v++)
        irqs += n->irq[v];
    if (irqs) {
        fprintf(stderr, "%sexternal interrupt %llu (", sep, (unsigned long long)irqs);
        const char *s2 = "";
        for (int v = 0; v < 256; v++)
            if (n->irq[v]) {
                fprintf(stderr, "%svector %#x: %llu", s2, v, (unsigned long long)n->irq[v]);
                s2 = ", ";
            }
        fputc(')', stderr);
    }
    struct machine_pos pos;
    control_position(m, &pos);
    fprintf(stderr, "\nvmm hw: under the monitor: %llu guest instructions, %.2f s\n",
            (unsigned long long)pos.icount, seconds);
}

static void print_native(uint64_t monitored_icount, double monitored_s, uint64_t icount,
                         double seconds)
{
    fprintf(stderr, "vmm hw: native, the same session: %llu guest instructions, %.2f s",
            (unsigned long long)icount, seconds);
    if (icount == monitored_icount)
        fputs(" (the same instructions: the guest's code runs unchanged", stderr);
    else
        fputs(" (other instructions than under the monitor", stderr);
    if (seconds > 0)
        fprintf(stderr, "; the monitor's time is %.2fx", monitored_s / seconds);
    fputs(")\n", stderr);
}

int vmm_run_hw(struct runner *r, const struct vmm_request *req, struct qemu_log *qlog,
               double timeout_s)
{
    const struct vmcs_controls *c = &req->controls;
    if (req->print_vmcs)
        vmm_print_vmcs(stderr, c);
    struct run_request run = {0};
    if (c->exception_bitmap)
        run.stop_on |= STOP_ON_FAULT;
    if (c->external_interrupt_exiting)
        run.stop_on |= STOP_ON_IRQ;
    struct exit_counts n = {0};
    struct input_log in = {0};
    control_input_observe(r->m, log_input, &in);
    double t0 = clock_wall_seconds();
    struct run_result res;
    for (;;) {
        enum runner_stop s = runner_run(r, &run, &res);
        if (s == RUNNER_STOP && res.stop == RUN_EVENT) {
            /* A VM exit: the monitor notes why, and the guest resumes
             * (VM entry) where the event took it. */
            const struct trace_event *ev = &res.event;
            if (ev->kind == TRACE_EXCEPTION && ev->vector >= 0 && ev->vector < 32 &&
                (c->exception_bitmap & (1u << ev->vector))) {
                n.exception[ev->vector]++;
                n.total++;
            } else if (ev->kind == TRACE_HARDWARE_INT && ev->vector >= 0 && ev->vector < 256) {
                n.irq[ev->vector]++;
                n.total++;
            }
            continue;
        }
        if (s == RUNNER_STOP || s == RUNNER_BREAK || s == RUNNER_YIELD)
            continue;
        const char *how = s == RUNNER_END      ? "the guest ended the machine"
                          : s == RUNNER_QUIT   ? "stopped from outside"
                          : s == RUNNER_STUCK  ? "it halted for good"
                                               : "a limit was reached";
        double monitored_s = clock_wall_seconds() - t0;
        print_report(&n, r->m, monitored_s, how);
        int status = report_exit(s, r, qlog, timeout_s);
        struct machine_pos end;
        control_position(r->m, &end);
        double native_s = 0;
        uint64_t native_icount = 0;
        char err[256] = "";
        if (run_native(r, req, &in, &end, &native_s, &native_icount, err, sizeof err))
            print_native(end.icount, monitored_s, native_icount, native_s);
        else
            fprintf(stderr, "vmm hw: no native run to compare with: %s\n", err);
        free(in.recs);
        return status;
    }
}
