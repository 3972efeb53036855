/* What ringlab knows about each block of guest code Unicorn translates:
 * how many instructions it holds (the virtual clock counts them), where its
 * first special instruction is (I/O the permission check may refuse, RDTSC
 * and the MSR accesses that read the virtual clock: the run stops before
 * it), and whether it may switch address spaces or enable interrupts.
 *
 * An entry keeps a copy of the block's bytes and where they sit in physical
 * memory.  Every lookup translates the address again through the page
 * tables in force and compares the bytes, so an entry can never describe
 * code that is no longer there: a program loaded where another one ran, a
 * page directory reused by a new process, self-modifying code.  A lookup
 * that finds nothing valid reports the block as new: the caller must then
 * have Unicorn translate it again, since Unicorn 2.1.1 can keep running
 * translations of code that has since been overwritten. */
#ifndef RINGLAB_BLOCK_CACHE_H
#define RINGLAB_BLOCK_CACHE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "debug/disasm.h"
#include "mmu/paging.h"

#define BLOCK_CODE_MAX 64 /* bytes of a block kept for comparison */

struct block_info {
    uint32_t addr, size, cr3;
    uint32_t paddr[2];       /* physical address of the first byte, and of the
                                first byte on the next page if the block
                                crosses one (0 if not) */
    uint32_t count;          /* instructions; 0: the entry is empty */
    int first_special;       /* offset of the first special instruction, -1 if none */
    uint8_t special;         /* DISASM_SPECIAL_* of every special instruction in it */
    uint8_t nio;             /* I/O instructions whose number is known (at most 4) */
    uint8_t io_index[DISASM_IO_MAX]; /* their numbers in the block, from 0 */
    bool may_remap;          /* CR3 or CR0 may differ after it runs */
    bool may_set_if;         /* EFLAGS.IF may be set after it runs */
    uint8_t returns;         /* enum disasm_return of its last instruction */
    uint16_t last_insn;      /* offset of its last instruction */
    uint8_t len;             /* bytes kept in code[] */
    uint8_t code[BLOCK_CODE_MAX];
    uint64_t tail_hash;      /* hash of the bytes past code[], for longer blocks */
};

struct block_cache {
    struct block_info *entries;
    size_t nentries;         /* a power of two */
    const uint8_t *ram;
    size_t ram_size;
    struct disasm *disasm;
    uint64_t decoded;        /* blocks decoded (first seen, or changed) */
};

bool block_cache_init(struct block_cache *bc, size_t nentries, const uint8_t *ram,
                      size_t ram_size, struct disasm *disasm);
void block_cache_free(struct block_cache *bc);
void block_cache_clear(struct block_cache *bc);

/* The block of `size` bytes at linear `addr` under `regs`.  *is_new is set
 * when no valid entry existed (the block was decoded now).  Returns NULL
 * when the block's bytes cannot be read (not mapped, outside RAM). */
const struct block_info *block_cache_get(struct block_cache *bc, const struct paging_regs *regs,
                                         uint32_t addr, uint32_t size, bool *is_new);

#endif
