/* The I/O port space: devices claim port ranges, IN and OUT are dispatched
 * to them.  A port nobody claims reads as all ones and ignores writes, as an
 * ISA bus with nothing on it does; the first access to each such port is
 * reported through the unimp callback (ringlab's -d unimp). */
#ifndef RINGLAB_BUS_H
#define RINGLAB_BUS_H

#include <stdbool.h>
#include <stdint.h>

/* size is 1, 2 or 4 bytes; port is the port actually accessed. */
typedef uint32_t (*io_read_fn)(void *opaque, uint16_t port, int size);
typedef void (*io_write_fn)(void *opaque, uint16_t port, uint32_t value, int size);

struct io_handler {
    uint16_t first;
    uint16_t count;
    const char *name;
    void *opaque;
    io_read_fn read;   /* NULL: reads as all ones */
    io_write_fn write; /* NULL: writes are ignored */
};

#define BUS_MAX_HANDLERS 32

struct bus {
    struct io_handler handlers[BUS_MAX_HANDLERS];
    int nhandlers;
    uint8_t unimp_seen[65536 / 8]; /* one bit per port already reported */
    /* value: the byte written, or for a read the 0xFF it returns.  A wide
     * access to unclaimed ports is reported as byte accesses, one per port. */
    void (*unimp)(void *opaque, uint16_t port, bool is_write, uint32_t value, int size);
    void *unimp_opaque;
};

void bus_init(struct bus *bus);
/* Returns false when the table is full or the range overlaps a claimed one. */
bool bus_register(struct bus *bus, const struct io_handler *handler);
uint32_t bus_in(struct bus *bus, uint16_t port, int size);
void bus_out(struct bus *bus, uint16_t port, uint32_t value, int size);

/* The value an access of `size` bytes reads from a port nobody drives. */
static inline uint32_t bus_all_ones(int size)
{
    return size >= 4 ? 0xFFFFFFFFu : size == 2 ? 0xFFFFu : 0xFFu;
}

/* For devices whose registers are 8 bits wide.  An ISA bus splits a 16- or
 * 32-bit cycle to an 8-bit card into byte cycles at port, port+1, ...; a
 * device calls these from its handler to do the same with its own byte
 * accessors.  Bytes that fall past the device's last port (first+count-1)
 * read as 0xFF and their writes are dropped. */
static inline uint32_t bus_read_bytes(uint8_t (*read8)(void *opaque, uint16_t port), void *opaque,
                                      uint16_t first, uint16_t count, uint16_t port, int size)
{
    uint32_t value = 0;
    for (int i = 0; i < size; i++) {
        uint32_t p = (uint32_t)port + (uint32_t)i;
        uint8_t b = (p >= first && p < (uint32_t)first + count) ? read8(opaque, (uint16_t)p) : 0xFF;
        value |= (uint32_t)b << (8 * i);
    }
    return value;
}

static inline void bus_write_bytes(void (*write8)(void *opaque, uint16_t port, uint8_t value),
                                   void *opaque, uint16_t first, uint16_t count, uint16_t port,
                                   uint32_t value, int size)
{
    for (int i = 0; i < size; i++) {
        uint32_t p = (uint32_t)port + (uint32_t)i;
        if (p >= first && p < (uint32_t)first + count)
            write8(opaque, (uint16_t)p, (uint8_t)(value >> (8 * i)));
    }
}

#endif
