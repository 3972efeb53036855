/* Check suite for vmm/bt_scan: which instructions the translating monitor
 * takes for itself (the sensitive, unprivileged ones, by their encodings
 * in SDM Vol. 2), which it leaves to the engine, and where in a block the
 * first one is. */
#include <check.h>
#include <stdlib.h>

#include "debug/disasm.h"
#include "vmm/bt_scan.h"

#define KIND(...)                                                                                  \
    ({                                                                                             \
        static const uint8_t c_[] = {__VA_ARGS__};                                                 \
        bt_classify(c_, sizeof c_);                                                                \
    })

START_TEST(test_flags)
{
    ck_assert_int_eq(KIND(0x9c), BT_PUSHF);
    ck_assert_int_eq(KIND(0x66, 0x9c), BT_PUSHF); /* PUSHF with a 16-bit operand */
    ck_assert_int_eq(KIND(0x9d), BT_POPF);
    ck_assert_int_eq(KIND(0xcf), BT_IRET);
    ck_assert_int_eq(KIND(0xcb), BT_RETF);
    ck_assert_int_eq(KIND(0xca, 0x08, 0x00), BT_RETF);
}
END_TEST

START_TEST(test_selectors)
{
    ck_assert_int_eq(KIND(0x0e), BT_PUSH_SREG);             /* PUSH CS */
    ck_assert_int_eq(KIND(0x16), BT_PUSH_SREG);             /* PUSH SS */
    ck_assert_int_eq(KIND(0x1e), BT_NONE);                  /* PUSH DS shows no ring */
    ck_assert_int_eq(KIND(0x66, 0x8c, 0xc8), BT_MOV_SREG);  /* mov ax, cs */
    ck_assert_int_eq(KIND(0x8c, 0xd0), BT_MOV_SREG);        /* mov eax, ss */
    ck_assert_int_eq(KIND(0x8c, 0xd8), BT_NONE);            /* mov eax, ds */
    ck_assert_int_eq(KIND(0x8e, 0xd0), BT_NONE);            /* MOV SS, r traps: not ours */
    ck_assert_int_eq(KIND(0x0f, 0x02, 0xc1), BT_LAR);
    ck_assert_int_eq(KIND(0x0f, 0x03, 0xd2), BT_LSL);
    ck_assert_int_eq(KIND(0x0f, 0x00, 0xe0), BT_VERR);      /* verr ax */
    ck_assert_int_eq(KIND(0x0f, 0x00, 0xe8), BT_VERR);      /* verw ax */
}
END_TEST

START_TEST(test_tables)
{
    ck_assert_int_eq(KIND(0x0f, 0x01, 0x00), BT_SGDT);      /* sgdt [eax] */
    ck_assert_int_eq(KIND(0x0f, 0x01, 0x08), BT_SIDT);      /* sidt [eax] */
    ck_assert_int_eq(KIND(0x0f, 0x01, 0xe0), BT_SMSW);      /* smsw eax */
    ck_assert_int_eq(KIND(0x0f, 0x00, 0xc0), BT_SLDT);      /* sldt eax */
    ck_assert_int_eq(KIND(0x0f, 0x00, 0xc8), BT_STR);       /* str eax */
    /* The privileged neighbours trap by themselves. */
    ck_assert_int_eq(KIND(0x0f, 0x01, 0x10), BT_NONE);      /* lgdt [eax] */
    ck_assert_int_eq(KIND(0x0f, 0x01, 0x18), BT_NONE);      /* lidt [eax] */
    ck_assert_int_eq(KIND(0x0f, 0x00, 0xd8), BT_NONE);      /* ltr ax */
    ck_assert_int_eq(KIND(0x0f, 0x01, 0xf0), BT_NONE);      /* lmsw ax */
    ck_assert_int_eq(KIND(0xfa), BT_NONE);                  /* cli */
    ck_assert_int_eq(KIND(0x0f, 0x22, 0xd8), BT_NONE);      /* mov cr3, eax */
}
END_TEST

START_TEST(test_far_transfers)
{
    ck_assert_int_eq(KIND(0xea, 0xa8, 0x06, 0x10, 0xc0, 0x08, 0x00), BT_FAR_JMP);
    ck_assert_int_eq(KIND(0x9a, 0, 0, 0, 0, 0x4b, 0), BT_FAR_CALL);
    ck_assert_int_eq(KIND(0xff, 0x28), BT_FAR_JMP);         /* jmp far [eax] */
    ck_assert_int_eq(KIND(0xff, 0x18), BT_FAR_CALL);        /* call far [eax] */
    ck_assert_int_eq(KIND(0xff, 0xe0), BT_NONE);            /* jmp eax: near */
    ck_assert_int_eq(KIND(0xff, 0x10), BT_NONE);            /* call [eax]: near */
    ck_assert_int_eq(KIND(0xc3), BT_NONE);                  /* near ret */
    ck_assert_int_eq(KIND(0x0f), BT_NONE);                  /* short code */
    ck_assert_int_eq(bt_classify(NULL, 0), BT_NONE);
}
END_TEST

START_TEST(test_block)
{
    struct disasm *d = disasm_open();
    ck_assert_ptr_nonnull(d);
    enum bt_kind k;
    /* push ds, push es, push fs, then PUSHF at offset 4 */
    static const uint8_t entry[] = {0x1e, 0x06, 0x0f, 0xa0, 0x9c, 0x89, 0xc0};
    ck_assert_int_eq(bt_scan_block(d, entry, sizeof entry, 0xc0100216, true, &k), 4);
    ck_assert_int_eq(k, BT_PUSHF);
    /* A B8 immediate that holds 9C bytes is no PUSHF. */
    static const uint8_t imm[] = {0xb8, 0x9c, 0x9c, 0x9c, 0x9c, 0x40, 0xcf};
    ck_assert_int_eq(bt_scan_block(d, imm, sizeof imm, 0x1000, true, &k), 6);
    ck_assert_int_eq(k, BT_IRET);
    static const uint8_t plain[] = {0x40, 0x01, 0xd8, 0xc3};
    ck_assert_int_eq(bt_scan_block(d, plain, sizeof plain, 0x1000, true, &k), -1);
    ck_assert_int_eq(k, BT_NONE);
    disasm_close(d);
}
END_TEST

START_TEST(test_names)
{
    ck_assert_str_eq(bt_kind_name(BT_IRET), "IRET");
    ck_assert_str_eq(bt_kind_name(BT_MOV_SREG), "MOV r, CS/SS");
    ck_assert_str_eq(bt_kind_name(BT_KIND_COUNT), "?");
}
END_TEST

static Suite *bt_scan_suite(void)
{
    Suite *s = suite_create("bt_scan");
    TCase *tc = tcase_create("classify");
    tcase_add_test(tc, test_flags);
    tcase_add_test(tc, test_selectors);
    tcase_add_test(tc, test_tables);
    tcase_add_test(tc, test_far_transfers);
    tcase_add_test(tc, test_block);
    tcase_add_test(tc, test_names);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(bt_scan_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
