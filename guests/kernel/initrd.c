/* initrd.c — the initial RAM disk: an archive of files the boot loader put
 * in memory next to the kernel (format in initrd.h). It is read in place
 * and never changes. */
#include "defs.h"
#include "initrd.h"

static const uint8_t *base;
static const struct initrd_entry *entries;
static uint32_t count;

void initrd_init(void *addr, uint32_t size)
{
    const struct initrd_header *h = addr;
    if (size < sizeof(*h) || memcmp(h->magic, INITRD_MAGIC, 4) != 0)
        panic("initrd: bad magic (not made by mkinitrd?)");
    if (h->count > (size - sizeof(*h)) / sizeof(struct initrd_entry))
        panic("initrd: truncated");
    base = addr;
    entries = (const struct initrd_entry *)(h + 1);
    count = h->count;
    for (uint32_t i = 0; i < count; i++)
        if (entries[i].offset > size || entries[i].size > size - entries[i].offset)
            panic("initrd: a file runs past the end");
    kprintf("initrd: %u files\n", count);
}

int initrd_find(const char *name, const uint8_t **data, uint32_t *size)
{
    while (*name == '/')
        name++;
    for (uint32_t i = 0; i < count; i++) {
        if (strncmp(entries[i].name, name, INITRD_NAMELEN) == 0) {
            *data = base + entries[i].offset;
            *size = entries[i].size;
            return 0;
        }
    }
    return -1;
}

/* The i-th file's name (NUL-terminated) and size; -1 past the last. */
int initrd_entry(int i, char *name, uint32_t *size)
{
    if (i < 0 || (uint32_t)i >= count)
        return -1;
    memmove(name, entries[i].name, INITRD_NAMELEN);
    name[INITRD_NAMELEN - 1] = 0;
    *size = entries[i].size;
    return 0;
}
