/* Data and stack segment limit checks (SDM Vol. 3A 5.3, 5.3.1): every byte
 * an instruction reads or writes through DS, ES, FS, GS or SS must lie
 * inside the segment, or the instruction faults before it does anything:
 * #SS(0) through SS, #GP(0) through the others.  A null selector in DS, ES,
 * FS or GS may be loaded but not used: #GP(0) (SDM Vol. 3A 3.4.2).
 *
 * Valid offsets:
 *   expand-up data (and readable code):  0 .. limit
 *   expand-down data (type bit E):       limit + 1 .. 0xFFFFFFFF when B = 1,
 *                                        limit + 1 .. 0xFFFF when B = 0
 * with the limit already scaled by G (4 KiB units, low 12 bits set).
 *
 * Unicorn, like QEMU's TCG, checks none of this.  A segment whose valid
 * offsets are all 4 GiB (usable, expand-up, limit 0xFFFFFFFF) can never
 * fault: when every data and stack segment is so ("flat"), there is
 * nothing to check.  Pure functions over plain values. */
#ifndef RINGLAB_SEG_LIMIT_H
#define RINGLAB_SEG_LIMIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cpu/cpu_state.h"
#include "cpu/mem_operands.h"

/* The segment registers that limit an access (1 << enum seg_reg for each
 * of ES, SS, DS, FS, GS that is not flat); 0 when all are flat, and in
 * real-address and virtual-8086 mode, which ringlab does not check. */
unsigned seg_limit_checked(const struct cpu_state *st);

/* Of those, the ones that hold a null selector: they fault only when an
 * instruction names them, so they are checked only in the blocks that may
 * (the others can fault anywhere). */
unsigned seg_limit_nulls(const struct cpu_state *st);

/* Is the segment usable (a selector other than null was loaded)? */
bool seg_limit_usable(const struct seg_cache *s);
bool seg_limit_expand_down(const struct seg_cache *s);
/* The highest and lowest valid offsets. */
uint32_t seg_limit_lowest(const struct seg_cache *s);
uint32_t seg_limit_highest(const struct seg_cache *s);
/* Do all `size` bytes from `offset` on lie inside the segment?  An access
 * that runs past 0xFFFFFFFF does not. */
bool seg_limit_contains(const struct seg_cache *s, uint32_t offset, uint32_t size);

/* The offset an access uses with the registers in st. */
uint32_t seg_limit_offset(const struct cpu_state *st, const struct mem_ref *r);

/* The first access of an instruction that breaks a limit. */
struct seg_violation {
    int vector;      /* 12 (#SS) or 13 (#GP); the error code is 0 */
    uint8_t seg;     /* enum seg_reg */
    bool null;       /* the segment register holds a null selector */
    uint32_t offset; /* the first byte accessed */
    uint32_t size;
    struct seg_cache cache; /* the segment as loaded */
};

/* Check the accesses of one instruction, about to run with the registers
 * in st, through the segments in `checked` (seg_limit_checked's mask;
 * the others cannot fault).  Returns true and fills *v when one breaks a
 * limit. */
bool seg_limit_violated(const struct cpu_state *st, unsigned checked,
                        const struct mem_operands *ops, struct seg_violation *v);

/* One line for people, with the SDM's section: "DS:0xc0100000..0xc0100003
 * (4 bytes) is past DS's limit 0xbfffffff (selector 0x0039): #GP(0) (SDM
 * Vol. 3A 5.3)".  Returns the length. */
size_t seg_limit_explain(const struct seg_violation *v, char *buf, size_t n);

/* "DS" and so on. */
const char *seg_limit_name(unsigned seg);

#endif
