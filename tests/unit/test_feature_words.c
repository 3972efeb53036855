/* feature_words_find: the CPU model's feature words in a block of state,
 * found by the vendor, the version and the leaf-1 words before them. */
#include <check.h>
#include <stdint.h>
#include <string.h>

#include "cpu/feature_words.h"

static const struct feature_words_key key = {
    .vendor = {0x756e6547, 0x49656e69, 0x6c65746e}, /* "GenuineIntel" */
    .version = 0x663,
    .edx1 = 0x0781abfd, /* with the APIC bit (9) */
    .ecx1 = 0x80a021,
};

static _Alignas(8) uint8_t mem[512];

static void put32(size_t at, uint32_t v) { memcpy(mem + at, &v, 4); }
static void put64(size_t at, uint64_t v) { memcpy(mem + at, &v, 8); }

/* The layout of the engine's state: vendor, version, (pad), the words. */
static void lay_out(size_t words, size_t pad, uint32_t edx1)
{
    put32(words - pad - 16, key.vendor[0]);
    put32(words - pad - 12, key.vendor[1]);
    put32(words - pad - 8, key.vendor[2]);
    put32(words - pad - 4, key.version);
    put64(words, edx1);
    put64(words + 8, key.ecx1);
    put64(words + 16, 0);
}

START_TEST(test_found_with_and_without_padding)
{
    memset(mem, 0, sizeof mem);
    lay_out(96, 0, key.edx1);
    ck_assert_int_eq(feature_words_find(mem, sizeof mem, &key), 96);
    memset(mem, 0, sizeof mem);
    lay_out(200, 4, key.edx1);
    ck_assert_int_eq(feature_words_find(mem, sizeof mem, &key), 200);
}
END_TEST

START_TEST(test_derived_bits_ignored)
{
    /* The words may lack the APIC bit CPUID reports. */
    memset(mem, 0, sizeof mem);
    lay_out(96, 0, key.edx1 & ~(1u << 9));
    ck_assert_int_eq(feature_words_find(mem, sizeof mem, &key), 96);
}
END_TEST

START_TEST(test_not_found_or_ambiguous)
{
    memset(mem, 0, sizeof mem);
    ck_assert_int_eq(feature_words_find(mem, sizeof mem, &key), -1);
    /* The words without the vendor and version before them: not taken. */
    put64(96, key.edx1);
    put64(104, key.ecx1);
    ck_assert_int_eq(feature_words_find(mem, sizeof mem, &key), -1);
    /* Another word than leaf 1's: not taken. */
    memset(mem, 0, sizeof mem);
    lay_out(96, 0, key.edx1 ^ 1);
    ck_assert_int_eq(feature_words_find(mem, sizeof mem, &key), -1);
    /* Twice: no answer rather than a guess. */
    memset(mem, 0, sizeof mem);
    lay_out(96, 0, key.edx1);
    lay_out(296, 0, key.edx1);
    ck_assert_int_eq(feature_words_find(mem, sizeof mem, &key), -1);
    /* A word with bits above 31: not a CPUID word. */
    memset(mem, 0, sizeof mem);
    lay_out(96, 0, key.edx1);
    put64(104, (uint64_t)1 << 40 | key.ecx1);
    ck_assert_int_eq(feature_words_find(mem, sizeof mem, &key), -1);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("feature_words");
    TCase *tc = tcase_create("find");
    tcase_add_test(tc, test_found_with_and_without_padding);
    tcase_add_test(tc, test_derived_bits_ignored);
    tcase_add_test(tc, test_not_found_or_ambiguous);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}
