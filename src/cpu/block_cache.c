/* The block cache (see block_cache.h). */
#include "cpu/block_cache.h"

#include <stdlib.h>
#include <string.h>

#include "cpu/cpu_state.h"

bool block_cache_init(struct block_cache *bc, size_t nentries, const uint8_t *ram,
                      size_t ram_size, struct disasm *disasm, struct code_guard *guard)
{
    memset(bc, 0, sizeof *bc);
    bc->guard = guard;
    bc->gen = guard ? guard->gen : NULL;
    bc->entries = calloc(nentries, sizeof *bc->entries);
    if (!bc->entries)
        return false;
    if (guard && !(bc->phys = calloc(nentries, sizeof *bc->phys))) {
        free(bc->entries);
        bc->entries = NULL;
        return false;
    }
    bc->nentries = nentries;
    bc->ram = ram;
    bc->ram_size = ram_size;
    bc->disasm = disasm;
    return true;
}

void block_cache_free(struct block_cache *bc)
{
    free(bc->entries);
    free(bc->phys);
    bc->entries = NULL;
    bc->phys = NULL;
}

void block_cache_clear(struct block_cache *bc)
{
    memset(bc->entries, 0, bc->nentries * sizeof *bc->entries);
    if (bc->phys)
        memset(bc->phys, 0, bc->nentries * sizeof *bc->phys);
}

static struct block_phys *phys_slot(const struct block_cache *bc, uint32_t paddr, uint32_t size)
{
    uint32_t h = (paddr * 2654435761u) ^ (size * 40503u);
    return &bc->phys[h & (bc->nentries - 1)];
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
static inline __attribute__((always_inline)) bool code_paddr(const struct block_cache *bc, const struct paging_regs *r, uint32_t addr,
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

/* A hash of the bytes past the kept ones (FNV-1a, continued across the
 * two pieces of a block that crosses a page). */
static uint64_t hash_bytes(uint64_t h, const uint8_t *p, uint32_t n)
{
    while (n--)
        h = (h ^ *p++) * 0x100000001b3ull;
    return h;
}

#define HASH_START 0xcbf29ce484222325ull

/* Where a block's bytes lie: its first page's piece and the next page's. */
struct block_place {
    uint32_t paddr[2];
    uint32_t first; /* bytes on the first page */
};

static inline __attribute__((always_inline)) bool place_block(const struct block_cache *bc, const struct paging_regs *r, uint32_t addr,
                        uint32_t size, struct block_place *pl)
{
    pl->first = 4096 - (addr & 4095);
    if (pl->first > size)
        pl->first = size;
    pl->paddr[1] = 0;
    if (!code_paddr(bc, r, addr, &pl->paddr[0]) || (uint64_t)pl->paddr[0] + pl->first > bc->ram_size)
        return false;
    if (pl->first < size && (!code_paddr(bc, r, addr + pl->first, &pl->paddr[1]) ||
                             (uint64_t)pl->paddr[1] + (size - pl->first) > bc->ram_size))
        return false;
    return true;
}

/* The hash of bytes [from, size) of a placed block. */
static uint64_t tail_hash(const struct block_cache *bc, const struct block_place *pl,
                          uint32_t from, uint32_t size)
{
    uint64_t h = HASH_START;
    if (from < pl->first)
        h = hash_bytes(h, bc->ram + pl->paddr[0] + from, pl->first - from);
    uint32_t second = from > pl->first ? from : pl->first;
    if (second < size)
        h = hash_bytes(h, bc->ram + pl->paddr[1] + (second - pl->first), size - second);
    return h;
}

/* Do the block's first `len` bytes, in place, equal `code`? */
static bool kept_bytes_equal(const struct block_cache *bc, const struct block_place *pl,
                             const uint8_t *code, uint32_t len)
{
    uint32_t on_first = len < pl->first ? len : pl->first;
    return same_bytes(bc->ram + pl->paddr[0], code, on_first) &&
           (on_first == len || same_bytes(bc->ram + pl->paddr[1], code + on_first, len - on_first));
}

/* Is `b` still the block at `addr` under `r`: the same physical pages,
 * every byte unchanged?  Compares in place (this runs for every block
 * executed); bytes past the kept ones are compared by their hash. */
static bool still_valid(const struct block_cache *bc, const struct block_info *b,
                        const struct paging_regs *r, uint32_t addr)
{
    struct block_place pl;
    if (!place_block(bc, r, addr, b->size, &pl) || pl.paddr[0] != b->paddr[0] ||
        pl.paddr[1] != b->paddr[1])
        return false;
    /* The same frames: when the guard has seen no write to them since the
     * last check, the bytes are the same too (only the mappings moved,
     * as on every switch of address space). */
    if (bc->guard && !b->unguarded && bc->gen[b->paddr[0] >> 12] == b->gen[0] &&
        (b->paddr[1] == 0 || bc->gen[b->paddr[1] >> 12] == b->gen[1]))
        return true;
    return kept_bytes_equal(bc, &pl, b->code, b->len) &&
           (b->size <= b->len || tail_hash(bc, &pl, b->len, b->size) == b->tail_hash);
}

/* The block has just been checked against memory in `epoch`: guard its
 * frames and remember their generations, so that the next lookups need
 * not look at its bytes until a frame is written or the mappings move. */
static void checked(struct block_cache *bc, struct block_info *b, uint32_t epoch)
{
    b->epoch = epoch;
    b->unguarded = bc->guard == NULL;
    for (int i = 0; i < 2 && bc->guard; i++) {
        if (i == 1 && b->paddr[1] == 0 && (b->paddr[0] & 4095) + b->size <= 4096)
            break;
        uint32_t frame = b->paddr[i] >> 12;
        b->gen[i] = code_guard_protect(bc->guard, frame);
        if (code_guard_is_volatile(bc->guard, frame))
            b->unguarded = true;
    }
    if (bc->guard && !b->unguarded) {
        struct block_phys *p = phys_slot(bc, b->paddr[0], b->size);
        *p = (struct block_phys){{b->paddr[0], b->paddr[1]}, b->size, {b->gen[0], b->gen[1]}};
    }
}

/* Were these bytes checked before, in these frames, under other mappings,
 * and has nothing written the frames since? */
static bool seen_unwritten(const struct block_cache *bc, const struct block_place *pl,
                           uint32_t size)
{
    if (!bc->phys)
        return false;
    const struct block_phys *p = phys_slot(bc, pl->paddr[0], size);
    if (p->size != size || p->paddr[0] != pl->paddr[0] || p->paddr[1] != pl->paddr[1])
        return false;
    for (int i = 0; i < 2; i++) {
        if (i == 1 && p->paddr[1] == 0)
            break;
        uint32_t frame = p->paddr[i] >> 12;
        if (bc->gen[frame] != p->gen[i] || code_guard_is_volatile(bc->guard, frame))
            return false;
    }
    return true;
}

/* Decode the block into entry `b` (not found, or no longer valid). */
static __attribute__((noinline)) const struct block_info *
fill(struct block_cache *bc, struct block_info *b, const struct paging_regs *regs, bool code32,
     uint32_t addr, uint32_t size, bool *is_new)
{
    struct block_place pl;
    if (!place_block(bc, regs, addr, size, &pl))
        return NULL;
    uint8_t *all = malloc(size ? size : 1);
    if (!all)
        return NULL;
    memcpy(all, bc->ram + pl.paddr[0], pl.first);
    if (pl.first < size)
        memcpy(all + pl.first, bc->ram + pl.paddr[1], size - pl.first);
    struct disasm_block scan;
    disasm_scan(bc->disasm, all, size, addr, code32, &scan);
    uint32_t len = size < BLOCK_CODE_MAX ? size : BLOCK_CODE_MAX;
    b->addr = addr;
    b->size = size;
    b->cr3 = regs->cr3;
    b->code32 = code32;
    b->paddr[0] = pl.paddr[0];
    b->paddr[1] = pl.paddr[1];
    b->count = scan.count ? scan.count : 1;
    b->first_special = scan.first_special;
    b->special = (uint8_t)scan.special;
    b->slow = (uint8_t)((scan.first_special >= 0 ? BLOCK_SPECIAL : 0) |
                        (scan.returns != RETURN_NONE ? BLOCK_RETURNS : 0) |
                        (scan.may_remap ? BLOCK_REMAP : 0) | (scan.may_set_if ? BLOCK_SET_IF : 0) |
                        (scan.loads_seg ? BLOCK_SEGLOAD : 0));
    b->seg_reload_end = (int16_t)scan.seg_reload_end;
    b->monitor_at = bc->scan ? (int16_t)bc->scan(bc->scan_opaque, all, size, addr, code32) : -1;
    if (b->monitor_at >= 0) {
        b->special |= BLOCK_SPECIAL_MONITOR;
        b->slow |= BLOCK_SPECIAL;
        if (b->first_special < 0 || b->monitor_at < b->first_special)
            b->first_special = b->monitor_at;
    }
    b->seg_uses = (uint8_t)scan.seg_uses;
    b->nio = (uint8_t)scan.nio;
    memcpy(b->io_index, scan.io_index, sizeof b->io_index);
    b->may_remap = scan.may_remap;
    b->flushes_tlb = scan.flushes_tlb;
    b->may_set_if = scan.may_set_if;
    b->returns = (uint8_t)scan.returns;
    b->last_insn = (uint16_t)scan.last_insn;
    b->len = (uint8_t)len;
    memcpy(b->code, all, len);
    b->tail_hash = size > len ? tail_hash(bc, &pl, len, size) : 0;
    free(all);
    bc->decoded++;
    *is_new = !seen_unwritten(bc, &pl, size);
    return b;
}

/* The lookup of a block that is in the table but may have moved: check it
 * against memory, or decode it again. */
static __attribute__((noinline)) const struct block_info *
recheck(struct block_cache *bc, struct block_info *b, const struct paging_regs *regs,
        bool code32, uint32_t epoch, uint32_t addr, uint32_t size, bool *is_new)
{
    if (b->count && b->addr == addr && b->size == size && b->cr3 == regs->cr3 &&
        b->code32 == code32 && still_valid(bc, b, regs, addr)) {
        bc->checked++;
        checked(bc, b, epoch);
        return b;
    }
    const struct block_info *n = fill(bc, b, regs, code32, addr, size, is_new);
    if (n)
        checked(bc, b, epoch);
    return n;
}

const struct block_info *block_cache_get(struct block_cache *bc, const struct paging_regs *regs,
                                         bool code32, uint32_t epoch, uint32_t addr,
                                         uint32_t size, bool *is_new)
{
    *is_new = false;
    const struct block_info *hit = bc->guard ? block_cache_hit(bc, regs->cr3, epoch, addr, size)
                                             : NULL;
    if (hit)
        return hit;
    return recheck(bc, block_cache_slot(bc, regs->cr3, addr, size), regs, code32, epoch, addr,
                   size, is_new);
}
