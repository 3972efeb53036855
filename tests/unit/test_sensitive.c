/* Check suite for vmm/sensitive: the sensitive unprivileged instructions
 * recognised from their bytes (SDM Vol. 2, Appendix A), with their
 * prefixes, and the privileged or innocuous neighbours left alone. */
#include <check.h>
#include <stdbool.h>
#include <stdlib.h>

#include "vmm/sensitive.h"

static enum sensitive_kind kind_of(const uint8_t *code, size_t n, const char **name)
{
    struct sensitive_insn s;
    if (!sensitive_classify(code, n, &s))
        return SENSITIVE_NONE;
    if (name)
        *name = s.name;
    return s.kind;
}
#define KIND(...) kind_of((const uint8_t[]){__VA_ARGS__}, sizeof((const uint8_t[]){__VA_ARGS__}), NULL)

START_TEST(test_flags)
{
    ck_assert_int_eq(KIND(0x9c), SENSITIVE_PUSHF);
    ck_assert_int_eq(KIND(0x9d), SENSITIVE_POPF);
    ck_assert_int_eq(KIND(0x66, 0x9d), SENSITIVE_POPF); /* POPF with a 16-bit operand */
    ck_assert_int_eq(KIND(0xfa), SENSITIVE_NONE);       /* CLI traps: privileged */
}
END_TEST

START_TEST(test_segment_reads)
{
    ck_assert_int_eq(KIND(0x0e), SENSITIVE_READ_CS);             /* push cs */
    ck_assert_int_eq(KIND(0x8c, 0xc8), SENSITIVE_READ_CS);       /* mov eax, cs */
    ck_assert_int_eq(KIND(0x66, 0x8c, 0xc8), SENSITIVE_READ_CS); /* mov ax, cs */
    ck_assert_int_eq(KIND(0x8c, 0x0d, 0, 0, 0, 0), SENSITIVE_READ_CS); /* mov [m], cs */
    ck_assert_int_eq(KIND(0x8c, 0xd0), SENSITIVE_READ_SS);
    ck_assert_int_eq(KIND(0x16), SENSITIVE_READ_SS);
    ck_assert_int_eq(KIND(0x8c, 0xd8), SENSITIVE_READ_SEG);      /* mov eax, ds */
    ck_assert_int_eq(KIND(0x0f, 0xa0), SENSITIVE_READ_SEG);
    ck_assert_int_eq(KIND(0x8c, 0xf0), SENSITIVE_NONE);          /* no segment register 6 */
    ck_assert_int_eq(KIND(0x8e, 0xd8), SENSITIVE_LOAD_SEG);      /* mov ds, eax */
    ck_assert_int_eq(KIND(0x8e, 0xd0), SENSITIVE_NONE);          /* mov ss: traps with RPL 0 */
    ck_assert_int_eq(KIND(0x1f), SENSITIVE_LOAD_SEG);
    ck_assert_int_eq(KIND(0x17), SENSITIVE_NONE);                /* pop ss */
}
END_TEST

START_TEST(test_system_stores)
{
    const char *name = NULL;
    ck_assert_int_eq(kind_of((const uint8_t[]){0x0f, 0x01, 0x05, 0, 0, 0, 0}, 7, &name),
                     SENSITIVE_STORE_GDTR);
    ck_assert_str_eq(name, "SGDT");
    ck_assert_int_eq(KIND(0x0f, 0x01, 0x0d, 0, 0, 0, 0), SENSITIVE_STORE_IDTR);
    ck_assert_int_eq(KIND(0x0f, 0x01, 0x15, 0, 0, 0, 0), SENSITIVE_NONE); /* lgdt */
    ck_assert_int_eq(KIND(0x0f, 0x01, 0xe0), SENSITIVE_SMSW);            /* smsw eax */
    ck_assert_int_eq(KIND(0x0f, 0x01, 0xf0), SENSITIVE_NONE);            /* lmsw */
    ck_assert_int_eq(KIND(0x0f, 0x00, 0xc0), SENSITIVE_STORE_SEL);       /* sldt */
    ck_assert_int_eq(KIND(0x0f, 0x00, 0xc8), SENSITIVE_STORE_SEL);       /* str */
    ck_assert_int_eq(KIND(0x0f, 0x00, 0xd0), SENSITIVE_NONE);            /* lldt */
    ck_assert_int_eq(KIND(0x0f, 0x02, 0xc1), SENSITIVE_LAR);
    ck_assert_int_eq(KIND(0x0f, 0x03, 0xc1), SENSITIVE_LAR);
    ck_assert_int_eq(KIND(0x0f, 0x00, 0xe1), SENSITIVE_LAR);             /* verr */
    ck_assert_int_eq(KIND(0x2e, 0x0f, 0x01, 0x05, 0, 0, 0, 0), SENSITIVE_STORE_GDTR);
}
END_TEST

START_TEST(test_far_transfers)
{
    ck_assert_int_eq(KIND(0xcf), SENSITIVE_FAR);
    ck_assert_int_eq(KIND(0xcb), SENSITIVE_FAR);
    ck_assert_int_eq(KIND(0xff, 0x2d, 0, 0, 0, 0), SENSITIVE_FAR); /* jmp far [m] */
    ck_assert_int_eq(KIND(0xff, 0xe0), SENSITIVE_NONE);             /* jmp eax */
    ck_assert_int_eq(KIND(0xc3), SENSITIVE_NONE);                   /* near ret */
}
END_TEST

START_TEST(test_short_input)
{
    struct sensitive_insn s;
    ck_assert(!sensitive_classify((const uint8_t[]){0x66}, 1, &s));
    ck_assert(!sensitive_classify((const uint8_t[]){0x0f}, 1, &s));
    ck_assert(!sensitive_classify(NULL, 0, &s));
    ck_assert_str_eq(sensitive_kind_what(SENSITIVE_POPF), "keeps IF and IOPL without a trap");
}
END_TEST

static Suite *sensitive_suite(void)
{
    Suite *s = suite_create("sensitive");
    TCase *tc = tcase_create("sensitive");
    tcase_add_test(tc, test_flags);
    tcase_add_test(tc, test_segment_reads);
    tcase_add_test(tc, test_system_stores);
    tcase_add_test(tc, test_far_transfers);
    tcase_add_test(tc, test_short_input);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(sensitive_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
