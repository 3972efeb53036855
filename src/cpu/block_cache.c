/* The block cache (see block_cache.h). */
#include "cpu/block_cache.h"

#include <stdlib.h>
#include <string.h>

#include "cpu/cpu_state.h"

bool block_cache_init(struct block_cache *bc, size_t nentries, const uint8_t *ram,
                      size_t ram_size, struct disasm *disasm)
{
    memset(bc, 0, sizeof *bc);
    bc->entries = calloc(nentries, sizeof *bc->entries);
    if (!bc->entries)
        return false;
    bc->nentries = nentries;
    bc->ram = ram;
    bc->ram_size = ram_size;
    bc->disasm = disasm;
    return true;
}

void block_cache_free(struct block_cache *bc)
{
    free(bc->entries);
    bc->entries = NULL;
}

void block_cache_clear(struct block_cache *bc)
{
    memset(bc->entries, 0, bc->nentries * sizeof *bc->entries);
}

static bool read_entry(const struct block_cache *bc, uint32_t paddr, uint32_t *value)
{
    if ((uint64_t)paddr + 4 > bc->ram_size)
        return false;
    memcpy(value, bc->ram + paddr, 4);
    return true;
}

/* Where linear `addr` is in physical memory, by the page tables in force.
 * The processor has just fetched from it, so only presence matters here:
 * the walk is the lean part of SDM Vol. 3A 4.3, without rights or A/D. */
static inline bool code_paddr(const struct block_cache *bc, const struct paging_regs *r, uint32_t addr,
                       uint32_t *paddr)
{
    if (!(r->cr0 & CR0_PG)) {
        *paddr = addr;
        return addr < bc->ram_size;
    }
    uint32_t pde, pte;
    if (!read_entry(bc, (r->cr3 & PAGING_FRAME_4K) + ((addr >> 22) << 2), &pde) ||
        !(pde & PAGING_P))
        return false;
    if ((pde & PAGING_PS) && (r->cr4 & CR4_PSE)) {
        *paddr = (pde & PAGING_FRAME_4M) | (addr & 0x3fffff);
        return *paddr < bc->ram_size;
    }
    if (!read_entry(bc, (pde & PAGING_FRAME_4K) + (((addr >> 12) & 0x3ff) << 2), &pte) ||
        !(pte & PAGING_P))
        return false;
    *paddr = (pte & PAGING_FRAME_4K) | (addr & 0xfff);
    return *paddr < bc->ram_size;
}

/* The first `len` bytes of the block, gathered across at most two pages. */
static bool gather(const struct block_cache *bc, const struct paging_regs *r, uint32_t addr,
                   uint32_t len, uint8_t *out, uint32_t paddr[2])
{
    uint32_t first = 4096 - (addr & 4095);
    if (first > len)
        first = len;
    paddr[1] = 0;
    if (!code_paddr(bc, r, addr, &paddr[0]) || (uint64_t)paddr[0] + first > bc->ram_size)
        return false;
    memcpy(out, bc->ram + paddr[0], first);
    if (first < len) {
        if (!code_paddr(bc, r, addr + first, &paddr[1]) ||
            (uint64_t)paddr[1] + (len - first) > bc->ram_size)
            return false;
        memcpy(out + first, bc->ram + paddr[1], len - first);
    }
    return true;
}

/* Do `n` bytes at `a` equal those at `b`?  Word by word: blocks are short,
 * and a library call costs more than the comparison. */
static bool same_bytes(const uint8_t *a, const uint8_t *b, uint32_t n)
{
    while (n >= 8) {
        uint64_t x, y;
        memcpy(&x, a, 8);
        memcpy(&y, b, 8);
        if (x != y)
            return false;
        a += 8;
        b += 8;
        n -= 8;
    }
    while (n--)
        if (*a++ != *b++)
            return false;
    return true;
}

/* Is `b` still the block at `addr` under `r`: the same physical bytes,
 * unchanged?  Compares in place (this runs for every block executed). */
static bool still_valid(const struct block_cache *bc, const struct block_info *b,
                        const struct paging_regs *r, uint32_t addr)
{
    uint32_t p0, p1;
    uint32_t first = 4096 - (addr & 4095);
    if (first > b->len)
        first = b->len;
    if (!code_paddr(bc, r, addr, &p0) || p0 != b->paddr[0] ||
        !same_bytes(bc->ram + p0, b->code, first))
        return false;
    if (first == b->len)
        return true;
    return code_paddr(bc, r, addr + first, &p1) && p1 == b->paddr[1] &&
           same_bytes(bc->ram + p1, b->code + first, b->len - first);
}

const struct block_info *block_cache_get(struct block_cache *bc, const struct paging_regs *regs,
                                         uint32_t addr, uint32_t size, bool *is_new)
{
    uint32_t h = (addr * 2654435761u) ^ (size * 40503u) ^ (regs->cr3 >> 12);
    struct block_info *b = &bc->entries[h & (bc->nentries - 1)];
    *is_new = false;
    if (b->count && b->addr == addr && b->size == size && b->cr3 == regs->cr3 &&
        still_valid(bc, b, regs, addr))
        return b;

    uint32_t len = size < BLOCK_CODE_MAX ? size : BLOCK_CODE_MAX;
    uint8_t now[BLOCK_CODE_MAX];
    uint32_t paddr[2];
    if (!gather(bc, regs, addr, len, now, paddr))
        return NULL;
    /* Decode it (the kept bytes, or more for a long block). */
    struct disasm_block scan;
    if (size <= BLOCK_CODE_MAX) {
        disasm_scan(bc->disasm, now, len, addr, &scan);
    } else {
        uint8_t *all = malloc(size);
        uint32_t ignored[2];
        if (!all || !gather(bc, regs, addr, size, all, ignored)) {
            free(all);
            return NULL;
        }
        disasm_scan(bc->disasm, all, size, addr, &scan);
        free(all);
    }
    b->addr = addr;
    b->size = size;
    b->cr3 = regs->cr3;
    b->paddr[0] = paddr[0];
    b->paddr[1] = paddr[1];
    b->count = scan.count ? scan.count : 1;
    b->first_io = scan.first_io;
    b->may_remap = scan.may_remap;
    b->may_set_if = scan.may_set_if;
    b->returns = (uint8_t)scan.returns;
    b->last_insn = (uint16_t)scan.last_insn;
    b->len = (uint8_t)len;
    memcpy(b->code, now, len);
    bc->decoded++;
    *is_new = true;
    return b;
}
