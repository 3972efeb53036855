/* seg.c — the GDT and the TSS.
 *
 * Paging does the real protection in this kernel, so the kernel's and the
 * user's code and data segments are flat (base 0, limit 4 GiB). What the
 * segments still decide is the privilege level: CS's low two bits are the
 * CPL. Ring 0 runs with selectors 0x08/0x10, ring 3 with 0x1B/0x23 (index 3
 * and 4, RPL 3).
 *
 * Ring 1 has segments of its own, DPL 1: code 0x31, data 0x39, stack 0x41,
 * and ring 3 reaches it through the call gate 0x4B (ring1.c). They are flat
 * too, until a process asks for them to end below the kernel: then their
 * limit is KERNBASE - 1 while that process runs.
 *
 * The TSS holds what the CPU needs when it changes rings without a task
 * switch (SDM Vol. 3A 6.12.1, 5.8.5): SS0:ESP0, the kernel stack for an
 * interrupt that arrives in ring 1 or 3 (each process has its own, so the
 * scheduler updates ESP0 on every switch), and SS1:ESP1, the ring-1 stack
 * the call gate switches to. After it comes the I/O permission bitmap,
 * which the scheduler also changes for each process (ioperm.c).
 *
 * Built with -DPV the kernel itself runs at ring 1 (x86.h): its code and
 * data segments are DPL 1, its selectors 0x09/0x11, and the monitor moves
 * SS0:ESP0, still the kernel's stack, into SS1:ESP1 for each event that
 * leaves ring 3 (the CPU looks there for ring 1), and puts the call gate's
 * SS1:ESP1 back at each return to ring 3. */
#include "defs.h"
#include "mmu.h"
#include "x86.h"

static uint64_t gdt[NSEGS];

/* SDM Vol. 1 19.5.2: the bitmap starts at the I/O map base and one more
 * byte of all ones must follow it inside the TSS limit, because the CPU
 * reads two bytes for every check. */
static struct tss_io {
    struct tss tss;
    uint8_t iomap[IOMAP_BYTES];
    uint8_t iomap_end;
} __attribute__((packed)) ts;

/* SDM Vol. 3A 3.4.5, Figure 3-8: a segment descriptor. The base and limit
 * are scattered over the 8 bytes for compatibility with the 80286. */
static uint64_t seg_desc(uint32_t base, uint32_t limit, uint8_t access, uint8_t flags)
{
    uint64_t d = 0;
    d |= (uint64_t)(limit & 0xFFFF);
    d |= (uint64_t)(base & 0xFFFFFF) << 16;
    d |= (uint64_t)access << 40; /* P, DPL, S, type */
    d |= (uint64_t)((limit >> 16) & 0xF) << 48;
    d |= (uint64_t)(flags & 0xF) << 52; /* G, D/B, L, AVL */
    d |= (uint64_t)(base >> 24) << 56;
    return d;
}

/* SDM Vol. 3A 5.8.3, Figure 5-8: a call gate. Like an interrupt gate it
 * names a code segment and an offset; the high dword also holds how many
 * stack parameters to copy to the new stack (none here). */
static uint64_t call_gate(uint16_t sel, uint32_t offset, int dpl)
{
    uint64_t d = 0;
    d |= (uint64_t)(offset & 0xFFFF);
    d |= (uint64_t)sel << 16;
    d |= (uint64_t)(0x80 | (dpl << 5) | GATE_CALL32) << 40; /* P, DPL, S=0, type */
    d |= (uint64_t)(offset >> 16) << 48;
    return d;
}

/* access byte: 0x80 present, DPL << 5, 0x10 code/data (not system) */
#define ACC_CODE   0x9A /* present, code, execute/read */
#define ACC_DATA   0x92 /* present, data, read/write */
#define ACC_DPL1   0x20
#define ACC_DPL3   0x60
#define ACC_KERNEL (KERNEL_PL << 5) /* DPL 0, or 1 for the ring-1 build */
#define ACC_TSS    0x89 /* present, system, 32-bit TSS available (type 9) */
#define FLAGS_4K32 0xC  /* G = 4 KiB granularity, D = 32-bit */

/* With G = 1 the limit counts 4 KiB pages: 0xFFFFF is all 4 GiB, and
 * 0xBFFFF ends at 0xBFFFFFFF, the byte below KERNBASE. */
#define LIMIT_4G    0xFFFFFu
#define LIMIT_BELOW ((KERNBASE >> 12) - 1)

/* Ring 1's three segments, flat or ending below the kernel. */
void seg_ring1_limit(int below_kernel)
{
    uint32_t limit = below_kernel ? LIMIT_BELOW : LIMIT_4G;
    gdt[SEG_R1CODE] = seg_desc(0, limit, ACC_CODE | ACC_DPL1, FLAGS_4K32);
    gdt[SEG_R1DATA] = seg_desc(0, limit, ACC_DATA | ACC_DPL1, FLAGS_4K32);
    gdt[SEG_R1STACK] = seg_desc(0, limit, ACC_DATA | ACC_DPL1, FLAGS_4K32);
}

/* The last byte a GDT selector's segment reaches (its limit in bytes). */
uint32_t seg_limit(uint16_t sel)
{
    uint64_t d = gdt[(sel >> 3) % NSEGS];
    uint32_t limit = (uint32_t)(d & 0xFFFF) | (uint32_t)((d >> 48) & 0xF) << 16;
    if (d & (1ull << 55)) /* G: in 4 KiB units */
        limit = limit << 12 | 0xFFF;
    return limit;
}

#ifndef PV
/* What the CPU says of the segments just loaded, read back with
 * instructions any ring may run: CS's RPL is the CPL (0 here), SGDT names
 * the GDT just loaded, LAR shows the kernel's code descriptor with DPL 0.
 * A kernel that is not where it thinks it is says so. */
static void seg_check(void)
{
    uint16_t cs = read_cs();
    uint32_t gdt_base = sgdt_base();
    uint32_t dpl = (lar(KCODE_SEL) >> 13) & 3;
    if (cs & 3)
        kprintf("seg: running at CPL %u, not 0 (CS %x)\n", cs & 3, cs);
    if (gdt_base != (uint32_t)gdt)
        kprintf("seg: the GDTR names a GDT at %x, not this kernel's at %x\n", gdt_base,
                (uint32_t)gdt);
    if (dpl != 0)
        kprintf("seg: the kernel's code segment %x has DPL %u, not 0\n", KCODE_SEL, dpl);
}
#endif

void seg_init(void)
{
    extern char ring1_entry[]; /* ring1svc.asm */

    gdt[0] = 0; /* the null descriptor: selector 0 must never be used */
    gdt[SEG_KCODE] = seg_desc(0, LIMIT_4G, ACC_CODE | ACC_KERNEL, FLAGS_4K32);
    gdt[SEG_KDATA] = seg_desc(0, LIMIT_4G, ACC_DATA | ACC_KERNEL, FLAGS_4K32);
    gdt[SEG_UCODE] = seg_desc(0, LIMIT_4G, ACC_CODE | ACC_DPL3, FLAGS_4K32);
    gdt[SEG_UDATA] = seg_desc(0, LIMIT_4G, ACC_DATA | ACC_DPL3, FLAGS_4K32);
    seg_ring1_limit(0);
    /* DPL 3: ring 3 may call through it (SDM Vol. 3A 5.8.4: CPL <= gate
     * DPL); the target's DPL 1 makes it a call to an inner ring. */
    gdt[SEG_R1GATE] = call_gate(R1CODE_SEL & ~3, (uint32_t)ring1_entry, 3);

    ts.tss.ss0 = KDATA_SEL;
    ts.tss.esp0 = 0;
    ts.tss.ss1 = R1STACK_SEL;
    ts.tss.esp1 = RING1TOP;
    ts.tss.iomb = offsetof(struct tss_io, iomap);
    memset(ts.iomap, 0xFF, sizeof(ts.iomap)); /* every port denied */
    ts.iomap_end = 0xFF;
    gdt[SEG_TSS] = seg_desc((uint32_t)&ts, sizeof(ts) - 1, ACC_TSS, 0);

    lgdt(gdt, sizeof(gdt));
    /* Reload every segment register so the new descriptors are used; CS can
     * only be changed by a far jump. */
    __asm__ volatile("movw %0, %%ax\n\t"
                     "movw %%ax, %%ds\n\t"
                     "movw %%ax, %%es\n\t"
                     "movw %%ax, %%fs\n\t"
                     "movw %%ax, %%gs\n\t"
                     "movw %%ax, %%ss\n\t"
                     "ljmp %1, $1f\n"
                     "1:\n"
                     :
                     : "i"(KDATA_SEL), "i"(KCODE_SEL)
                     : "eax", "memory");
    ltr(TSS_SEL);
#ifndef PV /* the paravirtual kernel knows it runs at ring 1 */
    seg_check();
#endif
}

/* Called on every switch to a process: its kernel stack top. */
void tss_set_kstack(uint32_t esp0)
{
    ts.tss.esp0 = esp0;
}

/* Called on every switch to a process: the ports it may use in ring 3. */
void tss_set_iomap(const uint8_t *map)
{
    memmove(ts.iomap, map, sizeof(ts.iomap));
}
