/* Linear-address access with paging, for ringlab's own memory operations
 * (see linear.h). */
#include "mmu/linear.h"

#include <string.h>

#define PAGE_SIZE 4096u

static bool translate(const struct linear_mem *lm, uint32_t laddr, enum paging_access access,
                      bool user, bool set_ad, uint32_t *paddr, struct linear_fault *fault)
{
    struct paging_walk w;
    struct paging_mem pmem = phys_paging_mem(lm->phys);
    if (paging_walk(&pmem, &lm->regs, laddr, access, user, set_ad, &w)) {
        *paddr = w.paddr;
        return true;
    }
    if (fault) {
        fault->error_code = w.error_code;
        fault->cr2 = laddr;
        fault->walk = w;
    }
    return false;
}

/* Length of the piece of [laddr, laddr+len) that stays on laddr's page. */
static size_t chunk_len(uint32_t laddr, size_t len)
{
    size_t room = PAGE_SIZE - (laddr & (PAGE_SIZE - 1));
    return len < room ? len : room;
}

bool linear_read(const struct linear_mem *lm, uint32_t laddr, void *dst, size_t len, bool user,
                 struct linear_fault *fault)
{
    uint8_t *out = dst;
    while (len > 0) {
        size_t n = chunk_len(laddr, len);
        uint32_t paddr;
        if (!translate(lm, laddr, PAGING_READ, user, true, &paddr, fault))
            return false;
        phys_read(lm->phys, paddr, out, n);
        out += n;
        laddr += (uint32_t)n;
        len -= n;
    }
    return true;
}

bool linear_write(const struct linear_mem *lm, uint32_t laddr, const void *src, size_t len,
                  bool user, struct linear_fault *fault)
{
    /* A write of up to a few dwords touches at most two pages: check both
     * before writing either (no partial frame on a fault). */
    uint32_t paddr[2];
    size_t first = chunk_len(laddr, len);
    if (!translate(lm, laddr, PAGING_WRITE, user, true, &paddr[0], fault))
        return false;
    if (first < len && !translate(lm, laddr + (uint32_t)first, PAGING_WRITE, user, true,
                                  &paddr[1], fault))
        return false;
    const uint8_t *in = src;
    phys_write(lm->phys, paddr[0], in, first);
    if (first < len)
        phys_write(lm->phys, paddr[1], in + first, len - first);
    return true;
}

bool linear_translate(const struct linear_mem *lm, uint32_t laddr, enum paging_access access,
                      bool user, struct paging_walk *walk)
{
    struct paging_mem pmem = phys_paging_mem(lm->phys);
    return paging_walk(&pmem, &lm->regs, laddr, access, user, false, walk);
}
