/* The 32-bit page walk: PDE, PTE or 4 MiB page, access rights, Accessed
 * and Dirty bits, #PF error code, and the explanation (see paging.h).
 *
 * Reason codes left in paging_walk.reason_code:
 *   "ok"               translated, access allowed
 *   "paging-off"       CR0.PG = 0: identity
 *   "pae-unsupported"  CR4.PAE = 1: not modelled here
 *   "not-present"      P = 0 in the PDE or PTE (fault_level says which)
 *   "reserved"         a reserved bit set in a 4 MiB PDE
 *   "supervisor-page"  user access, U/S = 0 in the PDE or PTE
 *   "read-only"        write, R/W = 0 in the PDE or PTE (user, or CR0.WP = 1)
 *   "smep"             supervisor fetch from a user page with CR4.SMEP = 1
 *   "smap"             supervisor data access to a user page with CR4.SMAP = 1,
 *                      implicit or with EFLAGS.AC = 0
 */
#include "mmu/paging.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "cpu/cpu_state.h"
#include "util/text.h"

/* The entry is read as 0 -- not present -- when nothing answers at its
 * address; mem_error tells the explanation. */
static uint32_t read_entry(const struct paging_mem *mem, uint32_t paddr, bool *mem_error)
{
    uint32_t v = 0;
    if (!mem->read32 || !mem->read32(mem->opaque, paddr, &v)) {
        *mem_error = true;
        return 0;
    }
    return v;
}

/* Set bits in an entry in memory if they are not all set yet.  A write
 * nothing answers is dropped, as on a bus with nothing there. */
static uint32_t set_bits(const struct paging_mem *mem, uint32_t paddr, uint32_t entry, uint32_t bits)
{
    if ((entry & bits) == bits)
        return entry;
    entry |= bits;
    if (mem->write32)
        (void)mem->write32(mem->opaque, paddr, entry);
    return entry;
}

static bool fail(struct paging_walk *w, const struct paging_regs *regs, int level,
                 const char *reason, uint32_t p_bits)
{
    /* SDM Vol. 3A 4.7: P (bit 0) is 0 for a not-present entry and 1 for
     * a protection or reserved-bit violation; W/R (bit 1) and U/S (bit 2)
     * describe the access; I/D (bit 4) is set for an instruction fetch
     * only if CR4.SMEP = 1 or (CR4.PAE = 1 and EFER.NXE = 1) -- with
     * 32-bit paging that leaves SMEP (QEMU's handle_mmu_fault agrees). */
    uint32_t ec = p_bits;
    if (w->access == PAGING_WRITE)
        ec |= PAGING_PF_W;
    if (w->user)
        ec |= PAGING_PF_U;
    if (w->access == PAGING_FETCH && (regs->cr4 & PAGING_CR4_SMEP))
        ec |= PAGING_PF_ID;
    w->ok = false;
    w->error_code = ec;
    w->fault_level = level;
    w->reason_code = reason;
    return false;
}

/* SMAP's part of a supervisor data access to a user page. */
static bool smap_refuses(const struct paging_regs *regs)
{
    if (!(regs->cr4 & PAGING_CR4_SMAP))
        return false;
    if (regs->origin == PAGING_BY_TOOL)
        return false;
    return regs->origin == PAGING_IMPLICIT || !(regs->eflags & PAGING_EFLAGS_AC);
}

bool paging_walk(const struct paging_mem *mem, const struct paging_regs *regs, uint32_t linear,
                 enum paging_access access, bool user, bool set_ad, struct paging_walk *out)
{
    struct paging_walk *w = out;
    memset(w, 0, sizeof *w);
    w->linear = linear;
    w->access = access;
    w->user = user;
    w->wp = (regs->cr0 & CR0_WP) != 0;
    w->origin = regs->origin;
    w->cr3 = regs->cr3;
    w->paging = (regs->cr0 & CR0_PG) != 0;

    /* SDM Vol. 3A 4.1.1: with CR0.PG = 0 a linear address is physical. */
    if (!w->paging) {
        w->ok = true;
        w->paddr = linear;
        w->reason_code = "paging-off";
        return true;
    }
    if (regs->cr4 & CR4_PAE) {
        w->reason_code = "pae-unsupported";
        return false;
    }

    /* SDM Vol. 3A 4.3: the PDE is at CR3[31:12] | linear[31:22] << 2. */
    w->pde_addr = (regs->cr3 & PAGING_FRAME_4K) | ((linear >> 22) << 2);
    w->pde = read_entry(mem, w->pde_addr, &w->mem_error);
    /* PDE not present: #PF, P = 0. */
    if (!(w->pde & PAGING_P))
        return fail(w, regs, 1, "not-present", 0);

    uint32_t eff; /* U/S and R/W of the whole path: the most restrictive */
    int final_level;
    if ((regs->cr4 & CR4_PSE) && (w->pde & PAGING_PS)) {
        /* A 4 MiB page.  Reserved bits 21:13 set: #PF, P = 1, RSVD = 1
         * (4.3 with no PSE-36; 4.7 "RSVD"). */
        w->large = true;
        if (w->pde & PAGING_PDE_4M_RSVD) {
            w->rsvd_bits = w->pde & PAGING_PDE_4M_RSVD;
            return fail(w, regs, 1, "reserved", PAGING_PF_P | PAGING_PF_RSVD);
        }
        w->paddr = (w->pde & PAGING_FRAME_4M) | (linear & ~PAGING_FRAME_4M);
        eff = w->pde;
        final_level = 1;
    } else {
        /* A page table at PDE[31:12]; the PTE at linear[21:12] << 2.
         * With 32-bit paging a PTE has no reserved bits (4.3). */
        w->pte_addr = (w->pde & PAGING_FRAME_4K) | (((linear >> 12) & 0x3ffu) << 2);
        w->pte = read_entry(mem, w->pte_addr, &w->mem_error);
        /* PTE not present: #PF, P = 0. */
        if (!(w->pte & PAGING_P))
            return fail(w, regs, 2, "not-present", 0);
        w->paddr = (w->pte & PAGING_FRAME_4K) | (linear & 0xfffu);
        eff = w->pde & w->pte;
        final_level = 2;
    }

    /* Access rights, SDM Vol. 3A 4.6.1.  The level to blame is the first
     * entry on the path that lacks the right. */
    int us_level = !(w->pde & PAGING_US) ? 1 : 2;
    int rw_level = !(w->pde & PAGING_RW) ? 1 : 2;
    if (user) {
        /* A user access needs U/S = 1 at every level ... */
        if (!(eff & PAGING_US))
            return fail(w, regs, us_level, "supervisor-page", PAGING_PF_P);
        /* ... and a user write R/W = 1 at every level, whatever CR0.WP. */
        if (access == PAGING_WRITE && !(eff & PAGING_RW))
            return fail(w, regs, rw_level, "read-only", PAGING_PF_P);
    } else {
        /* CR4.SMAP = 1: no supervisor read or write of a user page if the
         * access is implicit or EFLAGS.AC = 0 (SDM Vol. 3A 4.6.1, "Data
         * reads from user-mode pages" and "Data writes to user-mode
         * pages"); with AC = 1 an explicit access is judged as without
         * SMAP.  The error code is that of any protection fault; a
         * read-only user page is SMAP's refusal first. */
        if (access != PAGING_FETCH && smap_refuses(regs) && (eff & PAGING_US))
            return fail(w, regs, final_level, "smap", PAGING_PF_P);
        /* A supervisor write to a read-only page is allowed with
         * CR0.WP = 0 and faults with CR0.WP = 1. */
        if (access == PAGING_WRITE && w->wp && !(eff & PAGING_RW))
            return fail(w, regs, rw_level, "read-only", PAGING_PF_P);
        /* CR4.SMEP = 1: no supervisor fetch from a page that is
         * user-accessible at every level. */
        if (access == PAGING_FETCH && (regs->cr4 & PAGING_CR4_SMEP) && (eff & PAGING_US))
            return fail(w, regs, final_level, "smep", PAGING_PF_P);
    }
    /* 32-bit paging has no execute-disable: a fetch needs what a read needs. */

    /* SDM Vol. 3A 4.8: Accessed in each entry used, from the PDE down;
     * Dirty in the entry that maps the page, on a write.  Only for an
     * access that is allowed.  (QEMU and Unicorn set the PDE's Accessed
     * bit before they read the PTE, so they set it on a walk that then
     * faults at the PTE; ringlab sets nothing on a fault.) */
    if (set_ad) {
        uint32_t final_bits = PAGING_A | (access == PAGING_WRITE ? PAGING_D : 0);
        if (w->large) {
            w->pde = set_bits(mem, w->pde_addr, w->pde, final_bits);
        } else {
            w->pde = set_bits(mem, w->pde_addr, w->pde, PAGING_A);
            w->pte = set_bits(mem, w->pte_addr, w->pte, final_bits);
        }
    }
    w->ok = true;
    w->reason_code = "ok";
    return true;
}

/* ---- explanations ------------------------------------------------------ */

static void add_flags(struct text *t, uint32_t entry, bool is_pde)
{
    char flags[64];
    paging_entry_flags(entry, is_pde, flags, sizeof flags);
    text_add(t, "%s", flags);
}

size_t paging_entry_flags(uint32_t entry, bool is_pde, char *buf, size_t n)
{
    struct text t = text_start(buf, n);
    if (!(entry & PAGING_P)) {
        text_add(&t, "not present");
        return t.len;
    }
    /* D and G mean something only in the entry that maps the page. */
    bool maps_page = !is_pde || (entry & PAGING_PS);
    const char *sep = "";
    static const struct {
        uint32_t bit;
        const char *name;
        int where; /* 0 any entry, 1 only an entry that maps a page, 2 only a PDE */
    } names[] = {
        { PAGING_US, "U", 0 },   { PAGING_RW, "W", 0 },  { PAGING_P, "P", 0 },
        { PAGING_A, "A", 0 },    { PAGING_D, "D", 1 },   { PAGING_PS, "PS", 2 },
        { PAGING_G, "G", 1 },    { PAGING_PCD, "PCD", 0 }, { PAGING_PWT, "PWT", 0 },
    };
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        if (!(entry & names[i].bit))
            continue;
        if ((names[i].where == 1 && !maps_page) || (names[i].where == 2 && !is_pde))
            continue;
        text_add(&t, "%s%s", sep, names[i].name);
        sep = " ";
    }
    return t.len;
}

/* "PDE 0x00105007 (U W P, W=0)": the culprit's missing bit after a comma. */
static void add_entry(struct text *t, const char *name, uint32_t entry, bool is_pde,
                      const struct paging_walk *w, int level)
{
    text_add(t, "%s 0x%08x (", name, entry);
    add_flags(t, entry, is_pde);
    if (entry & PAGING_P) {
        const char *r = w->reason_code;
        if (!strcmp(r, "supervisor-page") && !(entry & PAGING_US))
            text_add(t, ", U=0");
        else if (!strcmp(r, "read-only") && !(entry & PAGING_RW))
            text_add(t, ", W=0");
        else if (!strcmp(r, "reserved") && w->fault_level == level)
            text_add(t, ", reserved bits 0x%08x", w->rsvd_bits);
    } else if (w->mem_error && w->fault_level == level) {
        text_add(t, ", no memory at 0x%08x", level == 1 ? w->pde_addr : w->pte_addr);
    }
    text_add(t, ")");
}

static const char *who(const struct paging_walk *w)
{
    return w->user ? "user" : "supervisor";
}

static const char *what(const struct paging_walk *w)
{
    switch (w->access) {
    case PAGING_WRITE: return "write to";
    case PAGING_FETCH: return "fetch from";
    default: return "read of";
    }
}

size_t paging_explain(const struct paging_walk *w, char *buf, size_t n)
{
    struct text t = text_start(buf, n);
    const char *r = w->reason_code ? w->reason_code : "";
    if (!w->paging) {
        text_add(&t, "paging off: linear 0x%08x is physical 0x%08x", w->linear, w->paddr);
        return t.len;
    }
    if (!strcmp(r, "pae-unsupported")) {
        text_add(&t, "PAE paging (CR4.PAE=1) is not modelled: no walk for 0x%08x", w->linear);
        return t.len;
    }
    const char *verb = what(w);
    if (w->ok) {
        text_add(&t, "%s %s 0x%08x -> physical 0x%08x", who(w), verb, w->linear, w->paddr);
    } else if (!strcmp(r, "not-present")) {
        text_add(&t, "%s %s not-present page 0x%08x", who(w), verb, w->linear);
    } else if (!strcmp(r, "read-only")) {
        text_add(&t, "%s %s read-only page 0x%08x", who(w), verb, w->linear);
        if (!w->user)
            text_add(&t, " with CR0.WP=1");
    } else if (!strcmp(r, "supervisor-page")) {
        text_add(&t, "%s %s supervisor page 0x%08x", who(w), verb, w->linear);
    } else if (!strcmp(r, "reserved")) {
        text_add(&t, "%s %s page 0x%08x with reserved bits set", who(w), verb, w->linear);
    } else if (!strcmp(r, "smep")) {
        text_add(&t, "%s %s user page 0x%08x with CR4.SMEP=1", who(w), verb, w->linear);
    } else if (!strcmp(r, "smap")) {
        bool implicit = w->origin == PAGING_IMPLICIT;
        text_add(&t, "%s%s %s user page 0x%08x with CR4.SMAP=1%s", implicit ? "implicit " : "",
                 who(w), verb, w->linear, implicit ? "" : ", EFLAGS.AC=0");
    } else {
        text_add(&t, "%s %s 0x%08x failed (%s)", who(w), verb, w->linear, r);
    }
    text_add(&t, ": ");
    add_entry(&t, "PDE", w->pde, true, w, 1);
    if (!w->large && (w->pde & PAGING_P)) {
        text_add(&t, ", ");
        add_entry(&t, "PTE", w->pte, false, w, 2);
    }
    text_add(&t, " at CR3 0x%08x", w->cr3);
    return t.len;
}
