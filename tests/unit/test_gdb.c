/* Check suite for the gdb stub's pure parts: the remote protocol's framing
 * (checksums, escapes, the interrupt byte, acks) and the registers as the
 * g and p packets carry them, with the target description they follow. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gdb/packet.h"
#include "gdb/regs.h"

static enum gdb_in feed(struct gdb_reader *r, const char *bytes)
{
    enum gdb_in last = GDB_IN_MORE;
    for (const char *p = bytes; *p; p++) {
        last = gdb_read_byte(r, (uint8_t)*p);
        if (last != GDB_IN_MORE && p[1])
            ck_abort_msg("'%s': complete before its end", bytes);
    }
    return last;
}

START_TEST(test_packets_and_checksums)
{
    struct gdb_reader r;
    gdb_reader_init(&r);
    ck_assert_int_eq(feed(&r, "$g#67"), GDB_IN_PACKET);
    ck_assert_str_eq(r.data, "g");
    ck_assert_int_eq(feed(&r, "$m100,4#5e"), GDB_IN_PACKET);
    ck_assert_str_eq(r.data, "m100,4");
    ck_assert_int_eq(feed(&r, "$g#68"), GDB_IN_BAD_CHECKSUM);
    ck_assert_int_eq(feed(&r, "$g#6x"), GDB_IN_BAD_CHECKSUM);
    ck_assert_int_eq(feed(&r, "+"), GDB_IN_ACK);
    ck_assert_int_eq(feed(&r, "-"), GDB_IN_NAK);
    ck_assert_int_eq(feed(&r, "\x03"), GDB_IN_INTERRUPT);
    ck_assert_int_eq(feed(&r, "x"), GDB_IN_JUNK);
    /* A packet cut short by the next one: the next one counts. */
    ck_assert_int_eq(feed(&r, "$m10$g#67"), GDB_IN_PACKET);
    ck_assert_str_eq(r.data, "g");
}
END_TEST

START_TEST(test_binary_data_and_escapes)
{
    /* X packet data with '}' escapes: the checksum is over the bytes sent. */
    static const char data[] = {'X', '0', ',', '2', ':', '}', 0x03, '}', 0x5d, 0};
    char framed[64];
    size_t n = gdb_frame(data, strlen(data), framed, sizeof framed);
    ck_assert_uint_gt(n, 0);
    struct gdb_reader r;
    gdb_reader_init(&r);
    enum gdb_in last = GDB_IN_MORE;
    for (size_t i = 0; i < n; i++)
        last = gdb_read_byte(&r, (uint8_t)framed[i]);
    ck_assert_int_eq(last, GDB_IN_PACKET);
    /* gdb_frame escaped each '}' again; unescaping twice gives the raw bytes. */
    size_t len = gdb_unescape(r.data, r.len);
    len = gdb_unescape(r.data + 5, len - 5) + 5;
    ck_assert_uint_eq(len, 7);
    ck_assert_int_eq(r.data[5], '#');
    ck_assert_int_eq(r.data[6], '}');
    /* '$', '#', '}' and '*' never leave unescaped. */
    n = gdb_frame("a$b#c}d*e", 9, framed, sizeof framed);
    ck_assert_uint_eq(n, 1 + 9 + 4 + 3);
    ck_assert_ptr_null(memchr(framed + 1, '$', n - 4));
    ck_assert_ptr_null(memchr(framed + 1, '*', n - 4));
    ck_assert_uint_eq(gdb_frame("abc", 3, framed, 5), 0); /* no room */
}
END_TEST

START_TEST(test_hex)
{
    char hex[9];
    uint8_t bytes[4] = {0xde, 0xad, 0x00, 0x7f}, back[4];
    gdb_hex_encode(bytes, 4, hex);
    ck_assert_str_eq(hex, "dead007f");
    ck_assert(gdb_hex_decode("DEAD007f", 4, back));
    ck_assert_mem_eq(back, bytes, 4);
    ck_assert(!gdb_hex_decode("de xx", 2, back));
    uint64_t v;
    const char *end;
    ck_assert(gdb_parse_hex("c0100000,4", ',', &v, &end));
    ck_assert_uint_eq(v, 0xc0100000u);
    ck_assert_int_eq(*end, ',');
    ck_assert(!gdb_parse_hex(",4", ',', &v, &end));
    ck_assert(!gdb_parse_hex("12g4", '\0', &v, &end));
}
END_TEST

static void sample(struct cpu_state *st, struct fpu_state *f)
{
    memset(st, 0, sizeof *st);
    memset(f, 0, sizeof *f);
    for (int i = 0; i < 8; i++)
        st->gpr[i] = 0x11111111u * (uint32_t)(i + 1);
    st->eip = 0x080480fb;
    st->eflags = 0x246;
    st->seg[SEG_CS].selector = 0x1b;
    st->seg[SEG_SS].selector = 0x23;
    st->seg[SEG_FS].base = 0x1000;
    st->cr0 = 0x80010011u;
    st->cr3 = 0x07fca000u;
    st->gdtr = (struct table_reg){0xc0108000u, 0x2f};
    st->tr.selector = 0x28;
    st->cpl = 3;
    f->fctrl = 0x37f;
    f->st[0][9] = 0x3f;
}

START_TEST(test_registers_in_description_order)
{
    struct cpu_state st;
    struct fpu_state f;
    sample(&st, &f);
    char hex[GDB_NREGS * 20 + 1];
    size_t n = gdb_regs_hex(&st, &f, hex, sizeof hex);
    ck_assert_uint_eq(n, 2 * (GDB_NREGS * 4 + 8 * 6)); /* st0..st7 are 10 bytes */
    ck_assert(strncmp(hex, "11111111" "22222222", 16) == 0);
    ck_assert(strncmp(hex + 8 * 8, "fb800408" "46020000" "1b000000" "23000000", 32) == 0);
    uint8_t v[10];
    ck_assert(gdb_reg_get(GDB_CPL, &st, &f, v));
    ck_assert_uint_eq(v[0], 3);
    ck_assert(gdb_reg_get(GDB_CR3, &st, &f, v));
    ck_assert_uint_eq(v[1] | v[2] << 8 | (uint32_t)v[3] << 16, 0x07fca0u);
    ck_assert(gdb_reg_get(GDB_FS_BASE, &st, &f, v));
    ck_assert_uint_eq(v[1], 0x10);
    ck_assert(gdb_reg_get(GDB_ST0, &st, &f, v));
    ck_assert_uint_eq(v[9], 0x3f);
    ck_assert_uint_eq(gdb_reg_size(GDB_ST0 + 7), 10);
    ck_assert_uint_eq(gdb_reg_size(GDB_NREGS), 0);
    /* Every register gdb is told of is in the description, in this order. */
    const char *xml = gdb_target_xml(), *at = xml;
    static const char *const order[] = {"eax", "gs", "st0", "fop", "fs_base", "cr0", "cr4",
                                        "gdtr_base", "idtr_limit", "tr", "cpl"};
    for (size_t i = 0; i < sizeof order / sizeof order[0]; i++) {
        char want[32];
        snprintf(want, sizeof want, "name=\"%s\"", order[i]);
        const char *p = strstr(at, want);
        ck_assert_msg(p != NULL, "%s missing or out of order", order[i]);
        at = p;
    }
    ck_assert_ptr_nonnull(strstr(xml, "org.gnu.gdb.i386.core"));
}
END_TEST

START_TEST(test_only_some_registers_are_set)
{
    struct cpu_state st;
    struct fpu_state f;
    sample(&st, &f);
    uint8_t v[10] = {0x78, 0x56, 0x34, 0x12};
    ck_assert(gdb_reg_set(GDB_EDI, &st, &f, v));
    ck_assert_uint_eq(st.gpr[GPR_EDI], 0x12345678u);
    ck_assert(gdb_reg_set(GDB_EIP, &st, &f, v));
    ck_assert_uint_eq(st.eip, 0x12345678u);
    /* CR3 only to the value it has. */
    ck_assert(!gdb_reg_set(GDB_CR3, &st, &f, v));
    ck_assert(gdb_reg_get(GDB_CR3, &st, &f, v));
    ck_assert(gdb_reg_set(GDB_CR3, &st, &f, v));
    ck_assert_uint_eq(st.cr3, 0x07fca000u);
}
END_TEST

static Suite *gdb_suite(void)
{
    Suite *s = suite_create("gdb");
    TCase *tc = tcase_create("protocol");
    tcase_add_test(tc, test_packets_and_checksums);
    tcase_add_test(tc, test_binary_data_and_escapes);
    tcase_add_test(tc, test_hex);
    tcase_add_test(tc, test_registers_in_description_order);
    tcase_add_test(tc, test_only_some_registers_are_set);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(gdb_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
