/* ioperm.c — which I/O ports a process may use from ring 3.
 *
 * Every process runs with IOPL 1 (proc.c), so in ring 3 (CPL 3 > IOPL) each
 * IN and OUT is checked against the I/O permission bitmap in the TSS: a 0
 * bit lets the port through, a 1 bit, or a port past the bitmap, is
 * #GP(0) (SDM Vol. 1 19.5.2). Each process has its own bitmap, all ones
 * at first, and the scheduler copies it into the TSS when the process
 * runs (tss_set_iomap): so one process may own a device's ports while the
 * same OUT in any other process still faults.
 *
 * This kernel grants one device: COM1, to one process at a time, the way a
 * microkernel hands a driver its device. The grant is not inherited by
 * fork(), survives exec() and ends with the process. */
#include "defs.h"
#include "mmu.h"
#include "proc.h"

#define COM1_FIRST 0x3F8
#define COM1_PORTS 8

static struct proc *com1_owner;

/* A new process: no port at all. */
void ioperm_clear(struct proc *p)
{
    memset(p->iomap, 0xFF, sizeof(p->iomap));
}

/* ioperm(from, n): let p use ports [from, from + n) in ring 3. */
int ioperm_grant(struct proc *p, uint32_t from, uint32_t n)
{
    if (n == 0 || from < COM1_FIRST || n > COM1_PORTS || from + n > COM1_FIRST + COM1_PORTS)
        return -1;
    if (com1_owner && com1_owner != p)
        return -1;
    com1_owner = p;
    for (uint32_t port = from; port < from + n; port++)
        p->iomap[port / 8] &= ~(1 << (port % 8));
    if (p == curproc)
        tss_set_iomap(p->iomap); /* at once: it is running */
    return 0;
}

int ioperm_owns_com1(struct proc *p)
{
    return p && com1_owner == p;
}

/* The process ends: its ports are free again. */
void ioperm_release(struct proc *p)
{
    if (com1_owner == p)
        com1_owner = 0;
    ioperm_clear(p);
}
