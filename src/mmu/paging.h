/* ringlab's own 32-bit page walk (CR4.PAE = 0): translation of a linear
 * address through the page directory and page table, the access rights of
 * user and supervisor accesses, the Accessed and Dirty bits and the #PF
 * error code (SDM Vol. 3A 4.3, 4.6, 4.7, 4.8), and the sentence that says
 * why a walk failed.  Pure over a physical-memory callback, so it can be
 * tested without the engine. */
#ifndef RINGLAB_PAGING_H
#define RINGLAB_PAGING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Physical memory as the walker sees it.  read32 returns false when
 * nothing answers at paddr; write32 is used only to set A and D. */
struct paging_mem {
    bool (*read32)(void *opaque, uint32_t paddr, uint32_t *value);
    bool (*write32)(void *opaque, uint32_t paddr, uint32_t value);
    void *opaque;
};

enum paging_access { PAGING_READ, PAGING_WRITE, PAGING_FETCH };

/* Who makes an access, for SMAP: the guest's instructions (explicit),
 * the processor itself (implicit supervisor-mode accesses: descriptor
 * tables, the IDT, the TSS, at any CPL, SDM Vol. 3A 4.6), or a tool that
 * looks (the debugger, the monitor), which SMAP does not stop. */
enum paging_origin { PAGING_BY_TOOL, PAGING_EXPLICIT, PAGING_IMPLICIT };

struct paging_regs {
    uint32_t cr0, cr3, cr4;
    /* For CR4.SMAP (SDM Vol. 3A 4.6.1): EFLAGS in force (AC, bit 18, lets
     * explicit supervisor data accesses reach user pages), and who makes
     * the accesses. */
    uint32_t eflags;
    enum paging_origin origin;
};

/* CR4.SMEP and CR4.SMAP (SDM Vol. 3A 2.5); cpu_state.h does not name them. */
#define PAGING_CR4_SMEP (1u << 20)
#define PAGING_CR4_SMAP (1u << 21)
#define PAGING_EFLAGS_AC (1u << 18)

/* Bits of a PDE or PTE (SDM Vol. 3A 4.3, Tables 4-4 to 4-6). */
#define PAGING_P (1u << 0)
#define PAGING_RW (1u << 1)
#define PAGING_US (1u << 2)
#define PAGING_PWT (1u << 3)
#define PAGING_PCD (1u << 4)
#define PAGING_A (1u << 5)
#define PAGING_D (1u << 6)
#define PAGING_PS (1u << 7) /* PDE; in a PTE this is PAT */
#define PAGING_G (1u << 8)
#define PAGING_FRAME_4K 0xfffff000u
#define PAGING_FRAME_4M 0xffc00000u
/* Reserved bits of a PDE that maps a 4 MiB page on a processor without
 * PSE-36: bits 21:13 (SDM Vol. 3A 4.3; bit 12 is PAT).  ringlab models
 * 32-bit physical addresses, so it reports no PSE-36 and these bits give
 * a reserved-bit #PF.  QEMU and Unicorn instead take bits 20:13 as
 * physical-address bits 39:32 and reserve only bit 21. */
#define PAGING_PDE_4M_RSVD 0x003fe000u

/* #PF error code (SDM Vol. 3A 4.7, Figure 4-12). */
#define PAGING_PF_P (1u << 0)    /* 0: not present; 1: protection or reserved bit */
#define PAGING_PF_W (1u << 1)    /* the access was a write */
#define PAGING_PF_U (1u << 2)    /* the access was a user-mode access */
#define PAGING_PF_RSVD (1u << 3) /* a reserved bit was set in an entry */
#define PAGING_PF_ID (1u << 4)   /* instruction fetch, only when SMEP is on here */

struct paging_walk {
    bool ok;
    uint32_t linear, paddr;
    uint32_t error_code; /* valid when !ok */
    /* The entries as they are after the walk (with any A/D this walk set).
     * pte_addr/pte are 0 when the walk did not reach a page table. */
    uint32_t pde_addr, pde, pte_addr, pte;
    bool large;      /* a 4 MiB page (CR4.PSE and PDE.PS) */
    int fault_level; /* 1 = the PDE is to blame, 2 = the PTE, 0 none */
    enum paging_access access;
    bool user;
    bool wp;                 /* CR0.WP at the time */
    enum paging_origin origin; /* regs->origin */
    const char *reason_code; /* short key, see paging.c */
    /* For the explanations and the debugger: */
    bool paging;        /* CR0.PG was set */
    uint32_t cr3;       /* CR3 at the time, for the explanation */
    uint32_t rsvd_bits; /* the reserved bits found set (reason "reserved") */
    bool mem_error;     /* an entry could not be read: taken as 0 (not present) */
};

/* Walk for an access.  user = the access is at CPL 3 and not an implicit
 * supervisor access (descriptor tables, TSS: SDM Vol. 3A 4.6); an access
 * with user = false at CPL 3 is implicit, and the caller says so in
 * regs->origin.  set_ad:
 * set Accessed (and Dirty on a write) in the entries as the processor
 * does, through write32 -- only when the access is allowed, PDE first.
 * Returns out->ok.  With CR0.PG = 0 the translation is the identity.
 * On failure out->error_code is the #PF error code, except for reason
 * "pae-unsupported" (CR4.PAE = 1, not modelled), where it is 0 and
 * fault_level is 0. */
bool paging_walk(const struct paging_mem *mem, const struct paging_regs *regs, uint32_t linear,
                 enum paging_access access, bool user, bool set_ad, struct paging_walk *out);

/* One line for people, e.g. "user write to read-only page 0x00401000:
 * PDE 0x00105007 (U W P), PTE 0x00200005 (U P, W=0) at CR3 0x00104000".
 * Returns the length of the whole text, as snprintf does; it is always
 * shorter than PAGING_EXPLAIN_MAX, so a buffer of that size never cuts it. */
#define PAGING_EXPLAIN_MAX 192
size_t paging_explain(const struct paging_walk *w, char *buf, size_t n);

/* The flags of an entry, "U W P A D" style; "not present" when P = 0. */
size_t paging_entry_flags(uint32_t entry, bool is_pde, char *buf, size_t n);

#endif
