/* vm.c — address spaces. Every process has its own page directory; its
 * upper quarter (0xC0000000 up) points at the same kernel page tables in all
 * of them, so the kernel is mapped everywhere, at the same place, with the
 * U bit clear: ring 3 cannot touch it. So do the 4 MiB below it, where the
 * ring-1 service lives (ring1.c). The lower part is the process's own.
 *
 *   0xFFFFFFFF +-----------------------------+
 *              | (unmapped)                  |
 *   KERNBASE + +-----------------------------+
 *   phystop    | all RAM, phys 0 -> KERNBASE |  kernel, frames, VGA at +0xB8000
 *   0xC0000000 +-----------------------------+
 *              | ring 1: code, data, stack   |  supervisor pages, shared
 *   0xBFC00000 +-----------------------------+
 *              | user stack, grows down      |  pages appear on first touch
 *              |   ...                       |
 *              | heap, grows up with sbrk()  |  pages appear on first touch
 *              | program .text .data .bss    |  loaded by exec()
 *   0x08048000 +-----------------------------+
 *              | (unmapped: catches NULL)    |
 *   0x00000000 +-----------------------------+
 */
#include "defs.h"
#include "mmu.h"
#include "x86.h"
#include "proc.h"

uint32_t phystop;
static pde_t *kpgdir; /* the kernel-only directory, used between processes */

/* Build page tables that map all of RAM, [0, mem_end), at KERNBASE, and
 * switch to them. Until now only the 4 MiB the boot page table covers
 * were reachable. */
void kvm_init(uint32_t mem_end)
{
    phystop = mem_end;
    kpgdir = kalloc();
    if (!kpgdir)
        panic("kvm_init: out of memory");
    for (uint32_t pa = 0; pa < phystop; pa += PGSIZE) {
        /* Kernel pages: present, writable, not user. */
        if (vm_map_page(kpgdir, KERNBASE + pa, pa, PTE_W) < 0)
            panic("kvm_init: out of memory");
    }
    ring1_map(kpgdir); /* the ring-1 service, below the kernel */
    kvm_switch();
}

/* Use the kernel-only page directory (when no process is running). */
void kvm_switch(void)
{
    lcr3(V2P(kpgdir));
}

/* A new page directory holding only the shared part: ring 1 and the
 * kernel. Their page tables are all made at boot and never change, so
 * copying the directory entries once is enough. */
pde_t *vm_new_pgdir(void)
{
    pde_t *pd = kalloc();
    if (!pd)
        return 0;
    for (int i = (int)PDX(USERTOP); i < 1024; i++)
        pd[i] = kpgdir[i];
    return pd;
}

/* The PTE for va, making its page table if create is set. */
pte_t *vm_walk(pde_t *pgdir, uint32_t va, int create)
{
    pde_t *pde = &pgdir[PDX(va)];
    pte_t *pt;
    if (*pde & PTE_P) {
        pt = P2V(PTE_ADDR(*pde));
    } else {
        if (!create || !(pt = kalloc()))
            return 0;
        /* The directory entry allows everything; the page table entries
         * decide. (The CPU checks both and uses the stricter.) */
        *pde = V2P(pt) | PTE_P | PTE_W | (va < USERTOP ? PTE_U : 0);
    }
    return &pt[PTX(va)];
}

int vm_map_page(pde_t *pgdir, uint32_t va, uint32_t pa, uint32_t flags)
{
    pte_t *pte = vm_walk(pgdir, va, 1);
    if (!pte)
        return -1;
    *pte = pa | flags | PTE_P;
    return 0;
}

/* Give [start, end) fresh zeroed frames. */
int vm_alloc_range(pde_t *pgdir, uint32_t start, uint32_t end, uint32_t flags)
{
    for (uint32_t va = PGROUNDDOWN(start); va < end; va += PGSIZE) {
        pte_t *pte = vm_walk(pgdir, va, 1);
        if (!pte)
            return -1;
        if (*pte & PTE_P)
            continue;
        void *mem = kalloc();
        if (!mem)
            return -1;
        *pte = V2P(mem) | flags | PTE_P;
    }
    return 0;
}

/* Unmap [start, end) and drop the frames' references. */
void vm_free_range(pde_t *pgdir, uint32_t start, uint32_t end)
{
    for (uint32_t va = PGROUNDUP(start); va < end; va += PGSIZE) {
        pte_t *pte = vm_walk(pgdir, va, 0);
        if (pte && (*pte & PTE_P)) {
            kfree(P2V(PTE_ADDR(*pte)));
            *pte = 0;
            invlpg(va); /* the TLB may still hold the old translation */
        }
    }
}

/* Free a whole address space: user frames, page tables, the directory. */
void vm_free(pde_t *pgdir)
{
    for (int i = 0; i < (int)PDX(USERTOP); i++) {
        if (!(pgdir[i] & PTE_P))
            continue;
        pte_t *pt = P2V(PTE_ADDR(pgdir[i]));
        for (int j = 0; j < 1024; j++)
            if (pt[j] & PTE_P)
                kfree(P2V(PTE_ADDR(pt[j])));
        kfree(pt);
    }
    kfree(pgdir);
}

/* fork(): the child gets its own page tables but shares every frame with
 * the parent. Writable pages become read-only in both, marked PTE_COW;
 * the first write from either side faults and vm_fault() makes a copy.
 * A shm page (PTE_SHARED) stays writable and shared: that is its point. */
pde_t *vm_copy_cow(pde_t *pgdir)
{
    pde_t *child = vm_new_pgdir();
    if (!child)
        return 0;
    for (int i = 0; i < (int)PDX(USERTOP); i++) {
        if (!(pgdir[i] & PTE_P))
            continue;
        pte_t *pt = P2V(PTE_ADDR(pgdir[i]));
        for (int j = 0; j < 1024; j++) {
            if (!(pt[j] & PTE_P))
                continue;
            uint32_t va = (i << 22) | (j << 12);
            if ((pt[j] & PTE_W) && !(pt[j] & PTE_SHARED)) {
                pt[j] = (pt[j] & ~PTE_W) | PTE_COW;
                invlpg(va);
            }
            pte_t *cpte = vm_walk(child, va, 1);
            if (!cpte) {
                vm_free(child);
                return 0;
            }
            *cpte = pt[j];
            kref(PTE_ADDR(pt[j]));
        }
    }
    return child;
}

/* A page fault (or a kernel access on the process's behalf) at va. Return
 * 0 if the page now exists and the access may be retried, -1 if it is a
 * real error and the process must die. */
int vm_fault(struct proc *p, uint32_t va, int write)
{
    if (va >= USERTOP)
        return -1;
    pte_t *pte = vm_walk(p->pgdir, va, 0);
    if (pte && (*pte & PTE_P)) {
        if (!write || !(*pte & PTE_COW))
            return -1; /* a real protection violation */
        /* Copy-on-write. If nobody else shares the frame any more, it
         * can simply become writable again; otherwise copy it. */
        uint32_t pa = PTE_ADDR(*pte);
        if (kref_count(pa) > 1) {
            char *mem = kalloc();
            if (!mem)
                return -1;
            memmove(mem, P2V(pa), PGSIZE);
            kfree(P2V(pa));
            pa = V2P(mem);
        }
        *pte = pa | (PTE_FLAGS(*pte) & ~PTE_COW) | PTE_W;
        invlpg(va);
        return 0;
    }
    /* Not present: demand paging. The heap and the stack get a zeroed page
     * the first time they are touched; anything else is a wild pointer. */
    int in_heap = va >= p->heap_start && va < p->brk;
    int in_stack = va >= USTACKLIMIT && va < USTACKTOP;
    if (!in_heap && !in_stack)
        return -1;
    return vm_alloc_range(p->pgdir, PGROUNDDOWN(va), PGROUNDDOWN(va) + 1, PTE_U | PTE_W);
}

/* May the kernel read (or write) [va, va+len) for the current process?
 * Runs the page-fault logic ahead of time, so the kernel itself never
 * faults on a user address: a missing heap page is made, a copy-on-write
 * page is copied, a bad pointer gives -1. */
int vm_user_ok(struct proc *p, uint32_t va, uint32_t len, int write)
{
    if (va >= USERTOP || len > USERTOP - va)
        return -1;
    for (uint32_t a = PGROUNDDOWN(va); a < va + len; a += PGSIZE) {
        pte_t *pte = vm_walk(p->pgdir, a, 0);
        if (pte && (*pte & PTE_P) && (*pte & PTE_U) && (!write || (*pte & PTE_W)))
            continue;
        if (vm_fault(p, a, write) < 0)
            return -1;
    }
    return 0;
}

/* Copy bytes into another address space, through the kernel's mapping of
 * its frames (exec uses this to build the new stack). */
int vm_copyout(pde_t *pgdir, uint32_t va, const void *src, uint32_t len)
{
    const char *s = src;
    while (len > 0) {
        pte_t *pte = vm_walk(pgdir, va, 0);
        if (!pte || !(*pte & PTE_P))
            return -1;
        uint32_t off = va % PGSIZE;
        uint32_t n = PGSIZE - off;
        if (n > len)
            n = len;
        memmove((char *)P2V(PTE_ADDR(*pte)) + off, s, n);
        s += n;
        va += n;
        len -= n;
    }
    return 0;
}

/* The word at user address va of process p, as a kernel pointer to its
 * frame (ptrace.c): p need not be the process whose page directory is in
 * CR3. The page is faulted in, or copied if it is copy-on-write and
 * write is set, as if p itself had touched it. 0 if p may not. */
uint32_t *vm_user_word(struct proc *p, uint32_t va, int write)
{
    if (va % 4 || vm_user_ok(p, va, 4, write) < 0)
        return 0;
    pte_t *pte = vm_walk(p->pgdir, va, 0);
    return (uint32_t *)((char *)P2V(PTE_ADDR(*pte)) + va % PGSIZE);
}
