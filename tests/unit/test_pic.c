/* Unit tests for the cascaded 8259A pair (src/devices/pic8259.c), driven
 * through the port bus the way a guest programs it. */
#include <check.h>
#include <stdlib.h>

#include "devices/bus.h"
#include "devices/pic8259.h"

static struct bus bus;
static struct pic_pair pic;

static void out8(uint16_t port, uint8_t v)
{
    bus_out(&bus, port, v, 1);
}

static uint8_t in8(uint16_t port)
{
    return (uint8_t)bus_in(&bus, port, 1);
}

/* The classic protected-mode remap: IRQ 0-7 -> 0x20, IRQ 8-15 -> 0x28. */
static void remap(uint8_t icw4)
{
    out8(0x20, 0x11);
    out8(0xA0, 0x11);
    out8(0x21, 0x20);
    out8(0xA1, 0x28);
    out8(0x21, 0x04);
    out8(0xA1, 0x02);
    out8(0x21, icw4);
    out8(0xA1, icw4);
    out8(0x21, 0x00);
    out8(0xA1, 0x00);
}

static void pulse(int irq)
{
    pic_set_irq(&pic, irq, 1);
    pic_set_irq(&pic, irq, 0);
}

static void setup(void)
{
    bus_init(&bus);
    pic_init(&pic);
    ck_assert(pic_register(&pic, &bus));
}

START_TEST(test_register_twice_fails)
{
    struct bus b;
    bus_init(&b);
    ck_assert(pic_register(&pic, &b));
    ck_assert(!pic_register(&pic, &b));
}
END_TEST

START_TEST(test_icw_remaps_vector_base)
{
    remap(0x01);
    pulse(0);
    ck_assert(pic_has_interrupt(&pic));
    ck_assert_int_eq(pic_acknowledge(&pic), 0x20);
    out8(0x20, 0x20);
    pulse(5);
    ck_assert_int_eq(pic_acknowledge(&pic), 0x25);
}
END_TEST

START_TEST(test_power_on_base_zero_nothing_masked)
{
    ck_assert_int_eq(in8(0x21), 0x00);
    pulse(1);
    ck_assert_int_eq(pic_acknowledge(&pic), 0x01);
}
END_TEST

START_TEST(test_bios_setup)
{
    pic_bios_setup(&pic);
    ck_assert_int_eq(in8(0x21), 0xB8);
    ck_assert_int_eq(in8(0xA1), 0x8E);
    pulse(0);
    ck_assert_int_eq(pic_acknowledge(&pic), 0x08); /* as QEMU delivers it */
    out8(0x20, 0x20);
    pulse(12);
    ck_assert_int_eq(pic_acknowledge(&pic), 0x74);
    out8(0xA0, 0x20);
    out8(0x20, 0x20);
    pulse(3); /* masked */
    ck_assert(!pic_has_interrupt(&pic));
}
END_TEST

START_TEST(test_masked_irq_not_delivered)
{
    remap(0x01);
    out8(0x21, 0x01);
    ck_assert_int_eq(in8(0x21), 0x01);
    pulse(0);
    ck_assert(!pic_has_interrupt(&pic));
    /* Still requested: unmasking delivers it. */
    out8(0x20, 0x0A); /* OCW3: read IRR */
    ck_assert_int_eq(in8(0x20) & 1, 1);
    out8(0x21, 0x00);
    ck_assert(pic_has_interrupt(&pic));
    ck_assert_int_eq(pic_acknowledge(&pic), 0x20);
}
END_TEST

START_TEST(test_priority_irq0_over_irq1)
{
    remap(0x01);
    pulse(1);
    pulse(0);
    ck_assert_int_eq(pic_acknowledge(&pic), 0x20);
    /* IRQ 0 in service blocks IRQ 1 until EOI. */
    ck_assert(!pic_has_interrupt(&pic));
    out8(0x20, 0x20);
    ck_assert(pic_has_interrupt(&pic));
    ck_assert_int_eq(pic_acknowledge(&pic), 0x21);
}
END_TEST

START_TEST(test_higher_priority_nests)
{
    remap(0x01);
    pulse(3);
    ck_assert_int_eq(pic_acknowledge(&pic), 0x23);
    pulse(4);
    ck_assert(!pic_has_interrupt(&pic)); /* lower than the one in service */
    pulse(1);
    ck_assert(pic_has_interrupt(&pic)); /* higher: nests */
    ck_assert_int_eq(pic_acknowledge(&pic), 0x21);
    out8(0x20, 0x0B); /* OCW3: read ISR */
    ck_assert_int_eq(in8(0x20), 0x0A);
    out8(0x20, 0x20); /* non-specific EOI clears the highest: IR1 */
    ck_assert_int_eq(in8(0x20), 0x08);
}
END_TEST

START_TEST(test_eoi_clears_isr)
{
    remap(0x01);
    pulse(6);
    pic_acknowledge(&pic);
    out8(0x20, 0x0B);
    ck_assert_int_eq(in8(0x20), 0x40);
    out8(0x20, 0x66); /* specific EOI for IR6 */
    ck_assert_int_eq(in8(0x20), 0x00);
    out8(0x20, 0x0A); /* back to IRR: the edge request was cleared by INTA */
    ck_assert_int_eq(in8(0x20), 0x00);
}
END_TEST

START_TEST(test_edge_needs_new_rising_edge)
{
    remap(0x01);
    pic_set_irq(&pic, 4, 1);
    ck_assert_int_eq(pic_acknowledge(&pic), 0x24);
    out8(0x20, 0x20);
    pic_set_irq(&pic, 4, 1); /* still high: no new edge */
    ck_assert(!pic_has_interrupt(&pic));
    pic_set_irq(&pic, 4, 0);
    pic_set_irq(&pic, 4, 1);
    ck_assert(pic_has_interrupt(&pic));
}
END_TEST

START_TEST(test_level_mode_follows_input)
{
    out8(0x20, 0x19); /* ICW1 with LTIM */
    out8(0x21, 0x20);
    out8(0x21, 0x04);
    out8(0x21, 0x01);
    out8(0x21, 0x00);
    pic_set_irq(&pic, 5, 1);
    ck_assert_int_eq(pic_acknowledge(&pic), 0x25);
    out8(0x20, 0x20);
    /* Still high: requests again without a new edge. */
    ck_assert(pic_has_interrupt(&pic));
    pic_set_irq(&pic, 5, 0);
    ck_assert(!pic_has_interrupt(&pic));
}
END_TEST

START_TEST(test_elcr_level_for_one_line)
{
    remap(0x01);
    out8(0x4D1, 0xFF);
    ck_assert_int_eq(in8(0x4D1), 0xDE); /* IRQ 8 and 13 stay edge */
    out8(0x4D0, 0xFF);
    ck_assert_int_eq(in8(0x4D0), 0xF8);
    pic_set_irq(&pic, 11, 1);
    ck_assert_int_eq(pic_acknowledge(&pic), 0x2B);
    out8(0xA0, 0x20);
    out8(0x20, 0x20);
    ck_assert(pic_has_interrupt(&pic));
    pic_set_irq(&pic, 11, 0);
    ck_assert(!pic_has_interrupt(&pic));
}
END_TEST

START_TEST(test_cascade_delivers_slave_vector)
{
    remap(0x01);
    pulse(12);
    ck_assert(pic_has_interrupt(&pic));
    ck_assert_int_eq(pic_acknowledge(&pic), 0x2C);
    out8(0x20, 0x0B);
    ck_assert_int_eq(in8(0x20), 0x04); /* master: IR2 in service */
    out8(0xA0, 0x0B);
    ck_assert_int_eq(in8(0xA0), 0x10); /* slave: IR4 in service */
    out8(0xA0, 0x20);
    out8(0x20, 0x20);
    ck_assert_int_eq(in8(0x20), 0x00);
    ck_assert_int_eq(in8(0xA0), 0x00);
}
END_TEST

START_TEST(test_cascade_second_slave_request_after_eoi)
{
    remap(0x01);
    pulse(9);
    pulse(14);
    ck_assert_int_eq(pic_acknowledge(&pic), 0x29);
    ck_assert(!pic_has_interrupt(&pic)); /* master IR2 in service */
    out8(0xA0, 0x20);
    out8(0x20, 0x20);
    ck_assert(pic_has_interrupt(&pic));
    ck_assert_int_eq(pic_acknowledge(&pic), 0x2E);
}
END_TEST

START_TEST(test_slave_priority_between_master_lines)
{
    remap(0x01);
    pulse(3);
    pulse(8); /* via IR2: above IR3 */
    ck_assert_int_eq(pic_acknowledge(&pic), 0x28);
    out8(0xA0, 0x20);
    out8(0x20, 0x20);
    ck_assert_int_eq(pic_acknowledge(&pic), 0x23);
}
END_TEST

START_TEST(test_spurious_irq7)
{
    remap(0x01);
    pulse(5);
    ck_assert(pic_has_interrupt(&pic));
    out8(0x21, 0x20); /* masked between INT and INTA */
    ck_assert_int_eq(pic_acknowledge(&pic), 0x27);
    out8(0x20, 0x0B);
    ck_assert_int_eq(in8(0x20), 0x00); /* no ISR bit for a spurious IR7 */
    ck_assert_uint_eq(pic.spurious, 1);
}
END_TEST

START_TEST(test_slave_request_withdrawn_before_inta)
{
    remap(0x01);
    pulse(10);
    ck_assert(pic_has_interrupt(&pic));
    out8(0xA1, 0x04); /* slave masks IR2 (IRQ 10) before INTA */
    /* The slave's INT falls, the master's IR2 request with it. */
    ck_assert(!pic_has_interrupt(&pic));
    ck_assert_int_eq(pic_acknowledge(&pic), 0x27);
    out8(0x20, 0x0B);
    ck_assert_int_eq(in8(0x20), 0x00);
    out8(0xA0, 0x0B);
    ck_assert_int_eq(in8(0xA0), 0x00);
    /* Unmasked again, the latched slave request is delivered. */
    out8(0xA1, 0x00);
    ck_assert_int_eq(pic_acknowledge(&pic), 0x2A);
}
END_TEST

START_TEST(test_auto_eoi)
{
    remap(0x03); /* ICW4: 8086 mode, AEOI */
    pulse(1);
    ck_assert_int_eq(pic_acknowledge(&pic), 0x21);
    out8(0x20, 0x0B);
    ck_assert_int_eq(in8(0x20), 0x00);
    pulse(6); /* IR6: lower priority, but nothing in service */
    ck_assert(pic_has_interrupt(&pic));
}
END_TEST

START_TEST(test_rotate_on_eoi)
{
    remap(0x01);
    pulse(0);
    ck_assert_int_eq(pic_acknowledge(&pic), 0x20);
    out8(0x20, 0xA0); /* rotate on non-specific EOI: IR0 becomes lowest */
    pulse(0);
    pulse(1);
    ck_assert_int_eq(pic_acknowledge(&pic), 0x21);
    out8(0x20, 0xC7); /* set priority: IR7 lowest again */
    out8(0x20, 0x20);
    ck_assert_int_eq(pic_acknowledge(&pic), 0x20);
}
END_TEST

START_TEST(test_special_mask_mode)
{
    remap(0x01);
    pulse(3);
    ck_assert_int_eq(pic_acknowledge(&pic), 0x23);
    pulse(5);
    ck_assert(!pic_has_interrupt(&pic));
    out8(0x21, 0x08); /* mask IR3 */
    out8(0x20, 0x68); /* OCW3: set special mask mode */
    ck_assert(pic_has_interrupt(&pic));
    ck_assert_int_eq(pic_acknowledge(&pic), 0x25);
}
END_TEST

START_TEST(test_poll_command)
{
    remap(0x01);
    out8(0x20, 0x0C); /* OCW3 poll */
    ck_assert_int_eq(in8(0x20), 0x00);
    pulse(4);
    out8(0x20, 0x0C);
    ck_assert_int_eq(in8(0x20), 0x84);
    out8(0x20, 0x0B);
    ck_assert_int_eq(in8(0x20), 0x10); /* poll acknowledged it */
}
END_TEST

START_TEST(test_irq_line_and_word_access)
{
    remap(0x01);
    struct irq_line line = pic_irq_line(&pic, 1);
    irq_set(&line, 1);
    ck_assert_int_eq(pic_acknowledge(&pic), 0x21);
    /* A word read of 0x20 reads IRR then IMR; of 0x21, IMR then nothing. */
    out8(0x21, 0x5A);
    ck_assert_uint_eq(bus_in(&bus, 0x20, 2), 0x5A00);
    ck_assert_uint_eq(bus_in(&bus, 0x21, 2), 0xFF5A);
}
END_TEST

START_TEST(test_icw1_clears_mask)
{
    remap(0x01);
    out8(0x21, 0xFF);
    out8(0x20, 0x11);
    ck_assert_int_eq(in8(0x21), 0x00);
}
END_TEST

static Suite *pic_suite(void)
{
    Suite *s = suite_create("pic8259");
    TCase *tc = tcase_create("core");
    tcase_add_checked_fixture(tc, setup, NULL);
    tcase_add_test(tc, test_register_twice_fails);
    tcase_add_test(tc, test_icw_remaps_vector_base);
    tcase_add_test(tc, test_power_on_base_zero_nothing_masked);
    tcase_add_test(tc, test_bios_setup);
    tcase_add_test(tc, test_masked_irq_not_delivered);
    tcase_add_test(tc, test_priority_irq0_over_irq1);
    tcase_add_test(tc, test_higher_priority_nests);
    tcase_add_test(tc, test_eoi_clears_isr);
    tcase_add_test(tc, test_edge_needs_new_rising_edge);
    tcase_add_test(tc, test_level_mode_follows_input);
    tcase_add_test(tc, test_elcr_level_for_one_line);
    tcase_add_test(tc, test_cascade_delivers_slave_vector);
    tcase_add_test(tc, test_cascade_second_slave_request_after_eoi);
    tcase_add_test(tc, test_slave_priority_between_master_lines);
    tcase_add_test(tc, test_spurious_irq7);
    tcase_add_test(tc, test_slave_request_withdrawn_before_inta);
    tcase_add_test(tc, test_auto_eoi);
    tcase_add_test(tc, test_rotate_on_eoi);
    tcase_add_test(tc, test_special_mask_mode);
    tcase_add_test(tc, test_poll_command);
    tcase_add_test(tc, test_irq_line_and_word_access);
    tcase_add_test(tc, test_icw1_clears_mask);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(pic_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
