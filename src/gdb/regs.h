/* The registers the gdb stub shows: the target description it sends (the
 * i386 core registers gdb requires, eax..gs and the x87 registers, and
 * ringlab's system registers: fs_base, gs_base, cr0, cr2, cr3, cr4, the
 * GDTR and IDTR bases and limits, LDTR, TR and the CPL), and their values
 * as the `g` and `p` packets carry them (little-endian hex, in the order
 * of the description). */
#ifndef RINGLAB_GDB_REGS_H
#define RINGLAB_GDB_REGS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cpu/cpu_state.h"

/* Register numbers, as the description gives them. */
enum gdb_reg {
    GDB_EAX, GDB_ECX, GDB_EDX, GDB_EBX, GDB_ESP, GDB_EBP, GDB_ESI, GDB_EDI,
    GDB_EIP, GDB_EFLAGS,
    GDB_CS, GDB_SS, GDB_DS, GDB_ES, GDB_FS, GDB_GS,
    GDB_ST0, GDB_FCTRL = GDB_ST0 + 8, GDB_FSTAT, GDB_FTAG, GDB_FISEG, GDB_FIOFF, GDB_FOSEG,
    GDB_FOOFF, GDB_FOP,
    GDB_FS_BASE, GDB_GS_BASE, GDB_CR0, GDB_CR2, GDB_CR3, GDB_CR4,
    GDB_GDTR_BASE, GDB_GDTR_LIMIT, GDB_IDTR_BASE, GDB_IDTR_LIMIT, GDB_LDTR, GDB_TR, GDB_CPL,
    GDB_NREGS,
};

/* The whole target description (target.xml). */
const char *gdb_target_xml(void);

/* Bytes of register n in the packets (4, or 10 for st0..st7); 0 when no such register. */
size_t gdb_reg_size(int n);
/* Register n's value, little-endian, into out (gdb_reg_size bytes). */
bool gdb_reg_get(int n, const struct cpu_state *st, const struct fpu_state *fpu, uint8_t *out);
/* Set register n in st from the packet's bytes.  Only the general
 * registers, EIP and EFLAGS can be set; for any other register the value
 * must be the one it has (false otherwise). */
bool gdb_reg_set(int n, struct cpu_state *st, const struct fpu_state *fpu, const uint8_t *value);

/* The `g` reply: every register in hex; returns its length. */
size_t gdb_regs_hex(const struct cpu_state *st, const struct fpu_state *fpu, char *out, size_t cap);

#endif
