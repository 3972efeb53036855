/* The bundled kernel's system call table and calls written out
 * (src/debug/syscalls.c), against the kernel's own header. */
#include <check.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cpu/cpu_state.h"
#include "debug/syscalls.h"

/* The numbers as the kernel and its user library have them. */
#include "syscall.h"

/* A user address space: one page at 0x08049000 under CR3 0x1000. */
#define CR3 0x1000u
#define PAGE 0x08049000u
static uint8_t page[4096];

static bool fake_read(void *opaque, uint32_t cr3, uint32_t linear, void *buf, size_t len)
{
    (void)opaque;
    if (cr3 != CR3 || linear < PAGE || linear - PAGE + len > sizeof page)
        return false;
    memcpy(buf, page + (linear - PAGE), len);
    return true;
}

static struct trace_event entry(enum trace_kind kind, uint32_t eax, uint32_t ebx, uint32_t esi,
                                uint32_t edi)
{
    struct trace_event ev;
    memset(&ev, 0, sizeof ev);
    ev.kind = kind;
    ev.vector = kind == TRACE_SOFTWARE_INT ? 0x80 : -1;
    ev.delivered = true;
    ev.before.cpl = 3;
    ev.after.cpl = 0;
    ev.cr3 = CR3;
    ev.gpr[GPR_EAX] = eax;
    ev.gpr[GPR_EBX] = ebx;
    ev.gpr[GPR_ESI] = esi;
    ev.gpr[GPR_EDI] = edi;
    return ev;
}

static const char *describe(const struct trace_event *ev)
{
    static struct strbuf b;
    strbuf_free(&b);
    strbuf_init(&b);
    syscalls_describe(ev, fake_read, NULL, &b);
    return strbuf_str(&b);
}

START_TEST(test_names_follow_the_kernel)
{
    ck_assert_str_eq(syscalls_name(SYS_exit), "exit");
    ck_assert_str_eq(syscalls_name(SYS_write), "write");
    ck_assert_str_eq(syscalls_name(SYS_read), "read");
    ck_assert_str_eq(syscalls_name(SYS_getpid), "getpid");
    ck_assert_str_eq(syscalls_name(SYS_fork), "fork");
    ck_assert_str_eq(syscalls_name(SYS_exec), "exec");
    ck_assert_str_eq(syscalls_name(SYS_wait), "wait");
    ck_assert_str_eq(syscalls_name(SYS_sbrk), "sbrk");
    ck_assert_str_eq(syscalls_name(SYS_sleep), "sleep");
    ck_assert_str_eq(syscalls_name(SYS_uptime), "uptime");
    ck_assert_str_eq(syscalls_name(SYS_yield), "yield");
    ck_assert_str_eq(syscalls_name(SYS_kill), "kill");
    ck_assert_str_eq(syscalls_name(SYS_pipe), "pipe");
    ck_assert_str_eq(syscalls_name(SYS_close), "close");
    ck_assert_str_eq(syscalls_name(SYS_dirent), "dirent");
    ck_assert_ptr_null(syscalls_name(0));
    ck_assert_ptr_null(syscalls_name(SYS_dirent + 1));
    ck_assert_ptr_null(syscalls_name(0xffffffffu));
    ck_assert_int_eq(SYSCALLS_VECTOR, T_SYSCALL);
}
END_TEST

START_TEST(test_which_events_are_entries)
{
    struct trace_event ev = entry(TRACE_SOFTWARE_INT, SYS_getpid, 0, 0, 0);
    ck_assert(syscalls_is_entry(&ev));
    ev = entry(TRACE_SYSENTER, SYS_getpid, 0, 0, 0);
    ck_assert(syscalls_is_entry(&ev));
    ev = entry(TRACE_SOFTWARE_INT, SYS_getpid, 0, 0, 0);
    ev.vector = 0x30; /* another vector is no door of this kernel */
    ck_assert(!syscalls_is_entry(&ev));
    ev = entry(TRACE_SOFTWARE_INT, SYS_getpid, 0, 0, 0);
    ev.before.cpl = 0; /* the kernel calling itself */
    ck_assert(!syscalls_is_entry(&ev));
    ev = entry(TRACE_SOFTWARE_INT, SYS_getpid, 0, 0, 0);
    ev.delivered = false; /* it faulted instead */
    ck_assert(!syscalls_is_entry(&ev));
    ev = entry(TRACE_EXCEPTION, SYS_getpid, 0, 0, 0);
    ev.vector = 0x80;
    ck_assert(!syscalls_is_entry(&ev));
}
END_TEST

START_TEST(test_write_shows_its_buffer)
{
    memset(page, 0, sizeof page);
    strcpy((char *)page + 0x10, "hello from ring 3\n");
    struct trace_event ev = entry(TRACE_SYSENTER, SYS_write, 1, PAGE + 0x10, 18);
    ck_assert_str_eq(describe(&ev), "write(1, \"hello from ring 3\\n\", 18)");
    /* Only the length asked for, not up to the NUL. */
    ev.gpr[GPR_EDI] = 5;
    ck_assert_str_eq(describe(&ev), "write(1, \"hello\", 5)");
    /* A long buffer is cut. */
    memset(page + 0x100, 'a', 100);
    ev = entry(TRACE_SOFTWARE_INT, SYS_write, 2, PAGE + 0x100, 100);
    ck_assert_str_eq(describe(&ev), "write(2, \"aaaaaaaaaaaaaaaaaaaaaaaa\"..., 100)");
    /* Not mapped, or in another address space. */
    ev = entry(TRACE_SYSENTER, SYS_write, 1, 0x1000, 3);
    ck_assert_str_eq(describe(&ev), "write(1, 0x00001000 (not mapped), 3)");
    ev = entry(TRACE_SYSENTER, SYS_write, 1, PAGE + 0x10, 3);
    ev.cr3 = 0x2000;
    ck_assert_str_eq(describe(&ev), "write(1, 0x08049010 (not mapped), 3)");
    /* Bytes that are not text are escaped. */
    page[0x200] = 0x01;
    page[0x201] = '"';
    ev = entry(TRACE_SYSENTER, SYS_write, 1, PAGE + 0x200, 2);
    ck_assert_str_eq(describe(&ev), "write(1, \"\\x01\\\"\", 2)");
}
END_TEST

START_TEST(test_exec_shows_path_and_argv)
{
    memset(page, 0, sizeof page);
    strcpy((char *)page + 0x20, "ls");
    strcpy((char *)page + 0x30, "-l");
    uint32_t argv[3] = {PAGE + 0x20, PAGE + 0x30, 0};
    memcpy(page + 0x40, argv, sizeof argv);
    struct trace_event ev = entry(TRACE_SYSENTER, SYS_exec, PAGE + 0x20, PAGE + 0x40, 0);
    ck_assert_str_eq(describe(&ev), "exec(\"ls\", [\"ls\", \"-l\"])");
    /* A string running into the end of the page. */
    memset(page + 4090, 'x', 6);
    ev = entry(TRACE_SYSENTER, SYS_exec, PAGE + 4090, PAGE + 0x40, 0);
    ck_assert_str_eq(describe(&ev), "exec(\"xxxxxx\"..., [\"ls\", \"-l\"])");
}
END_TEST

START_TEST(test_numbers_pointers_and_unknown)
{
    struct trace_event ev = entry(TRACE_SYSENTER, SYS_getpid, 7, 8, 9);
    ck_assert_str_eq(describe(&ev), "getpid()");
    ev = entry(TRACE_SYSENTER, SYS_sbrk, (uint32_t)-16384, 0, 0);
    ck_assert_str_eq(describe(&ev), "sbrk(-16384)");
    ev = entry(TRACE_SYSENTER, SYS_wait, 0xbfffff00u, 0, 0);
    ck_assert_str_eq(describe(&ev), "wait(0xbfffff00)");
    ev = entry(TRACE_SYSENTER, SYS_dirent, 3, 0xbfffff00u, 0);
    ck_assert_str_eq(describe(&ev), "dirent(3, 0xbfffff00)");
    ev = entry(TRACE_SYSENTER, 99, 1, 2, 3);
    ck_assert_str_eq(describe(&ev), "syscall 99(0x1, 0x2, 0x3)");
}
END_TEST

int main(void)
{
    Suite *s = suite_create("syscalls");
    TCase *tc = tcase_create("table");
    tcase_add_test(tc, test_names_follow_the_kernel);
    tcase_add_test(tc, test_which_events_are_entries);
    tcase_add_test(tc, test_write_shows_its_buffer);
    tcase_add_test(tc, test_exec_shows_path_and_argv);
    tcase_add_test(tc, test_numbers_pointers_and_unknown);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
