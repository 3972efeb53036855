/* Physical memory access for ringlab's own reads and writes (see phys.h). */
#include "mmu/phys.h"

#include <string.h>

static bool in_ram(const struct phys_mem *pm, uint32_t paddr, size_t len)
{
    return (uint64_t)paddr + len <= pm->size;
}

bool phys_read(const struct phys_mem *pm, uint32_t paddr, void *dst, size_t len)
{
    if (!in_ram(pm, paddr, len)) {
        memset(dst, 0xff, len);
        return false;
    }
    memcpy(dst, pm->ram + paddr, len);
    return true;
}

bool phys_write(const struct phys_mem *pm, uint32_t paddr, const void *src, size_t len)
{
    if (!in_ram(pm, paddr, len))
        return false;
    if (pm->write)
        return pm->write(pm->write_opaque, paddr, src, len);
    memcpy(pm->ram + paddr, src, len);
    return true;
}

static bool read32(void *opaque, uint32_t paddr, uint32_t *value)
{
    uint8_t b[4];
    bool ok = phys_read(opaque, paddr, b, 4);
    *value = (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
    return ok;
}

static bool write32(void *opaque, uint32_t paddr, uint32_t value)
{
    uint8_t b[4] = {value & 0xff, (value >> 8) & 0xff, (value >> 16) & 0xff, value >> 24};
    return phys_write(opaque, paddr, b, 4);
}

struct paging_mem phys_paging_mem(struct phys_mem *pm)
{
    struct paging_mem m = {.read32 = read32, .write32 = write32, .opaque = pm};
    return m;
}
