/* I/O permission: whether IN, OUT, INS and OUTS at the current privilege
 * may touch a port, by IOPL and the I/O permission bit map in the TSS
 * (SDM Vol. 1 19.5; Vol. 3A 20.2.8 for virtual-8086 mode).  Pure over a
 * byte-read callback on the TSS's linear addresses. */
#ifndef RINGLAB_IOPERM_H
#define RINGLAB_IOPERM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Reads one byte at a linear address, as the processor's implicit
 * supervisor access to the TSS does.  Returns false when the read fails
 * (a page fault, or nothing there); the caller keeps the reason. */
struct ioperm_mem {
    bool (*read8)(void *opaque, uint32_t linear, uint8_t *value);
    void *opaque;
};

/* True when the bit map decides: CPL > IOPL in protected mode, or
 * virtual-8086 mode whatever the IOPL (SDM Vol. 1 19.5.1, 19.5.2; Vol. 3A
 * 20.2.8.1).  Otherwise every port is allowed. */
bool ioperm_uses_bitmap(uint8_t cpl, uint32_t eflags);

enum ioperm_verdict {
    IOPERM_ALLOW,
    IOPERM_DENY,       /* the instruction raises #GP(0) */
    IOPERM_READ_ERROR, /* a read of the TSS failed; see the callback */
    IOPERM_BAD_SIZE,   /* size is not 1, 2 or 4 */
};

/* What the check found, for the trace and the explanation. */
struct ioperm_result {
    enum ioperm_verdict verdict;
    /* "allowed", "16-bit-tss", "tss-too-short", "beyond-limit",
     * "bit-set", "read-error", "bad-size" */
    const char *reason_code;
    uint16_t port;
    int size;
    bool tss_is_32bit;
    uint32_t tss_limit;
    uint16_t iomap_base;  /* valid once read */
    uint32_t byte_offset; /* TSS offset of the first of the two bit-map bytes */
    uint16_t bitmap_word; /* the two bytes read, first in the low half */
    uint16_t mask;        /* the bits of bitmap_word the access tests */
};

/* Check the bit map of the TSS at tss_base (linear) with limit tss_limit
 * for an access of size bytes (1, 2, 4) at port.  A 16-bit TSS has no bit
 * map: deny.  The processor reads the map base at offset 66H and then two
 * bytes of the map, at map base + port / 8 and the byte after; both must
 * lie within the TSS limit, and every bit for port .. port + size - 1
 * must be 0 (SDM Vol. 1 19.5.2).  out may be NULL. */
enum ioperm_verdict ioperm_check(const struct ioperm_mem *mem, uint32_t tss_base,
                                 uint32_t tss_limit, bool tss_is_32bit, uint16_t port, int size,
                                 struct ioperm_result *out);

/* "OUT to port 0x03f8 (1 byte) denied: bit 0 of I/O map byte 0x7f (TSS
 * offset 0x00e7) is set".  Returns the length of the whole text. */
size_t ioperm_explain(const struct ioperm_result *r, char *buf, size_t n);

#endif
