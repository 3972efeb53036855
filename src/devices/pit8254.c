/* The 8254 interval timer and system control port B (0x61).  Rules come
 * from the Intel 82C54 datasheet (order no. 231244), "8254:" comments name
 * the section.  Nothing ticks: a channel records the clock tick at which it
 * started counting and the count it started from; its value and OUT at any
 * later time are arithmetic on the elapsed ticks.
 *
 * Simplifications, all invisible to a guest that programs the timer the
 * usual way: a new count written in mode 2 or 3 restarts the period at once
 * (the 8254 finishes the current period first; QEMU restarts at once too);
 * mode 3 with an odd count
 * shows approximate intermediate counter values (the OUT timing is exact);
 * a count of 1 in mode 2 or 3, which the datasheet calls illegal, acts as 2. */
#include "devices/pit8254.h"

#include <string.h>

#define NS_PER_S 1000000000ull
/* Port B bit 4 toggles once per DRAM refresh request, every 15.085 us. */
#define REFRESH_NS 15085ull

uint64_t pit_ns_to_tick(uint64_t ns)
{
    return (ns / NS_PER_S) * PIT_HZ + (ns % NS_PER_S) * PIT_HZ / NS_PER_S;
}

uint64_t pit_tick_to_ns(uint64_t tick)
{
    uint64_t q = tick / PIT_HZ, r = tick % PIT_HZ;
    if (q > UINT64_MAX / NS_PER_S - 1)
        return UINT64_MAX;
    return q * NS_PER_S + (r * NS_PER_S + PIT_HZ - 1) / PIT_HZ;
}

static uint32_t chan_modulus(const struct pit_channel *c)
{
    return c->bcd ? 10000u : 65536u;
}

static uint16_t to_bcd(uint32_t v)
{
    v %= 10000;
    return (uint16_t)((v / 1000) << 12 | (v / 100 % 10) << 8 | (v / 10 % 10) << 4 | v % 10);
}

static uint32_t from_bcd(uint16_t v)
{
    return (v >> 12 & 15) * 1000u + (v >> 8 & 15) * 100u + (v >> 4 & 15) * 10u + (v & 15);
}

struct chan_state {
    uint32_t count; /* binary, 0 .. modulus-1 */
    bool out;
};

/* Counter value and OUT of a channel at clock tick t. */
static struct chan_state chan_eval(const struct pit_channel *c, uint64_t t)
{
    struct chan_state st = {c->held_count, c->held_out};
    if (!c->running || t < c->start)
        return st;
    uint64_t k = t - c->start; /* clocks since the counter was loaded */
    uint32_t m = chan_modulus(c);
    uint64_t n = c->start_value;
    uint64_t p = c->reload < 2 ? 2 : c->reload, ph;
    switch (c->mode) {
    case 0: /* 8254 "Mode 0": OUT low until the count reaches zero, then high */
    case 1: /* "Mode 1": OUT low from the trigger until the count reaches zero */
        st.count = (uint32_t)((n + m - k % m) % m);
        st.out = c->done || k >= n;
        break;
    case 2: /* "Mode 2": OUT low for one clock when the count reaches 1; reload */
        ph = k % p;
        st.count = (uint32_t)((p - ph) % m);
        st.out = ph != p - 1;
        break;
    case 3: /* "Mode 3": OUT high for ceil(N/2) clocks, low for floor(N/2) */
    {
        uint64_t hi = (p + 1) / 2;
        ph = k % p;
        if (ph < hi) {
            uint64_t v = 2 * (hi - ph);
            st.count = (uint32_t)((v > p ? p : v) % m);
            st.out = true;
        } else {
            st.count = (uint32_t)((2 * (p - ph)) % m);
            st.out = false;
        }
        break;
    }
    default: /* "Mode 4"/"Mode 5": OUT strobes low for one clock at zero */
        st.count = (uint32_t)((n + m - k % m) % m);
        st.out = c->done || k != n;
        break;
    }
    return st;
}

/* The first tick after `after` at which OUT goes from low to high, or
 * UINT64_MAX. */
static uint64_t chan_next_rise(const struct pit_channel *c, uint64_t after)
{
    if (!c->running)
        return UINT64_MAX;
    if (c->start > after && !c->held_out && chan_eval(c, c->start).out)
        return c->start;
    uint64_t k0 = after + 1 > c->start ? after + 1 - c->start : 0;
    uint64_t n = c->start_value, p = c->reload < 2 ? 2 : c->reload, k;
    switch (c->mode) {
    case 0:
    case 1:
        if (c->done || k0 > n || n == 0)
            return UINT64_MAX;
        k = n;
        break;
    case 2:
    case 3: /* both rise when a period ends: k = p, 2p, ... */
        k = k0 < 1 ? 1 : k0;
        k = (k + p - 1) / p * p;
        break;
    default:
        if (c->done || k0 > n + 1)
            return UINT64_MAX;
        k = n + 1;
        break;
    }
    return c->start + k > c->start ? c->start + k : UINT64_MAX;
}

/* Stops counting, keeping the counter value and OUT. */
static void chan_hold(struct pit_channel *c, uint64_t t)
{
    struct chan_state st = chan_eval(c, t);
    if (c->running && t >= c->start) {
        uint64_t k = t - c->start;
        if (c->mode == 0 || c->mode == 1)
            c->done = c->done || k >= c->start_value;
        else if (c->mode >= 4)
            c->done = c->done || k > c->start_value;
    }
    c->held_count = st.count;
    c->held_out = st.out;
    c->running = false;
}

/* Starts counting from `value` on the clock after tick t. */
static void chan_start(struct pit_channel *c, uint64_t t, uint32_t value)
{
    c->start = t + 1;
    c->start_value = value;
    c->running = true;
}

static void chan_load(struct pit_channel *c, uint16_t raw, uint64_t t)
{
    uint32_t n = c->bcd ? from_bcd(raw) : raw;
    if (n == 0)
        n = chan_modulus(c); /* 8254: a count of 0 means 2^16 (10^4 in BCD) */
    c->reload = n;
    c->have_count = true;
    c->null_count = true;
    switch (c->mode) {
    case 0: /* OUT stays low; counting starts on the next clock if GATE is high */
    case 4:
        chan_hold(c, t);
        c->held_out = c->mode == 4;
        c->held_count = n % chan_modulus(c);
        c->done = false;
        if (c->gate)
            chan_start(c, t, n);
        break;
    case 2:
    case 3:
        chan_hold(c, t);
        c->held_out = true;
        if (c->gate)
            chan_start(c, t, n);
        break;
    default: /* modes 1 and 5 wait for a rising edge on GATE */
        break;
    }
}

static void chan_set_gate(struct pit_channel *c, bool level, uint64_t t)
{
    if (level == c->gate)
        return;
    c->gate = level;
    if (!c->have_count)
        return;
    if (level) {
        switch (c->mode) {
        case 1: /* 8254: a rising GATE (re)triggers the one-shot */
        case 5:
            chan_hold(c, t);
            c->done = false;
            chan_start(c, t, c->reload);
            break;
        case 2: /* a rising GATE reloads the count and restarts the period */
        case 3:
            chan_hold(c, t);
            c->held_out = true;
            chan_start(c, t, c->reload);
            break;
        default: /* modes 0 and 4 resume counting where they stopped */
            chan_start(c, t, c->held_count ? c->held_count : chan_modulus(c));
            break;
        }
    } else if (c->mode != 1 && c->mode != 5) {
        /* GATE low suspends counting; in modes 2 and 3 it forces OUT high. */
        chan_hold(c, t);
        if (c->mode == 2 || c->mode == 3)
            c->held_out = true;
    }
}

static uint16_t chan_display(const struct pit_channel *c, uint32_t count)
{
    return c->bcd ? to_bcd(count) : (uint16_t)count;
}

/* 8254 "Read-Back Command": the status byte. */
static uint8_t chan_status(const struct pit_channel *c, uint64_t t)
{
    struct chan_state st = chan_eval(c, t);
    bool null = c->null_count && !(c->running && t >= c->start);
    return (uint8_t)((st.out ? 0x80 : 0) | (null ? 0x40 : 0) | c->access << 4 | c->mode << 1 |
                     (c->bcd ? 1 : 0));
}

static void chan_latch(struct pit_channel *c, uint64_t t)
{
    /* 8254 "Counter Latch Command": a second latch before the first is
     * read is ignored. */
    if (c->count_latched)
        return;
    c->count_latched = true;
    c->latched_count = chan_display(c, chan_eval(c, t).count);
    c->latched_access = c->access;
    c->latched_msb_next = false;
}

static void pit_sync_irq(struct pit *pit, uint64_t now_ns)
{
    bool out = chan_eval(&pit->ch[0], pit_ns_to_tick(now_ns)).out;
    if (out != pit->irq0_level) {
        pit->irq0_level = out;
        irq_set(&pit->irq0, out);
    }
}

void pit_init(struct pit *pit, struct irq_line irq0, const struct clock *clock)
{
    memset(pit, 0, sizeof(*pit));
    pit->irq0 = irq0;
    pit->clock = clock;
    for (int i = 0; i < 3; i++) {
        struct pit_channel *c = &pit->ch[i];
        c->mode = 3;
        c->access = 3;
        c->gate = i != 2;
        c->held_out = true;
        c->reload = 65536;
        c->have_count = true;
        if (c->gate) {
            c->start = 0;
            c->start_value = c->reload;
            c->running = true;
        }
    }
    /* OUT0 starts high (mode 3's first half); the first pit_advance drives
     * IRQ 0 to it, so nothing calls into the PIC from here. */
}

void pit_bios_setup(struct pit *pit, uint64_t now_ns)
{
    pit_write(pit, PIT_BASE + 3, 0x34, now_ns);
    pit_write(pit, PIT_BASE, 0x00, now_ns);
    pit_write(pit, PIT_BASE, 0x00, now_ns);
}

void pit_advance(struct pit *pit, uint64_t now_ns)
{
    const struct pit_channel *c = &pit->ch[0];
    uint64_t a = pit_ns_to_tick(now_ns < pit->last_ns ? now_ns : pit->last_ns);
    uint64_t b = pit_ns_to_tick(now_ns);
    uint64_t first = chan_next_rise(c, a);
    if (first <= b) {
        uint64_t edges = 1;
        if (c->mode == 2 || c->mode == 3) {
            uint64_t p = c->reload < 2 ? 2 : c->reload;
            edges += (b - first) / p;
        }
        pit->irq0_edges_merged += edges - 1;
        /* One edge on IRQ 0 for everything since the last call. */
        if (pit->irq0_level)
            irq_set(&pit->irq0, 0);
        irq_set(&pit->irq0, 1);
        pit->irq0_level = true;
    }
    pit->last_ns = now_ns;
    pit_sync_irq(pit, now_ns);
}

uint64_t pit_next_event_ns(const struct pit *pit, uint64_t now_ns)
{
    uint64_t from = now_ns < pit->last_ns ? now_ns : pit->last_ns;
    uint64_t t = chan_next_rise(&pit->ch[0], pit_ns_to_tick(from));
    if (t == UINT64_MAX)
        return UINT64_MAX;
    uint64_t ns = pit_tick_to_ns(t);
    return ns < now_ns ? now_ns : ns; /* an edge already due: now */
}

uint16_t pit_count(const struct pit *pit, int channel, uint64_t now_ns)
{
    const struct pit_channel *c = &pit->ch[(unsigned)channel % 3];
    return chan_display(c, chan_eval(c, pit_ns_to_tick(now_ns)).count);
}

bool pit_out(const struct pit *pit, int channel, uint64_t now_ns)
{
    return chan_eval(&pit->ch[(unsigned)channel % 3], pit_ns_to_tick(now_ns)).out;
}

static uint8_t chan_read(struct pit_channel *c, uint64_t t)
{
    if (c->status_latched) {
        c->status_latched = false;
        return c->latched_status;
    }
    if (c->count_latched) {
        uint16_t v = c->latched_count;
        switch (c->latched_access) {
        case 1:
            c->count_latched = false;
            return (uint8_t)v;
        case 2:
            c->count_latched = false;
            return (uint8_t)(v >> 8);
        default:
            if (!c->latched_msb_next) {
                c->latched_msb_next = true;
                return (uint8_t)v;
            }
            c->count_latched = false;
            return (uint8_t)(v >> 8);
        }
    }
    uint16_t v = chan_display(c, chan_eval(c, t).count);
    switch (c->access) {
    case 1:
        return (uint8_t)v;
    case 2:
        return (uint8_t)(v >> 8);
    default:
        c->read_msb_next = !c->read_msb_next;
        return c->read_msb_next ? (uint8_t)v : (uint8_t)(v >> 8);
    }
}

static void chan_write(struct pit_channel *c, uint8_t v, uint64_t t)
{
    switch (c->access) {
    case 1:
        chan_load(c, v, t);
        break;
    case 2:
        chan_load(c, (uint16_t)(v << 8), t);
        break;
    default:
        if (!c->write_msb_next) {
            c->write_lsb = v;
            c->write_msb_next = true;
            /* 8254 "Mode 0": writing the first byte stops counting and
             * sets OUT low at once. */
            if (c->mode == 0 && c->have_count) {
                chan_hold(c, t);
                c->held_out = false;
                c->done = false;
            }
        } else {
            c->write_msb_next = false;
            chan_load(c, (uint16_t)(c->write_lsb | v << 8), t);
        }
        break;
    }
}

static void pit_control(struct pit *pit, uint8_t v, uint64_t t)
{
    int sc = v >> 6;
    if (sc == 3) {
        /* 8254 "Read-Back Command": D5 = 0 latch count, D4 = 0 latch
         * status, D3-D1 select counters 2-0. */
        for (int i = 0; i < 3; i++) {
            struct pit_channel *c = &pit->ch[i];
            if (!(v & (2u << i)))
                continue;
            if (!(v & 0x20))
                chan_latch(c, t);
            if (!(v & 0x10) && !c->status_latched) {
                c->status_latched = true;
                c->latched_status = chan_status(c, t);
            }
        }
        return;
    }
    struct pit_channel *c = &pit->ch[sc];
    int rw = (v >> 4) & 3;
    if (rw == 0) {
        chan_latch(c, t);
        return;
    }
    /* 8254 "Control Word Format": a new mode resets the control logic;
     * OUT goes low in mode 0 and high in every other mode; the counter
     * waits for a count.  Modes 6 and 7 are modes 2 and 3. */
    chan_hold(c, t);
    c->mode = (uint8_t)((v >> 1) & 7);
    if (c->mode > 5)
        c->mode -= 4;
    c->bcd = v & 1;
    c->access = (uint8_t)rw;
    c->held_out = c->mode != 0;
    c->have_count = false;
    c->null_count = true;
    c->done = false;
    c->write_msb_next = false;
    c->read_msb_next = false;
    c->count_latched = false;
    c->status_latched = false;
}

uint8_t pit_read(struct pit *pit, uint16_t port, uint64_t now_ns)
{
    uint64_t t = pit_ns_to_tick(now_ns);
    if (port == PIT_PORT_B) {
        /* PC/AT port B: D0 timer 2 gate, D1 speaker data, D2-D3 as written,
         * D4 refresh request toggle, D5 timer 2 OUT. */
        uint8_t v = pit->port_b & 0x0F;
        if ((now_ns / REFRESH_NS) & 1)
            v |= 0x10;
        if (chan_eval(&pit->ch[2], t).out)
            v |= 0x20;
        return v;
    }
    if (port >= PIT_BASE && port < PIT_BASE + 3)
        return chan_read(&pit->ch[port - PIT_BASE], t);
    return 0xFF; /* the control word register cannot be read */
}

void pit_write(struct pit *pit, uint16_t port, uint8_t value, uint64_t now_ns)
{
    uint64_t t = pit_ns_to_tick(now_ns);
    pit_advance(pit, now_ns);
    if (port == PIT_PORT_B) {
        pit->port_b = value & 0x0F;
        chan_set_gate(&pit->ch[2], value & 1, t);
    } else if (port == PIT_BASE + 3) {
        pit_control(pit, value, t);
    } else if (port >= PIT_BASE && port < PIT_BASE + 3) {
        chan_write(&pit->ch[port - PIT_BASE], value, t);
    }
    pit_sync_irq(pit, now_ns);
}

/* ------------------------------------------------------------------ bus */

static uint64_t pit_now(const struct pit *pit)
{
    return pit->clock ? clock_now_ns(pit->clock) : pit->last_ns;
}

static uint8_t pit_read8(void *opaque, uint16_t port)
{
    struct pit *pit = opaque;
    return pit_read(pit, port, pit_now(pit));
}

static void pit_write8(void *opaque, uint16_t port, uint8_t value)
{
    struct pit *pit = opaque;
    pit_write(pit, port, value, pit_now(pit));
}

static uint32_t pit_io_read(void *opaque, uint16_t port, int size)
{
    uint16_t first = port == PIT_PORT_B ? PIT_PORT_B : PIT_BASE;
    return bus_read_bytes(pit_read8, opaque, first, first == PIT_BASE ? 4 : 1, port, size);
}

static void pit_io_write(void *opaque, uint16_t port, uint32_t value, int size)
{
    uint16_t first = port == PIT_PORT_B ? PIT_PORT_B : PIT_BASE;
    bus_write_bytes(pit_write8, opaque, first, first == PIT_BASE ? 4 : 1, port, value, size);
}

bool pit_register(struct pit *pit, struct bus *bus)
{
    const struct io_handler timer = {PIT_BASE, 4, "pit", pit, pit_io_read, pit_io_write};
    const struct io_handler port_b = {PIT_PORT_B, 1, "port-b", pit, pit_io_read, pit_io_write};
    return bus_register(bus, &timer) && bus_register(bus, &port_b);
}
