/* Check suite for cpu/ioperm: IOPL against CPL and virtual-8086 mode, and
 * the I/O permission bit map read from a fake TSS, with the two-byte read
 * at the TSS limit (SDM Vol. 1 19.5, Vol. 3A 20.2.8). */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "cpu/cpu_state.h"
#include "cpu/ioperm.h"

#define TSS_BASE 0x00100000u
#define TSS_BYTES 0x3000u
#define MAP 0x68u /* the map right after the 104-byte TSS */

struct fake_tss {
    uint8_t bytes[TSS_BYTES];
    int reads;
    int fail_at; /* -1: never; else fail the read of this TSS offset */
};

static struct fake_tss ft;

static bool fake_read8(void *opaque, uint32_t linear, uint8_t *value)
{
    struct fake_tss *t = opaque;
    uint32_t off = linear - TSS_BASE;
    if (off >= TSS_BYTES || (t->fail_at >= 0 && off == (uint32_t)t->fail_at))
        return false;
    t->reads++;
    *value = t->bytes[off];
    return true;
}

static const struct ioperm_mem mem = { fake_read8, &ft };

/* A TSS with the map at MAP, every port denied, and the all-ones byte
 * after a full 8 KiB map. */
static void setup(void)
{
    memset(&ft, 0, sizeof ft);
    ft.fail_at = -1;
    ft.bytes[0x66] = MAP & 0xff;
    ft.bytes[0x67] = MAP >> 8;
    memset(ft.bytes + MAP, 0xff, 0x2001);
}

static void set_map_base(uint16_t base)
{
    ft.bytes[0x66] = (uint8_t)base;
    ft.bytes[0x67] = (uint8_t)(base >> 8);
}

static void allow_port(uint32_t port)
{
    ft.bytes[MAP + port / 8] &= (uint8_t)~(1u << (port % 8));
}

/* The limit of a TSS whose map covers every port and ends with 0xFF. */
#define FULL_LIMIT (MAP + 0x2000u)

static enum ioperm_verdict check(uint32_t limit, uint16_t port, int size,
                                 struct ioperm_result *r)
{
    ft.reads = 0;
    enum ioperm_verdict v = ioperm_check(&mem, TSS_BASE, limit, true, port, size, r);
    if (r)
        ck_assert_int_eq(r->verdict, v);
    return v;
}

START_TEST(test_uses_bitmap_by_iopl)
{
    for (uint32_t iopl = 0; iopl < 4; iopl++) {
        for (uint8_t cpl = 0; cpl < 4; cpl++) {
            uint32_t eflags = EFLAGS_FIXED1 | (iopl << EFLAGS_IOPL_SHIFT);
            ck_assert_int_eq(ioperm_uses_bitmap(cpl, eflags), cpl > iopl);
        }
    }
}
END_TEST

START_TEST(test_uses_bitmap_in_v86)
{
    /* Virtual-8086 mode consults the map whatever the IOPL. */
    ck_assert(ioperm_uses_bitmap(3, EFLAGS_VM | EFLAGS_IOPL));
    ck_assert(ioperm_uses_bitmap(3, EFLAGS_VM));
    ck_assert(ioperm_uses_bitmap(0, EFLAGS_VM | EFLAGS_IOPL));
    ck_assert(!ioperm_uses_bitmap(3, EFLAGS_IOPL));
}
END_TEST

START_TEST(test_allowed_and_denied_ports)
{
    for (uint32_t p = 0x3f8; p < 0x400; p++)
        allow_port(p);
    allow_port(0x60);
    struct ioperm_result r;
    ck_assert_int_eq(check(FULL_LIMIT, 0x3f8, 1, &r), IOPERM_ALLOW);
    ck_assert_str_eq(r.reason_code, "allowed");
    ck_assert_uint_eq(r.iomap_base, MAP);
    ck_assert_uint_eq(r.byte_offset, MAP + 0x7f);
    ck_assert_uint_eq(r.mask, 0x0001);
    ck_assert_uint_eq(r.bitmap_word, 0xff00);
    ck_assert_int_eq(ft.reads, 4); /* the base word, then two map bytes */
    ck_assert_int_eq(check(FULL_LIMIT, 0x3f8, 2, &r), IOPERM_ALLOW);
    ck_assert_int_eq(check(FULL_LIMIT, 0x3f8, 4, &r), IOPERM_ALLOW);
    ck_assert_int_eq(check(FULL_LIMIT, 0x3fc, 4, &r), IOPERM_ALLOW);
    ck_assert_uint_eq(r.mask, 0x00f0);
    ck_assert_int_eq(check(FULL_LIMIT, 0x60, 1, &r), IOPERM_ALLOW);
    /* 0x3fd..0x400: the last port is denied, so the access is. */
    ck_assert_int_eq(check(FULL_LIMIT, 0x3fd, 4, &r), IOPERM_DENY);
    ck_assert_str_eq(r.reason_code, "bit-set");
    ck_assert_uint_eq(r.mask, 0x01e0);
    ck_assert_int_eq(check(FULL_LIMIT, 0x61, 1, &r), IOPERM_DENY);
    ck_assert_int_eq(check(FULL_LIMIT, 0x5f, 2, &r), IOPERM_DENY); /* 0x5f denied */
    ck_assert_int_eq(check(FULL_LIMIT, 0x3f7, 1, NULL), IOPERM_DENY);
}
END_TEST

START_TEST(test_every_bit_of_the_range_counts)
{
    /* A dword access at port 0x100 needs all four bits clear: clear them
     * one by one and the access is allowed only after the last. */
    for (uint32_t p = 0x100; p < 0x104; p++) {
        ck_assert_int_eq(check(FULL_LIMIT, 0x100, 4, NULL), IOPERM_DENY);
        allow_port(p);
    }
    ck_assert_int_eq(check(FULL_LIMIT, 0x100, 4, NULL), IOPERM_ALLOW);
    ck_assert_int_eq(check(FULL_LIMIT, 0x101, 2, NULL), IOPERM_ALLOW);
    ck_assert_int_eq(check(FULL_LIMIT, 0x102, 4, NULL), IOPERM_DENY);
}
END_TEST

START_TEST(test_range_across_a_byte)
{
    /* Port 0x3ff word: bit 7 of map byte 0x7f and bit 0 of byte 0x80. */
    allow_port(0x3ff);
    struct ioperm_result r;
    ck_assert_int_eq(check(FULL_LIMIT, 0x3ff, 2, &r), IOPERM_DENY);
    ck_assert_uint_eq(r.mask, 0x0180);
    allow_port(0x400);
    ck_assert_int_eq(check(FULL_LIMIT, 0x3ff, 2, &r), IOPERM_ALLOW);
    /* A dword at 0x3fe spans 0x3fe..0x401. */
    allow_port(0x3fe);
    ck_assert_int_eq(check(FULL_LIMIT, 0x3fe, 4, &r), IOPERM_DENY);
    allow_port(0x401);
    ck_assert_int_eq(check(FULL_LIMIT, 0x3fe, 4, &r), IOPERM_ALLOW);
}
END_TEST

START_TEST(test_highest_port_needs_the_trailing_byte)
{
    allow_port(0xffff);
    struct ioperm_result r;
    /* The map's last byte holds ports 0xfff8..0xffff.  With the all-ones
     * byte after it inside the limit, port 0xffff is allowed ... */
    ck_assert_int_eq(check(FULL_LIMIT, 0xffff, 1, &r), IOPERM_ALLOW);
    ck_assert_uint_eq(r.byte_offset, MAP + 0x1fff);
    ck_assert_uint_eq(r.bitmap_word, 0xff7f);
    /* ... but when the limit ends on the map's last byte, the second byte
     * of the processor's two-byte read is past the limit: #GP, although
     * the port's own bit is 0. */
    ck_assert_int_eq(check(FULL_LIMIT - 1, 0xffff, 1, &r), IOPERM_DENY);
    ck_assert_str_eq(r.reason_code, "beyond-limit");
    ck_assert_int_eq(ft.reads, 2); /* the map was not read */
    /* The same for any port of that last byte. */
    allow_port(0xfff8);
    ck_assert_int_eq(check(FULL_LIMIT, 0xfff8, 1, NULL), IOPERM_ALLOW);
    ck_assert_int_eq(check(FULL_LIMIT - 1, 0xfff8, 1, NULL), IOPERM_DENY);
    /* One byte earlier is still fine with that limit. */
    allow_port(0xfff0);
    ck_assert_int_eq(check(FULL_LIMIT - 1, 0xfff0, 1, NULL), IOPERM_ALLOW);
}
END_TEST

START_TEST(test_short_map)
{
    /* SDM Vol. 1 19.5.2: a limit 10 bytes past the map base gives an
     * 11-byte map of which the first 80 ports are usable. */
    memset(ft.bytes + MAP, 0, 16);
    uint32_t limit = MAP + 10;
    ck_assert_int_eq(check(limit, 0, 1, NULL), IOPERM_ALLOW);
    ck_assert_int_eq(check(limit, 79, 1, NULL), IOPERM_ALLOW);
    ck_assert_int_eq(check(limit, 76, 4, NULL), IOPERM_ALLOW);
    ck_assert_int_eq(check(limit, 80, 1, NULL), IOPERM_DENY);
    ck_assert_int_eq(check(limit, 0x3f8, 1, NULL), IOPERM_DENY);
}
END_TEST

START_TEST(test_no_map)
{
    struct ioperm_result r;
    /* Map base at the limit or past it: no map, every port denied. */
    set_map_base(0x68);
    memset(ft.bytes + MAP, 0, 16);
    ck_assert_int_eq(check(0x67, 0, 1, &r), IOPERM_DENY);
    ck_assert_str_eq(r.reason_code, "beyond-limit");
    ck_assert_int_eq(check(0x68, 0, 1, &r), IOPERM_DENY); /* one byte is not two */
    ck_assert_int_eq(check(0x69, 0, 1, &r), IOPERM_ALLOW);
    set_map_base(0xffff);
    ck_assert_int_eq(check(FULL_LIMIT, 0, 1, &r), IOPERM_DENY);
    ck_assert_uint_eq(r.byte_offset, 0xffff);
    /* A 32-bit TSS too short to hold the map base field. */
    ck_assert_int_eq(check(0x66, 0, 1, &r), IOPERM_DENY);
    ck_assert_str_eq(r.reason_code, "tss-too-short");
    ck_assert_int_eq(ft.reads, 0);
}
END_TEST

START_TEST(test_16bit_tss_has_no_map)
{
    memset(ft.bytes + MAP, 0, 0x2000);
    struct ioperm_result r;
    ft.reads = 0;
    ck_assert_int_eq(ioperm_check(&mem, TSS_BASE, FULL_LIMIT, false, 0x60, 1, &r), IOPERM_DENY);
    ck_assert_str_eq(r.reason_code, "16-bit-tss");
    ck_assert_int_eq(ft.reads, 0);
}
END_TEST

START_TEST(test_read_errors_and_bad_size)
{
    allow_port(0x60);
    struct ioperm_result r;
    ft.fail_at = 0x67;
    ck_assert_int_eq(check(FULL_LIMIT, 0x60, 1, &r), IOPERM_READ_ERROR);
    ck_assert_str_eq(r.reason_code, "read-error");
    ft.fail_at = MAP + 0x60 / 8 + 1; /* the second map byte */
    ck_assert_int_eq(check(FULL_LIMIT, 0x60, 1, &r), IOPERM_READ_ERROR);
    ft.fail_at = -1;
    ck_assert_int_eq(check(FULL_LIMIT, 0x60, 1, &r), IOPERM_ALLOW);
    ck_assert_int_eq(check(FULL_LIMIT, 0x60, 3, &r), IOPERM_BAD_SIZE);
    ck_assert_int_eq(check(FULL_LIMIT, 0x60, 0, &r), IOPERM_BAD_SIZE);
    ck_assert_int_eq(check(FULL_LIMIT, 0x60, 8, &r), IOPERM_BAD_SIZE);
}
END_TEST

static const char *explain(const struct ioperm_result *r)
{
    static char buf[256];
    size_t len = ioperm_explain(r, buf, sizeof buf);
    ck_assert_uint_eq(len, strlen(buf));
    return buf;
}

START_TEST(test_explanations)
{
    struct ioperm_result r;
    allow_port(0x3f8);
    check(FULL_LIMIT, 0x3f8, 1, &r);
    ck_assert_str_eq(explain(&r), "port 0x03f8 (1 byte): allowed: bits clear in I/O map bytes at "
                                  "TSS offset 0x00e7");
    check(FULL_LIMIT, 0x3f8, 2, &r);
    ck_assert_str_eq(explain(&r), "port 0x03f8 (2 bytes): denied: the bit for port 0x03f9 is set "
                                  "(I/O map at TSS offset 0x00e7 reads 0xfffe, tested bits 0x0003)");
    check(FULL_LIMIT - 1, 0xffff, 1, &r);
    ck_assert_str_eq(explain(&r), "port 0xffff (1 byte): denied: I/O map base 0x0068 + 0x1fff puts "
                                  "the two map bytes at TSS offset 0x2067..0x2068, past the TSS "
                                  "limit 0x2067");
    ioperm_check(&mem, TSS_BASE, FULL_LIMIT, false, 0x60, 1, &r);
    ck_assert_str_eq(explain(&r),
                     "port 0x0060 (1 byte): denied: a 16-bit TSS has no I/O permission bit map");
    check(0x60, 0x60, 4, &r);
    ck_assert_str_eq(explain(&r), "port 0x0060 (4 bytes): denied: TSS limit 0x60 does not reach "
                                  "the I/O map base field at 0x66");
}
END_TEST

static Suite *ioperm_suite(void)
{
    Suite *s = suite_create("ioperm");
    TCase *tc = tcase_create("iopl");
    tcase_add_test(tc, test_uses_bitmap_by_iopl);
    tcase_add_test(tc, test_uses_bitmap_in_v86);
    suite_add_tcase(s, tc);

    tc = tcase_create("bitmap");
    tcase_add_checked_fixture(tc, setup, NULL);
    tcase_add_test(tc, test_allowed_and_denied_ports);
    tcase_add_test(tc, test_every_bit_of_the_range_counts);
    tcase_add_test(tc, test_range_across_a_byte);
    tcase_add_test(tc, test_highest_port_needs_the_trailing_byte);
    tcase_add_test(tc, test_short_map);
    tcase_add_test(tc, test_no_map);
    tcase_add_test(tc, test_16bit_tss_has_no_map);
    tcase_add_test(tc, test_read_errors_and_bad_size);
    tcase_add_test(tc, test_explanations);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(ioperm_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
