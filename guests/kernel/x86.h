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
