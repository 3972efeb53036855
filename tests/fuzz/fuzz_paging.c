/* Fuzz harness: ringlab's 32-bit page walk and its explanation
 * (src/mmu/paging.c) over random page tables.  The input, little-endian:
 *
 *   bytes 0-11   CR0, CR3, CR4
 *   bytes 12-15  the linear address
 *   byte 16      bits 0-1: read, write or fetch (3 reads as fetch);
 *                bit 2: a user access; bit 3: set the Accessed/Dirty bits
 *   the rest     physical memory: address A reads the dword at A modulo
 *                its size (rounded down to dwords), so every walk finds
 *                entries; nothing answers at 0xF0000000 and above
 *
 * The walk is checked against a second, independent reading of the SDM
 * (Vol. 3A 4.3 for the translation, 4.6.1 for the access rights, 4.7 for
 * the error code, 4.8 for Accessed and Dirty), written here: the same
 * verdict, physical address, error code and entries, and the same memory
 * afterwards (A/D written only on an allowed access, PDE first, and never
 * without set_ad).  The explanation is one line whose length the function
 * returns, cut cleanly in a short buffer. */
#include <string.h>

#include "cpu/cpu_state.h"
#include "fuzz.h"
#include "mmu/paging.h"

#define NOTHING_FROM 0xF0000000u

struct phys {
    uint8_t *bytes;
    size_t size; /* a multiple of 4, or 0 */
    bool writes_allowed;
};

static uint32_t le32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static bool phys_at(const struct phys *m, uint32_t paddr, size_t *at)
{
    if (m->size == 0 || paddr >= NOTHING_FROM)
        return false;
    *at = (paddr % m->size) & ~(size_t)3;
    return true;
}

static bool read32(void *opaque, uint32_t paddr, uint32_t *value)
{
    struct phys *m = opaque;
    size_t at;
    if (!phys_at(m, paddr, &at))
        return false;
    *value = le32(m->bytes + at);
    return true;
}

static bool write32(void *opaque, uint32_t paddr, uint32_t value)
{
    struct phys *m = opaque;
    size_t at;
    FUZZ_CHECK(m->writes_allowed);
    if (!phys_at(m, paddr, &at))
        return false;
    for (int i = 0; i < 4; i++)
        m->bytes[at + (size_t)i] = (uint8_t)(value >> (8 * i));
    return true;
}

/* ---- the reference walk ---------------------------------------------- */

struct ref {
    bool ok;
    uint32_t paddr, error_code, pde, pte;
};

static uint32_t ref_read(struct phys *m, uint32_t paddr)
{
    uint32_t v;
    return read32(m, paddr, &v) ? v : 0; /* nothing there reads as not present */
}

static void ref_set(struct phys *m, uint32_t paddr, uint32_t *entry, uint32_t bits)
{
    if ((*entry & bits) != bits) {
        *entry |= bits;
        bool allowed = m->writes_allowed;
        m->writes_allowed = true;
        write32(m, paddr, *entry);
        m->writes_allowed = allowed;
    }
}

static struct ref ref_walk(struct phys *m, const struct paging_regs *r, uint32_t lin,
                           enum paging_access acc, bool user, bool set_ad)
{
    struct ref o = {0};
    if (!(r->cr0 & (1u << 31))) { /* CR0.PG = 0: linear is physical (4.1.1) */
        o.ok = true;
        o.paddr = lin;
        return o;
    }
    bool write = acc == PAGING_WRITE, fetch = acc == PAGING_FETCH;
    bool smep = (r->cr4 & (1u << 20)) != 0;
    /* Figure 4-12: W/R and U/S describe the access; I/D a fetch, with SMEP. */
    uint32_t ec = (write ? 2u : 0u) | (user ? 4u : 0u) | (fetch && smep ? 16u : 0u);
    uint32_t pde_at = (r->cr3 & ~0xfffu) + (lin >> 22) * 4;
    o.pde = ref_read(m, pde_at);
    if (!(o.pde & 1)) {
        o.error_code = ec;
        return o;
    }
    bool big = (r->cr4 & (1u << 4)) && (o.pde & 0x80);
    uint32_t pte_at = 0, rights;
    if (big) {
        if (o.pde & 0x003fe000u) { /* bits 21:13 reserved without PSE-36 */
            o.error_code = ec | 1 | 8;
            return o;
        }
        o.paddr = (o.pde & 0xffc00000u) + (lin & 0x3fffffu);
        rights = o.pde;
    } else {
        pte_at = (o.pde & ~0xfffu) + ((lin >> 12) & 0x3ff) * 4;
        o.pte = ref_read(m, pte_at);
        if (!(o.pte & 1)) {
            o.error_code = ec;
            return o;
        }
        o.paddr = (o.pte & ~0xfffu) + (lin & 0xfff);
        rights = o.pde & o.pte;
    }
    bool u = (rights & 4) != 0, w = (rights & 2) != 0;
    bool denied = user ? (!u || (write && !w))
                       : ((write && (r->cr0 & (1u << 16)) && !w) || (fetch && smep && u));
    if (denied) {
        o.error_code = ec | 1;
        o.paddr = 0;
        return o;
    }
    o.ok = true;
    if (set_ad) {
        if (big) {
            ref_set(m, pde_at, &o.pde, write ? 0x60u : 0x20u);
        } else {
            ref_set(m, pde_at, &o.pde, 0x20u);
            ref_set(m, pte_at, &o.pte, write ? 0x60u : 0x20u);
        }
    }
    return o;
}

/* ---- the harness ----------------------------------------------------- */

static void check_text(const struct paging_walk *w)
{
    char full[512], cut[64];
    size_t len = paging_explain(w, full, sizeof full);
    FUZZ_CHECK(len < sizeof full && strlen(full) == len && len > 0 && fuzz_one_line(full));
    for (size_t n = 1; n <= sizeof cut; n += 21) {
        memset(cut, 'x', sizeof cut);
        FUZZ_CHECK(paging_explain(w, cut, n) == len);
        FUZZ_CHECK(strlen(cut) == (len < n ? len : n - 1) && memcmp(cut, full, strlen(cut)) == 0);
    }
    FUZZ_CHECK(paging_explain(w, NULL, 0) == len);
    if (w->paging && !w->ok && strcmp(w->reason_code, "pae-unsupported") != 0) {
        char pde[16];
        snprintf(pde, sizeof pde, "PDE 0x%08x", w->pde);
        FUZZ_CHECK(strstr(full, pde) != NULL);
    }
    char flags[64];
    len = paging_entry_flags(w->pde, true, flags, sizeof flags);
    FUZZ_CHECK(len == strlen(flags) && len > 0 && len < sizeof flags);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint8_t head[17] = {0};
    memcpy(head, data, size < sizeof head ? size : sizeof head);
    struct paging_regs regs = {.cr0 = le32(head), .cr3 = le32(head + 4), .cr4 = le32(head + 8)};
    uint32_t lin = le32(head + 12);
    enum paging_access acc = (head[16] & 3) == 0 ? PAGING_READ
                             : (head[16] & 3) == 1 ? PAGING_WRITE
                                                   : PAGING_FETCH;
    bool user = (head[16] & 4) != 0, set_ad = (head[16] & 8) != 0;

    size_t msize = size > sizeof head ? (size - sizeof head) & ~(size_t)3 : 0;
    struct phys mem = {fuzz_copy(size > sizeof head ? data + sizeof head : head, msize), msize,
                       set_ad};
    struct phys ref_mem = {fuzz_copy(mem.bytes, msize), msize, set_ad};
    struct paging_mem pm = {read32, write32, &mem};

    struct paging_walk w;
    bool ok = paging_walk(&pm, &regs, lin, acc, user, set_ad, &w);
    FUZZ_CHECK(ok == w.ok && w.linear == lin && w.access == acc && w.user == user);
    FUZZ_CHECK(w.reason_code != NULL);
    check_text(&w);

    if (regs.cr4 & CR4_PAE && regs.cr0 & CR0_PG) {
        /* Not modelled: refused, with no error code and nothing to blame. */
        FUZZ_CHECK(!ok && w.error_code == 0 && w.fault_level == 0);
        FUZZ_CHECK(strcmp(w.reason_code, "pae-unsupported") == 0);
        FUZZ_CHECK(memcmp(mem.bytes, ref_mem.bytes, msize) == 0);
    } else {
        struct ref r = ref_walk(&ref_mem, &regs, lin, acc, user, set_ad);
        FUZZ_CHECK(ok == r.ok);
        FUZZ_CHECK(ok ? w.paddr == r.paddr : w.error_code == r.error_code);
        FUZZ_CHECK(!(regs.cr0 & CR0_PG) || w.pde == r.pde);
        FUZZ_CHECK(w.large || !(regs.cr0 & CR0_PG) || !(r.pde & 1) || w.pte == r.pte);
        FUZZ_CHECK(memcmp(mem.bytes, ref_mem.bytes, msize) == 0);
        FUZZ_CHECK(ok || w.fault_level == 1 || w.fault_level == 2);
        FUZZ_CHECK(ok || ((w.error_code & PAGING_PF_P) != 0) ==
                             (strcmp(w.reason_code, "not-present") != 0));
    }
    if (ok && set_ad) {
        /* A second walk finds the bits set and writes nothing more. */
        struct paging_walk again;
        mem.writes_allowed = false;
        FUZZ_CHECK(paging_walk(&pm, &regs, lin, acc, user, true, &again) || msize == 0);
        FUZZ_CHECK(again.paddr == w.paddr || msize == 0);
    }
    free(mem.bytes);
    free(ref_mem.bytes);
    return 0;
}
