/* seg.c — the GDT and the TSS.
 *
 * Paging does the real protection in this kernel, so all four code and data
 * segments are flat (base 0, limit 4 GiB). What the segments still decide is
 * the privilege level: CS's low two bits are the CPL. Ring 0 runs with
 * selectors 0x08/0x10, ring 3 with 0x1B/0x23 (index 3 and 4, RPL 3).
 *
 * The TSS is only there for its SS0:ESP0 pair: when an interrupt or "int"
 * arrives while the CPU is in ring 3, it switches to that stack before
 * pushing anything (SDM Vol. 3A 6.12.1). Each process has its own kernel
 * stack, so the scheduler updates ESP0 on every switch. */
#include "defs.h"
#include "mmu.h"
#include "x86.h"

static uint64_t gdt[NSEGS];
static struct tss tss;

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

/* access byte: 0x80 present, DPL << 5, 0x10 code/data (not system) */
#define ACC_CODE   0x9A /* present, code, execute/read */
#define ACC_DATA   0x92 /* present, data, read/write */
#define ACC_DPL3   0x60
#define ACC_TSS    0x89 /* present, system, 32-bit TSS available (type 9) */
#define FLAGS_4K32 0xC  /* G = 4 KiB granularity, D = 32-bit */

void seg_init(void)
{
    gdt[0] = 0; /* the null descriptor: selector 0 must never be used */
    gdt[SEG_KCODE] = seg_desc(0, 0xFFFFF, ACC_CODE, FLAGS_4K32);
    gdt[SEG_KDATA] = seg_desc(0, 0xFFFFF, ACC_DATA, FLAGS_4K32);
    gdt[SEG_UCODE] = seg_desc(0, 0xFFFFF, ACC_CODE | ACC_DPL3, FLAGS_4K32);
    gdt[SEG_UDATA] = seg_desc(0, 0xFFFFF, ACC_DATA | ACC_DPL3, FLAGS_4K32);

    tss.ss0 = KDATA_SEL;
    tss.esp0 = 0;
    /* An I/O map base past the TSS limit means there is no I/O permission
     * bitmap: with IOPL 0, every in/out in ring 3 raises #GP (SDM Vol. 1 19.5). */
    tss.iomb = sizeof(tss);
    gdt[SEG_TSS] = seg_desc((uint32_t)&tss, sizeof(tss) - 1, ACC_TSS, 0);

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
}

/* Called on every switch to a process: its kernel stack top. */
void tss_set_kstack(uint32_t esp0)
{
    tss.esp0 = esp0;
}
