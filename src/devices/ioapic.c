/* The I/O APIC (see ioapic.h).  Rules come from the Intel 82093AA I/O
 * APIC datasheet (order no. 290566; "82093AA:" comments name the section).
 * A message is delivered when it is raised, so an entry's delivery status
 * always reads idle. */
#include "devices/ioapic.h"

#include <string.h>

void ioapic_init(struct ioapic *io, uint8_t id,
                 void (*deliver)(void *opaque, const struct apic_msg *msg, uint64_t now_ns),
                 void *deliver_opaque, uint64_t (*now_ns)(void *opaque), void *clock_opaque)
{
    memset(io, 0, sizeof *io);
    io->id = id & 0x0F;
    for (int i = 0; i < IOAPIC_PINS; i++)
        io->redir[i] = IOAPIC_MASKED;
    io->deliver = deliver;
    io->deliver_opaque = deliver_opaque;
    io->now_ns = now_ns;
    io->clock_opaque = clock_opaque;
}

static bool pin_asserted(const struct ioapic *io, int pin)
{
    bool level = (io->pin_level >> pin) & 1;
    return (io->redir[pin] & IOAPIC_POLARITY_LOW) ? !level : level;
}

/* Sends entry `pin`'s message (82093AA 3.2.4). */
static void send(struct ioapic *io, int pin, uint64_t now_ns)
{
    uint64_t e = io->redir[pin];
    struct apic_msg m = {
        .vector = (uint8_t)e,
        .mode = (uint8_t)((e >> 8) & 7),
        .logical = (e & APIC_DEST_LOGICAL) != 0,
        .dest = (uint8_t)(e >> 56),
        .shorthand = APIC_TO_DEST,
        .level = (e & IOAPIC_TRIGGER_LEVEL) != 0,
        .assert = true,
        .source = -1,
    };
    /* Delivery modes 3 and 6 are reserved. */
    if (m.mode == 3 || m.mode == APIC_STARTUP)
        return;
    /* 82093AA 3.2.4: a level-triggered interrupt sets remote IRR when the
     * local APIC accepts it, until that APIC's EOI. */
    if (m.level)
        io->redir[pin] |= IOAPIC_REMOTE_IRR;
    if (io->deliver)
        io->deliver(io->deliver_opaque, &m, now_ns);
}

/* Level-triggered: an asserted, unmasked pin without remote IRR sends. */
static void service_level(struct ioapic *io, int pin, uint64_t now_ns)
{
    uint64_t e = io->redir[pin];
    if ((e & IOAPIC_TRIGGER_LEVEL) && !(e & IOAPIC_MASKED) && !(e & IOAPIC_REMOTE_IRR) &&
        pin_asserted(io, pin))
        send(io, pin, now_ns);
}

void ioapic_set_pin(struct ioapic *io, int pin, bool level, uint64_t now_ns)
{
    if (pin < 0 || pin >= IOAPIC_PINS)
        return;
    bool was = pin_asserted(io, pin);
    if (level)
        io->pin_level |= 1u << pin;
    else
        io->pin_level &= ~(1u << pin);
    bool now = pin_asserted(io, pin);
    uint64_t e = io->redir[pin];
    if (e & IOAPIC_TRIGGER_LEVEL) {
        service_level(io, pin, now_ns);
    } else if (now && !was && !(e & IOAPIC_MASKED)) {
        /* 82093AA 3.2.4: an edge on a masked pin is lost, not held. */
        send(io, pin, now_ns);
    }
}

void ioapic_irq_line(void *opaque, int irq, int level)
{
    struct ioapic *io = opaque;
    ioapic_set_pin(io, irq, level != 0, io->now_ns ? io->now_ns(io->clock_opaque) : 0);
}

void ioapic_eoi(struct ioapic *io, uint8_t vector, uint64_t now_ns)
{
    for (int pin = 0; pin < IOAPIC_PINS; pin++) {
        uint64_t e = io->redir[pin];
        if ((e & IOAPIC_TRIGGER_LEVEL) && (e & IOAPIC_REMOTE_IRR) && (uint8_t)e == vector) {
            io->redir[pin] &= ~(uint64_t)IOAPIC_REMOTE_IRR;
            service_level(io, pin, now_ns);
        }
    }
}

static uint32_t read_register(const struct ioapic *io, uint8_t reg)
{
    switch (reg) {
    case IOAPIC_REG_ID: return (uint32_t)io->id << 24;
    case IOAPIC_REG_VER: return (uint32_t)(IOAPIC_PINS - 1) << 16 | IOAPIC_VERSION;
    case IOAPIC_REG_ARB: return (uint32_t)io->id << 24; /* arbitration ID = ID after reset */
    default: break;
    }
    if (reg >= IOAPIC_REG_REDIR && reg < IOAPIC_REG_REDIR + 2 * IOAPIC_PINS) {
        uint64_t e = io->redir[(reg - IOAPIC_REG_REDIR) / 2];
        return (reg & 1) ? (uint32_t)(e >> 32) : (uint32_t)e;
    }
    return 0;
}

static void write_register(struct ioapic *io, uint8_t reg, uint32_t v, uint64_t now_ns)
{
    if (reg == IOAPIC_REG_ID) {
        io->id = (uint8_t)((v >> 24) & 0x0F); /* 82093AA 3.2.1: bits 24-27 */
        return;
    }
    if (reg < IOAPIC_REG_REDIR || reg >= IOAPIC_REG_REDIR + 2 * IOAPIC_PINS)
        return; /* the version and arbitration registers are read-only */
    int pin = (reg - IOAPIC_REG_REDIR) / 2;
    uint64_t e = io->redir[pin];
    if (reg & 1) {
        /* High dword: the destination in bits 56-63. */
        e = (e & 0x00000000FFFFFFFFull) | ((uint64_t)(v & 0xFF000000u) << 32);
    } else {
        /* Low dword: delivery status and remote IRR are read-only. */
        const uint32_t writable = 0xFF | APIC_MODE_MASK | APIC_DEST_LOGICAL | IOAPIC_POLARITY_LOW |
                                  IOAPIC_TRIGGER_LEVEL | IOAPIC_MASKED;
        uint32_t lo = ((uint32_t)e & ~writable) | (v & writable);
        if (!(lo & IOAPIC_TRIGGER_LEVEL))
            lo &= ~IOAPIC_REMOTE_IRR; /* meaningless for edge, cleared as QEMU */
        e = (e & 0xFFFFFFFF00000000ull) | lo;
    }
    io->redir[pin] = e;
    /* Unmasked, or changed to level, with the pin asserted: it fires now. */
    service_level(io, pin, now_ns);
}

uint32_t ioapic_read(struct ioapic *io, uint32_t offset)
{
    switch (offset) {
    case IOAPIC_IOREGSEL: return io->regsel;
    case IOAPIC_IOWIN: return read_register(io, io->regsel);
    default: return 0;
    }
}

void ioapic_write(struct ioapic *io, uint32_t offset, uint32_t value, uint64_t now_ns)
{
    switch (offset) {
    case IOAPIC_IOREGSEL: io->regsel = (uint8_t)value; break;
    case IOAPIC_IOWIN: write_register(io, io->regsel, value, now_ns); break;
    case IOAPIC_EOI: ioapic_eoi(io, (uint8_t)value, now_ns); break;
    default: break;
    }
}
