/* kalloc.c — the physical frame allocator. Free 4 KiB frames are kept on a
 * list threaded through the frames themselves (reached through the kernel's
 * mapping of all RAM). Each frame also has a reference count: after fork()
 * a frame may be mapped in several address spaces, and it is free only when
 * the last one lets go. */
#include "defs.h"
#include "mmu.h"

struct run {
    struct run *next;
};

static struct run *freelist;
static uint32_t nfree;
static uint8_t refcount[PHYSTOP_MAX / PGSIZE];

/* Frames in [start_pa, end_pa). Before kvm_init() only the first 4 MiB are
 * mapped, so only those can go on the list (the list lives in the frames);
 * kalloc_add() gives the rest once all of RAM is mapped. */
void kalloc_add(uint32_t start_pa, uint32_t end_pa)
{
    for (uint32_t pa = PGROUNDUP(start_pa); pa + PGSIZE <= end_pa; pa += PGSIZE) {
        refcount[pa / PGSIZE] = 1;
        kfree(P2V(pa));
    }
}

/* A zeroed frame, as a kernel virtual address; 0 if memory is exhausted. */
void *kalloc(void)
{
    struct run *r = freelist;
    if (!r)
        return 0;
    freelist = r->next;
    nfree--;
    refcount[V2P(r) / PGSIZE] = 1;
    memset(r, 0, PGSIZE);
    return r;
}

/* Drop one reference; the frame returns to the free list at zero. */
void kfree(void *v)
{
    uint32_t pa = V2P(v);
    if (pa % PGSIZE || pa >= PHYSTOP_MAX || refcount[pa / PGSIZE] == 0)
        panic("kfree: bad frame");
    if (--refcount[pa / PGSIZE] > 0)
        return;
    struct run *r = v;
    r->next = freelist;
    freelist = r;
    nfree++;
}

void kref(uint32_t pa)
{
    if (refcount[pa / PGSIZE] == 255)
        panic("kref: too many references");
    refcount[pa / PGSIZE]++;
}

int kref_count(uint32_t pa)
{
    return refcount[pa / PGSIZE];
}

void kalloc_init(uint32_t start_pa, uint32_t end_pa)
{
    if (start_pa >= BOOTMAP_END)
        panic("kernel and initrd do not fit in the first 4 MiB");
    kalloc_add(start_pa, end_pa < BOOTMAP_END ? end_pa : BOOTMAP_END);
}

uint32_t kalloc_free_pages(void)
{
    return nfree;
}
