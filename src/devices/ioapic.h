/* The I/O APIC (Intel 82093AA) at 0xFEC00000: 24 input pins, each with a
 * redirection entry that turns a level change into a message for the
 * local APICs.  Plain state: the machine maps its page and calls
 * ioapic_read / ioapic_write at an offset (IOREGSEL at 0x00, IOWIN at
 * 0x10, the EOI register of version 0x20 at 0x40); devices drive its pins
 * through irq lines; messages leave through the deliver callback (the
 * machine hands them to apic_bus_deliver). */
#ifndef RINGLAB_IOAPIC_H
#define RINGLAB_IOAPIC_H

#include <stdbool.h>
#include <stdint.h>

#include "devices/irq.h"
#include "devices/lapic.h"

#define IOAPIC_DEFAULT_BASE 0xFEC00000u
#define IOAPIC_PINS 24
#define IOAPIC_VERSION 0x20 /* QEMU 7.2's; the register reads 0x00170020 */

/* Memory-mapped registers (82093AA datasheet 3.1). */
#define IOAPIC_IOREGSEL 0x00
#define IOAPIC_IOWIN 0x10
#define IOAPIC_EOI 0x40
/* Registers through IOREGSEL (3.2). */
#define IOAPIC_REG_ID 0x00
#define IOAPIC_REG_VER 0x01
#define IOAPIC_REG_ARB 0x02
#define IOAPIC_REG_REDIR 0x10 /* entry n: 0x10 + 2n (low), 0x11 + 2n (high) */

/* Redirection entry bits (3.2.4); fields shared with the LAPIC's. */
#define IOAPIC_DELIVERY_PENDING (1u << 12)
#define IOAPIC_POLARITY_LOW (1u << 13)
#define IOAPIC_REMOTE_IRR (1u << 14)
#define IOAPIC_TRIGGER_LEVEL (1u << 15)
#define IOAPIC_MASKED (1u << 16)

struct ioapic {
    uint8_t id;
    uint8_t regsel;
    uint64_t redir[IOAPIC_PINS];
    uint32_t pin_level; /* the input pins, one bit each, as driven */
    void (*deliver)(void *opaque, const struct apic_msg *msg, uint64_t now_ns);
    void *deliver_opaque;
    uint64_t (*now_ns)(void *opaque); /* for pin changes from irq lines */
    void *clock_opaque;
};

/* Power-up: every entry masked, edge, fixed, vector 0 (3.2.4). */
void ioapic_init(struct ioapic *io, uint8_t id,
                 void (*deliver)(void *opaque, const struct apic_msg *msg, uint64_t now_ns),
                 void *deliver_opaque, uint64_t (*now_ns)(void *opaque), void *clock_opaque);

uint32_t ioapic_read(struct ioapic *io, uint32_t offset);
void ioapic_write(struct ioapic *io, uint32_t offset, uint32_t value, uint64_t now_ns);

/* An input pin changes level (active high as the ISA devices drive it;
 * a redirection entry's polarity bit inverts what counts as asserted). */
void ioapic_set_pin(struct ioapic *io, int pin, bool level, uint64_t now_ns);
/* An irq_line callback: opaque is the ioapic, irq the pin. */
void ioapic_irq_line(void *opaque, int irq, int level);
/* The EOI for `vector` (a local APIC's broadcast or the EOI register):
 * level-triggered entries with that vector lose their remote IRR, and
 * fire again if their pin is still asserted. */
void ioapic_eoi(struct ioapic *io, uint8_t vector, uint64_t now_ns);

#endif
