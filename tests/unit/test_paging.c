/* Check suite for mmu/paging: the 32-bit walk over a fake physical memory
 * that records every write, so the Accessed/Dirty updates and their order
 * can be seen (SDM Vol. 3A 4.3, 4.6, 4.7, 4.8). */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "cpu/cpu_state.h"
#include "mmu/paging.h"

#define RAM_SIZE (16u << 20)
#define CR3 0x00104000u
#define PT 0x00105000u /* a page table */

struct fake_mem {
    uint8_t *ram;
    int reads;
    int writes;
    uint32_t write_addr[8];
    uint32_t write_val[8];
};

static struct fake_mem fm;

static bool fake_read32(void *opaque, uint32_t paddr, uint32_t *value)
{
    struct fake_mem *m = opaque;
    if (paddr > RAM_SIZE - 4)
        return false;
    m->reads++;
    memcpy(value, m->ram + paddr, 4);
    return true;
}

static bool fake_write32(void *opaque, uint32_t paddr, uint32_t value)
{
    struct fake_mem *m = opaque;
    if (paddr > RAM_SIZE - 4)
        return false;
    if (m->writes < 8) {
        m->write_addr[m->writes] = paddr;
        m->write_val[m->writes] = value;
    }
    m->writes++;
    memcpy(m->ram + paddr, &value, 4);
    return true;
}

static const struct paging_mem mem = { fake_read32, fake_write32, &fm };

static void setup(void)
{
    memset(&fm, 0, sizeof fm);
    fm.ram = calloc(1, RAM_SIZE);
    ck_assert_ptr_nonnull(fm.ram);
}

static void teardown(void)
{
    free(fm.ram);
}

static void poke(uint32_t paddr, uint32_t v)
{
    memcpy(fm.ram + paddr, &v, 4);
}

static uint32_t peek(uint32_t paddr)
{
    uint32_t v;
    memcpy(&v, fm.ram + paddr, 4);
    return v;
}

static void set_pde(uint32_t linear, uint32_t pde)
{
    poke(CR3 + (linear >> 22) * 4, pde);
}

static void set_pte(uint32_t table, uint32_t linear, uint32_t pte)
{
    poke(table + ((linear >> 12) & 0x3ff) * 4, pte);
}

static struct paging_regs regs(uint32_t cr0_extra, uint32_t cr4)
{
    struct paging_regs r = { .cr0 = CR0_PE | CR0_PG | cr0_extra, .cr3 = CR3, .cr4 = cr4 };
    return r;
}

static bool walk(const struct paging_regs *r, uint32_t linear, enum paging_access a, bool user,
                 bool set_ad, struct paging_walk *w)
{
    fm.writes = 0;
    fm.reads = 0;
    bool ok = paging_walk(&mem, r, linear, a, user, set_ad, w);
    ck_assert_int_eq(ok, w->ok);
    return ok;
}

/* A 4 KiB mapping of linear 0x00401000 to 0x00200000 through PT. */
static void map_4k(uint32_t pde_flags, uint32_t pte_flags)
{
    set_pde(0x00401000, PT | pde_flags);
    set_pte(PT, 0x00401000, 0x00200000 | pte_flags);
}

/* ---- translation ------------------------------------------------------- */

START_TEST(test_paging_off_is_identity)
{
    struct paging_regs r = { .cr0 = CR0_PE, .cr3 = CR3 };
    struct paging_walk w;
    ck_assert(walk(&r, 0xdeadbeef, PAGING_WRITE, true, true, &w));
    ck_assert_uint_eq(w.paddr, 0xdeadbeef);
    ck_assert_str_eq(w.reason_code, "paging-off");
    ck_assert_int_eq(fm.reads, 0);
    ck_assert_int_eq(fm.writes, 0);
    char buf[128];
    paging_explain(&w, buf, sizeof buf);
    ck_assert_str_eq(buf, "paging off: linear 0xdeadbeef is physical 0xdeadbeef");
}
END_TEST

START_TEST(test_4k_translation)
{
    map_4k(0x007, 0x007);
    struct paging_regs r = regs(0, 0);
    struct paging_walk w;
    ck_assert(walk(&r, 0x00401234, PAGING_READ, true, false, &w));
    ck_assert_uint_eq(w.paddr, 0x00200234);
    ck_assert_uint_eq(w.pde_addr, CR3 + 4);
    ck_assert_uint_eq(w.pde, PT | 0x007);
    ck_assert_uint_eq(w.pte_addr, PT + 4);
    ck_assert_uint_eq(w.pte, 0x00200007);
    ck_assert(!w.large);
    ck_assert_int_eq(w.fault_level, 0);
    ck_assert_str_eq(w.reason_code, "ok");
    ck_assert_int_eq(fm.writes, 0); /* set_ad = false */
}
END_TEST

START_TEST(test_entry_addresses)
{
    /* linear 0xc0123456: PDE index 0x300, PTE index 0x123, offset 0x456;
     * CR3's low bits (PWT, PCD) are not part of the address. */
    poke(CR3 + 0x300 * 4, 0x00300003);
    poke(0x00300000 + 0x123 * 4, 0x00abc003);
    struct paging_regs r = regs(0, 0);
    r.cr3 = CR3 | 0x18;
    struct paging_walk w;
    ck_assert(walk(&r, 0xc0123456, PAGING_READ, false, false, &w));
    ck_assert_uint_eq(w.pde_addr, 0x00104c00);
    ck_assert_uint_eq(w.pte_addr, 0x0030048c);
    ck_assert_uint_eq(w.paddr, 0x00abc456);
    /* The PDE's low 12 bits (flags, AVL) do not move the table. */
    poke(CR3 + 0x300 * 4, 0x00300e63);
    ck_assert(walk(&r, 0xc0123456, PAGING_READ, false, false, &w));
    ck_assert_uint_eq(w.pte_addr, 0x0030048c);
    ck_assert_uint_eq(w.paddr, 0x00abc456);
}
END_TEST

START_TEST(test_not_present_pde)
{
    struct paging_regs r = regs(0, 0);
    struct paging_walk w;
    /* Error codes: P = 0; W/R and U/S from the access. */
    ck_assert(!walk(&r, 0x00800000, PAGING_READ, false, true, &w));
    ck_assert_uint_eq(w.error_code, 0x0);
    ck_assert_int_eq(w.fault_level, 1);
    ck_assert_uint_eq(w.pte_addr, 0);
    ck_assert_str_eq(w.reason_code, "not-present");
    ck_assert(!walk(&r, 0x00800000, PAGING_WRITE, false, true, &w));
    ck_assert_uint_eq(w.error_code, 0x2);
    ck_assert(!walk(&r, 0x00800000, PAGING_READ, true, true, &w));
    ck_assert_uint_eq(w.error_code, 0x4);
    ck_assert(!walk(&r, 0x00800000, PAGING_WRITE, true, true, &w));
    ck_assert_uint_eq(w.error_code, 0x6);
    ck_assert(!walk(&r, 0x00800000, PAGING_FETCH, true, true, &w));
    ck_assert_uint_eq(w.error_code, 0x4);
    ck_assert_int_eq(fm.writes, 0);
    /* Other bits of a not-present PDE do not matter, reserved ones neither. */
    set_pde(0x00800000, 0xfffffffe);
    struct paging_regs pse = regs(0, CR4_PSE);
    ck_assert(!walk(&pse, 0x00800000, PAGING_READ, true, true, &w));
    ck_assert_uint_eq(w.error_code, 0x4);
    ck_assert_str_eq(w.reason_code, "not-present");
}
END_TEST

START_TEST(test_not_present_pte)
{
    set_pde(0x00401000, PT | 0x007);
    struct paging_regs r = regs(0, 0);
    struct paging_walk w;
    ck_assert(!walk(&r, 0x00401000, PAGING_WRITE, true, true, &w));
    ck_assert_uint_eq(w.error_code, 0x6);
    ck_assert_int_eq(w.fault_level, 2);
    ck_assert_uint_eq(w.pte_addr, PT + 4);
    ck_assert_uint_eq(w.pte, 0);
    ck_assert_str_eq(w.reason_code, "not-present");
    /* No Accessed bit in the PDE either (QEMU would set it here). */
    ck_assert_int_eq(fm.writes, 0);
    ck_assert_uint_eq(peek(CR3 + 4), PT | 0x007);
    ck_assert(!walk(&r, 0x00401000, PAGING_READ, false, true, &w));
    ck_assert_uint_eq(w.error_code, 0x0);
}
END_TEST

/* ---- access rights ----------------------------------------------------- */

/* U/S across PDE and PTE: a user access needs U at both levels. */
START_TEST(test_us_combination)
{
    int pde_u = _i & 1, pte_u = (_i >> 1) & 1;
    map_4k(0x003 | (pde_u ? 0x4u : 0), 0x003 | (pte_u ? 0x4u : 0));
    struct paging_regs r = regs(CR0_WP, 0);
    struct paging_walk w;
    bool user_ok = pde_u && pte_u;
    ck_assert_int_eq(walk(&r, 0x00401000, PAGING_READ, true, true, &w), user_ok);
    if (!user_ok) {
        ck_assert_uint_eq(w.error_code, 0x5);
        ck_assert_int_eq(w.fault_level, pde_u ? 2 : 1);
        ck_assert_str_eq(w.reason_code, "supervisor-page");
        ck_assert_int_eq(fm.writes, 0);
    }
    ck_assert_int_eq(walk(&r, 0x00401000, PAGING_WRITE, true, true, &w), user_ok);
    if (!user_ok)
        ck_assert_uint_eq(w.error_code, 0x7);
    ck_assert_int_eq(walk(&r, 0x00401000, PAGING_FETCH, true, true, &w), user_ok);
    if (!user_ok)
        ck_assert_uint_eq(w.error_code, 0x5);
    /* Supervisor accesses ignore U/S. */
    ck_assert(walk(&r, 0x00401000, PAGING_READ, false, true, &w));
    ck_assert(walk(&r, 0x00401000, PAGING_WRITE, false, true, &w));
    ck_assert(walk(&r, 0x00401000, PAGING_FETCH, false, true, &w));
}
END_TEST

/* R/W across PDE and PTE: a user write needs W at both levels. */
START_TEST(test_rw_combination)
{
    int pde_w = _i & 1, pte_w = (_i >> 1) & 1;
    map_4k(0x005 | (pde_w ? 0x2u : 0), 0x005 | (pte_w ? 0x2u : 0));
    struct paging_regs r = regs(0, 0); /* WP = 0 does not help a user write */
    struct paging_walk w;
    bool write_ok = pde_w && pte_w;
    ck_assert_int_eq(walk(&r, 0x00401000, PAGING_WRITE, true, true, &w), write_ok);
    if (!write_ok) {
        ck_assert_uint_eq(w.error_code, 0x7);
        ck_assert_int_eq(w.fault_level, pde_w ? 2 : 1);
        ck_assert_str_eq(w.reason_code, "read-only");
        ck_assert_int_eq(fm.writes, 0);
    }
    ck_assert(walk(&r, 0x00401000, PAGING_READ, true, true, &w));
    ck_assert(walk(&r, 0x00401000, PAGING_FETCH, true, true, &w)); /* no NX here */
}
END_TEST

START_TEST(test_supervisor_write_and_wp)
{
    map_4k(0x007, 0x005); /* user page, read-only in the PTE */
    struct paging_regs wp0 = regs(0, 0), wp1 = regs(CR0_WP, 0);
    struct paging_walk w;
    /* CR0.WP = 0: the supervisor writes anyway. */
    ck_assert(walk(&wp0, 0x00401000, PAGING_WRITE, false, true, &w));
    ck_assert(!w.wp);
    ck_assert_uint_eq(peek(PT + 4), 0x00200065); /* and marks the page dirty */
    /* CR0.WP = 1: #PF with P = 1, W = 1, U = 0. */
    ck_assert(!walk(&wp1, 0x00401000, PAGING_WRITE, false, true, &w));
    ck_assert(w.wp);
    ck_assert_uint_eq(w.error_code, 0x3);
    ck_assert_int_eq(w.fault_level, 2);
    ck_assert_str_eq(w.reason_code, "read-only");
    /* Read-only in the PDE counts too. */
    map_4k(0x005, 0x007);
    ck_assert(!walk(&wp1, 0x00401000, PAGING_WRITE, false, true, &w));
    ck_assert_uint_eq(w.error_code, 0x3);
    ck_assert_int_eq(w.fault_level, 1);
    ck_assert(walk(&wp0, 0x00401000, PAGING_WRITE, false, true, &w));
    /* A supervisor page that is read-only: same rule. */
    map_4k(0x001, 0x001);
    ck_assert(walk(&wp0, 0x00401000, PAGING_WRITE, false, true, &w));
    ck_assert(!walk(&wp1, 0x00401000, PAGING_WRITE, false, true, &w));
    ck_assert_uint_eq(w.error_code, 0x3);
    /* Supervisor reads are never refused. */
    ck_assert(walk(&wp1, 0x00401000, PAGING_READ, false, true, &w));
}
END_TEST

START_TEST(test_smep_and_id_bit)
{
    map_4k(0x007, 0x007); /* user page */
    struct paging_regs smep = regs(CR0_WP, PAGING_CR4_SMEP), plain = regs(CR0_WP, 0);
    struct paging_walk w;
    /* Without SMEP a supervisor fetch from a user page is fine. */
    ck_assert(walk(&plain, 0x00401000, PAGING_FETCH, false, true, &w));
    /* With SMEP: #PF, P = 1, I/D = 1. */
    ck_assert(!walk(&smep, 0x00401000, PAGING_FETCH, false, true, &w));
    ck_assert_uint_eq(w.error_code, 0x11);
    ck_assert_str_eq(w.reason_code, "smep");
    ck_assert_int_eq(fm.writes, 0);
    /* Data accesses are not SMEP's business. */
    ck_assert(walk(&smep, 0x00401000, PAGING_READ, false, true, &w));
    ck_assert(walk(&smep, 0x00401000, PAGING_WRITE, false, true, &w));
    /* U = 0 at any level makes it a supervisor page: allowed. */
    map_4k(0x003, 0x007);
    ck_assert(walk(&smep, 0x00401000, PAGING_FETCH, false, true, &w));
    /* I/D is set for any fetch fault while SMEP is on, even not-present
     * or user ones, and never without it (no NX in 32-bit paging). */
    ck_assert(!walk(&smep, 0x00800000, PAGING_FETCH, true, true, &w));
    ck_assert_uint_eq(w.error_code, 0x14);
    ck_assert(!walk(&plain, 0x00800000, PAGING_FETCH, true, true, &w));
    ck_assert_uint_eq(w.error_code, 0x04);
    ck_assert(!walk(&smep, 0x00401000, PAGING_FETCH, true, true, &w)); /* supervisor page */
    ck_assert_uint_eq(w.error_code, 0x15);
    ck_assert(!walk(&smep, 0x00800000, PAGING_READ, true, true, &w));
    ck_assert_uint_eq(w.error_code, 0x04);
}
END_TEST

START_TEST(test_smap)
{
    map_4k(0x007, 0x007); /* user page */
    struct paging_regs smap = regs(CR0_WP, PAGING_CR4_SMAP), plain = regs(CR0_WP, 0);
    smap.origin = plain.origin = PAGING_EXPLICIT;
    struct paging_walk w;
    char text[PAGING_EXPLAIN_MAX];
    /* Without SMAP a supervisor read and write of a user page are fine. */
    ck_assert(walk(&plain, 0x00401000, PAGING_READ, false, true, &w));
    ck_assert(walk(&plain, 0x00401000, PAGING_WRITE, false, true, &w));
    /* With SMAP and AC = 0: #PF, P = 1 (and W/R for the write), nothing set. */
    fm.writes = 0;
    ck_assert(!walk(&smap, 0x00401000, PAGING_READ, false, true, &w));
    ck_assert_uint_eq(w.error_code, 0x1);
    ck_assert_str_eq(w.reason_code, "smap");
    ck_assert_int_eq(w.fault_level, 2);
    ck_assert_int_eq(fm.writes, 0);
    paging_explain(&w, text, sizeof text);
    ck_assert_msg(strstr(text, "supervisor read of user page 0x00401000 with CR4.SMAP=1, "
                               "EFLAGS.AC=0") == text, "%s", text);
    ck_assert(!walk(&smap, 0x00401000, PAGING_WRITE, false, true, &w));
    ck_assert_uint_eq(w.error_code, 0x3);
    /* AC = 1: an explicit access is judged as without SMAP ... */
    smap.eflags = PAGING_EFLAGS_AC;
    ck_assert(walk(&smap, 0x00401000, PAGING_READ, false, true, &w));
    ck_assert(walk(&smap, 0x00401000, PAGING_WRITE, false, true, &w));
    /* ... an implicit one never. */
    smap.origin = PAGING_IMPLICIT;
    ck_assert(!walk(&smap, 0x00401000, PAGING_READ, false, true, &w));
    ck_assert_uint_eq(w.error_code, 0x1);
    paging_explain(&w, text, sizeof text);
    ck_assert_msg(strstr(text, "implicit supervisor read of user page 0x00401000 with "
                               "CR4.SMAP=1:") == text, "%s", text);
    /* A tool's look is not the processor's access. */
    smap.origin = PAGING_BY_TOOL;
    smap.eflags = 0;
    ck_assert(walk(&smap, 0x00401000, PAGING_READ, false, true, &w));
    smap.origin = PAGING_EXPLICIT;
    /* SMAP does not concern fetches, user accesses or supervisor pages. */
    ck_assert(walk(&smap, 0x00401000, PAGING_FETCH, false, true, &w));
    ck_assert(walk(&smap, 0x00401000, PAGING_READ, true, true, &w));
    map_4k(0x003, 0x007);
    ck_assert(walk(&smap, 0x00401000, PAGING_READ, false, true, &w));
    ck_assert(walk(&smap, 0x00401000, PAGING_WRITE, false, true, &w));
    /* A user page with WP=1 and R/W=0: SMAP's refusal comes first. */
    map_4k(0x005, 0x005);
    ck_assert(!walk(&smap, 0x00401000, PAGING_WRITE, false, true, &w));
    ck_assert_str_eq(w.reason_code, "smap");
    ck_assert_uint_eq(w.error_code, 0x3);
}
END_TEST

/* ---- 4 MiB pages ------------------------------------------------------- */

START_TEST(test_pse_large_page)
{
    set_pde(0x00400000, 0x00c00087); /* frame 0x00c00000, PS U W P */
    struct paging_regs r = regs(CR0_WP, CR4_PSE);
    struct paging_walk w;
    ck_assert(walk(&r, 0x00412345, PAGING_READ, true, false, &w));
    ck_assert(w.large);
    ck_assert_uint_eq(w.paddr, 0x00c12345);
    ck_assert_uint_eq(w.pte_addr, 0);
    ck_assert_uint_eq(w.pte, 0);
    ck_assert_int_eq(fm.reads, 1);
    ck_assert(walk(&r, 0x007fffff, PAGING_READ, true, false, &w));
    ck_assert_uint_eq(w.paddr, 0x00ffffff);
    /* PAT (bit 12) is not reserved and not part of the frame. */
    set_pde(0x00400000, 0x00c01087);
    ck_assert(walk(&r, 0x00412345, PAGING_READ, true, false, &w));
    ck_assert_uint_eq(w.paddr, 0x00c12345);
}
END_TEST

START_TEST(test_ps_ignored_without_cr4_pse)
{
    /* With CR4.PSE = 0 the PS bit is ignored: the PDE points to a table. */
    set_pde(0x00400000, PT | 0x087);
    set_pte(PT, 0x00412000, 0x00333007);
    struct paging_regs r = regs(0, 0);
    struct paging_walk w;
    ck_assert(walk(&r, 0x00412345, PAGING_READ, true, false, &w));
    ck_assert(!w.large);
    ck_assert_uint_eq(w.paddr, 0x00333345);
    /* Nor are bits 21:13 reserved then (they are address bits). */
    set_pde(0x00400000, 0x003fe007);
    set_pte(0x003fe000, 0x00412000, 0x00333007);
    ck_assert(walk(&r, 0x00412345, PAGING_READ, true, false, &w));
    ck_assert_uint_eq(w.paddr, 0x00333345);
}
END_TEST

START_TEST(test_pse_protection)
{
    struct paging_regs r = regs(CR0_WP, CR4_PSE);
    struct paging_walk w;
    set_pde(0x00400000, 0x00c00085); /* PS U P, read-only */
    ck_assert(walk(&r, 0x00400000, PAGING_READ, true, true, &w));
    ck_assert(!walk(&r, 0x00400000, PAGING_WRITE, true, true, &w));
    ck_assert_uint_eq(w.error_code, 0x7);
    ck_assert_int_eq(w.fault_level, 1);
    ck_assert(!walk(&r, 0x00400000, PAGING_WRITE, false, true, &w));
    ck_assert_uint_eq(w.error_code, 0x3);
    set_pde(0x00400000, 0x00c00083); /* PS W P, supervisor */
    ck_assert(!walk(&r, 0x00400000, PAGING_READ, true, true, &w));
    ck_assert_uint_eq(w.error_code, 0x5);
    ck_assert_int_eq(w.fault_level, 1);
    ck_assert(walk(&r, 0x00400000, PAGING_WRITE, false, true, &w));
}
END_TEST

START_TEST(test_pse_reserved_bits)
{
    struct paging_regs r = regs(0, CR4_PSE);
    struct paging_walk w;
    /* Bits 21:13 of a 4 MiB PDE, one at a time: RSVD fault, P = 1. */
    for (int bit = 13; bit <= 21; bit++) {
        set_pde(0x00400000, 0x00c00087 | (1u << bit));
        ck_assert(!walk(&r, 0x00400000, PAGING_READ, false, true, &w));
        ck_assert_uint_eq(w.error_code, PAGING_PF_RSVD | PAGING_PF_P);
        ck_assert_uint_eq(w.rsvd_bits, 1u << bit);
        ck_assert_str_eq(w.reason_code, "reserved");
        ck_assert_int_eq(w.fault_level, 1);
        ck_assert_int_eq(fm.writes, 0);
    }
    /* RSVD comes before access rights, and carries W and U. */
    set_pde(0x00400000, 0x00c02081); /* supervisor, read-only, bit 13 */
    ck_assert(!walk(&r, 0x00400000, PAGING_WRITE, true, true, &w));
    ck_assert_uint_eq(w.error_code, 0xf);
}
END_TEST

START_TEST(test_pse_accessed_dirty_on_pde)
{
    set_pde(0x00400000, 0x00c00087);
    struct paging_regs r = regs(CR0_WP, CR4_PSE);
    struct paging_walk w;
    ck_assert(walk(&r, 0x00400010, PAGING_READ, true, true, &w));
    ck_assert_uint_eq(peek(CR3 + 4), 0x00c000a7); /* A, not D */
    ck_assert_uint_eq(w.pde, 0x00c000a7);
    ck_assert_int_eq(fm.writes, 1);
    ck_assert(walk(&r, 0x00400010, PAGING_WRITE, true, true, &w));
    ck_assert_uint_eq(peek(CR3 + 4), 0x00c000e7); /* now D */
    ck_assert_int_eq(fm.writes, 1);
    ck_assert(walk(&r, 0x00400010, PAGING_WRITE, true, true, &w));
    ck_assert_int_eq(fm.writes, 0); /* nothing left to set */
    /* A write that sets both does it in one store. */
    set_pde(0x00400000, 0x00c00087);
    ck_assert(walk(&r, 0x00400010, PAGING_WRITE, false, true, &w));
    ck_assert_int_eq(fm.writes, 1);
    ck_assert_uint_eq(fm.write_val[0], 0x00c000e7);
}
END_TEST

/* ---- Accessed and Dirty ------------------------------------------------ */

START_TEST(test_accessed_on_read)
{
    map_4k(0x007, 0x007);
    struct paging_regs r = regs(CR0_WP, 0);
    struct paging_walk w;
    ck_assert(walk(&r, 0x00401000, PAGING_READ, true, true, &w));
    ck_assert_uint_eq(peek(CR3 + 4), PT | 0x027);
    ck_assert_uint_eq(peek(PT + 4), 0x00200027); /* A, no D */
    /* PDE first, then PTE (SDM 4.8 order of the walk). */
    ck_assert_int_eq(fm.writes, 2);
    ck_assert_uint_eq(fm.write_addr[0], CR3 + 4);
    ck_assert_uint_eq(fm.write_addr[1], PT + 4);
    ck_assert_uint_eq(w.pde, PT | 0x027);
    ck_assert_uint_eq(w.pte, 0x00200027);
    /* A fetch sets A the same way and no D. */
    map_4k(0x007, 0x007);
    ck_assert(walk(&r, 0x00401000, PAGING_FETCH, true, true, &w));
    ck_assert_uint_eq(peek(PT + 4), 0x00200027);
}
END_TEST

START_TEST(test_dirty_only_on_write)
{
    map_4k(0x007, 0x007);
    struct paging_regs r = regs(CR0_WP, 0);
    struct paging_walk w;
    ck_assert(walk(&r, 0x00401000, PAGING_WRITE, true, true, &w));
    ck_assert_uint_eq(peek(PT + 4), 0x00200067); /* A and D */
    /* The PDE of a page table has no D: only its A is set. */
    ck_assert_uint_eq(peek(CR3 + 4), PT | 0x027);
    ck_assert_int_eq(fm.writes, 2);
    /* A read of a page already accessed writes nothing. */
    ck_assert(walk(&r, 0x00401000, PAGING_READ, true, true, &w));
    ck_assert_int_eq(fm.writes, 0);
    /* A write to an accessed, clean page sets only D, in the PTE. */
    map_4k(0x027, 0x027);
    ck_assert(walk(&r, 0x00401000, PAGING_WRITE, true, true, &w));
    ck_assert_int_eq(fm.writes, 1);
    ck_assert_uint_eq(fm.write_addr[0], PT + 4);
    ck_assert_uint_eq(fm.write_val[0], 0x00200067);
}
END_TEST

START_TEST(test_no_ad_on_fault_or_without_set_ad)
{
    struct paging_regs r = regs(CR0_WP, 0);
    struct paging_walk w;
    map_4k(0x007, 0x005);
    ck_assert(!walk(&r, 0x00401000, PAGING_WRITE, true, true, &w)); /* read-only */
    ck_assert_int_eq(fm.writes, 0);
    ck_assert_uint_eq(peek(CR3 + 4), PT | 0x007);
    ck_assert_uint_eq(peek(PT + 4), 0x00200005);
    map_4k(0x003, 0x007);
    ck_assert(!walk(&r, 0x00401000, PAGING_READ, true, true, &w)); /* supervisor */
    ck_assert_int_eq(fm.writes, 0);
    ck_assert_uint_eq(peek(CR3 + 4), PT | 0x003);
    /* set_ad = false: a successful walk writes nothing either. */
    map_4k(0x007, 0x007);
    ck_assert(walk(&r, 0x00401000, PAGING_WRITE, true, false, &w));
    ck_assert_int_eq(fm.writes, 0);
    ck_assert_uint_eq(peek(PT + 4), 0x00200007);
}
END_TEST

/* ---- odd cases --------------------------------------------------------- */

START_TEST(test_entry_outside_memory)
{
    struct paging_regs r = regs(0, 0);
    r.cr3 = 0xfff00000; /* nothing there */
    struct paging_walk w;
    ck_assert(!walk(&r, 0x00401000, PAGING_READ, true, true, &w));
    ck_assert(w.mem_error);
    ck_assert_uint_eq(w.error_code, 0x4);
    ck_assert_int_eq(w.fault_level, 1);
    char buf[200];
    paging_explain(&w, buf, sizeof buf);
    ck_assert_ptr_nonnull(strstr(buf, "no memory at 0xfff00004"));
}
END_TEST

START_TEST(test_pae_not_modelled)
{
    struct paging_regs r = regs(0, CR4_PAE);
    struct paging_walk w;
    ck_assert(!walk(&r, 0x00401000, PAGING_READ, true, true, &w));
    ck_assert_str_eq(w.reason_code, "pae-unsupported");
    ck_assert_uint_eq(w.error_code, 0);
    ck_assert_int_eq(w.fault_level, 0);
    ck_assert_int_eq(fm.reads, 0);
}
END_TEST

/* ---- words ------------------------------------------------------------- */

static const char *explain(const struct paging_walk *w)
{
    static char buf[256];
    size_t len = paging_explain(w, buf, sizeof buf);
    ck_assert_uint_eq(len, strlen(buf));
    return buf;
}

START_TEST(test_explain_read_only)
{
    set_pde(0x00401000, 0x00105007);
    set_pte(PT, 0x00401000, 0x00200005);
    struct paging_regs r = regs(CR0_WP, 0);
    struct paging_walk w;
    ck_assert(!walk(&r, 0x00401000, PAGING_WRITE, true, true, &w));
    ck_assert_str_eq(explain(&w), "user write to read-only page 0x00401000: PDE 0x00105007 (U W P), "
                                  "PTE 0x00200005 (U P, W=0) at CR3 0x00104000");
    ck_assert(!walk(&r, 0x00401abc, PAGING_WRITE, false, true, &w));
    ck_assert_str_eq(explain(&w),
                     "supervisor write to read-only page 0x00401abc with CR0.WP=1: "
                     "PDE 0x00105007 (U W P), PTE 0x00200005 (U P, W=0) at CR3 0x00104000");
}
END_TEST

START_TEST(test_explain_not_present)
{
    struct paging_regs r = regs(0, 0);
    struct paging_walk w;
    ck_assert(!walk(&r, 0x00800000, PAGING_READ, false, true, &w));
    ck_assert_str_eq(explain(&w), "supervisor read of not-present page 0x00800000: "
                                  "PDE 0x00000000 (not present) at CR3 0x00104000");
    set_pde(0x00401000, 0x00105007);
    set_pte(PT, 0x00401000, 0x00200006);
    ck_assert(!walk(&r, 0x00401000, PAGING_FETCH, true, true, &w));
    ck_assert_str_eq(explain(&w), "user fetch from not-present page 0x00401000: "
                                  "PDE 0x00105007 (U W P), PTE 0x00200006 (not present) "
                                  "at CR3 0x00104000");
}
END_TEST

START_TEST(test_explain_other_faults)
{
    struct paging_regs r = regs(0, CR4_PSE | PAGING_CR4_SMEP);
    struct paging_walk w;
    set_pde(0x00401000, 0x00105003);
    set_pte(PT, 0x00401000, 0x00200007);
    ck_assert(!walk(&r, 0x00401000, PAGING_READ, true, true, &w));
    ck_assert_str_eq(explain(&w), "user read of supervisor page 0x00401000: "
                                  "PDE 0x00105003 (W P, U=0), PTE 0x00200007 (U W P) "
                                  "at CR3 0x00104000");
    set_pde(0x00401000, 0x00105007);
    ck_assert(!walk(&r, 0x00401000, PAGING_FETCH, false, true, &w));
    ck_assert_str_eq(explain(&w), "supervisor fetch from user page 0x00401000 with CR4.SMEP=1: "
                                  "PDE 0x00105007 (U W P), PTE 0x00200007 (U W P) "
                                  "at CR3 0x00104000");
    set_pde(0x00800000, 0x00c02083);
    ck_assert(!walk(&r, 0x00800000, PAGING_READ, false, true, &w));
    ck_assert_str_eq(explain(&w), "supervisor read of page 0x00800000 with reserved bits set: "
                                  "PDE 0x00c02083 (W P PS, reserved bits 0x00002000) "
                                  "at CR3 0x00104000");
}
END_TEST

START_TEST(test_explain_success)
{
    map_4k(0x007, 0x007);
    struct paging_regs r = regs(0, 0);
    struct paging_walk w;
    ck_assert(walk(&r, 0x00401234, PAGING_WRITE, true, true, &w));
    ck_assert_str_eq(explain(&w), "user write to 0x00401234 -> physical 0x00200234: "
                                  "PDE 0x00105027 (U W P A), PTE 0x00200067 (U W P A D) "
                                  "at CR3 0x00104000");
}
END_TEST

/* Every explanation fits in PAGING_EXPLAIN_MAX, the room its callers keep
 * for it, so that none of them ever cuts one short: the longest reason,
 * every flag set, all-ones values, at each level and for both privileges. */
START_TEST(test_explain_fits_its_bound)
{
    static const char *const reasons[] = {"ok",       "not-present", "read-only",
                                          "supervisor-page", "reserved", "smep"};
    static const enum paging_access accesses[] = {PAGING_READ, PAGING_WRITE, PAGING_FETCH};
    char buf[512];
    size_t longest = 0;
    for (size_t r = 0; r < sizeof reasons / sizeof reasons[0]; r++)
        for (size_t a = 0; a < 3; a++)
            for (int level = 1; level <= 2; level++)
                for (int bits = 0; bits < 8; bits++) {
                    struct paging_walk w = {
                        .ok = r == 0,
                        .linear = 0xffffffffu,
                        .paddr = 0xffffffffu,
                        .pde_addr = 0xffffffffu,
                        .pde = (bits & 1) ? 0xffffff7fu : 0xfffffffeu,
                        .pte_addr = 0xffffffffu,
                        .pte = (bits & 2) ? 0xffffffffu : 0xfffffffeu,
                        .fault_level = level,
                        .access = accesses[a],
                        .user = bits & 4,
                        .reason_code = reasons[r],
                        .paging = true,
                        .cr3 = 0xffffffffu,
                        .rsvd_bits = 0xffffffffu,
                        .mem_error = !(bits & 1) || !(bits & 2),
                    };
                    size_t len = paging_explain(&w, buf, sizeof buf);
                    ck_assert_uint_lt(len, sizeof buf);
                    ck_assert_msg(strstr(buf, " at CR3 0xffffffff") == buf + len - 18,
                                  "\"%s\"", buf);
                    if (len > longest)
                        longest = len;
                }
    ck_assert_msg(longest < PAGING_EXPLAIN_MAX, "%zu characters, room for %d", longest,
                  PAGING_EXPLAIN_MAX - 1);
}
END_TEST

START_TEST(test_entry_flags)
{
    char buf[64];
    paging_entry_flags(0x00105007, true, buf, sizeof buf);
    ck_assert_str_eq(buf, "U W P");
    paging_entry_flags(0x00200005, false, buf, sizeof buf);
    ck_assert_str_eq(buf, "U P");
    paging_entry_flags(0x00000000, true, buf, sizeof buf);
    ck_assert_str_eq(buf, "not present");
    paging_entry_flags(0xfffffffe, false, buf, sizeof buf);
    ck_assert_str_eq(buf, "not present");
    paging_entry_flags(0x00200067, false, buf, sizeof buf);
    ck_assert_str_eq(buf, "U W P A D");
    paging_entry_flags(0x00105067, true, buf, sizeof buf); /* D means nothing here */
    ck_assert_str_eq(buf, "U W P A");
    paging_entry_flags(0x00c000e7, true, buf, sizeof buf);
    ck_assert_str_eq(buf, "U W P A D PS");
    paging_entry_flags(0x00200119, false, buf, sizeof buf);
    ck_assert_str_eq(buf, "P G PCD PWT");
    paging_entry_flags(0x00105101, true, buf, sizeof buf); /* G ignored in a table PDE */
    ck_assert_str_eq(buf, "P");
    ck_assert_uint_eq(paging_entry_flags(0x00200067, false, buf, 4), strlen("U W P A D"));
    ck_assert_str_eq(buf, "U W");
}
END_TEST

static Suite *paging_suite(void)
{
    Suite *s = suite_create("paging");
    TCase *tc = tcase_create("walk");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_paging_off_is_identity);
    tcase_add_test(tc, test_4k_translation);
    tcase_add_test(tc, test_entry_addresses);
    tcase_add_test(tc, test_not_present_pde);
    tcase_add_test(tc, test_not_present_pte);
    tcase_add_test(tc, test_entry_outside_memory);
    tcase_add_test(tc, test_pae_not_modelled);
    suite_add_tcase(s, tc);

    tc = tcase_create("rights");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_loop_test(tc, test_us_combination, 0, 4);
    tcase_add_loop_test(tc, test_rw_combination, 0, 4);
    tcase_add_test(tc, test_supervisor_write_and_wp);
    tcase_add_test(tc, test_smep_and_id_bit);
    tcase_add_test(tc, test_smap);
    suite_add_tcase(s, tc);

    tc = tcase_create("pse");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_pse_large_page);
    tcase_add_test(tc, test_ps_ignored_without_cr4_pse);
    tcase_add_test(tc, test_pse_protection);
    tcase_add_test(tc, test_pse_reserved_bits);
    tcase_add_test(tc, test_pse_accessed_dirty_on_pde);
    suite_add_tcase(s, tc);

    tc = tcase_create("accessed-dirty");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_accessed_on_read);
    tcase_add_test(tc, test_dirty_only_on_write);
    tcase_add_test(tc, test_no_ad_on_fault_or_without_set_ad);
    suite_add_tcase(s, tc);

    tc = tcase_create("explain");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_explain_read_only);
    tcase_add_test(tc, test_explain_not_present);
    tcase_add_test(tc, test_explain_other_faults);
    tcase_add_test(tc, test_explain_success);
    tcase_add_test(tc, test_explain_fits_its_bound);
    tcase_add_test(tc, test_entry_flags);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(paging_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
