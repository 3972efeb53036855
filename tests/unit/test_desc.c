/* Check suite for cpu/desc: descriptor, gate, TSS and selector decoding
 * and their descriptions, against values worked out by hand from the SDM
 * figures (Vol. 3A 3-8, 5-8, 6-2, 6-7, 7-2, 7-11). */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "cpu/desc.h"

static void put16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
}

static void put32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

/* ---- segment descriptors ---------------------------------------------- */

START_TEST(test_flat_code)
{
    struct descriptor d;
    desc_decode(0x0000ffff, 0x00cf9a00, &d);
    ck_assert_uint_eq(d.lo, 0x0000ffff);
    ck_assert_uint_eq(d.hi, 0x00cf9a00);
    ck_assert_uint_eq(d.base, 0);
    ck_assert_uint_eq(d.limit, 0xffffffff);
    ck_assert_uint_eq(d.type, 0xa);
    ck_assert(d.s);
    ck_assert(d.present);
    ck_assert(d.db);
    ck_assert(d.g);
    ck_assert(!d.l);
    ck_assert(!d.avl);
    ck_assert_uint_eq(d.dpl, 0);
    ck_assert(desc_is_code(&d));
    ck_assert(!desc_is_data(&d));
    ck_assert(!desc_is_system(&d));
    ck_assert(desc_is_readable(&d));
    ck_assert(!desc_is_writable(&d));
    ck_assert(!desc_is_conforming(&d));
    ck_assert(!desc_is_expand_down(&d));
}
END_TEST

START_TEST(test_scattered_base_and_byte_limit)
{
    /* base 0x12345678: 15:0 in lo 31:16, 23:16 in hi 7:0, 31:24 in hi
     * 31:24; limit 0xabcde: 15:0 in lo 15:0, 19:16 in hi 19:16; G = 0. */
    struct descriptor d;
    desc_decode(0x5678bcde, 0x124a9234, &d);
    ck_assert_uint_eq(d.base, 0x12345678);
    ck_assert_uint_eq(d.limit, 0xabcde);
    ck_assert(!d.g);
    ck_assert(d.db);
    ck_assert_uint_eq(d.type, 0x2);
    ck_assert(desc_is_data(&d));
    ck_assert(desc_is_writable(&d));
    ck_assert(desc_is_readable(&d));
}
END_TEST

START_TEST(test_granularity_scales_limit)
{
    struct descriptor d;
    desc_decode(0x00000001, 0x00809200, &d); /* limit field 1, G = 1 */
    ck_assert_uint_eq(d.limit, 0x1fff);
    desc_decode(0x00000000, 0x00809200, &d); /* limit field 0, G = 1 */
    ck_assert_uint_eq(d.limit, 0xfff);
    desc_decode(0x00000001, 0x00009200, &d); /* G = 0: bytes */
    ck_assert_uint_eq(d.limit, 0x1);
}
END_TEST

START_TEST(test_flag_bits)
{
    struct descriptor d;
    desc_decode(0, DESC_AVL | DESC_S | (0xau << DESC_TYPE_SHIFT), &d);
    ck_assert(d.avl && !d.l && !d.db && !d.g && !d.present);
    desc_decode(0, DESC_L | DESC_S, &d);
    ck_assert(d.l && !d.avl);
    desc_decode(0, (2u << DESC_DPL_SHIFT) | DESC_P | DESC_S, &d);
    ck_assert_uint_eq(d.dpl, 2);
    ck_assert(d.present);
    desc_decode(0, DESC_DPL_MASK, &d);
    ck_assert_uint_eq(d.dpl, 3);
    ck_assert(!d.s);
}
END_TEST

/* Table 3-1, every code and data type. */
START_TEST(test_code_data_predicates)
{
    int t = _i;
    struct descriptor d;
    desc_decode(0, DESC_S | DESC_P | ((uint32_t)t << DESC_TYPE_SHIFT), &d);
    bool code = (t & 8) != 0;
    ck_assert_int_eq(desc_is_code(&d), code);
    ck_assert_int_eq(desc_is_data(&d), !code);
    ck_assert(!desc_is_system(&d));
    ck_assert(!desc_is_tss(&d));
    ck_assert(!desc_is_gate(&d));
    ck_assert_int_eq(desc_is_conforming(&d), code && (t & 4));
    ck_assert_int_eq(desc_is_expand_down(&d), !code && (t & 4));
    ck_assert_int_eq(desc_is_writable(&d), !code && (t & 2));
    ck_assert_int_eq(desc_is_readable(&d), !code || (t & 2));
}
END_TEST

/* Table 3-2, every system type: none is code, data, readable or writable. */
START_TEST(test_system_predicates)
{
    int t = _i;
    struct descriptor d;
    desc_decode(0, DESC_P | ((uint32_t)t << DESC_TYPE_SHIFT), &d);
    ck_assert(desc_is_system(&d));
    ck_assert(!desc_is_code(&d));
    ck_assert(!desc_is_data(&d));
    ck_assert(!desc_is_readable(&d));
    ck_assert(!desc_is_writable(&d));
    ck_assert(!desc_is_conforming(&d));
    ck_assert(!desc_is_expand_down(&d));
    bool tss = t == 1 || t == 3 || t == 9 || t == 11;
    bool gate = t == 4 || t == 5 || t == 6 || t == 7 || t == 12 || t == 14 || t == 15;
    ck_assert_int_eq(desc_is_tss(&d), tss);
    ck_assert_int_eq(desc_is_tss_busy(&d), t == 3 || t == 11);
    ck_assert_int_eq(desc_is_gate(&d), gate);
}
END_TEST

START_TEST(test_cache_flags_keep_high_dword)
{
    struct descriptor d;
    desc_decode(0x5678bcde, 0x12cf9b34, &d);
    /* QEMU's SegmentCache.flags: the whole high dword, base bits included. */
    ck_assert_uint_eq(desc_cache_flags(&d), 0x12cf9b34);
    struct seg_cache c = desc_to_cache(0x0008, &d);
    ck_assert_uint_eq(c.selector, 0x0008);
    ck_assert_uint_eq(c.base, 0x12345678);
    ck_assert_uint_eq(c.limit, 0xfbcdefff);
    ck_assert_uint_eq(c.flags, 0x12cf9b34);
    ck_assert_uint_eq((c.flags & DESC_DPL_MASK) >> DESC_DPL_SHIFT, 0);
    ck_assert(c.flags & DESC_B);
    ck_assert(c.flags & DESC_P);
}
END_TEST

START_TEST(test_set_accessed)
{
    struct descriptor d;
    desc_decode(0x0000ffff, 0x00cf9a00, &d);
    ck_assert(desc_set_accessed(&d));
    ck_assert_uint_eq(d.type, 0xb);
    ck_assert_uint_eq(d.hi, 0x00cf9b00);
    ck_assert_uint_eq(desc_cache_flags(&d), 0x00cf9b00);
    ck_assert(!desc_set_accessed(&d)); /* already set: no write needed */
    ck_assert_uint_eq(d.hi, 0x00cf9b00);
    desc_decode(0x60000067, 0x00008910, &d); /* a TSS has no Accessed bit */
    ck_assert(!desc_set_accessed(&d));
    ck_assert_uint_eq(d.hi, 0x00008910);
}
END_TEST

START_TEST(test_type_names)
{
    ck_assert_str_eq(desc_type_name(0x9, false), "32-bit TSS (available)");
    ck_assert_str_eq(desc_type_name(0xb, false), "32-bit TSS (busy)");
    ck_assert_str_eq(desc_type_name(0x1, false), "16-bit TSS (available)");
    ck_assert_str_eq(desc_type_name(0x3, false), "16-bit TSS (busy)");
    ck_assert_str_eq(desc_type_name(0x2, false), "LDT");
    ck_assert_str_eq(desc_type_name(0x4, false), "16-bit call gate");
    ck_assert_str_eq(desc_type_name(0xc, false), "32-bit call gate");
    ck_assert_str_eq(desc_type_name(0x5, false), "task gate");
    ck_assert_str_eq(desc_type_name(0x6, false), "16-bit interrupt gate");
    ck_assert_str_eq(desc_type_name(0xe, false), "32-bit interrupt gate");
    ck_assert_str_eq(desc_type_name(0x7, false), "16-bit trap gate");
    ck_assert_str_eq(desc_type_name(0xf, false), "32-bit trap gate");
    ck_assert_str_eq(desc_type_name(0x0, false), "reserved system type");
    ck_assert_str_eq(desc_type_name(0x8, false), "reserved system type");
    ck_assert_str_eq(desc_type_name(0xa, false), "reserved system type");
    ck_assert_str_eq(desc_type_name(0xd, false), "reserved system type");
    ck_assert_str_eq(desc_type_name(0xa, true), "code execute/read");
    ck_assert_str_eq(desc_type_name(0xb, true), "code execute/read");
    ck_assert_str_eq(desc_type_name(0x8, true), "code execute-only");
    ck_assert_str_eq(desc_type_name(0xe, true), "code execute/read conforming");
    ck_assert_str_eq(desc_type_name(0xc, true), "code execute-only conforming");
    ck_assert_str_eq(desc_type_name(0x0, true), "data read-only");
    ck_assert_str_eq(desc_type_name(0x3, true), "data read/write");
    ck_assert_str_eq(desc_type_name(0x6, true), "data read/write expand-down");
    ck_assert_str_eq(desc_type_name(0x4, true), "data read-only expand-down");
}
END_TEST

static const char *describe(uint32_t lo, uint32_t hi)
{
    static char buf[160];
    struct descriptor d;
    desc_decode(lo, hi, &d);
    size_t len = desc_describe(&d, buf, sizeof buf);
    ck_assert_uint_eq(len, strlen(buf));
    return buf;
}

START_TEST(test_describe_segments)
{
    ck_assert_str_eq(describe(0x0000ffff, 0x00cf9a00),
                     "code, ring 0, execute/read, 32-bit, base 0x00000000, limit 0xffffffff");
    ck_assert_str_eq(describe(0x0000ffff, 0x00cff300),
                     "data, ring 3, read/write, 32-bit, base 0x00000000, limit 0xffffffff, accessed");
    ck_assert_str_eq(describe(0x0000ffff, 0x00009e00),
                     "code, ring 0, execute/read, conforming, 16-bit, base 0x00000000, limit 0x0000ffff");
    ck_assert_str_eq(describe(0x00000fff, 0x0000f800),
                     "code, ring 3, execute-only, 16-bit, base 0x00000000, limit 0x00000fff");
    ck_assert_str_eq(describe(0x0000ffff, 0x00cf1600),
                     "data, ring 0, read/write, expand-down, 32-bit, base 0x00000000, limit 0xffffffff, not present");
    ck_assert_str_eq(describe(0x5678bcde, 0x124a9034),
                     "data, ring 0, read-only, 32-bit, base 0x12345678, limit 0x000abcde");
}
END_TEST

START_TEST(test_describe_system)
{
    ck_assert_str_eq(describe(0x60000067, 0x00008b10),
                     "TSS (32-bit, busy), base 0x00106000, limit 0x00000067");
    ck_assert_str_eq(describe(0x6000002b, 0x00008110),
                     "TSS (16-bit, available), base 0x00106000, limit 0x0000002b");
    ck_assert_str_eq(describe(0x7000001f, 0x00000210),
                     "LDT, base 0x00107000, limit 0x0000001f, not present");
    ck_assert_str_eq(describe(0, 0), "null descriptor");
    ck_assert_str_eq(describe(0x12345678, 0x00008800), "reserved system type 0x8");
    /* A call gate in the GDT is described as a gate. */
    ck_assert_str_eq(describe(0x00081234, 0xc010ec02),
                     "call gate (32-bit), DPL 3, 0008:c0101234, 2 dwords");
}
END_TEST

START_TEST(test_describe_truncates_and_counts)
{
    char buf[10];
    struct descriptor d;
    desc_decode(0x0000ffff, 0x00cf9a00, &d);
    size_t len = desc_describe(&d, buf, sizeof buf);
    ck_assert_uint_eq(len, strlen("code, ring 0, execute/read, 32-bit, base 0x00000000, limit 0xffffffff"));
    ck_assert_str_eq(buf, "code, rin");
    ck_assert_uint_eq(desc_describe(&d, NULL, 0), len);
}
END_TEST

/* ---- gates ------------------------------------------------------------- */

START_TEST(test_interrupt_gate32)
{
    struct gate g;
    ck_assert(gate_decode(0x00081234, 0xc010ee00, &g));
    ck_assert_int_eq(g.kind, GATE_KIND_INTERRUPT);
    ck_assert(g.is32);
    ck_assert(g.present);
    ck_assert_uint_eq(g.dpl, 3);
    ck_assert_uint_eq(g.selector, 0x0008);
    ck_assert_uint_eq(g.offset, 0xc0101234);
    ck_assert_uint_eq(g.type, DESC_SYS_INTR_GATE32);
    ck_assert_uint_eq(g.param_count, 0);
    char buf[80];
    gate_describe(&g, buf, sizeof buf);
    ck_assert_str_eq(buf, "interrupt gate (32-bit), DPL 3, 0008:c0101234");
}
END_TEST

START_TEST(test_trap_gate32_not_present)
{
    struct gate g;
    ck_assert(gate_decode(0x00100010, 0x00200f00, &g));
    ck_assert_int_eq(g.kind, GATE_KIND_TRAP);
    ck_assert(g.is32);
    ck_assert(!g.present);
    ck_assert_uint_eq(g.dpl, 0);
    ck_assert_uint_eq(g.selector, 0x0010);
    ck_assert_uint_eq(g.offset, 0x00200010);
    char buf[80];
    gate_describe(&g, buf, sizeof buf);
    ck_assert_str_eq(buf, "trap gate (32-bit), DPL 0, 0010:00200010, not present");
}
END_TEST

START_TEST(test_gate16_offset_is_low_word)
{
    /* A 286 interrupt gate with junk in the high word: the SDM gives a
     * 16-bit gate no upper offset (QEMU 7.2 would use 0xdead). */
    struct gate g;
    ck_assert(gate_decode(0x00201234, 0xdead8600, &g));
    ck_assert_int_eq(g.kind, GATE_KIND_INTERRUPT);
    ck_assert(!g.is32);
    ck_assert_uint_eq(g.offset, 0x1234);
    ck_assert_uint_eq(g.selector, 0x0020);
    char buf[80];
    gate_describe(&g, buf, sizeof buf);
    ck_assert_str_eq(buf, "interrupt gate (16-bit), DPL 0, 0020:1234");
    ck_assert(gate_decode(0x00201234, 0x0000e700, &g));
    ck_assert_int_eq(g.kind, GATE_KIND_TRAP);
    ck_assert(!g.is32);
}
END_TEST

START_TEST(test_call_gates)
{
    struct gate g;
    ck_assert(gate_decode(0x00085678, 0x1234ec05, &g)); /* 32-bit, DPL 3, 5 params */
    ck_assert_int_eq(g.kind, GATE_KIND_CALL);
    ck_assert(g.is32);
    ck_assert_uint_eq(g.param_count, 5);
    ck_assert_uint_eq(g.offset, 0x12345678);
    ck_assert(gate_decode(0x00085678, 0x0000e41f, &g)); /* 16-bit, 31 params */
    ck_assert_int_eq(g.kind, GATE_KIND_CALL);
    ck_assert(!g.is32);
    ck_assert_uint_eq(g.param_count, 31);
    ck_assert_uint_eq(g.offset, 0x5678);
    char buf[80];
    gate_describe(&g, buf, sizeof buf);
    ck_assert_str_eq(buf, "call gate (16-bit), DPL 3, 0008:5678, 31 words");
    /* Bits 7:5 are not part of the count. */
    ck_assert(gate_decode(0x00085678, 0x0000ece1, &g));
    ck_assert_uint_eq(g.param_count, 1);
    gate_describe(&g, buf, sizeof buf);
    ck_assert_str_eq(buf, "call gate (32-bit), DPL 3, 0008:00005678, 1 dword");
}
END_TEST

START_TEST(test_task_gate_has_no_offset)
{
    struct gate g;
    ck_assert(gate_decode(0x0028ffff, 0xffffe51f, &g));
    ck_assert_int_eq(g.kind, GATE_KIND_TASK);
    ck_assert_uint_eq(g.selector, 0x0028);
    ck_assert_uint_eq(g.offset, 0);
    ck_assert_uint_eq(g.param_count, 0);
    ck_assert(!g.is32);
    ck_assert_uint_eq(g.dpl, 3);
    char buf[80];
    gate_describe(&g, buf, sizeof buf);
    ck_assert_str_eq(buf, "task gate, DPL 3, TSS 0028");
}
END_TEST

START_TEST(test_not_gates)
{
    struct gate g;
    ck_assert(!gate_decode(0x0000ffff, 0x00cf9a00, &g)); /* code segment */
    ck_assert_int_eq(g.kind, GATE_KIND_NONE);
    ck_assert(!gate_decode(0x60000067, 0x00008910, &g)); /* TSS */
    ck_assert_int_eq(g.kind, GATE_KIND_NONE);
    ck_assert(!gate_decode(0, 0x00008d00, &g)); /* reserved type D */
    ck_assert(!gate_decode(0, 0x00008200, &g)); /* LDT */
    /* Type E with S = 1 is a code segment, not an interrupt gate. */
    ck_assert(!gate_decode(0x00081234, 0xc010fe00, &g));
    char buf[80];
    gate_describe(&g, buf, sizeof buf);
    ck_assert_str_eq(buf, "not a gate (type 0xe)");
}
END_TEST

/* ---- TSS ----------------------------------------------------------------- */

static void fill_tss32(uint8_t raw[TSS32_SIZE])
{
    memset(raw, 0xa5, TSS32_SIZE); /* reserved halves hold junk */
    put16(raw + 0x00, 0x0030);
    put32(raw + 0x04, 0x00090000);
    put16(raw + 0x08, 0x0010);
    put32(raw + 0x0c, 0x00091000);
    put16(raw + 0x10, 0x0019);
    put32(raw + 0x14, 0x00092000);
    put16(raw + 0x18, 0x0022);
    put32(raw + 0x1c, 0x00104000);
    put32(raw + 0x20, 0x00401000);
    put32(raw + 0x24, 0x00000202);
    for (int i = 0; i < 8; i++)
        put32(raw + 0x28 + 4 * i, 0x11111111u * (uint32_t)(i + 1));
    for (int i = 0; i < 6; i++)
        put16(raw + 0x48 + 4 * i, (uint16_t)(0x18 + 8 * i + 3));
    put16(raw + 0x60, 0x0048);
    raw[0x64] = 0xa5 | 1; /* T = 1, junk above it */
    put16(raw + 0x66, 0x0068);
}

START_TEST(test_tss32_decode_every_field)
{
    uint8_t raw[TSS32_SIZE];
    fill_tss32(raw);
    struct tss32 t;
    tss32_decode(raw, &t);
    ck_assert_uint_eq(t.link, 0x0030);
    ck_assert_uint_eq(t.esp0, 0x00090000);
    ck_assert_uint_eq(t.ss0, 0x0010);
    ck_assert_uint_eq(t.esp1, 0x00091000);
    ck_assert_uint_eq(t.ss1, 0x0019);
    ck_assert_uint_eq(t.esp2, 0x00092000);
    ck_assert_uint_eq(t.ss2, 0x0022);
    ck_assert_uint_eq(t.cr3, 0x00104000);
    ck_assert_uint_eq(t.eip, 0x00401000);
    ck_assert_uint_eq(t.eflags, 0x00000202);
    ck_assert_uint_eq(t.gpr[GPR_EAX], 0x11111111);
    ck_assert_uint_eq(t.gpr[GPR_ECX], 0x22222222);
    ck_assert_uint_eq(t.gpr[GPR_ESP], 0x55555555);
    ck_assert_uint_eq(t.gpr[GPR_EDI], 0x88888888);
    ck_assert_uint_eq(t.seg[SEG_ES], 0x001b);
    ck_assert_uint_eq(t.seg[SEG_CS], 0x0023);
    ck_assert_uint_eq(t.seg[SEG_SS], 0x002b);
    ck_assert_uint_eq(t.seg[SEG_DS], 0x0033);
    ck_assert_uint_eq(t.seg[SEG_FS], 0x003b);
    ck_assert_uint_eq(t.seg[SEG_GS], 0x0043);
    ck_assert_uint_eq(t.ldt, 0x0048);
    ck_assert(t.trap);
    ck_assert_uint_eq(t.iomap_base, 0x0068);
    raw[0x64] = 0xfe;
    tss32_decode(raw, &t);
    ck_assert(!t.trap);
}
END_TEST

START_TEST(test_tss32_encode_keeps_reserved_bits)
{
    uint8_t raw[TSS32_SIZE], copy[TSS32_SIZE];
    fill_tss32(raw);
    memcpy(copy, raw, sizeof raw);
    struct tss32 t;
    tss32_decode(raw, &t);
    tss32_encode(&t, raw);
    ck_assert_mem_eq(raw, copy, TSS32_SIZE);

    /* A task switch saves the dynamic fields: change them, encode, and
     * nothing else moves. */
    t.eip = 0xdeadbeef;
    t.gpr[GPR_EBX] = 0x01020304;
    t.seg[SEG_GS] = 0x0063;
    t.trap = false;
    tss32_encode(&t, raw);
    ck_assert_uint_eq(raw[0x20], 0xef);
    ck_assert_uint_eq(raw[0x23], 0xde);
    ck_assert_uint_eq(raw[0x34], 0x04);
    ck_assert_uint_eq(raw[0x5c], 0x63);
    ck_assert_uint_eq(raw[0x5e], 0xa5); /* the reserved word after GS */
    ck_assert_uint_eq(raw[0x64], 0xa4); /* T cleared, the rest untouched */
    struct tss32 back;
    tss32_decode(raw, &back);
    ck_assert_uint_eq(back.eip, 0xdeadbeef);
    ck_assert_uint_eq(back.gpr[GPR_EBX], 0x01020304);
    ck_assert(!back.trap);

    /* From scratch into a zeroed buffer. */
    memset(raw, 0, sizeof raw);
    tss32_encode(&t, raw);
    ck_assert_uint_eq(raw[0x66], 0x68);
    ck_assert_uint_eq(raw[0x0a], 0); /* reserved upper half of SS0 stays 0 */
    tss32_decode(raw, &back);
    ck_assert_uint_eq(back.esp1, t.esp1);
    ck_assert_uint_eq(back.ss2, t.ss2);
    ck_assert_uint_eq(back.cr3, t.cr3);
}
END_TEST

START_TEST(test_tss16_roundtrip)
{
    uint8_t raw[TSS16_SIZE];
    for (int i = 0; i < (int)TSS16_SIZE; i += 2)
        put16(raw + i, (uint16_t)(0x1000 + i));
    struct tss16 t;
    tss16_decode(raw, &t);
    ck_assert_uint_eq(t.link, 0x1000);
    ck_assert_uint_eq(t.sp0, 0x1002);
    ck_assert_uint_eq(t.ss0, 0x1004);
    ck_assert_uint_eq(t.sp1, 0x1006);
    ck_assert_uint_eq(t.ss1, 0x1008);
    ck_assert_uint_eq(t.sp2, 0x100a);
    ck_assert_uint_eq(t.ss2, 0x100c);
    ck_assert_uint_eq(t.ip, 0x100e);
    ck_assert_uint_eq(t.flags, 0x1010);
    ck_assert_uint_eq(t.gpr[0], 0x1012); /* AX */
    ck_assert_uint_eq(t.gpr[7], 0x1020); /* DI */
    ck_assert_uint_eq(t.seg[0], 0x1022); /* ES */
    ck_assert_uint_eq(t.seg[1], 0x1024); /* CS */
    ck_assert_uint_eq(t.seg[2], 0x1026); /* SS */
    ck_assert_uint_eq(t.seg[3], 0x1028); /* DS */
    ck_assert_uint_eq(t.ldt, 0x102a);
    uint8_t out[TSS16_SIZE];
    memset(out, 0, sizeof out);
    tss16_encode(&t, out);
    ck_assert_mem_eq(out, raw, TSS16_SIZE);
}
END_TEST

START_TEST(test_tss_stack_slots)
{
    uint32_t off, size;
    ck_assert(tss_stack_slot(true, 0, &off, &size));
    ck_assert_uint_eq(off, 4);
    ck_assert_uint_eq(size, 8);
    ck_assert(tss_stack_slot(true, 2, &off, &size));
    ck_assert_uint_eq(off, 0x14);
    ck_assert(tss_stack_slot(false, 1, &off, &size));
    ck_assert_uint_eq(off, 6);
    ck_assert_uint_eq(size, 5);
    ck_assert(!tss_stack_slot(true, 3, &off, &size));
    ck_assert(!tss_stack_slot(false, 3, &off, &size));
}
END_TEST

START_TEST(test_tss_stack_for_cpl32)
{
    uint8_t raw[TSS32_SIZE];
    fill_tss32(raw);
    uint16_t ss = 0;
    uint32_t esp = 0;
    ck_assert(tss_stack_for_cpl(raw, 0x67, true, 0, &ss, &esp));
    ck_assert_uint_eq(ss, 0x0010);
    ck_assert_uint_eq(esp, 0x00090000);
    ck_assert(tss_stack_for_cpl(raw, 0x67, true, 1, &ss, &esp));
    ck_assert_uint_eq(ss, 0x0019);
    ck_assert_uint_eq(esp, 0x00091000);
    ck_assert(tss_stack_for_cpl(raw, 0x67, true, 2, &ss, &esp));
    ck_assert_uint_eq(ss, 0x0022);
    ck_assert_uint_eq(esp, 0x00092000);
    ck_assert(!tss_stack_for_cpl(raw, 0x67, true, 3, &ss, &esp));
    /* Ring 0's slot is bytes 4..11: limit 11 is enough, 10 is not (#TS). */
    ck_assert(tss_stack_for_cpl(raw, 11, true, 0, &ss, &esp));
    ck_assert(!tss_stack_for_cpl(raw, 10, true, 0, &ss, &esp));
    ck_assert(tss_stack_for_cpl(raw, 0x1b, true, 2, &ss, &esp));
    ck_assert(!tss_stack_for_cpl(raw, 0x1a, true, 2, &ss, &esp));
}
END_TEST

START_TEST(test_tss_stack_for_cpl16)
{
    uint8_t raw[TSS16_SIZE];
    memset(raw, 0, sizeof raw);
    put16(raw + 2, 0x7000);  /* SP0 */
    put16(raw + 4, 0x0010);  /* SS0 */
    put16(raw + 10, 0xfffe); /* SP2 */
    put16(raw + 12, 0x0022); /* SS2 */
    uint16_t ss = 0;
    uint32_t esp = 0xffffffff;
    ck_assert(tss_stack_for_cpl(raw, 0x2b, false, 0, &ss, &esp));
    ck_assert_uint_eq(ss, 0x0010);
    ck_assert_uint_eq(esp, 0x7000);
    ck_assert(tss_stack_for_cpl(raw, 0x2b, false, 2, &ss, &esp));
    ck_assert_uint_eq(ss, 0x0022);
    ck_assert_uint_eq(esp, 0xfffe); /* zero-extended */
    /* The SDM checks TSSstackAddress + 4 for a 16-bit TSS. */
    ck_assert(tss_stack_for_cpl(raw, 6, false, 0, &ss, &esp));
    ck_assert(!tss_stack_for_cpl(raw, 5, false, 0, &ss, &esp));
}
END_TEST

/* ---- selectors and error codes ---------------------------------------- */

START_TEST(test_selector_fields)
{
    ck_assert_uint_eq(selector_index(0x001b), 3);
    ck_assert(!selector_ti(0x001b));
    ck_assert_uint_eq(selector_rpl(0x001b), 3);
    ck_assert_uint_eq(selector_index(0x000f), 1);
    ck_assert(selector_ti(0x000f));
    ck_assert_uint_eq(selector_rpl(0x000f), 3);
    ck_assert_uint_eq(selector_index(0xfff8), 0x1fff);
    ck_assert(selector_is_null(0));
    ck_assert(selector_is_null(3));
    ck_assert(!selector_is_null(4)); /* LDT entry 0 is not null */
    ck_assert(!selector_is_null(8));
}
END_TEST

START_TEST(test_error_codes)
{
    ck_assert_uint_eq(selector_error_code(0x001b, false, false), 0x0018);
    ck_assert_uint_eq(selector_error_code(0x001b, false, true), 0x0019);
    ck_assert_uint_eq(selector_error_code(0x000f, false, false), 0x000c); /* TI kept */
    ck_assert_uint_eq(selector_error_code(0x000e, false, true), 0x000d);
    ck_assert_uint_eq(selector_error_code(0x000f, true, false), 0x000a); /* TI cleared */
    ck_assert_uint_eq(selector_error_code(0x0000, false, true), 0x0001);
    ck_assert_uint_eq(selector_error_code(0xffff, false, false), 0xfffc);
    ck_assert_uint_eq(idt_error_code(6, false), 0x0032);
    ck_assert_uint_eq(idt_error_code(6, true), 0x0033);
    ck_assert_uint_eq(idt_error_code(13, true), 0x006b);
    ck_assert_uint_eq(idt_error_code(0x80, false), 0x0402);
    ck_assert_uint_eq(idt_error_code(0xff, true), 0x07fb);
}
END_TEST

START_TEST(test_selector_describe)
{
    char buf[64];
    size_t len = selector_describe(0x001b, buf, sizeof buf);
    ck_assert_str_eq(buf, "0x001b (GDT index 3, RPL 3)");
    ck_assert_uint_eq(len, strlen(buf));
    selector_describe(0x000f, buf, sizeof buf);
    ck_assert_str_eq(buf, "0x000f (LDT index 1, RPL 3)");
    selector_describe(0x0000, buf, sizeof buf);
    ck_assert_str_eq(buf, "0x0000 (null, RPL 0)");
    selector_describe(0x0004, buf, sizeof buf);
    ck_assert_str_eq(buf, "0x0004 (LDT index 0, RPL 0)");
}
END_TEST

START_TEST(test_error_code_describe)
{
    char buf[64];
    error_code_describe(0x0032, buf, sizeof buf);
    ck_assert_str_eq(buf, "0x0032 (IDT vector 0x06)");
    error_code_describe(0x0033, buf, sizeof buf);
    ck_assert_str_eq(buf, "0x0033 (IDT vector 0x06, external)");
    error_code_describe(0x0028, buf, sizeof buf);
    ck_assert_str_eq(buf, "0x0028 (GDT index 5)");
    error_code_describe(0x000c, buf, sizeof buf);
    ck_assert_str_eq(buf, "0x000c (LDT index 1)");
    error_code_describe(0x0000, buf, sizeof buf);
    ck_assert_str_eq(buf, "0x0000 (no selector)");
    error_code_describe(0x0001, buf, sizeof buf);
    ck_assert_str_eq(buf, "0x0001 (no selector, external)");
}
END_TEST

static Suite *desc_suite(void)
{
    Suite *s = suite_create("desc");
    TCase *tc = tcase_create("descriptors");
    tcase_add_test(tc, test_flat_code);
    tcase_add_test(tc, test_scattered_base_and_byte_limit);
    tcase_add_test(tc, test_granularity_scales_limit);
    tcase_add_test(tc, test_flag_bits);
    tcase_add_loop_test(tc, test_code_data_predicates, 0, 16);
    tcase_add_loop_test(tc, test_system_predicates, 0, 16);
    tcase_add_test(tc, test_cache_flags_keep_high_dword);
    tcase_add_test(tc, test_set_accessed);
    tcase_add_test(tc, test_type_names);
    tcase_add_test(tc, test_describe_segments);
    tcase_add_test(tc, test_describe_system);
    tcase_add_test(tc, test_describe_truncates_and_counts);
    suite_add_tcase(s, tc);

    tc = tcase_create("gates");
    tcase_add_test(tc, test_interrupt_gate32);
    tcase_add_test(tc, test_trap_gate32_not_present);
    tcase_add_test(tc, test_gate16_offset_is_low_word);
    tcase_add_test(tc, test_call_gates);
    tcase_add_test(tc, test_task_gate_has_no_offset);
    tcase_add_test(tc, test_not_gates);
    suite_add_tcase(s, tc);

    tc = tcase_create("tss");
    tcase_add_test(tc, test_tss32_decode_every_field);
    tcase_add_test(tc, test_tss32_encode_keeps_reserved_bits);
    tcase_add_test(tc, test_tss16_roundtrip);
    tcase_add_test(tc, test_tss_stack_slots);
    tcase_add_test(tc, test_tss_stack_for_cpl32);
    tcase_add_test(tc, test_tss_stack_for_cpl16);
    suite_add_tcase(s, tc);

    tc = tcase_create("selectors");
    tcase_add_test(tc, test_selector_fields);
    tcase_add_test(tc, test_error_codes);
    tcase_add_test(tc, test_selector_describe);
    tcase_add_test(tc, test_error_code_describe);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(desc_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
