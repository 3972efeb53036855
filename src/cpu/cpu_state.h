/* The architectural state that ringlab reads and writes around Unicorn:
 * what an exception delivery, a task switch or sysenter has to change at
 * once.  The segment registers carry their hidden part (the descriptor
 * cache, SDM Vol. 3A 3.4.3) because delivering an event loads CS and SS
 * without Unicorn's help. */
#ifndef RINGLAB_CPU_STATE_H
#define RINGLAB_CPU_STATE_H

#include <stdbool.h>
#include <stdint.h>

enum seg_reg { SEG_ES, SEG_CS, SEG_SS, SEG_DS, SEG_FS, SEG_GS, SEG_COUNT };
enum gpr { GPR_EAX, GPR_ECX, GPR_EDX, GPR_EBX, GPR_ESP, GPR_EBP, GPR_ESI, GPR_EDI };

/* A segment register with its descriptor cache.  flags is the descriptor's
 * high dword as loaded (type, S, DPL, P, AVL, D/B, G sit where the SDM draws
 * them); base and limit are already assembled, limit scaled by G. */
struct seg_cache {
    uint16_t selector;
    uint32_t base;
    uint32_t limit;
    uint32_t flags;
};

struct table_reg {
    uint32_t base;
    uint16_t limit;
};

struct cpu_state {
    uint32_t gpr[8];
    uint32_t eip;
    uint32_t eflags;
    struct seg_cache seg[SEG_COUNT];
    struct seg_cache ldtr, tr;
    struct table_reg gdtr, idtr;
    uint32_t cr0, cr2, cr3, cr4;
    uint8_t cpl;             /* from the engine's hidden flags */
    bool irq_inhibited;      /* the one-instruction shadow after STI / MOV SS */
};

/* The x87 FPU as a debugger shows it (SDM Vol. 1 8.1): the data registers
 * in stack order, ST(0) first, each as its 80-bit extended value (64-bit
 * significand, then sign and exponent), and the control, status and tag
 * words. */
struct fpu_state {
    uint8_t st[8][10];
    uint16_t fctrl, fstat, ftag; /* ftag: two bits per physical register */
    uint16_t fiseg, foseg, fop;
    uint32_t fioff, fooff;
};

/* EFLAGS bits (SDM Vol. 1 3.4.3). */
#define EFLAGS_CF (1u << 0)
#define EFLAGS_FIXED1 (1u << 1)
#define EFLAGS_TF (1u << 8)
#define EFLAGS_IF (1u << 9)
#define EFLAGS_DF (1u << 10)
#define EFLAGS_OF (1u << 11)
#define EFLAGS_IOPL_SHIFT 12
#define EFLAGS_IOPL (3u << 12)
#define EFLAGS_NT (1u << 14)
#define EFLAGS_RF (1u << 16)
#define EFLAGS_VM (1u << 17)
#define EFLAGS_AC (1u << 18)
#define EFLAGS_ID (1u << 21)

/* CR0 and CR4 bits (SDM Vol. 3A 2.5). */
#define CR0_PE (1u << 0)
#define CR0_TS (1u << 3)
#define CR0_WP (1u << 16)
#define CR0_PG (1u << 31)
#define CR4_VME (1u << 0)
#define CR4_PSE (1u << 4)
#define CR4_PAE (1u << 5)
#define CR4_PGE (1u << 7)
#define CR4_UMIP (1u << 11)

/* Segment descriptor high-dword fields, as in seg_cache.flags. */
#define DESC_TYPE_SHIFT 8
#define DESC_TYPE_MASK (0xfu << 8)
#define DESC_S (1u << 12)
#define DESC_DPL_SHIFT 13
#define DESC_DPL_MASK (3u << 13)
#define DESC_P (1u << 15)
#define DESC_AVL (1u << 20)
#define DESC_L (1u << 21)
#define DESC_B (1u << 22)
#define DESC_G (1u << 23)

#endif
