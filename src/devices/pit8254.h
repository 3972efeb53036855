/* The Intel 8254 programmable interval timer of the PC (ports 0x40-0x43,
 * 1193182 Hz input clock, channel 0 on IRQ 0, channel 2 gated by and read
 * back through system control port B at 0x61).  Counters are not stepped:
 * their value and OUT level are computed from virtual time. */
#ifndef RINGLAB_PIT8254_H
#define RINGLAB_PIT8254_H

#include <stdbool.h>
#include <stdint.h>

#include "devices/bus.h"
#include "devices/irq.h"
#include "machine/clock.h"

#define PIT_BASE 0x40
#define PIT_PORT_B 0x61
#define PIT_HZ 1193182u

struct pit_channel {
    uint8_t mode;   /* 0..5 */
    uint8_t access; /* 1 LSB, 2 MSB, 3 LSB then MSB */
    bool bcd;
    bool gate;
    uint32_t reload;      /* the count written, 1..65536 (1..10000 in BCD) */
    bool have_count;      /* a count has been written since the control word */
    bool null_count;      /* written but not yet loaded into the counter */
    /* Counting: from tick `start` on the counter holds `start_value` and
     * counts down; before `start`, or while stopped, it shows `held_count`
     * with OUT at `held_out`. */
    bool running;
    uint64_t start;
    uint32_t start_value;
    uint32_t held_count;
    bool held_out;
    bool done; /* one-shot modes: terminal count passed before a gate pause */
    /* Write and read flip-flops for LSB-then-MSB access. */
    bool write_msb_next;
    uint8_t write_lsb;
    bool read_msb_next;
    /* Counter latch and read-back status latch. */
    bool count_latched;
    uint16_t latched_count;
    bool latched_msb_next;
    uint8_t latched_access;
    bool status_latched;
    uint8_t latched_status;
};

struct pit {
    struct pit_channel ch[3];
    struct irq_line irq0;
    const struct clock *clock; /* the time port accesses happen at (NULL: last_ns) */
    uint8_t port_b;     /* bits 0-3 of port 0x61 as last written */
    uint64_t last_ns;   /* time of the last pit_advance */
    bool irq0_level;    /* level last driven on IRQ 0 */
    uint64_t irq0_edges_merged; /* rising edges of OUT0 folded into one */
};

/* Power-on state as QEMU's: every channel mode 3, LSB/MSB, count 65536;
 * channels 0 and 1 run from time 0 (gates tied high), channel 2's gate is
 * port B bit 0, low.  The clock gives the time of port accesses. */
void pit_init(struct pit *pit, struct irq_line irq0, const struct clock *clock);
/* What SeaBIOS leaves (measured under QEMU 7.2): channel 0 in mode 2,
 * LSB/MSB, binary, count 65536 (18.2 Hz), reloaded at now_ns. */
void pit_bios_setup(struct pit *pit, uint64_t now_ns);
/* Claims 0x40-0x43 and 0x61. */
bool pit_register(struct pit *pit, struct bus *bus);

/* Brings IRQ 0 up to date with channel 0's OUT at now_ns.  One rising edge
 * of OUT0 (or more, missed by a late call) since the last call gives one
 * edge on IRQ 0; the extra ones are counted in irq0_edges_merged. */
void pit_advance(struct pit *pit, uint64_t now_ns);
/* The time of channel 0's next rising OUT edge after now_ns (the next IRQ 0
 * edge), or UINT64_MAX when none will come. */
uint64_t pit_next_event_ns(const struct pit *pit, uint64_t now_ns);

/* Channel state at a time: the value a latch would capture, and OUT. */
uint16_t pit_count(const struct pit *pit, int channel, uint64_t now_ns);
bool pit_out(const struct pit *pit, int channel, uint64_t now_ns);

/* Port access at a time (the bus handlers use the clock's time). */
uint8_t pit_read(struct pit *pit, uint16_t port, uint64_t now_ns);
void pit_write(struct pit *pit, uint16_t port, uint8_t value, uint64_t now_ns);

/* Conversions between virtual nanoseconds and input-clock ticks: tick n is
 * the n-th falling clock edge since time 0; pit_tick_to_ns gives the first
 * nanosecond at which it has happened. */
uint64_t pit_ns_to_tick(uint64_t ns);
uint64_t pit_tick_to_ns(uint64_t tick);

#endif
