/* Check suite for the engine: calibration of Unicorn's saved CPU state, and
 * state changes made through begin/commit that must take effect in tiny
 * hand-assembled guests (ring 3 -> ring 0 delivery with a stack switch,
 * #GP error codes, back-to-back exceptions, CR3 switches, block-hook
 * redirection, sysenter, virtual-8086 mode, host writes of code). */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include <unicorn/unicorn.h>

#include "cpu/engine.h"
#include "cpu/feature_words.h"
#include "cpu/live_state.h"

#define RAM_SIZE 0x100000u
#define GDT 0x1000u
#define TSS 0x2000u
#define STACK0 0x9000u
#define STACK3 0x8000u
#define USER 0x11000u  /* ring 3 code */
#define KERNEL 0x12000u /* ring 0 handlers */

#define SEL_CODE0 0x08
#define SEL_DATA0 0x10
#define SEL_CODE3 0x1b
#define SEL_DATA3 0x23
#define SEL_TSS 0x28
#define GDT_LIMIT (6 * 8 - 1)

static uint8_t *ram;
static struct engine *eng;
static uc_engine *uc;
static struct seg_cache code0, data0, code3, data3;

static uint32_t desc_high(uint32_t base, uint32_t limit, uint32_t access, uint32_t gran)
{
    return (base & 0xff000000u) | ((base >> 16) & 0xffu) | (limit & 0xf0000u) | (access << 8) |
           (gran << 20);
}

static void desc_put(unsigned idx, uint32_t base, uint32_t limit, uint32_t access, uint32_t gran)
{
    uint32_t lo = (base << 16) | (limit & 0xffffu), hi = desc_high(base, limit, access, gran);
    memcpy(ram + GDT + idx * 8, &lo, 4);
    memcpy(ram + GDT + idx * 8 + 4, &hi, 4);
}

static uint32_t rd32(uint32_t a)
{
    uint32_t v;
    memcpy(&v, ram + a, 4);
    return v;
}

static void wr32(uint32_t a, uint32_t v)
{
    memcpy(ram + a, &v, 4);
}

static void put(uint32_t at, const uint8_t *code, size_t len)
{
    memcpy(ram + at, code, len);
}

static uint32_t reg(int r)
{
    uint32_t v = 0;
    uc_reg_read(uc, r, &v);
    return v;
}

/* A flat protected-mode machine at ring 0: GDT with ring 0 and ring 3
 * code/data, a 32-bit TSS with SS0:ESP0 = 0x10:0x9000. */
static void setup(void)
{
    char err[256] = "";
    ram = aligned_alloc(4096, RAM_SIZE);
    ck_assert_ptr_nonnull(ram);
    memset(ram, 0, RAM_SIZE);
    eng = engine_open(ram, RAM_SIZE, NULL, err, sizeof err);
    ck_assert_msg(eng != NULL, "engine_open: %s", err);
    uc = (uc_engine *)engine_uc(eng);
    desc_put(1, 0, 0xfffff, 0x9b, 0xc);
    desc_put(2, 0, 0xfffff, 0x93, 0xc);
    desc_put(3, 0, 0xfffff, 0xfb, 0xc);
    desc_put(4, 0, 0xfffff, 0xf3, 0xc);
    desc_put(5, TSS, 0x67, 0x89, 0);
    wr32(TSS + 4, STACK0);
    wr32(TSS + 8, SEL_DATA0);
    uc_x86_mmr gdtr = {.base = GDT, .limit = GDT_LIMIT};
    uc_x86_mmr tr = {.selector = SEL_TSS, .base = TSS, .limit = 0x67, .flags = 0x8b00};
    ck_assert_int_eq(uc_reg_write(uc, UC_X86_REG_GDTR, &gdtr), UC_ERR_OK);
    ck_assert_int_eq(uc_reg_write(uc, UC_X86_REG_TR, &tr), UC_ERR_OK);
    uint16_t sel = SEL_CODE0;
    ck_assert_int_eq(uc_reg_write(uc, UC_X86_REG_CS, &sel), UC_ERR_OK);
    sel = SEL_DATA0;
    ck_assert_int_eq(uc_reg_write(uc, UC_X86_REG_SS, &sel), UC_ERR_OK);
    ck_assert_int_eq(uc_reg_write(uc, UC_X86_REG_DS, &sel), UC_ERR_OK);
    ck_assert_int_eq(uc_reg_write(uc, UC_X86_REG_ES, &sel), UC_ERR_OK);
    uint32_t esp = STACK0;
    ck_assert_int_eq(uc_reg_write(uc, UC_X86_REG_ESP, &esp), UC_ERR_OK);
    code0 = (struct seg_cache){SEL_CODE0, 0, 0xffffffffu, desc_high(0, 0xfffff, 0x9b, 0xc)};
    data0 = (struct seg_cache){SEL_DATA0, 0, 0xffffffffu, desc_high(0, 0xfffff, 0x93, 0xc)};
    code3 = (struct seg_cache){SEL_CODE3, 0, 0xffffffffu, desc_high(0, 0xfffff, 0xfb, 0xc)};
    data3 = (struct seg_cache){SEL_DATA3, 0, 0xffffffffu, desc_high(0, 0xfffff, 0xf3, 0xc)};
}

static void teardown(void)
{
    engine_close(eng);
    free(ram);
    eng = NULL;
}

/* Enter ring 3 between runs through begin/commit. */
static void enter_ring3(uint32_t eip, uint32_t esp, uint32_t eflags)
{
    struct cpu_state st;
    ck_assert(engine_begin_state(eng, &st));
    st.seg[SEG_CS] = code3;
    for (int i = 0; i < SEG_COUNT; i++) {
        if (i != SEG_CS)
            st.seg[i] = data3;
    }
    st.eip = eip;
    st.gpr[GPR_ESP] = esp;
    st.eflags = eflags;
    ck_assert(engine_commit_state(eng, &st));
}

/* What the interrupt hook saw and did. */
struct seen {
    int count;
    uint32_t vector[8];
    uint32_t error[8];
    bool software[8];
    uint32_t handler[256];
};

/* An interrupt-gate delivery to flat ring 0 (SDM Vol. 3A 6.12.1): the
 * stack from the TSS when CPL changes, SS ESP EFLAGS CS EIP and the error
 * code pushed, TF VM RF NT IF cleared.  Vectors without a handler stop. */
static void deliver_hook(uc_engine *u, uint32_t intno, void *user)
{
    struct seen *s = user;
    int i = s->count++;
    if (i < 8) {
        s->vector[i] = intno;
        s->error[i] = engine_pending_error_code(eng);
        s->software[i] = engine_pending_is_software_int(eng);
    }
    if (intno > 255 || s->handler[intno] == 0) {
        uc_emu_stop(u);
        return;
    }
    bool has_error = intno == 8 || (intno >= 10 && intno <= 14) || intno == 17;
    struct cpu_state st;
    ck_assert(engine_begin_state(eng, &st));
    uint32_t esp = st.gpr[GPR_ESP], frame[6];
    int k = 0;
    if (st.cpl != 0) {
        esp = rd32(TSS + 4);
        frame[k++] = st.seg[SEG_SS].selector;
        frame[k++] = st.gpr[GPR_ESP];
    }
    frame[k++] = st.eflags;
    frame[k++] = st.seg[SEG_CS].selector;
    frame[k++] = st.eip;
    if (has_error)
        frame[k++] = engine_pending_error_code(eng);
    for (int j = 0; j < k; j++) {
        esp -= 4;
        ck_assert(engine_phys_write(eng, esp, &frame[j], 4));
    }
    st.gpr[GPR_ESP] = esp;
    st.seg[SEG_CS] = code0;
    st.seg[SEG_SS] = data0;
    st.eflags &= ~(EFLAGS_TF | EFLAGS_VM | EFLAGS_RF | EFLAGS_NT | EFLAGS_IF);
    st.eip = s->handler[intno];
    ck_assert(engine_commit_state(eng, &st));
}

START_TEST(test_open_calibrates)
{
    char line[1024];
    engine_describe(eng, line, sizeof line);
    ck_assert_ptr_nonnull(strstr(line, "old_exception"));
    ck_assert_ptr_eq(engine_ram(eng), ram);
    ck_assert_uint_eq(engine_ram_size(eng), RAM_SIZE);

    /* Right after open the state reads as Unicorn's 32-bit reset state. */
    struct cpu_state st;
    ck_assert(engine_begin_state(eng, &st));
    ck_assert_uint_eq(st.cpl, 0);
    ck_assert_uint_eq(st.seg[SEG_CS].selector, SEL_CODE0);
    ck_assert_uint_eq(st.gpr[GPR_ESP], STACK0);
    ck_assert_uint_eq(st.gdtr.base, GDT);
    ck_assert_uint_eq(st.tr.base, TSS);
    ck_assert(st.cr0 & CR0_PE);
    ck_assert(engine_commit_state(eng, &st));
    /* A second commit without a begin is refused. */
    ck_assert(!engine_commit_state(eng, &st));
}
END_TEST

/* The state is changed where the engine keeps it: found at open on this
 * Unicorn, and a commit is what the register API then reads. */
START_TEST(test_state_in_place)
{
    ck_assert(engine_state_in_place(eng));
    char line[1024];
    engine_describe(eng, line, sizeof line);
    ck_assert_ptr_nonnull(strstr(line, "in place"));
    struct cpu_state st;
    ck_assert(engine_begin_state(eng, &st));
    st.gpr[GPR_EBX] = 0x600dcafe;
    st.gpr[GPR_EDI] = 0x12345678;
    ck_assert(engine_commit_state(eng, &st));
    uint32_t ebx = 0, edi = 0;
    ck_assert_int_eq(uc_reg_read(engine_uc(eng), UC_X86_REG_EBX, &ebx), UC_ERR_OK);
    ck_assert_int_eq(uc_reg_read(engine_uc(eng), UC_X86_REG_EDI, &edi), UC_ERR_OK);
    ck_assert_uint_eq(ebx, 0x600dcafe);
    ck_assert_uint_eq(edi, 0x12345678);
    /* And the other way: a register written through the API reads back. */
    uint32_t eax = 0xfeedf00d;
    ck_assert_int_eq(uc_reg_write(engine_uc(eng), UC_X86_REG_EAX, &eax), UC_ERR_OK);
    ck_assert(engine_read_state(eng, &st));
    ck_assert_uint_eq(st.gpr[GPR_EAX], 0xfeedf00d);
}
END_TEST

/* SMAP for a model without it: before, STAC is #UD and a CR4 write drops
 * the bit; after engine_add_leaf7_features, STAC sets AC and CR4 keeps it. */
START_TEST(test_add_smap)
{
    /* mov eax, cr4; or eax, 1 << 21; mov cr4, eax; mov ebx, cr4; stac; hlt */
    static const uint8_t code[] = {0x0f, 0x20, 0xe0, 0x0d, 0x00, 0x00, 0x20, 0x00, 0x0f,
                                   0x22, 0xe0, 0x0f, 0x20, 0xe3, 0x0f, 0x01, 0xcb, 0xf4};
    put(0x1000, code, sizeof code);
    ck_assert_int_eq(engine_run(eng, 0x1000), ENGINE_INVALID);
    ck_assert_uint_eq(reg(UC_X86_REG_EBX) & (1u << 21), 0);
    ck_assert_uint_eq(reg(UC_X86_REG_EIP), 0x1000 + 14);
    ck_assert(engine_add_leaf7_features(eng, CPUID_7_EBX_SMEP | CPUID_7_EBX_SMAP));
    uint32_t cr4 = 0;
    ck_assert_int_eq(uc_reg_write(uc, UC_X86_REG_CR4, &cr4), UC_ERR_OK);
    ck_assert_int_eq(engine_run(eng, 0x1000), ENGINE_RETURNED);
    ck_assert_uint_ne(reg(UC_X86_REG_EBX) & (1u << 21), 0);
    ck_assert_uint_ne(reg(UC_X86_REG_EFLAGS) & (1u << 18), 0);
    /* The model's CPUID is not the engine's business. */
    uint32_t r[4];
    engine_model_cpuid(eng, 1, 0, r);
    ck_assert_uint_eq(r[0] & 0xf00u, 0x600u); /* still qemu32's family 6 */
}
END_TEST

/* live_state_find: the one other place holding the bytes, or none. */
START_TEST(test_live_state_find_is_unique)
{
    enum { LEN = 4096 };
    uint8_t *original = malloc(LEN), *copy = malloc(LEN), *second = malloc(LEN);
    ck_assert(original && copy && second);
    for (int i = 0; i < LEN; i++)
        original[i] = (uint8_t)(i * 7 + 0x5a);
    memcpy(original, "live-state-test!", 16);
    memcpy(copy, original, LEN);
    struct live_state_skip skip[] = {{copy, LEN}, {second, LEN}};
    ck_assert_ptr_eq(live_state_find(copy, LEN, skip, 1 + 1), original);
    /* A second copy not skipped: which one is live is not known. */
    memcpy(second, original, LEN);
    ck_assert_ptr_null(live_state_find(copy, LEN, skip, 1));
    /* Nothing else like it: none. */
    original[LEN - 1] ^= 0xff;
    second[LEN - 1] ^= 0xff;
    ck_assert_ptr_null(live_state_find(copy, LEN, skip, 1));
    free(original);
    free(copy);
    free(second);
}
END_TEST

START_TEST(test_open_rejects_bad_ram)
{
    char err[256] = "";
    ck_assert_ptr_null(engine_open(ram + 1, 0x1000, NULL, err, sizeof err));
    ck_assert_ptr_nonnull(strstr(err, "page aligned"));
    ck_assert_ptr_null(strchr(err, '\n'));
}
END_TEST

START_TEST(test_int80_reaches_ring0_with_stack_switch)
{
    static const uint8_t user[] = {
        0xb8, 0x11, 0x11, 0x11, 0x11, /* mov eax, 0x11111111 */
        0xcd, 0x80,                   /* int 0x80 */
        0xf4,                         /* (not reached) */
    };
    static const uint8_t handler[] = {0xbb, 0x22, 0x22, 0x22, 0x22, 0xf4}; /* mov ebx; hlt */
    put(USER, user, sizeof user);
    put(KERNEL, handler, sizeof handler);
    struct seen s = {0};
    s.handler[0x80] = KERNEL;
    uc_hook h;
    ck_assert_int_eq(uc_hook_add(uc, &h, UC_HOOK_INTR, (void *)deliver_hook, &s, 1, 0), UC_ERR_OK);
    enter_ring3(USER, STACK3, EFLAGS_FIXED1 | EFLAGS_IF);

    struct cpu_state st;
    ck_assert(engine_begin_state(eng, &st));
    ck_assert_uint_eq(st.cpl, 3);
    ck_assert(engine_commit_state(eng, &st));

    ck_assert_int_eq(uc_emu_start(uc, USER, 0, 0, 0), UC_ERR_OK);
    ck_assert_int_eq(s.count, 1);
    ck_assert_uint_eq(s.vector[0], 0x80);
    ck_assert(s.software[0]);
    ck_assert(engine_begin_state(eng, &st));
    /* hlt at CPL 0 ends the run with EIP after it. */
    ck_assert_uint_eq(st.eip, KERNEL + sizeof handler);
    ck_assert_uint_eq(st.cpl, 0);
    ck_assert_uint_eq(st.seg[SEG_CS].selector, SEL_CODE0);
    ck_assert_uint_eq(st.seg[SEG_SS].selector, SEL_DATA0);
    ck_assert_uint_eq(st.gpr[GPR_EAX], 0x11111111u);
    ck_assert_uint_eq(st.gpr[GPR_EBX], 0x22222222u);
    ck_assert(!(st.eflags & EFLAGS_IF));
    /* SDM Vol. 3A Figure 6-4: SS ESP EFLAGS CS EIP on the ring 0 stack. */
    uint32_t sp = STACK0 - 20;
    ck_assert_uint_eq(st.gpr[GPR_ESP], sp);
    ck_assert_uint_eq(rd32(sp), USER + 7);
    ck_assert_uint_eq(rd32(sp + 4), SEL_CODE3);
    ck_assert(rd32(sp + 8) & EFLAGS_IF);
    ck_assert_uint_eq(rd32(sp + 12), STACK3);
    ck_assert_uint_eq(rd32(sp + 16), SEL_DATA3);
    ck_assert(engine_commit_state(eng, &st));
}
END_TEST

/* Ring 3 loads DS with selectors beyond the GDT limit twice: each load is
 * #GP(selector); the handler skips the 2-byte mov and returns with iretd. */
START_TEST(test_gp_error_codes_and_no_false_double_fault)
{
    static const uint8_t user[] = {
        0x66, 0xb8, 0x70, 0x00, /* mov ax, 0x70 */
        0x8e, 0xd8,             /* mov ds, ax: #GP(0x70) */
        0x66, 0xb8, 0x7b, 0x00, /* mov ax, 0x7b (RPL 3) */
        0x8e, 0xd8,             /* mov ds, ax: #GP(0x78) */
        0x31, 0xc9,             /* xor ecx, ecx */
        0xf7, 0xf1,             /* div ecx: #DE */
        0xcd, 0x81,             /* int 0x81: stop */
    };
    /* add esp, 4; add dword [esp], 2; iretd */
    static const uint8_t gp[] = {0x83, 0xc4, 0x04, 0x83, 0x04, 0x24, 0x02, 0xcf};
    static const uint8_t de[] = {0x83, 0x04, 0x24, 0x02, 0xcf}; /* add dword [esp], 2; iretd */
    put(USER, user, sizeof user);
    put(KERNEL, gp, sizeof gp);
    put(KERNEL + 0x100, de, sizeof de);
    struct seen s = {0};
    s.handler[13] = KERNEL;
    s.handler[0] = KERNEL + 0x100;
    uc_hook h;
    ck_assert_int_eq(uc_hook_add(uc, &h, UC_HOOK_INTR, (void *)deliver_hook, &s, 1, 0), UC_ERR_OK);
    enter_ring3(USER, STACK3, EFLAGS_FIXED1);
    ck_assert_int_eq(uc_emu_start(uc, USER, 0, 0, 0), UC_ERR_OK);
    ck_assert_int_eq(s.count, 4);
    /* Each fault arrives as itself, not as #DF (8). */
    ck_assert_uint_eq(s.vector[0], 13);
    ck_assert_uint_eq(s.error[0], 0x70);
    ck_assert(!s.software[0]);
    ck_assert_uint_eq(s.vector[1], 13);
    ck_assert_uint_eq(s.error[1], 0x78); /* SDM 6.13: the RPL field is not in the error code */
    ck_assert_uint_eq(s.vector[2], 0);
    ck_assert_uint_eq(s.vector[3], 0x81);
    ck_assert(s.software[3]);
    ck_assert_uint_eq(reg(UC_X86_REG_EIP), USER + sizeof user);
}
END_TEST

/* Two page directories map linear 0x400000 to different frames; a commit
 * that changes CR3 makes the next load see the other frame. */
START_TEST(test_cr3_change_takes_effect)
{
    const uint32_t pd1 = 0x50000, pd2 = 0x52000, pt0 = 0x51000, pt1 = 0x53000, pt2 = 0x54000;
    for (uint32_t i = 0; i < 256; i++)
        wr32(pt0 + 4 * i, (i << 12) | 7); /* identity for the first MiB */
    wr32(pt1, 0x60000 | 7);
    wr32(pt2, 0x61000 | 7);
    wr32(pd1, pt0 | 7);
    wr32(pd1 + 4, pt1 | 7);
    wr32(pd2, pt0 | 7);
    wr32(pd2 + 4, pt2 | 7);
    wr32(0x60000, 0xaaaa0001u);
    wr32(0x61000, 0xbbbb0002u);
    static const uint8_t code[] = {
        0xa1, 0x00, 0x00, 0x40, 0x00, /* mov eax, [0x400000] */
        0xf4,
    };
    put(KERNEL, code, sizeof code);

    struct cpu_state st;
    ck_assert(engine_begin_state(eng, &st));
    st.cr3 = pd1;
    st.cr0 |= CR0_PG;
    ck_assert(engine_commit_state(eng, &st));
    ck_assert_int_eq(uc_emu_start(uc, KERNEL, 0, 0, 0), UC_ERR_OK);
    ck_assert_uint_eq(reg(UC_X86_REG_EAX), 0xaaaa0001u);

    ck_assert(engine_begin_state(eng, &st));
    ck_assert_uint_eq(st.cr3, pd1);
    ck_assert(st.cr0 & CR0_PG);
    st.cr3 = pd2;
    ck_assert(engine_commit_state(eng, &st));
    ck_assert_uint_eq(reg(UC_X86_REG_CR3), pd2);
    ck_assert_int_eq(uc_emu_start(uc, KERNEL, 0, 0, 0), UC_ERR_OK);
    ck_assert_uint_eq(reg(UC_X86_REG_EAX), 0xbbbb0002u);

    /* CR2 written through the commit leaves CR3 alone. */
    ck_assert(engine_begin_state(eng, &st));
    st.cr2 = 0x00c0ffeeu;
    ck_assert(engine_commit_state(eng, &st));
    ck_assert_uint_eq(reg(UC_X86_REG_CR2), 0x00c0ffeeu);
    ck_assert_uint_eq(reg(UC_X86_REG_CR3), pd2);
}
END_TEST

struct redirect {
    uint32_t from, to;
};

static void redirect_hook(uc_engine *u, uint64_t addr, uint32_t size, void *user)
{
    (void)u;
    (void)size;
    struct redirect *r = user;
    if (addr != r->from)
        return;
    struct cpu_state st;
    ck_assert(engine_begin_state(eng, &st));
    st.eip = r->to;
    st.gpr[GPR_ESI] = 0x5a5a5a5au;
    ck_assert(engine_commit_state(eng, &st));
    ck_assert(engine_goto(eng, r->to));
}

START_TEST(test_block_hook_goto)
{
    static const uint8_t code[] = {
        0xb8, 0x01, 0x00, 0x00, 0x00, /* 0x12000: mov eax, 1 */
        0xe9, 0x06, 0x00, 0x00, 0x00, /* jmp 0x12010 */
        0, 0, 0, 0, 0, 0,
        0xbb, 0x02, 0x00, 0x00, 0x00, /* 0x12010: mov ebx, 2 */
        0xf4,
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
        0xb9, 0x03, 0x00, 0x00, 0x00, /* 0x12020: mov ecx, 3 */
        0xf4,
    };
    put(KERNEL, code, sizeof code);
    struct redirect r = {KERNEL + 0x10, KERNEL + 0x20};
    uc_hook h;
    ck_assert_int_eq(uc_hook_add(uc, &h, UC_HOOK_BLOCK, (void *)redirect_hook, &r, 1, 0), UC_ERR_OK);
    ck_assert_int_eq(uc_emu_start(uc, KERNEL, 0, 0, 0), UC_ERR_OK);
    ck_assert_uint_eq(reg(UC_X86_REG_EAX), 1);
    ck_assert_uint_eq(reg(UC_X86_REG_EBX), 0); /* the redirected block never ran */
    ck_assert_uint_eq(reg(UC_X86_REG_ECX), 3);
    ck_assert_uint_eq(reg(UC_X86_REG_ESI), 0x5a5a5a5au);
    ck_assert_uint_eq(reg(UC_X86_REG_EIP), KERNEL + 0x26);
}
END_TEST

struct sysenter_seen {
    uint32_t block_start, block_size, sysenter_at;
};

static void sysenter_block_hook(uc_engine *u, uint64_t addr, uint32_t size, void *user)
{
    (void)u;
    struct sysenter_seen *s = user;
    s->block_start = (uint32_t)addr;
    s->block_size = size;
}

/* A minimal SYSENTER (SDM Vol. 2B): flat ring 0, ESP from the TSS stand-in,
 * IF VM RF cleared; EIP minus the 2 the engine adds afterwards. */
static void sysenter_hook(uc_engine *u, void *user)
{
    (void)u;
    struct sysenter_seen *s = user;
    s->sysenter_at = s->block_start + s->block_size - 2;
    struct cpu_state st;
    ck_assert(engine_begin_state(eng, &st));
    st.seg[SEG_CS] = code0;
    st.seg[SEG_SS] = data0;
    st.gpr[GPR_ESP] = STACK0;
    st.gpr[GPR_EDI] = s->sysenter_at + 2;
    st.eflags &= ~(EFLAGS_IF | EFLAGS_VM | EFLAGS_RF);
    st.eip = KERNEL - 2;
    ck_assert(engine_commit_state(eng, &st));
}

START_TEST(test_sysenter_exact_target_and_flags_kept)
{
    static const uint8_t user[] = {
        0xb8, 0x01, 0x00, 0x00, 0x00, /* mov eax, 1 */
        0x83, 0xf8, 0x01,             /* cmp eax, 1: ZF=1 */
        0xf9,                         /* stc: CF=1 */
        0x0f, 0x34,                   /* sysenter */
    };
    static const uint8_t kernel[] = {0x9c, 0x5e, 0xf4}; /* pushfd; pop esi; hlt */
    put(USER, user, sizeof user);
    put(KERNEL, kernel, sizeof kernel);
    struct sysenter_seen s = {0};
    uc_hook h1, h2;
    ck_assert_int_eq(uc_hook_add(uc, &h1, UC_HOOK_BLOCK, (void *)sysenter_block_hook, &s, 1, 0),
                     UC_ERR_OK);
    ck_assert_int_eq(uc_hook_add(uc, &h2, UC_HOOK_INSN, (void *)sysenter_hook, &s, 1, 0,
                                 UC_X86_INS_SYSENTER),
                     UC_ERR_OK);
    enter_ring3(USER, STACK3, EFLAGS_FIXED1 | EFLAGS_IF);
    ck_assert_int_eq(uc_emu_start(uc, USER, 0, 0, 0), UC_ERR_OK);
    ck_assert_uint_eq(s.sysenter_at, USER + 9);
    ck_assert_uint_eq(reg(UC_X86_REG_EIP), KERNEL + sizeof kernel);
    ck_assert_uint_eq(reg(UC_X86_REG_CS), SEL_CODE0);
    ck_assert_uint_eq(reg(UC_X86_REG_EDI), USER + sizeof user);
    uint32_t fl = reg(UC_X86_REG_ESI);
    ck_assert(fl & EFLAGS_CF);
    ck_assert(fl & (1u << 6)); /* ZF */
    ck_assert(!(fl & EFLAGS_IF));
}
END_TEST

struct shadow_seen {
    int count;
    uint32_t addr[8];
    bool inhibited[8];
};

static void shadow_hook(uc_engine *u, uint64_t addr, uint32_t size, void *user)
{
    (void)u;
    (void)size;
    struct shadow_seen *s = user;
    struct cpu_state st;
    ck_assert(engine_begin_state(eng, &st));
    ck_assert(engine_commit_state(eng, &st));
    if (s->count < 8) {
        s->addr[s->count] = (uint32_t)addr;
        s->inhibited[s->count] = st.irq_inhibited;
    }
    s->count++;
}

/* SDM Vol. 3A 6.8.3: the instruction after STI or MOV SS runs before any
 * interrupt.  The engine runs it as a block of its own, and the block hook
 * sees the shadow on it only. */
START_TEST(test_irq_shadow_visible_in_block_hook)
{
    static const uint8_t code[] = {
        0xfa,                   /* 0x12000: cli */
        0xfb,                   /* sti */
        0x90,                   /* 0x12002: nop (in the shadow) */
        0x90,                   /* 0x12003: nop */
        0x66, 0xb8, 0x10, 0x00, /* mov ax, 0x10 */
        0x8e, 0xd0,             /* mov ss, ax */
        0x90,                   /* 0x1200a: nop (in the shadow) */
        0x90,                   /* 0x1200b: nop */
        0xf4,
    };
    put(KERNEL, code, sizeof code);
    struct shadow_seen s = {0};
    uc_hook h;
    ck_assert_int_eq(uc_hook_add(uc, &h, UC_HOOK_BLOCK, (void *)shadow_hook, &s, 1, 0), UC_ERR_OK);
    ck_assert_int_eq(uc_emu_start(uc, KERNEL, 0, 0, 0), UC_ERR_OK);
    ck_assert_int_eq(s.count, 5);
    const uint32_t at[5] = {KERNEL, KERNEL + 2, KERNEL + 3, KERNEL + 10, KERNEL + 11};
    const bool shadow[5] = {false, true, false, true, false};
    for (int i = 0; i < 5; i++) {
        ck_assert_uint_eq(s.addr[i], at[i]);
        ck_assert_int_eq(s.inhibited[i], shadow[i]);
    }
}
END_TEST

static struct seg_cache v86_seg(uint16_t sel)
{
    return (struct seg_cache){sel, (uint32_t)sel << 4, 0xffff, 0xf300};
}

/* From virtual-8086 mode to ring 0 (SDM Vol. 3A 20.3.1.1, Figure 20-5): the
 * frame also holds GS FS DS ES, and the data segments become null. */
static void v86_hook(uc_engine *u, uint32_t intno, void *user)
{
    struct seen *s = user;
    int i = s->count++;
    if (i < 8)
        s->vector[i] = intno;
    if (intno != 0x80) {
        uc_emu_stop(u);
        return;
    }
    struct cpu_state st;
    ck_assert(engine_begin_state(eng, &st));
    ck_assert_uint_eq(st.cpl, 3);
    ck_assert(st.eflags & EFLAGS_VM);
    uint32_t esp = rd32(TSS + 4);
    uint32_t frame[9] = {st.seg[SEG_GS].selector, st.seg[SEG_FS].selector, st.seg[SEG_DS].selector,
                         st.seg[SEG_ES].selector, st.seg[SEG_SS].selector, st.gpr[GPR_ESP],
                         st.eflags, st.seg[SEG_CS].selector, st.eip};
    for (int j = 0; j < 9; j++) {
        esp -= 4;
        ck_assert(engine_phys_write(eng, esp, &frame[j], 4));
    }
    st.eflags &= ~(EFLAGS_VM | EFLAGS_TF | EFLAGS_RF | EFLAGS_NT | EFLAGS_IF);
    st.seg[SEG_CS] = code0;
    st.seg[SEG_SS] = data0;
    st.seg[SEG_DS] = st.seg[SEG_ES] = st.seg[SEG_FS] = st.seg[SEG_GS] = (struct seg_cache){0, 0, 0, 0};
    st.gpr[GPR_ESP] = esp;
    st.eip = s->handler[0x80];
    ck_assert(engine_commit_state(eng, &st));
}

START_TEST(test_v86_round_trip)
{
    static const uint8_t v86[] = {
        0xb8, 0x34, 0x12,                   /* mov ax, 0x1234 */
        0xcd, 0x80,                         /* int 0x80 (IOPL 3) */
        0xbb, 0x78, 0x56,                   /* mov bx, 0x5678 */
        0x66, 0x8b, 0x0e, 0x00, 0x01,       /* mov ecx, [0x100] (DS-relative) */
        0xf4,                               /* hlt: #GP in V86 */
    };
    static const uint8_t handler[] = {0x89, 0xe5, 0xcf}; /* mov ebp, esp; iretd */
    put(0x10000, v86, sizeof v86);
    put(KERNEL, handler, sizeof handler);
    wr32(0x20100, 0xabcd1234u);
    struct seen s = {0};
    s.handler[0x80] = KERNEL;
    uc_hook h;
    ck_assert_int_eq(uc_hook_add(uc, &h, UC_HOOK_INTR, (void *)v86_hook, &s, 1, 0), UC_ERR_OK);

    struct cpu_state st;
    ck_assert(engine_begin_state(eng, &st));
    st.eflags = EFLAGS_FIXED1 | EFLAGS_VM | (3u << EFLAGS_IOPL_SHIFT);
    st.seg[SEG_CS] = v86_seg(0x1000);
    st.seg[SEG_SS] = v86_seg(0x0700);
    st.seg[SEG_DS] = v86_seg(0x2000);
    st.seg[SEG_ES] = v86_seg(0x3000);
    st.seg[SEG_FS] = st.seg[SEG_GS] = v86_seg(0);
    st.eip = 0;
    st.gpr[GPR_ESP] = 0x100;
    ck_assert(engine_commit_state(eng, &st));
    ck_assert(engine_begin_state(eng, &st));
    ck_assert_uint_eq(st.cpl, 3);
    ck_assert(engine_commit_state(eng, &st));

    ck_assert_int_eq(uc_emu_start(uc, 0, 0, 0, 0), UC_ERR_OK);
    ck_assert_int_eq(s.count, 2);
    ck_assert_uint_eq(s.vector[0], 0x80);
    ck_assert_uint_eq(s.vector[1], 13);
    /* The ring 0 frame, as the handler saw it before its iretd. */
    uint32_t fp = reg(UC_X86_REG_EBP);
    ck_assert_uint_eq(fp, STACK0 - 36);
    ck_assert_uint_eq(rd32(fp), 5);
    ck_assert_uint_eq(rd32(fp + 4), 0x1000);
    ck_assert_uint_eq(rd32(fp + 12), 0x100);
    ck_assert_uint_eq(rd32(fp + 16), 0x0700);
    ck_assert_uint_eq(rd32(fp + 20), 0x3000);
    ck_assert_uint_eq(rd32(fp + 24), 0x2000);
    /* Back in V86 after the native iretd. */
    ck_assert(engine_begin_state(eng, &st));
    ck_assert(st.eflags & EFLAGS_VM);
    ck_assert_uint_eq(st.cpl, 3);
    ck_assert_uint_eq(st.eip, 13);
    ck_assert_uint_eq(st.gpr[GPR_EBX] & 0xffff, 0x5678);
    ck_assert_uint_eq(st.gpr[GPR_ECX], 0xabcd1234u);
    ck_assert(engine_commit_state(eng, &st));
}
END_TEST

START_TEST(test_phys_write_discards_code)
{
    static const uint8_t code[] = {0xb8, 0x11, 0x00, 0x00, 0x00, 0xf4}; /* mov eax, 0x11; hlt */
    put(KERNEL, code, sizeof code);
    ck_assert_int_eq(uc_emu_start(uc, KERNEL, 0, 0, 0), UC_ERR_OK);
    ck_assert_uint_eq(reg(UC_X86_REG_EAX), 0x11);
    uint32_t v = 0x22;
    ck_assert(engine_phys_write(eng, KERNEL + 1, &v, 4));
    ck_assert_int_eq(uc_emu_start(uc, KERNEL, 0, 0, 0), UC_ERR_OK);
    ck_assert_uint_eq(reg(UC_X86_REG_EAX), 0x22);
    /* A store through the RAM pointer needs engine_discard_code. */
    wr32(KERNEL + 1, 0x33);
    ck_assert(engine_discard_code(eng, KERNEL, sizeof code));
    ck_assert_int_eq(uc_emu_start(uc, KERNEL, 0, 0, 0), UC_ERR_OK);
    ck_assert_uint_eq(reg(UC_X86_REG_EAX), 0x33);
    ck_assert(!engine_phys_write(eng, RAM_SIZE - 2, &v, 4));
}
END_TEST

START_TEST(test_msr_round_trip)
{
    uint64_t v = 0;
    ck_assert(engine_write_msr(eng, 0x176, 0xc0001234u)); /* IA32_SYSENTER_EIP */
    ck_assert(engine_read_msr(eng, 0x176, &v));
    ck_assert_uint_eq(v, 0xc0001234u);
}
END_TEST

/* A snapshot taken with one page directory, restored after CR3, the
 * registers and the flags changed: the old mapping is in force again (the
 * TLB entry made meanwhile is gone) and every register is back. */
START_TEST(test_snapshot_restores_cpu_and_drops_tlb)
{
    const uint32_t pd1 = 0x50000, pd2 = 0x52000, pt0 = 0x51000, pt1 = 0x53000, pt2 = 0x54000;
    for (uint32_t i = 0; i < 256; i++)
        wr32(pt0 + 4 * i, (i << 12) | 7);
    wr32(pt1, 0x60000 | 7);
    wr32(pt2, 0x61000 | 7);
    wr32(pd1, pt0 | 7);
    wr32(pd1 + 4, pt1 | 7);
    wr32(pd2, pt0 | 7);
    wr32(pd2 + 4, pt2 | 7);
    wr32(0x60000, 0xaaaa0001u);
    wr32(0x61000, 0xbbbb0002u);
    static const uint8_t code[] = {
        0xa1, 0x00, 0x00, 0x40, 0x00, /* mov eax, [0x400000] */
        0x39, 0xc0,                   /* cmp eax, eax: ZF=1 PF=1 */
        0xf4,
    };
    put(KERNEL, code, sizeof code);
    struct cpu_state st;
    ck_assert(engine_begin_state(eng, &st));
    st.cr3 = pd1;
    st.cr0 |= CR0_PG;
    st.gpr[GPR_EBX] = 0x1234;
    ck_assert(engine_commit_state(eng, &st));
    ck_assert_int_eq(uc_emu_start(uc, KERNEL, 0, 0, 0), UC_ERR_OK);
    ck_assert_uint_eq(reg(UC_X86_REG_EAX), 0xaaaa0001u);

    void *snap = malloc(engine_snapshot_size(eng));
    ck_assert_ptr_nonnull(snap);
    ck_assert(engine_snapshot_save(eng, snap));
    uint32_t eflags_then = reg(UC_X86_REG_EFLAGS), eip_then = reg(UC_X86_REG_EIP);

    ck_assert(engine_begin_state(eng, &st));
    st.cr3 = pd2;
    st.gpr[GPR_EBX] = 0x5678;
    ck_assert(engine_commit_state(eng, &st));
    static const uint8_t other[] = {0xa1, 0x00, 0x00, 0x40, 0x00, 0x31, 0xc9, 0x41, 0xf4};
    put(KERNEL + 0x100, other, sizeof other); /* mov eax, [0x400000]; xor ecx, ecx; inc ecx; hlt */
    ck_assert_int_eq(uc_emu_start(uc, KERNEL + 0x100, 0, 0, 0), UC_ERR_OK);
    ck_assert_uint_eq(reg(UC_X86_REG_EAX), 0xbbbb0002u);
    ck_assert_uint_ne(reg(UC_X86_REG_EFLAGS), eflags_then);

    ck_assert(engine_snapshot_restore(eng, snap));
    ck_assert_uint_eq(reg(UC_X86_REG_CR3), pd1);
    ck_assert_uint_eq(reg(UC_X86_REG_EBX), 0x1234);
    ck_assert_uint_eq(reg(UC_X86_REG_EIP), eip_then);
    ck_assert_uint_eq(reg(UC_X86_REG_EFLAGS), eflags_then);
    /* The load through the restored CR3 sees the first frame again. */
    ck_assert_int_eq(uc_emu_start(uc, KERNEL, 0, 0, 0), UC_ERR_OK);
    ck_assert_uint_eq(reg(UC_X86_REG_EAX), 0xaaaa0001u);
    /* And the CPU state read through begin/commit agrees. */
    ck_assert(engine_begin_state(eng, &st));
    ck_assert_uint_eq(st.cr3, pd1);
    ck_assert_uint_eq(st.gpr[GPR_EBX], 0x1234);
    ck_assert(engine_commit_state(eng, &st));
    free(snap);
}
END_TEST

/* A restored snapshot runs the code that is in RAM now, not translations
 * made from what was there when it was taken. */
START_TEST(test_snapshot_restore_drops_translations)
{
    static const uint8_t code[] = {0xb8, 0x11, 0x00, 0x00, 0x00, 0xf4}; /* mov eax, 0x11; hlt */
    put(KERNEL, code, sizeof code);
    uint32_t eip = KERNEL;
    ck_assert_int_eq(uc_reg_write(uc, UC_X86_REG_EIP, &eip), UC_ERR_OK);
    void *snap = malloc(engine_snapshot_size(eng));
    ck_assert(engine_snapshot_save(eng, snap));
    ck_assert_int_eq(uc_emu_start(uc, KERNEL, 0, 0, 0), UC_ERR_OK);
    ck_assert_uint_eq(reg(UC_X86_REG_EAX), 0x11);
    wr32(KERNEL + 1, 0x22); /* behind the engine's back, as a restore of RAM does */
    ck_assert(engine_snapshot_restore(eng, snap));
    ck_assert_uint_eq(reg(UC_X86_REG_EAX), 0);
    ck_assert_int_eq(uc_emu_start(uc, reg(UC_X86_REG_EIP), 0, 0, 0), UC_ERR_OK);
    ck_assert_uint_eq(reg(UC_X86_REG_EAX), 0x22);
    free(snap);
}
END_TEST

struct loads {
    int count;
    uint64_t paddr[4];
    int size[4];
};

static void load_hook(void *opaque, uint64_t paddr, int size)
{
    struct loads *l = opaque;
    if (l->count < 4) {
        l->paddr[l->count] = paddr;
        l->size[l->count] = size;
    }
    l->count++;
}

/* The read hook sees each load with its address and size, and no store. */
START_TEST(test_read_hook_sees_loads)
{
    static const uint8_t code[] = {
        0xa1, 0x00, 0x30, 0x00, 0x00,       /* mov eax, [0x3000] */
        0x66, 0x8b, 0x1d, 0x08, 0x30, 0, 0, /* mov bx, [0x3008] */
        0xa3, 0x10, 0x30, 0x00, 0x00,       /* mov [0x3010], eax */
        0xf4,
    };
    put(KERNEL, code, sizeof code);
    struct loads l = {0};
    uintptr_t h = engine_add_read_hook(eng, load_hook, &l, 1, 0);
    ck_assert(h != 0);
    ck_assert_int_eq(uc_emu_start(uc, KERNEL, 0, 0, 0), UC_ERR_OK);
    ck_assert_int_eq(l.count, 2);
    ck_assert_uint_eq(l.paddr[0], 0x3000);
    ck_assert_int_eq(l.size[0], 4);
    ck_assert_uint_eq(l.paddr[1], 0x3008);
    ck_assert_int_eq(l.size[1], 2);
    engine_del_hook(eng, h);
    l.count = 0;
    ck_assert_int_eq(uc_emu_start(uc, KERNEL, 0, 0, 0), UC_ERR_OK);
    ck_assert_int_eq(l.count, 0);
}
END_TEST

/* The FPU in stack order: after FLD1 then FLDZ, ST(0) is +0 and ST(1) 1.0. */
START_TEST(test_fpu_in_stack_order)
{
    static const uint8_t code[] = {0xdb, 0xe3, 0xd9, 0xe8, 0xd9, 0xee, 0xf4}; /* fninit; fld1; fldz */
    put(KERNEL, code, sizeof code);
    ck_assert_int_eq(uc_emu_start(uc, KERNEL, 0, 0, 0), UC_ERR_OK);
    struct fpu_state f;
    ck_assert(engine_read_fpu(eng, &f));
    ck_assert_uint_eq(f.fctrl, 0x37f);
    ck_assert_uint_eq((f.fstat >> 11) & 7, 6); /* two pushes from TOP 0 */
    static const uint8_t zero[10] = {0}, one[10] = {0, 0, 0, 0, 0, 0, 0, 0x80, 0xff, 0x3f};
    ck_assert_mem_eq(f.st[0], zero, 10);
    ck_assert_mem_eq(f.st[1], one, 10);
}
END_TEST

static Suite *engine_suite(void)
{
    Suite *s = suite_create("engine");
    TCase *tc = tcase_create("core");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_open_calibrates);
    tcase_add_test(tc, test_state_in_place);
    tcase_add_test(tc, test_add_smap);
    tcase_add_test(tc, test_live_state_find_is_unique);
    tcase_add_test(tc, test_open_rejects_bad_ram);
    tcase_add_test(tc, test_int80_reaches_ring0_with_stack_switch);
    tcase_add_test(tc, test_gp_error_codes_and_no_false_double_fault);
    tcase_add_test(tc, test_cr3_change_takes_effect);
    tcase_add_test(tc, test_block_hook_goto);
    tcase_add_test(tc, test_sysenter_exact_target_and_flags_kept);
    tcase_add_test(tc, test_irq_shadow_visible_in_block_hook);
    tcase_add_test(tc, test_v86_round_trip);
    tcase_add_test(tc, test_phys_write_discards_code);
    tcase_add_test(tc, test_msr_round_trip);
    tcase_add_test(tc, test_snapshot_restores_cpu_and_drops_tlb);
    tcase_add_test(tc, test_snapshot_restore_drops_translations);
    tcase_add_test(tc, test_read_hook_sees_loads);
    tcase_add_test(tc, test_fpu_in_stack_order);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(engine_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
