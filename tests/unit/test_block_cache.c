/* Check suite for cpu/block_cache: what is kept about a block of guest
 * code, and that an entry is used only while the code it describes is
 * still there -- the same bytes at the same physical address under the
 * page tables in force (SDM Vol. 3A 4.3 for the walk; 11.6: the processor
 * executes code as it is in memory once it has been written).  The page
 * tables and the code live in a plain RAM buffer; Capstone decodes. */
#include <check.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "cpu/block_cache.h"
#include "cpu/cpu_state.h"

#define RAM_SIZE (4u << 20)
#define CODE 0x5000u /* physical = linear while paging is off */
#define PD 0x10000u
#define PT 0x11000u
#define LINEAR 0x00400000u /* PDE 1 -> PT */
#define FRAME_A 0x20000u
#define FRAME_B 0x21000u /* adjacent to A */
#define FRAME_C 0x30000u /* elsewhere */

/* nop; nop; mov eax, 1; out dx, al; in al, dx; ret: six instructions, the
 * first I/O at offset 7. */
static const uint8_t sample[] = {0x90, 0x90, 0xb8, 0x01, 0x00, 0x00, 0x00, 0xee, 0xec, 0xc3};

static struct {
    uint8_t *ram;
    struct disasm *disasm;
    struct block_cache bc;
    struct paging_regs flat;  /* protected mode, paging off */
    struct paging_regs paged; /* paging on, CR3 = PD */
} fx;

static void setup(void)
{
    memset(&fx, 0, sizeof fx);
    fx.ram = calloc(1, RAM_SIZE);
    ck_assert_ptr_nonnull(fx.ram);
    fx.disasm = disasm_open();
    ck_assert_ptr_nonnull(fx.disasm);
    ck_assert(block_cache_init(&fx.bc, 256, fx.ram, RAM_SIZE, fx.disasm, NULL));
    fx.flat.cr0 = CR0_PE;
    fx.paged.cr0 = CR0_PE | CR0_PG;
    fx.paged.cr3 = PD;
    /* SDM Vol. 3A 4.3: PDE 1 covers linear 0x00400000-0x007fffff. */
    uint32_t pde = PT | PAGING_P | PAGING_RW | PAGING_US;
    memcpy(fx.ram + PD + 4, &pde, 4);
}

static void teardown(void)
{
    block_cache_free(&fx.bc);
    disasm_close(fx.disasm);
    free(fx.ram);
}

/* Map the page of `linear` (within PDE 1) to `frame`; frame 0: not present. */
static void map(uint32_t linear, uint32_t frame)
{
    uint32_t pte = frame ? frame | PAGING_P | PAGING_RW | PAGING_US : 0;
    memcpy(fx.ram + PT + ((linear >> 12) & 0x3ff) * 4, &pte, 4);
}

static const struct block_info *get(const struct paging_regs *r, uint32_t addr, uint32_t size,
                                    bool *is_new)
{
    *is_new = false;
    return block_cache_get(&fx.bc, r, true, 0, addr, size, is_new);
}

/* ---- what a decoded block holds ---------------------------------------- */

START_TEST(test_counts_and_first_special)
{
    memcpy(fx.ram + CODE, sample, sizeof sample);
    bool is_new;
    const struct block_info *b = get(&fx.flat, CODE, sizeof sample, &is_new);
    ck_assert_ptr_nonnull(b);
    ck_assert(is_new);
    ck_assert_uint_eq(b->count, 6);
    ck_assert_int_eq(b->first_special, 7);
    ck_assert_uint_eq(b->addr, CODE);
    ck_assert_uint_eq(b->size, sizeof sample);
    ck_assert_uint_eq(b->paddr[0], CODE);
    ck_assert(!b->may_set_if);
    ck_assert_uint_eq(fx.bc.decoded, 1);
}
END_TEST

START_TEST(test_no_io)
{
    static const uint8_t code[] = {0x90, 0xfb, 0xc3}; /* nop; sti; ret */
    memcpy(fx.ram + CODE, code, sizeof code);
    bool is_new;
    const struct block_info *b = get(&fx.flat, CODE, sizeof code, &is_new);
    ck_assert_ptr_nonnull(b);
    ck_assert_uint_eq(b->count, 3);
    ck_assert_int_eq(b->first_special, -1);
    ck_assert(b->may_set_if);
}
END_TEST

/* RDMSR/WRMSR wait for ringlab only when ECX may name an MSR it answers
 * (IA32_TSC, IA32_APIC_BASE): not when the block itself has just loaded
 * ECX with another MSR's number. */
START_TEST(test_msr_special_only_for_the_tsc)
{
    static const struct {
        uint8_t code[12];
        uint32_t size;
        int first_special;
    } cases[] = {
        /* mov ecx, 0x175; xor edx, edx; wrmsr; ret: IA32_SYSENTER_ESP */
        {{0xb9, 0x75, 0x01, 0x00, 0x00, 0x31, 0xd2, 0x0f, 0x30, 0xc3}, 10, -1},
        /* mov ecx, 0x10; xor edx, edx; wrmsr; ret: IA32_TSC */
        {{0xb9, 0x10, 0x00, 0x00, 0x00, 0x31, 0xd2, 0x0f, 0x30, 0xc3}, 10, 7},
        /* mov ecx, 0x1b; xor edx, edx; rdmsr; ret: IA32_APIC_BASE */
        {{0xb9, 0x1b, 0x00, 0x00, 0x00, 0x31, 0xd2, 0x0f, 0x32, 0xc3}, 10, 7},
        /* mov ecx, 0x175; mov ecx, eax; rdmsr; ret: ECX no longer known */
        {{0xb9, 0x75, 0x01, 0x00, 0x00, 0x89, 0xc1, 0x0f, 0x32, 0xc3}, 10, 7},
        /* mov ecx, 0x175; xor cl, cl; wrmsr; ret: part of ECX written */
        {{0xb9, 0x75, 0x01, 0x00, 0x00, 0x30, 0xc9, 0x0f, 0x30, 0xc3}, 10, 7},
        /* wrmsr; ret: ECX from before the block */
        {{0x0f, 0x30, 0xc3}, 3, 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        uint32_t at = CODE + 0x100 * (uint32_t)i;
        memcpy(fx.ram + at, cases[i].code, cases[i].size);
        bool is_new;
        const struct block_info *b = get(&fx.flat, at, cases[i].size, &is_new);
        ck_assert_ptr_nonnull(b);
        ck_assert_int_eq(b->first_special, cases[i].first_special);
        ck_assert_uint_eq((b->special & DISASM_SPECIAL_MSR) != 0, cases[i].first_special >= 0);
    }
}
END_TEST

START_TEST(test_hit_returns_same_entry)
{
    memcpy(fx.ram + CODE, sample, sizeof sample);
    bool is_new;
    const struct block_info *first = get(&fx.flat, CODE, sizeof sample, &is_new);
    ck_assert(is_new);
    const struct block_info *again = get(&fx.flat, CODE, sizeof sample, &is_new);
    ck_assert_ptr_eq(again, first);
    ck_assert(!is_new);
    ck_assert_uint_eq(fx.bc.decoded, 1);
}
END_TEST

START_TEST(test_changed_byte_is_new)
{
    memcpy(fx.ram + CODE, sample, sizeof sample);
    bool is_new;
    get(&fx.flat, CODE, sizeof sample, &is_new);
    /* The first NOP becomes IN AL, DX: the guest wrote its code. */
    fx.ram[CODE] = 0xec;
    const struct block_info *b = get(&fx.flat, CODE, sizeof sample, &is_new);
    ck_assert_ptr_nonnull(b);
    ck_assert(is_new);
    ck_assert_int_eq(b->first_special, 0);
    ck_assert_uint_eq(b->count, 6);
    ck_assert_uint_eq(fx.bc.decoded, 2);
    /* And the new decoding is then kept. */
    get(&fx.flat, CODE, sizeof sample, &is_new);
    ck_assert(!is_new);
    /* A change to the last byte counts as much as one to the first. */
    fx.ram[CODE + sizeof sample - 1] = 0x90;
    b = get(&fx.flat, CODE, sizeof sample, &is_new);
    ck_assert(is_new);
    ck_assert_uint_eq(fx.bc.decoded, 3);
}
END_TEST

/* A block longer than the bytes an entry keeps (BLOCK_CODE_MAX): a change
 * beyond them must still make the block new, or its count and first I/O
 * offset describe code that is no longer there (block_cache.h promises
 * that never happens), and an OUT written there would escape the I/O
 * permission check that first_special triggers.  The processor runs the bytes
 * that are in memory (SDM Vol. 3A 11.6).  The bytes past the kept ones
 * are compared through their hash. */
START_TEST(test_long_block_change_past_kept_bytes)
{
    uint8_t code[100];
    memset(code, 0x90, sizeof code);
    code[sizeof code - 1] = 0xc3;
    memcpy(fx.ram + CODE, code, sizeof code);
    bool is_new;
    const struct block_info *b = get(&fx.flat, CODE, sizeof code, &is_new);
    ck_assert_ptr_nonnull(b);
    ck_assert_uint_eq(b->count, 100);
    ck_assert_int_eq(b->first_special, -1);
    /* OUT DX, AL written at offset 80. */
    fx.ram[CODE + 80] = 0xee;
    b = get(&fx.flat, CODE, sizeof code, &is_new);
    ck_assert_ptr_nonnull(b);
    ck_assert(is_new);
    ck_assert_int_eq(b->first_special, 80);
}
END_TEST

/* ---- paging ------------------------------------------------------------ */

START_TEST(test_remapped_to_other_frame_is_new)
{
    /* The same bytes in two frames; the page moves from one to the other,
     * as when a process's frame is freed and its address space rebuilt. */
    memcpy(fx.ram + FRAME_A, sample, sizeof sample);
    memcpy(fx.ram + FRAME_C, sample, sizeof sample);
    map(LINEAR, FRAME_A);
    bool is_new;
    const struct block_info *b = get(&fx.paged, LINEAR, sizeof sample, &is_new);
    ck_assert_ptr_nonnull(b);
    ck_assert(is_new);
    ck_assert_uint_eq(b->paddr[0], FRAME_A);
    get(&fx.paged, LINEAR, sizeof sample, &is_new);
    ck_assert(!is_new);

    map(LINEAR, FRAME_C);
    b = get(&fx.paged, LINEAR, sizeof sample, &is_new);
    ck_assert_ptr_nonnull(b);
    ck_assert(is_new);
    ck_assert_uint_eq(b->paddr[0], FRAME_C);
    ck_assert_uint_eq(b->count, 6);
}
END_TEST

START_TEST(test_block_across_pages)
{
    /* Four NOPs at the end of one page; OUT DX, AL and RET at the start of
     * the next, which is mapped to a frame that is not the adjacent one.
     * The adjacent frame holds NOPs, so reading it instead would show. */
    uint32_t addr = LINEAR + 0xffc;
    memset(fx.ram + FRAME_A + 0xffc, 0x90, 4);
    memset(fx.ram + FRAME_B, 0x90, 16);
    fx.ram[FRAME_C] = 0xee;
    fx.ram[FRAME_C + 1] = 0xc3;
    map(LINEAR, FRAME_A);
    map(LINEAR + 0x1000, FRAME_C);
    bool is_new;
    const struct block_info *b = get(&fx.paged, addr, 6, &is_new);
    ck_assert_ptr_nonnull(b);
    ck_assert(is_new);
    ck_assert_uint_eq(b->count, 6);
    ck_assert_int_eq(b->first_special, 4);
    ck_assert_uint_eq(b->paddr[0], FRAME_A + 0xffc);
    ck_assert_uint_eq(b->paddr[1], FRAME_C);
    get(&fx.paged, addr, 6, &is_new);
    ck_assert(!is_new);

    /* A change on the second page makes it new. */
    fx.ram[FRAME_C + 1] = 0x90;
    get(&fx.paged, addr, 6, &is_new);
    ck_assert(is_new);
    get(&fx.paged, addr, 6, &is_new);
    ck_assert(!is_new);
    /* So does moving the second page to another frame with the same bytes. */
    fx.ram[FRAME_B] = 0xee;
    fx.ram[FRAME_B + 1] = 0x90;
    map(LINEAR + 0x1000, FRAME_B);
    b = get(&fx.paged, addr, 6, &is_new);
    ck_assert(is_new);
    ck_assert_uint_eq(b->paddr[1], FRAME_B);
}
END_TEST

START_TEST(test_unreadable_is_null)
{
    bool is_new;
    /* SDM Vol. 3A 4.3: a PTE with P = 0 maps nothing. */
    map(LINEAR, 0);
    ck_assert_ptr_null(get(&fx.paged, LINEAR, 4, &is_new));
    /* A PDE with P = 0 neither. */
    ck_assert_ptr_null(get(&fx.paged, 0x00800000u, 4, &is_new));
    /* A block whose second page is not present. */
    map(LINEAR, FRAME_A);
    map(LINEAR + 0x1000, 0);
    ck_assert_ptr_null(get(&fx.paged, LINEAR + 0xffe, 4, &is_new));
    /* Paging off, beyond RAM. */
    ck_assert_ptr_null(get(&fx.flat, RAM_SIZE + 0x1000, 4, &is_new));
    ck_assert_ptr_null(get(&fx.flat, RAM_SIZE - 2, 4, &is_new));
    ck_assert_uint_eq(fx.bc.decoded, 0);
}
END_TEST

START_TEST(test_valid_entry_becomes_unreadable)
{
    memcpy(fx.ram + FRAME_A, sample, sizeof sample);
    map(LINEAR, FRAME_A);
    bool is_new;
    ck_assert_ptr_nonnull(get(&fx.paged, LINEAR, sizeof sample, &is_new));
    /* The page is unmapped: the entry must not be used. */
    map(LINEAR, 0);
    ck_assert_ptr_null(get(&fx.paged, LINEAR, sizeof sample, &is_new));
}
END_TEST

START_TEST(test_clear_forgets)
{
    memcpy(fx.ram + CODE, sample, sizeof sample);
    bool is_new;
    get(&fx.flat, CODE, sizeof sample, &is_new);
    block_cache_clear(&fx.bc);
    get(&fx.flat, CODE, sizeof sample, &is_new);
    ck_assert(is_new);
}
END_TEST

/* ---- with a code guard: bytes compared only after a write ---------------- */

static struct {
    uint8_t *ram;
    struct disasm *disasm;
    struct ram_guard ram_guard;
    struct code_guard guard;
    struct block_cache bc;
    struct paging_regs flat;
    volatile uint32_t history_writes, history_page; /* set in the fault handler */
} gx;

static void guarded_setup(void)
{
    memset(&gx, 0, sizeof gx);
    gx.ram = mmap(NULL, RAM_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    ck_assert(gx.ram != MAP_FAILED);
    gx.disasm = disasm_open();
    ck_assert(ram_guard_init(&gx.ram_guard, gx.ram, RAM_SIZE));
    ck_assert(code_guard_init(&gx.guard, &gx.ram_guard));
    ck_assert(block_cache_init(&gx.bc, 256, gx.ram, RAM_SIZE, gx.disasm, &gx.guard));
    gx.flat.cr0 = CR0_PE;
    memcpy(gx.ram + CODE, sample, sizeof sample);
}

static void guarded_teardown(void)
{
    block_cache_free(&gx.bc);
    code_guard_free(&gx.guard);
    ram_guard_free(&gx.ram_guard);
    disasm_close(gx.disasm);
    munmap(gx.ram, RAM_SIZE);
}

static const struct block_info *gget(uint32_t epoch, bool *is_new)
{
    return block_cache_get(&gx.bc, &gx.flat, true, epoch, CODE, sizeof sample, is_new);
}

/* A write to a guarded frame is let through and counted; the next write,
 * to the frame now open, is not seen (nothing needs it until the frame is
 * guarded again). */
START_TEST(test_guard_sees_a_write)
{
    uint32_t frame = CODE >> 12;
    uint32_t gen = code_guard_protect(&gx.guard, frame);
    ck_assert_int_eq(gx.guard.state[frame], CODE_GUARD_GUARDED);
    gx.ram[CODE + 100] = 0x42; /* the write faults and goes through */
    ck_assert_uint_eq(gx.ram[CODE + 100], 0x42);
    ck_assert_uint_eq(code_guard_gen(&gx.guard, frame), gen + 1);
    ck_assert_int_eq(gx.guard.state[frame], CODE_GUARD_OPEN);
    gx.ram[CODE + 101] = 0x43;
    ck_assert_uint_eq(code_guard_gen(&gx.guard, frame), gen + 1);
    ck_assert_uint_eq(gx.guard.faults, 1);
    /* Other frames were never guarded: no fault there. */
    gx.ram[CODE + 0x3000] = 1;
    ck_assert_uint_eq(gx.guard.faults, 1);
}
END_TEST

/* The history's copy-on-write, as a second user of the same protection. */
static void history_written(void *opaque, uint32_t page)
{
    (void)opaque;
    gx.history_writes++;
    gx.history_page = page;
}

/* A store the compiler keeps in place among the reads of what the fault
 * handler sets. */
static void store(uint32_t paddr, uint8_t value)
{
    ((volatile uint8_t *)gx.ram)[paddr] = value;
}

/* Both users protect a frame: one write tells both, once. */
START_TEST(test_two_users_both_told)
{
    uint32_t frame = CODE >> 12;
    ram_guard_set_user(&gx.ram_guard, RAM_GUARD_HISTORY, history_written, NULL);
    uint32_t gen = code_guard_protect(&gx.guard, frame);
    ck_assert(ram_guard_protect(&gx.ram_guard, RAM_GUARD_HISTORY, frame, 1));
    store(CODE + 8, 0x90);
    ck_assert_uint_eq(code_guard_gen(&gx.guard, frame), gen + 1);
    ck_assert_uint_eq(gx.history_writes, 1);
    ck_assert_uint_eq(gx.history_page, frame);
    store(CODE + 9, 0x90);
    ck_assert_uint_eq(gx.history_writes, 1);
    ck_assert_uint_eq(code_guard_gen(&gx.guard, frame), gen + 1);
}
END_TEST

/* One user letting go does not open a frame the other still guards:
 * neither the history's release nor the code guard's reset undoes the
 * other's protection. */
START_TEST(test_one_user_release_keeps_the_other)
{
    uint32_t frame = CODE >> 12;
    ram_guard_set_user(&gx.ram_guard, RAM_GUARD_HISTORY, history_written, NULL);
    uint32_t gen = code_guard_protect(&gx.guard, frame);
    ck_assert(ram_guard_protect(&gx.ram_guard, RAM_GUARD_HISTORY, 0, RAM_SIZE >> 12));
    ram_guard_release(&gx.ram_guard, RAM_GUARD_HISTORY, 0, RAM_SIZE >> 12);
    store(CODE + 8, 0x90); /* still the code guard's */
    ck_assert_uint_eq(code_guard_gen(&gx.guard, frame), gen + 1);
    ck_assert_uint_eq(gx.history_writes, 0);

    code_guard_protect(&gx.guard, frame);
    ck_assert(ram_guard_protect(&gx.ram_guard, RAM_GUARD_HISTORY, frame, 1));
    code_guard_reset(&gx.guard);
    store(CODE + 8, 0x91); /* still the history's */
    ck_assert_uint_eq(gx.history_writes, 1);
    ck_assert_uint_eq(gx.history_page, frame);
}
END_TEST

/* A block in a guarded frame is looked up without its bytes being read
 * again, until the frame is written or the epoch moves on. */
START_TEST(test_guarded_block_checked_only_when_needed)
{
    bool is_new;
    const struct block_info *b = gget(7, &is_new);
    ck_assert_ptr_nonnull(b);
    ck_assert(is_new);
    uint64_t checked = gx.bc.checked;
    for (int i = 0; i < 10; i++) {
        ck_assert_ptr_eq(gget(7, &is_new), b);
        ck_assert(!is_new);
    }
    ck_assert_uint_eq(gx.bc.checked, checked);
    /* A write elsewhere in the frame: checked again, still the same code. */
    gx.ram[CODE + 200] = 1;
    ck_assert_ptr_eq(gget(7, &is_new), b);
    ck_assert(!is_new);
    ck_assert_uint_eq(gx.bc.checked, checked + 1);
    /* A write to the block itself: new. */
    gx.ram[CODE] = 0xec; /* nop becomes in al, dx */
    b = gget(7, &is_new);
    ck_assert(is_new);
    ck_assert_int_eq(b->first_special, 0);
    /* The mappings moved on (another epoch): checked again. */
    checked = gx.bc.checked;
    gget(8, &is_new);
    ck_assert(!is_new);
    ck_assert_uint_eq(gx.bc.checked, checked + 1);
    gget(8, &is_new);
    ck_assert_uint_eq(gx.bc.checked, checked + 1);
    /* Its bytes written and the mappings moved on together: the frame's
     * generation shows the write, so the bytes are compared, and the block
     * is new. */
    gx.ram[CODE] = 0x90;
    b = block_cache_get(&gx.bc, &gx.flat, true, 9, CODE, sizeof sample, &is_new);
    ck_assert(is_new);
    ck_assert_int_eq(b->first_special, 7);
}
END_TEST

/* The same code met under other mappings (another CR3: another process)
 * is a new entry but not new to the engine, while its frame is unwritten;
 * after a write to the frame it is new again. */
START_TEST(test_same_frame_under_another_cr3)
{
    bool is_new;
    ck_assert_ptr_nonnull(gget(1, &is_new));
    ck_assert(is_new);
    struct paging_regs other = gx.flat;
    other.cr3 = 0x7000; /* paging is off: the same frames, another key */
    const struct block_info *b =
        block_cache_get(&gx.bc, &other, true, 2, CODE, sizeof sample, &is_new);
    ck_assert_ptr_nonnull(b);
    ck_assert_uint_eq(b->cr3, 0x7000);
    ck_assert(!is_new);
    other.cr3 = 0x8000;
    gx.ram[CODE + 500] = 1; /* elsewhere in the frame: its generation moves */
    b = block_cache_get(&gx.bc, &other, true, 3, CODE, sizeof sample, &is_new);
    ck_assert(is_new);
}
END_TEST

/* A frame written again and again stops being guarded; its blocks are then
 * compared every time, and a change is still seen. */
START_TEST(test_busy_frame_is_compared_every_time)
{
    bool is_new;
    for (int i = 0; i < CODE_GUARD_VOLATILE_AFTER + 2; i++) {
        gget(1, &is_new);
        gx.ram[CODE + 300] = (uint8_t)i; /* data beside the code */
    }
    ck_assert(code_guard_is_volatile(&gx.guard, CODE >> 12));
    uint64_t checked = gx.bc.checked, faults = gx.guard.faults;
    gget(1, &is_new);
    gget(1, &is_new);
    ck_assert_uint_eq(gx.bc.checked, checked + 2);
    gx.ram[CODE + 301] = 9;
    ck_assert_uint_eq(gx.guard.faults, faults); /* no longer protected */
    gx.ram[CODE + 1] = 0xfb; /* nop becomes sti */
    const struct block_info *b = gget(1, &is_new);
    ck_assert(is_new);
    ck_assert(b->may_set_if);
}
END_TEST

static Suite *block_cache_suite(void)
{
    Suite *s = suite_create("block_cache");
    TCase *tc = tcase_create("decode");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_counts_and_first_special);
    tcase_add_test(tc, test_no_io);
    tcase_add_test(tc, test_msr_special_only_for_the_tsc);
    tcase_add_test(tc, test_hit_returns_same_entry);
    tcase_add_test(tc, test_changed_byte_is_new);
    tcase_add_test(tc, test_long_block_change_past_kept_bytes);
    tcase_add_test(tc, test_clear_forgets);
    suite_add_tcase(s, tc);

    tc = tcase_create("paging");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_remapped_to_other_frame_is_new);
    tcase_add_test(tc, test_block_across_pages);
    tcase_add_test(tc, test_unreadable_is_null);
    tcase_add_test(tc, test_valid_entry_becomes_unreadable);
    suite_add_tcase(s, tc);
    tc = tcase_create("guarded");
    tcase_add_checked_fixture(tc, guarded_setup, guarded_teardown);
    tcase_add_test(tc, test_guard_sees_a_write);
    tcase_add_test(tc, test_two_users_both_told);
    tcase_add_test(tc, test_one_user_release_keeps_the_other);
    tcase_add_test(tc, test_guarded_block_checked_only_when_needed);
    tcase_add_test(tc, test_busy_frame_is_compared_every_time);
    tcase_add_test(tc, test_same_frame_under_another_cr3);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(block_cache_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
