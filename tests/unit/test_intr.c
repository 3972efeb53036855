/* Check suite for cpu/intr: exception and interrupt delivery through an
 * IDT, GDT and TSS built in a plain RAM buffer (SDM Vol. 3A chapter 6, the
 * INT n pseudo-code of Vol. 2A, Table 6-5, the error codes of 6.13).  Every
 * delivery attempt is captured through the environment's emit callback,
 * and every frame is read back word by word from RAM. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "cpu/desc.h"
#include "cpu/intr.h"
#include "ram_fixture.h"

#define RAM_SIZE (4u << 20)
#define GDT 0x1000u
#define IDT 0x2000u
#define TSS 0x3000u
#define PD 0x10000u
#define PT 0x11000u
#define ESP0 0x9000u
#define USER_ESP 0x7000u
#define USER_EIP 0x00401000u
#define HANDLER(v) (0x00100000u + (uint32_t)(v) * 0x10u)

/* Selectors of the GDT the fixture builds. */
#define SEL_KCODE 0x08u    /* ring-0 code, 32-bit, flat */
#define SEL_KDATA 0x10u    /* ring-0 data, 32-bit, flat */
#define SEL_UCODE 0x1bu    /* ring-3 code */
#define SEL_UDATA 0x23u    /* ring-3 data */
#define SEL_TSS 0x28u      /* the current 32-bit TSS (busy) */
#define SEL_KDATA_NP 0x38u /* ring-0 data, not present */
#define SEL_CONF 0x40u     /* ring-0 conforming code */

enum { TYPE_TASK = 5, TYPE_INTR16 = 6, TYPE_TRAP16 = 7, TYPE_INTR32 = 14, TYPE_TRAP32 = 15 };

static struct {
    uint8_t *ram;
    struct phys_mem phys;
    struct intr_env env;
    struct cpu_state st;
    struct event_log log;
} fx;


static void poke32(uint32_t paddr, uint32_t v) { ram_poke32(fx.ram, paddr, v); }

static void poke16(uint32_t paddr, uint16_t v) { ram_poke16(fx.ram, paddr, v); }

static uint32_t peek32(uint32_t paddr) { return ram_peek32(fx.ram, paddr); }

static uint16_t peek16(uint32_t paddr) { return ram_peek16(fx.ram, paddr); }

/* A code or data descriptor (SDM Vol. 3A Figure 3-8); limit in G units. */
static void set_seg(uint16_t sel, uint32_t base, uint32_t limit, unsigned type, unsigned dpl,
                    bool present, bool big, bool gran)
{
    ram_descriptor(fx.ram, GDT, sel, base, limit,
                   (type << DESC_TYPE_SHIFT) | DESC_S | (dpl << DESC_DPL_SHIFT) |
                       (present ? DESC_P : 0) | (big ? DESC_B : 0) | (gran ? DESC_G : 0));
}

/* A system descriptor (TSS, LDT) in the GDT. */
static void set_sys(uint16_t sel, uint32_t base, uint32_t limit, unsigned type, bool present)
{
    ram_descriptor(fx.ram, GDT, sel, base, limit, (type << DESC_TYPE_SHIFT) | (present ? DESC_P : 0));
}

/* An IDT gate (SDM Vol. 3A Figure 6-2). */
static void set_gate(int vector, uint16_t sel, uint32_t offset, unsigned type, unsigned dpl,
                     bool present)
{
    ram_gate(fx.ram, IDT, vector, sel, offset, type, dpl, present);
}

static struct seg_cache cache_of(uint16_t sel)
{
    struct descriptor d;
    desc_decode(peek32(GDT + (sel & ~7u)), peek32(GDT + (sel & ~7u) + 4), &d);
    return desc_to_cache(sel, &d);
}

/* The TSS's ring-0 stack (SDM Vol. 3A Figure 7-2). */
static void set_ring0_stack(uint16_t ss0, uint32_t esp0)
{
    poke32(TSS + TSS32_ESP0, esp0);
    poke16(TSS + TSS32_SS0, ss0);
}

static void setup(void)
{
    memset(&fx, 0, sizeof fx);
    fx.ram = calloc(1, RAM_SIZE);
    ck_assert_ptr_nonnull(fx.ram);
    fx.phys.ram = fx.ram;
    fx.phys.size = RAM_SIZE;
    fx.env.phys = &fx.phys;
    fx.env.emit = event_log_capture;
    fx.env.opaque = &fx.log;

    /* Code types without the Accessed bit, so that setting it shows. */
    set_seg(SEL_KCODE, 0, 0xfffff, 0xa, 0, true, true, true);
    set_seg(SEL_KDATA, 0, 0xfffff, 0x2, 0, true, true, true);
    set_seg(SEL_UCODE, 0, 0xfffff, 0xa, 3, true, true, true);
    set_seg(SEL_UDATA, 0, 0xfffff, 0x2, 3, true, true, true);
    set_sys(SEL_TSS, TSS, 0x67, 0xb, true);
    set_seg(SEL_KDATA_NP, 0, 0xfffff, 0x2, 0, false, true, true);
    set_seg(SEL_CONF, 0, 0xfffff, 0xe, 0, true, true, true);
    set_ring0_stack(SEL_KDATA, ESP0);
    /* Every vector: a present ring-0 interrupt gate, DPL 0. */
    for (int v = 0; v < 256; v++)
        set_gate(v, SEL_KCODE, HANDLER(v), TYPE_INTR32, 0, true);

    struct cpu_state *st = &fx.st;
    st->gdtr.base = GDT;
    st->gdtr.limit = 0x47;
    st->idtr.base = IDT;
    st->idtr.limit = 0x7ff;
    st->cr0 = CR0_PE;
    st->tr = cache_of(SEL_TSS);
    /* A ring-3 program. */
    st->cpl = 3;
    st->seg[SEG_CS] = cache_of(SEL_UCODE);
    st->seg[SEG_SS] = cache_of(SEL_UDATA);
    st->seg[SEG_DS] = cache_of(SEL_UDATA);
    st->seg[SEG_ES] = cache_of(SEL_UDATA);
    st->gpr[GPR_ESP] = USER_ESP;
    st->eip = USER_EIP;
    st->eflags = EFLAGS_FIXED1 | EFLAGS_IF;
}

static void teardown(void)
{
    free(fx.ram);
}

/* Identity-map the first 4 MiB, user/writable/present, and turn paging on. */
static void enable_paging(void)
{
    poke32(PD, PT | 7);
    for (uint32_t i = 0; i < 1024; i++)
        poke32(PT + i * 4, (i << 12) | 7);
    fx.st.cr0 |= CR0_PG;
    fx.st.cr3 = PD;
}

static void unmap_page(uint32_t linear)
{
    poke32(PT + ((linear >> 12) & 0x3ff) * 4, 0);
}

static enum intr_result deliver(int vector, enum intr_source source, bool has_error,
                                uint32_t error_code, uint32_t insn_eip, uint32_t return_eip)
{
    struct intr_request req = {
        .vector = vector,
        .source = source,
        .has_error_code = has_error,
        .error_code = error_code,
        .return_eip = return_eip,
        .insn_eip = insn_eip,
    };
    return intr_deliver(&fx.env, &fx.st, &req);
}

/* ---- privilege change through interrupt and trap gates ----------------- */

START_TEST(test_ring3_to_ring0_interrupt_gate)
{
    struct cpu_state *st = &fx.st;
    uint32_t old_eflags = EFLAGS_FIXED1 | EFLAGS_CF | EFLAGS_TF | EFLAGS_IF | EFLAGS_NT |
                          EFLAGS_RF | EFLAGS_AC;
    st->eflags = old_eflags;
    /* A page fault at USER_EIP, error code 7 (user write, protection). */
    ck_assert_int_eq(deliver(14, INTR_EXCEPTION, true, 7, USER_EIP, USER_EIP), INTR_DELIVERED);

    /* SDM Vol. 3A 6.12.1: to an inner ring, SS:ESP come from the TSS (SS0:ESP0);
     * the frame is SS, ESP, EFLAGS, CS, EIP, error code (Figure 6-4). */
    ck_assert_uint_eq(peek32(ESP0 - 4), SEL_UDATA);
    ck_assert_uint_eq(peek32(ESP0 - 8), USER_ESP);
    ck_assert_uint_eq(peek32(ESP0 - 12), old_eflags);
    ck_assert_uint_eq(peek32(ESP0 - 16), SEL_UCODE);
    ck_assert_uint_eq(peek32(ESP0 - 20), USER_EIP);
    ck_assert_uint_eq(peek32(ESP0 - 24), 7);
    ck_assert_uint_eq(peek32(ESP0 - 28), 0); /* nothing below the frame */
    ck_assert_uint_eq(st->gpr[GPR_ESP], ESP0 - 24);
    ck_assert_uint_eq(st->seg[SEG_SS].selector, SEL_KDATA);
    ck_assert_uint_eq(st->seg[SEG_SS].limit, 0xffffffffu);

    /* The new CS comes from the gate, its RPL is the new CPL. */
    ck_assert_uint_eq(st->seg[SEG_CS].selector, SEL_KCODE);
    ck_assert_uint_eq(st->cpl, 0);
    ck_assert_uint_eq(st->eip, HANDLER(14));
    /* SDM Vol. 3A 3.4.5.1: loading CS and SS sets their Accessed bits. */
    ck_assert_uint_ne(peek32(GDT + 8 + 4) & (1u << DESC_TYPE_SHIFT), 0);
    ck_assert_uint_ne(peek32(GDT + 16 + 4) & (1u << DESC_TYPE_SHIFT), 0);

    /* SDM Vol. 3A 6.12.1.3: an interrupt gate clears IF; TF, VM, RF and NT
     * are cleared for both kinds; the other flags stay. */
    ck_assert_uint_eq(st->eflags, EFLAGS_FIXED1 | EFLAGS_CF | EFLAGS_AC);

    ck_assert_int_eq(fx.log.n, 1);
    ck_assert(fx.log.ev[0].delivered);
    ck_assert_int_eq(fx.log.ev[0].kind, TRACE_EXCEPTION);
    ck_assert_int_eq(fx.log.ev[0].vector, 14);
    ck_assert_int_eq(fx.log.ev[0].gate, GATE_INTR32);
    ck_assert(fx.log.ev[0].stack_switched);
    ck_assert_uint_eq(fx.log.ev[0].before.cpl, 3);
    ck_assert_uint_eq(fx.log.ev[0].after.cpl, 0);
    ck_assert_uint_eq(fx.log.ev[0].after.esp, ESP0 - 24);
}
END_TEST

START_TEST(test_trap_gate_keeps_if)
{
    struct cpu_state *st = &fx.st;
    /* INT 0x80 from ring 3 through a DPL-3 trap gate. */
    set_gate(0x80, SEL_KCODE, HANDLER(0x80), TYPE_TRAP32, 3, true);
    st->eflags = EFLAGS_FIXED1 | EFLAGS_IF | EFLAGS_TF | EFLAGS_NT;
    ck_assert_int_eq(deliver(0x80, INTR_SOFTWARE, false, 0, USER_EIP, USER_EIP + 2),
                     INTR_DELIVERED);
    /* SDM Vol. 3A 6.12.1.3: a trap gate leaves IF alone; TF and NT are cleared. */
    ck_assert_uint_eq(st->eflags, EFLAGS_FIXED1 | EFLAGS_IF);
    /* INT n pushes the address of the next instruction, and no error code. */
    ck_assert_uint_eq(peek32(ESP0 - 20), USER_EIP + 2);
    ck_assert_uint_eq(st->gpr[GPR_ESP], ESP0 - 20);
    ck_assert_uint_eq(st->eip, HANDLER(0x80));
    ck_assert_int_eq(fx.log.n, 1);
    ck_assert_int_eq(fx.log.ev[0].kind, TRACE_SOFTWARE_INT);
    ck_assert_int_eq(fx.log.ev[0].gate, GATE_TRAP32);
}
END_TEST

START_TEST(test_same_ring_no_stack_switch)
{
    struct cpu_state *st = &fx.st;
    st->cpl = 0;
    st->seg[SEG_CS] = cache_of(SEL_KCODE);
    st->seg[SEG_SS] = cache_of(SEL_KDATA);
    st->gpr[GPR_ESP] = 0x6000;
    st->eip = 0x00100800;
    ck_assert_int_eq(deliver(0x20, INTR_HARDWARE, false, 0, 0x00100800, 0x00100800),
                     INTR_DELIVERED);
    /* SDM Vol. 3A 6.12.1: no privilege change, the frame (EFLAGS, CS, EIP)
     * goes on the interrupted procedure's stack; SS is not touched. */
    ck_assert_uint_eq(peek32(0x6000 - 4), EFLAGS_FIXED1 | EFLAGS_IF);
    ck_assert_uint_eq(peek32(0x6000 - 8), SEL_KCODE);
    ck_assert_uint_eq(peek32(0x6000 - 12), 0x00100800);
    ck_assert_uint_eq(st->gpr[GPR_ESP], 0x6000 - 12);
    ck_assert_uint_eq(st->seg[SEG_SS].selector, SEL_KDATA);
    ck_assert_uint_eq(st->seg[SEG_CS].selector, SEL_KCODE);
    ck_assert_uint_eq(st->eip, HANDLER(0x20));
    ck_assert_uint_eq(st->eflags & EFLAGS_IF, 0);
    /* The TSS stack was not used. */
    ck_assert_uint_eq(peek32(ESP0 - 4), 0);
    ck_assert_int_eq(fx.log.n, 1);
    ck_assert(!fx.log.ev[0].stack_switched);
    ck_assert_int_eq(fx.log.ev[0].kind, TRACE_HARDWARE_INT);
}
END_TEST

START_TEST(test_16bit_gate_frame)
{
    struct cpu_state *st = &fx.st;
    /* A 286 interrupt gate: the upper offset half is not part of it (6.11). */
    set_gate(0x21, SEL_KCODE, 0xabcd1234u, TYPE_INTR16, 0, true);
    st->gpr[GPR_ESP] = 0x00017ffeu;
    st->eflags = EFLAGS_FIXED1 | EFLAGS_IF | EFLAGS_AC; /* AC is in the upper half */
    ck_assert_int_eq(deliver(0x21, INTR_HARDWARE, false, 0, 0x00405678u, 0x00405678u),
                     INTR_DELIVERED);
    /* SDM Vol. 3A 6.12.1, Figure 6-4 for a 16-bit gate: words SS, SP, FLAGS,
     * CS, IP; the return IP and SP are their low 16 bits. */
    ck_assert_uint_eq(peek16(ESP0 - 2), SEL_UDATA);
    ck_assert_uint_eq(peek16(ESP0 - 4), 0x7ffe);
    ck_assert_uint_eq(peek16(ESP0 - 6), EFLAGS_FIXED1 | EFLAGS_IF);
    ck_assert_uint_eq(peek16(ESP0 - 8), SEL_UCODE);
    ck_assert_uint_eq(peek16(ESP0 - 10), 0x5678);
    ck_assert_uint_eq(peek16(ESP0 - 12), 0);
    ck_assert_uint_eq(st->gpr[GPR_ESP], ESP0 - 10);
    /* The handler's IP is the gate's 16-bit offset. */
    ck_assert_uint_eq(st->eip, 0x1234);
    ck_assert_uint_eq(st->seg[SEG_CS].selector, SEL_KCODE);
    ck_assert_uint_eq(st->eflags & EFLAGS_IF, 0);
    ck_assert_int_eq(fx.log.ev[0].gate, GATE_INTR16);
}
END_TEST

/* ---- gate checks and their error codes --------------------------------- */

START_TEST(test_int_n_through_dpl0_gate)
{
    struct cpu_state *st = &fx.st;
    /* INT 0x30 at CPL 3 through a DPL-0 gate: #GP(0x30 * 8 + 2), EXT = 0
     * (Vol. 2A INT n: "IF software interrupt AND gate DPL < CPL THEN
     * #GP(vector * 8 + 2)"; 6.13: EXT clear for INT n). */
    ck_assert_int_eq(deliver(0x30, INTR_SOFTWARE, false, 0, USER_EIP, USER_EIP + 2),
                     INTR_DELIVERED);
    ck_assert_int_eq(fx.log.n, 2);
    ck_assert_int_eq(fx.log.ev[0].kind, TRACE_SOFTWARE_INT);
    ck_assert_int_eq(fx.log.ev[0].vector, 0x30);
    ck_assert(!fx.log.ev[0].delivered);
    ck_assert_int_eq(fx.log.ev[1].kind, TRACE_EXCEPTION);
    ck_assert_int_eq(fx.log.ev[1].vector, 13);
    ck_assert(fx.log.ev[1].has_error_code);
    ck_assert_uint_eq(fx.log.ev[1].error_code, 0x30 * 8 + 2);
    ck_assert(fx.log.ev[1].delivered);
    /* The #GP is a fault of the INT instruction: its frame returns to it. */
    ck_assert_uint_eq(peek32(ESP0 - 20), USER_EIP);
    ck_assert_uint_eq(peek32(ESP0 - 24), 0x30 * 8 + 2);
    ck_assert_uint_eq(st->eip, HANDLER(13));
}
END_TEST

START_TEST(test_irq_through_not_present_gate)
{
    set_gate(0x21, SEL_KCODE, HANDLER(0x21), TYPE_INTR32, 0, false);
    ck_assert_int_eq(deliver(0x21, INTR_HARDWARE, false, 0, USER_EIP, USER_EIP),
                     INTR_DELIVERED);
    /* SDM Vol. 2A INT n: "IF gate not present THEN #NP(vector * 8 + 2 + EXT)";
     * EXT = 1 for an external interrupt (6.13). */
    ck_assert_int_eq(fx.log.n, 2);
    ck_assert_int_eq(fx.log.ev[0].kind, TRACE_HARDWARE_INT);
    ck_assert(!fx.log.ev[0].delivered);
    ck_assert_int_eq(fx.log.ev[1].vector, 11);
    ck_assert_uint_eq(fx.log.ev[1].error_code, 0x21 * 8 + 2 + 1);
    ck_assert(fx.log.ev[1].delivered);
    ck_assert_uint_eq(peek32(ESP0 - 24), 0x21 * 8 + 3);
    ck_assert_uint_eq(fx.st.eip, HANDLER(11));
}
END_TEST

START_TEST(test_vector_beyond_idt_limit)
{
    /* 64 gates: vector 0x40 lies beyond.  Vol. 2A INT n: "IF vector * 8 + 7
     * is not within the IDT limit THEN #GP(vector * 8 + 2 + EXT)". */
    fx.st.idtr.limit = 0x40 * 8 - 1;
    ck_assert_int_eq(deliver(0x40, INTR_HARDWARE, false, 0, USER_EIP, USER_EIP),
                     INTR_DELIVERED);
    ck_assert_int_eq(fx.log.n, 2);
    ck_assert_int_eq(fx.log.ev[1].vector, 13);
    ck_assert_uint_eq(fx.log.ev[1].error_code, 0x40 * 8 + 2 + 1);
    ck_assert_uint_eq(fx.st.eip, HANDLER(13));
}
END_TEST

START_TEST(test_idt_limit_boundary)
{
    set_gate(0x40, SEL_KCODE, HANDLER(0x40), TYPE_TRAP32, 3, true);
    /* One byte short of the gate's last byte: #GP(vector * 8 + 2), EXT = 0. */
    fx.st.idtr.limit = 0x40 * 8 + 6;
    deliver(0x40, INTR_SOFTWARE, false, 0, USER_EIP, USER_EIP + 2);
    ck_assert_int_eq(fx.log.n, 2);
    ck_assert_int_eq(fx.log.ev[1].vector, 13);
    ck_assert_uint_eq(fx.log.ev[1].error_code, 0x40 * 8 + 2);

    /* With vector * 8 + 7 within the limit the gate is used. */
    teardown();
    setup();
    set_gate(0x40, SEL_KCODE, HANDLER(0x40), TYPE_TRAP32, 3, true);
    fx.st.idtr.limit = 0x40 * 8 + 7;
    ck_assert_int_eq(deliver(0x40, INTR_SOFTWARE, false, 0, USER_EIP, USER_EIP + 2),
                     INTR_DELIVERED);
    ck_assert_int_eq(fx.log.n, 1);
    ck_assert_uint_eq(fx.st.eip, HANDLER(0x40));
}
END_TEST

/* ---- Table 6-5: double fault and shutdown ------------------------------ */

START_TEST(test_gp_during_gp_is_double_fault)
{
    struct cpu_state *st = &fx.st;
    /* The #GP gate names a data segment: delivering #GP raises #GP(0x10 + EXT). */
    set_gate(13, SEL_KDATA, HANDLER(13), TYPE_INTR32, 0, true);
    fx.env.explain = true;
    ck_assert_int_eq(deliver(13, INTR_EXCEPTION, true, 0, USER_EIP, USER_EIP), INTR_DELIVERED);
    /* SDM Vol. 3A Table 6-5: contributory then contributory gives #DF, whose
     * error code is 0 (6.15, Interrupt 8). */
    ck_assert_int_eq(fx.log.n, 2);
    ck_assert_int_eq(fx.log.ev[0].vector, 13);
    ck_assert(!fx.log.ev[0].delivered);
    ck_assert_int_eq(fx.log.ev[1].vector, 8);
    ck_assert(fx.log.ev[1].has_error_code);
    ck_assert_uint_eq(fx.log.ev[1].error_code, 0);
    ck_assert(fx.log.ev[1].delivered);
    ck_assert_uint_eq(st->eip, HANDLER(8));
    ck_assert_uint_eq(st->cpl, 0);
    ck_assert_uint_eq(peek32(ESP0 - 24), 0);
    /* The #DF event says which fault made it. */
    ck_assert_ptr_nonnull(strstr(fx.log.ev[1].explain, "#GP while delivering #GP"));
}
END_TEST

START_TEST(test_pf_during_df_is_triple_fault)
{
    struct cpu_state *st = &fx.st;
    enable_paging();
    set_gate(13, SEL_KDATA, HANDLER(13), TYPE_INTR32, 0, true);
    unmap_page(ESP0 - 4); /* the ring-0 stack: #DF cannot push its frame */
    struct cpu_state before = *st;
    /* SDM Vol. 3A Table 6-5 and 6.15 (Interrupt 8): a contributory fault or a
     * page fault while delivering #DF shuts the processor down. */
    ck_assert_int_eq(deliver(13, INTR_EXCEPTION, true, 0, USER_EIP, USER_EIP),
                     INTR_TRIPLE_FAULT);
    ck_assert_int_eq(fx.log.n, 3);
    ck_assert_int_eq(fx.log.ev[0].vector, 13);
    ck_assert(!fx.log.ev[0].delivered);
    ck_assert_int_eq(fx.log.ev[1].vector, 8);
    ck_assert(!fx.log.ev[1].delivered);
    ck_assert_int_eq(fx.log.ev[2].kind, TRACE_TRIPLE_FAULT);
    ck_assert_int_eq(fx.log.ev[2].vector, 14);
    /* Nothing of the failed deliveries reached the registers. */
    ck_assert_uint_eq(st->cpl, 3);
    ck_assert_uint_eq(st->eip, before.eip);
    ck_assert_uint_eq(st->seg[SEG_CS].selector, SEL_UCODE);
    ck_assert_uint_eq(st->gpr[GPR_ESP], USER_ESP);
}
END_TEST

/* The explanation of a triple fault keeps every value of the page walks it
 * quotes, the CR3 at the end of each included: it once lost the fault's CR3
 * to a fixed-width cut of the text. */
START_TEST(test_triple_fault_explanation_keeps_the_walk)
{
    enable_paging();
    unmap_page(IDT); /* every gate lies on a not-present page */
    fx.env.explain = true;
    /* #GP, then #PF reading its gate (serial), #PF reading that gate (#DF),
     * #PF reading the #DF gate: shutdown (SDM Vol. 3A Table 6-5, 6.15). */
    ck_assert_int_eq(deliver(13, INTR_EXCEPTION, true, 0, USER_EIP, USER_EIP),
                     INTR_TRIPLE_FAULT);
    ck_assert_int_eq(fx.log.n, 4);
    ck_assert_int_eq(fx.log.ev[2].vector, 8);
    const char *why = fx.log.ev[3].explain;
    ck_assert_int_eq(fx.log.ev[3].kind, TRACE_TRIPLE_FAULT);
    ck_assert_msg(strstr(why, "triple fault: #PF reading the IDT: supervisor read of "
                              "not-present page 0x00002040: PDE ") == why,
                  "starts wrong: \"%s\"", why);
    ck_assert_msg(strstr(why, ", PTE 0x00000000 (not present) at CR3 0x00010000 while "
                              "delivering #DF, which came from #PF while delivering a nested "
                              "#PF: reading the IDT: supervisor read of not-present page "
                              "0x00002070: PDE ") != NULL,
                  "the walk of the #DF delivery is cut: \"%s\"", why);
    size_t len = strlen(why);
    const char *tail = "(not present) at CR3 0x00010000";
    ck_assert_msg(len > strlen(tail) && strcmp(why + len - strlen(tail), tail) == 0,
                  "the earlier fault's walk is cut: \"%s\"", why);
}
END_TEST

START_TEST(test_benign_then_gp_is_serial)
{
    /* #UD's gate names a data segment: delivering #UD raises #GP(0x10 + 1). */
    set_gate(6, SEL_KDATA, HANDLER(6), TYPE_INTR32, 0, true);
    ck_assert_int_eq(deliver(6, INTR_EXCEPTION, false, 0, USER_EIP, USER_EIP), INTR_DELIVERED);
    /* SDM Vol. 3A Table 6-5: a benign first exception and any second one are
     * handled serially: the #GP is delivered, no #DF. */
    ck_assert_int_eq(fx.log.n, 2);
    ck_assert_int_eq(fx.log.ev[0].vector, 6);
    ck_assert(!fx.log.ev[0].delivered);
    ck_assert_int_eq(fx.log.ev[1].vector, 13);
    ck_assert_uint_eq(fx.log.ev[1].error_code, SEL_KDATA | 1);
    ck_assert(fx.log.ev[1].delivered);
    ck_assert_uint_eq(fx.st.eip, HANDLER(13));
    ck_assert_uint_eq(peek32(ESP0 - 20), USER_EIP);
    ck_assert_uint_eq(peek32(ESP0 - 24), SEL_KDATA | 1);
}
END_TEST

START_TEST(test_contributory_then_pf_is_serial)
{
    /* #GP from ring 3; the ring-0 stack page is not present, so pushing
     * its frame raises #PF, whose handler (conforming) runs on the user
     * stack.  SDM Vol. 3A Table 6-5: contributory then page fault is
     * handled serially. */
    enable_paging();
    unmap_page(ESP0 - 4);
    set_gate(14, SEL_CONF, HANDLER(14), TYPE_INTR32, 0, true);
    ck_assert_int_eq(deliver(13, INTR_EXCEPTION, true, 0, USER_EIP, USER_EIP), INTR_DELIVERED);
    ck_assert_int_eq(fx.log.n, 2);
    ck_assert_int_eq(fx.log.ev[0].vector, 13);
    ck_assert(!fx.log.ev[0].delivered);
    ck_assert_int_eq(fx.log.ev[1].vector, 14);
    ck_assert_uint_eq(fx.log.ev[1].error_code, PAGING_PF_W);
    ck_assert(fx.log.ev[1].delivered);
    ck_assert_uint_eq(fx.st.eip, HANDLER(14));
    ck_assert_uint_eq(fx.st.cr2, ESP0 - 4);
}
END_TEST

START_TEST(test_pf_then_pf_is_double_fault)
{
    /* The same, but the first event is itself a #PF: Table 6-5 gives #DF
     * (error code 0), here delivered through a conforming segment. */
    enable_paging();
    unmap_page(ESP0 - 4);
    set_gate(8, SEL_CONF, HANDLER(8), TYPE_INTR32, 0, true);
    ck_assert_int_eq(deliver(14, INTR_EXCEPTION, true, PAGING_PF_U, USER_EIP, USER_EIP),
                     INTR_DELIVERED);
    ck_assert_int_eq(fx.log.n, 2);
    ck_assert_int_eq(fx.log.ev[0].vector, 14);
    ck_assert(!fx.log.ev[0].delivered);
    ck_assert_int_eq(fx.log.ev[1].vector, 8);
    ck_assert_uint_eq(fx.log.ev[1].error_code, 0);
    ck_assert(fx.log.ev[1].delivered);
    ck_assert_uint_eq(fx.st.eip, HANDLER(8));
    ck_assert_uint_eq(peek32(USER_ESP - 16), 0);
}
END_TEST

START_TEST(test_idt_entry_not_a_gate)
{
    /* A 32-bit call gate (type 12) in the IDT.  Vol. 2A INT n: "IF
     * descriptor is not an interrupt-, trap-, or task-gate type THEN
     * #GP(vector * 8 + 2 + EXT)". */
    set_gate(0x22, SEL_KCODE, HANDLER(0x22), 12, 0, true);
    deliver(0x22, INTR_HARDWARE, false, 0, USER_EIP, USER_EIP);
    ck_assert_int_eq(fx.log.n, 2);
    ck_assert_int_eq(fx.log.ev[1].vector, 13);
    ck_assert_uint_eq(fx.log.ev[1].error_code, 0x22 * 8 + 3);
}
END_TEST

/* ---- the TSS stack: #TS and #SS ---------------------------------------- */

/* #TS and #SS handlers in a conforming ring-0 segment run at CPL 3 on the
 * interrupted stack, so they can be delivered while SS0 is broken. */
static void conforming_fault_handlers(void)
{
    set_gate(10, SEL_CONF, HANDLER(10), TYPE_INTR32, 0, true);
    set_gate(12, SEL_CONF, HANDLER(12), TYPE_INTR32, 0, true);
    set_gate(14, SEL_CONF, HANDLER(14), TYPE_INTR32, 0, true);
    set_gate(0x80, SEL_KCODE, HANDLER(0x80), TYPE_INTR32, 3, true);
}

/* The fault the first attempt raised, as delivered by the second. */
static void expect_second(int vector, uint32_t error_code)
{
    ck_assert_int_eq(fx.log.n, 2);
    ck_assert(!fx.log.ev[0].delivered);
    ck_assert_int_eq(fx.log.ev[1].vector, vector);
    ck_assert(fx.log.ev[1].has_error_code);
    ck_assert_uint_eq(fx.log.ev[1].error_code, error_code);
    ck_assert(fx.log.ev[1].delivered);
    /* Delivered through the conforming segment at CPL 3 (5.8.5). */
    ck_assert_uint_eq(fx.st.cpl, 3);
    ck_assert_uint_eq(fx.st.seg[SEG_CS].selector, SEL_CONF | 3);
    ck_assert_uint_eq(fx.st.eip, HANDLER(vector));
    ck_assert_uint_eq(peek32(USER_ESP - 16), error_code);
    ck_assert_uint_eq(fx.st.gpr[GPR_ESP], USER_ESP - 16);
}

START_TEST(test_tss_ss0_null)
{
    conforming_fault_handlers();
    set_ring0_stack(0, ESP0);
    deliver(0x80, INTR_SOFTWARE, false, 0, USER_EIP, USER_EIP + 2);
    /* Vol. 2A INT n: "IF NewSS is NULL THEN #TS(EXT)": 0 for INT n. */
    expect_second(10, 0);
    /* The fault is reported at the INT instruction. */
    ck_assert_uint_eq(peek32(USER_ESP - 12), USER_EIP);
}
END_TEST

START_TEST(test_tss_ss0_null_external)
{
    conforming_fault_handlers();
    set_ring0_stack(0, ESP0);
    deliver(0x21, INTR_HARDWARE, false, 0, USER_EIP, USER_EIP);
    /* The same check for an IRQ: #TS(EXT) with EXT = 1. */
    expect_second(10, 1);
}
END_TEST

START_TEST(test_tss_ss0_wrong_rpl)
{
    conforming_fault_handlers();
    set_ring0_stack(SEL_KDATA | 3, ESP0);
    deliver(0x80, INTR_SOFTWARE, false, 0, USER_EIP, USER_EIP + 2);
    /* Vol. 2A INT n: "IF NewSS.RPL != new code-segment DPL THEN
     * #TS(SS selector + EXT)". */
    expect_second(10, SEL_KDATA);
}
END_TEST

START_TEST(test_tss_ss0_wrong_rpl_external)
{
    conforming_fault_handlers();
    set_ring0_stack(SEL_KDATA | 3, ESP0);
    deliver(0x21, INTR_HARDWARE, false, 0, USER_EIP, USER_EIP);
    expect_second(10, SEL_KDATA | 1);
}
END_TEST

START_TEST(test_tss_ss0_not_present)
{
    conforming_fault_handlers();
    set_ring0_stack(SEL_KDATA_NP, ESP0);
    deliver(0x80, INTR_SOFTWARE, false, 0, USER_EIP, USER_EIP + 2);
    /* Vol. 2A INT n: "IF new stack segment not present THEN #SS(SS selector
     * + EXT)" -- #SS, not #TS (QEMU 7.2 gives #TS here). */
    expect_second(12, SEL_KDATA_NP);
}
END_TEST

START_TEST(test_ring0_stack_no_room)
{
    conforming_fault_handlers();
    /* A byte-granular ring-0 stack segment ending at 0x8ff0: ESP0 = 0x9000
     * leaves no room for the 20-byte frame.  Vol. 2A INT n: "IF new stack
     * does not have room for 24 bytes (error code pushed) or 20 bytes (no
     * error code) THEN #SS(NewSS + EXT)". */
    set_seg(0x48, 0, 0x8ff0, 0x2, 0, true, true, false);
    fx.st.gdtr.limit = 0x4f;
    set_ring0_stack(0x48, ESP0);
    deliver(0x21, INTR_HARDWARE, false, 0, USER_EIP, USER_EIP);
    expect_second(12, 0x48 | 1);
}
END_TEST

START_TEST(test_ring0_stack_expand_down)
{
    conforming_fault_handlers();
    /* Expand-down: the valid offsets lie above the limit (3.4.5.1).  With
     * limit 0x8ff0 a frame from ESP0 = 0xa000 fits ... */
    set_seg(0x48, 0, 0x8ff0, 0x6, 0, true, true, false);
    fx.st.gdtr.limit = 0x4f;
    set_ring0_stack(0x48, 0xa000);
    ck_assert_int_eq(deliver(0x21, INTR_HARDWARE, false, 0, USER_EIP, USER_EIP),
                     INTR_DELIVERED);
    ck_assert_int_eq(fx.log.n, 1);
    ck_assert_uint_eq(fx.st.gpr[GPR_ESP], 0xa000 - 20);
    ck_assert_uint_eq(peek32(0xa000 - 4), SEL_UDATA);

    /* ... and from ESP0 = 0x9000 it reaches below the limit: #SS. */
    teardown();
    setup();
    conforming_fault_handlers();
    set_seg(0x48, 0, 0x8ff0, 0x6, 0, true, true, false);
    fx.st.gdtr.limit = 0x4f;
    set_ring0_stack(0x48, ESP0);
    deliver(0x21, INTR_HARDWARE, false, 0, USER_EIP, USER_EIP);
    expect_second(12, 0x48 | 1);
}
END_TEST

START_TEST(test_ring0_stack_not_present)
{
    conforming_fault_handlers();
    enable_paging();
    unmap_page(ESP0 - 4);
    deliver(0x21, INTR_HARDWARE, false, 0, USER_EIP, USER_EIP);
    /* SDM Vol. 3A 6.15 (Interrupt 14): a page fault while pushing the frame;
     * CR2 holds the address of the first push, SS at ESP0 - 4.  The access
     * is a supervisor write to a not-present page: error code W = 2 (4.7). */
    expect_second(14, PAGING_PF_W);
    ck_assert_uint_eq(fx.st.cr2, ESP0 - 4);
    for (uint32_t a = ESP0 - 20; a < ESP0; a += 4)
        ck_assert_uint_eq(peek32(a), 0);
}
END_TEST

START_TEST(test_ring0_stack_half_present)
{
    conforming_fault_handlers();
    enable_paging();
    /* The frame straddles a page boundary: SS and ESP fit on the present
     * page above, EFLAGS falls on the not-present page below. */
    uint32_t esp0 = ESP0 + 8;
    set_ring0_stack(SEL_KDATA, esp0);
    unmap_page(ESP0 - 4);
    memset(fx.ram + ESP0, 0xaa, 8);
    deliver(0x21, INTR_HARDWARE, false, 0, USER_EIP, USER_EIP);
    expect_second(14, PAGING_PF_W);
    /* CR2 names the first push that faults; nothing of the frame is
     * written, not even the pushes that would have fitted. */
    ck_assert_uint_eq(fx.st.cr2, ESP0 - 4);
    ck_assert_uint_eq(peek32(ESP0), 0xaaaaaaaau);
    ck_assert_uint_eq(peek32(ESP0 + 4), 0xaaaaaaaau);
}
END_TEST

/* ---- virtual-8086 mode and RF ------------------------------------------ */

START_TEST(test_from_vm86)
{
    struct cpu_state *st = &fx.st;
    static const uint16_t sel[SEG_COUNT] = {
        [SEG_ES] = 0x4000, [SEG_CS] = 0x1000, [SEG_SS] = 0x2000,
        [SEG_DS] = 0x3000, [SEG_FS] = 0x5000, [SEG_GS] = 0x6000,
    };
    for (int r = 0; r < SEG_COUNT; r++) {
        st->seg[r].selector = sel[r];
        st->seg[r].base = (uint32_t)sel[r] << 4;
        st->seg[r].limit = 0xffff;
        st->seg[r].flags = DESC_P | DESC_S | (3u << DESC_DPL_SHIFT) | (3u << DESC_TYPE_SHIFT);
    }
    st->eflags = EFLAGS_FIXED1 | EFLAGS_IF | EFLAGS_VM;
    st->gpr[GPR_ESP] = 0xfffe;
    st->eip = 0x0100;
    ck_assert_int_eq(deliver(0x20, INTR_HARDWARE, false, 0, 0x0100, 0x0100), INTR_DELIVERED);
    /* SDM Vol. 3A 20.3.1.1, Figure 20-4: GS FS DS ES SS ESP EFLAGS CS EIP. */
    ck_assert_uint_eq(peek32(ESP0 - 4), 0x6000);
    ck_assert_uint_eq(peek32(ESP0 - 8), 0x5000);
    ck_assert_uint_eq(peek32(ESP0 - 12), 0x3000);
    ck_assert_uint_eq(peek32(ESP0 - 16), 0x4000);
    ck_assert_uint_eq(peek32(ESP0 - 20), 0x2000);
    ck_assert_uint_eq(peek32(ESP0 - 24), 0xfffe);
    ck_assert_uint_eq(peek32(ESP0 - 28), EFLAGS_FIXED1 | EFLAGS_IF | EFLAGS_VM);
    ck_assert_uint_eq(peek32(ESP0 - 32), 0x1000);
    ck_assert_uint_eq(peek32(ESP0 - 36), 0x0100);
    ck_assert_uint_eq(st->gpr[GPR_ESP], ESP0 - 36);
    /* DS, ES, FS and GS are loaded with null selectors; VM is cleared. */
    ck_assert_uint_eq(st->seg[SEG_DS].selector, 0);
    ck_assert_uint_eq(st->seg[SEG_ES].selector, 0);
    ck_assert_uint_eq(st->seg[SEG_FS].selector, 0);
    ck_assert_uint_eq(st->seg[SEG_GS].selector, 0);
    ck_assert_uint_eq(st->seg[SEG_DS].flags & DESC_P, 0);
    ck_assert_uint_eq(st->eflags & EFLAGS_VM, 0);
    ck_assert_uint_eq(st->cpl, 0);
    ck_assert_uint_eq(st->seg[SEG_CS].selector, SEL_KCODE);
    ck_assert_uint_eq(st->seg[SEG_SS].selector, SEL_KDATA);
    ck_assert_uint_eq(st->eip, HANDLER(0x20));
}
END_TEST

START_TEST(test_rf_in_pushed_eflags)
{
    /* SDM Vol. 3A 17.3.1.1: for a fault the EFLAGS image pushed has RF set,
     * so the restarted instruction takes no instruction breakpoint. */
    deliver(13, INTR_EXCEPTION, true, 0, USER_EIP, USER_EIP);
    ck_assert_uint_eq(peek32(ESP0 - 12), EFLAGS_FIXED1 | EFLAGS_IF | EFLAGS_RF);
    ck_assert_uint_eq(fx.st.eflags & EFLAGS_RF, 0);

    /* INT n is a trap: the image is EFLAGS as it was. */
    teardown();
    setup();
    set_gate(0x80, SEL_KCODE, HANDLER(0x80), TYPE_INTR32, 3, true);
    deliver(0x80, INTR_SOFTWARE, false, 0, USER_EIP, USER_EIP + 2);
    ck_assert_int_eq(fx.log.n, 1);
    ck_assert_uint_eq(peek32(ESP0 - 12), EFLAGS_FIXED1 | EFLAGS_IF);
}
END_TEST

/* ---- real-address mode: the IVT ---------------------------------------- */

#define IVT_HANDLER_SEG 0xf000u
#define IVT_HANDLER_OFF(v) (0xe000u + (uint32_t)(v) * 4u)

/* A CPU just out of reset into real mode, running a boot sector at
 * 0000:7C20 on the stack 0000:7C00, with an IVT at 0 whose vector v points
 * to F000:E000+4v. */
static void real_mode(void)
{
    struct cpu_state *st = &fx.st;
    memset(st, 0, sizeof *st);
    st->cr0 = 0;
    st->idtr.base = 0;
    st->idtr.limit = 0x3ff;
    for (int r = 0; r < SEG_COUNT; r++) {
        st->seg[r].selector = 0;
        st->seg[r].base = 0;
        st->seg[r].limit = 0xffff;
        st->seg[r].flags = DESC_P | DESC_S | (3u << DESC_TYPE_SHIFT);
    }
    st->seg[SEG_CS].flags = DESC_P | DESC_S | (0xbu << DESC_TYPE_SHIFT);
    st->gpr[GPR_ESP] = 0x7c00;
    st->eip = 0x7c20;
    st->eflags = EFLAGS_FIXED1 | EFLAGS_IF | EFLAGS_TF | EFLAGS_AC | EFLAGS_CF | EFLAGS_DF;
    for (int v = 0; v < 256; v++) {
        poke16((uint32_t)v * 4, (uint16_t)IVT_HANDLER_OFF(v));
        poke16((uint32_t)v * 4 + 2, IVT_HANDLER_SEG);
    }
}

START_TEST(test_real_mode_int_n)
{
    struct cpu_state *st = &fx.st;
    real_mode();
    uint32_t flags = st->eflags;
    ck_assert_int_eq(deliver(0x13, INTR_SOFTWARE, false, 0, 0x7c20, 0x7c22), INTR_DELIVERED);
    /* SDM Vol. 2A INT n, REAL-ADDRESS-MODE: push FLAGS, CS, IP (2 bytes each). */
    ck_assert_uint_eq(peek16(0x7bfe), (uint16_t)flags);
    ck_assert_uint_eq(peek16(0x7bfc), 0x0000);
    ck_assert_uint_eq(peek16(0x7bfa), 0x7c22);
    ck_assert_uint_eq(peek16(0x7bf8), 0); /* nothing more */
    ck_assert_uint_eq(st->gpr[GPR_ESP], 0x7bfa);
    /* CS:IP from the IVT entry; CS's base is the selector times 16. */
    ck_assert_uint_eq(st->seg[SEG_CS].selector, IVT_HANDLER_SEG);
    ck_assert_uint_eq(st->seg[SEG_CS].base, IVT_HANDLER_SEG << 4);
    ck_assert_uint_eq(st->seg[SEG_CS].limit, 0xffff);
    ck_assert_uint_eq(st->eip, IVT_HANDLER_OFF(0x13));
    /* IF, TF and AC cleared; the other flags kept. */
    ck_assert_uint_eq(st->eflags, EFLAGS_FIXED1 | EFLAGS_CF | EFLAGS_DF);
    ck_assert_uint_eq(st->cpl, 0);
    /* One event, marked real mode, through the IVT. */
    ck_assert_int_eq(fx.log.n, 1);
    const struct trace_event *ev = &fx.log.ev[0];
    ck_assert(ev->real_mode);
    ck_assert(ev->delivered);
    ck_assert_int_eq(ev->gate, GATE_IVT);
    ck_assert_int_eq(ev->kind, TRACE_SOFTWARE_INT);
    ck_assert_uint_eq(ev->gate_lo, IVT_HANDLER_SEG << 16 | IVT_HANDLER_OFF(0x13));
    ck_assert_uint_eq(ev->after.cs, IVT_HANDLER_SEG);
    ck_assert_uint_eq(ev->after.esp, 0x7bfa);
}
END_TEST

START_TEST(test_real_mode_no_error_code)
{
    struct cpu_state *st = &fx.st;
    real_mode();
    st->seg[SEG_CS].selector = 0x1234;
    st->seg[SEG_CS].base = 0x12340;
    /* A #GP in real mode pushes no error code (SDM Vol. 3A 20.1.4). */
    ck_assert_int_eq(deliver(13, INTR_EXCEPTION, true, 0, 0x0042, 0x0042), INTR_DELIVERED);
    ck_assert_uint_eq(st->gpr[GPR_ESP], 0x7bfa);
    ck_assert_uint_eq(peek16(0x7bfc), 0x1234);
    ck_assert_uint_eq(peek16(0x7bfa), 0x0042);
    ck_assert_uint_eq(peek16(0x7bf8), 0);
    /* And an IRQ the same way, IP of the interrupted instruction. */
    real_mode();
    ck_assert_int_eq(deliver(0x08, INTR_HARDWARE, false, 0, 0x7c20, 0x7c20), INTR_DELIVERED);
    ck_assert_uint_eq(peek16(0x7bfa), 0x7c20);
    ck_assert_uint_eq(st->eip, IVT_HANDLER_OFF(0x08));
}
END_TEST

START_TEST(test_real_mode_stack_segment)
{
    struct cpu_state *st = &fx.st;
    real_mode();
    /* SS 0x1000: the frame goes at 0x10000 + SP; ESP's high half stays. */
    st->seg[SEG_SS].selector = 0x1000;
    st->seg[SEG_SS].base = 0x10000;
    st->gpr[GPR_ESP] = 0xabcd0100;
    deliver(0x10, INTR_SOFTWARE, false, 0, 0x7c20, 0x7c22);
    ck_assert_uint_eq(st->gpr[GPR_ESP], 0xabcd00fa);
    ck_assert_uint_eq(peek16(0x100fa), 0x7c22);
    /* SP 0: the pushes wrap to the top of the segment (0xFFFE down). */
    real_mode();
    st->gpr[GPR_ESP] = 0;
    ck_assert_int_eq(deliver(0x10, INTR_SOFTWARE, false, 0, 0x7c20, 0x7c22), INTR_DELIVERED);
    ck_assert_uint_eq(st->gpr[GPR_ESP], 0xfffa);
    ck_assert_uint_eq(peek16(0xfffa), 0x7c22);
    /* SP 2: the first push at 0, the next ones wrap. */
    real_mode();
    st->gpr[GPR_ESP] = 2;
    ck_assert_int_eq(deliver(0x10, INTR_SOFTWARE, false, 0, 0x7c20, 0x7c22), INTR_DELIVERED);
    ck_assert_uint_eq(st->gpr[GPR_ESP], 0xfffc);
    ck_assert_uint_eq(peek16(0x0000), (uint16_t)(EFLAGS_FIXED1 | EFLAGS_IF | EFLAGS_TF |
                                                  EFLAGS_AC | EFLAGS_CF | EFLAGS_DF));
    ck_assert_uint_eq(peek16(0xfffc), 0x7c22);
    /* A big-real-mode stack (B=1, 4 GiB limit) pushes below ESP. */
    real_mode();
    st->seg[SEG_SS].flags |= DESC_B;
    st->seg[SEG_SS].limit = 0xffffffffu;
    st->gpr[GPR_ESP] = 0x123456;
    deliver(0x10, INTR_SOFTWARE, false, 0, 0x7c20, 0x7c22);
    ck_assert_uint_eq(st->gpr[GPR_ESP], 0x123450);
    ck_assert_uint_eq(peek16(0x123450), 0x7c22);
}
END_TEST

START_TEST(test_real_mode_ivt_limit)
{
    struct cpu_state *st = &fx.st;
    real_mode();
    /* Vectors 0-19 in the limit: INT 0x20 is a #GP, delivered through the
     * IVT, restarting at the INT itself. */
    st->idtr.limit = 0x4f;
    ck_assert_int_eq(deliver(0x20, INTR_SOFTWARE, false, 0, 0x7c20, 0x7c22), INTR_DELIVERED);
    ck_assert_int_eq(fx.log.n, 2);
    ck_assert(!fx.log.ev[0].delivered);
    ck_assert_int_eq(fx.log.ev[1].vector, 13);
    ck_assert(fx.log.ev[1].delivered);
    ck_assert(!fx.log.ev[1].has_error_code); /* real mode: no error code */
    ck_assert_uint_eq(st->eip, IVT_HANDLER_OFF(13));
    ck_assert_uint_eq(peek16(0x7bfa), 0x7c20);
    ck_assert_uint_eq(st->gpr[GPR_ESP], 0x7bfa);
    /* The whole 4-byte entry must be within the limit: vector 19 needs
     * limit 0x4f, 0x4e is a #GP. */
    real_mode();
    fx.log.n = 0;
    st->idtr.limit = 0x4e;
    deliver(0x13, INTR_SOFTWARE, false, 0, 0x7c20, 0x7c22);
    ck_assert_int_eq(fx.log.n, 2);
    ck_assert_uint_eq(st->eip, IVT_HANDLER_OFF(13));
    real_mode();
    fx.log.n = 0;
    st->idtr.limit = 0x4f;
    deliver(0x13, INTR_SOFTWARE, false, 0, 0x7c20, 0x7c22);
    ck_assert_int_eq(fx.log.n, 1);
    ck_assert_uint_eq(st->eip, IVT_HANDLER_OFF(0x13));
    /* Limit 0x23 (vectors 0-8): the #GP is beyond it too, so #DF. */
    real_mode();
    fx.log.n = 0;
    st->idtr.limit = 0x23;
    ck_assert_int_eq(deliver(0x20, INTR_SOFTWARE, false, 0, 0x7c20, 0x7c22), INTR_DELIVERED);
    ck_assert_int_eq(fx.log.n, 3);
    ck_assert_int_eq(fx.log.ev[2].vector, 8);
    ck_assert_uint_eq(st->eip, IVT_HANDLER_OFF(8));
    ck_assert_uint_eq(st->gpr[GPR_ESP], 0x7bfa); /* no error code for #DF either */
    /* Limit 0x1f: #DF is beyond it as well: shutdown (Table 6-5). */
    real_mode();
    memset(fx.ram + 0x7b00, 0, 0x100);
    fx.log.n = 0;
    st->idtr.limit = 0x1f;
    ck_assert_int_eq(deliver(0x20, INTR_SOFTWARE, false, 0, 0x7c20, 0x7c22), INTR_TRIPLE_FAULT);
    ck_assert_int_eq(fx.log.n, 4);
    ck_assert_int_eq(fx.log.ev[3].kind, TRACE_TRIPLE_FAULT);
    ck_assert_uint_eq(peek16(0x7bfe), 0); /* nothing pushed */
}
END_TEST

START_TEST(test_real_mode_stack_straddles_limit)
{
    struct cpu_state *st = &fx.st;
    /* SP 1: the first word would sit at 0xFFFF-0x10000, past the limit:
     * #SS, which cannot be pushed either, then #DF: shutdown. */
    memset(fx.ram, 0, 0x10000);
    real_mode();
    st->gpr[GPR_ESP] = 1;
    ck_assert_int_eq(deliver(0x10, INTR_SOFTWARE, false, 0, 0x7c20, 0x7c22), INTR_TRIPLE_FAULT);
    ck_assert_int_eq(fx.log.ev[1].vector, 12);
    ck_assert_int_eq(fx.log.ev[2].vector, 8);
    ck_assert_uint_eq(peek16(0xfffe), 0);
    ck_assert_uint_eq(st->gpr[GPR_ESP], 1);
    /* A stack segment of limit 0x7bff (left so by protected mode) has no
     * room below SP 0x7c00 for the first word at 0x7bfe. */
    real_mode();
    fx.log.n = 0;
    st->seg[SEG_SS].limit = 0x7bfe;
    ck_assert_int_eq(deliver(0x10, INTR_SOFTWARE, false, 0, 0x7c20, 0x7c22), INTR_TRIPLE_FAULT);
    real_mode();
    st->seg[SEG_SS].limit = 0x7bff;
    ck_assert_int_eq(deliver(0x10, INTR_SOFTWARE, false, 0, 0x7c20, 0x7c22), INTR_DELIVERED);
}
END_TEST

START_TEST(test_real_mode_ivt_outside_ram)
{
    struct cpu_state *st = &fx.st;
    real_mode();
    /* LIDT can move the IVT anywhere; outside RAM it reads as all ones. */
    st->idtr.base = 0xfffff000u;
    ck_assert_int_eq(deliver(0x10, INTR_SOFTWARE, false, 0, 0x7c20, 0x7c22), INTR_DELIVERED);
    ck_assert_uint_eq(st->seg[SEG_CS].selector, 0xffff);
    ck_assert_uint_eq(st->seg[SEG_CS].base, 0xffff0);
    ck_assert_uint_eq(st->eip, 0xffff);
}
END_TEST

static Suite *intr_suite(void)
{
    Suite *s = suite_create("intr");
    TCase *tc = tcase_create("gates");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_ring3_to_ring0_interrupt_gate);
    tcase_add_test(tc, test_trap_gate_keeps_if);
    tcase_add_test(tc, test_same_ring_no_stack_switch);
    tcase_add_test(tc, test_16bit_gate_frame);
    suite_add_tcase(s, tc);

    tc = tcase_create("gate-checks");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_int_n_through_dpl0_gate);
    tcase_add_test(tc, test_irq_through_not_present_gate);
    tcase_add_test(tc, test_vector_beyond_idt_limit);
    tcase_add_test(tc, test_idt_limit_boundary);
    tcase_add_test(tc, test_idt_entry_not_a_gate);
    suite_add_tcase(s, tc);

    tc = tcase_create("double-fault");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_gp_during_gp_is_double_fault);
    tcase_add_test(tc, test_pf_during_df_is_triple_fault);
    tcase_add_test(tc, test_triple_fault_explanation_keeps_the_walk);
    tcase_add_test(tc, test_benign_then_gp_is_serial);
    tcase_add_test(tc, test_contributory_then_pf_is_serial);
    tcase_add_test(tc, test_pf_then_pf_is_double_fault);
    suite_add_tcase(s, tc);

    tc = tcase_create("tss-stack");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_tss_ss0_null);
    tcase_add_test(tc, test_tss_ss0_null_external);
    tcase_add_test(tc, test_tss_ss0_wrong_rpl);
    tcase_add_test(tc, test_tss_ss0_wrong_rpl_external);
    tcase_add_test(tc, test_tss_ss0_not_present);
    tcase_add_test(tc, test_ring0_stack_no_room);
    tcase_add_test(tc, test_ring0_stack_expand_down);
    tcase_add_test(tc, test_ring0_stack_not_present);
    tcase_add_test(tc, test_ring0_stack_half_present);
    suite_add_tcase(s, tc);

    tc = tcase_create("vm86-rf");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_from_vm86);
    tcase_add_test(tc, test_rf_in_pushed_eflags);
    suite_add_tcase(s, tc);
    tc = tcase_create("real mode");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_real_mode_int_n);
    tcase_add_test(tc, test_real_mode_no_error_code);
    tcase_add_test(tc, test_real_mode_stack_segment);
    tcase_add_test(tc, test_real_mode_ivt_limit);
    tcase_add_test(tc, test_real_mode_stack_straddles_limit);
    tcase_add_test(tc, test_real_mode_ivt_outside_ram);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(intr_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
