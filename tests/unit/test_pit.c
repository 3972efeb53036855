/* Unit tests for the 8254 timer and port B (src/devices/pit8254.c), with a
 * fake virtual clock and a fake IRQ 0 that records edges. */
#include <check.h>
#include <stdlib.h>

#include "devices/bus.h"
#include "devices/pit8254.h"

static struct bus bus;
static struct pit pit;
/* Guest time for the PIT: the virtual clock's instruction count is its
 * nanoseconds. */
static struct clock clk;
static int irq_level;
static int irq_rises;

static void fake_irq(void *opaque, int irq, int level)
{
    (void)opaque;
    ck_assert_int_eq(irq, 0);
    if (level && !irq_level)
        irq_rises++;
    irq_level = level;
}

static void out8(uint16_t port, uint8_t v)
{
    bus_out(&bus, port, v, 1);
}

static uint8_t in8(uint16_t port)
{
    return (uint8_t)bus_in(&bus, port, 1);
}

static uint64_t ticks_ns(uint64_t ticks)
{
    return pit_tick_to_ns(ticks);
}

static void setup(void)
{
    struct irq_line line = {.set = fake_irq, .opaque = NULL, .irq = 0};
    clk.icount = 0;
    irq_level = 0;
    irq_rises = 0;
    bus_init(&bus);
    pit_init(&pit, line, &clk);
    ck_assert(pit_register(&pit, &bus));
}

/* Channel 0, access LSB/MSB, the given mode, count n, written at clk.icount. */
static void program0(int mode, uint16_t n)
{
    out8(0x43, (uint8_t)(0x30 | mode << 1));
    out8(0x40, (uint8_t)n);
    out8(0x40, (uint8_t)(n >> 8));
}

START_TEST(test_tick_conversion)
{
    ck_assert_uint_eq(pit_ns_to_tick(1000000000ull), PIT_HZ);
    ck_assert_uint_eq(pit_ns_to_tick(838), 0);
    ck_assert_uint_eq(pit_ns_to_tick(839), 1);
    for (uint64_t t = 0; t < 5000000; t += 997)
        ck_assert_uint_eq(pit_ns_to_tick(pit_tick_to_ns(t)), t);
    ck_assert_uint_eq(pit_ns_to_tick(pit_tick_to_ns(7) - 1), 6);
    /* Ten hours in: no overflow in the conversion. */
    ck_assert_uint_eq(pit_ns_to_tick(36000ull * 1000000000ull), 36000ull * PIT_HZ);
}
END_TEST

START_TEST(test_power_on_18hz)
{
    pit_advance(&pit, 0);
    ck_assert_int_eq(irq_level, 1); /* mode 3, first half high */
    uint64_t t = pit_next_event_ns(&pit, 0);
    ck_assert_uint_eq(t, ticks_ns(65536)); /* 54.9 ms: 18.2 Hz */
    ck_assert_uint_gt(t, 54900000);
    ck_assert_uint_lt(t, 54950000);
}
END_TEST

START_TEST(test_bios_setup)
{
    pit_bios_setup(&pit, 0);
    out8(0x43, 0xE2);
    /* mode 2, LSB/MSB, binary (QEMU showed 0x34 later on); OUT high and
     * null count: the count is loaded on the next clock */
    ck_assert_uint_eq(in8(0x40), 0x34 | 0x40 | 0x80);
    pit_advance(&pit, 0);
    ck_assert_uint_eq(pit_next_event_ns(&pit, 0), ticks_ns(1 + 65536));
}
END_TEST

START_TEST(test_mode2_100hz)
{
    clk.icount = 1000;
    program0(2, 11932);
    pit_advance(&pit, clk.icount);
    int rises = irq_rises;
    uint64_t prev = pit_next_event_ns(&pit, clk.icount);
    /* Loaded on the clock after the write, rises when the count wraps. */
    ck_assert_uint_eq(prev, ticks_ns(pit_ns_to_tick(1000) + 1 + 11932));
    for (int i = 0; i < 100; i++) {
        clk.icount = pit_next_event_ns(&pit, clk.icount);
        pit_advance(&pit, clk.icount);
        ck_assert_int_eq(irq_rises, rises + i + 1);
        uint64_t next = pit_next_event_ns(&pit, clk.icount);
        if (i > 0) {
            /* 11932 / 1193182 Hz = 10.000151 ms, +-1 ns of rounding */
            ck_assert_uint_ge(next - prev, 10000150);
            ck_assert_uint_le(next - prev, 10000152);
        }
        prev = next;
    }
    ck_assert_uint_eq(pit.irq0_edges_merged, 0);
}
END_TEST

START_TEST(test_mode2_late_call_one_edge)
{
    program0(2, 11932);
    pit_advance(&pit, 0);
    int rises = irq_rises;
    clk.icount = 55000000; /* 5.5 periods late */
    pit_advance(&pit, clk.icount);
    ck_assert_int_eq(irq_rises, rises + 1);
    ck_assert_uint_eq(pit.irq0_edges_merged, 4);
    /* The next one comes at the next period boundary, not in a burst. */
    uint64_t next = pit_next_event_ns(&pit, clk.icount);
    ck_assert_uint_gt(next, 60000000);
    ck_assert_uint_eq(next, ticks_ns(1 + 6 * 11932));
    pit_advance(&pit, clk.icount + 1000);
    ck_assert_int_eq(irq_rises, rises + 1);
}
END_TEST

START_TEST(test_mode2_counter_values)
{
    program0(2, 1000);
    uint64_t start = 1; /* written at tick 0, loaded on tick 1 */
    clk.icount = ticks_ns(start + 10);
    ck_assert_uint_eq(pit_count(&pit, 0, clk.icount), 990);
    clk.icount = ticks_ns(start + 999);
    ck_assert_uint_eq(pit_count(&pit, 0, clk.icount), 1);
    ck_assert(!pit_out(&pit, 0, clk.icount)); /* low for the clock at count 1 */
    clk.icount = ticks_ns(start + 1000);
    ck_assert_uint_eq(pit_count(&pit, 0, clk.icount), 1000);
    ck_assert(pit_out(&pit, 0, clk.icount));
    /* From one clock before a period ends, the next edge is that end. */
    pit_advance(&pit, ticks_ns(start + 1999));
    ck_assert_uint_eq(pit_next_event_ns(&pit, ticks_ns(start + 1999)), ticks_ns(start + 2000));
}
END_TEST

START_TEST(test_latch_is_stable)
{
    program0(2, 50000);
    clk.icount = ticks_ns(1 + 1234);
    out8(0x43, 0x00); /* counter latch, channel 0 */
    clk.icount += 5000000;
    out8(0x43, 0x00); /* ignored: the first latch is not read yet */
    uint16_t v = in8(0x40);
    v |= (uint16_t)(in8(0x40) << 8);
    ck_assert_uint_eq(v, 50000 - 1234);
    /* After the latch is read, reads are live again. */
    uint16_t live = in8(0x40);
    live |= (uint16_t)(in8(0x40) << 8);
    ck_assert_uint_eq(live, pit_count(&pit, 0, clk.icount));
    ck_assert_uint_ne(live, v);
}
END_TEST

START_TEST(test_access_modes)
{
    /* LSB only: the MSB is zero. */
    out8(0x43, 0x14);
    out8(0x40, 0x80);
    ck_assert_uint_eq(pit.ch[0].reload, 0x80);
    clk.icount = ticks_ns(1 + 0x10);
    ck_assert_uint_eq(in8(0x40), 0x70);
    /* MSB only: the LSB is zero. */
    out8(0x43, 0x24);
    out8(0x40, 0x12);
    ck_assert_uint_eq(pit.ch[0].reload, 0x1200);
    /* LSB then MSB for writes, and for reads of a latched value. */
    out8(0x43, 0x34);
    out8(0x40, 0x34);
    ck_assert(pit.ch[0].write_msb_next);
    out8(0x40, 0x12);
    ck_assert_uint_eq(pit.ch[0].reload, 0x1234);
    clk.icount = ticks_ns(1 + 0x10 + 1); /* the clock that loads the counter */
    out8(0x43, 0x00);
    ck_assert_uint_eq(in8(0x40), 0x34);
    ck_assert_uint_eq(in8(0x40), 0x12);
}
END_TEST

START_TEST(test_count_zero_is_65536)
{
    program0(2, 0);
    ck_assert_uint_eq(pit.ch[0].reload, 65536);
    pit_advance(&pit, 0);
    ck_assert_uint_eq(pit_next_event_ns(&pit, 0), ticks_ns(1 + 65536));
}
END_TEST

START_TEST(test_mode0_one_shot)
{
    pit_advance(&pit, 0);
    out8(0x43, 0x30);
    ck_assert_int_eq(irq_level, 0); /* mode 0: OUT low at the control word */
    out8(0x40, 100);
    out8(0x40, 0);
    int rises = irq_rises;
    uint64_t t = pit_next_event_ns(&pit, clk.icount);
    ck_assert_uint_eq(t, ticks_ns(1 + 100)); /* N+1 clocks after the write */
    pit_advance(&pit, t - 1);
    ck_assert_int_eq(irq_rises, rises);
    pit_advance(&pit, t);
    ck_assert_int_eq(irq_rises, rises + 1);
    ck_assert_int_eq(irq_level, 1);
    ck_assert_uint_eq(pit_next_event_ns(&pit, t), UINT64_MAX);
    /* The counter keeps counting down through zero; OUT stays high. */
    ck_assert_uint_eq(pit_count(&pit, 0, ticks_ns(1 + 101)), 65535);
    pit_advance(&pit, ticks_ns(200000));
    ck_assert_int_eq(irq_rises, rises + 1);
}
END_TEST

START_TEST(test_mode0_first_byte_stops)
{
    program0(0, 1000);
    clk.icount = ticks_ns(1 + 100);
    out8(0x40, 0x10); /* first byte of a new count */
    clk.icount = ticks_ns(1 + 5000);
    ck_assert(!pit_out(&pit, 0, clk.icount));
    ck_assert_uint_eq(pit_count(&pit, 0, clk.icount), 900);
}
END_TEST

START_TEST(test_mode3_square_wave)
{
    program0(3, 100);
    uint64_t s = 1;
    ck_assert(pit_out(&pit, 0, ticks_ns(s)));
    ck_assert_uint_eq(pit_count(&pit, 0, ticks_ns(s)), 100);
    ck_assert_uint_eq(pit_count(&pit, 0, ticks_ns(s + 10)), 80); /* by 2 */
    ck_assert(pit_out(&pit, 0, ticks_ns(s + 49)));
    ck_assert(!pit_out(&pit, 0, ticks_ns(s + 50)));
    ck_assert(!pit_out(&pit, 0, ticks_ns(s + 99)));
    ck_assert(pit_out(&pit, 0, ticks_ns(s + 100)));
    pit_advance(&pit, 0);
    ck_assert_uint_eq(pit_next_event_ns(&pit, 0), ticks_ns(s + 100));
    /* Odd count: high one clock longer than low. */
    program0(3, 5);
    s = pit_ns_to_tick(clk.icount) + 1;
    ck_assert(pit_out(&pit, 0, ticks_ns(s + 2)));
    ck_assert(!pit_out(&pit, 0, ticks_ns(s + 3)));
}
END_TEST

START_TEST(test_mode4_strobe)
{
    pit_advance(&pit, 0);
    program0(4, 10);
    ck_assert(pit_out(&pit, 0, ticks_ns(1 + 9)));
    ck_assert(!pit_out(&pit, 0, ticks_ns(1 + 10)));
    ck_assert(pit_out(&pit, 0, ticks_ns(1 + 11)));
    int rises = irq_rises;
    pit_advance(&pit, ticks_ns(1 + 10));
    ck_assert_int_eq(irq_level, 0);
    pit_advance(&pit, ticks_ns(1 + 11));
    ck_assert_int_eq(irq_rises, rises + 1);
    ck_assert_uint_eq(pit_next_event_ns(&pit, ticks_ns(12)), UINT64_MAX);
}
END_TEST

START_TEST(test_read_back_status)
{
    program0(2, 500);
    out8(0x43, 0xE2); /* read-back: status only, counter 0 */
    /* OUT high, null count (not loaded until the next clock), LSB/MSB,
     * mode 2, binary */
    ck_assert_uint_eq(in8(0x40), 0xC0 | 0x30 | 2 << 1);
    clk.icount = ticks_ns(1 + 20);
    out8(0x43, 0xC2); /* status and count */
    ck_assert_uint_eq(in8(0x40), 0x80 | 0x30 | 2 << 1);
    ck_assert_uint_eq(in8(0x40), 480 & 0xFF);
    ck_assert_uint_eq(in8(0x40), 480 >> 8);
}
END_TEST

START_TEST(test_bcd)
{
    out8(0x43, 0x35); /* mode 2, BCD */
    out8(0x40, 0x00);
    out8(0x40, 0x10); /* 1000 decimal */
    ck_assert_uint_eq(pit.ch[0].reload, 1000);
    clk.icount = ticks_ns(1 + 1);
    out8(0x43, 0x00);
    ck_assert_uint_eq(in8(0x40), 0x99);
    ck_assert_uint_eq(in8(0x40), 0x09); /* 999 in BCD */
}
END_TEST

START_TEST(test_port_b_gate_and_out2)
{
    /* Channel 2 gate low at power-on. */
    ck_assert_uint_eq(in8(0x61) & 0x01, 0);
    out8(0x43, 0xB0); /* channel 2, LSB/MSB, mode 0 */
    out8(0x42, 100);
    out8(0x42, 0);
    clk.icount = ticks_ns(1000);
    ck_assert_uint_eq(in8(0x61) & 0x20, 0); /* gate low: not counting */
    out8(0x61, 0x01);                       /* gate high */
    uint64_t g = pit_ns_to_tick(clk.icount);
    clk.icount = ticks_ns(g + 100);
    ck_assert_uint_eq(in8(0x61) & 0x20, 0);
    clk.icount = ticks_ns(g + 101);
    ck_assert_uint_eq(in8(0x61) & 0x21, 0x21);
    /* Speaker and parity bits read back; bits 6-7 stay clear. */
    out8(0x61, 0xFF);
    ck_assert_uint_eq(in8(0x61) & 0xCF, 0x0F);
}
END_TEST

START_TEST(test_port_b_gate_pause)
{
    out8(0x61, 0x01);
    out8(0x43, 0xB0);
    out8(0x42, 100);
    out8(0x42, 0);
    clk.icount = ticks_ns(1 + 40);
    out8(0x61, 0x00); /* pause at 60 left */
    clk.icount = ticks_ns(10000);
    ck_assert_uint_eq(pit_count(&pit, 2, clk.icount), 60);
    out8(0x61, 0x01);
    uint64_t g = pit_ns_to_tick(clk.icount);
    ck_assert(!pit_out(&pit, 2, ticks_ns(g + 60)));
    ck_assert(pit_out(&pit, 2, ticks_ns(g + 61)));
}
END_TEST

START_TEST(test_refresh_toggle)
{
    clk.icount = 1000;
    uint8_t a = in8(0x61) & 0x10;
    clk.icount += 15085;
    uint8_t b = in8(0x61) & 0x10;
    ck_assert_uint_ne(a, b);
}
END_TEST

START_TEST(test_mode1_gate_trigger)
{
    out8(0x43, 0xB2); /* channel 2, mode 1 */
    out8(0x42, 50);
    out8(0x42, 0);
    clk.icount = ticks_ns(500);
    ck_assert(pit_out(&pit, 2, clk.icount)); /* waiting for the trigger */
    out8(0x61, 0x01);
    uint64_t g = pit_ns_to_tick(clk.icount);
    ck_assert(!pit_out(&pit, 2, ticks_ns(g + 1)));
    ck_assert(!pit_out(&pit, 2, ticks_ns(g + 50)));
    ck_assert(pit_out(&pit, 2, ticks_ns(g + 51)));
}
END_TEST

static Suite *pit_suite(void)
{
    Suite *s = suite_create("pit8254");
    TCase *tc = tcase_create("core");
    tcase_add_checked_fixture(tc, setup, NULL);
    tcase_add_test(tc, test_tick_conversion);
    tcase_add_test(tc, test_power_on_18hz);
    tcase_add_test(tc, test_bios_setup);
    tcase_add_test(tc, test_mode2_100hz);
    tcase_add_test(tc, test_mode2_late_call_one_edge);
    tcase_add_test(tc, test_mode2_counter_values);
    tcase_add_test(tc, test_latch_is_stable);
    tcase_add_test(tc, test_access_modes);
    tcase_add_test(tc, test_count_zero_is_65536);
    tcase_add_test(tc, test_mode0_one_shot);
    tcase_add_test(tc, test_mode0_first_byte_stops);
    tcase_add_test(tc, test_mode3_square_wave);
    tcase_add_test(tc, test_mode4_strobe);
    tcase_add_test(tc, test_read_back_status);
    tcase_add_test(tc, test_bcd);
    tcase_add_test(tc, test_port_b_gate_and_out2);
    tcase_add_test(tc, test_port_b_gate_pause);
    tcase_add_test(tc, test_refresh_toggle);
    tcase_add_test(tc, test_mode1_gate_trigger);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(pit_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
