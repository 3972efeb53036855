/* ring1.c — the home of the ring-1 service (ring1svc.asm): its pages, its
 * segments' limit, and the explanation when it faults.
 *
 * The 4 MiB from RING1BASE to KERNBASE belong to ring 1. One page table,
 * made at boot and shared by every page directory (vm_new_pgdir), maps the
 * service's code read-only and one page of stack writable, both with U = 0:
 * paging has only two kinds of access, user (CPL 3) and supervisor (CPL 0,
 * 1 and 2; SDM Vol. 3A 4.6), so ring 1 may use them and ring 3 may not.
 *
 * For the same reason paging cannot keep ring 1 out of the kernel. Segments
 * can: a process may ask (ring1_limit) for ring 1's code, data and stack
 * segments to end at KERNBASE - 1 while it runs. Then every access ring 1
 * makes through them above that is a #GP(0), or #SS(0) on the stack
 * (SDM Vol. 3A 5.3). 32-bit Xen did this to its guest kernels. */
#include "defs.h"
#include "mmu.h"
#include "x86.h"
#include "trap.h"
#include "proc.h"

extern char ring1_load[], ring1_size[]; /* kernel.ld */
extern char ring1_peek_load[];          /* ring1svc.asm */

/* Map the service into the kernel's page directory, from which every new
 * process copies the entry. */
void ring1_map(pde_t *kpgdir)
{
    uint32_t size = (uint32_t)ring1_size;
    if (size > RING1TOP - RING1BASE - PGSIZE)
        panic("ring1: the service does not fit below its stack");
    for (uint32_t off = 0; off < size; off += PGSIZE)
        if (vm_map_page(kpgdir, RING1BASE + off, V2P(ring1_load) + off, 0) < 0)
            panic("ring1_map: out of memory");
    /* The stack: TSS.ESP1 is RING1TOP, so it grows down from there. */
    char *stack = kalloc();
    if (!stack || vm_map_page(kpgdir, RING1TOP - PGSIZE, V2P(stack), PTE_W) < 0)
        panic("ring1_map: out of memory");
}

/* ring1_limit(on): ring 1's segments end below the kernel (on) or span
 * all 4 GiB (off) while this process runs. Returns the new limit. */
uint32_t ring1_limit(struct proc *p, int on)
{
    p->ring1_limited = on != 0;
    seg_ring1_limit(p->ring1_limited);
    return seg_limit(R1DATA_SEL);
}

/* Why did ring 1 fault? The kernel knows the service's code, so it can
 * say: the one load that can go astray is the peek, of [ds:ebx]. */
void ring1_explain(struct trapframe *tf, char *buf, int size)
{
    buf[0] = 0;
    if (tf->trapno != T_GP || tf->eip != (uint32_t)ring1_peek_load)
        return;
    uint32_t addr = tf->ebx, limit = seg_limit(tf->ds);
    if (addr > limit || limit - addr < 3)
        snprintf(buf, size, ": [ds:0x%08x] is past DS's limit 0x%08x", addr, limit);
}
