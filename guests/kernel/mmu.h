/* mmu.h — what the x86 memory-management hardware expects to find in memory:
 * page directory and page table entries, segment descriptors, the TSS, and
 * the kernel's own address-space layout built on top of them. */
#ifndef MMU_H
#define MMU_H

/* The address-space split: everything from KERNBASE up is kernel space and
 * is the same in every process; everything below it belongs to the process. */
#define KERNBASE    0xC0000000u /* first kernel virtual address */
#define KERNLINK    0xC0100000u /* where the kernel is linked (phys 1 MiB) */
#define PHYSTOP_MAX 0x10000000u /* map at most 256 MiB of RAM */
#define BOOTMAP_END 0x00400000u /* entry.asm's boot page table maps 4 MiB */

#define V2P(a) ((uint32_t)(a) - KERNBASE)
#define P2V(a) ((void *)((uint32_t)(a) + KERNBASE))

/* Ring 1: the 4 MiB just below the kernel hold the ring-1 service
 * (ring1svc.asm): its code, data and stack, on supervisor pages that are the
 * same in every process, as the kernel's are. Ring 1's segments may be cut
 * off at KERNBASE (ring1.c): then ring 1 reaches this and user space but
 * not the kernel, the way 32-bit Xen kept its guest kernels out. */
#define RING1BASE 0xBFC00000u
#define RING1TOP  KERNBASE

/* User space: programs are linked at 0x08048000 (the traditional i386 ELF
 * base); the heap follows the program; the stack grows down from RING1BASE. */
#define USERTOP     RING1BASE
#define USTACKTOP   RING1BASE
#define USTACKLIMIT (USTACKTOP - 0x100000u) /* the stack may grow to 1 MiB */

/* SDM Vol. 3A 4.3: 32-bit paging. A linear address is split 10/10/12:
 * page directory index, page table index, offset in the 4 KiB page. */
#define PGSIZE         4096u
#define PDX(va)        (((uint32_t)(va) >> 22) & 0x3FF)
#define PTX(va)        (((uint32_t)(va) >> 12) & 0x3FF)
#define PGROUNDUP(a)   (((uint32_t)(a) + PGSIZE - 1) & ~(PGSIZE - 1))
#define PGROUNDDOWN(a) ((uint32_t)(a) & ~(PGSIZE - 1))

/* SDM Vol. 3A Table 4-5/4-6: bits of a PDE or PTE. */
#define PTE_P        0x001 /* present */
#define PTE_W        0x002 /* writable */
#define PTE_U        0x004 /* user: ring 3 may touch it */
#define PTE_A        0x020 /* accessed (set by the CPU) */
#define PTE_D        0x040 /* dirty (set by the CPU on a write) */
#define PTE_COW      0x200 /* bit 9 is free for software: copy-on-write page */
#define PTE_SHARED   0x400 /* bit 10, software too: a shm page, shared on fork */
#define PTE_ADDR(e)  ((uint32_t)(e) & ~0xFFFu)
#define PTE_FLAGS(e) ((uint32_t)(e) & 0xFFFu)

typedef uint32_t pde_t;
typedef uint32_t pte_t;

/* SDM Vol. 3A 2.5: control register bits. */
#define CR0_WP 0x00010000u /* write protect: ring 0 obeys read-only pages */
#define CR0_PG 0x80000000u /* paging on */

/* SDM Vol. 3A 2.3: EFLAGS bits we touch. */
#define FL_IF    0x00000200u /* interrupts enabled */
#define FL_IOPL1 0x00001000u /* I/O privilege level 1 (bits 12-13) */

/* SDM Vol. 3A 4.7: page-fault error code bits. */
#define PF_P    0x01 /* 0: page not present, 1: protection violation */
#define PF_W    0x02 /* 0: read, 1: write */
#define PF_U    0x04 /* 0: supervisor access, 1: user access */
#define PF_RSVD 0x08 /* a reserved bit was set in a paging entry */
#define PF_I    0x10 /* instruction fetch */

/* The GDT this kernel loads (seg.c). A selector is index*8 | TI | RPL.
 * Entries 1-4 must stay in this order: sysenter and sysexit derive SS and
 * the user's CS and SS from SYSENTER_CS (syscall.c). */
#define SEG_KCODE   1
#define SEG_KDATA   2
#define SEG_UCODE   3
#define SEG_UDATA   4
#define SEG_TSS     5
#define SEG_R1CODE  6 /* ring 1: the service's code, DPL 1 */
#define SEG_R1DATA  7 /* ring 1: its data, DPL 1 */
#define SEG_R1STACK 8 /* ring 1: its stack (TSS.SS1), DPL 1 */
#define SEG_R1GATE  9 /* the call gate ring 3 enters ring 1 by, DPL 3 */
#define NSEGS       10
/* The kernel's own privilege level: 0, or 1 in the build that runs under
 * the paravirtual monitor (x86.h), whose descriptors are DPL 1 (seg.c). */
#ifdef PV
#define KERNEL_PL 1
#else
#define KERNEL_PL 0
#endif
#define KCODE_SEL   ((SEG_KCODE << 3) | KERNEL_PL) /* 0x08, PV 0x09 */
#define KDATA_SEL   ((SEG_KDATA << 3) | KERNEL_PL) /* 0x10, PV 0x11 */
#define UCODE_SEL   ((SEG_UCODE << 3) | 3)   /* 0x1B: RPL 3 */
#define UDATA_SEL   ((SEG_UDATA << 3) | 3)   /* 0x23: RPL 3 */
#define TSS_SEL     (SEG_TSS << 3)           /* 0x28 */
#define R1CODE_SEL  ((SEG_R1CODE << 3) | 1)  /* 0x31: RPL 1 */
#define R1DATA_SEL  ((SEG_R1DATA << 3) | 1)  /* 0x39 */
#define R1STACK_SEL ((SEG_R1STACK << 3) | 1) /* 0x41 */
#define R1GATE_SEL  ((SEG_R1GATE << 3) | 3)  /* 0x4B: what ring 3 calls */

/* SDM Vol. 3A 7.2.1: the 32-bit task-state segment. This kernel never
 * switches tasks with it; the CPU reads SS0:ESP0 from it, to find the
 * kernel stack when an interrupt arrives in ring 1 or 3, SS1:ESP1 when the
 * call gate takes ring 3 to ring 1, and the I/O map base (seg.c). */
struct tss {
    uint32_t link;
    uint32_t esp0;
    uint32_t ss0;
    uint32_t esp1, ss1, esp2, ss2;
    uint32_t cr3, eip, eflags;
    uint32_t eax, ecx, edx, ebx, esp, ebp, esi, edi;
    uint32_t es, cs, ss, ds, fs, gs, ldt;
    uint16_t trap;
    uint16_t iomb; /* I/O map base: offset of the I/O permission bitmap */
};

/* SDM Vol. 1 19.5.2: the I/O permission bitmap, one bit per port, 1 =
 * denied. This kernel's covers ports 0-0x3FF; a port past the end of the
 * TSS counts as denied. Each process has its own copy (ioperm.c). */
#define IOMAP_PORTS 0x400
#define IOMAP_BYTES (IOMAP_PORTS / 8)

/* SDM Vol. 3A 6.11: an IDT gate descriptor, 8 bytes. */
struct gatedesc {
    uint16_t off_lo;
    uint16_t sel;
    uint8_t zero;
    uint8_t type_attr; /* P | DPL(2) | 0 | type(4) */
    uint16_t off_hi;
};
#define GATE_INT32  0xE /* interrupt gate: clears IF on entry */
#define GATE_TRAP32 0xF /* trap gate: leaves IF alone */
#define GATE_CALL32 0xC /* call gate (in the GDT): far CALL to an inner ring */

#endif
