/* x86.h — the privileged instructions the kernel uses, one small inline
 * function each, so that C code can say outb() instead of writing asm.
 *
 * Built with -DPV (kernel-pv.elf), the kernel runs at ring 1 under a
 * monitor and each of these asks the monitor instead (hypercall.h): the
 * rest of the kernel reads the same in both builds. */
#ifndef X86_H
#define X86_H

#ifdef PV
#include "hypercall.h"

/* EAX = the call, EBX, ECX, EDX = its arguments; the answer in EAX. */
static inline uint32_t hypercall(uint32_t nr, uint32_t a, uint32_t b, uint32_t c)
{
    uint32_t ret;
    __asm__ volatile("int %1"
                     : "=a"(ret)
                     : "i"(HC_VECTOR), "a"(nr), "b"(a), "c"(b), "d"(c)
                     : "memory");
    return ret;
}

static inline uint8_t inb(uint16_t port)
{
    return (uint8_t)hypercall(HC_IN, port, 1, 0);
}
static inline void outb(uint16_t port, uint8_t v)
{
    hypercall(HC_OUT, port, 1, v);
}
static inline void cli(void)
{
    hypercall(HC_CLI, 0, 0, 0);
}
static inline void sti(void)
{
    hypercall(HC_STI, 0, 0, 0);
}
static inline void sti_hlt(void)
{
    hypercall(HC_BLOCK, 0, 0, 0);
}
static inline void cli_hlt(void)
{
    hypercall(HC_HALT, 0, 0, 0);
}
static inline void lcr3(uint32_t pa)
{
    hypercall(HC_WRITE_CR, 3, pa, 0);
}
static inline uint32_t rcr0(void)
{
    return hypercall(HC_READ_CR, 0, 0, 0);
}
static inline uint32_t rcr2(void)
{
    return hypercall(HC_READ_CR, 2, 0, 0);
}
static inline uint32_t rcr3(void)
{
    return hypercall(HC_READ_CR, 3, 0, 0);
}
static inline void invlpg(uint32_t va)
{
    hypercall(HC_INVLPG, va, 0, 0);
}
static inline void lgdt(void *base, uint16_t size)
{
    hypercall(HC_SET_GDT, (uint32_t)base, size - 1u, 0);
}
static inline void lidt(void *base, uint16_t size)
{
    hypercall(HC_SET_IDT, (uint32_t)base, size - 1u, 0);
}
static inline void ltr(uint16_t sel)
{
    hypercall(HC_LTR, sel, 0, 0);
}
static inline void wrmsr(uint32_t msr, uint32_t lo, uint32_t hi)
{
    hypercall(HC_WRMSR, msr, lo, hi);
}

#else /* the native kernel, at ring 0 */
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

/* Stop this CPU: with IF clear only NMI or a reset can wake it. */
static inline void cli_hlt(void)
{
    __asm__ volatile("cli; hlt" ::: "memory");
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

#endif /* PV */

/* Not privileged, so both builds execute them: EFLAGS as PUSHF reads it;
 * the GDT's base as SGDT stores it; CS; LAR. */
static inline uint32_t read_eflags(void)
{
    uint32_t flags;
    __asm__ volatile("pushfl; popl %0" : "=r"(flags));
    return flags;
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

/* CPUID is not privileged: both builds execute it. */
static inline void cpuid(uint32_t leaf, uint32_t *a, uint32_t *b, uint32_t *c, uint32_t *d)
{
    __asm__ volatile("cpuid" : "=a"(*a), "=b"(*b), "=c"(*c), "=d"(*d) : "a"(leaf), "c"(0));
}

#endif
