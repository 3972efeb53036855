/* What ringlab knows about each block of guest code Unicorn translates:
 * how many instructions it holds (the virtual clock counts them), where its
 * first special instruction is (I/O the permission check may refuse, RDTSC
 * and the MSR accesses that read the virtual clock: the run stops before
 * it), and whether it may switch address spaces or enable interrupts.
 *
 * An entry keeps a copy of the block's bytes and where they sit in physical
 * memory, so it can never describe code that is no longer there: a program
 * loaded where another one ran, a page directory reused by a new process,
 * self-modifying code.  It is checked again -- the address translated
 * through the page tables in force, the bytes compared -- when something
 * may have moved it:
 *   - the mappings: the caller's epoch, which it moves on whenever CR0,
 *     CR3 or CR4 change or the guest invalidates TLB entries (INVLPG), as
 *     the processor's own TLB would forget them (SDM Vol. 3A 4.10.4);
 *   - the bytes: with a code guard, a write to one of the block's frames
 *     since the last check (any write, by the guest through any mapping or
 *     by ringlab); without one, or in a frame too busy to guard, always.
 * A lookup that finds nothing valid reports the block as new: the caller
 * must then have Unicorn translate it again, since Unicorn 2.1.1 can keep
 * running translations of code that has since been overwritten -- unless
 * the same bytes of the same frames were checked before (under any
 * mappings) and the guard has seen no write to those frames since: then
 * the engine's translation, made after that check, is of these bytes. */
#ifndef RINGLAB_BLOCK_CACHE_H
#define RINGLAB_BLOCK_CACHE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cpu/code_guard.h"
#include "debug/disasm.h"
#include "mmu/paging.h"

#define BLOCK_CODE_MAX 64 /* bytes of a block kept for comparison */

/* Bits of block_info.slow: what the block hook must do more than count. */
#define BLOCK_SPECIAL 0x01u   /* holds a special instruction */
#define BLOCK_RETURNS 0x02u   /* ends in a return to an outer ring, maybe */
#define BLOCK_REMAP 0x04u     /* may change CR0/CR3/CR4 or flush TLB entries */
#define BLOCK_SET_IF 0x08u    /* may set EFLAGS.IF */
#define BLOCK_SEGLOAD 0x10u   /* loads a segment register: the limits to check may change */
/* A bit of block_info.special beside the DISASM_SPECIAL_* ones: the
 * monitor's scan (block_cache.scan) asked for the instruction at
 * monitor_at. */
#define BLOCK_SPECIAL_MONITOR 0x80u

struct block_info {
    /* What the block hook reads for every block, first, in one cache line. */
    uint32_t addr, size, cr3;
    uint32_t epoch;          /* the caller's epoch at the last check */
    uint32_t count;          /* instructions; 0: the entry is empty */
    uint32_t paddr[2];       /* physical address of the first byte, and of the
                                first byte on the next page if the block
                                crosses one (0 if not) */
    uint32_t gen[2];         /* the code guard's generation of each frame then */
    uint8_t slow;            /* BLOCK_* */
    bool code32;             /* decoded as 32-bit code (CS.D), else as 16-bit */
    bool unguarded;          /* a frame is not guarded: check every time */
    uint8_t seg_uses;        /* disasm_block.seg_uses: a null one there faults */
    /* The rest, for the slow path. */
    uint8_t special;         /* DISASM_SPECIAL_* of every special instruction in it */
    uint8_t nio;             /* I/O instructions whose number is known (at most 4) */
    uint8_t io_index[DISASM_IO_MAX]; /* their numbers in the block, from 0 */
    int first_special;       /* offset of the first special instruction, -1 if none */
    bool may_remap;          /* CR3 or CR0 may differ after it runs */
    bool flushes_tlb;        /* it flushes TLB entries (INVLPG, MOV to CRn) */
    bool may_set_if;         /* EFLAGS.IF may be set after it runs */
    uint8_t returns;         /* enum disasm_return of its last instruction */
    uint16_t last_insn;      /* offset of its last instruction */
    int16_t seg_reload_end;  /* disasm_block.seg_reload_end */
    int16_t monitor_at;      /* the scan's answer: an offset, or -1 */
    uint8_t len;             /* bytes kept in code[] */
    uint8_t code[BLOCK_CODE_MAX];
    uint64_t tail_hash;      /* hash of the bytes past code[], for longer blocks */
};

/* Code the engine is known to have translated as it now is, by where it
 * lies in physical memory: the frames' guard generations when a block there
 * was last checked.  A block met again under another address space (a new
 * CR3 after fork or exec: the kernel's code in every process) is then not
 * new to the engine even though its entry is. */
struct block_phys {
    uint32_t paddr[2], size;
    uint32_t gen[2];
};

struct block_cache {
    struct block_info *entries;
    struct block_phys *phys; /* as many as entries; NULL without a guard */
    size_t nentries;         /* a power of two */
    const uint8_t *ram;
    size_t ram_size;
    struct disasm *disasm;
    struct code_guard *guard; /* NULL: compare every block's bytes every time */
    const volatile uint32_t *gen; /* the guard's generations (for the fast path) */
    /* A monitor's look at each block decoded (NULL: none): the offset of
     * the first instruction it executes itself, or -1.  It becomes the
     * block's first special instruction when it comes first. */
    int (*scan)(void *opaque, const uint8_t *code, uint32_t size, uint32_t addr, bool code32);
    void *scan_opaque;
    uint64_t decoded;        /* blocks decoded (first seen, or changed) */
    uint64_t checked;        /* blocks checked against memory again */
};

bool block_cache_init(struct block_cache *bc, size_t nentries, const uint8_t *ram,
                      size_t ram_size, struct disasm *disasm, struct code_guard *guard);
void block_cache_free(struct block_cache *bc);
void block_cache_clear(struct block_cache *bc);

/* Where the block of `size` bytes at linear `addr` under CR3 `cr3` is kept. */
static inline struct block_info *block_cache_slot(const struct block_cache *bc, uint32_t cr3,
                                                  uint32_t addr, uint32_t size)
{
    uint32_t h = (addr * 2654435761u) ^ (size * 40503u) ^ (cr3 >> 12);
    return &bc->entries[h & (bc->nentries - 1)];
}

/* The block's entry when nothing can have moved it since its last check
 * (the epoch is the same and no write touched its guarded frames); NULL
 * otherwise: then block_cache_get decides. */
static inline const struct block_info *block_cache_hit(const struct block_cache *bc,
                                                       uint32_t cr3, uint32_t epoch,
                                                       uint32_t addr, uint32_t size)
{
    const struct block_info *b = block_cache_slot(bc, cr3, addr, size);
    if (b->addr != addr || b->size != size || b->epoch != epoch || b->cr3 != cr3 ||
        b->unguarded || b->count == 0 || bc->gen[b->paddr[0] >> 12] != b->gen[0] ||
        (b->paddr[1] != 0 && bc->gen[b->paddr[1] >> 12] != b->gen[1]))
        return NULL;
    return b;
}

/* The block of `size` bytes at linear `addr` under `regs` in `epoch`, as
 * code of the size code32 says (CS.D: 32-bit, else 16-bit; the caller
 * moves the epoch on when that changes, so block_cache_hit needs no
 * look at it).
 * *is_new is set when the engine must translate the block again: no valid
 * entry existed (it was decoded now) and its frames were not checked,
 * unwritten since, under other mappings.
 * Returns NULL when the block's bytes cannot be read (not mapped, outside
 * RAM). */
const struct block_info *block_cache_get(struct block_cache *bc, const struct paging_regs *regs,
                                         bool code32, uint32_t epoch, uint32_t addr,
                                         uint32_t size, bool *is_new);

#endif
