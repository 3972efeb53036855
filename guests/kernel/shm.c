/* shm.c — shared memory: one physical frame in two (or more) address
 * spaces. shm(key, va) maps the frame named by key at va in the caller's
 * page directory; the first caller of a key gets a fresh zeroed frame.
 * Two processes that map the same key, at the same or at different
 * addresses, have page-table entries pointing at the same frame, and what
 * one writes the other reads: no system call moves the bytes.
 *
 * The mapping is marked PTE_SHARED so that fork() shares it instead of
 * making it copy-on-write (vm.c). The table keeps its own reference to
 * each frame, so a key's contents outlive the processes (NSHM frames at
 * most). */
#include "defs.h"
#include "mmu.h"
#include "proc.h"

#define NSHM 8

static uint32_t shm_frame[NSHM]; /* physical address; 0: not made yet */

/* Returns the page-table entry it made, or -1. va must be a free page
 * between the heap's end and the stack. */
int shm_map(struct proc *p, int key, uint32_t va)
{
    if (key < 0 || key >= NSHM || va % PGSIZE || va < p->brk || va >= USTACKLIMIT)
        return -1;
    pte_t *pte = vm_walk(p->pgdir, va, 1);
    if (!pte || (*pte & PTE_P))
        return -1;
    if (!shm_frame[key]) {
        void *mem = kalloc();
        if (!mem)
            return -1;
        shm_frame[key] = V2P(mem);
    }
    kref(shm_frame[key]); /* one more page table points at it */
    *pte = shm_frame[key] | PTE_SHARED | PTE_U | PTE_W | PTE_P;
    return *pte;
}
