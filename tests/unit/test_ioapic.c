/* Check suite for the I/O APIC (src/devices/ioapic.c): its registers
 * through IOREGSEL/IOWIN, edge and level pins, remote IRR and EOI, the
 * polarity bit, and delivery to two local APICs (src/devices/lapic.c) on
 * a bus, as the machine will wire them.  Rules: the Intel 82093AA
 * datasheet (sections as ioapic.c cites them). */
#include <check.h>
#include <stdlib.h>

#include "devices/ioapic.h"
#include "devices/apic_bus.h"
#include "devices/lapic.h"

static struct ioapic io;
static struct lapic cpu[2];
static struct lapic *apics[2];
static uint64_t now;
static int messages;

static void deliver(void *opaque, const struct apic_msg *msg, uint64_t now_ns)
{
    (void)opaque;
    messages++;
    apic_bus_deliver(apics, 2, msg, now_ns);
}

static void eoi_to_ioapic(void *opaque, uint8_t vector)
{
    ioapic_eoi(opaque, vector, now);
}

static uint64_t clock_now(void *opaque)
{
    (void)opaque;
    return now;
}

static void setup(void)
{
    now = 0;
    messages = 0;
    ioapic_init(&io, 0, deliver, NULL, clock_now, NULL);
    for (int i = 0; i < 2; i++) {
        lapic_init(&cpu[i], i, (uint8_t)i, i == 0);
        lapic_write(&cpu[i], LAPIC_SVR, APIC_SVR_ENABLE | 0xFF, now);
        cpu[i].eoi_broadcast = eoi_to_ioapic;
        cpu[i].eoi_opaque = &io;
        apics[i] = &cpu[i];
    }
}

static uint32_t reg_read(uint8_t reg)
{
    ioapic_write(&io, IOAPIC_IOREGSEL, reg, now);
    return ioapic_read(&io, IOAPIC_IOWIN);
}

static void reg_write(uint8_t reg, uint32_t v)
{
    ioapic_write(&io, IOAPIC_IOREGSEL, reg, now);
    ioapic_write(&io, IOAPIC_IOWIN, v, now);
}

/* xv6's ioapicenable(irq, cpu): vector 32 + irq, edge, high, to an APIC ID. */
static void route(int pin, uint32_t lo, uint8_t dest)
{
    reg_write((uint8_t)(IOAPIC_REG_REDIR + 2 * pin), lo);
    reg_write((uint8_t)(IOAPIC_REG_REDIR + 2 * pin + 1), (uint32_t)dest << 24);
}

static void pin(int p, bool level) { ioapic_set_pin(&io, p, level, now); }

static bool irr_has(int c, unsigned v)
{
    return (lapic_read(&cpu[c], LAPIC_IRR + (v / 32) * 16, now) >> (v % 32)) & 1;
}

START_TEST(test_registers_at_power_up)
{
    ck_assert_uint_eq(reg_read(IOAPIC_REG_ID), 0);
    /* Measured under QEMU 7.2: version 0x20, 24 entries. */
    ck_assert_uint_eq(reg_read(IOAPIC_REG_VER), 0x00170020);
    ck_assert_uint_eq((reg_read(IOAPIC_REG_VER) >> 16) & 0xFF, 23);
    for (int i = 0; i < IOAPIC_PINS; i++) {
        ck_assert_uint_eq(reg_read((uint8_t)(0x10 + 2 * i)), IOAPIC_MASKED);
        ck_assert_uint_eq(reg_read((uint8_t)(0x11 + 2 * i)), 0);
    }
    ck_assert_uint_eq(ioapic_read(&io, IOAPIC_IOREGSEL), 0x11 + 2 * 23);
    /* The ID is bits 24-27; version and arbitration are read-only. */
    reg_write(IOAPIC_REG_ID, 0xFF000000);
    ck_assert_uint_eq(reg_read(IOAPIC_REG_ID), 0x0F000000);
    reg_write(IOAPIC_REG_VER, 0);
    ck_assert_uint_eq(reg_read(IOAPIC_REG_VER), 0x00170020);
    ck_assert_uint_eq(reg_read(IOAPIC_REG_ARB), 0x0F000000);
}
END_TEST

START_TEST(test_xv6_routes_edge_irqs)
{
    /* ioapicinit: every entry masked, edge, vector 32 + n, CPU 0. */
    int maxintr = (int)((reg_read(IOAPIC_REG_VER) >> 16) & 0xFF);
    for (int i = 0; i <= maxintr; i++)
        route(i, IOAPIC_MASKED | (uint32_t)(32 + i), 0);
    pin(1, true);
    pin(1, false);
    ck_assert_int_eq(messages, 0);
    /* ioapicenable(IRQ_KBD, 0), (IRQ_COM1, 0), (IRQ_IDE, ncpu - 1). */
    route(1, 33, 0);
    route(4, 36, 0);
    route(14, 46, 1);
    /* The edge that came while masked is lost (82093AA 3.2.4). */
    ck_assert(!irr_has(0, 33));
    pin(1, true);
    ck_assert(irr_has(0, 33));
    ck_assert(!irr_has(1, 33));
    pin(1, true); /* no new edge */
    ck_assert_int_eq(messages, 1);
    pin(14, true);
    ck_assert(irr_has(1, 46) && !irr_has(0, 46));
    ck_assert_int_eq(lapic_acknowledge(&cpu[1]), 46);
    lapic_write(&cpu[1], LAPIC_EOI, 0, now);
    pin(14, false);
    pin(14, true);
    ck_assert(irr_has(1, 46));
    ck_assert_int_eq(messages, 3);
    /* Edge entries never show remote IRR. */
    ck_assert_uint_eq(reg_read(0x10 + 2 * 14) & IOAPIC_REMOTE_IRR, 0);
}
END_TEST

START_TEST(test_level_remote_irr_and_eoi)
{
    route(9, IOAPIC_TRIGGER_LEVEL | 0x59, 0);
    pin(9, true);
    ck_assert_int_eq(messages, 1);
    ck_assert(reg_read(0x10 + 2 * 9) & IOAPIC_REMOTE_IRR);
    /* Held high: no second message until the EOI. */
    pin(9, true);
    ck_assert_int_eq(messages, 1);
    ck_assert_int_eq(lapic_acknowledge(&cpu[0]), 0x59);
    /* Still asserted at the EOI: it fires again. */
    lapic_write(&cpu[0], LAPIC_EOI, 0, now);
    ck_assert_int_eq(messages, 2);
    ck_assert_int_eq(lapic_acknowledge(&cpu[0]), 0x59);
    /* Deasserted before the EOI: it does not. */
    pin(9, false);
    lapic_write(&cpu[0], LAPIC_EOI, 0, now);
    ck_assert_int_eq(messages, 2);
    ck_assert_uint_eq(reg_read(0x10 + 2 * 9) & IOAPIC_REMOTE_IRR, 0);
    /* Remote IRR is read-only. */
    reg_write(0x10 + 2 * 9, IOAPIC_REMOTE_IRR | IOAPIC_TRIGGER_LEVEL | 0x59);
    ck_assert_uint_eq(reg_read(0x10 + 2 * 9) & IOAPIC_REMOTE_IRR, 0);
    /* The version-0x20 EOI register does what an EOI broadcast does. */
    pin(9, true);
    ck_assert_int_eq(messages, 3);
    ioapic_write(&io, IOAPIC_EOI, 0x58, now); /* another vector: nothing */
    ck_assert(reg_read(0x10 + 2 * 9) & IOAPIC_REMOTE_IRR);
    ioapic_write(&io, IOAPIC_EOI, 0x59, now);
    ck_assert_int_eq(messages, 4);
}
END_TEST

START_TEST(test_level_unmask_fires)
{
    route(10, IOAPIC_MASKED | IOAPIC_TRIGGER_LEVEL | 0x5A, 1);
    pin(10, true);
    ck_assert_int_eq(messages, 0);
    route(10, IOAPIC_TRIGGER_LEVEL | 0x5A, 1);
    ck_assert_int_eq(messages, 1);
    ck_assert(irr_has(1, 0x5A));
    /* The level-triggered vector is marked in the TMR, and its EOI reaches
     * the I/O APIC through the local APIC's broadcast. */
    ck_assert_int_eq(lapic_acknowledge(&cpu[1]), 0x5A);
    pin(10, false);
    lapic_write(&cpu[1], LAPIC_EOI, 0, now);
    ck_assert_uint_eq(reg_read(0x10 + 2 * 10) & IOAPIC_REMOTE_IRR, 0);
}
END_TEST

START_TEST(test_polarity_low)
{
    route(5, IOAPIC_POLARITY_LOW | 0x45, 0);
    pin(5, true);
    ck_assert_int_eq(messages, 0);
    pin(5, false); /* asserted: active low */
    ck_assert_int_eq(messages, 1);
    ck_assert(irr_has(0, 0x45));
}
END_TEST

START_TEST(test_destinations_and_modes)
{
    lapic_write(&cpu[0], LAPIC_LDR, 0x01000000, now);
    lapic_write(&cpu[1], LAPIC_LDR, 0x02000000, now);
    route(3, APIC_DEST_LOGICAL | 0x63, 0x02);
    pin(3, true);
    ck_assert(irr_has(1, 0x63) && !irr_has(0, 0x63));
    route(4, 0x64, 0xFF); /* physical broadcast */
    pin(4, true);
    ck_assert(irr_has(0, 0x64) && irr_has(1, 0x64));
    route(6, APIC_LOWEST << APIC_MODE_SHIFT | APIC_DEST_LOGICAL | 0x66, 0x03);
    /* SDM 10.6.2.4: the lower arbitration priority wins (APR counts the
     * pending class 6 of APIC 1 too). */
    lapic_write(&cpu[0], LAPIC_TPR, 0x70, now);
    pin(6, true);
    ck_assert(irr_has(1, 0x66) && !irr_has(0, 0x66));
    /* ExtINT: the CPU takes its vector from the 8259 (pin 0 in the MP table). */
    route(0, APIC_EXTINT << APIC_MODE_SHIFT, 0);
    pin(0, true);
    ck_assert(lapic_take_extint(&cpu[0]));
    route(7, APIC_NMI << APIC_MODE_SHIFT, 1);
    pin(7, true);
    ck_assert(lapic_take_nmi(&cpu[1]));
    /* Reserved delivery modes send nothing. */
    int before = messages;
    route(8, 3u << APIC_MODE_SHIFT | 0x68, 0);
    pin(8, true);
    ck_assert_int_eq(messages, before);
}
END_TEST

START_TEST(test_irq_line_adapter)
{
    route(12, 0x6C, 0);
    now = 1234;
    struct irq_line line = {ioapic_irq_line, &io, 12};
    irq_set(&line, 1);
    ck_assert(irr_has(0, 0x6C));
}
END_TEST

START_TEST(test_hostile_accesses)
{
    /* Register indices past the table read 0 and take no writes. */
    reg_write(0x40, 0x12345678);
    ck_assert_uint_eq(reg_read(0x40), 0);
    ck_assert_uint_eq(reg_read(0xFF), 0);
    /* Only offsets 0x00, 0x10 and 0x40 mean anything. */
    ioapic_write(&io, 0x04, 0x11, now);
    ck_assert_uint_eq(ioapic_read(&io, 0x04), 0);
    ck_assert_uint_eq(ioapic_read(&io, IOAPIC_IOREGSEL), 0xFF);
    ioapic_write(&io, 0x20, 0x10, now);
    ioapic_write(&io, 0xFFC, 0x10, now);
    /* Pins outside 0-23 are ignored. */
    pin(-1, true);
    pin(24, true);
    pin(31, true);
    ck_assert_int_eq(messages, 0);
    /* Delivery status is read-only and reads idle. */
    reg_write(0x10, 0xFFFFFFFF);
    ck_assert_uint_eq(reg_read(0x10) & (IOAPIC_DELIVERY_PENDING | IOAPIC_REMOTE_IRR), 0);
    /* A random walk keeps every entry's read-only bits coherent. */
    uint32_t x = 99;
    for (int step = 0; step < 100000; step++) {
        x = x * 1103515245u + 12345u;
        uint32_t r = x >> 4;
        switch (r % 4) {
        case 0: ioapic_write(&io, IOAPIC_IOREGSEL, (r >> 4) & 0x3F, now); break;
        case 1: ioapic_write(&io, IOAPIC_IOWIN, r * 2654435761u, now); break;
        case 2: pin((int)((r >> 4) % 26), (r >> 9) & 1); break;
        default:
            for (int c = 0; c < 2; c++)
                if (lapic_pending_vector(&cpu[c]) >= 0) {
                    lapic_acknowledge(&cpu[c]);
                    lapic_write(&cpu[c], LAPIC_EOI, 0, now);
                }
            break;
        }
        for (int i = 0; i < IOAPIC_PINS; i++) {
            uint64_t e = io.redir[i];
            bool ok = !(e & IOAPIC_DELIVERY_PENDING) && !(e & 0x00FFFFFFFFFE0000ull) &&
                      ((e & IOAPIC_TRIGGER_LEVEL) || !(e & IOAPIC_REMOTE_IRR));
            if (!ok)
                ck_abort_msg("step %d: entry %d reads %#llx", step, i, (unsigned long long)e);
        }
    }
}
END_TEST

static Suite *ioapic_suite(void)
{
    Suite *s = suite_create("ioapic");
    TCase *tc = tcase_create("ioapic");
    tcase_add_checked_fixture(tc, setup, NULL);
    tcase_add_test(tc, test_registers_at_power_up);
    tcase_add_test(tc, test_xv6_routes_edge_irqs);
    tcase_add_test(tc, test_level_remote_irr_and_eoi);
    tcase_add_test(tc, test_level_unmask_fires);
    tcase_add_test(tc, test_polarity_low);
    tcase_add_test(tc, test_destinations_and_modes);
    tcase_add_test(tc, test_irq_line_adapter);
    tcase_add_test(tc, test_hostile_accesses);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(ioapic_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
