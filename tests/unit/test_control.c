/* Check suite for the control and inspect APIs, on whole machines running
 * the small guests of tests/guests (built by make check):
 *   - each kind of stop lands where it must, with the right event, and the
 *     run resumes from there;
 *   - stepping N instructions and running N give the same state, for every
 *     N across a block;
 *   - a run cut into pieces at stops of every kind tells the same story as
 *     one run: the same events at the same instruction counts, the same end;
 *   - breakpoints (also in code that is rewritten), watchpoints, pause from
 *     another thread, idle with the next deadline;
 *   - no inspect call changes the CPU, the devices or a byte of RAM, nor,
 *     with two CPUs, either CPU when it reads the other. */
#include <check.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "control.h"
#include "debug/symbols.h"
#include "inspect.h"
#include "loader/multiboot.h"
#include "machine.h"

#define MAX_EVENTS 512
#define RAM (32u << 20)

struct guest {
    uint8_t *image;
    size_t size;
    char path[256];
    char serial[4096];
    size_t serial_len;
    struct symbols *syms;
};

static bool load_guest(void *opaque, uint8_t *ram, size_t ram_size, struct boot_info *boot,
                       char *err, size_t errlen)
{
    struct guest *g = opaque;
    return multiboot_load(g->image, g->size, g->path, "", NULL, 0, ram, ram_size, boot, err,
                          errlen) == LOAD_OK;
}

static void serial_out(void *opaque, uint8_t byte)
{
    struct guest *g = opaque;
    if (g->serial_len + 1 < sizeof g->serial)
        g->serial[g->serial_len++] = (char)byte;
    g->serial[g->serial_len] = '\0';
}

static struct guest *read_guest(const char *name)
{
    struct guest *g = calloc(1, sizeof *g);
    ck_assert_ptr_nonnull(g);
    const char *dir = getenv("GUEST_DIR") ? getenv("GUEST_DIR") : "tests/guests";
    snprintf(g->path, sizeof g->path, "%s/%s.elf", dir, name);
    FILE *f = fopen(g->path, "rb");
    ck_assert_msg(f != NULL, "cannot open %s (make check builds it)", g->path);
    fseek(f, 0, SEEK_END);
    g->size = (size_t)ftell(f);
    fseek(f, 0, SEEK_SET);
    g->image = malloc(g->size);
    ck_assert_uint_eq(fread(g->image, 1, g->size, f), g->size);
    fclose(f);
    g->syms = symbols_create();
    char err[200];
    ck_assert_msg(symbols_add_elf(g->syms, NULL, g->image, g->size, err, sizeof err), "%s", err);
    return g;
}

static void free_guest(struct guest *g)
{
    symbols_destroy(g->syms);
    free(g->image);
    free(g);
}

static uint32_t symbol(struct guest *g, const char *name)
{
    uint32_t a = 0;
    ck_assert_msg(symbols_find(g->syms, -1, name, &a), "no symbol %s in %s", name, g->path);
    return a;
}

static struct machine *boot_cpus(struct guest *g, int cpus)
{
    struct machine_config cfg = {
        .cpus = cpus,
        .apic = cpus > 1,
        .ram_size = RAM,
        .rtc_epoch = 946684800,
        .debug_exit = true,
        .debug_exit_iobase = 0xf4,
        .debug_exit_iosize = 4,
        .load = load_guest,
        .load_opaque = g,
        .serial_out = serial_out,
        .serial_opaque = g,
        .trace_returns = true,
        .explain_events = true,
    };
    char err[256];
    struct machine *m = machine_create(&cfg, err, sizeof err);
    ck_assert_msg(m != NULL, "machine_create: %s", err);
    ck_assert_msg(machine_power_on(m, err, sizeof err), "power on: %s", err);
    return m;
}

static struct machine *boot(struct guest *g)
{
    return boot_cpus(g, 1);
}

/* Run to the end, letting idle time pass as the plain command line does. */
static enum run_stop run_to_end(struct machine *m, const struct run_request *req,
                                struct run_result *res)
{
    for (;;) {
        enum run_stop s = control_run(m, req, res);
        if (s == RUN_IDLE) {
            ck_assert_uint_ne(res->next_event_ns, UINT64_MAX);
            control_idle(m, res->next_event_ns - inspect_time_ns(m));
            continue;
        }
        if (s == RUN_SLICE || s == RUN_PAUSED)
            continue;
        return s;
    }
}

/* Run on to the guest's end (breakpoints off): it passes; then free all. */
static void passes_and_ends(struct machine *m, struct guest *g)
{
    struct run_request none = {.no_breakpoints = true};
    struct run_result res;
    run_to_end(m, &none, &res);
    ck_assert_int_eq(machine_debug_exit_status(m), 1);
    machine_destroy(m);
    free_guest(g);
}

static uint32_t linear_eip(struct machine *m)
{
    struct cpu_state st;
    ck_assert(inspect_cpu(m, &st));
    return st.seg[SEG_CS].base + st.eip;
}

/* ---- stops by event kind ------------------------------------------------- */

/* stack_switch: ring 3 INT 0x42 through an interrupt gate into h_int. */
START_TEST(test_until_syscall_stops_at_the_handler)
{
    struct guest *g = read_guest("stack_switch");
    struct machine *m = boot(g);
    struct run_request req = {.stop_on = STOP_ON_SYSCALL};
    struct run_result res;
    ck_assert_int_eq(control_run(m, &req, &res), RUN_EVENT);
    ck_assert_int_eq(res.event.kind, TRACE_SOFTWARE_INT);
    ck_assert_uint_eq(res.event.before.cpl, 3);
    ck_assert_uint_eq(res.event.after.cpl, 0);
    struct cpu_state st;
    ck_assert(inspect_cpu(m, &st));
    ck_assert_uint_eq(st.cpl, 0);
    /* Stopped before the handler's first instruction runs. */
    ck_assert_uint_eq(st.eip, res.event.after.eip);
    ck_assert_uint_eq(linear_eip(m), symbol(g, "h_int"));
    ck_assert_uint_eq(res.event.icount, inspect_icount(m) - 1); /* the INT itself ran */
    /* And on from there to the guest's own end. */
    struct run_request none = {0};
    ck_assert_int_eq(run_to_end(m, &none, &res), RUN_END);
    ck_assert_int_eq(machine_end(m), END_DEBUG_EXIT);
    ck_assert_int_eq(machine_debug_exit_status(m), 1);
    machine_destroy(m);
    free_guest(g);
}
END_TEST

/* sysenter: the SYSENTER from ring 3 and the SYSEXIT back. */
START_TEST(test_until_sysret_stops_back_in_ring_3)
{
    struct guest *g = read_guest("sysenter");
    struct machine *m = boot(g);
    struct run_request req = {.stop_on = STOP_ON_SYSCALL};
    struct run_result res;
    ck_assert_int_eq(control_run(m, &req, &res), RUN_EVENT);
    ck_assert_int_eq(res.event.kind, TRACE_SYSENTER);
    ck_assert_uint_eq(linear_eip(m), symbol(g, "sys_entry"));
    req.stop_on = STOP_ON_SYSRET;
    ck_assert_int_eq(control_run(m, &req, &res), RUN_EVENT);
    ck_assert_int_eq(res.event.kind, TRACE_SYSEXIT);
    ck_assert_uint_eq(res.event.after.cpl, 3);
    struct cpu_state st;
    ck_assert(inspect_cpu(m, &st));
    ck_assert_uint_eq(st.cpl, 3);
    ck_assert_uint_eq(st.eip, res.event.after.eip);
    ck_assert_uint_eq(linear_eip(m), symbol(g, "user.back"));
    machine_destroy(m);
    free_guest(g);
}
END_TEST

/* pf_codes: every fault it provokes, one stop each, in the order and at
 * the instruction counts of a run that does not stop. */
START_TEST(test_until_fault_each_fault_in_turn)
{
    struct guest *g = read_guest("pf_codes");
    struct machine *straight = boot(g);
    struct run_request none = {0};
    struct run_result res;
    ck_assert_int_eq(run_to_end(straight, &none, &res), RUN_END);
    static struct trace_event all[MAX_EVENTS];
    size_t n = inspect_events(straight, all, MAX_EVENTS);
    ck_assert_uint_gt(n, 5);

    struct machine *m = boot(g);
    struct run_request req = {.stop_on = STOP_ON_FAULT};
    size_t seen = 0;
    for (size_t i = 0; i < n; i++) {
        if (all[i].kind != TRACE_EXCEPTION)
            continue;
        ck_assert_int_eq(run_to_end(m, &req, &res), RUN_EVENT);
        ck_assert_uint_eq(res.event.seq, all[i].seq);
        ck_assert_uint_eq(res.event.icount, all[i].icount);
        ck_assert_int_eq(res.event.vector, all[i].vector);
        ck_assert_uint_eq(res.event.error_code, all[i].error_code);
        ck_assert_uint_eq(res.event.cr2, all[i].cr2);
        if (all[i].delivered)
            ck_assert_uint_eq(linear_eip(m), res.event.after.eip);
        seen++;
    }
    ck_assert_uint_gt(seen, 5);
    ck_assert_int_eq(run_to_end(m, &req, &res), RUN_END);
    ck_assert_uint_eq(inspect_icount(m), inspect_icount(straight));
    machine_destroy(m);
    machine_destroy(straight);
    free_guest(g);
}
END_TEST

/* pit_irq: IRQ 0 through the 8259A, taken in HLT; the CPU idles between. */
START_TEST(test_until_irq_and_idle)
{
    struct guest *g = read_guest("pit_irq");
    struct machine *m = boot(g);
    struct run_request req = {.stop_on = STOP_ON_IRQ};
    struct run_result res;
    int irqs = 0, idles = 0;
    for (;;) {
        enum run_stop s = control_run(m, &req, &res);
        if (s == RUN_IDLE) {
            idles++;
            ck_assert_uint_gt(res.next_event_ns, inspect_time_ns(m));
            uint64_t before = inspect_time_ns(m);
            control_idle(m, res.next_event_ns - before);
            ck_assert_uint_eq(inspect_time_ns(m), res.next_event_ns);
            continue;
        }
        if (s != RUN_EVENT)
            break;
        irqs++;
        ck_assert_int_eq(res.event.kind, TRACE_HARDWARE_INT);
        ck_assert_int_eq(res.event.vector, 0x20);
        ck_assert_uint_eq(linear_eip(m), symbol(g, "irq0"));
    }
    ck_assert_int_eq(irqs, 5);
    ck_assert_int_ge(idles, 5);
    ck_assert_int_eq(machine_end(m), END_DEBUG_EXIT);
    ck_assert_int_eq(machine_debug_exit_status(m), 1);
    machine_destroy(m);
    free_guest(g);
}
END_TEST

START_TEST(test_until_vector)
{
    struct guest *g = read_guest("pf_codes");
    struct machine *m = boot(g);
    struct run_request req = {.stop_on = STOP_ON_VECTOR, .vector = 14};
    struct run_result res;
    ck_assert_int_eq(control_run(m, &req, &res), RUN_EVENT);
    ck_assert_int_eq(res.event.vector, 14);
    ck_assert_uint_eq(inspect_cpu(m, &(struct cpu_state){0}), true);
    machine_destroy(m);
    free_guest(g);
}
END_TEST

/* ---- instruction counts ---------------------------------------------------- */

static void same_cpu(const struct cpu_state *a, const struct cpu_state *b, uint64_t n)
{
    ck_assert_msg(a->eip == b->eip, "after %llu instructions: EIP %08x vs %08x",
                  (unsigned long long)n, a->eip, b->eip);
    for (int i = 0; i < 8; i++)
        ck_assert_msg(a->gpr[i] == b->gpr[i], "after %llu: register %d %08x vs %08x",
                      (unsigned long long)n, i, a->gpr[i], b->gpr[i]);
    ck_assert_uint_eq(a->eflags, b->eflags);
    ck_assert_uint_eq(a->cpl, b->cpl);
    ck_assert_uint_eq(a->cr3, b->cr3);
}

/* Stepping N instructions one at a time, stepping N at once, and running
 * with a budget of N reach the same instruction, for every N from 1 to 300
 * (through faults and their handlers: a delivery belongs to the instruction
 * that caused it). */
START_TEST(test_step_n_equals_run_n)
{
    struct guest *g = read_guest("nested_faults");
    struct machine *stepped = boot(g);
    struct run_result res;
    for (uint64_t n = 1; n <= 300; n++) {
        ck_assert_int_eq(control_step(stepped, 1, &res), RUN_INSNS);
        ck_assert_uint_eq(inspect_icount(stepped), n);
        if (n % 37 != 0 && n != 300)
            continue;
        struct machine *ran = boot(g), *at_once = boot(g);
        struct run_request req = {.max_insns = n};
        ck_assert_int_eq(control_run(ran, &req, &res), RUN_INSNS);
        ck_assert_uint_eq(inspect_icount(ran), n);
        ck_assert_int_eq(control_step(at_once, n, &res), RUN_INSNS);
        struct cpu_state a, b, c;
        inspect_cpu(stepped, &a);
        inspect_cpu(ran, &b);
        inspect_cpu(at_once, &c);
        same_cpu(&a, &b, n);
        same_cpu(&a, &c, n);
        machine_destroy(ran);
        machine_destroy(at_once);
    }
    machine_destroy(stepped);
    free_guest(g);
}
END_TEST

/* The story of a run: its events (number, count, kind, vector, error code,
 * where from and to), the guest's output and how it ended. */
struct story {
    struct trace_event ev[MAX_EVENTS];
    size_t n;
    char serial[4096];
    uint64_t icount;
    int status;
};

static void tell(struct machine *m, struct guest *g, struct story *s)
{
    s->n = inspect_events(m, s->ev, MAX_EVENTS);
    memcpy(s->serial, g->serial, sizeof s->serial);
    s->icount = inspect_icount(m);
    s->status = machine_debug_exit_status(m);
}

static void same_story(const struct story *a, const struct story *b, const char *how)
{
    ck_assert_msg(a->n == b->n, "%s: %zu events vs %zu", how, a->n, b->n);
    for (size_t i = 0; i < a->n; i++) {
        const struct trace_event *x = &a->ev[i], *y = &b->ev[i];
        ck_assert_msg(x->seq == y->seq && x->icount == y->icount && x->kind == y->kind &&
                          x->vector == y->vector && x->error_code == y->error_code &&
                          x->before.eip == y->before.eip && x->after.eip == y->after.eip &&
                          x->after.esp == y->after.esp && x->cr2 == y->cr2,
                      "%s: event %zu differs: icount %llu vs %llu, vector %d vs %d, eip %08x vs %08x",
                      how, i, (unsigned long long)x->icount, (unsigned long long)y->icount,
                      x->vector, y->vector, x->before.eip, y->before.eip);
    }
    ck_assert_msg(!strcmp(a->serial, b->serial), "%s: the guest's output differs", how);
    ck_assert_msg(a->icount == b->icount, "%s: it ended after %llu instructions, not %llu", how,
                  (unsigned long long)b->icount, (unsigned long long)a->icount);
    ck_assert_msg(a->status == b->status, "%s: exit status %d, not %d", how, b->status, a->status);
}

/* Guests with faults, system calls, returns, timer IRQs and I/O, run once
 * straight and once cut at every event, every 97 instructions and by
 * single steps: the same story each time. */
START_TEST(test_split_runs_tell_the_same_story)
{
    static const char *const names[] = {"pit_irq", "stack_switch", "sysenter", "iopl_bitmap",
                                         "nested_faults", "task_gate", "sti_shadow", "smc"};
    static struct story straight, cut;
    for (size_t k = 0; k < sizeof names / sizeof names[0]; k++) {
        struct guest *g = read_guest(names[k]);
        struct machine *m = boot(g);
        struct run_request none = {0};
        struct run_result res;
        ck_assert_int_eq(run_to_end(m, &none, &res), RUN_END);
        tell(m, g, &straight);
        machine_destroy(m);

        /* sti_shadow polls for 189,000 instructions: not one step at a time. */
        int ways = strcmp(names[k], "sti_shadow") ? 3 : 2;
        for (int how = 0; how < ways; how++) {
            g->serial_len = 0;
            g->serial[0] = '\0';
            m = boot(g);
            struct run_request req = {0};
            if (how == 0)
                req.stop_on = STOP_ON_SYSCALL | STOP_ON_SYSRET | STOP_ON_TRANSITION |
                              STOP_ON_FAULT | STOP_ON_IRQ;
            else if (how == 1)
                req.max_insns = 97;
            int stops = 0;
            for (;;) {
                enum run_stop s = how == 2 ? control_step(m, 1 + (uint64_t)(stops % 5), &res)
                                           : control_run(m, &req, &res);
                if (s == RUN_IDLE) {
                    control_idle(m, res.next_event_ns - inspect_time_ns(m));
                    continue;
                }
                if (s == RUN_END)
                    break;
                stops++;
            }
            if (how > 0) /* every guest runs more than 97 instructions */
                ck_assert_int_gt(stops, 2);
            tell(m, g, &cut);
            char what[64];
            snprintf(what, sizeof what, "%s, cut %s", names[k],
                     how == 0 ? "at events" : how == 1 ? "every 97" : "by steps");
            same_story(&straight, &cut, what);
            machine_destroy(m);
        }
        free_guest(g);
    }
}
END_TEST

/* ---- breakpoints and watchpoints ----------------------------------------------- */

/* smc writes program A, then B, into the frame at 0x200000 and calls it:
 * a breakpoint there stops before each, and each is the code just written. */
START_TEST(test_breakpoint_in_rewritten_code)
{
    struct guest *g = read_guest("smc");
    struct machine *m = boot(g);
    int id = control_break_add(m, 0x200000, false, 0);
    ck_assert_int_gt(id, 0);
    struct run_request req = {0};
    struct run_result res;
    static const uint32_t want[2] = {0xaaaa, 0xbbbb};
    for (int i = 0; i < 2; i++) {
        ck_assert_int_eq(control_run(m, &req, &res), RUN_BREAKPOINT);
        ck_assert_int_eq(res.id, id);
        ck_assert_uint_eq(linear_eip(m), 0x200000);
        ck_assert_int_eq(control_step(m, 1, &res), RUN_INSNS);
        struct cpu_state st;
        inspect_cpu(m, &st);
        ck_assert_uint_eq(st.gpr[GPR_EAX], want[i]);
    }
    /* patch_me: hit twice, its immediate rewritten in between. */
    ck_assert(control_break_del(m, id));
    struct machine *m2 = boot(g);
    int id2 = control_break_add(m2, symbol(g, "patch_me"), false, 0);
    int hits = 0;
    for (;;) {
        enum run_stop s = control_run(m2, &req, &res);
        if (s != RUN_BREAKPOINT)
            break;
        ck_assert_int_eq(res.id, id2);
        hits++;
    }
    ck_assert_int_eq(hits, 2);
    ck_assert_int_eq(machine_debug_exit_status(m2), 1);
    machine_destroy(m2);
    machine_destroy(m);
    free_guest(g);
}
END_TEST

/* A breakpoint bound to another CR3 does not stop; one at the current
 * address does not stop the run that starts on it; deleting works. */
START_TEST(test_breakpoint_cr3_and_resume)
{
    struct guest *g = read_guest("smc");
    struct machine *m = boot(g);
    uint32_t at = symbol(g, "patch_me");
    ck_assert_int_gt(control_break_add(m, at, true, 0x12345000), 0);
    struct run_request req = {0};
    struct run_result res;
    ck_assert_int_eq(run_to_end(m, &req, &res), RUN_END);
    ck_assert_int_eq(machine_debug_exit_status(m), 1);
    machine_destroy(m);

    m = boot(g);
    int id = control_break_add(m, at, false, 0);
    ck_assert_int_eq(control_run(m, &req, &res), RUN_BREAKPOINT);
    uint64_t first = inspect_icount(m);
    /* Resuming on it goes past it, to its second hit. */
    ck_assert_int_eq(control_run(m, &req, &res), RUN_BREAKPOINT);
    ck_assert_uint_gt(inspect_icount(m), first);
    ck_assert_uint_eq(linear_eip(m), at);
    struct breakpoint_info list[4];
    ck_assert_uint_eq(control_break_list(m, list, 4), 1);
    ck_assert_uint_eq(list[0].hits, 2);
    ck_assert(control_break_del(m, id));
    ck_assert(!control_break_del(m, id));
    ck_assert_int_eq(run_to_end(m, &req, &res), RUN_END);
    machine_destroy(m);
    free_guest(g);
}
END_TEST

/* The watched dword of smc's patch: the run stops right after the store. */
START_TEST(test_watchpoint_stops_after_the_store)
{
    struct guest *g = read_guest("smc");
    struct machine *m = boot(g);
    uint32_t target = symbol(g, "patch_me") + 1;
    int id = control_watch_add(m, true, target, 4);
    ck_assert_int_gt(id, 0);
    struct run_request req = {0};
    struct run_result res;
    ck_assert_int_eq(control_run(m, &req, &res), RUN_WATCHPOINT);
    ck_assert_int_eq(res.id, id);
    uint32_t value = 0;
    ck_assert(inspect_phys(m, target, &value, 4));
    ck_assert_uint_eq(value, 2); /* the store has happened */
    /* Stopped at the instruction after it: the call of patch_me. */
    uint8_t op = 0;
    ck_assert(inspect_linear(m, NULL, linear_eip(m), &op, 1, NULL));
    ck_assert_uint_eq(op, 0xe8);
    ck_assert(control_watch_del(m, id));
    ck_assert_int_eq(run_to_end(m, &req, &res), RUN_END);
    ck_assert_int_eq(machine_debug_exit_status(m), 1);
    machine_destroy(m);
    free_guest(g);
}
END_TEST

/* ---- pause from another thread ---------------------------------------------------- */

struct pauser {
    struct machine *m;
};

static void *pause_later(void *opaque)
{
    struct pauser *p = opaque;
    usleep(100 * 1000);
    control_pause(p->m);
    return NULL;
}

/* pit_irq idles between its five timer interrupts; letting its idle time
 * pass slowly, with the wall clock, makes the run last longer than the
 * other thread's delay, so the pause lands in the middle of it. */
START_TEST(test_pause_from_another_thread)
{
    struct guest *g = read_guest("pit_irq");
    struct machine *m = boot(g);
    pthread_t t;
    struct pauser p = {m};
    ck_assert_int_eq(pthread_create(&t, NULL, pause_later, &p), 0);
    /* Wall-clock idling so the run takes longer than the pause's delay. */
    struct run_request req = {0};
    struct run_result res;
    enum run_stop s;
    while ((s = control_run(m, &req, &res)) == RUN_IDLE) {
        usleep(30 * 1000);
        control_idle(m, (res.next_event_ns - inspect_time_ns(m)) / 8 + 1);
    }
    pthread_join(t, NULL);
    ck_assert_int_eq(s, RUN_PAUSED);
    ck_assert_int_eq(machine_end(m), END_NONE);
    ck_assert_int_eq(run_to_end(m, &req, &res), RUN_END);
    ck_assert_int_eq(machine_debug_exit_status(m), 1);
    machine_destroy(m);
    free_guest(g);
}
END_TEST

/* ---- inspect changes nothing -------------------------------------------------------- */

static uint64_t ram_hash(struct machine *m)
{
    static uint8_t page[4096];
    uint64_t h = 0xcbf29ce484222325ull;
    for (uint32_t a = 0; a < RAM; a += 4096) {
        ck_assert(inspect_phys(m, a, page, sizeof page));
        for (size_t i = 0; i < sizeof page; i++)
            h = (h ^ page[i]) * 0x100000001b3ull;
    }
    return h;
}

struct snapshot {
    struct cpu_state cpu;
    struct pic_pair pic;
    struct pit pit;
    struct uart uart;
    uint64_t icount, time, events;
    uint64_t ram;
    struct msr_value msrs[16];
};

static void take(struct machine *m, struct snapshot *s)
{
    memset(s, 0, sizeof *s);
    inspect_cpu(m, &s->cpu);
    inspect_pic(m, &s->pic);
    inspect_pit(m, &s->pit);
    inspect_uart(m, &s->uart);
    s->icount = inspect_icount(m);
    s->time = inspect_time_ns(m);
    s->events = inspect_event_count(m);
    s->ram = ram_hash(m);
    inspect_msrs(m, s->msrs, 16);
}

static void every_inspect_call(struct machine *m)
{
    struct cpu_state st;
    inspect_cpu(m, &st);
    struct msr_value msrs[16];
    inspect_msrs(m, msrs, 16);
    uint8_t buf[64];
    struct paging_walk w;
    inspect_phys(m, 0x1000, buf, sizeof buf);
    /* Walks of every kind at addresses mapped and not, so no A or D bit is set. */
    for (uint32_t a = 0; a < RAM; a += 0x40000) {
        inspect_linear(m, NULL, a, buf, 16, &w);
        inspect_walk(m, NULL, a, PAGING_WRITE, true, &w);
        inspect_walk(m, NULL, a, PAGING_FETCH, false, &w);
    }
    uint32_t cr3 = st.cr3;
    inspect_linear(m, &cr3, st.seg[SEG_CS].base + st.eip, buf, 16, &w);
    struct descriptor d;
    for (unsigned i = 0; i < 16; i++) {
        inspect_gdt(m, i, &d);
        inspect_ldt(m, i, &d);
    }
    struct gate gt;
    uint32_t raw[2];
    for (unsigned v = 0; v < 256; v++)
        inspect_idt(m, v, &gt, raw);
    struct tss_view tv;
    inspect_tss(m, &tv);
    struct pic_pair pic;
    struct pit pit;
    struct uart uart;
    inspect_pic(m, &pic);
    inspect_pit(m, &pit);
    inspect_uart(m, &uart);
    inspect_icount(m);
    inspect_time_ns(m);
    static struct trace_event evs[64];
    inspect_events(m, evs, 64);
    inspect_event_count(m);
}

static void same_snapshot(const struct snapshot *a, const struct snapshot *b)
{
    ck_assert_mem_eq(&a->cpu, &b->cpu, sizeof a->cpu);
    ck_assert_mem_eq(&a->pic, &b->pic, sizeof a->pic);
    ck_assert_mem_eq(&a->pit, &b->pit, sizeof a->pit);
    ck_assert_mem_eq(&a->uart, &b->uart, sizeof a->uart);
    ck_assert_uint_eq(a->icount, b->icount);
    ck_assert_uint_eq(a->time, b->time);
    ck_assert_uint_eq(a->events, b->events);
    ck_assert_uint_eq(a->ram, b->ram);
    for (int i = 0; i < 16; i++)
        ck_assert_uint_eq(a->msrs[i].value, b->msrs[i].value);
}

/* At stops with paging on and off, in ring 0 and 3: inspect everything,
 * twice, and the machine is as it was. */
START_TEST(test_inspect_changes_nothing)
{
    static const char *const names[] = {"pf_codes", "stack_switch", "pit_irq"};
    for (size_t k = 0; k < 3; k++) {
        struct guest *g = read_guest(names[k]);
        struct machine *m = boot(g);
        struct run_request req = {.stop_on = STOP_ON_TRANSITION | STOP_ON_FAULT | STOP_ON_IRQ};
        struct run_result res;
        for (int stop = 0; stop < 6; stop++) {
            static struct snapshot before, after;
            take(m, &before);
            every_inspect_call(m);
            every_inspect_call(m);
            take(m, &after);
            same_snapshot(&before, &after);
            enum run_stop s = control_run(m, &req, &res);
            while (s == RUN_IDLE) {
                control_idle(m, res.next_event_ns - inspect_time_ns(m));
                s = control_run(m, &req, &res);
            }
            if (s == RUN_END)
                break;
        }
        /* And the guest still passes: nothing it can see moved. */
        passes_and_ends(m, g);
    }
}
END_TEST

/* Two CPUs (smp_start), stopped on the AP: every inspect call made of
 * either CPU leaves both as they were; each CPU reads as itself; and the
 * guest still passes. */
START_TEST(test_inspect_either_cpu_changes_nothing)
{
    struct guest *g = read_guest("smp_start");
    struct machine *m = boot_cpus(g, 2);
    struct cpu_summary cpus[MACHINE_MAX_CPUS];
    ck_assert_uint_eq(inspect_cpus(m, cpus, MACHINE_MAX_CPUS), 2);
    ck_assert_int_eq(cpus[1].state, CPU_WAITING_FOR_SIPI);
    uint32_t ap32 = symbol(g, "ap32");
    control_break_add(m, ap32 + 0x16, false, 0); /* the AP's first INT 0x31 */
    struct run_request req = {0};
    struct run_result res;
    ck_assert_int_eq(run_to_end(m, &req, &res), RUN_BREAKPOINT);
    ck_assert_int_eq(inspect_running_cpu(m), 1);
    ck_assert_uint_eq(linear_eip(m), ap32 + 0x16);
    static struct snapshot before[2], after[2];
    for (int i = 0; i < 2; i++) {
        ck_assert(control_select_cpu(m, i));
        take(m, &before[i]);
    }
    for (int i = 0; i < 2; i++) {
        ck_assert(control_select_cpu(m, i));
        every_inspect_call(m);
        inspect_cpus(m, cpus, MACHINE_MAX_CPUS);
    }
    for (int i = 0; i < 2; i++) {
        ck_assert(control_select_cpu(m, i));
        take(m, &after[i]);
        same_snapshot(&before[i], &after[i]);
    }
    /* CPU 0 is the BSP, waiting for the AP's mark on a stack of its own. */
    ck_assert_uint_ne(before[0].cpu.eip, before[1].cpu.eip);
    ck_assert_uint_ne(before[0].cpu.gpr[GPR_ESP], before[1].cpu.gpr[GPR_ESP]);
    ck_assert_uint_eq(before[1].cpu.gpr[GPR_ESP], symbol(g, "ap_stack_top"));
    ck_assert(!control_select_cpu(m, 2));
    ck_assert(control_select_cpu(m, -1));
    ck_assert_int_eq(inspect_selected_cpu(m), 1);
    passes_and_ends(m, g);
}
END_TEST

/* A step of the AP before the BSP has started it: the BSP runs meanwhile
 * (the step may come back with RUN_SLICE while it waits; stepping again
 * goes on), and the step ends after the AP's first instruction, the CLI
 * at the start-up vector's 0700:0000. */
START_TEST(test_step_waits_for_its_cpu)
{
    struct guest *g = read_guest("smp_start");
    struct machine *m = boot_cpus(g, 2);
    ck_assert(control_select_cpu(m, 1));
    struct run_result res;
    enum run_stop s;
    while ((s = control_step(m, 1, &res)) == RUN_SLICE)
        ;
    ck_assert_int_eq(s, RUN_INSNS);
    ck_assert_int_eq(inspect_running_cpu(m), 1);
    struct cpu_state st;
    ck_assert(inspect_cpu(m, &st));
    ck_assert_uint_eq(st.seg[SEG_CS].selector, 0x0700);
    ck_assert_uint_eq(st.eip, 1);
    ck_assert(control_select_cpu(m, 0));
    ck_assert(inspect_cpu(m, &st));
    ck_assert_uint_ne(st.seg[SEG_CS].base + st.eip, symbol(g, "_start"));
    ck_assert(control_select_cpu(m, -1));
    passes_and_ends(m, g);
}
END_TEST

/* ---- changes from outside ------------------------------------------------------------ */

/* smc's patch_me returns its immediate: write another one over it from
 * outside (linear and physical), and the guest's call returns it: the
 * translation of the old bytes is gone.  Then registers: EIP set back to
 * patch_me with EAX changed runs from there. */
START_TEST(test_writes_take_effect)
{
    struct guest *g = read_guest("smc");
    struct machine *m = boot(g);
    uint32_t fn = symbol(g, "patch_me");
    int id = control_break_add(m, fn, false, 0);
    struct run_request req = {0};
    struct run_result res;
    ck_assert_int_eq(control_run(m, &req, &res), RUN_BREAKPOINT);
    ck_assert_int_eq(control_step(m, 1, &res), RUN_INSNS); /* mov eax, 1: translated and run */
    struct cpu_state st;
    inspect_cpu(m, &st);
    ck_assert_uint_eq(st.gpr[GPR_EAX], 1);
    uint32_t v = 0x1234;
    ck_assert(control_write_linear(m, NULL, fn + 1, &v, 4));
    st.eip = fn;
    st.gpr[GPR_EAX] = 0;
    ck_assert(control_write_cpu(m, &st));
    ck_assert_int_eq(control_step(m, 1, &res), RUN_INSNS);
    inspect_cpu(m, &st);
    ck_assert_uint_eq(st.gpr[GPR_EAX], 0x1234);
    v = 0x5678;
    ck_assert(control_write_phys(m, fn + 1, &v, 4));
    st.eip = fn;
    ck_assert(control_write_cpu(m, &st));
    ck_assert_int_eq(control_step(m, 1, &res), RUN_INSNS);
    inspect_cpu(m, &st);
    ck_assert_uint_eq(st.gpr[GPR_EAX], 0x5678);
    ck_assert(!control_write_phys(m, RAM - 2, &v, 4)); /* past the end of RAM */
    /* The TSC, which the clock keeps. */
    ck_assert(control_write_msr(m, 0x10, 1000000));
    struct msr_value msrs[16];
    size_t n = inspect_msrs(m, msrs, 16);
    ck_assert_uint_gt(n, 0);
    ck_assert_uint_eq(msrs[0].index, 0x10);
    ck_assert_uint_eq(msrs[0].value, 1000000);
    control_break_del(m, id);
    machine_destroy(m);
    free_guest(g);
}
END_TEST

static Suite *control_suite(void)
{
    Suite *s = suite_create("control");
    TCase *t = tcase_create("stops");
    tcase_set_timeout(t, 120);
    tcase_add_test(t, test_until_syscall_stops_at_the_handler);
    tcase_add_test(t, test_until_sysret_stops_back_in_ring_3);
    tcase_add_test(t, test_until_fault_each_fault_in_turn);
    tcase_add_test(t, test_until_irq_and_idle);
    tcase_add_test(t, test_until_vector);
    tcase_add_test(t, test_step_n_equals_run_n);
    tcase_add_test(t, test_split_runs_tell_the_same_story);
    tcase_add_test(t, test_breakpoint_in_rewritten_code);
    tcase_add_test(t, test_breakpoint_cr3_and_resume);
    tcase_add_test(t, test_watchpoint_stops_after_the_store);
    tcase_add_test(t, test_pause_from_another_thread);
    tcase_add_test(t, test_inspect_changes_nothing);
    tcase_add_test(t, test_inspect_either_cpu_changes_nothing);
    tcase_add_test(t, test_step_waits_for_its_cpu);
    tcase_add_test(t, test_writes_take_effect);
    suite_add_tcase(s, t);
    return s;
}

int main(void)
{
    SRunner *r = srunner_create(control_suite());
    srunner_run_all(r, CK_NORMAL);
    int failed = srunner_ntests_failed(r);
    srunner_free(r);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
