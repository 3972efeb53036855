/* Check suite for cpu/fastsys: SYSENTER (SDM Vol. 2B, SYSENTER operation)
 * and legacy-mode SYSCALL (AMD APM Vol. 3, SYSCALL; QEMU follows it), as
 * pure functions of the CPU state and the MSR values. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "cpu/fastsys.h"

#define USER_EIP 0x08048000u
#define USER_ESP 0xbffff000u

/* A ring-3 program with every flag the instructions clear set, and CF to
 * show that the others stay. */
static struct cpu_state user_state(void)
{
    struct cpu_state st;
    memset(&st, 0, sizeof st);
    st.cr0 = CR0_PE;
    st.cpl = 3;
    st.seg[SEG_CS].selector = 0x1b;
    st.seg[SEG_SS].selector = 0x23;
    st.gpr[GPR_ESP] = USER_ESP;
    st.gpr[GPR_ECX] = 0x12345678u;
    st.eip = USER_EIP;
    st.eflags = EFLAGS_FIXED1 | EFLAGS_CF | EFLAGS_IF | EFLAGS_RF | EFLAGS_VM;
    return st;
}

/* The flat ring-0 caches both instructions load without reading the GDT:
 * CS execute/read accessed (type 11), SS read/write accessed (type 3),
 * S = 1, DPL 0, P, 32-bit, 4 KiB granularity, base 0, limit 4 GiB. */
static void expect_flat_ring0(const struct cpu_state *st, uint16_t cs)
{
    ck_assert_uint_eq(st->cpl, 0);
    ck_assert_uint_eq(st->seg[SEG_CS].selector, cs);
    ck_assert_uint_eq(st->seg[SEG_CS].base, 0);
    ck_assert_uint_eq(st->seg[SEG_CS].limit, 0xffffffffu);
    ck_assert_uint_eq(st->seg[SEG_CS].flags & (DESC_TYPE_MASK | DESC_S | DESC_DPL_MASK | DESC_P |
                                              DESC_B | DESC_G),
                      (11u << DESC_TYPE_SHIFT) | DESC_S | DESC_P | DESC_B | DESC_G);
    ck_assert_uint_eq(st->seg[SEG_SS].selector, cs + 8);
    ck_assert_uint_eq(st->seg[SEG_SS].base, 0);
    ck_assert_uint_eq(st->seg[SEG_SS].limit, 0xffffffffu);
    ck_assert_uint_eq(st->seg[SEG_SS].flags & (DESC_TYPE_MASK | DESC_S | DESC_DPL_MASK | DESC_P |
                                              DESC_B | DESC_G),
                      (3u << DESC_TYPE_SHIFT) | DESC_S | DESC_P | DESC_B | DESC_G);
}

/* ---- SYSENTER ---------------------------------------------------------- */

START_TEST(test_sysenter_null_cs_is_gp0)
{
    /* SDM Vol. 2B SYSENTER: "IF IA32_SYSENTER_CS[15:2] = 0 THEN #GP(0)":
     * 0, and a selector with only RPL bits, are both null. */
    static const uint32_t null_cs[] = {0, 3};
    for (size_t i = 0; i < 2; i++) {
        struct cpu_state st = user_state();
        ck_assert_int_eq(fastsys_sysenter(&st, null_cs[i], 0xc0008000u, 0xc0001000u),
                         FASTSYS_GP0);
        /* Nothing changed. */
        ck_assert_uint_eq(st.cpl, 3);
        ck_assert_uint_eq(st.eip, USER_EIP);
        ck_assert_uint_eq(st.gpr[GPR_ESP], USER_ESP);
        ck_assert_uint_eq(st.seg[SEG_CS].selector, 0x1b);
        ck_assert_uint_eq(st.eflags & EFLAGS_IF, EFLAGS_IF);
    }
}
END_TEST

START_TEST(test_sysenter_real_mode_is_gp0)
{
    /* "IF CR0.PE = 0 THEN #GP(0)". */
    struct cpu_state st = user_state();
    st.cr0 = 0;
    ck_assert_int_eq(fastsys_sysenter(&st, 0x08, 0xc0008000u, 0xc0001000u), FASTSYS_GP0);
    ck_assert_uint_eq(st.eip, USER_EIP);
}
END_TEST

START_TEST(test_sysenter_loads_flat_ring0)
{
    struct cpu_state st = user_state();
    /* The MSR's RPL bits are dropped: "CS.SEL.RPL <- 0"; SS = CS + 8. */
    ck_assert_int_eq(fastsys_sysenter(&st, 0x0b, 0xc0008000u, 0xc0001000u), FASTSYS_OK);
    expect_flat_ring0(&st, 0x08);
    /* ESP and EIP from IA32_SYSENTER_ESP and IA32_SYSENTER_EIP. */
    ck_assert_uint_eq(st.gpr[GPR_ESP], 0xc0008000u);
    ck_assert_uint_eq(st.eip, 0xc0001000u);
    /* "EFLAGS.VM <- 0; EFLAGS.IF <- 0; EFLAGS.RF <- 0"; the rest stays. */
    ck_assert_uint_eq(st.eflags, EFLAGS_FIXED1 | EFLAGS_CF);
    /* SYSENTER saves nothing: ECX is the caller's. */
    ck_assert_uint_eq(st.gpr[GPR_ECX], 0x12345678u);
}
END_TEST

/* ---- SYSCALL (legacy mode) --------------------------------------------- */

START_TEST(test_syscall_without_sce_is_ud)
{
    /* AMD APM SYSCALL: "IF (MSR_EFER.SCE = 0) EXCEPTION [#UD]". */
    struct cpu_state st = user_state();
    uint64_t star = (0x0023001bull << 32) | 0xc0002000u;
    ck_assert_int_eq(fastsys_syscall(&st, 0, star, USER_EIP + 2), FASTSYS_UD);
    ck_assert_uint_eq(st.cpl, 3);
    ck_assert_uint_eq(st.eip, USER_EIP);
    ck_assert_uint_eq(st.gpr[GPR_ECX], 0x12345678u);
}
END_TEST

START_TEST(test_syscall_loads_from_star)
{
    struct cpu_state st = user_state();
    /* STAR: SYSRET CS in 63:48, SYSCALL CS in 47:32, target EIP in 31:0. */
    uint64_t star = (0x0023ull << 48) | (0x0010ull << 32) | 0xc0002000u;
    ck_assert_int_eq(fastsys_syscall(&st, EFER_SCE, star, USER_EIP + 2), FASTSYS_OK);
    /* Legacy mode: ECX <- the next EIP; CS <- STAR[47:32], SS <- that + 8,
     * EIP <- STAR[31:0]; VM, IF and RF cleared; ESP is not changed. */
    ck_assert_uint_eq(st.gpr[GPR_ECX], USER_EIP + 2);
    expect_flat_ring0(&st, 0x10);
    ck_assert_uint_eq(st.eip, 0xc0002000u);
    ck_assert_uint_eq(st.gpr[GPR_ESP], USER_ESP);
    ck_assert_uint_eq(st.eflags, EFLAGS_FIXED1 | EFLAGS_CF);
}
END_TEST

static Suite *fastsys_suite(void)
{
    Suite *s = suite_create("fastsys");
    TCase *tc = tcase_create("sysenter");
    tcase_add_test(tc, test_sysenter_null_cs_is_gp0);
    tcase_add_test(tc, test_sysenter_real_mode_is_gp0);
    tcase_add_test(tc, test_sysenter_loads_flat_ring0);
    suite_add_tcase(s, tc);

    tc = tcase_create("syscall");
    tcase_add_test(tc, test_syscall_without_sce_is_ud);
    tcase_add_test(tc, test_syscall_loads_from_star);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(fastsys_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
