/* I/O permission by IOPL and the TSS's I/O permission bit map (see
 * ioperm.h; SDM Vol. 1 19.5, Vol. 3A 20.2.8). */
#include "cpu/ioperm.h"

#include <stdio.h>
#include <string.h>

#include "cpu/cpu_state.h"

/* Offset of the I/O map base field in a 32-bit TSS (SDM Vol. 3A 7.2.1). */
#define IOPERM_IOMAP_FIELD 0x66u

bool ioperm_uses_bitmap(uint8_t cpl, uint32_t eflags)
{
    /* SDM Vol. 3A 20.2.8.1: in virtual-8086 mode IN/OUT are not
     * IOPL-sensitive; the bit map alone decides. */
    if (eflags & EFLAGS_VM)
        return true;
    /* SDM Vol. 1 19.5.1: CPL <= IOPL allows every port. */
    uint8_t iopl = (uint8_t)((eflags & EFLAGS_IOPL) >> EFLAGS_IOPL_SHIFT);
    return cpl > iopl;
}

static enum ioperm_verdict verdict(struct ioperm_result *r, enum ioperm_verdict v,
                                   const char *reason)
{
    r->verdict = v;
    r->reason_code = reason;
    return v;
}

enum ioperm_verdict ioperm_check(const struct ioperm_mem *mem, uint32_t tss_base,
                                 uint32_t tss_limit, bool tss_is_32bit, uint16_t port, int size,
                                 struct ioperm_result *out)
{
    struct ioperm_result scratch;
    struct ioperm_result *r = out ? out : &scratch;
    memset(r, 0, sizeof *r);
    r->port = port;
    r->size = size;
    r->tss_is_32bit = tss_is_32bit;
    r->tss_limit = tss_limit;

    if (size != 1 && size != 2 && size != 4)
        return verdict(r, IOPERM_BAD_SIZE, "bad-size");
    /* A 286 TSS has no I/O map base and no bit map: #GP(0). */
    if (!tss_is_32bit)
        return verdict(r, IOPERM_DENY, "16-bit-tss");
    /* The map base word at 66H..67H must lie within the limit to be read
     * (a 32-bit TSS's limit is at least 67H for a task switch anyway). */
    if (tss_limit < IOPERM_IOMAP_FIELD + 1)
        return verdict(r, IOPERM_DENY, "tss-too-short");
    uint8_t lo, hi;
    if (!mem->read8(mem->opaque, tss_base + IOPERM_IOMAP_FIELD, &lo) ||
        !mem->read8(mem->opaque, tss_base + IOPERM_IOMAP_FIELD + 1, &hi))
        return verdict(r, IOPERM_READ_ERROR, "read-error");
    r->iomap_base = (uint16_t)(lo | (hi << 8));

    /* SDM Vol. 1 19.5.2: the processor reads two bytes of the map for
     * every access, since an unaligned port range can span a byte
     * boundary; both must be within the TSS limit.  That is why a map
     * that covers the highest ports needs a trailing all-ones byte inside
     * the limit.  Ports past the limit count as set bits.  (A map base
     * at or beyond the limit therefore denies every port.) */
    r->byte_offset = (uint32_t)r->iomap_base + port / 8u;
    if (r->byte_offset + 1 > tss_limit)
        return verdict(r, IOPERM_DENY, "beyond-limit");
    uint8_t b0, b1;
    if (!mem->read8(mem->opaque, tss_base + r->byte_offset, &b0) ||
        !mem->read8(mem->opaque, tss_base + r->byte_offset + 1, &b1))
        return verdict(r, IOPERM_READ_ERROR, "read-error");
    r->bitmap_word = (uint16_t)(b0 | (b1 << 8));
    /* port % 8 <= 7 and size <= 4: the tested bits fit in the 16 read. */
    r->mask = (uint16_t)(((1u << size) - 1u) << (port & 7u));
    /* Every tested bit must be 0; one set bit means #GP(0). */
    if (r->bitmap_word & r->mask)
        return verdict(r, IOPERM_DENY, "bit-set");
    return verdict(r, IOPERM_ALLOW, "allowed");
}

size_t ioperm_explain(const struct ioperm_result *r, char *buf, size_t n)
{
    char tail[256];
    const char *rc = r->reason_code ? r->reason_code : "";
    if (!strcmp(rc, "allowed"))
        snprintf(tail, sizeof tail, "allowed: bits clear in I/O map bytes at TSS offset 0x%04x",
                 r->byte_offset);
    else if (!strcmp(rc, "16-bit-tss"))
        snprintf(tail, sizeof tail, "denied: a 16-bit TSS has no I/O permission bit map");
    else if (!strcmp(rc, "tss-too-short"))
        snprintf(tail, sizeof tail,
                 "denied: TSS limit 0x%x does not reach the I/O map base field at 0x66",
                 r->tss_limit);
    else if (!strcmp(rc, "beyond-limit"))
        snprintf(tail, sizeof tail,
                 "denied: I/O map base 0x%04x + 0x%x puts the two map bytes at TSS offset "
                 "0x%x..0x%x, past the TSS limit 0x%x",
                 r->iomap_base, r->port / 8u, r->byte_offset, r->byte_offset + 1, r->tss_limit);
    else if (!strcmp(rc, "bit-set")) {
        unsigned first = 0;
        while (!((r->bitmap_word & r->mask) & (1u << first)))
            first++;
        unsigned bad_port = (unsigned)(r->port & ~7u) + first;
        snprintf(tail, sizeof tail,
                 "denied: the bit for port 0x%04x is set (I/O map at TSS offset 0x%04x reads "
                 "0x%04x, tested bits 0x%04x)",
                 bad_port & 0xffffu, r->byte_offset, r->bitmap_word, r->mask);
    } else if (!strcmp(rc, "read-error"))
        snprintf(tail, sizeof tail, "the TSS could not be read");
    else if (!strcmp(rc, "bad-size"))
        snprintf(tail, sizeof tail, "an access size of %d bytes does not exist", r->size);
    else
        snprintf(tail, sizeof tail, "%s", rc);
    int w = snprintf(buf, n, "port 0x%04x (%d byte%s): %s", r->port, r->size,
                     r->size == 1 ? "" : "s", tail);
    return w > 0 ? (size_t)w : 0;
}
