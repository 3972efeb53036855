/* Check suite for cpu/umip: which privilege CR4.UMIP refuses the five
 * store instructions at (SDM Vol. 3A 2.5), and the CPUID leaf 7 that
 * announces it (SDM Vol. 2A CPUID). */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "cpu/cpu_state.h"
#include "cpu/umip.h"

START_TEST(test_refuses_only_above_ring_0)
{
    for (uint8_t cpl = 0; cpl < 4; cpl++) {
        ck_assert(!umip_refuses(0, cpl, 0x2));
        ck_assert(umip_refuses(CR4_UMIP, cpl, 0x2) == (cpl > 0));
    }
    /* Other CR4 bits do not matter. */
    ck_assert(!umip_refuses(~CR4_UMIP, 3, 0x2));
}
END_TEST

START_TEST(test_refuses_in_v86)
{
    ck_assert(umip_refuses(CR4_UMIP, 0, EFLAGS_VM | 0x2));
    ck_assert(!umip_refuses(0, 0, EFLAGS_VM | 0x2));
}
END_TEST

/* A model whose highest basic leaf is 4 (qemu32): leaf 0 now says 7,
 * leaves 5 and 6 are empty, leaf 7 holds only UMIP, a higher leaf
 * answers as leaf 7. */
START_TEST(test_cpuid_short_model)
{
    uint32_t r[4] = {4, 0x756e6547, 0x6c65746e, 0x49656e69};
    umip_cpuid(4, 0, 0, r);
    ck_assert_uint_eq(r[0], 7);
    ck_assert_uint_eq(r[1], 0x756e6547);
    for (uint32_t leaf = 5; leaf <= 9; leaf++) {
        uint32_t v[4] = {0x11, 0x22, 0x33, 0x44}; /* the model's highest leaf */
        umip_cpuid(4, leaf, 0, v);
        ck_assert_uint_eq(v[0], 0);
        ck_assert_uint_eq(v[1], 0);
        ck_assert_uint_eq(v[2], leaf >= 7 ? CPUID_7_ECX_UMIP : 0);
        ck_assert_uint_eq(v[3], 0);
    }
    uint32_t sub1[4] = {1, 2, 3, 4};
    umip_cpuid(4, 7, 1, sub1);
    ck_assert_uint_eq(sub1[2], 0);
}
END_TEST

/* A model that has leaf 7: its answers stay, with UMIP added. */
START_TEST(test_cpuid_long_model)
{
    uint32_t top[4] = {0xd, 1, 2, 3};
    umip_cpuid(0xd, 0, 0, top);
    ck_assert_uint_eq(top[0], 0xd);
    uint32_t l7[4] = {0, 0x209, 0x10, 0x400};
    umip_cpuid(0xd, 7, 0, l7);
    ck_assert_uint_eq(l7[1], 0x209);
    ck_assert_uint_eq(l7[2], 0x10 | CPUID_7_ECX_UMIP);
    ck_assert_uint_eq(l7[3], 0x400);
    uint32_t l1[4] = {0x663, 0x800, 0x80000001, 0x78bfbfd};
    umip_cpuid(0xd, 1, 0, l1);
    ck_assert_uint_eq(l1[2], 0x80000001);
    uint32_t ext[4] = {0x80000008, 0, 0, 0};
    umip_cpuid(0xd, 0x80000000u, 0, ext);
    ck_assert_uint_eq(ext[0], 0x80000008);
}
END_TEST

static Suite *umip_suite(void)
{
    Suite *s = suite_create("umip");
    TCase *tc = tcase_create("umip");
    tcase_add_test(tc, test_refuses_only_above_ring_0);
    tcase_add_test(tc, test_refuses_in_v86);
    tcase_add_test(tc, test_cpuid_short_model);
    tcase_add_test(tc, test_cpuid_long_model);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(umip_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
