/* The RAM fixture of the processor-model suites (see ram_fixture.h). */
#include "ram_fixture.h"

#include <string.h>

#include "cpu/cpu_state.h"

void ram_poke32(uint8_t *ram, uint32_t paddr, uint32_t value)
{
    memcpy(ram + paddr, &value, 4);
}

void ram_poke16(uint8_t *ram, uint32_t paddr, uint16_t value)
{
    memcpy(ram + paddr, &value, 2);
}

uint32_t ram_peek32(const uint8_t *ram, uint32_t paddr)
{
    uint32_t v;
    memcpy(&v, ram + paddr, 4);
    return v;
}

uint16_t ram_peek16(const uint8_t *ram, uint32_t paddr)
{
    uint16_t v;
    memcpy(&v, ram + paddr, 2);
    return v;
}

void ram_descriptor(uint8_t *ram, uint32_t table, uint16_t sel, uint32_t base, uint32_t limit,
                    uint32_t attr)
{
    uint32_t lo = (base << 16) | (limit & 0xffffu);
    uint32_t hi = ((base >> 16) & 0xffu) | (base & 0xff000000u) | (limit & 0xf0000u) | attr;
    ram_poke32(ram, table + (sel & ~7u), lo);
    ram_poke32(ram, table + (sel & ~7u) + 4, hi);
}

void ram_gate(uint8_t *ram, uint32_t idt, int vector, uint16_t sel, uint32_t offset,
              unsigned type, unsigned dpl, bool present)
{
    uint32_t lo = ((uint32_t)sel << 16) | (offset & 0xffffu);
    uint32_t hi = (offset & 0xffff0000u) | (type << DESC_TYPE_SHIFT) | (dpl << DESC_DPL_SHIFT) |
                  (present ? DESC_P : 0);
    ram_poke32(ram, idt + (uint32_t)vector * 8, lo);
    ram_poke32(ram, idt + (uint32_t)vector * 8 + 4, hi);
}

void event_log_capture(void *opaque, struct trace_event *ev)
{
    struct event_log *log = opaque;
    if (log->n < EVENT_LOG_MAX)
        log->ev[log->n] = *ev;
    log->n++;
}
