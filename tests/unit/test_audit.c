/* Check suite for vmm/audit: the verdict a row gets from its outcomes in
 * each context (privileged, control- or behaviour-sensitive, innocuous;
 * Popek and Goldberg's classes as audit.h defines them), and the evidence
 * it names. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "cpu/cpu_state.h"
#include "vmm/audit.h"

/* The catalogue is not linked here: the rows name this instruction. */
const struct audit_insn audit_catalogue[] = {{.name = "TEST"}};
const size_t audit_catalogue_size = 1;

static struct audit_row row;

static void setup(void)
{
    memset(&row, 0, sizeof row);
    row.insn = &audit_catalogue[0];
    for (int c = 0; c < CTX_COUNT; c++) {
        row.out[c].measured = c != CTX_V86;
        row.out[c].before.eflags_sys = row.out[c].after.eflags_sys = EFLAGS_FIXED1;
    }
}

static void trap(enum audit_ctx c, int vector)
{
    row.out[c].trapped = true;
    row.out[c].vector = vector;
    row.out[c].has_error_code = vector == 13;
}

START_TEST(test_privileged)
{
    trap(CTX_CPL1, 13);
    trap(CTX_CPL3, 13);
    audit_classify(&row);
    ck_assert_int_eq(row.verdict, VERDICT_PRIVILEGED);
    ck_assert_str_eq(row.evidence, "#GP(0) at CPL 1 and 3, runs at CPL 0");
}
END_TEST

START_TEST(test_privileged_needs_every_outer_ring)
{
    trap(CTX_CPL3, 13); /* CPL 1 runs it: not privileged */
    audit_classify(&row);
    ck_assert_int_ne(row.verdict, VERDICT_PRIVILEGED);
    row.out[CTX_V86].measured = true; /* and a V86 run that does not trap */
    trap(CTX_CPL1, 13);
    audit_classify(&row);
    ck_assert_int_eq(row.verdict, VERDICT_INNOCUOUS);
}
END_TEST

START_TEST(test_same_trap_everywhere_is_unclear)
{
    trap(CTX_CPL0, 6);
    trap(CTX_CPL1, 6);
    trap(CTX_CPL3, 6);
    audit_classify(&row);
    ck_assert_int_eq(row.verdict, VERDICT_UNCLEAR);
    /* Another exception at CPL 0 than above it: privileged (RDPMC). */
    trap(CTX_CPL1, 13);
    trap(CTX_CPL3, 13);
    audit_classify(&row);
    ck_assert_int_eq(row.verdict, VERDICT_PRIVILEGED);
    ck_assert_str_eq(row.evidence, "#GP(0) at CPL 1 and 3, #UD at CPL 0");
}
END_TEST

START_TEST(test_control_sensitive)
{
    /* POPF: IF set at CPL 0, left alone above it, no trap. */
    row.out[CTX_CPL0].after.eflags_sys |= EFLAGS_IF;
    audit_classify(&row);
    ck_assert_int_eq(row.verdict, VERDICT_SENSITIVE);
    ck_assert(row.control_sensitive);
    ck_assert(!row.behaviour_sensitive);
    ck_assert_str_eq(row.evidence, "IF 0->1 at CPL 0, unchanged at CPL 1 without a trap");
}
END_TEST

START_TEST(test_behaviour_sensitive_by_cpl)
{
    /* PUSH CS: the pushed selector differs. */
    row.out[CTX_CPL0].stack[0] = 0x08;
    row.out[CTX_CPL1].stack[0] = 0x19;
    row.out[CTX_CPL3].stack[0] = 0x2b;
    audit_classify(&row);
    ck_assert_int_eq(row.verdict, VERDICT_SENSITIVE);
    ck_assert(row.behaviour_sensitive);
    ck_assert(!row.control_sensitive);
    ck_assert_str_eq(row.evidence, "[esp+0] 0x8 / 0x19 (CPL 0 / CPL 1)");
}
END_TEST

START_TEST(test_behaviour_sensitive_by_configuration)
{
    /* SGDT: the same at every CPL, another base on the moved machine. */
    row.moved[CTX_CPL1] = row.out[CTX_CPL1];
    row.out[CTX_CPL0].gpr[0] = row.out[CTX_CPL1].gpr[0] = 0x1000;
    row.out[CTX_CPL0].gpr_changed = row.out[CTX_CPL1].gpr_changed = 1;
    row.moved[CTX_CPL1].gpr[0] = 0x1800;
    row.moved[CTX_CPL1].gpr_changed = 1;
    audit_classify(&row);
    ck_assert_int_eq(row.verdict, VERDICT_SENSITIVE);
    ck_assert_str_eq(row.evidence, "eax 0x1000 / 0x1800 (native / moved machine, CPL 1)");
}
END_TEST

START_TEST(test_unchanged_register_is_named)
{
    /* LAR: loads EAX at CPL 0, leaves it above. */
    row.out[CTX_CPL0].gpr[0] = 0xc09a00;
    row.out[CTX_CPL0].gpr_changed = 1;
    audit_classify(&row);
    ck_assert_str_eq(row.evidence, "eax 0xc09a00 / unchanged (CPL 0 / CPL 1)");
}
END_TEST

START_TEST(test_innocuous)
{
    row.moved[CTX_CPL3] = row.out[CTX_CPL3];
    audit_classify(&row);
    ck_assert_int_eq(row.verdict, VERDICT_INNOCUOUS);
    ck_assert(!row.control_sensitive && !row.behaviour_sensitive);
}
END_TEST

START_TEST(test_cells)
{
    char buf[32];
    struct audit_outcome o = {0};
    audit_cell(&o, buf, sizeof buf);
    ck_assert_str_eq(buf, "-");
    o.measured = true;
    audit_cell(&o, buf, sizeof buf);
    ck_assert_str_eq(buf, "ok");
    o.trapped = true;
    o.vector = 13;
    o.has_error_code = true;
    o.error_code = 0x10;
    audit_cell(&o, buf, sizeof buf);
    ck_assert_str_eq(buf, "#GP(0x10)");
}
END_TEST

static Suite *audit_suite(void)
{
    Suite *s = suite_create("audit");
    TCase *tc = tcase_create("verdict");
    tcase_add_checked_fixture(tc, setup, NULL);
    tcase_add_test(tc, test_privileged);
    tcase_add_test(tc, test_privileged_needs_every_outer_ring);
    tcase_add_test(tc, test_same_trap_everywhere_is_unclear);
    tcase_add_test(tc, test_control_sensitive);
    tcase_add_test(tc, test_behaviour_sensitive_by_cpl);
    tcase_add_test(tc, test_behaviour_sensitive_by_configuration);
    tcase_add_test(tc, test_unchanged_register_is_named);
    tcase_add_test(tc, test_innocuous);
    tcase_add_test(tc, test_cells);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(audit_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
