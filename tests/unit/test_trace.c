/* Unit tests for the trace sinks: the -d int text log against lines that
 * qemu-system-i386 7.2 printed, byte for byte; the JSON lines (every field,
 * escaping); the names in event.c; and that write errors are reported. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "trace/event.h"
#include "trace/jsonl.h"
#include "trace/qemu_log.h"

static char tmpl[64];

static void setup(void)
{
    strcpy(tmpl, "/tmp/ringlab-test-trace-XXXXXX");
    int fd = mkstemp(tmpl);
    ck_assert_int_ge(fd, 0);
    close(fd);
}

static void teardown(void)
{
    unlink(tmpl);
}

/* The whole file, NUL-terminated (caller frees). */
static char *slurp(const char *path)
{
    FILE *f = fopen(path, "r");
    ck_assert_ptr_nonnull(f);
    char *text = NULL;
    size_t cap = 0, len = 0;
    int c;
    while ((c = fgetc(f)) != EOF) {
        if (len + 2 > cap) {
            cap = cap ? cap * 2 : 256;
            text = realloc(text, cap);
            ck_assert_ptr_nonnull(text);
        }
        text[len++] = (char)c;
    }
    fclose(f);
    if (!text)
        text = calloc(1, 1);
    else
        text[len] = '\0';
    return text;
}

/* Only the lines a QEMU log comparison keeps: grep -E '^ *[0-9]+: v=' */
static char *event_lines(const char *text)
{
    char *outbuf = calloc(1, strlen(text) + 1);
    const char *line = text;
    while (*line) {
        const char *nl = strchr(line, '\n');
        size_t len = nl ? (size_t)(nl - line + 1) : strlen(line);
        const char *c = line;
        while (*c == ' ')
            c++;
        const char *d = c;
        while (*d >= '0' && *d <= '9')
            d++;
        if (d > c && strncmp(d, ": v=", 4) == 0)
            strncat(outbuf, line, len);
        line += len;
    }
    return outbuf;
}

/* The state of the three events the guest below produced under QEMU. */
static struct trace_event ev_base(enum trace_kind kind, int vector)
{
    struct trace_event ev;
    memset(&ev, 0, sizeof ev);
    ev.kind = kind;
    ev.vector = vector;
    ev.delivered = true;
    return ev;
}

static struct trace_event ev_int80_ring0(void)
{
    struct trace_event ev = ev_base(TRACE_SOFTWARE_INT, 0x80);
    ev.seq = 1;
    ev.before = (struct trace_point){.cpl = 0, .cs = 0x08, .ss = 0x10, .eip = 0x001000df,
                                     .esp = 0x00103868, .eflags = 0x86};
    ev.after = (struct trace_point){.cpl = 0, .cs = 0x08, .ss = 0x10, .eip = 0x00100100,
                                    .esp = 0x0010385c, .eflags = 0x86};
    ev.pc = 0x001000df;
    ev.eax = 0x00001234;
    ev.cr3 = 0x00101000;
    ev.gate = GATE_INTR32;
    return ev;
}

static struct trace_event ev_int80_ring3(void)
{
    struct trace_event ev = ev_base(TRACE_SOFTWARE_INT, 0x80);
    ev.seq = 2;
    ev.before = (struct trace_point){.cpl = 3, .cs = 0x1b, .ss = 0x23, .eip = 0x001000f7,
                                     .esp = 0x00104868, .eflags = 0x2};
    ev.after = (struct trace_point){.cpl = 0, .cs = 0x08, .ss = 0x10, .eip = 0x00100100,
                                    .esp = 0x00103854, .eflags = 0x2};
    ev.pc = 0x001000f7;
    ev.eax = 1;
    ev.cr3 = 0x00101000;
    ev.gate = GATE_INTR32;
    ev.stack_switched = true;
    ev.tss_selector = 0x28;
    return ev;
}

static struct trace_event ev_pf_user_write(void)
{
    struct trace_event ev = ev_base(TRACE_EXCEPTION, 0x0e);
    ev.seq = 4;
    ev.has_error_code = true;
    ev.error_code = 0x6;
    ev.before = (struct trace_point){.cpl = 3, .cs = 0x1b, .ss = 0x23, .eip = 0x001000fe,
                                     .esp = 0x00104868, .eflags = 0x2};
    ev.after = (struct trace_point){.cpl = 0, .cs = 0x08, .ss = 0x10, .eip = 0x00100102,
                                    .esp = 0x00103854, .eflags = 0x2};
    ev.pc = 0x001000fe;
    ev.cr2 = 0x00800000;
    ev.cr3 = 0x00101000;
    ev.eax = 2;
    ev.gate = GATE_INTR32;
    ev.stack_switched = true;
    ev.tss_selector = 0x28;
    strcpy(ev.explain, "user write to a not-present page: PDE 0x00000000 (not present)");
    return ev;
}

static void open_log(struct qemu_log *log, unsigned items)
{
    char err[256] = "";
    ck_assert_msg(qemu_log_open(log, tmpl, items, err, sizeof err), "%s", err);
}

static char *close_and_read(struct qemu_log *log)
{
    ck_assert(qemu_log_close(log));
    ck_assert_ptr_null(qemu_log_error(log));
    return slurp(tmpl);
}

/* A Multiboot guest that loads a GDT with ring 0 and ring 3 segments, a TSS
 * and an IDT (0x80 a DPL 3 interrupt gate, 0x0e an interrupt gate), turns
 * on paging with one 4 MiB PSE page, does `int 0x80` in ring 0 and in
 * ring 3, then writes to 0x800000 in ring 3.  qemu-system-i386 7.2
 * -kernel g.bin -d int printed these three lines: */
static const char qemu_int_lines[] =
    "     0: v=80 e=0000 i=1 cpl=0 IP=0008:001000df pc=001000df SP=0010:00103868 "
    "env->regs[R_EAX]=00001234\n"
    "     1: v=80 e=0000 i=1 cpl=3 IP=001b:001000f7 pc=001000f7 SP=0023:00104868 "
    "env->regs[R_EAX]=00000001\n"
    "     2: v=0e e=0006 i=0 cpl=3 IP=001b:001000fe pc=001000fe SP=0023:00104868 "
    "CR2=00800000\n";

START_TEST(qemu_line_matches_qemu)
{
    struct qemu_log log;
    open_log(&log, QEMU_LOG_INT);
    struct trace_event a = ev_int80_ring0(), b = ev_int80_ring3(), c = ev_pf_user_write();
    qemu_log_event(&log, &a);
    qemu_log_event(&log, &b);
    /* a sysenter between them prints nothing and does not count */
    struct trace_event s = ev_base(TRACE_SYSENTER, -1);
    qemu_log_event(&log, &s);
    struct trace_event r = ev_base(TRACE_RETURN, -1);
    qemu_log_event(&log, &r);
    qemu_log_event(&log, &c);
    char *text = close_and_read(&log);
    char *lines = event_lines(text);
    ck_assert_str_eq(lines, qemu_int_lines);
    /* the short dump follows each line and says why */
    ck_assert_ptr_nonnull(strstr(text, "\n        why: user write to a not-present page"));
    ck_assert_ptr_nonnull(strstr(text, "stack from TSS 0028"));
    ck_assert_ptr_nonnull(strstr(text, "#PF exception at icount 0"));
    free(lines);
    free(text);
}
END_TEST

/* A guest with an empty IDT doing `int3`: QEMU 7.2 -d int,cpu_reset logged
 * the attempt, the #GP it raised (IDT entry 3 * 8 + 2 = 0x1a), the #DF,
 * then "Triple fault". */
START_TEST(qemu_triple_fault_sequence)
{
    static const char expect[] =
        "     0: v=03 e=0000 i=1 cpl=0 IP=0008:00100035 pc=00100035 SP=0010:00006f08 "
        "env->regs[R_EAX]=0000abcd\n"
        "     1: v=0d e=001a i=0 cpl=0 IP=0008:00100035 pc=00100035 SP=0010:00006f08 "
        "env->regs[R_EAX]=0000abcd\n"
        "     2: v=08 e=0000 i=0 cpl=0 IP=0008:00100035 pc=00100035 SP=0010:00006f08 "
        "env->regs[R_EAX]=0000abcd\n";
    struct qemu_log log;
    open_log(&log, QEMU_LOG_INT | QEMU_LOG_CPU_RESET);
    struct trace_point here = {.cpl = 0, .cs = 8, .ss = 0x10, .eip = 0x00100035,
                               .esp = 0x00006f08, .eflags = 2};
    struct trace_event ev = ev_base(TRACE_SOFTWARE_INT, 3);
    ev.before = here;
    ev.pc = 0x00100035;
    ev.eax = 0xabcd;
    ev.delivered = false;
    qemu_log_event(&log, &ev);
    ev.kind = TRACE_EXCEPTION;
    ev.vector = 13;
    ev.has_error_code = true;
    ev.error_code = 0x1a;
    qemu_log_event(&log, &ev);
    ev.vector = 8;
    ev.error_code = 0;
    qemu_log_event(&log, &ev);
    ev.kind = TRACE_TRIPLE_FAULT;
    ev.vector = -1;
    strcpy(ev.explain, "#GP while delivering #DF");
    qemu_log_event(&log, &ev);
    ev.kind = TRACE_RESET;
    qemu_log_event(&log, &ev);
    char *text = close_and_read(&log);
    char *lines = event_lines(text);
    ck_assert_str_eq(lines, expect);
    ck_assert_ptr_nonnull(strstr(text, "        -> not delivered\n"));
    ck_assert_ptr_nonnull(strstr(text, "\nTriple fault\n        why: #GP while delivering #DF\n"
                                       "CPU Reset (CPU 0)\n"));
    free(lines);
    free(text);
}
END_TEST

/* Hardware interrupts: QEMU logs "Servicing hardware INT=0x20" first, and
 * the event line with i=0 and no error code. */
START_TEST(qemu_hardware_interrupt)
{
    struct qemu_log log;
    open_log(&log, QEMU_LOG_INT);
    struct trace_event ev = ev_base(TRACE_HARDWARE_INT, 0x20);
    ev.before = (struct trace_point){.cpl = 3, .cs = 0x1b, .ss = 0x23, .eip = 0x00400010,
                                     .esp = 0x00bffff0, .eflags = 0x202};
    ev.pc = 0x00400010;
    ev.eax = 0xffffffff;
    qemu_log_event(&log, &ev);
    char *text = close_and_read(&log);
    ck_assert_ptr_eq(strstr(text, "Servicing hardware INT=0x20\n"
                                  "     0: v=20 e=0000 i=0 cpl=3 IP=001b:00400010 pc=00400010 "
                                  "SP=0023:00bffff0 env->regs[R_EAX]=ffffffff\n"),
                     text);
    free(text);
}
END_TEST

/* Real-address mode: QEMU 7.2 prints no event line and does not count the
 * delivery (do_interrupt_all logs only with CR0.PE set), but still prints
 * "Servicing hardware INT" for an IRQ.  ringlab adds its own indented line. */
START_TEST(qemu_real_mode_not_counted)
{
    struct qemu_log log;
    open_log(&log, QEMU_LOG_INT);
    struct trace_event ev = ev_base(TRACE_SOFTWARE_INT, 0x13);
    ev.real_mode = true;
    ev.delivered = true;
    ev.gate = GATE_IVT;
    ev.before = (struct trace_point){.cs = 0x0000, .ss = 0, .eip = 0x7c20, .esp = 0x7c00,
                                     .eflags = 0x202};
    ev.after = (struct trace_point){.cs = 0xf000, .ss = 0, .eip = 0xe3fe, .esp = 0x7bfa,
                                    .eflags = 0x002};
    qemu_log_event(&log, &ev);
    struct trace_event irq = ev_base(TRACE_HARDWARE_INT, 0x08);
    irq.real_mode = true;
    irq.delivered = false;
    qemu_log_event(&log, &irq);
    struct trace_event pm = ev_base(TRACE_EXCEPTION, 6);
    qemu_log_event(&log, &pm);
    char *text = close_and_read(&log);
    ck_assert_ptr_eq(strstr(text, "        real mode: INT 0x13 at 0000:7c20 FLAGS=0202 -> "
                                  "f000:e3fe SS:SP=0000:7bfa through the IVT\n"
                                  "Servicing hardware INT=0x08\n"
                                  "        real mode: IRQ 0x08 at 0000:0000 FLAGS=0000 -> "
                                  "not delivered\n"
                                  "     0: v=06 "),
                     text);
    char *lines = event_lines(text);
    ck_assert_ptr_eq(strstr(lines, "     0: v=06"), lines);
    ck_assert_ptr_null(strstr(lines, "v=13"));
    free(lines);
    free(text);
}
END_TEST

/* The counter is QEMU's "%6d": it widens past six digits, never wraps. */
START_TEST(qemu_counter_width)
{
    struct qemu_log log;
    open_log(&log, QEMU_LOG_INT);
    log.count = 1234567;
    struct trace_event ev = ev_base(TRACE_EXCEPTION, 6);
    qemu_log_event(&log, &ev);
    char *text = close_and_read(&log);
    ck_assert_ptr_eq(strstr(text, "1234567: v=06 e=0000 i=0 cpl=0 IP=0000:00000000 "
                                  "pc=00000000 SP=0000:00000000 env->regs[R_EAX]=00000000\n"),
                     text);
    free(text);
}
END_TEST

START_TEST(qemu_items_select_output)
{
    struct qemu_log log;
    open_log(&log, 0);
    struct trace_event a = ev_int80_ring0(), t = ev_base(TRACE_TRIPLE_FAULT, -1),
                       r = ev_base(TRACE_RESET, -1);
    qemu_log_event(&log, &a);
    qemu_log_event(&log, &t);
    qemu_log_event(&log, &r);
    qemu_log_unimp(&log, 0x99, false, 0xff, 1);
    qemu_log_msg(&log, QEMU_LOG_GUEST_ERRORS, "bad %d", 1);
    char *text = close_and_read(&log);
    ck_assert_str_eq(text, "");
    free(text);

    /* cpu_reset alone: no event lines, and the counter stays at 0 */
    open_log(&log, QEMU_LOG_CPU_RESET);
    qemu_log_event(&log, &a);
    qemu_log_event(&log, &t);
    qemu_log_event(&log, &r);
    ck_assert_uint_eq(log.count, 0);
    text = close_and_read(&log);
    ck_assert_str_eq(text, "Triple fault\nCPU Reset (CPU 0)\n");
    free(text);

    open_log(&log, QEMU_LOG_GUEST_ERRORS);
    qemu_log_msg(&log, QEMU_LOG_GUEST_ERRORS, "write to ROM at 0x%05x", 0xf0000u);
    text = close_and_read(&log);
    ck_assert_str_eq(text, "write to ROM at 0xf0000\n");
    free(text);
}
END_TEST

/* The machine's event and main's own call report one shutdown once; under
 * -d int alone the reason is given but not QEMU's "Triple fault" line. */
START_TEST(qemu_triple_fault_reported_once)
{
    struct qemu_log log;
    struct trace_event t = ev_base(TRACE_TRIPLE_FAULT, 13), r = ev_base(TRACE_RESET, -1),
                       a = ev_int80_ring0();
    strcpy(t.explain, "triple fault: #GP");
    open_log(&log, QEMU_LOG_CPU_RESET);
    qemu_log_event(&log, &t);
    qemu_log_triple_fault(&log);
    qemu_log_event(&log, &r);
    qemu_log_cpu_reset(&log);
    qemu_log_event(&log, &t); /* after a reset, a new shutdown is a new line */
    qemu_log_triple_fault(&log);
    char *text = close_and_read(&log);
    ck_assert_str_eq(text, "Triple fault\n        why: triple fault: #GP\nCPU Reset (CPU 0)\n"
                           "Triple fault\n        why: triple fault: #GP\n");
    free(text);

    /* direct calls alone, one per reset: every one is a line */
    open_log(&log, QEMU_LOG_CPU_RESET);
    qemu_log_cpu_reset(&log);
    qemu_log_cpu_reset(&log);
    qemu_log_triple_fault(&log);
    qemu_log_triple_fault(&log);
    text = close_and_read(&log);
    ck_assert_str_eq(text, "CPU Reset (CPU 0)\nCPU Reset (CPU 0)\nTriple fault\nTriple fault\n");
    free(text);

    open_log(&log, QEMU_LOG_INT);
    qemu_log_event(&log, &a);
    qemu_log_event(&log, &t);
    qemu_log_triple_fault(&log);
    qemu_log_cpu_reset(&log);
    text = close_and_read(&log);
    ck_assert_ptr_null(strstr(text, "Triple fault"));
    ck_assert_ptr_null(strstr(text, "CPU Reset"));
    ck_assert_ptr_nonnull(strstr(text, "\n        why: triple fault: #GP\n"));
    free(text);
}
END_TEST

START_TEST(qemu_unimp_once_per_port)
{
    struct qemu_log log;
    open_log(&log, QEMU_LOG_UNIMP);
    qemu_log_unimp(&log, 0x99, false, 0xffffffff, 1);
    qemu_log_unimp(&log, 0x99, false, 0xffffffff, 1);
    qemu_log_unimp(&log, 0x99, true, 0x1255, 1);
    qemu_log_unimp(&log, 0x99, true, 0x55, 1);
    qemu_log_unimp(&log, 0x9a, false, 0xffffffff, 2);
    qemu_log_unimp(&log, 0xffff, true, 0x12345678, 4);
    char *text = close_and_read(&log);
    ck_assert_str_eq(text, "unassigned I/O port 0x0099: read of 1 byte returns 0xff\n"
                           "unassigned I/O port 0x0099: write of 1 byte, 0x55 discarded\n"
                           "unassigned I/O port 0x009a: read of 2 bytes returns 0xffff\n"
                           "unassigned I/O port 0xffff: write of 4 bytes, 0x12345678 "
                           "discarded\n");
    free(text);
}
END_TEST

START_TEST(qemu_log_reports_write_errors)
{
    struct qemu_log log;
    char err[256];
    ck_assert(qemu_log_open(&log, "/dev/full", QEMU_LOG_INT, err, sizeof err));
    struct trace_event a = ev_int80_ring0();
    for (int i = 0; i < 200; i++)
        qemu_log_event(&log, &a);
    ck_assert(!qemu_log_close(&log));
    ck_assert_str_eq(qemu_log_error(&log), "-D: /dev/full: No space left on device");

    ck_assert(!qemu_log_open(&log, "/nonexistent/dir/q.log", QEMU_LOG_INT, err, sizeof err));
    ck_assert_str_eq(err, "-D: /nonexistent/dir/q.log: No such file or directory");
}
END_TEST

/* --- JSON lines ----------------------------------------------------------- */

START_TEST(json_every_field)
{
    struct trace_event ev = ev_pf_user_write();
    ev.icount = 123456789012ull;
    ev.cpu = 3;
    ev.gate_lo = 0x00080102;
    ev.gate_hi = 0x00108e00;
    char line[4096];
    size_t n = jsonl_format(&ev, line, sizeof line);
    ck_assert_uint_eq(n, strlen(line));
    ck_assert_str_eq(
        line,
        "{\"seq\":4,\"icount\":123456789012,\"cpu\":3,\"kind\":\"exception\",\"vector\":14,"
        "\"mnemonic\":\"#PF\",\"error_code\":6,\"delivered\":true,\"real_mode\":false,"
        "\"before\":{\"cpl\":3,\"cs\":27,\"eip\":1048830,\"ss\":35,\"esp\":1067112,\"eflags\":2},"
        "\"after\":{\"cpl\":0,\"cs\":8,\"eip\":1048834,\"ss\":16,\"esp\":1062996,\"eflags\":2},"
        "\"pc\":1048830,\"cr2\":8388608,\"cr3\":1052672,\"eax\":2,"
        "\"gate\":\"intr32\",\"gate_lo\":524546,\"gate_hi\":1084928,"
        "\"stack_switched\":true,\"tss_selector\":40,"
        "\"explain\":\"user write to a not-present page: PDE 0x00000000 (not present)\"}");
}
END_TEST

START_TEST(json_nulls_for_absent_values)
{
    struct trace_event ev = ev_base(TRACE_SYSENTER, -1);
    ev.before.eflags = 0xffffffff;
    char line[4096];
    jsonl_format(&ev, line, sizeof line);
    ck_assert_ptr_nonnull(strstr(line, "\"kind\":\"sysenter\",\"vector\":null,"
                                       "\"mnemonic\":null,\"error_code\":null,"));
    ck_assert_ptr_nonnull(strstr(line, "\"eflags\":4294967295}"));
    ck_assert_ptr_nonnull(strstr(line, "\"gate\":\"none\""));
    ck_assert_ptr_nonnull(strstr(line, "\"explain\":\"\"}"));
    /* a reserved vector has a number but no mnemonic */
    ev = ev_base(TRACE_SOFTWARE_INT, 0x80);
    jsonl_format(&ev, line, sizeof line);
    ck_assert_ptr_nonnull(strstr(line, "\"vector\":128,\"mnemonic\":null,"));
}
END_TEST

/* The explain string of ev as jsonl_format writes it. */
static char *json_explain(const char *explain, size_t len)
{
    static char line[4096];
    struct trace_event ev = ev_base(TRACE_EXCEPTION, 13);
    memcpy(ev.explain, explain, len);
    jsonl_format(&ev, line, sizeof line);
    char *p = strstr(line, "\"explain\":");
    ck_assert_ptr_nonnull(p);
    p += strlen("\"explain\":");
    line[strlen(line) - 1] = '\0'; /* the closing brace */
    return p;
}

START_TEST(json_escaping)
{
    ck_assert_str_eq(json_explain("say \"hi\"", 8), "\"say \\\"hi\\\"\"");
    ck_assert_str_eq(json_explain("a\\b", 3), "\"a\\\\b\"");
    ck_assert_str_eq(json_explain("l1\nl2\tx\r\b\f", 11), "\"l1\\nl2\\tx\\r\\b\\f\"");
    ck_assert_str_eq(json_explain("\x01\x1f\x7f", 3), "\"\\u0001\\u001f\\u007f\"");
    ck_assert_str_eq(json_explain("/ ok", 4), "\"/ ok\"");
    /* valid UTF-8 passes through, invalid bytes become U+FFFD */
    ck_assert_str_eq(json_explain("\xc3\xa9t\xc3\xa9 \xe2\x86\x92 \xf0\x9f\x98\x80", 15),
                     "\"\xc3\xa9t\xc3\xa9 \xe2\x86\x92 \xf0\x9f\x98\x80\"");
    ck_assert_str_eq(json_explain("\xff", 1), "\"\\ufffd\"");
    ck_assert_str_eq(json_explain("\xc0\xaf", 2), "\"\\ufffd\\ufffd\""); /* overlong '/' */
    ck_assert_str_eq(json_explain("\xed\xa0\x80", 3), "\"\\ufffd\\ufffd\\ufffd\""); /* surrogate */
    ck_assert_str_eq(json_explain("\xe2\x86", 2), "\"\\ufffd\\ufffd\""); /* truncated */
}
END_TEST

/* explain filled to the last byte without a NUL stays inside the field. */
START_TEST(json_unterminated_explain)
{
    struct trace_event ev = ev_base(TRACE_EXCEPTION, 13);
    memset(ev.explain, '"', sizeof ev.explain);
    char line[4096];
    size_t n = jsonl_format(&ev, line, sizeof line);
    ck_assert_uint_eq(n, strlen(line));
    const char *p = strstr(line, "\"explain\":\"");
    ck_assert_ptr_nonnull(p);
    ck_assert_uint_eq(strlen(p), strlen("\"explain\":\"") + 2 * sizeof ev.explain + 2);
}
END_TEST

START_TEST(json_truncates_like_snprintf)
{
    struct trace_event ev = ev_pf_user_write();
    char full[4096], small[40];
    size_t n = jsonl_format(&ev, full, sizeof full);
    ck_assert_uint_eq(jsonl_format(&ev, small, sizeof small), n);
    ck_assert_uint_eq(strlen(small), sizeof small - 1);
    ck_assert(strncmp(small, full, sizeof small - 1) == 0);
}
END_TEST

START_TEST(json_file_one_line_per_event)
{
    struct jsonl j;
    char err[256] = "";
    ck_assert_msg(jsonl_open(&j, tmpl, err, sizeof err), "%s", err);
    struct trace_event a = ev_int80_ring0(), b = ev_pf_user_write();
    strcpy(a.explain, "two\nlines");
    jsonl_event(&j, &a);
    jsonl_event(&j, &b);
    ck_assert(jsonl_close(&j));
    ck_assert_ptr_null(jsonl_error(&j));
    char *text = slurp(tmpl);
    char la[4096], lb[4096];
    jsonl_format(&a, la, sizeof la);
    jsonl_format(&b, lb, sizeof lb);
    char *expect = malloc(strlen(la) + strlen(lb) + 3);
    sprintf(expect, "%s\n%s\n", la, lb);
    ck_assert_str_eq(text, expect);
    free(expect);
    free(text);
}
END_TEST

START_TEST(json_reports_write_errors)
{
    struct jsonl j;
    char err[256] = "";
    ck_assert(jsonl_open(&j, "/dev/full", err, sizeof err));
    struct trace_event a = ev_pf_user_write();
    for (int i = 0; i < 100; i++)
        jsonl_event(&j, &a);
    ck_assert(!jsonl_close(&j));
    ck_assert_str_eq(jsonl_error(&j), "--trace: /dev/full: No space left on device");

    ck_assert(!jsonl_open(&j, "/nonexistent/dir/t.jsonl", err, sizeof err));
    ck_assert_str_eq(err, "--trace: /nonexistent/dir/t.jsonl: No such file or directory");
}
END_TEST

/* --- names ------------------------------------------------------------------ */

START_TEST(names)
{
    ck_assert_str_eq(trace_kind_name(TRACE_EXCEPTION), "exception");
    ck_assert_str_eq(trace_kind_name(TRACE_SOFTWARE_INT), "software_int");
    ck_assert_str_eq(trace_kind_name(TRACE_HARDWARE_INT), "hardware_int");
    ck_assert_str_eq(trace_kind_name(TRACE_SYSENTER), "sysenter");
    ck_assert_str_eq(trace_kind_name(TRACE_SYSEXIT), "sysexit");
    ck_assert_str_eq(trace_kind_name(TRACE_SYSCALL), "syscall");
    ck_assert_str_eq(trace_kind_name(TRACE_SYSRET), "sysret");
    ck_assert_str_eq(trace_kind_name(TRACE_RETURN), "return");
    ck_assert_str_eq(trace_kind_name(TRACE_TRIPLE_FAULT), "triple_fault");
    ck_assert_str_eq(trace_kind_name(TRACE_RESET), "reset");
    ck_assert_str_eq(trace_gate_name(GATE_NONE), "none");
    ck_assert_str_eq(trace_gate_name(GATE_TASK), "task");
    ck_assert_str_eq(trace_gate_name(GATE_INTR16), "intr16");
    ck_assert_str_eq(trace_gate_name(GATE_TRAP16), "trap16");
    ck_assert_str_eq(trace_gate_name(GATE_INTR32), "intr32");
    ck_assert_str_eq(trace_gate_name(GATE_TRAP32), "trap32");

    /* SDM Vol. 3A Table 6-1 */
    static const char *const expect[32] = {
        "#DE", "#DB", "NMI", "#BP", "#OF", "#BR", "#UD", "#NM", "#DF", NULL, "#TS",
        "#NP", "#SS", "#GP", "#PF", NULL,  "#MF", "#AC", "#MC", "#XM", "#VE", "#CP",
    };
    for (int v = 0; v < 32; v++) {
        const char *m = trace_vector_mnemonic(v);
        if (expect[v])
            ck_assert_msg(m && strcmp(m, expect[v]) == 0, "vector %d", v);
        else
            ck_assert_msg(m == NULL, "vector %d has '%s'", v, m);
    }
    ck_assert_ptr_null(trace_vector_mnemonic(-1));
    ck_assert_ptr_null(trace_vector_mnemonic(32));
    ck_assert_ptr_null(trace_vector_mnemonic(0x80));
}
END_TEST

static Suite *trace_suite(void)
{
    Suite *s = suite_create("trace");
    TCase *q = tcase_create("qemu_log");
    tcase_add_checked_fixture(q, setup, teardown);
    tcase_add_test(q, qemu_line_matches_qemu);
    tcase_add_test(q, qemu_triple_fault_sequence);
    tcase_add_test(q, qemu_hardware_interrupt);
    tcase_add_test(q, qemu_counter_width);
    tcase_add_test(q, qemu_real_mode_not_counted);
    tcase_add_test(q, qemu_items_select_output);
    tcase_add_test(q, qemu_triple_fault_reported_once);
    tcase_add_test(q, qemu_unimp_once_per_port);
    tcase_add_test(q, qemu_log_reports_write_errors);
    suite_add_tcase(s, q);

    TCase *j = tcase_create("jsonl");
    tcase_add_checked_fixture(j, setup, teardown);
    tcase_add_test(j, json_every_field);
    tcase_add_test(j, json_nulls_for_absent_values);
    tcase_add_test(j, json_escaping);
    tcase_add_test(j, json_unterminated_explain);
    tcase_add_test(j, json_truncates_like_snprintf);
    tcase_add_test(j, json_file_one_line_per_event);
    tcase_add_test(j, json_reports_write_errors);
    suite_add_tcase(s, j);

    TCase *n = tcase_create("names");
    tcase_add_test(n, names);
    suite_add_tcase(s, n);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(trace_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
