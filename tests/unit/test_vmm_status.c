/* Check suite for vmm/vmm_status: a monitor's account keeps its most
 * frequent causes, in descending order, ties in the order they came. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vmm/vmm_status.h"

START_TEST(test_causes_sorted_and_capped)
{
    struct vmm_status s;
    vmm_status_init(&s, "trap", "the kernel at real ring 1", "traps");
    ck_assert_str_eq(s.strategy, "trap");
    ck_assert_int_eq(s.ncauses, 0);
    vmm_status_add_cause(&s, "none", 0);
    ck_assert_int_eq(s.ncauses, 0);
    vmm_status_add_cause(&s, "CLI", 5);
    vmm_status_add_cause(&s, "OUT", 9);
    vmm_status_add_cause(&s, "STI", 5);
    ck_assert_int_eq(s.ncauses, 3);
    ck_assert_str_eq(s.causes[0].name, "OUT");
    ck_assert_str_eq(s.causes[1].name, "CLI");
    ck_assert_str_eq(s.causes[2].name, "STI");
    for (int i = 0; i < VMM_STATUS_CAUSES; i++)
        vmm_status_add_cause(&s, "IN", 100 + (uint64_t)i);
    ck_assert_int_eq(s.ncauses, VMM_STATUS_CAUSES);
    ck_assert_uint_eq(s.causes[0].count, 100 + VMM_STATUS_CAUSES - 1);
    ck_assert_uint_eq(s.causes[VMM_STATUS_CAUSES - 1].count, 100);
    vmm_status_add_cause(&s, "HLT", 1); /* fewer than every one kept */
    ck_assert_uint_eq(s.causes[VMM_STATUS_CAUSES - 1].count, 100);
}
END_TEST

START_TEST(test_cpu_view)
{
    struct cpu_state st = {0};
    st.cpl = 1;
    st.eflags = EFLAGS_IF | 2;
    st.gdtr.base = 0xc009f000;
    st.tr.selector = 0x28;
    struct vmm_cpu_view c = vmm_cpu_view_of(&st);
    ck_assert_uint_eq(c.cpl, 1);
    ck_assert(c.iflag);
    ck_assert_uint_eq(c.gdt_base, 0xc009f000);
    ck_assert_uint_eq(c.tr, 0x28);
}
END_TEST

START_TEST(test_notes_kept_in_order_and_capped)
{
    struct vmm_status s;
    vmm_status_init(&s, "bt", "over trap", "intercepts");
    for (int i = 0; i < VMM_STATUS_NOTES + 2; i++)
        vmm_status_add_note(&s, "note %d of %s", i, "bt");
    ck_assert_int_eq(s.nnotes, VMM_STATUS_NOTES);
    ck_assert_str_eq(s.notes[0], "note 0 of bt");
    char last[32];
    snprintf(last, sizeof last, "note %d of bt", VMM_STATUS_NOTES - 1);
    ck_assert_str_eq(s.notes[VMM_STATUS_NOTES - 1], last);
    /* A long note is cut at the field's size, never past it. */
    vmm_status_init(&s, "pv", "", "hypercalls");
    vmm_status_add_note(&s, "%0200d", 7);
    ck_assert_uint_eq(strlen(s.notes[0]), sizeof s.notes[0] - 1);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("vmm_status");
    TCase *tc = tcase_create("vmm_status");
    tcase_add_test(tc, test_causes_sorted_and_capped);
    tcase_add_test(tc, test_cpu_view);
    tcase_add_test(tc, test_notes_kept_in_order_and_capped);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
