/* Check suite for cpu/task: the task switch an interrupt or exception makes
 * through a task gate (SDM Vol. 3A 7.3, the checks of Table 7-1, task
 * linking in 7.4), over a GDT, IDT, TSSs and page tables built in a plain
 * RAM buffer.  TSS fields are read back at the offsets of Figure 7-2,
 * written out here rather than taken from desc.h. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "cpu/desc.h"
#include "cpu/intr.h"
#include "cpu/sdm_fixup.h"
#include "cpu/task.h"
#include "ram_fixture.h"

#define RAM_SIZE (4u << 20)
#define GDT 0x1000u
#define IDT 0x2000u
#define OLD_TSS 0x3000u
#define NEW_TSS 0x3100u
#define TSS16 0x3200u
#define PD1 0x10000u /* the old task's page directory: identity */
#define PT1 0x11000u
#define PD2 0x12000u /* the new task's: identity but for one page */
#define PT2 0x13000u
#define NEW_STACK_FRAME 0x20000u /* where PD2 maps linear 0x5000 */

#define SEL_KCODE 0x08u
#define SEL_KDATA 0x10u
#define SEL_UCODE 0x1bu
#define SEL_UDATA 0x23u
#define SEL_OLD_TSS 0x28u
#define SEL_NEW_TSS 0x30u
#define SEL_TSS16 0x38u

#define USER_EIP 0x00401000u
#define NEW_EIP 0x00100400u
#define NEW_ESP 0x6000u
#define NEW_EFLAGS (EFLAGS_FIXED1 | EFLAGS_CF | EFLAGS_OF)
#define OLD_EFLAGS (EFLAGS_FIXED1 | EFLAGS_IF | EFLAGS_CF)

/* 32-bit TSS offsets, SDM Vol. 3A Figure 7-2. */
enum {
    T_LINK = 0x00, T_CR3 = 0x1c, T_EIP = 0x20, T_EFLAGS = 0x24, T_EAX = 0x28,
    T_ES = 0x48, T_CS = 0x4c, T_SS = 0x50, T_DS = 0x54, T_FS = 0x58, T_GS = 0x5c, T_LDT = 0x60,
};

static struct {
    uint8_t *ram;
    struct phys_mem phys;
    struct linear_mem mem;
    struct cpu_state st;
    struct event_log log;
} fx;


static void poke32(uint32_t paddr, uint32_t v) { ram_poke32(fx.ram, paddr, v); }

static void poke16(uint32_t paddr, uint16_t v) { ram_poke16(fx.ram, paddr, v); }

static uint32_t peek32(uint32_t paddr) { return ram_peek32(fx.ram, paddr); }

static uint16_t peek16(uint32_t paddr) { return ram_peek16(fx.ram, paddr); }

static void set_desc(uint16_t sel, uint32_t base, uint32_t limit, uint32_t attr)
{
    ram_descriptor(fx.ram, GDT, sel, base, limit, attr);
}

/* Attributes of a code or data segment: type, S, DPL, P, D/B, G. */
static uint32_t seg_attr(unsigned type, unsigned dpl)
{
    return (type << DESC_TYPE_SHIFT) | DESC_S | (dpl << DESC_DPL_SHIFT) | DESC_P | DESC_B | DESC_G;
}

/* Attributes of a TSS descriptor (SDM Vol. 3A 7.2.2, Figure 7-3). */
static uint32_t tss_attr(unsigned type, bool present)
{
    return (type << DESC_TYPE_SHIFT) | (present ? DESC_P : 0);
}

static unsigned gdt_type(uint16_t sel)
{
    return (peek32(GDT + (sel & ~7u) + 4) >> DESC_TYPE_SHIFT) & 0xf;
}

static struct seg_cache cache_of(uint16_t sel)
{
    struct descriptor d;
    desc_decode(peek32(GDT + (sel & ~7u)), peek32(GDT + (sel & ~7u) + 4), &d);
    return desc_to_cache(sel, &d);
}

static void setup(void)
{
    memset(&fx, 0, sizeof fx);
    fx.ram = calloc(1, RAM_SIZE);
    ck_assert_ptr_nonnull(fx.ram);
    fx.phys.ram = fx.ram;
    fx.phys.size = RAM_SIZE;

    set_desc(SEL_KCODE, 0, 0xfffff, seg_attr(0xb, 0));
    set_desc(SEL_KDATA, 0, 0xfffff, seg_attr(0x3, 0));
    set_desc(SEL_UCODE, 0, 0xfffff, seg_attr(0xb, 3));
    set_desc(SEL_UDATA, 0, 0xfffff, seg_attr(0x3, 3));
    set_desc(SEL_OLD_TSS, OLD_TSS, 0x67, tss_attr(0xb, true)); /* the running task: busy */
    set_desc(SEL_NEW_TSS, NEW_TSS, 0x67, tss_attr(0x9, true)); /* available */
    set_desc(SEL_TSS16, TSS16, 0x2b, tss_attr(0x1, true));

    /* The new task: ring 0, its own page directory. */
    poke32(NEW_TSS + T_CR3, PD2);
    poke32(NEW_TSS + T_EIP, NEW_EIP);
    poke32(NEW_TSS + T_EFLAGS, NEW_EFLAGS);
    for (uint32_t i = 0; i < 8; i++)
        poke32(NEW_TSS + T_EAX + 4 * i, 0x11111111u * (i + 1));
    poke32(NEW_TSS + T_EAX + 4 * GPR_ESP, NEW_ESP);
    poke16(NEW_TSS + T_ES, SEL_KDATA);
    poke16(NEW_TSS + T_CS, SEL_KCODE);
    poke16(NEW_TSS + T_SS, SEL_KDATA);
    poke16(NEW_TSS + T_DS, SEL_KDATA);
    poke16(NEW_TSS + T_FS, SEL_KDATA);
    poke16(NEW_TSS + T_GS, 0);
    poke16(NEW_TSS + T_LDT, 0);

    /* The old task: ring 3. */
    struct cpu_state *st = &fx.st;
    st->gdtr.base = GDT;
    st->gdtr.limit = 0x3f;
    st->idtr.base = IDT;
    st->idtr.limit = 0x7ff;
    st->cr0 = CR0_PE;
    st->tr = cache_of(SEL_OLD_TSS);
    st->cpl = 3;
    st->seg[SEG_CS] = cache_of(SEL_UCODE);
    st->seg[SEG_SS] = cache_of(SEL_UDATA);
    st->seg[SEG_DS] = cache_of(SEL_UDATA);
    st->seg[SEG_ES] = cache_of(SEL_UDATA);
    st->seg[SEG_FS] = cache_of(SEL_UDATA);
    for (int i = 0; i < 8; i++)
        st->gpr[i] = 0xa0a0a000u + (uint32_t)i;
    st->gpr[GPR_ESP] = 0x7000;
    st->eip = USER_EIP;
    st->eflags = OLD_EFLAGS;

    fx.mem.phys = &fx.phys;
    fx.mem.regs.cr0 = st->cr0;
}

static void teardown(void)
{
    free(fx.ram);
}

/* Paging on: PD1 maps the first 4 MiB one to one; PD2 does the same but
 * puts linear page 0x5000 (under the new task's ESP) on another frame. */
static void enable_paging(void)
{
    poke32(PD1, PT1 | 7);
    poke32(PD2, PT2 | 7);
    for (uint32_t i = 0; i < 1024; i++) {
        poke32(PT1 + i * 4, (i << 12) | 7);
        poke32(PT2 + i * 4, (i << 12) | 7);
    }
    poke32(PT2 + 5 * 4, NEW_STACK_FRAME | 7);
    fx.st.cr0 |= CR0_PG;
    fx.st.cr3 = PD1;
    fx.mem.regs.cr0 = fx.st.cr0;
    fx.mem.regs.cr3 = PD1;
}

static bool do_switch(uint16_t sel, uint32_t ext, struct cpu_fault *f)
{
    struct task_env env = {.mem = &fx.mem, .ext = ext};
    return task_switch(&env, &fx.st, sel, TASK_SWITCH_INTERRUPT, USER_EIP, f);
}

/* A failed check before the commit point changes nothing (7.3: the checks
 * of steps 1-4 come before any state is saved). */
static void expect_untouched(void)
{
    ck_assert_uint_eq(fx.st.tr.selector, SEL_OLD_TSS);
    ck_assert_uint_eq(fx.st.eip, USER_EIP);
    ck_assert_uint_eq(fx.st.cpl, 3);
    ck_assert_uint_eq(fx.st.seg[SEG_CS].selector, SEL_UCODE);
    ck_assert_uint_eq(fx.st.gpr[GPR_EAX], 0xa0a0a000u);
    ck_assert_uint_eq(fx.st.cr0 & CR0_TS, 0);
    ck_assert_uint_eq(fx.st.eflags, OLD_EFLAGS);
    ck_assert_uint_eq(peek32(OLD_TSS + T_EIP), 0);
    ck_assert_uint_eq(peek16(NEW_TSS + T_LINK), 0);
}

/* ---- a complete switch ------------------------------------------------- */

START_TEST(test_exception_through_task_gate)
{
    struct cpu_state *st = &fx.st;
    enable_paging();
    /* #GP through a task gate (SDM Vol. 3A 6.11, Figure 6-2: type 5). */
    poke32(IDT + 13 * 8, (uint32_t)SEL_NEW_TSS << 16);
    poke32(IDT + 13 * 8 + 4, DESC_P | (5u << DESC_TYPE_SHIFT));
    struct phys_mem *phys = &fx.phys;
    struct intr_env env = {.phys = phys, .emit = event_log_capture, .opaque = &fx.log};
    struct intr_request req = {
        .vector = 13, .source = INTR_EXCEPTION, .has_error_code = true, .error_code = 0x18,
        .return_eip = USER_EIP, .insn_eip = USER_EIP,
    };
    ck_assert_int_eq(intr_deliver(&env, st, &req), INTR_DELIVERED);
    ck_assert_int_eq(fx.log.n, 1);
    ck_assert(fx.log.ev[0].delivered);
    ck_assert_int_eq(fx.log.ev[0].gate, GATE_TASK);
    ck_assert_uint_eq(fx.log.ev[0].tss_selector, SEL_NEW_TSS);

    /* SDM Vol. 3A 7.3 step 8: the old task's state goes into its TSS: EIP
     * (the return address), EFLAGS, the general registers, the selectors. */
    ck_assert_uint_eq(peek32(OLD_TSS + T_EIP), USER_EIP);
    ck_assert_uint_eq(peek32(OLD_TSS + T_EFLAGS), OLD_EFLAGS);
    for (uint32_t i = 0; i < 8; i++)
        ck_assert_uint_eq(peek32(OLD_TSS + T_EAX + 4 * i),
                          i == GPR_ESP ? 0x7000u : 0xa0a0a000u + i);
    ck_assert_uint_eq(peek16(OLD_TSS + T_ES), SEL_UDATA);
    ck_assert_uint_eq(peek16(OLD_TSS + T_CS), SEL_UCODE);
    ck_assert_uint_eq(peek16(OLD_TSS + T_SS), SEL_UDATA);
    ck_assert_uint_eq(peek16(OLD_TSS + T_DS), SEL_UDATA);
    ck_assert_uint_eq(peek16(OLD_TSS + T_FS), SEL_UDATA);
    ck_assert_uint_eq(peek16(OLD_TSS + T_GS), 0);

    /* 7.4: a nested switch writes the old TR into the new TSS's link field,
     * sets NT, marks the new TSS busy and leaves the old one busy. */
    ck_assert_uint_eq(peek16(NEW_TSS + T_LINK), SEL_OLD_TSS);
    ck_assert_uint_eq(gdt_type(SEL_NEW_TSS), 0xb);
    ck_assert_uint_eq(gdt_type(SEL_OLD_TSS), 0xb);
    ck_assert_uint_ne(st->eflags & EFLAGS_NT, 0);
    ck_assert_uint_eq(st->eflags & ~EFLAGS_NT, NEW_EFLAGS);

    /* 7.3 steps 10-13: TR, CR0.TS, CR3 (paging is on), and the new task's
     * registers from its TSS. */
    ck_assert_uint_eq(st->tr.selector, SEL_NEW_TSS);
    ck_assert_uint_eq(st->tr.base, NEW_TSS);
    ck_assert_uint_ne(st->cr0 & CR0_TS, 0);
    ck_assert_uint_eq(st->cr3, PD2);
    ck_assert_uint_eq(st->eip, NEW_EIP);
    ck_assert_uint_eq(st->gpr[GPR_EAX], 0x11111111u);
    ck_assert_uint_eq(st->gpr[GPR_EDI], 0x88888888u);
    ck_assert_uint_eq(st->seg[SEG_CS].selector, SEL_KCODE);
    ck_assert_uint_eq(st->seg[SEG_SS].selector, SEL_KDATA);
    ck_assert_uint_eq(st->seg[SEG_DS].selector, SEL_KDATA);
    ck_assert_uint_eq(st->seg[SEG_GS].selector, 0);
    ck_assert_uint_eq(st->cpl, 0);

    /* Vol. 2A INT n, TASK-GATE: the error code is pushed on the new task's
     * stack, through the new task's page tables. */
    ck_assert_uint_eq(st->gpr[GPR_ESP], NEW_ESP - 4);
    ck_assert_uint_eq(peek32(NEW_STACK_FRAME + 0xffc), 0x18);
    ck_assert_uint_eq(peek32(NEW_ESP - 4), 0);
}
END_TEST

START_TEST(test_switch_without_paging_keeps_link_and_state)
{
    struct cpu_fault f;
    ck_assert(do_switch(SEL_NEW_TSS, 0, &f));
    ck_assert_uint_eq(peek16(NEW_TSS + T_LINK), SEL_OLD_TSS);
    ck_assert_uint_eq(peek32(OLD_TSS + T_EIP), USER_EIP);
    ck_assert_uint_eq(fx.st.tr.selector, SEL_NEW_TSS);
    ck_assert_uint_eq(fx.st.gpr[GPR_ESP], NEW_ESP);
    ck_assert_uint_eq(fx.st.eip, NEW_EIP);
    ck_assert_uint_eq(gdt_type(SEL_NEW_TSS), 0xb);
}
END_TEST

/* ---- checks before the commit point ------------------------------------ */

START_TEST(test_busy_tss)
{
    struct cpu_fault f;
    set_desc(SEL_NEW_TSS, NEW_TSS, 0x67, tss_attr(0xb, true));
    /* Vol. 2A INT n, TASK-GATE: "IF TSS descriptor specifies that the TSS is
     * busy THEN #GP(TSS selector)" (and Table 7-1). */
    ck_assert(!do_switch(SEL_NEW_TSS, 0, &f));
    ck_assert_int_eq(f.vector, 13);
    ck_assert_uint_eq(f.error_code, SEL_NEW_TSS);
    ck_assert(!f.committed);
    expect_untouched();
    /* With EXT (an exception or IRQ caused the switch, 6.13). */
    ck_assert(!do_switch(SEL_NEW_TSS, 1, &f));
    ck_assert_uint_eq(f.error_code, SEL_NEW_TSS | 1);
}
END_TEST

START_TEST(test_not_a_gdt_tss)
{
    struct cpu_fault f;
    /* "IF local/global bit is set to local or index not within GDT limits
     * THEN #GP(TSS selector)". */
    ck_assert(!do_switch(SEL_NEW_TSS | 4, 0, &f));
    ck_assert_int_eq(f.vector, 13);
    ck_assert_uint_eq(f.error_code, SEL_NEW_TSS | 4);
    ck_assert(!do_switch(0x40, 0, &f));
    ck_assert_int_eq(f.vector, 13);
    ck_assert_uint_eq(f.error_code, 0x40);
    /* A code segment is not an available TSS either. */
    ck_assert(!do_switch(SEL_KCODE, 0, &f));
    ck_assert_int_eq(f.vector, 13);
    ck_assert_uint_eq(f.error_code, SEL_KCODE);
    expect_untouched();
}
END_TEST

START_TEST(test_tss_not_present)
{
    struct cpu_fault f;
    set_desc(SEL_NEW_TSS, NEW_TSS, 0x67, tss_attr(0x9, false));
    /* "IF TSS not present THEN #NP(TSS selector)". */
    ck_assert(!do_switch(SEL_NEW_TSS, 0, &f));
    ck_assert_int_eq(f.vector, 11);
    ck_assert_uint_eq(f.error_code, SEL_NEW_TSS);
    ck_assert(!f.committed);
    expect_untouched();
}
END_TEST

START_TEST(test_tss_limit_too_small)
{
    struct cpu_fault f;
    /* SDM Vol. 3A 7.2.2 and Table 7-1: a 32-bit TSS needs a limit of at
     * least 67H, else #TS(TSS selector). */
    set_desc(SEL_NEW_TSS, NEW_TSS, 0x66, tss_attr(0x9, true));
    ck_assert(!do_switch(SEL_NEW_TSS, 0, &f));
    ck_assert_int_eq(f.vector, 10);
    ck_assert_uint_eq(f.error_code, SEL_NEW_TSS);
    ck_assert(!f.committed);
    expect_untouched();
    /* A 16-bit TSS needs 2BH. */
    set_desc(SEL_TSS16, TSS16, 0x2a, tss_attr(0x1, true));
    ck_assert(!do_switch(SEL_TSS16, 1, &f));
    ck_assert_int_eq(f.vector, 10);
    ck_assert_uint_eq(f.error_code, SEL_TSS16 | 1);
    expect_untouched();
}
END_TEST

/* ---- checks after the commit point ------------------------------------- */

START_TEST(test_bad_cs_in_new_tss)
{
    struct cpu_fault f;
    poke16(NEW_TSS + T_CS, SEL_KDATA);
    /* Table 7-1: "Code segment ... must be a code segment" -> #TS(new code
     * segment), raised after the commit point, in the new task's context. */
    ck_assert(!do_switch(SEL_NEW_TSS, 1, &f));
    ck_assert_int_eq(f.vector, 10);
    ck_assert_uint_eq(f.error_code, SEL_KDATA | 1);
    ck_assert(f.committed);
    ck_assert_uint_eq(fx.st.tr.selector, SEL_NEW_TSS);
    ck_assert_uint_eq(fx.st.eip, NEW_EIP);
    ck_assert_uint_ne(fx.st.eflags & EFLAGS_NT, 0);
    ck_assert_uint_eq(peek32(OLD_TSS + T_EIP), USER_EIP);
    ck_assert_uint_eq(gdt_type(SEL_NEW_TSS), 0xb);
}
END_TEST

START_TEST(test_bad_ds_leaves_new_selectors)
{
    struct cpu_fault f;
    /* A ring-3 task whose DS names a ring-0 segment: #TS(DS) after the
     * commit point (Table 7-1, "not accessible").  The selectors were all
     * loaded before the descriptors (7.3, steps 12 and 13), so DS, FS and
     * GS hold the new task's selectors, not the old task's. */
    poke16(NEW_TSS + T_CS, SEL_UCODE);
    poke16(NEW_TSS + T_SS, SEL_UDATA);
    poke16(NEW_TSS + T_ES, SEL_UDATA);
    poke16(NEW_TSS + T_DS, SEL_KDATA);
    poke16(NEW_TSS + T_FS, SEL_KDATA);
    poke16(NEW_TSS + T_GS, 0);
    fx.st.seg[SEG_GS] = cache_of(SEL_UDATA);
    ck_assert(!do_switch(SEL_NEW_TSS, 0, &f));
    ck_assert_int_eq(f.vector, 10);
    ck_assert_uint_eq(f.error_code, SEL_KDATA);
    ck_assert(f.committed);
    ck_assert_uint_eq(fx.st.seg[SEG_CS].selector, SEL_UCODE);
    ck_assert_uint_eq(fx.st.seg[SEG_SS].selector, SEL_UDATA);
    ck_assert_uint_eq(fx.st.seg[SEG_ES].selector, SEL_UDATA);
    ck_assert_uint_eq(fx.st.seg[SEG_DS].selector, SEL_KDATA);
    ck_assert_uint_eq(fx.st.seg[SEG_FS].selector, SEL_KDATA);
    ck_assert_uint_eq(fx.st.seg[SEG_GS].selector, 0);
    ck_assert_uint_eq(fx.st.cpl, 3);
}
END_TEST

START_TEST(test_ss_not_present_in_new_tss)
{
    struct cpu_fault f;
    set_desc(0x40, 0, 0xfffff, seg_attr(0x3, 0) & ~DESC_P);
    fx.st.gdtr.limit = 0x47;
    poke16(NEW_TSS + T_SS, 0x40);
    /* Table 7-1: "Stack segment is not present" -> #SS(stack segment). */
    ck_assert(!do_switch(SEL_NEW_TSS, 0, &f));
    ck_assert_int_eq(f.vector, 12);
    ck_assert_uint_eq(f.error_code, 0x40);
    ck_assert(f.committed);
}
END_TEST

/* ---- the engine's own switch (far JMP/CALL), its EIP put right -------- */

#define SEL_TASK_GATE 0x40u

/* `jmp sel:0` (EA, 32-bit offset) or `call sel:0` (9A) at the old EIP. */
static size_t far_to(uint8_t op, uint16_t sel, uint8_t *code)
{
    const uint8_t bytes[7] = {op, 0, 0, 0, 0, (uint8_t)sel, (uint8_t)(sel >> 8)};
    memcpy(code, bytes, sizeof bytes);
    return sizeof bytes;
}

/* What the engine leaves after a fault past the commit point: TR the new
 * (busy) TSS, CS the new task's, EIP still the JMP's. */
static void engine_switched(void)
{
    set_desc(SEL_NEW_TSS, NEW_TSS, 0x67, tss_attr(0xb, true));
    fx.st.tr = cache_of(SEL_NEW_TSS);
    fx.st.seg[SEG_CS] = cache_of(SEL_KCODE);
    fx.st.cpl = 0;
}

START_TEST(test_fault_past_commit_moves_to_new_task)
{
    uint8_t code[8];
    char why[200] = "";
    uint32_t eip = 0;
    engine_switched();
    size_t n = far_to(0xea, SEL_NEW_TSS, code);
    ck_assert(sdm_fixup_task_eip(&fx.mem, &fx.st, code, n, SEL_KDATA, &eip, why, sizeof why));
    ck_assert_uint_eq(eip, NEW_EIP);
    ck_assert_ptr_nonnull(strstr(why, "commit point"));
    n = far_to(0x9a, SEL_NEW_TSS, code);
    ck_assert(sdm_fixup_task_eip(&fx.mem, &fx.st, code, n, SEL_KDATA, &eip, why, sizeof why));
    ck_assert_ptr_nonnull(strstr(why, "far CALL"));
    /* Through a task gate in the GDT. */
    fx.st.gdtr.limit = SEL_TASK_GATE + 7;
    ram_gate(fx.ram, GDT, SEL_TASK_GATE >> 3, SEL_NEW_TSS, 0, 0x5, 0, true);
    eip = 0;
    n = far_to(0xea, SEL_TASK_GATE, code);
    ck_assert(sdm_fixup_task_eip(&fx.mem, &fx.st, code, n, SEL_KDATA, &eip, why, sizeof why));
    ck_assert_uint_eq(eip, NEW_EIP);
}
END_TEST

/* Refused before the commit point: TR still the old task's, or the fault
 * is the target TSS's own (a JMP to the running task: #GP(TSS)). */
START_TEST(test_fault_before_commit_stays)
{
    uint8_t code[8];
    char why[200] = "";
    uint32_t eip = 0;
    size_t n = far_to(0xea, SEL_NEW_TSS, code);
    ck_assert(!sdm_fixup_task_eip(&fx.mem, &fx.st, code, n, SEL_NEW_TSS, &eip, why, sizeof why));
    n = far_to(0xea, SEL_OLD_TSS, code);
    ck_assert(!sdm_fixup_task_eip(&fx.mem, &fx.st, code, n, SEL_OLD_TSS, &eip, why, sizeof why));
    /* Not a far JMP or CALL. */
    engine_switched();
    const uint8_t mov[] = {0x8e, 0xd8, 0x90, 0x90, 0x90, 0x90, 0x90}; /* mov ds, ax */
    ck_assert(!sdm_fixup_task_eip(&fx.mem, &fx.st, mov, sizeof mov, SEL_KDATA, &eip, why,
                                  sizeof why));
    ck_assert_uint_eq(eip, 0);
}
END_TEST

static Suite *task_suite(void)
{
    Suite *s = suite_create("task");
    TCase *tc = tcase_create("switch");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_exception_through_task_gate);
    tcase_add_test(tc, test_switch_without_paging_keeps_link_and_state);
    suite_add_tcase(s, tc);

    tc = tcase_create("before-commit");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_busy_tss);
    tcase_add_test(tc, test_not_a_gdt_tss);
    tcase_add_test(tc, test_tss_not_present);
    tcase_add_test(tc, test_tss_limit_too_small);
    suite_add_tcase(s, tc);

    tc = tcase_create("after-commit");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_bad_cs_in_new_tss);
    tcase_add_test(tc, test_bad_ds_leaves_new_selectors);
    tcase_add_test(tc, test_ss_not_present_in_new_tss);
    suite_add_tcase(s, tc);

    tc = tcase_create("engine-switch");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_fault_past_commit_moves_to_new_task);
    tcase_add_test(tc, test_fault_before_commit_stays);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(task_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
