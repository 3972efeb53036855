/* Check suite for cpu/seg_limit (the limit arithmetic of SDM Vol. 3A 5.3
 * and 3.4.5.1), cpu/mem_operands (which bytes an instruction reaches
 * through which segment register) and the segment-load marks of
 * debug/disasm's block scan, against cases worked out by hand. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "cpu/mem_operands.h"
#include "cpu/seg_limit.h"
#include "debug/disasm.h"

/* Descriptor high dwords as a load leaves them in the cache (P, S, type). */
#define DATA_RW 0x00009300u      /* present, DPL 0, data read/write, accessed */
#define DATA_DOWN 0x00009700u    /* ... expand-down */
#define CODE_CONF 0x00009f00u    /* present, code, conforming, readable */

static struct seg_cache seg(uint32_t limit, uint32_t flags)
{
    struct seg_cache s = {0x30, 0x200000, limit, flags};
    return s;
}

/* A protected-mode state with flat segments everywhere. */
static struct cpu_state flat_state(void)
{
    struct cpu_state st;
    memset(&st, 0, sizeof st);
    st.cr0 = CR0_PE;
    for (int i = 0; i < SEG_COUNT; i++)
        st.seg[i] = (struct seg_cache){0x10, 0, 0xffffffffu, DATA_RW | DESC_B | DESC_G};
    st.seg[SEG_CS].flags = 0x00cf9b00u;
    return st;
}

/* ---- the limit arithmetic ------------------------------------------------ */

START_TEST(test_expand_up_bounds)
{
    struct seg_cache s = seg(0xfff, DATA_RW | DESC_B);
    ck_assert(seg_limit_contains(&s, 0, 1));
    ck_assert(seg_limit_contains(&s, 0xfff, 1));
    ck_assert(seg_limit_contains(&s, 0xffc, 4));
    ck_assert(!seg_limit_contains(&s, 0xffd, 4)); /* its last byte is 0x1000 */
    ck_assert(!seg_limit_contains(&s, 0x1000, 1));
    ck_assert(!seg_limit_contains(&s, 0xfffffffe, 4)); /* wraps past 4 GiB */
    ck_assert_uint_eq(seg_limit_lowest(&s), 0);
    ck_assert_uint_eq(seg_limit_highest(&s), 0xfff);
}
END_TEST

START_TEST(test_expand_down_b1)
{
    /* SDM 5.3: valid offsets limit+1 .. 0xFFFFFFFF with B = 1. */
    struct seg_cache s = seg(0xfff, DATA_DOWN | DESC_B);
    ck_assert(seg_limit_expand_down(&s));
    ck_assert(!seg_limit_contains(&s, 0xfff, 1));
    ck_assert(!seg_limit_contains(&s, 0xffe, 4)); /* straddles the limit */
    ck_assert(seg_limit_contains(&s, 0x1000, 4));
    ck_assert(seg_limit_contains(&s, 0xfffffffc, 4));
    ck_assert(!seg_limit_contains(&s, 0xfffffffd, 4));
    ck_assert_uint_eq(seg_limit_lowest(&s), 0x1000);
    ck_assert_uint_eq(seg_limit_highest(&s), 0xffffffffu);
}
END_TEST

START_TEST(test_expand_down_b0)
{
    /* ... and limit+1 .. 0xFFFF with B = 0. */
    struct seg_cache s = seg(0xfff, DATA_DOWN);
    ck_assert(seg_limit_contains(&s, 0xfffc, 4));
    ck_assert(!seg_limit_contains(&s, 0xfffe, 4));
    ck_assert(!seg_limit_contains(&s, 0x10000, 1));
    ck_assert_uint_eq(seg_limit_highest(&s), 0xffff);
}
END_TEST

START_TEST(test_expand_down_full_limit_holds_nothing)
{
    struct seg_cache s = seg(0xffffffffu, DATA_DOWN | DESC_B);
    ck_assert(!seg_limit_contains(&s, 0, 1));
    ck_assert(!seg_limit_contains(&s, 0xffffffffu, 1));
}
END_TEST

START_TEST(test_code_e_bit_is_conforming)
{
    /* In a code segment the E position means conforming: expand-up. */
    struct seg_cache s = seg(0xfff, CODE_CONF | DESC_B);
    ck_assert(!seg_limit_expand_down(&s));
    ck_assert(seg_limit_contains(&s, 0xffc, 4));
    ck_assert(!seg_limit_contains(&s, 0x1000, 1));
}
END_TEST

START_TEST(test_null_segment_holds_nothing)
{
    struct seg_cache s = {0, 0, 0, 0};
    ck_assert(!seg_limit_usable(&s));
    ck_assert(!seg_limit_contains(&s, 0, 1));
}
END_TEST

START_TEST(test_checked_mask)
{
    struct cpu_state st = flat_state();
    ck_assert_uint_eq(seg_limit_checked(&st), 0);
    st.seg[SEG_CS].limit = 0xfff; /* CS is not a data segment: not checked here */
    ck_assert_uint_eq(seg_limit_checked(&st), 0);
    st.seg[SEG_FS] = (struct seg_cache){0, 0, 0, 0};
    ck_assert_uint_eq(seg_limit_checked(&st), 1u << SEG_FS);
    st.seg[SEG_SS].limit = 0xbfffffffu;
    ck_assert_uint_eq(seg_limit_checked(&st), (1u << SEG_FS) | (1u << SEG_SS));
    st.seg[SEG_ES].flags = DATA_DOWN | DESC_B; /* limit 4 GiB, but expand-down */
    ck_assert_uint_eq(seg_limit_checked(&st), (1u << SEG_FS) | (1u << SEG_SS) | (1u << SEG_ES));
    /* A base other than 0 does not matter to the limit. */
    st = flat_state();
    st.seg[SEG_GS].base = 0xc0000000u;
    ck_assert_uint_eq(seg_limit_checked(&st), 0);
    /* Real-address and virtual-8086 mode are not checked. */
    st.seg[SEG_DS].limit = 0xffff;
    st.cr0 = 0;
    ck_assert_uint_eq(seg_limit_checked(&st), 0);
    st.cr0 = CR0_PE;
    st.eflags = EFLAGS_VM;
    ck_assert_uint_eq(seg_limit_checked(&st), 0);
}
END_TEST

/* ---- offsets from registers ------------------------------------------------ */

START_TEST(test_offsets)
{
    struct cpu_state st = flat_state();
    st.gpr[GPR_EBX] = 0x1234ffff;
    st.gpr[GPR_ESI] = 0x56780ffd;
    struct mem_ref r32 = {.seg = SEG_DS, .base = GPR_EBX, .index = GPR_ESI, .scale = 2, .disp = 8};
    ck_assert_uint_eq(seg_limit_offset(&st, &r32), 0x1234ffffu + 2 * 0x56780ffdu + 8);
    /* A 16-bit address: the low words, the sum modulo 64 KiB. */
    struct mem_ref r16 = {.seg = SEG_DS, .base = GPR_EBX, .index = GPR_ESI, .scale = 1,
                          .addr16 = true};
    ck_assert_uint_eq(seg_limit_offset(&st, &r16), 0x0ffc);
    /* A push on a 16-bit stack: SP - 4, wrapping at 64 KiB. */
    st.gpr[GPR_ESP] = 0xabcd0002;
    st.seg[SEG_SS].flags &= ~DESC_B;
    struct mem_ref push = {.seg = SEG_SS, .base = GPR_ESP, .index = -1, .scale = 1,
                           .stack = true, .disp = -4, .size = 4};
    ck_assert_uint_eq(seg_limit_offset(&st, &push), 0xfffe);
    st.seg[SEG_SS].flags |= DESC_B;
    ck_assert_uint_eq(seg_limit_offset(&st, &push), 0xabcd0002u - 4);
}
END_TEST

START_TEST(test_violation_and_explanation)
{
    struct cpu_state st = flat_state();
    st.seg[SEG_DS] = (struct seg_cache){0x39, 0, 0xbfffffffu, DATA_RW | DESC_B | DESC_G};
    st.gpr[GPR_EBX] = 0xc0100000u;
    struct mem_operands ops = {.count = 1};
    ops.ref[0] = (struct mem_ref){.seg = SEG_DS, .base = GPR_EBX, .index = -1, .scale = 1,
                                  .size = 4};
    struct seg_violation v;
    ck_assert(!seg_limit_violated(&st, 0, &ops, &v)); /* DS not in the mask: not checked */
    ck_assert(seg_limit_violated(&st, seg_limit_checked(&st), &ops, &v));
    ck_assert_int_eq(v.vector, 13);
    ck_assert_uint_eq(v.offset, 0xc0100000u);
    char buf[200];
    seg_limit_explain(&v, buf, sizeof buf);
    ck_assert_str_eq(buf, "DS:0xc0100000..0xc0100003 (4 bytes) is past DS's limit 0xbfffffff "
                          "(selector 0x0039): #GP(0) (SDM Vol. 3A 5.3)");
    st.gpr[GPR_EBX] = 0xbffffffcu;
    ck_assert(!seg_limit_violated(&st, seg_limit_checked(&st), &ops, &v));
    st.gpr[GPR_EBX] = 0xbffffffeu;
    ck_assert(seg_limit_violated(&st, seg_limit_checked(&st), &ops, &v));
    seg_limit_explain(&v, buf, sizeof buf);
    ck_assert(strstr(buf, "ends past DS's limit") != NULL);
    /* Through SS it is #SS(0). */
    ops.ref[0].seg = SEG_SS;
    st.seg[SEG_SS] = st.seg[SEG_DS];
    ck_assert(seg_limit_violated(&st, seg_limit_checked(&st), &ops, &v));
    ck_assert_int_eq(v.vector, 12);
}
END_TEST

START_TEST(test_rep_with_zero_count_accesses_nothing)
{
    struct cpu_state st = flat_state();
    st.seg[SEG_ES] = seg(0xfff, DATA_RW | DESC_B);
    st.gpr[GPR_EDI] = 0x2000;
    struct mem_operands ops = {.count = 1, .rep = true};
    ops.ref[0] = (struct mem_ref){.seg = SEG_ES, .base = GPR_EDI, .index = -1, .scale = 1,
                                  .write = true, .size = 4};
    struct seg_violation v;
    st.gpr[GPR_ECX] = 0;
    ck_assert(!seg_limit_violated(&st, seg_limit_checked(&st), &ops, &v));
    st.gpr[GPR_ECX] = 1;
    ck_assert(seg_limit_violated(&st, seg_limit_checked(&st), &ops, &v));
    /* CX counts for a 16-bit address: ECX 0x10000 is no iteration. */
    ops.rep_count16 = true;
    st.gpr[GPR_ECX] = 0x10000;
    ck_assert(!seg_limit_violated(&st, seg_limit_checked(&st), &ops, &v));
}
END_TEST

START_TEST(test_null_explained)
{
    struct cpu_state st = flat_state();
    st.seg[SEG_FS] = (struct seg_cache){0, 0, 0, 0};
    struct mem_operands ops = {.count = 1};
    ops.ref[0] = (struct mem_ref){.seg = SEG_FS, .base = -1, .index = -1, .scale = 1, .size = 4};
    struct seg_violation v;
    ck_assert(seg_limit_violated(&st, seg_limit_checked(&st), &ops, &v));
    ck_assert(v.null);
    char buf[200];
    seg_limit_explain(&v, buf, sizeof buf);
    ck_assert_str_eq(buf, "FS:0x00000000..0x00000003 (4 bytes) through FS, which holds the "
                          "null selector 0x0000: #GP(0) (SDM Vol. 3A 3.4.2)");
}
END_TEST

/* ---- decoding the accesses ----------------------------------------------- */

static struct disasm *dec;

static void dec_setup(void)
{
    dec = disasm_open();
    ck_assert_ptr_nonnull(dec);
}

static void dec_teardown(void)
{
    disasm_close(dec);
}

static struct mem_operands decode(const uint8_t *code, size_t n, bool code32)
{
    struct mem_operands ops;
    ck_assert_int_eq(mem_operands_decode(dec, code, n, 0x1000, code32, &ops), (int)n);
    return ops;
}

START_TEST(test_decode_explicit_segments)
{
    static const uint8_t es_load[] = {0x26, 0x8b, 0x1d, 0xfd, 0x0f, 0, 0}; /* mov ebx,[es:0xffd] */
    struct mem_operands o = decode(es_load, sizeof es_load, true);
    ck_assert_uint_eq(o.count, 1);
    ck_assert_uint_eq(o.ref[0].seg, SEG_ES);
    ck_assert_int_eq(o.ref[0].base, -1);
    ck_assert_int_eq(o.ref[0].disp, 0xffd);
    ck_assert_uint_eq(o.ref[0].size, 4);
    ck_assert(!o.ref[0].write);
    static const uint8_t ebp[] = {0x89, 0x45, 0x08}; /* mov [ebp+8],eax: SS by default */
    o = decode(ebp, sizeof ebp, true);
    ck_assert_uint_eq(o.ref[0].seg, SEG_SS);
    ck_assert(o.ref[0].write);
    static const uint8_t lea[] = {0x8d, 0x43, 0x04}; /* lea eax,[ebx+4]: no access */
    o = decode(lea, sizeof lea, true);
    ck_assert_uint_eq(o.count, 0);
}
END_TEST

START_TEST(test_decode_strings)
{
    static const uint8_t rep_movsd[] = {0xf3, 0x64, 0xa5}; /* rep movsd es:[edi], fs:[esi] */
    struct mem_operands o = decode(rep_movsd, sizeof rep_movsd, true);
    ck_assert(o.rep);
    ck_assert(!o.rep_count16);
    ck_assert_uint_eq(o.count, 2);
    ck_assert_uint_eq(o.ref[0].seg, SEG_ES); /* the destination: no prefix changes it */
    ck_assert_int_eq(o.ref[0].base, GPR_EDI);
    ck_assert(o.ref[0].write);
    ck_assert_uint_eq(o.ref[1].seg, SEG_FS);
    ck_assert_int_eq(o.ref[1].base, GPR_ESI);
    static const uint8_t a16_stosb[] = {0x67, 0xf3, 0xaa}; /* rep stosb es:[di] */
    o = decode(a16_stosb, sizeof a16_stosb, true);
    ck_assert(o.rep);
    ck_assert(o.rep_count16);
    ck_assert(o.ref[0].addr16);
    static const uint8_t insb[] = {0x6c};
    o = decode(insb, sizeof insb, true);
    ck_assert_uint_eq(o.count, 1);
    ck_assert(o.ref[0].write);
}
END_TEST

START_TEST(test_decode_stack)
{
    static const uint8_t push_mem[] = {0xff, 0x33}; /* push dword [ebx] */
    struct mem_operands o = decode(push_mem, sizeof push_mem, true);
    ck_assert_uint_eq(o.count, 2);
    ck_assert_uint_eq(o.ref[0].seg, SEG_DS);
    ck_assert(o.ref[1].stack);
    ck_assert_int_eq(o.ref[1].disp, -4);
    ck_assert(o.ref[1].write);
    static const uint8_t pop_esp[] = {0x8f, 0x44, 0x24, 0x04}; /* pop dword [esp+4] */
    o = decode(pop_esp, sizeof pop_esp, true);
    ck_assert_int_eq(o.ref[0].disp, 8); /* after ESP moved up by 4 */
    ck_assert(o.ref[1].stack && !o.ref[1].write);
    static const uint8_t push_ax[] = {0x66, 0x50};
    o = decode(push_ax, sizeof push_ax, true);
    ck_assert_uint_eq(o.ref[0].size, 2);
    static const uint8_t push_fs[] = {0x0f, 0xa0}; /* the operand size, not the selector's */
    o = decode(push_fs, sizeof push_fs, true);
    ck_assert_uint_eq(o.ref[0].size, 4);
    static const uint8_t pushad[] = {0x60};
    o = decode(pushad, sizeof pushad, true);
    ck_assert_int_eq(o.ref[0].disp, -32);
    ck_assert_uint_eq(o.ref[0].size, 32);
    static const uint8_t leave[] = {0xc9};
    o = decode(leave, sizeof leave, true);
    ck_assert_int_eq(o.ref[0].base, GPR_EBP);
    static const uint8_t enter[] = {0xc8, 0x10, 0x00, 0x02}; /* enter 0x10, 2 */
    o = decode(enter, sizeof enter, true);
    ck_assert_uint_eq(o.ref[0].size, 4 * 3 + 0x10);
    static const uint8_t iretd[] = {0xcf};
    o = decode(iretd, sizeof iretd, true);
    ck_assert_uint_eq(o.ref[0].size, 12);
    static const uint8_t lds[] = {0xc5, 0x03};
    o = decode(lds, sizeof lds, true);
    ck_assert_uint_eq(o.ref[0].size, 6);
    static const uint8_t push16[] = {0x50}; /* push ax in 16-bit code */
    o = decode(push16, sizeof push16, false);
    ck_assert_uint_eq(o.ref[0].size, 2);
    ck_assert_int_eq(o.ref[0].disp, -2);
}
END_TEST

/* ---- segment loads in a block --------------------------------------------- */

START_TEST(test_scan_marks_load_then_use)
{
    struct disasm *d = disasm_open();
    ck_assert_ptr_nonnull(d);
    struct disasm_block b;
    /* mov es,ax; mov ebx,[es:0xffc]; ret: ES is used after it is loaded. */
    static const uint8_t use[] = {0x8e, 0xc0, 0x26, 0x8b, 0x1d, 0xfc, 0x0f, 0, 0, 0xc3};
    disasm_scan(d, use, sizeof use, 0x1000, &b);
    ck_assert(b.loads_seg);
    ck_assert_int_eq(b.seg_reload_end, 2);
    /* mov ds,ax; mov es,ax; push esp; call: only SS is used after. */
    static const uint8_t trap[] = {0x8e, 0xd8, 0x8e, 0xc0, 0x54, 0xe8, 0, 0, 0, 0};
    disasm_scan(d, trap, sizeof trap, 0x1000, &b);
    ck_assert(b.loads_seg);
    ck_assert_int_eq(b.seg_reload_end, -1);
    /* mov ss,ax; mov esp,imm; push eax: SS again. */
    static const uint8_t stack[] = {0x8e, 0xd0, 0xbc, 0, 0x20, 0, 0, 0x50, 0xc3};
    disasm_scan(d, stack, sizeof stack, 0x1000, &b);
    ck_assert_int_eq(b.seg_reload_end, 2);
    /* No load: nothing marked. */
    static const uint8_t none[] = {0x8b, 0x03, 0xc3};
    disasm_scan(d, none, sizeof none, 0x1000, &b);
    ck_assert(!b.loads_seg);
    ck_assert_int_eq(b.seg_reload_end, -1);
    /* A far return loads CS and SS. */
    static const uint8_t retf[] = {0xcb};
    disasm_scan(d, retf, sizeof retf, 0x1000, &b);
    ck_assert(b.loads_seg);
    disasm_close(d);
}
END_TEST

static Suite *seg_limit_suite(void)
{
    Suite *s = suite_create("seg_limit");
    TCase *tc = tcase_create("limits");
    tcase_add_test(tc, test_expand_up_bounds);
    tcase_add_test(tc, test_expand_down_b1);
    tcase_add_test(tc, test_expand_down_b0);
    tcase_add_test(tc, test_expand_down_full_limit_holds_nothing);
    tcase_add_test(tc, test_code_e_bit_is_conforming);
    tcase_add_test(tc, test_null_segment_holds_nothing);
    tcase_add_test(tc, test_checked_mask);
    tcase_add_test(tc, test_offsets);
    tcase_add_test(tc, test_violation_and_explanation);
    tcase_add_test(tc, test_rep_with_zero_count_accesses_nothing);
    tcase_add_test(tc, test_null_explained);
    suite_add_tcase(s, tc);

    tc = tcase_create("operands");
    tcase_add_checked_fixture(tc, dec_setup, dec_teardown);
    tcase_add_test(tc, test_decode_explicit_segments);
    tcase_add_test(tc, test_decode_strings);
    tcase_add_test(tc, test_decode_stack);
    suite_add_tcase(s, tc);

    tc = tcase_create("blocks");
    tcase_add_test(tc, test_scan_marks_load_then_use);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(seg_limit_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
