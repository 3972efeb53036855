/* Check suite for the machine's control API beyond running and stepping:
 * read and access watchpoints, recording and replaying the serial input,
 * the history (snapshots within a budget, going back a number of
 * instructions, to the last breakpoint, to just before an event), and
 * changes from outside.  The guest is tests/unit/control_guest.asm. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "control.h"
#include "debug/symbols.h"
#include "inspect.h"
#include "loader/multiboot.h"
#include "machine.h"

#ifndef CONTROL_GUEST
#define CONTROL_GUEST "tests/unit/control_guest.elf"
#endif

#define RAM (32u << 20)
#define AREA_PAGES 64

static uint8_t *image;
static size_t image_size;
static uint32_t sym_rvar, sym_wvar, sym_area, sym_loop, sym_user, sym_inbuf;

struct output {
    char bytes[4096];
    size_t n;
};

static bool load(void *opaque, uint8_t *ram, size_t ram_size, struct boot_info *boot, char *err,
                 size_t errlen)
{
    (void)opaque;
    return multiboot_load(image, image_size, "control_guest", NULL, NULL, 0, ram, ram_size, boot,
                          err, errlen) == LOAD_OK;
}

static void out_byte(void *opaque, uint8_t byte)
{
    struct output *o = opaque;
    if (o->n < sizeof o->bytes)
        o->bytes[o->n++] = (char)byte;
}

static uint32_t symbol(struct symbols *s, const char *name)
{
    uint32_t a = 0;
    ck_assert_msg(symbols_find(s, -1, name, &a), "no symbol %s in the guest", name);
    return a;
}

static void read_guest(void)
{
    FILE *f = fopen(CONTROL_GUEST, "rb");
    ck_assert_msg(f != NULL, "cannot open %s", CONTROL_GUEST);
    fseek(f, 0, SEEK_END);
    image_size = (size_t)ftell(f);
    fseek(f, 0, SEEK_SET);
    image = malloc(image_size);
    ck_assert(fread(image, 1, image_size, f) == image_size);
    fclose(f);
    struct symbols *s = symbols_create();
    char err[200];
    ck_assert_msg(symbols_add_elf(s, NULL, image, image_size, err, sizeof err), "%s", err);
    sym_rvar = symbol(s, "rvar");
    sym_wvar = symbol(s, "wvar");
    sym_area = symbol(s, "area");
    sym_loop = symbol(s, "loop");
    sym_user = symbol(s, "user");
    sym_inbuf = symbol(s, "inbuf");
    symbols_destroy(s);
}

static struct machine *boot(struct output *out)
{
    if (!image)
        read_guest();
    struct machine_config cfg = {
        .ram_size = RAM,
        .load = load,
        .serial_out = out ? out_byte : NULL,
        .serial_opaque = out,
        .debug_exit = true,
        .debug_exit_iobase = 0xf4,
        .debug_exit_iosize = 4,
        .rtc_epoch = 946684800,
    };
    char err[256] = "";
    struct machine *m = machine_create(&cfg, err, sizeof err);
    ck_assert_msg(m != NULL, "machine_create: %s", err);
    ck_assert_msg(machine_power_on(m, err, sizeof err), "power on: %s", err);
    return m;
}

static void history_on(struct machine *m, uint64_t every, size_t budget)
{
    struct history_config hc = {.every = every, .budget = budget};
    char err[256] = "";
    ck_assert_msg(control_history_start(m, &hc, err, sizeof err), "history: %s", err);
}

static enum run_stop run_insns(struct machine *m, uint64_t n)
{
    struct run_request req = {.max_insns = n};
    struct run_result res;
    return control_run(m, &req, &res);
}

static uint32_t pc_of(struct machine *m)
{
    struct cpu_state st;
    ck_assert(inspect_cpu(m, &st));
    return st.seg[SEG_CS].base + st.eip;
}

/* Everything the guest can tell apart: its registers and its memory. */
struct state {
    struct cpu_state cpu;
    uint64_t icount;
    uint32_t hash;
};

static uint32_t hash_phys(struct machine *m, uint32_t at, uint32_t len)
{
    static uint8_t buf[AREA_PAGES * 4096 + 8192];
    ck_assert(len <= sizeof buf);
    ck_assert(inspect_phys(m, at, buf, len));
    uint32_t h = 2166136261u;
    for (uint32_t i = 0; i < len; i++)
        h = (h ^ buf[i]) * 16777619u;
    return h;
}

static void capture(struct machine *m, struct state *s)
{
    ck_assert(inspect_cpu(m, &s->cpu));
    s->icount = inspect_icount(m);
    s->hash = hash_phys(m, sym_area, AREA_PAGES * 4096 + 256) ^
              (hash_phys(m, sym_rvar & ~4095u, 4096) * 31u);
}

static void same_state(const struct state *a, const struct state *b)
{
    ck_assert_uint_eq(a->icount, b->icount);
    ck_assert_uint_eq(a->cpu.eip, b->cpu.eip);
    ck_assert_mem_eq(a->cpu.gpr, b->cpu.gpr, sizeof a->cpu.gpr);
    ck_assert_uint_eq(a->cpu.eflags, b->cpu.eflags);
    ck_assert_uint_eq(a->cpu.cpl, b->cpu.cpl);
    ck_assert_uint_eq(a->cpu.seg[SEG_CS].selector, b->cpu.seg[SEG_CS].selector);
    ck_assert_uint_eq(a->hash, b->hash);
}

/* ---- stops ------------------------------------------------------------------------ */

/* A breakpoint that is never reached changes nothing: runs stop at the
 * same instructions in the same states.  (A code hook anywhere made
 * Unicorn leave EIP at the previous block when the block hook stopped it.) */
START_TEST(test_unreached_breakpoint_changes_nothing)
{
    struct machine *a = boot(NULL), *b = boot(NULL);
    ck_assert_int_gt(control_break_add(b, 0x300000, false, 0), 0);
    for (uint64_t n = 9000; n < 30000; n += 997) {
        struct state sa, sb;
        ck_assert_int_eq(run_insns(a, 997), RUN_INSNS);
        ck_assert_int_eq(run_insns(b, 997), RUN_INSNS);
        capture(a, &sa);
        capture(b, &sb);
        same_state(&sa, &sb);
    }
    machine_destroy(a);
    machine_destroy(b);
}
END_TEST

/* ---- watchpoints -------------------------------------------------------------- */

START_TEST(test_read_watch_stops_after_the_load)
{
    struct machine *m = boot(NULL);
    ck_assert_int_gt(control_watch_add(m, false, sym_rvar, 4), 0); /* writes only */
    ck_assert_int_eq(run_insns(m, 20000), RUN_INSNS);
    int id = control_watch_add_kind(m, WATCH_READ, false, sym_rvar, 4);
    ck_assert_int_gt(id, 0);
    struct run_request req = {0};
    struct run_result res;
    ck_assert_int_eq(control_run(m, &req, &res), RUN_WATCHPOINT);
    ck_assert_int_eq(res.id, id);
    ck_assert(res.watch_read);
    ck_assert_uint_eq(res.watch_addr, sym_rvar);
    /* Stopped after `mov eax, [rvar]` (5 bytes at `loop`) or after the one in ring 3. */
    uint32_t pc = pc_of(m);
    ck_assert_msg(pc == sym_loop + 5 || pc == sym_user + 5, "stopped at %08x", pc);
    ck_assert(control_watch_del(m, id));
    machine_destroy(m);
}
END_TEST

START_TEST(test_read_watch_ignores_code_fetches)
{
    struct machine *m = boot(NULL);
    ck_assert_int_gt(control_watch_add_kind(m, WATCH_READ, false, sym_loop, 16), 0);
    ck_assert_int_eq(run_insns(m, 20000), RUN_INSNS);
    machine_destroy(m);
}
END_TEST

START_TEST(test_access_watch_sees_loads_and_stores)
{
    struct machine *m = boot(NULL);
    int id = control_watch_add_kind(m, WATCH_ACCESS, true, sym_wvar, 4);
    ck_assert_int_gt(id, 0);
    struct run_request req = {0};
    struct run_result res;
    /* `inc dword [wvar]` loads first, then `mov ebx, [wvar]` loads. */
    ck_assert_int_eq(control_run(m, &req, &res), RUN_WATCHPOINT);
    ck_assert(res.watch_read);
    ck_assert_uint_eq(pc_of(m), sym_loop + 5 + 6);
    ck_assert(control_watch_del(m, id));
    /* A write watch alone: the load of `inc` does not count, its store does. */
    id = control_watch_add(m, true, sym_wvar, 4);
    ck_assert_int_eq(control_run(m, &req, &res), RUN_WATCHPOINT);
    ck_assert(!res.watch_read);
    ck_assert_uint_eq(pc_of(m), sym_loop + 5 + 6);
    machine_destroy(m);
}
END_TEST

/* ---- replay ------------------------------------------------------------------- */

struct log {
    struct input_record recs[64];
    size_t n;
};

static void observe(void *opaque, const struct input_record *r)
{
    struct log *l = opaque;
    if (l->n < 64)
        l->recs[l->n++] = *r;
}

static void type_at(struct machine *m, uint64_t icount, char c)
{
    uint64_t now = inspect_icount(m);
    if (icount > now)
        ck_assert_int_eq(run_insns(m, icount - now), RUN_INSNS);
    ck_assert(machine_serial_input(m, (uint8_t)c));
}

START_TEST(test_replay_gives_the_same_run)
{
    struct output out1 = {0}, out2 = {0};
    struct log log = {0};
    struct machine *a = boot(&out1);
    control_input_observe(a, observe, &log);
    const char *text = "ringlab";
    uint64_t at = 10000; /* past idt_init */
    for (const char *p = text; *p; p++, at += 777 + 13 * (uint64_t)(p - text))
        type_at(a, at, *p);
    ck_assert_int_eq(run_insns(a, 5000), RUN_INSNS);
    struct machine_pos end;
    control_position(a, &end);
    struct state sa, sb;
    capture(a, &sa);
    ck_assert_uint_eq(log.n, strlen(text));
    ck_assert_uint_eq(out1.n, strlen(text));
    ck_assert_mem_eq(out1.bytes, text, out1.n);

    struct machine *b = boot(&out2);
    char err[128];
    ck_assert(control_input_replay(b, log.recs, log.n, &end, err, sizeof err));
    ck_assert(!machine_serial_input(b, 'x')); /* recorded input first */
    struct run_request req = {0};
    struct run_result res;
    ck_assert_int_eq(control_run(b, &req, &res), RUN_END);
    ck_assert_int_eq(machine_end(b), END_REPLAY_END);
    capture(b, &sb);
    same_state(&sa, &sb);
    ck_assert_uint_eq(out2.n, out1.n);
    ck_assert_mem_eq(out2.bytes, out1.bytes, out1.n);
    machine_destroy(a);
    machine_destroy(b);
}
END_TEST

START_TEST(test_replay_out_of_order_is_refused)
{
    struct machine *m = boot(NULL);
    struct input_record recs[2] = {{500, 500, 'a'}, {400, 400, 'b'}};
    char err[128] = "";
    ck_assert(!control_input_replay(m, recs, 2, NULL, err, sizeof err));
    ck_assert(strstr(err, "before") != NULL);
    machine_destroy(m);
}
END_TEST

/* ---- history ------------------------------------------------------------------ */

START_TEST(test_step_back_gives_the_same_state)
{
    struct machine *m = boot(NULL);
    history_on(m, 5000, 16u << 20);
    struct state a, b, again;
    ck_assert_int_eq(run_insns(m, 20000), RUN_INSNS);
    capture(m, &a);
    ck_assert_int_eq(run_insns(m, 31234), RUN_INSNS);
    capture(m, &b);
    struct run_result res;
    ck_assert_int_eq(control_step_back(m, 31234, &res), RUN_INSNS);
    capture(m, &again);
    same_state(&a, &again);
    /* And forward again, the same run. */
    ck_assert_int_eq(run_insns(m, 31234), RUN_INSNS);
    capture(m, &again);
    same_state(&b, &again);
    /* One instruction back, then one forward. */
    ck_assert_int_eq(control_step_back(m, 1, &res), RUN_INSNS);
    ck_assert_uint_eq(inspect_icount(m), b.icount - 1);
    ck_assert_int_eq(control_step(m, 1, &res), RUN_INSNS);
    capture(m, &again);
    same_state(&b, &again);
    machine_destroy(m);
}
END_TEST

START_TEST(test_step_back_stops_at_the_oldest_state)
{
    struct machine *m = boot(NULL);
    ck_assert_int_eq(run_insns(m, 3000), RUN_INSNS);
    history_on(m, 5000, 16u << 20);
    ck_assert_int_eq(run_insns(m, 9000), RUN_INSNS);
    struct run_result res;
    ck_assert_int_eq(control_step_back(m, 100000, &res), RUN_HISTORY_START);
    ck_assert_uint_eq(inspect_icount(m), 3000);
    machine_destroy(m);
}
END_TEST

START_TEST(test_snapshots_keep_their_budget)
{
    struct machine *m = boot(NULL);
    /* Each interval of 20000 instructions writes all 64 pages of the area. */
    const size_t budget = 640u << 10;
    history_on(m, 20000, budget);
    ck_assert_int_eq(run_insns(m, 2000000), RUN_INSNS);
    struct history_info hi;
    control_history_info(m, &hi);
    ck_assert(hi.on);
    ck_assert_uint_le(hi.peak_bytes, budget);
    ck_assert_uint_gt(hi.peak_bytes, budget / 2);
    ck_assert_uint_gt(hi.dropped, 10);
    ck_assert_uint_ge(hi.snapshots, 1);
    /* What is kept still works. */
    struct state a, again;
    capture(m, &a);
    ck_assert_int_eq(run_insns(m, 3000), RUN_INSNS);
    struct run_result res;
    ck_assert_int_eq(control_step_back(m, 3000, &res), RUN_INSNS);
    capture(m, &again);
    same_state(&a, &again);
    machine_destroy(m);
}
END_TEST

START_TEST(test_run_back_finds_the_last_breakpoint)
{
    struct machine *m = boot(NULL);
    history_on(m, 7000, 16u << 20);
    int id = control_break_add(m, sym_user, false, 0);
    uint64_t hits[3];
    struct run_request req = {0};
    struct run_result res;
    for (int i = 0; i < 3; i++) {
        ck_assert_int_eq(control_run(m, &req, &res), RUN_BREAKPOINT);
        hits[i] = inspect_icount(m);
    }
    ck_assert_int_eq(control_step(m, 150, &res), RUN_INSNS);
    ck_assert_int_eq(control_run_back(m, &req, &res), RUN_BREAKPOINT);
    ck_assert_int_eq(res.id, id);
    ck_assert_uint_eq(inspect_icount(m), hits[2]);
    ck_assert_uint_eq(pc_of(m), sym_user);
    ck_assert_int_eq(control_run_back(m, &req, &res), RUN_BREAKPOINT);
    ck_assert_uint_eq(inspect_icount(m), hits[1]);
    ck_assert_int_eq(control_run_back(m, &req, &res), RUN_BREAKPOINT);
    ck_assert_uint_eq(inspect_icount(m), hits[0]);
    ck_assert_int_eq(control_run_back(m, &req, &res), RUN_HISTORY_START);
    ck_assert_uint_eq(inspect_icount(m), 0);
    /* Forward from the start, the first hit again. */
    ck_assert_int_eq(control_run(m, &req, &res), RUN_BREAKPOINT);
    ck_assert_uint_eq(inspect_icount(m), hits[0]);
    machine_destroy(m);
}
END_TEST

START_TEST(test_back_before_a_transition)
{
    struct machine *m = boot(NULL);
    history_on(m, 5000, 16u << 20);
    ck_assert_int_eq(run_insns(m, 12345), RUN_INSNS);
    struct run_request req = {.stop_on = STOP_ON_TRANSITION, .no_breakpoints = true};
    struct run_result res;
    ck_assert_int_eq(control_run_back(m, &req, &res), RUN_EVENT);
    ck_assert_uint_lt(res.event.icount, 12345);
    struct cpu_state st;
    ck_assert(inspect_cpu(m, &st));
    ck_assert_uint_eq(st.cpl, res.event.after.cpl); /* at the stop: after it */
    struct trace_event ev = res.event;
    ck_assert_int_eq(control_back_before(m, &ev, &res), RUN_INSNS);
    ck_assert(inspect_cpu(m, &st));
    ck_assert_uint_eq(st.cpl, ev.before.cpl);
    ck_assert_uint_eq(st.eip, ev.before.eip);
    if (ev.kind == TRACE_SOFTWARE_INT)
        ck_assert_uint_eq(pc_of(m), sym_user + 5); /* at `int 0x41` */
    else
        ck_assert_int_eq(ev.kind, TRACE_RETURN); /* at the IRET */
    /* One step forward crosses the transition again. */
    ck_assert_int_eq(control_step(m, 1, &res), RUN_INSNS);
    ck_assert(inspect_cpu(m, &st));
    ck_assert_uint_eq(st.cpl, ev.after.cpl);
    ck_assert_uint_eq(st.eip, ev.after.eip);
    machine_destroy(m);
}
END_TEST

struct counter {
    int events;
    uint64_t last_seq;
};

static void count_event(void *opaque, const struct trace_event *ev)
{
    struct counter *c = opaque;
    c->events++;
    c->last_seq = ev->seq;
}

START_TEST(test_going_back_shows_nothing_twice)
{
    struct output out = {0};
    struct counter sink = {0};
    struct machine *m = boot(&out);
    machine_add_sink(m, (struct trace_sink){count_event, &sink});
    history_on(m, 4000, 16u << 20);
    type_at(m, 16000, 'a');
    ck_assert_int_eq(run_insns(m, 10000), RUN_INSNS);
    ck_assert_uint_eq(out.n, 1);
    int events = sink.events;
    ck_assert_int_gt(events, 10);
    struct run_result res;
    ck_assert_int_eq(control_step_back(m, 12000, &res), RUN_INSNS);
    ck_assert_uint_lt(inspect_icount(m), 16000);
    /* Forward again: the byte is replayed and echoed, but shown once. */
    ck_assert_int_eq(run_insns(m, 12000), RUN_INSNS);
    ck_assert_uint_eq(out.n, 1);
    ck_assert_int_eq(sink.events, events);
    uint8_t got = 0;
    ck_assert(inspect_phys(m, sym_inbuf, &got, 1));
    ck_assert_uint_eq(got, 'a');
    /* New output past that point shows. */
    ck_assert(machine_serial_input(m, 'b'));
    ck_assert_int_eq(run_insns(m, 2000), RUN_INSNS);
    ck_assert_uint_eq(out.n, 2);
    ck_assert_int_gt(sink.events, events);
    machine_destroy(m);
}
END_TEST

START_TEST(test_a_change_starts_the_history_again)
{
    struct machine *m = boot(NULL);
    history_on(m, 5000, 16u << 20);
    ck_assert_int_eq(run_insns(m, 22000), RUN_INSNS);
    struct cpu_state st;
    ck_assert(inspect_cpu(m, &st));
    st.gpr[GPR_EDI] = 0xfeedf00d;
    ck_assert(control_write_cpu(m, &st));
    struct history_info hi;
    control_history_info(m, &hi);
    ck_assert_uint_eq(hi.snapshots, 1);
    ck_assert_uint_eq(hi.oldest.icount, 22000);
    ck_assert(inspect_cpu(m, &st));
    ck_assert_uint_eq(st.gpr[GPR_EDI], 0xfeedf00d);
    uint32_t v = 0x55aa55aa;
    ck_assert(control_write_linear(m, NULL, sym_rvar, &v, 4));
    uint32_t back = 0;
    ck_assert(inspect_phys(m, sym_rvar, &back, 4));
    ck_assert_uint_eq(back, v);
    ck_assert(!control_write_phys(m, RAM - 2, &v, 4));
    machine_destroy(m);
}
END_TEST

static Suite *history_suite(void)
{
    Suite *s = suite_create("history");
    TCase *tc = tcase_create("stops");
    tcase_add_test(tc, test_unreached_breakpoint_changes_nothing);
    suite_add_tcase(s, tc);
    tc = tcase_create("watch");
    tcase_add_test(tc, test_read_watch_stops_after_the_load);
    tcase_add_test(tc, test_read_watch_ignores_code_fetches);
    tcase_add_test(tc, test_access_watch_sees_loads_and_stores);
    suite_add_tcase(s, tc);
    tc = tcase_create("replay");
    tcase_add_test(tc, test_replay_gives_the_same_run);
    tcase_add_test(tc, test_replay_out_of_order_is_refused);
    suite_add_tcase(s, tc);
    tc = tcase_create("history");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_step_back_gives_the_same_state);
    tcase_add_test(tc, test_step_back_stops_at_the_oldest_state);
    tcase_add_test(tc, test_snapshots_keep_their_budget);
    tcase_add_test(tc, test_run_back_finds_the_last_breakpoint);
    tcase_add_test(tc, test_back_before_a_transition);
    tcase_add_test(tc, test_going_back_shows_nothing_twice);
    tcase_add_test(tc, test_a_change_starts_the_history_again);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(history_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
