/* The I/O port bus: the table of claimed port ranges and the dispatch of
 * IN and OUT to the device that claimed the port.
 *
 * Dispatch rule for wide accesses: an access of 2 or 4 bytes goes, whole and
 * with its size, to the handler that claims its *first* port; that device
 * decides what a wide access means (most 8-bit devices split it into byte
 * accesses with bus_read_bytes / bus_write_bytes, as the ISA bus does).
 * When nobody claims the first port, the access is split into byte accesses
 * port, port+1, ... and each byte goes to its own claimant or, if none,
 * reads as 0xFF — so a word read of two unclaimed ports gives 0xFFFF and a
 * dword read 0xFFFFFFFF, like an ISA bus with nothing on it. */
#include "devices/bus.h"

#include <string.h>

void bus_init(struct bus *bus)
{
    memset(bus, 0, sizeof(*bus));
}

static bool bus_overlaps(const struct io_handler *h, uint32_t first, uint32_t count)
{
    uint32_t hf = h->first, hl = (uint32_t)h->first + h->count;
    return first < hl && hf < first + count;
}

bool bus_register(struct bus *bus, const struct io_handler *handler)
{
    if (!handler || handler->count == 0)
        return false;
    if ((uint32_t)handler->first + handler->count > 65536u)
        return false;
    if (bus->nhandlers >= BUS_MAX_HANDLERS)
        return false;
    for (int i = 0; i < bus->nhandlers; i++)
        if (bus_overlaps(&bus->handlers[i], handler->first, handler->count))
            return false;
    bus->handlers[bus->nhandlers++] = *handler;
    return true;
}

static const struct io_handler *bus_find(const struct bus *bus, uint16_t port)
{
    for (int i = 0; i < bus->nhandlers; i++) {
        const struct io_handler *h = &bus->handlers[i];
        if (port >= h->first && (uint32_t)port < (uint32_t)h->first + h->count)
            return h;
    }
    return NULL;
}

/* Reports an access to an unclaimed port, once per port for the machine's
 * lifetime (the -d unimp log would otherwise drown in polling loops). */
static void bus_report_unimp(struct bus *bus, uint16_t port, bool is_write, uint32_t value,
                             int size)
{
    uint8_t bit = (uint8_t)(1u << (port & 7));
    if (bus->unimp_seen[port >> 3] & bit)
        return;
    bus->unimp_seen[port >> 3] |= bit;
    if (bus->unimp)
        bus->unimp(bus->unimp_opaque, port, is_write, value, size);
}

static int bus_size(int size)
{
    return size >= 4 ? 4 : size == 2 ? 2 : 1;
}

uint32_t bus_in(struct bus *bus, uint16_t port, int size)
{
    size = bus_size(size);
    const struct io_handler *h = bus_find(bus, port);
    if (h)
        return h->read ? h->read(h->opaque, port, size) & bus_all_ones(size) : bus_all_ones(size);
    if (size == 1) {
        bus_report_unimp(bus, port, false, 0xFF, 1); /* value: what the read returns */
        return 0xFF;
    }
    /* No device at the first port: byte cycles, one per port. */
    uint32_t value = 0;
    for (int i = 0; i < size; i++)
        value |= bus_in(bus, (uint16_t)(port + i), 1) << (8 * i);
    return value;
}

void bus_out(struct bus *bus, uint16_t port, uint32_t value, int size)
{
    size = bus_size(size);
    value &= bus_all_ones(size);
    const struct io_handler *h = bus_find(bus, port);
    if (h) {
        if (h->write)
            h->write(h->opaque, port, value, size);
        return;
    }
    if (size == 1) {
        bus_report_unimp(bus, port, true, value, 1);
        return;
    }
    for (int i = 0; i < size; i++)
        bus_out(bus, (uint16_t)(port + i), (value >> (8 * i)) & 0xFF, 1);
}
