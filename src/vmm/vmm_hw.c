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
#include "vmm/vmm_status.h"

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
        report_say("pg vmm: name a strategy: --strategy trap, bt, pv or hw (try 'ringlab pg --help')");
        return RL_EXIT_USAGE;
    }
    if (strcmp(out->strategy, "hw") != 0 && strcmp(out->strategy, "trap") != 0 &&
        strcmp(out->strategy, "bt") != 0 && strcmp(out->strategy, "pv") != 0) {
        report_say("pg vmm: --strategy '%s': this ringlab has the trap, bt, pv and hw strategies",
                   out->strategy);
        return RL_EXIT_USAGE;
    }
    return 0;
}


/* ---- the exits --------------------------------------------------------------- */

static void note_exit(void *opaque, const struct trace_event *ev)
{
    struct vmm_hw *h = opaque;
    bool irq = ev->kind == TRACE_HARDWARE_INT && h->controls.external_interrupt_exiting;
    bool exc = ev->kind == TRACE_EXCEPTION && ev->vector >= 0 && ev->vector < 32 &&
               (h->controls.exception_bitmap & (1u << ev->vector));
    if ((!irq && !exc) || ev->vector < 0 || ev->vector > 255)
        return;
    if (irq)
        h->irqs[ev->vector]++;
    else
        h->exceptions[ev->vector]++;
    h->log[h->total % VMM_EXIT_LOG] = (struct vmm_exit){
        ev->icount, irq, ev->vector, ev->before.cpl, ev->before.cs, ev->before.eip};
    h->total++;
}

bool vmm_hw_attach(struct vmm_hw *h, struct machine *m, const struct vmcs_controls *c)
{
    memset(h, 0, sizeof *h);
    h->controls = *c;
    h->m = m;
    return machine_add_sink(m, (struct trace_sink){note_exit, h});
}

/* "#PF 2, external interrupt 31 (vector 0x20: 30, vector 0x24: 1)" */
static void exits_by_cause(const struct vmm_hw *h, struct strbuf *out)
{
    const char *sep = "";
    for (int v = 0; v < 32; v++)
        if (h->exceptions[v]) {
            strbuf_add(out, "%s%s %llu", sep, trace_vector_mnemonic(v),
                       (unsigned long long)h->exceptions[v]);
            sep = ", ";
        }
    uint64_t irqs = 0;
    for (int v = 0; v < 256; v++)
        irqs += h->irqs[v];
    if (!irqs)
        return;
    strbuf_add(out, "%sexternal interrupt %llu (", sep, (unsigned long long)irqs);
    sep = "";
    for (int v = 0; v < 256; v++)
        if (h->irqs[v]) {
            strbuf_add(out, "%svector %#x: %llu", sep, v, (unsigned long long)h->irqs[v]);
            sep = ", ";
        }
    strbuf_add(out, ")");
}

static void vmcs_text(const struct vmcs_controls *c, struct strbuf *out)
{
    strbuf_add(out, "vmcs: exception bitmap     %08x", c->exception_bitmap);
    for (int v = 0; v < 32; v++)
        if (c->exception_bitmap & (1u << v))
            strbuf_add(out, " %s", trace_vector_mnemonic(v) ? trace_vector_mnemonic(v) : "?");
    strbuf_add(out, "\nvmcs: external-interrupt exiting  %s\n",
               c->external_interrupt_exiting ? "on" : "off");
}

void vmm_print_vmcs(FILE *f, const struct vmcs_controls *c)
{
    struct strbuf t;
    strbuf_init(&t);
    vmcs_text(c, &t);
    fputs(strbuf_str(&t), f);
    strbuf_free(&t);
}

void vmm_hw_info(void *opaque, struct strbuf *out)
{
    const struct vmm_hw *h = opaque;
    strbuf_add(out, "monitor: hw, in the style of VT-x: the guest kernel runs unmodified at its "
                    "own ring 0 in non-root mode\n");
    vmcs_text(&h->controls, out);
    struct cpu_state st;
    if (inspect_cpu(h->m, &st)) {
        /* Non-root mode shadows nothing: the guest's view of each register
         * is the processor's. */
        strbuf_add(out, "             virtual CPU (the guest's)  real CPU\n");
        strbuf_add(out, "  CPL        %-26u %u\n", st.cpl, st.cpl);
        strbuf_add(out, "  CS:EIP     %04x:%08x              %04x:%08x\n", st.seg[SEG_CS].selector,
                   st.eip, st.seg[SEG_CS].selector, st.eip);
        unsigned vif = (st.eflags & EFLAGS_IF) != 0;
        strbuf_add(out, "  EFLAGS.IF  %-26u %u\n", vif, vif);
        strbuf_add(out, "  CR0        %08x                   %08x\n", st.cr0, st.cr0);
        strbuf_add(out, "  CR3        %08x                   %08x\n", st.cr3, st.cr3);
        strbuf_add(out, "  GDTR       %08x/%04x              %08x/%04x\n", st.gdtr.base,
                   st.gdtr.limit, st.gdtr.base, st.gdtr.limit);
        strbuf_add(out, "  IDTR       %08x/%04x              %08x/%04x\n", st.idtr.base,
                   st.idtr.limit, st.idtr.base, st.idtr.limit);
        strbuf_add(out, "  TR         %04x                       %04x\n", st.tr.selector,
                   st.tr.selector);
        strbuf_add(out, "  (non-root mode: the guest's registers are the processor's, nothing "
                        "is shadowed)\n");
    }
    strbuf_add(out, "exits: %llu", (unsigned long long)h->total);
    if (h->total) {
        strbuf_add(out, ": ");
        exits_by_cause(h, out);
    }
    strbuf_add(out, "\n");
    uint64_t first = h->total > VMM_EXIT_LOG ? h->total - VMM_EXIT_LOG : 0;
    if (h->total)
        strbuf_add(out, "the last %llu:\n", (unsigned long long)(h->total - first));
    for (uint64_t i = first; i < h->total; i++) {
        const struct vmm_exit *e = &h->log[i % VMM_EXIT_LOG];
        const char *name = e->irq ? NULL : trace_vector_mnemonic(e->vector);
        strbuf_add(out, "  at instruction %llu: %s", (unsigned long long)e->icount,
                   e->irq ? "external interrupt" : name ? name : "exception");
        strbuf_add(out, " (vector %#x) at %04x:%08x, CPL %u\n", e->vector, e->cs, e->eip, e->cpl);
    }
}

static void log_input(void *opaque, const struct input_record *rec)
{
    struct vmm_input_log *l = opaque;
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

void vmm_input_observe(struct machine *m, struct vmm_input_log *in)
{
    control_input_observe(m, log_input, in);
}

/* The native run: the machine power-cycled, the input replayed, no
 * monitor, to the position the monitored run ended at.  False when it
 * could not be made (the reason in err). */
static bool run_native(struct runner *r, const struct vmm_request *req, struct vmm_input_log *in,
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

static void print_report(const struct vmm_hw *h, struct machine *m, double seconds,
                         const char *how)
{
    /* On a line of its own: the guest's console may end in a prompt. */
    fflush(stdout);
    struct strbuf t;
    strbuf_init(&t);
    strbuf_add(&t, "\nvmm hw: the guest ran at ring 0 under the monitor; %s\n", how);
    strbuf_add(&t, "vmm hw: %llu exits", (unsigned long long)h->total);
    if (h->total) {
        strbuf_add(&t, ": ");
        exits_by_cause(h, &t);
    }
    struct machine_pos pos;
    control_position(m, &pos);
    strbuf_add(&t, "\nvmm hw: under the monitor: %llu guest instructions, %.2f s\n",
               (unsigned long long)pos.icount, seconds);
    fputs(strbuf_str(&t), stderr);
    strbuf_free(&t);
}

static void print_native(const char *name, uint64_t monitored_icount, double monitored_s,
                         uint64_t icount, double seconds)
{
    fprintf(stderr, "vmm %s: native, the same session: %llu guest instructions, %.2f s", name,
            (unsigned long long)icount, seconds);
    if (icount == monitored_icount)
        fputs(" (the same instructions: the guest's code runs unchanged", stderr);
    else
        fputs(" (other instructions than under the monitor", stderr);
    if (seconds > 0)
        fprintf(stderr, "; the monitor's time is %.2fx", monitored_s / seconds);
    fputs(")\n", stderr);
}

void vmm_compare_native(const char *name, struct runner *r, const struct vmm_request *req,
                        struct vmm_input_log *in, double monitored_s)
{
    struct machine_pos end;
    control_position(r->m, &end);
    double native_s = 0;
    uint64_t native_icount = 0;
    char err[256] = "";
    if (run_native(r, req, in, &end, &native_s, &native_icount, err, sizeof err))
        print_native(name, end.icount, monitored_s, native_icount, native_s);
    else
        fprintf(stderr, "vmm %s: no native run to compare with: %s\n", name, err);
    free(in->recs);
    in->recs = NULL;
    in->n = in->cap = 0;
}

enum runner_stop vmm_run_to_end(struct runner *r, const struct run_request *run,
                                double *seconds)
{
    double t0 = clock_wall_seconds();
    struct run_result res;
    enum runner_stop s;
    /* A stop the run asked for (under hw a VM exit: the run came back to
     * the monitor, its sink has counted it, and the guest resumes, VM
     * entry, where the event took it), a breakpoint, a yield: go on. */
    do
        s = runner_run(r, run, &res);
    while (s == RUNNER_STOP || s == RUNNER_BREAK || s == RUNNER_YIELD);
    *seconds = clock_wall_seconds() - t0;
    return s;
}

void vmm_vector_counts(struct strbuf *out, const uint64_t counts[32])
{
    for (int v = 0; v < 32; v++)
        if (counts[v])
            strbuf_add(out, ", %s %llu", trace_vector_mnemonic(v) ? trace_vector_mnemonic(v) : "?",
                       (unsigned long long)counts[v]);
}

const char *vmm_how_it_ended(enum runner_stop s)
{
    return s == RUNNER_END     ? "the guest ended the machine"
           : s == RUNNER_QUIT  ? "stopped from outside"
           : s == RUNNER_STUCK ? "it halted for good"
                               : "a limit was reached";
}

int vmm_run_hw(struct runner *r, const struct vmm_request *req, struct vmm_hw *h,
               struct qemu_log *qlog, double timeout_s)
{
    const struct vmcs_controls *c = &req->controls;
    if (req->print_vmcs)
        vmm_print_vmcs(stderr, c);
    struct run_request run = {0};
    if (c->exception_bitmap)
        run.stop_on |= STOP_ON_FAULT;
    if (c->external_interrupt_exiting)
        run.stop_on |= STOP_ON_IRQ;
    struct vmm_input_log in = {0};
    vmm_input_observe(r->m, &in);
    double monitored_s;
    enum runner_stop s = vmm_run_to_end(r, &run, &monitored_s);
    print_report(h, r->m, monitored_s, vmm_how_it_ended(s));
    int status = report_exit(s, r, qlog, timeout_s);
    vmm_compare_native("hw", r, req, &in, monitored_s);
    return status;
}

void vmm_hw_status(void *opaque, struct vmm_status *out)
{
    const struct vmm_hw *h = opaque;
    vmm_status_init(out, "hw", "the kernel at ring 0, non-root", "exits");
    struct cpu_state st;
    if (inspect_cpu(h->m, &st)) {
        out->have_cpu = true; /* non-root mode shadows nothing */
        out->real = vmm_cpu_view_of(&st);
        out->virt = out->real;
    }
    out->total = h->total;
    for (int v = 0; v < 32; v++) {
        const char *mn = trace_vector_mnemonic(v);
        vmm_status_add_cause(out, mn ? mn : "exception", h->exceptions[v]);
    }
    for (int v = 0; v < 256; v++) {
        char name[24];
        snprintf(name, sizeof name, "interrupt %#x", v);
        vmm_status_add_cause(out, name, h->irqs[v]);
    }
    if (h->total) {
        const struct vmm_exit *e = &h->log[(h->total - 1) % VMM_EXIT_LOG];
        const char *mn = !e->irq && e->vector < 32 ? trace_vector_mnemonic(e->vector) : NULL;
        if (e->irq)
            snprintf(out->latest, sizeof out->latest, "interrupt %#x at %04x:%08x, instruction %llu",
                     e->vector, e->cs, e->eip, (unsigned long long)e->icount);
        else
            snprintf(out->latest, sizeof out->latest, "%s at %04x:%08x, instruction %llu",
                     mn ? mn : "exception", e->cs, e->eip, (unsigned long long)e->icount);
    }
}
