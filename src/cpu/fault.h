/* A fault raised by ringlab's own model of the processor while it carries
 * out an event (an interrupt delivery, a task switch): which exception,
 * with which error code, and why in words.  Functions that can raise one
 * return false and fill it in. */
#ifndef RINGLAB_FAULT_H
#define RINGLAB_FAULT_H

#include <stdbool.h>
#include <stdint.h>

#include "mmu/paging.h"

/* Room for the longest reason: "reading the TSS stack pointer: " and a
 * whole page-walk explanation. */
#define CPU_FAULT_WHY_MAX (PAGING_EXPLAIN_MAX + 64)

/* Exception vectors (SDM Vol. 3A 6.3.1, Table 6-1); their mnemonics for
 * people are trace_vector_mnemonic's. */
enum cpu_vector {
    VEC_DE = 0,
    VEC_DB = 1,
    VEC_NMI = 2,
    VEC_BP = 3,
    VEC_OF = 4,
    VEC_BR = 5,
    VEC_UD = 6,
    VEC_NM = 7,
    VEC_DF = 8,
    VEC_TS = 10,
    VEC_NP = 11,
    VEC_SS = 12,
    VEC_GP = 13,
    VEC_PF = 14,
    VEC_MF = 16,
    VEC_AC = 17,
    VEC_MC = 18,
    VEC_XM = 19,
    VEC_VE = 20,
};

struct cpu_fault {
    int vector;
    uint32_t error_code;
    uint32_t cr2;   /* for #PF */
    bool committed; /* a task switch went through before the fault: the new
                       task's state stands, the fault belongs to it */
    char why[CPU_FAULT_WHY_MAX];
};

/* Fill in *f and return false, so that `return cpu_fault_raise(...)` reads
 * as the rule it enforces. */
bool cpu_fault_raise(struct cpu_fault *f, int vector, uint32_t error_code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

#endif
