/* A guest RAM buffer for the suites of ringlab's processor model: reading
 * and writing little-endian values in it, building descriptors and gates
 * where the SDM draws their fields, and collecting the trace events a
 * delivery emits. */
#ifndef RINGLAB_RAM_FIXTURE_H
#define RINGLAB_RAM_FIXTURE_H

#include <stdbool.h>
#include <stdint.h>

#include "trace/event.h"

void ram_poke32(uint8_t *ram, uint32_t paddr, uint32_t value);
void ram_poke16(uint8_t *ram, uint32_t paddr, uint16_t value);
uint32_t ram_peek32(const uint8_t *ram, uint32_t paddr);
uint16_t ram_peek16(const uint8_t *ram, uint32_t paddr);

/* A segment descriptor at table + (sel & ~7): base, limit (20 bits, in G
 * units) and the attribute bits of the high dword (SDM Vol. 3A Figure 3-8). */
void ram_descriptor(uint8_t *ram, uint32_t table, uint16_t sel, uint32_t base, uint32_t limit,
                    uint32_t attr);
/* An IDT gate (SDM Vol. 3A Figure 6-2). */
void ram_gate(uint8_t *ram, uint32_t idt, int vector, uint16_t sel, uint32_t offset,
              unsigned type, unsigned dpl, bool present);

#define EVENT_LOG_MAX 8
struct event_log {
    int n; /* events emitted, even past EVENT_LOG_MAX */
    struct trace_event ev[EVENT_LOG_MAX];
};
/* An intr_env.emit callback; opaque is a struct event_log. */
void event_log_capture(void *opaque, struct trace_event *ev);

#endif
