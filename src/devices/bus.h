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
    void (*unimp)(void *opaque, uint16_t port, bool is_write, uint32_t value, int size);
    void *unimp_opaque;
};

void bus_init(struct bus *bus);
/* Returns false when the table is full or the range overlaps a claimed one. */
bool bus_register(struct bus *bus, const struct io_handler *handler);
uint32_t bus_in(struct bus *bus, uint16_t port, int size);
void bus_out(struct bus *bus, uint16_t port, uint32_t value, int size);

#endif
