/* x86.h — the privileged instructions the kernel uses, one small inline
 * function each, so that C code can say outb() instead of writing asm. */
#ifndef X86_H
#define X86_H

static inline uint8_t inb(uint16_t port)
{
    uint8_t v;
    __asm__ volatile("inb %1, %0" : "=a"(v) : "d"(port));
    return v;
}

static inline void outb(uint16_t port, uint8_t v)
{
    __asm__ volatile("outb %0, %1" : : "a"(v), "d"(port));
}

static inline void cli(void)
{
    __asm__ volatile("cli" ::: "memory");
}
static inline void sti(void)
{
    __asm__ volatile("sti" ::: "memory");
}

/* sti takes effect after the next instruction, so "sti; hlt" cannot lose an
 * interrupt that arrives between the two (SDM Vol. 2B, STI). */
static inline void sti_hlt(void)
{
    __asm__ volatile("sti; hlt" ::: "memory");
}

/* An irq-save section, as a spinlock that may be taken with interrupts on
 * or off brackets its critical part: irq_save() returns EFLAGS and turns
 * interrupts off, irq_restore() puts EFLAGS back, IF included (POPF: SDM
 * Vol. 2B), so interrupts come back on only if they were on before. */
static inline uint32_t irq_save(void)
{
    uint32_t flags;
    __asm__ volatile("pushfl; popl %0; cli" : "=r"(flags) : : "memory");
    return flags;
}
static inline void irq_restore(uint32_t flags)
{
    __asm__ volatile("pushl %0; popfl" : : "r"(flags) : "memory", "cc");
}

static inline uint32_t read_eflags(void)
{
    uint32_t flags;
    __asm__ volatile("pushfl; popl %0" : "=r"(flags));
    return flags;
}

static inline void lcr3(uint32_t pa)
{
    __asm__ volatile("movl %0, %%cr3" : : "r"(pa) : "memory");
}

static inline uint32_t rcr0(void)
{
    uint32_t v;
    __asm__ volatile("movl %%cr0, %0" : "=r"(v));
    return v;
}

static inline uint32_t rcr2(void)
{
    uint32_t v;
    __asm__ volatile("movl %%cr2, %0" : "=r"(v));
    return v;
}

static inline uint32_t rcr3(void)
{
    uint32_t v;
    __asm__ volatile("movl %%cr3, %0" : "=r"(v));
    return v;
}

static inline void invlpg(uint32_t va)
{
    __asm__ volatile("invlpg (%0)" : : "r"(va) : "memory");
}

/* lgdt and lidt take a 6-byte operand: a 16-bit limit, then a 32-bit base. */
static inline void lgdt(void *base, uint16_t size)
{
    volatile uint16_t pd[3];
    pd[0] = size - 1;
    pd[1] = (uint32_t)base;
    pd[2] = (uint32_t)base >> 16;
    __asm__ volatile("lgdt (%0)" : : "r"(pd) : "memory");
}

static inline void lidt(void *base, uint16_t size)
{
    volatile uint16_t pd[3];
    pd[0] = size - 1;
    pd[1] = (uint32_t)base;
    pd[2] = (uint32_t)base >> 16;
    __asm__ volatile("lidt (%0)" : : "r"(pd) : "memory");
}

/* Where the CPU's GDT is: SGDT stores GDTR, a limit then a base. */
static inline uint32_t sgdt_base(void)
{
    volatile uint16_t pd[3];
    __asm__ volatile("sgdt (%0)" : : "r"(pd) : "memory");
    return pd[1] | (uint32_t)pd[2] << 16;
}

/* The running code segment's selector: its low two bits are the CPL
 * (SDM Vol. 3A 5.5). */
static inline uint16_t read_cs(void)
{
    uint16_t cs;
    __asm__ volatile("movw %%cs, %0" : "=r"(cs));
    return cs;
}

/* LAR: the access rights of the descriptor a selector names, as the CPU
 * holds it (bits 8-15: P, DPL, S, type; SDM Vol. 2A LAR); 0 when the CPU
 * refuses to say (ZF clear). */
static inline uint32_t lar(uint32_t sel)
{
    uint32_t ar = 0;
    __asm__ volatile("larl %1, %0\n\t"
                     "jz 1f\n\t"
                     "xorl %0, %0\n"
                     "1:"
                     : "+r"(ar)
                     : "r"(sel)
                     : "cc");
    return ar;
}

static inline void ltr(uint16_t sel)
{
    __asm__ volatile("ltr %0" : : "r"(sel));
}

/* SDM Vol. 4: model-specific registers, written with ECX = index. */
static inline void wrmsr(uint32_t msr, uint32_t lo, uint32_t hi)
{
    __asm__ volatile("wrmsr" : : "c"(msr), "a"(lo), "d"(hi));
}

static inline void cpuid(uint32_t leaf, uint32_t *a, uint32_t *b, uint32_t *c, uint32_t *d)
{
    __asm__ volatile("cpuid" : "=a"(*a), "=b"(*b), "=c"(*c), "=d"(*d) : "a"(leaf), "c"(0));
}

#endif
