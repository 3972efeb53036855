/* Unit tests for the port bus and the small PC devices: CMOS/RTC, 8042
 * keyboard controller, VGA text screen and the debug ports.  Every device
 * is driven through a bus as a guest would drive it. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "devices/bus.h"
#include "devices/cmos.h"
#include "devices/debug_ports.h"
#include "devices/ps2.h"
#include "devices/vga_text.h"

static struct bus bus;

static void out8(uint16_t port, uint8_t v)
{
    bus_out(&bus, port, v, 1);
}

static uint8_t in8(uint16_t port)
{
    return (uint8_t)bus_in(&bus, port, 1);
}

/* ================================================================= bus */

static int unimp_calls;
static uint16_t unimp_port;
static bool unimp_write;
static uint32_t unimp_value;
static int unimp_size;

static void record_unimp(void *opaque, uint16_t port, bool is_write, uint32_t value, int size)
{
    (void)opaque;
    unimp_calls++;
    unimp_port = port;
    unimp_write = is_write;
    unimp_value = value;
    unimp_size = size;
}

static uint16_t seen_port;
static int seen_size;
static uint32_t seen_value;

static uint32_t probe_read(void *opaque, uint16_t port, int size)
{
    (void)opaque;
    seen_port = port;
    seen_size = size;
    return 0x12345678;
}

static void probe_write(void *opaque, uint16_t port, uint32_t value, int size)
{
    (void)opaque;
    seen_port = port;
    seen_size = size;
    seen_value = value;
}

static void bus_setup(void)
{
    bus_init(&bus);
    bus.unimp = record_unimp;
    unimp_calls = 0;
    seen_port = 0;
    seen_size = 0;
}

START_TEST(test_bus_unclaimed_all_ones)
{
    ck_assert_uint_eq(bus_in(&bus, 0x300, 1), 0xFF);
    ck_assert_uint_eq(bus_in(&bus, 0x300, 2), 0xFFFF);
    ck_assert_uint_eq(bus_in(&bus, 0x300, 4), 0xFFFFFFFFu);
    bus_out(&bus, 0x300, 0x55, 1); /* ignored */
    ck_assert_uint_eq(bus_in(&bus, 0x300, 1), 0xFF);
}
END_TEST

START_TEST(test_bus_unimp_reported_once)
{
    in8(0x300);
    ck_assert_int_eq(unimp_calls, 1);
    ck_assert_uint_eq(unimp_port, 0x300);
    ck_assert(!unimp_write);
    ck_assert_uint_eq(unimp_value, 0xFF);
    ck_assert_int_eq(unimp_size, 1);
    in8(0x300);
    out8(0x300, 1);
    ck_assert_int_eq(unimp_calls, 1);
    out8(0x301, 0x42);
    ck_assert_int_eq(unimp_calls, 2);
    ck_assert_uint_eq(unimp_port, 0x301);
    ck_assert(unimp_write);
    ck_assert_uint_eq(unimp_value, 0x42);
    /* A dword read of unclaimed ports: one report per new port. */
    bus_in(&bus, 0x300, 4);
    ck_assert_int_eq(unimp_calls, 4);
    /* Port 0xFFFF, the last one, works too. */
    in8(0xFFFF);
    ck_assert_int_eq(unimp_calls, 5);
    ck_assert_uint_eq(unimp_port, 0xFFFF);
}
END_TEST

START_TEST(test_bus_wide_access_goes_to_first_port_handler)
{
    const struct io_handler h = {0x200, 4, "probe", NULL, probe_read, probe_write};
    ck_assert(bus_register(&bus, &h));
    ck_assert_uint_eq(bus_in(&bus, 0x202, 2), 0x5678);
    ck_assert_uint_eq(seen_port, 0x202);
    ck_assert_int_eq(seen_size, 2);
    bus_out(&bus, 0x201, 0xAABBCCDD, 4);
    ck_assert_uint_eq(seen_port, 0x201);
    ck_assert_int_eq(seen_size, 4);
    ck_assert_uint_eq(seen_value, 0xAABBCCDD);
    bus_out(&bus, 0x200, 0x1FF, 1); /* the value is cut to the size */
    ck_assert_uint_eq(seen_value, 0xFF);
    ck_assert_int_eq(unimp_calls, 0);
}
END_TEST

START_TEST(test_bus_unclaimed_first_port_splits)
{
    const struct io_handler h = {0x201, 1, "probe", NULL, probe_read, probe_write};
    ck_assert(bus_register(&bus, &h));
    ck_assert_uint_eq(bus_in(&bus, 0x200, 2), 0x78FF);
    ck_assert_uint_eq(seen_port, 0x201);
    ck_assert_int_eq(seen_size, 1);
    bus_out(&bus, 0x200, 0xABCD, 2);
    ck_assert_uint_eq(seen_value, 0xAB);
}
END_TEST

START_TEST(test_bus_null_callbacks)
{
    const struct io_handler h = {0x280, 2, "mute", NULL, NULL, NULL};
    ck_assert(bus_register(&bus, &h));
    ck_assert_uint_eq(bus_in(&bus, 0x280, 2), 0xFFFF);
    bus_out(&bus, 0x281, 1, 1);
    ck_assert_int_eq(unimp_calls, 0); /* claimed: not reported */
}
END_TEST

START_TEST(test_bus_register_rules)
{
    const struct io_handler a = {0x100, 8, "a", NULL, probe_read, probe_write};
    const struct io_handler overlap = {0x107, 2, "b", NULL, probe_read, probe_write};
    const struct io_handler empty = {0x400, 0, "c", NULL, probe_read, probe_write};
    const struct io_handler past_end = {0xFFFF, 2, "d", NULL, probe_read, probe_write};
    const struct io_handler last = {0xFFFF, 1, "e", NULL, probe_read, probe_write};
    ck_assert(bus_register(&bus, &a));
    ck_assert(!bus_register(&bus, &overlap));
    ck_assert(!bus_register(&bus, &empty));
    ck_assert(!bus_register(&bus, &past_end));
    ck_assert(bus_register(&bus, &last));
    ck_assert(!bus_register(&bus, NULL));
    int n = bus.nhandlers;
    for (int i = n; i < BUS_MAX_HANDLERS; i++) {
        struct io_handler h = {(uint16_t)(0x1000 + i), 1, "f", NULL, NULL, NULL};
        ck_assert(bus_register(&bus, &h));
    }
    struct io_handler full = {0x2000, 1, "g", NULL, NULL, NULL};
    ck_assert(!bus_register(&bus, &full));
}
END_TEST

/* ================================================================ cmos */

static struct cmos cmos;
/* Guest time for the device: its instruction count, the virtual clock's
 * nanoseconds. */
static struct clock clk;

static uint8_t cmos_get(uint8_t index)
{
    out8(0x70, index);
    return in8(0x71);
}

static void cmos_put(uint8_t index, uint8_t v)
{
    out8(0x70, index);
    out8(0x71, v);
}

#define EPOCH_LEAP 1709251198 /* 2024-02-29 23:59:58 UTC, a Thursday */

static void cmos_setup(void)
{
    bus_init(&bus);
    clk.icount = 0;
    cmos_init(&cmos, 32u << 20, EPOCH_LEAP, &clk);
    ck_assert(cmos_register(&cmos, &bus));
}

START_TEST(test_cmos_bcd_time)
{
    ck_assert_uint_eq(cmos_get(CMOS_SECONDS), 0x58);
    ck_assert_uint_eq(cmos_get(CMOS_MINUTES), 0x59);
    ck_assert_uint_eq(cmos_get(CMOS_HOURS), 0x23);
    ck_assert_uint_eq(cmos_get(CMOS_WEEKDAY), 5); /* 1 = Sunday */
    ck_assert_uint_eq(cmos_get(CMOS_DAY), 0x29);
    ck_assert_uint_eq(cmos_get(CMOS_MONTH), 0x02);
    ck_assert_uint_eq(cmos_get(CMOS_YEAR), 0x24);
    ck_assert_uint_eq(cmos_get(CMOS_CENTURY), 0x20);
    ck_assert_uint_eq(cmos_get(CMOS_REG_B), 0x02);
    ck_assert_uint_eq(cmos_get(CMOS_REG_D), 0x80);
}
END_TEST

START_TEST(test_cmos_time_follows_virtual_clock)
{
    clk.icount = 2500000000ull; /* 2.5 s: past midnight into March 1st */
    ck_assert_uint_eq(cmos_get(CMOS_SECONDS), 0x00);
    ck_assert_uint_eq(cmos_get(CMOS_HOURS), 0x00);
    ck_assert_uint_eq(cmos_get(CMOS_DAY), 0x01);
    ck_assert_uint_eq(cmos_get(CMOS_MONTH), 0x03);
    ck_assert_uint_eq(cmos_get(CMOS_WEEKDAY), 6);
}
END_TEST

START_TEST(test_cmos_binary_and_12h)
{
    cmos_put(CMOS_REG_B, CMOS_B_DM | CMOS_B_24H);
    ck_assert_uint_eq(cmos_get(CMOS_SECONDS), 58);
    ck_assert_uint_eq(cmos_get(CMOS_HOURS), 23);
    ck_assert_uint_eq(cmos_get(CMOS_DAY), 29);
    ck_assert_uint_eq(cmos_get(CMOS_YEAR), 24);
    ck_assert_uint_eq(cmos_get(CMOS_CENTURY), 20);
    cmos_put(CMOS_REG_B, CMOS_B_DM); /* 12-hour, binary: 11 PM */
    ck_assert_uint_eq(cmos_get(CMOS_HOURS), 0x80 | 11);
    cmos_put(CMOS_REG_B, 0); /* 12-hour, BCD */
    ck_assert_uint_eq(cmos_get(CMOS_HOURS), 0x91);
    clk.icount = 2000000000ull; /* midnight is 12 AM */
    ck_assert_uint_eq(cmos_get(CMOS_HOURS), 0x12);
}
END_TEST

START_TEST(test_cmos_set_time)
{
    cmos_put(CMOS_REG_B, CMOS_B_SET | CMOS_B_24H);
    cmos_put(CMOS_HOURS, 0x05);
    cmos_put(CMOS_MINUTES, 0x30);
    cmos_put(CMOS_SECONDS, 0x00);
    cmos_put(CMOS_YEAR, 0x99);
    cmos_put(CMOS_CENTURY, 0x19);
    clk.icount = 10000000000ull; /* frozen while SET */
    ck_assert_uint_eq(cmos_get(CMOS_SECONDS), 0x00);
    cmos_put(CMOS_REG_B, CMOS_B_24H);
    clk.icount += 3000000000ull;
    ck_assert_uint_eq(cmos_get(CMOS_HOURS), 0x05);
    ck_assert_uint_eq(cmos_get(CMOS_MINUTES), 0x30);
    ck_assert_uint_eq(cmos_get(CMOS_SECONDS), 0x03);
    ck_assert_uint_eq(cmos_get(CMOS_YEAR), 0x99);
    ck_assert_uint_eq(cmos_get(CMOS_CENTURY), 0x19);
    /* Without SET a write takes effect at once, too. */
    cmos_put(CMOS_MINUTES, 0x45);
    ck_assert_uint_eq(cmos_get(CMOS_MINUTES), 0x45);
    ck_assert_uint_eq(cmos_get(CMOS_HOURS), 0x05);
}
END_TEST

START_TEST(test_cmos_uip)
{
    clk.icount = 500000000ull;
    ck_assert_uint_eq(cmos_get(CMOS_REG_A), 0x26);
    clk.icount = 999000000ull; /* 1 ms before the update completes */
    ck_assert_uint_eq(cmos_get(CMOS_REG_A), 0xA6);
    cmos_put(CMOS_REG_A, 0xA6); /* UIP cannot be written */
    clk.icount = 1000000000ull;
    ck_assert_uint_eq(cmos_get(CMOS_REG_A), 0x26);
}
END_TEST

START_TEST(test_cmos_memory_bytes)
{
    ck_assert_uint_eq(cmos_get(0x15), 0x80); /* 640 KiB */
    ck_assert_uint_eq(cmos_get(0x16), 0x02);
    ck_assert_uint_eq(cmos_get(0x17), 0x00); /* 31744 KiB above 1 MiB */
    ck_assert_uint_eq(cmos_get(0x18), 0x7C);
    ck_assert_uint_eq(cmos_get(0x30), 0x00);
    ck_assert_uint_eq(cmos_get(0x31), 0x7C);
    ck_assert_uint_eq(cmos_get(0x34), 0x00); /* 256 x 64 KiB above 16 MiB */
    ck_assert_uint_eq(cmos_get(0x35), 0x01);
    /* 128 MiB: the KiB count is capped at 0xFFFF. */
    struct cmos big;
    cmos_init(&big, 128u << 20, 0, NULL);
    ck_assert_uint_eq(big.ram[0x17] | big.ram[0x18] << 8, 0xFFFF);
    ck_assert_uint_eq(big.ram[0x30] | big.ram[0x31] << 8, 0xFFFF);
    ck_assert_uint_eq(big.ram[0x34] | big.ram[0x35] << 8, 1792);
    /* 1 MiB: nothing above it. */
    struct cmos small;
    cmos_init(&small, 1u << 20, 0, NULL);
    ck_assert_uint_eq(small.ram[0x17] | small.ram[0x18] << 8, 0);
    ck_assert_uint_eq(small.ram[0x34] | small.ram[0x35] << 8, 0);
}
END_TEST

START_TEST(test_cmos_index_nmi_and_ram)
{
    out8(0x70, 0x80 | 0x40);
    ck_assert(cmos.nmi_disabled);
    out8(0x71, 0xA5);
    out8(0x70, 0x40);
    ck_assert(!cmos.nmi_disabled);
    ck_assert_uint_eq(in8(0x71), 0xA5);
    ck_assert_uint_eq(in8(0x71), 0xA5); /* the index stays */
    ck_assert_uint_eq(cmos_get(CMOS_REG_C), 0x00);
    cmos_put(CMOS_REG_D, 0x00); /* read-only */
    ck_assert_uint_eq(cmos_get(CMOS_REG_D), 0x80);
}
END_TEST

/* A reset keeps the battery-backed bytes (the shutdown code among them)
 * and the clock, and clears register B's interrupt enables. */
START_TEST(test_cmos_reset_keeps_bytes)
{
    cmos_put(0x0F, 0x0A);
    cmos_put(0x40, 0x5A);
    cmos_put(CMOS_REG_B, CMOS_B_24H | 0x70);
    int64_t before = cmos_time(&cmos, 0);
    cmos_reset(&cmos);
    ck_assert_uint_eq(cmos_get(0x0F), 0x0A);
    ck_assert_uint_eq(cmos_get(0x40), 0x5A);
    ck_assert_uint_eq(cmos_get(CMOS_REG_B), CMOS_B_24H);
    ck_assert_int_eq(cmos_time(&cmos, 0), before);
}
END_TEST

START_TEST(test_cmos_epoch_1999)
{
    cmos_init(&cmos, 32u << 20, 946643400, &clk); /* 1999-12-31 12:30 Fri */
    ck_assert_uint_eq(cmos_get(CMOS_YEAR), 0x99);
    ck_assert_uint_eq(cmos_get(CMOS_CENTURY), 0x19);
    ck_assert_uint_eq(cmos_get(CMOS_WEEKDAY), 6);
    ck_assert_uint_eq(cmos_get(CMOS_HOURS), 0x12);
    ck_assert_uint_eq(cmos_get(CMOS_MINUTES), 0x30);
    clk.icount = 41400ull * 1000000000ull; /* 11.5 hours later: 2000-01-01 */
    ck_assert_uint_eq(cmos_get(CMOS_YEAR), 0x00);
    ck_assert_uint_eq(cmos_get(CMOS_CENTURY), 0x20);
    ck_assert_uint_eq(cmos_get(CMOS_MONTH), 0x01);
    ck_assert_uint_eq(cmos_get(CMOS_DAY), 0x01);
}
END_TEST

/* ================================================================= ps2 */

static struct ps2 ps2;
static int resets;
static int kbd_irq_level, kbd_irq_rises;

static void fake_reset(void *opaque)
{
    (void)opaque;
    resets++;
}

static void fake_irq1(void *opaque, int irq, int level)
{
    (void)opaque;
    ck_assert_int_eq(irq, 1);
    if (level && !kbd_irq_level)
        kbd_irq_rises++;
    kbd_irq_level = level;
}

static void ps2_setup(void)
{
    struct irq_line line = {.set = fake_irq1, .opaque = NULL, .irq = 1};
    bus_init(&bus);
    resets = 0;
    kbd_irq_level = 0;
    kbd_irq_rises = 0;
    ps2_init(&ps2, line, fake_reset, NULL);
    ck_assert(ps2_register(&ps2, &bus));
}

/* Reads one byte the way a driver does: wait for OBF, read port 0x60. */
static int kbd_byte(void)
{
    if (!(in8(0x64) & PS2_STAT_OBF))
        return -1;
    return in8(0x60);
}

START_TEST(test_ps2_self_test)
{
    ck_assert_uint_eq(in8(0x64), 0x1C); /* as SeaBIOS leaves it under QEMU */
    out8(0x64, 0xAA);
    ck_assert_uint_eq(in8(0x64) & (PS2_STAT_OBF | PS2_STAT_SYS | PS2_STAT_CMD), 0x0D);
    ck_assert_int_eq(kbd_irq_level, 1);
    ck_assert_int_eq(in8(0x60), 0x55);
    ck_assert_int_eq(kbd_irq_level, 0);
    ck_assert_int_eq(kbd_byte(), -1);
    out8(0x64, 0xAB);
    ck_assert_int_eq(kbd_byte(), 0x00);
}
END_TEST

START_TEST(test_ps2_command_byte)
{
    out8(0x64, 0x20);
    ck_assert_int_eq(kbd_byte(), 0x61);
    out8(0x64, 0x60);
    ck_assert_uint_eq(in8(0x64) & PS2_STAT_CMD, PS2_STAT_CMD);
    out8(0x60, 0x44); /* interrupts off, no translation, bit 5 clear */
    ck_assert_uint_eq(in8(0x64) & PS2_STAT_SYS, PS2_STAT_SYS); /* unaffected */
    ck_assert_uint_eq(in8(0x64) & PS2_STAT_CMD, 0);
    out8(0x64, 0x20);
    ck_assert_int_eq(kbd_irq_level, 0); /* IRQ 1 disabled */
    ck_assert_int_eq(kbd_byte(), 0x64); /* no second port: bit 5 stays set */
}
END_TEST

START_TEST(test_ps2_no_second_port)
{
    out8(0x64, 0xA8);
    out8(0x64, 0x20);
    ck_assert_int_eq(kbd_byte() & PS2_CB_AUX_DISABLE, PS2_CB_AUX_DISABLE);
    out8(0x64, 0xA9);
    ck_assert_int_eq(kbd_byte(), 0x02);
    out8(0x64, 0xD4); /* a byte for the mouse: nobody answers */
    out8(0x60, 0xFF);
    ck_assert_int_eq(kbd_byte(), -1);
}
END_TEST

START_TEST(test_ps2_reset_line)
{
    out8(0x64, 0xFE);
    ck_assert_int_eq(resets, 1);
    out8(0x64, 0xFF); /* pulses nothing */
    ck_assert_int_eq(resets, 1);
    out8(0x64, 0xD1);
    out8(0x60, 0xFD); /* A20 off, reset high */
    ck_assert_int_eq(resets, 1);
    ck_assert(!ps2_a20(&ps2));
    out8(0x64, 0xD0);
    ck_assert_int_eq(kbd_byte() & 0x03, 0x01);
    out8(0x64, 0xD1);
    out8(0x60, 0xFE); /* reset line low */
    ck_assert_int_eq(resets, 2);
}
END_TEST

START_TEST(test_ps2_keyboard_reset_and_identify)
{
    out8(0x60, 0xFF);
    ck_assert_int_eq(kbd_byte(), 0xFA);
    ck_assert_int_eq(kbd_byte(), 0xAA);
    out8(0x60, 0xF2);
    ck_assert_int_eq(kbd_byte(), 0xFA);
    ck_assert_int_eq(kbd_byte(), 0xAB);
    ck_assert_int_eq(kbd_byte(), 0x41); /* translated */
    out8(0x64, 0x60);
    out8(0x60, 0x25); /* translation off */
    out8(0x60, 0xF2);
    ck_assert_int_eq(kbd_byte(), 0xFA);
    ck_assert_int_eq(kbd_byte(), 0xAB);
    ck_assert_int_eq(kbd_byte(), 0x83);
    ck_assert_int_eq(kbd_byte(), -1);
}
END_TEST

START_TEST(test_ps2_keyboard_parameters)
{
    out8(0x60, 0xED);
    out8(0x60, 0x07);
    ck_assert_int_eq(kbd_byte(), 0xFA);
    ck_assert_int_eq(kbd_byte(), 0xFA);
    ck_assert_uint_eq(ps2.kbd_leds, 7);
    out8(0x60, 0xF0);
    out8(0x60, 0x00);
    ck_assert_int_eq(kbd_byte(), 0xFA);
    ck_assert_int_eq(kbd_byte(), 0xFA);
    ck_assert_int_eq(kbd_byte(), 0x02); /* set 2 */
    out8(0x60, 0xF0);
    out8(0x60, 0x01);
    ck_assert_int_eq(kbd_byte(), 0xFA);
    ck_assert_int_eq(kbd_byte(), 0xFA);
    ck_assert_uint_eq(ps2.kbd_set, 1);
    out8(0x60, 0xEE);
    ck_assert_int_eq(kbd_byte(), 0xEE);
    out8(0x60, 0x12); /* not a command */
    ck_assert_int_eq(kbd_byte(), 0xFE);
}
END_TEST

START_TEST(test_ps2_scanning_enable)
{
    out8(0x60, 0xF5);
    ck_assert_int_eq(kbd_byte(), 0xFA);
    ps2_key_scancode(&ps2, 0x1E);
    ck_assert_int_eq(kbd_byte(), -1);
    ck_assert_uint_eq(ps2.kbd_dropped, 1);
    out8(0x60, 0xF4);
    ck_assert_int_eq(kbd_byte(), 0xFA);
    ps2_key_scancode(&ps2, 0x1E);
    ck_assert_int_eq(kbd_byte(), 0x1E);
}
END_TEST

START_TEST(test_ps2_disable_holds_bytes)
{
    out8(0x64, 0xAD);
    ps2_key_scancode(&ps2, 0x10);
    ck_assert_int_eq(kbd_byte(), -1);
    out8(0x64, 0xAE);
    ck_assert_int_eq(kbd_irq_level, 1);
    ck_assert_int_eq(kbd_byte(), 0x10);
}
END_TEST

START_TEST(test_ps2_irq_edge_per_byte)
{
    ps2_key_scancode(&ps2, 0x1E);
    ps2_key_scancode(&ps2, 0x9E);
    ck_assert_int_eq(kbd_irq_rises, 1);
    ck_assert_int_eq(in8(0x60), 0x1E);
    ck_assert_int_eq(kbd_irq_rises, 2); /* fell, rose for the next byte */
    ck_assert_int_eq(in8(0x60), 0x9E);
    ck_assert_int_eq(kbd_irq_level, 0);
}
END_TEST

START_TEST(test_ps2_key_ascii)
{
    static const struct {
        char c;
        uint8_t codes[4];
        int n;
    } cases[] = {
        {'a', {0x1E, 0x9E}, 2},
        {'A', {0x2A, 0x1E, 0x9E, 0xAA}, 4},
        {'1', {0x02, 0x82}, 2},
        {'!', {0x2A, 0x02, 0x82, 0xAA}, 4},
        {' ', {0x39, 0xB9}, 2},
        {'\n', {0x1C, 0x9C}, 2},
        {'\r', {0x1C, 0x9C}, 2},
        {'\b', {0x0E, 0x8E}, 2},
        {'/', {0x35, 0xB5}, 2},
        {'?', {0x2A, 0x35, 0xB5, 0xAA}, 4},
        {'"', {0x2A, 0x28, 0xA8, 0xAA}, 4},
        {'\\', {0x2B, 0xAB}, 2},
        {'~', {0x2A, 0x29, 0xA9, 0xAA}, 4},
        {'m', {0x32, 0xB2}, 2},
        {3, {0x1D, 0x2E, 0xAE, 0x9D}, 4}, /* Ctrl-C */
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        ck_assert(ps2_key_ascii(&ps2, cases[i].c));
        for (int k = 0; k < cases[i].n; k++)
            ck_assert_int_eq(kbd_byte(), cases[i].codes[k]);
        ck_assert_int_eq(kbd_byte(), -1);
    }
    ck_assert(!ps2_key_ascii(&ps2, 0x7F));
    ck_assert(!ps2_key_ascii(&ps2, (char)0xE9));
    ck_assert_int_eq(ps2_key_space(&ps2), PS2_KBD_QUEUE);
}
END_TEST

START_TEST(test_ps2_write_output_buffer)
{
    out8(0x64, 0xD2);
    out8(0x60, 0x5A);
    ck_assert_int_eq(kbd_irq_level, 1);
    ck_assert_int_eq(kbd_byte(), 0x5A);
}
END_TEST

/* ================================================================= vga */

static struct vga_text vga;
static uint8_t vram[VGA_TEXT_BUFFER_SIZE];

static void vga_setup(void)
{
    bus_init(&bus);
    memset(vram, 0, sizeof(vram));
    vga_text_init(&vga, vram);
    ck_assert(vga_text_register(&vga, &bus));
}

static void vga_put(int row, int col, const char *s)
{
    for (size_t i = 0; s[i]; i++) {
        vram[(row * 80 + col + i) * 2] = (uint8_t)s[i];
        vram[(row * 80 + col + i) * 2 + 1] = 0x07;
    }
}

static char *vga_dump_string(void)
{
    static char buf[4096];
    FILE *f = fmemopen(buf, sizeof(buf), "w");
    ck_assert_ptr_nonnull(f);
    ck_assert(vga_text_dump(&vga, f));
    long n = ftell(f);
    fclose(f);
    buf[n] = '\0';
    return buf;
}

START_TEST(test_vga_dump)
{
    ck_assert_str_eq(vga_dump_string(), ""); /* empty screen: nothing */
    for (int i = 0; i < 80 * 25; i++) {
        vram[i * 2] = ' ';
        vram[i * 2 + 1] = 0x1F;
    }
    vga_put(0, 0, "Hello");
    vga_put(2, 5, "World   ");
    vga_put(3, 79, "!");
    ck_assert_str_eq(vga_dump_string(),
                     "Hello\n\n     World\n"
                     "                                                                               !\n");
}
END_TEST

START_TEST(test_vga_cp437)
{
    vram[0] = 0xC9; /* a box: ╔═╗ / ║ █ */
    vram[2] = 0xCD;
    vram[4] = 0xBB;
    vram[160] = 0xBA;
    vram[162] = 0xDB;
    vram[164] = 0x01; /* smiley */
    vram[166] = 0x82; /* é */
    ck_assert_str_eq(vga_dump_string(), "+=+\n|#.e\n");
    ck_assert_int_eq(vga_text_ascii(0x80), 'C');
    ck_assert_int_eq(vga_text_ascii(0xB3), '|');
    ck_assert_int_eq(vga_text_ascii(0xC4), '-');
    ck_assert_int_eq(vga_text_ascii(0xDA), '+');
    ck_assert_int_eq(vga_text_ascii(0xE1), 'B');
    ck_assert_int_eq(vga_text_ascii(0xF8), 'o');
    ck_assert_int_eq(vga_text_ascii(0xFE), '#');
    ck_assert_int_eq(vga_text_ascii(0xFF), ' ');
    ck_assert_int_eq(vga_text_ascii(0x1A), '>');
    ck_assert_int_eq(vga_text_ascii(0x7F), '.');
    ck_assert_int_eq(vga_text_ascii('~'), '~');
}
END_TEST

START_TEST(test_vga_cursor)
{
    out8(0x3D4, 0x0E);
    out8(0x3D5, 0x01);
    out8(0x3D4, 0x0F);
    out8(0x3D5, 0x23);
    ck_assert_uint_eq(vga_text_cursor(&vga), 0x0123);
    ck_assert_uint_eq(in8(0x3D5), 0x23);
    bus_out(&bus, 0x3D4, 0x450F, 2); /* index and data in one word write */
    ck_assert_uint_eq(vga_text_cursor(&vga), 0x0145);
    ck_assert(vga_text_cursor_visible(&vga));
    bus_out(&bus, 0x3D4, 0x200A, 2); /* cursor start: bit 5 hides it */
    ck_assert(!vga_text_cursor_visible(&vga));
}
END_TEST

START_TEST(test_vga_start_address)
{
    vga_put(0, 0, "first");
    vga_put(1, 0, "second");
    bus_out(&bus, 0x3D4, 0x000C, 2);
    bus_out(&bus, 0x3D4, 0x500D, 2); /* start at cell 80 */
    ck_assert_uint_eq(vga_text_start(&vga), 80);
    ck_assert_str_eq(vga_dump_string(), "second\n");
}
END_TEST

START_TEST(test_vga_screen_cells)
{
    vga_put(0, 0, "top");
    vga_put(1, 0, "next");
    vram[(1 * 80 + 1) * 2 + 1] = 0x1f; /* white on blue */
    bus_out(&bus, 0x3D4, 0x000C, 2);
    bus_out(&bus, 0x3D4, 0x500D, 2); /* start at cell 80: row 1 is on top */
    bus_out(&bus, 0x3D4, 0x000E, 2);
    bus_out(&bus, 0x3D4, 0x530F, 2); /* cursor at cell 83: row 0, column 3 on screen */
    struct vga_screen sc;
    vga_text_screen(&vga, &sc);
    ck_assert_uint_eq(sc.cell[0][0], 0x0700 | 'n');
    ck_assert_uint_eq(sc.cell[0][1], 0x1f00 | 'e');
    ck_assert_uint_eq(sc.cell[0][3], 0x0700 | 't');
    ck_assert_int_eq(sc.cursor_row, 0);
    ck_assert_int_eq(sc.cursor_col, 3);
    /* The last row wraps to the start of the 32 KiB window. */
    vram[0] = 'W';
    bus_out(&bus, 0x3D4, 0x3F0C, 2);
    bus_out(&bus, 0x3D4, 0x300D, 2); /* start at 0x3F30 = 16384 - 208 cells */
    vga_text_screen(&vga, &sc);
    ck_assert_uint_eq(sc.cell[2][48] & 0xff, 'W');
    ck_assert_int_eq(sc.cursor_row, -1); /* the cursor is no longer on the screen */
    bus_out(&bus, 0x3D4, 0x200A, 2);
    bus_out(&bus, 0x3D4, 0x000C, 2);
    bus_out(&bus, 0x3D4, 0x000D, 2);
    vga_text_screen(&vga, &sc);
    ck_assert_int_eq(sc.cursor_row, -1); /* hidden */
}
END_TEST

START_TEST(test_vga_status_and_registers)
{
    uint8_t a = in8(0x3DA), b = in8(0x3DA);
    ck_assert_uint_eq((a ^ b) & 0x08, 0x08); /* vertical retrace toggles */
    ck_assert_uint_eq(in8(0x3CC), 0x67);
    /* Attribute controller: index, data; 0x3DA resets the flip-flop. */
    out8(0x3C0, 0x10);
    out8(0x3C0, 0x0C);
    ck_assert_uint_eq(vga.attr[0x10], 0x0C);
    out8(0x3C0, 0x11);
    in8(0x3DA);
    out8(0x3C0, 0x12);
    out8(0x3C0, 0x0F);
    ck_assert_uint_eq(vga.attr[0x12], 0x0F);
    out8(0x3C0, 0x12);
    ck_assert_uint_eq(in8(0x3C1), 0x0F);
    out8(0x3C4, 0x02);
    ck_assert_uint_eq(in8(0x3C5), 0x03);
    out8(0x3CE, 0x06);
    ck_assert_uint_eq(in8(0x3CF), 0x0E);
    /* DAC: write a colour, read it back. */
    out8(0x3C8, 5);
    out8(0x3C9, 0x3F);
    out8(0x3C9, 0x20);
    out8(0x3C9, 0x01);
    out8(0x3C7, 5);
    ck_assert_uint_eq(in8(0x3C9), 0x3F);
    ck_assert_uint_eq(in8(0x3C9), 0x20);
    ck_assert_uint_eq(in8(0x3C9), 0x01);
    /* CRTC 0x11 bit 7 protects registers 0-7. */
    bus_out(&bus, 0x3D4, 0x8E11, 2);
    bus_out(&bus, 0x3D4, 0x0001, 2);
    ck_assert_uint_eq(vga.crtc[1], 0x4F);
}
END_TEST

/* ========================================================= debug ports */

static struct debug_ports dp;
static char con[64];
static int ncon;
static int exit_status;
static int exits, poweroffs;

static void sink_byte(void *opaque, uint8_t b)
{
    (void)opaque;
    if (ncon < (int)sizeof(con) - 1)
        con[ncon++] = (char)b;
}

static void sink_exit(void *opaque, int status)
{
    (void)opaque;
    exits++;
    exit_status = status;
}

static void sink_poweroff(void *opaque)
{
    (void)opaque;
    poweroffs++;
}

static void dp_setup_with(void (*tweak)(struct debug_ports_config *))
{
    struct debug_ports_config cfg;
    debug_ports_default_config(&cfg);
    cfg.byte_out = sink_byte;
    cfg.exit = sink_exit;
    cfg.poweroff = sink_poweroff;
    if (tweak)
        tweak(&cfg);
    bus_init(&bus);
    memset(con, 0, sizeof(con));
    ncon = 0;
    exits = 0;
    poweroffs = 0;
    exit_status = 0;
    debug_ports_init(&dp, &cfg);
    ck_assert(debug_ports_register(&dp, &bus));
}

static void dp_setup(void)
{
    dp_setup_with(NULL);
}

START_TEST(test_debugcon)
{
    const char *s = "ok\n";
    for (size_t i = 0; s[i]; i++)
        out8(0xE9, (uint8_t)s[i]);
    ck_assert_str_eq(con, "ok\n");
    ck_assert_uint_eq(in8(0xE9), 0xE9);
}
END_TEST

START_TEST(test_debug_exit_status)
{
    out8(0xF4, 0x10);
    ck_assert_int_eq(exits, 1);
    ck_assert_int_eq(exit_status, 0x21);
    out8(0xF4, 0x00);
    ck_assert_int_eq(exit_status, 1);
    bus_out(&bus, 0xF4, 0x10, 4); /* dword: the value as written */
    ck_assert_int_eq(exit_status, 0x21);
    bus_out(&bus, 0xF4, 0x1234, 2);
    ck_assert_int_eq(exit_status, 0x2469);
    out8(0xF7, 0x02); /* any port of the range */
    ck_assert_int_eq(exit_status, 5);
    ck_assert_uint_eq(in8(0xF4), 0);
    ck_assert_int_eq(exits, 5);
}
END_TEST

static void tweak_exit_501(struct debug_ports_config *cfg)
{
    cfg->debug_exit_iobase = 0x501;
    cfg->debug_exit_iosize = 2;
    cfg->debugcon = false;
    cfg->poweroff = NULL;
}

START_TEST(test_debug_exit_configured)
{
    dp_setup_with(tweak_exit_501);
    out8(0xF4, 1);
    ck_assert_int_eq(exits, 0);
    bus_out(&bus, 0x501, 3, 2);
    ck_assert_int_eq(exit_status, 7);
    out8(0xE9, 'x'); /* debug console off: nobody listens */
    ck_assert_int_eq(ncon, 0);
    bus_out(&bus, 0x604, 0x2000, 2);
    ck_assert_int_eq(poweroffs, 0);
}
END_TEST

START_TEST(test_poweroff_ports)
{
    bus_out(&bus, 0x604, 0x0000, 2);
    ck_assert_int_eq(poweroffs, 0);
    bus_out(&bus, 0x604, 0x2400, 2); /* SLP_TYP 1: a sleep state, not off */
    ck_assert_int_eq(poweroffs, 0);
    bus_out(&bus, 0x604, 0x2000, 2);
    ck_assert_int_eq(poweroffs, 1);
    ck_assert_uint_eq(bus_in(&bus, 0x604, 2) & 0x2000, 0); /* SLP_EN reads 0 */
    bus_out(&bus, 0xB004, 0x2000, 2);
    ck_assert_int_eq(poweroffs, 2);
    out8(0x605, 0x20); /* the high byte alone */
    ck_assert_int_eq(poweroffs, 3);
    ck_assert_int_eq(exits, 0);
}
END_TEST

START_TEST(test_debug_ports_zero_config)
{
    /* Designated initialisers leave the rest zero: debug-exit at its
     * defaults, no console, no power-off ports. */
    struct debug_ports_config cfg = {.debug_exit = true, .exit = sink_exit};
    bus_init(&bus);
    debug_ports_init(&dp, &cfg);
    ck_assert(debug_ports_register(&dp, &bus));
    bus_out(&bus, 0xF7, 3, 1);
    ck_assert_int_eq(exit_status, 7);
    ck_assert_uint_eq(in8(0xE9), 0xFF);
    bus_out(&bus, 0x604, 0x2000, 2);
    ck_assert_int_eq(poweroffs, 0);
    ck_assert_int_eq(bus.nhandlers, 1);
}
END_TEST

START_TEST(test_debug_ports_conflict)
{
    /* Registering twice on the same bus fails: the ports are taken. */
    ck_assert(!debug_ports_register(&dp, &bus));
}
END_TEST

/* ================================================================ main */

static Suite *devices_suite(void)
{
    Suite *s = suite_create("devices");
    TCase *tc;

    tc = tcase_create("bus");
    tcase_add_checked_fixture(tc, bus_setup, NULL);
    tcase_add_test(tc, test_bus_unclaimed_all_ones);
    tcase_add_test(tc, test_bus_unimp_reported_once);
    tcase_add_test(tc, test_bus_wide_access_goes_to_first_port_handler);
    tcase_add_test(tc, test_bus_unclaimed_first_port_splits);
    tcase_add_test(tc, test_bus_null_callbacks);
    tcase_add_test(tc, test_bus_register_rules);
    suite_add_tcase(s, tc);

    tc = tcase_create("cmos");
    tcase_add_checked_fixture(tc, cmos_setup, NULL);
    tcase_add_test(tc, test_cmos_bcd_time);
    tcase_add_test(tc, test_cmos_time_follows_virtual_clock);
    tcase_add_test(tc, test_cmos_binary_and_12h);
    tcase_add_test(tc, test_cmos_set_time);
    tcase_add_test(tc, test_cmos_uip);
    tcase_add_test(tc, test_cmos_memory_bytes);
    tcase_add_test(tc, test_cmos_index_nmi_and_ram);
    tcase_add_test(tc, test_cmos_reset_keeps_bytes);
    tcase_add_test(tc, test_cmos_epoch_1999);
    suite_add_tcase(s, tc);

    tc = tcase_create("ps2");
    tcase_add_checked_fixture(tc, ps2_setup, NULL);
    tcase_add_test(tc, test_ps2_self_test);
    tcase_add_test(tc, test_ps2_command_byte);
    tcase_add_test(tc, test_ps2_no_second_port);
    tcase_add_test(tc, test_ps2_reset_line);
    tcase_add_test(tc, test_ps2_keyboard_reset_and_identify);
    tcase_add_test(tc, test_ps2_keyboard_parameters);
    tcase_add_test(tc, test_ps2_scanning_enable);
    tcase_add_test(tc, test_ps2_disable_holds_bytes);
    tcase_add_test(tc, test_ps2_irq_edge_per_byte);
    tcase_add_test(tc, test_ps2_key_ascii);
    tcase_add_test(tc, test_ps2_write_output_buffer);
    suite_add_tcase(s, tc);

    tc = tcase_create("vga_text");
    tcase_add_checked_fixture(tc, vga_setup, NULL);
    tcase_add_test(tc, test_vga_dump);
    tcase_add_test(tc, test_vga_cp437);
    tcase_add_test(tc, test_vga_cursor);
    tcase_add_test(tc, test_vga_start_address);
    tcase_add_test(tc, test_vga_screen_cells);
    tcase_add_test(tc, test_vga_status_and_registers);
    suite_add_tcase(s, tc);

    tc = tcase_create("debug_ports");
    tcase_add_checked_fixture(tc, dp_setup, NULL);
    tcase_add_test(tc, test_debugcon);
    tcase_add_test(tc, test_debug_exit_status);
    tcase_add_test(tc, test_debug_exit_configured);
    tcase_add_test(tc, test_poweroff_ports);
    tcase_add_test(tc, test_debug_ports_zero_config);
    tcase_add_test(tc, test_debug_ports_conflict);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(devices_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
