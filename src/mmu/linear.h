/* Linear-address access for ringlab's own memory operations: the IDT, GDT
 * and TSS reads and the stack pushes of an exception delivery, done the way
 * the processor does them, with paging's access rights, Accessed and Dirty
 * bits, and a page fault (vector 14, error code, CR2) when they fail. */
#ifndef RINGLAB_LINEAR_H
#define RINGLAB_LINEAR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mmu/paging.h"
#include "mmu/phys.h"

struct linear_mem {
    struct phys_mem *phys;
    struct paging_regs regs; /* CR0, CR3, CR4 in force */
};

/* Why a linear access failed: a page fault, described by the walk. */
struct linear_fault {
    uint32_t error_code;
    uint32_t cr2;
    struct paging_walk walk;
};

/* user: the access is made at CPL 3 and is not one of the processor's
 * implicit supervisor accesses (descriptor tables, the TSS: SDM Vol. 3A
 * 4.6).  A write translates every page it touches before it writes any
 * byte, so a fault leaves memory as it was. */
bool linear_read(const struct linear_mem *lm, uint32_t laddr, void *dst, size_t len, bool user,
                 struct linear_fault *fault);
bool linear_write(const struct linear_mem *lm, uint32_t laddr, const void *src, size_t len,
                  bool user, struct linear_fault *fault);
/* For the debugger and explanations: no Accessed/Dirty side effects. */
bool linear_translate(const struct linear_mem *lm, uint32_t laddr, enum paging_access access,
                      bool user, struct paging_walk *walk);

#endif
