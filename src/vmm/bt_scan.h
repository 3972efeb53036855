/* What the translating monitor looks for in the guest kernel's code: the
 * instructions that are sensitive but not privileged on IA-32 (Robin and
 * Irvine's list, which `ringlab pg audit` measures).  At the real ring 1
 * the deprivileged kernel runs at they do not trap, and they would read or
 * change the real CPU instead of the virtual one; so the monitor finds
 * them before a block first runs and executes them itself.  Pure: bytes
 * in, kinds out; the bytes are read by the recogniser the trap monitor
 * also uses (sensitive.h). */
#ifndef RINGLAB_BT_SCAN_H
#define RINGLAB_BT_SCAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "debug/disasm.h"

enum bt_kind {
    BT_NONE,
    BT_PUSHF,    /* pushes IF and IOPL as the real CPU has them */
    BT_POPF,     /* at CPL > IOPL leaves IF alone, at CPL > 0 IOPL (SDM Vol. 2B POPF) */
    BT_IRET,     /* the same for EFLAGS; and its CS RPL is the real ring */
    BT_RETF,     /* far RET: a CS with RPL 0 is refused at CPL 1 */
    BT_PUSH_SREG, /* PUSH CS, PUSH SS: the RPL is the real CPL */
    BT_MOV_SREG,  /* MOV r/m16, CS or SS: the same */
    BT_SGDT,     /* the real GDTR is the shadow's */
    BT_SIDT,
    BT_SLDT,
    BT_STR,
    BT_SMSW,
    BT_LAR,      /* the shadow's DPL 1 where the guest's says 0 */
    BT_LSL,      /* the shadow TSS's limit */
    BT_VERR,     /* VERR, VERW */
    BT_FAR_JMP,  /* JMP ptr16:32 and JMP m16:32 */
    BT_FAR_CALL, /* CALL ptr16:32 and CALL m16:32 */
    BT_KIND_COUNT
};

/* "PUSHF", "MOV r, CS/SS", ... */
const char *bt_kind_name(enum bt_kind k);

/* The kind of the instruction at code[0..n) (prefixes skipped; 32-bit
 * code).  BT_NONE for every other instruction and for short code. */
enum bt_kind bt_classify(const uint8_t *code, size_t n);

/* The offset of the block's first sensitive instruction and its kind, or
 * -1 when it has none.  Capstone (d) gives each instruction's length; an
 * undecodable byte ends the scan. */
int bt_scan_block(struct disasm *d, const uint8_t *code, size_t size, uint32_t addr, bool code32,
                  enum bt_kind *kind);

#endif
