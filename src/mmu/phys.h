/* The guest's physical address space as ringlab itself sees it when it
 * reads descriptor tables, page tables and stacks: RAM from address 0, and
 * nothing above it (reads of a hole return all ones, writes are dropped,
 * as on a PC bus with nothing there).  Writes go through a callback so the
 * engine can discard translated code for the page (self-modifying code). */
#ifndef RINGLAB_PHYS_H
#define RINGLAB_PHYS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mmu/paging.h"

struct phys_mem {
    uint8_t *ram;
    size_t size;
    /* NULL: write into ram directly (unit tests, before the engine runs). */
    bool (*write)(void *opaque, uint32_t paddr, const void *src, size_t len);
    void *write_opaque;
};

/* Both return false when part of the range lies outside RAM. */
bool phys_read(const struct phys_mem *pm, uint32_t paddr, void *dst, size_t len);
bool phys_write(const struct phys_mem *pm, uint32_t paddr, const void *src, size_t len);

/* The page walker's view of this memory. */
struct paging_mem phys_paging_mem(struct phys_mem *pm);

#endif
