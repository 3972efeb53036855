/* trap.h — the trap frame: what is on the kernel stack when C code first
 * runs after an interrupt, an exception, "int 0x80" or "sysenter".
 *
 * The CPU pushes the part below the line (SDM Vol. 3A 6.12.1, Figure 6-4),
 * the vector stubs in trapasm.asm push the part above it. Read from the top
 * of the stack down:
 *
 *      ss, esp         only when the CPU came from ring 3
 *      eflags, cs, eip
 *      err             pushed by the CPU for some exceptions, else by the stub
 *   ----------------
 *      trapno          vector number, pushed by the stub
 *      ds, es, fs, gs
 *      eax ... edi     pushal
 */
#ifndef TRAP_H
#define TRAP_H

struct trapframe {
    /* pushal */
    uint32_t edi, esi, ebp, oesp, ebx, edx, ecx, eax;
    /* segment registers: a 32-bit push of a segment register may leave the
     * upper half of the slot unwritten, so only the low 16 bits count */
    uint16_t gs, pad1, fs, pad2, es, pad3, ds, pad4;
    uint32_t trapno;
    uint32_t err;
    /* pushed by the CPU */
    uint32_t eip;
    uint16_t cs, pad5;
    uint32_t eflags;
    uint32_t esp; /* valid only when coming from ring 3 */
    uint16_t ss, pad6;
};

/* SDM Vol. 3A Table 6-1: the exception vectors. */
#define T_DE  0  /* divide error */
#define T_DB  1  /* debug */
#define T_NMI 2  /* non-maskable interrupt */
#define T_BP  3  /* int3 */
#define T_OF  4  /* into */
#define T_BR  5  /* bound */
#define T_UD  6  /* invalid opcode */
#define T_NM  7  /* no math coprocessor */
#define T_DF  8  /* double fault */
#define T_TS  10 /* invalid TSS */
#define T_NP  11 /* segment not present */
#define T_SS  12 /* stack-segment fault */
#define T_GP  13 /* general protection */
#define T_PF  14 /* page fault */
#define T_MF  16 /* x87 error */
#define T_AC  17 /* alignment check */
#define T_MC  18 /* machine check */
#define T_XM  19 /* SIMD exception */

/* The PIC is told to deliver IRQ n as vector T_IRQ0 + n (pic.c). */
#define T_IRQ0    32
#define IRQ_TIMER 0
#define IRQ_COM1  4

#endif
