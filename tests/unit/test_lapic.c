/* Check suite for the local APIC (src/devices/lapic.c): registers, the
 * timer against virtual time, priorities, EOI, errors, IPIs between four
 * APICs on a bus, IA32_APIC_BASE, and hostile register sequences.  The
 * rules are those of SDM Vol. 3A chapter 10, cited by section. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "devices/apic_bus.h"
#include "devices/lapic.h"

#define NCPU 4
static struct lapic cpu[NCPU];
static struct lapic *bus_apics[NCPU];
static uint64_t now;
static int eoi_count;
static uint8_t eoi_vector;

static void bus_send(void *opaque, const struct apic_msg *msg, uint64_t now_ns)
{
    (void)opaque;
    apic_bus_deliver(bus_apics, NCPU, msg, now_ns);
}

static void record_eoi(void *opaque, uint8_t vector)
{
    (void)opaque;
    eoi_count++;
    eoi_vector = vector;
}

static void setup(void)
{
    now = 0;
    eoi_count = 0;
    for (int i = 0; i < NCPU; i++) {
        lapic_init(&cpu[i], i, (uint8_t)i, i == 0);
        cpu[i].send = bus_send;
        cpu[i].eoi_broadcast = record_eoi;
        bus_apics[i] = &cpu[i];
    }
}

static uint32_t rd(int c, uint32_t reg) { return lapic_read(&cpu[c], reg, now); }
static void wr(int c, uint32_t reg, uint32_t v) { lapic_write(&cpu[c], reg, v, now); }

/* Software-enables APIC c with spurious vector 0xFF. */
static void enable(int c) { wr(c, LAPIC_SVR, APIC_SVR_ENABLE | 0xFF); }

static void fixed_to(int c, uint8_t vector)
{
    struct apic_msg m = {.vector = vector, .mode = APIC_FIXED, .dest = (uint8_t)c, .source = -1};
    ck_assert_int_eq(apic_bus_deliver(bus_apics, NCPU, &m, now), 1);
}

static bool bit_of(int c, uint32_t reg, unsigned v)
{
    return (rd(c, reg + (v / 32) * 16) >> (v % 32)) & 1;
}

static bool irr_has(int c, unsigned v) { return bit_of(c, LAPIC_IRR, v); }
static bool isr_has(int c, unsigned v) { return bit_of(c, LAPIC_ISR, v); }

/* ============================================================ power-up */

START_TEST(test_power_up_state)
{
    /* SDM 10.4.7.1, and QEMU's version register. */
    ck_assert_uint_eq(rd(0, LAPIC_ID), 0);
    ck_assert_uint_eq(rd(2, LAPIC_ID), 2u << 24);
    ck_assert_uint_eq(rd(0, LAPIC_VER), 0x00050014);
    ck_assert_uint_eq(rd(0, LAPIC_SVR), 0xFF);
    ck_assert_uint_eq(rd(0, LAPIC_DFR), 0xFFFFFFFF);
    ck_assert_uint_eq(rd(0, LAPIC_TPR), 0);
    ck_assert_uint_eq(rd(1, LAPIC_LVT_TIMER), APIC_LVT_MASKED);
    ck_assert_uint_eq(rd(1, LAPIC_LVT_LINT0), APIC_LVT_MASKED);
    ck_assert_uint_eq(rd(1, LAPIC_LVT_ERROR), APIC_LVT_MASKED);
    /* The BSP's LINT0 comes up ExtINT, unmasked (QEMU's reset). */
    ck_assert_uint_eq(rd(0, LAPIC_LVT_LINT0), 0x700);
    ck_assert(lapic_pic_passthrough(&cpu[0]));
    ck_assert(!lapic_pic_passthrough(&cpu[1]));
    /* IA32_APIC_BASE as QEMU shows it (measured): 0xFEE00900 on the BSP. */
    ck_assert_uint_eq(lapic_read_base(&cpu[0]), 0xFEE00900);
    ck_assert_uint_eq(lapic_read_base(&cpu[1]), 0xFEE00800);
    ck_assert(!cpu[0].wait_for_sipi);
    ck_assert(cpu[1].wait_for_sipi);
}
END_TEST

START_TEST(test_bios_setup)
{
    lapic_bios_setup(&cpu[0]);
    /* Measured under QEMU 7.2 after SeaBIOS. */
    ck_assert_uint_eq(rd(0, LAPIC_SVR), 0x1FF);
    ck_assert_uint_eq(rd(0, LAPIC_LVT_LINT0), 0x8700);
    ck_assert_uint_eq(rd(0, LAPIC_LVT_LINT1), 0x8400);
    ck_assert(lapic_pic_passthrough(&cpu[0]));
    lapic_set_lint(&cpu[0], 1, true, now);
    ck_assert(lapic_take_nmi(&cpu[0]));
    ck_assert(!lapic_take_nmi(&cpu[0]));
}
END_TEST

/* ===================================================== xv6's lapicinit */

START_TEST(test_xv6_lapicinit)
{
    enum { T_IRQ0 = 32 };
    wr(0, LAPIC_SVR, 0x100 | (T_IRQ0 + 31));
    wr(0, LAPIC_TIMER_DIVIDE, 0xB); /* divide by 1 */
    wr(0, LAPIC_LVT_TIMER, APIC_TIMER_PERIODIC | T_IRQ0);
    wr(0, LAPIC_TIMER_INITIAL, 10000000);
    wr(0, LAPIC_LVT_LINT0, APIC_LVT_MASKED);
    wr(0, LAPIC_LVT_LINT1, APIC_LVT_MASKED);
    ck_assert_uint_ge((rd(0, LAPIC_VER) >> 16) & 0xFF, 4);
    wr(0, LAPIC_LVT_PERF, APIC_LVT_MASKED);
    wr(0, LAPIC_LVT_ERROR, T_IRQ0 + 19);
    wr(0, LAPIC_ESR, 0);
    wr(0, LAPIC_ESR, 0);
    wr(0, LAPIC_EOI, 0);
    wr(0, LAPIC_ICR_HI, 0);
    /* BCAST | INIT | LEVEL without ASSERT: an INIT level de-assert. */
    wr(0, LAPIC_ICR_LO, 0x00080000 | 0x500 | 0x8000);
    ck_assert_uint_eq(rd(0, LAPIC_ICR_LO) & APIC_DELIVERY_PENDING, 0);
    for (int i = 0; i < NCPU; i++)
        ck_assert(!lapic_take_init(&cpu[i]));
    wr(0, LAPIC_TPR, 0);
    ck_assert_uint_eq(rd(0, LAPIC_ESR), 0);
    ck_assert(!lapic_pic_passthrough(&cpu[0]));

    /* The timer: vector 32 every 10 ms of bus clocks (1 GHz). */
    ck_assert_uint_eq(lapic_next_event_ns(&cpu[0], now), 10000000);
    now = 9999999;
    lapic_advance(&cpu[0], now);
    ck_assert_int_eq(lapic_pending_vector(&cpu[0]), -1);
    ck_assert_uint_eq(rd(0, LAPIC_TIMER_CURRENT), 1);
    now = 10000000;
    lapic_advance(&cpu[0], now);
    ck_assert_int_eq(lapic_pending_vector(&cpu[0]), 32);
    ck_assert_int_eq(lapic_acknowledge(&cpu[0]), 32);
    ck_assert(isr_has(0, 32));
    ck_assert_uint_eq(lapic_ppr(&cpu[0]), 0x20);
    /* The next tick while 32 is in service waits in the IRR (same class). */
    now = 20000000;
    lapic_advance(&cpu[0], now);
    ck_assert(irr_has(0, 32));
    ck_assert_int_eq(lapic_pending_vector(&cpu[0]), -1);
    wr(0, LAPIC_EOI, 0);
    ck_assert_int_eq(lapic_pending_vector(&cpu[0]), 32);
    ck_assert_int_eq(eoi_count, 0); /* edge-triggered: no EOI broadcast */
}
END_TEST

/* ============================================================ the timer */

START_TEST(test_timer_one_shot)
{
    enable(0);
    wr(0, LAPIC_TIMER_DIVIDE, 0x0); /* divide by 2 */
    wr(0, LAPIC_LVT_TIMER, 0x40);
    now = 1000;
    wr(0, LAPIC_TIMER_INITIAL, 100);
    ck_assert_uint_eq(rd(0, LAPIC_TIMER_CURRENT), 100);
    now = 1001;
    ck_assert_uint_eq(rd(0, LAPIC_TIMER_CURRENT), 100);
    now = 1002;
    ck_assert_uint_eq(rd(0, LAPIC_TIMER_CURRENT), 99);
    now = 1150;
    ck_assert_uint_eq(rd(0, LAPIC_TIMER_CURRENT), 25);
    ck_assert_uint_eq(lapic_next_event_ns(&cpu[0], now), 1200);
    now = 1300;
    lapic_advance(&cpu[0], now);
    ck_assert_int_eq(lapic_pending_vector(&cpu[0]), 0x40);
    /* SDM 10.5.4: a one-shot stays at zero. */
    ck_assert_uint_eq(rd(0, LAPIC_TIMER_CURRENT), 0);
    ck_assert_uint_eq(lapic_next_event_ns(&cpu[0], now), UINT64_MAX);
    lapic_acknowledge(&cpu[0]);
    now = 5000;
    lapic_advance(&cpu[0], now);
    ck_assert_int_eq(lapic_pending_vector(&cpu[0]), -1);
    /* The initial count reads back; writing it again restarts. */
    ck_assert_uint_eq(rd(0, LAPIC_TIMER_INITIAL), 100);
    wr(0, LAPIC_TIMER_INITIAL, 100);
    ck_assert_uint_eq(lapic_next_event_ns(&cpu[0], now), 5200);
}
END_TEST

START_TEST(test_timer_divide_encodings)
{
    /* SDM Figure 10-10: bits 3, 1, 0 = 000 .. 110 divide by 2 .. 128, 111 by 1. */
    static const uint32_t dcr[] = {0x0, 0x1, 0x2, 0x3, 0x8, 0x9, 0xA, 0xB};
    static const uint64_t div[] = {2, 4, 8, 16, 32, 64, 128, 1};
    enable(0);
    wr(0, LAPIC_LVT_TIMER, 0x40);
    for (int i = 0; i < 8; i++) {
        wr(0, LAPIC_TIMER_DIVIDE, dcr[i] | 0xF0); /* other bits ignored */
        ck_assert_uint_eq(rd(0, LAPIC_TIMER_DIVIDE), dcr[i]);
        wr(0, LAPIC_TIMER_INITIAL, 1000);
        ck_assert_uint_eq(lapic_next_event_ns(&cpu[0], now), now + 1000 * div[i]);
        now += 10 * div[i];
        ck_assert_uint_eq(rd(0, LAPIC_TIMER_CURRENT), 990);
    }
}
END_TEST

START_TEST(test_timer_periodic)
{
    enable(0);
    wr(0, LAPIC_TIMER_DIVIDE, 0xB);
    wr(0, LAPIC_LVT_TIMER, APIC_TIMER_PERIODIC | 0x30);
    wr(0, LAPIC_TIMER_INITIAL, 1000);
    uint64_t t = 0;
    for (int i = 1; i <= 5; i++) {
        t = lapic_next_event_ns(&cpu[0], now);
        ck_assert_uint_eq(t, 1000u * (unsigned)i);
        now = t;
        lapic_advance(&cpu[0], now);
        ck_assert_int_eq(lapic_acknowledge(&cpu[0]), 0x30);
        wr(0, LAPIC_EOI, 0);
        /* Reloaded from the initial count on reaching zero. */
        ck_assert_uint_eq(rd(0, LAPIC_TIMER_CURRENT), 1000);
        now = t + 250;
        ck_assert_uint_eq(rd(0, LAPIC_TIMER_CURRENT), 750);
        now = t;
    }
    /* A late call: three expiries folded into one interrupt. */
    now = 8500;
    lapic_advance(&cpu[0], now);
    ck_assert_uint_eq(cpu[0].timer_expiries_merged, 2);
    ck_assert_int_eq(lapic_acknowledge(&cpu[0]), 0x30);
    ck_assert_int_eq(lapic_pending_vector(&cpu[0]), -1);
    ck_assert_uint_eq(lapic_next_event_ns(&cpu[0], now), 9000);
    /* Initial count 0 stops it. */
    wr(0, LAPIC_TIMER_INITIAL, 0);
    ck_assert_uint_eq(lapic_next_event_ns(&cpu[0], now), UINT64_MAX);
    ck_assert_uint_eq(rd(0, LAPIC_TIMER_CURRENT), 0);
}
END_TEST

START_TEST(test_timer_masked_still_counts)
{
    enable(0);
    wr(0, LAPIC_TIMER_DIVIDE, 0xB);
    wr(0, LAPIC_LVT_TIMER, APIC_LVT_MASKED | APIC_TIMER_PERIODIC | 0x30);
    wr(0, LAPIC_TIMER_INITIAL, 100);
    now = 150;
    lapic_advance(&cpu[0], now);
    ck_assert_int_eq(lapic_pending_vector(&cpu[0]), -1);
    ck_assert_uint_eq(rd(0, LAPIC_TIMER_CURRENT), 50);
    /* Unmasked: the next expiry interrupts. */
    wr(0, LAPIC_LVT_TIMER, APIC_TIMER_PERIODIC | 0x30);
    now = 200;
    lapic_advance(&cpu[0], now);
    ck_assert_int_eq(lapic_pending_vector(&cpu[0]), 0x30);
}
END_TEST

START_TEST(test_timer_change_rate_and_mode)
{
    enable(0);
    wr(0, LAPIC_TIMER_DIVIDE, 0xB);
    wr(0, LAPIC_LVT_TIMER, 0x30);
    wr(0, LAPIC_TIMER_INITIAL, 1000);
    now = 400;
    /* A new divisor: the count goes on from 600 at the new rate. */
    wr(0, LAPIC_TIMER_DIVIDE, 0x0);
    ck_assert_uint_eq(rd(0, LAPIC_TIMER_CURRENT), 600);
    ck_assert_uint_eq(lapic_next_event_ns(&cpu[0], now), 400 + 1200);
    now = 500;
    ck_assert_uint_eq(rd(0, LAPIC_TIMER_CURRENT), 550);
    /* One-shot to periodic at count 550: expiry, then whole periods. */
    wr(0, LAPIC_LVT_TIMER, APIC_TIMER_PERIODIC | 0x30);
    ck_assert_uint_eq(lapic_next_event_ns(&cpu[0], now), 1600);
    now = 1600;
    lapic_advance(&cpu[0], now);
    ck_assert_uint_eq(lapic_next_event_ns(&cpu[0], now), 1600 + 2000);
    /* Back to one-shot: it stops at the next zero. */
    wr(0, LAPIC_LVT_TIMER, 0x30);
    now = 3600;
    lapic_advance(&cpu[0], now);
    ck_assert_uint_eq(lapic_next_event_ns(&cpu[0], now), UINT64_MAX);
    ck_assert_uint_eq(rd(0, LAPIC_TIMER_CURRENT), 0);
}
END_TEST

/* =========================================================== priorities */

START_TEST(test_priority_and_tpr)
{
    enable(0);
    fixed_to(0, 0x31);
    fixed_to(0, 0x65);
    fixed_to(0, 0x61);
    /* The highest first (SDM 10.8.3). */
    ck_assert_int_eq(lapic_acknowledge(&cpu[0]), 0x65);
    ck_assert_uint_eq(lapic_ppr(&cpu[0]), 0x60);
    /* TPR in the same class as the ISR: the PPR is the TPR, low bits too. */
    wr(0, LAPIC_TPR, 0x6A);
    ck_assert_uint_eq(lapic_ppr(&cpu[0]), 0x6A);
    wr(0, LAPIC_TPR, 0x5F);
    ck_assert_uint_eq(lapic_ppr(&cpu[0]), 0x60);
    wr(0, LAPIC_TPR, 0);
    /* 0x61 is in the same class as 0x65 in service: held. */
    ck_assert_int_eq(lapic_pending_vector(&cpu[0]), -1);
    fixed_to(0, 0x72);
    ck_assert_int_eq(lapic_acknowledge(&cpu[0]), 0x72); /* nests */
    wr(0, LAPIC_EOI, 0);
    ck_assert(!isr_has(0, 0x72));
    ck_assert(isr_has(0, 0x65));
    wr(0, LAPIC_EOI, 0);
    ck_assert_int_eq(lapic_pending_vector(&cpu[0]), 0x61);
    /* TPR 0x60 holds classes up to 6; 0x31 and 0x61 wait. */
    wr(0, LAPIC_TPR, 0x6F);
    ck_assert_uint_eq(lapic_ppr(&cpu[0]), 0x6F);
    ck_assert_int_eq(lapic_pending_vector(&cpu[0]), -1);
    /* Acknowledged with nothing deliverable: the spurious vector, and the
     * ISR is left alone (SDM 10.9). */
    ck_assert_int_eq(lapic_acknowledge(&cpu[0]), 0xFF);
    ck_assert_uint_eq(rd(0, LAPIC_ISR + 0x30), 0);
    ck_assert(irr_has(0, 0x61));
    wr(0, LAPIC_TPR, 0x30);
    ck_assert_int_eq(lapic_acknowledge(&cpu[0]), 0x61);
    ck_assert_uint_eq(lapic_ppr(&cpu[0]), 0x60);
    wr(0, LAPIC_EOI, 0);
    ck_assert_int_eq(lapic_pending_vector(&cpu[0]), -1); /* 0x31: class 3 <= TPR 3 */
    wr(0, LAPIC_TPR, 0);
    ck_assert_int_eq(lapic_pending_vector(&cpu[0]), 0x31);
    /* An EOI with nothing in service does nothing. */
    lapic_acknowledge(&cpu[0]);
    wr(0, LAPIC_EOI, 0);
    wr(0, LAPIC_EOI, 0);
    ck_assert_uint_eq(lapic_ppr(&cpu[0]), 0);
}
END_TEST

START_TEST(test_level_eoi_broadcast)
{
    enable(0);
    struct apic_msg m = {.vector = 0x40, .mode = APIC_FIXED, .dest = 0, .level = true,
                         .assert = true, .source = -1};
    apic_bus_deliver(bus_apics, NCPU, &m, now);
    ck_assert(rd(0, LAPIC_TMR + 0x20) & 1); /* TMR bit 0x40 */
    ck_assert_int_eq(lapic_acknowledge(&cpu[0]), 0x40);
    wr(0, LAPIC_EOI, 0);
    ck_assert_int_eq(eoi_count, 1);
    ck_assert_uint_eq(eoi_vector, 0x40);
    /* An edge-triggered one clears the TMR bit and sends no EOI. */
    fixed_to(0, 0x40);
    ck_assert_uint_eq(rd(0, LAPIC_TMR + 0x20) & 1, 0);
    lapic_acknowledge(&cpu[0]);
    wr(0, LAPIC_EOI, 0);
    ck_assert_int_eq(eoi_count, 1);
}
END_TEST

/* =============================================================== errors */

START_TEST(test_error_status)
{
    enable(0);
    wr(0, LAPIC_LVT_ERROR, 0x33);
    /* Receive illegal vector (SDM 10.5.3): vector 5 is not accepted. */
    fixed_to(0, 5);
    ck_assert(!irr_has(0, 5));
    /* The ESR shows it only after a write, and the error LVT fired. */
    ck_assert_uint_eq(rd(0, LAPIC_ESR), 0);
    wr(0, LAPIC_ESR, 0);
    ck_assert_uint_eq(rd(0, LAPIC_ESR), APIC_ESR_RECEIVE_ILLEGAL_VECTOR);
    ck_assert_int_eq(lapic_acknowledge(&cpu[0]), 0x33);
    wr(0, LAPIC_EOI, 0);
    /* Send illegal vector: a fixed IPI with vector 3 is not sent. */
    wr(0, LAPIC_ICR_HI, 1u << 24);
    wr(0, LAPIC_ICR_LO, 0x03);
    ck_assert(!irr_has(1, 3));
    /* An illegal register: the CMCI slot this version lacks, and 0x010. */
    ck_assert_uint_eq(rd(0, 0x2F0), 0);
    wr(0, 0x010, 0x1234);
    wr(0, LAPIC_ESR, 0);
    ck_assert_uint_eq(rd(0, LAPIC_ESR), APIC_ESR_SEND_ILLEGAL_VECTOR | APIC_ESR_ILLEGAL_REGISTER);
    /* Back-to-back writes clear it (xv6's sequence). */
    wr(0, LAPIC_ESR, 0);
    ck_assert_uint_eq(rd(0, LAPIC_ESR), 0);
    /* A timer LVT with an illegal vector is a receive error too. */
    wr(0, LAPIC_LVT_TIMER, 0x07);
    wr(0, LAPIC_TIMER_INITIAL, 10);
    now = 100;
    lapic_advance(&cpu[0], now);
    wr(0, LAPIC_ESR, 0);
    ck_assert_uint_eq(rd(0, LAPIC_ESR), APIC_ESR_RECEIVE_ILLEGAL_VECTOR);
}
END_TEST

/* ================================================================= IPIs */

static void send_ipi(int from, uint8_t dest, uint32_t lo)
{
    wr(from, LAPIC_ICR_HI, (uint32_t)dest << 24);
    wr(from, LAPIC_ICR_LO, lo);
}

START_TEST(test_fixed_ipis)
{
    for (int i = 0; i < NCPU; i++)
        enable(i);
    send_ipi(0, 2, 0x41); /* physical, to APIC 2 */
    ck_assert(irr_has(2, 0x41));
    ck_assert(!irr_has(1, 0x41) && !irr_has(0, 0x41) && !irr_has(3, 0x41));
    send_ipi(1, 0xFF, 0x42); /* physical broadcast */
    for (int i = 0; i < NCPU; i++)
        ck_assert(irr_has(i, 0x42));
    send_ipi(3, 0, 0x43 | APIC_TO_SELF << APIC_SHORTHAND_SHIFT);
    ck_assert(irr_has(3, 0x43) && !irr_has(0, 0x43));
    send_ipi(1, 0, 0x44 | APIC_TO_ALL_BUT_SELF << APIC_SHORTHAND_SHIFT);
    ck_assert(irr_has(0, 0x44) && !irr_has(1, 0x44) && irr_has(2, 0x44) && irr_has(3, 0x44));
    send_ipi(1, 0, 0x45 | APIC_TO_ALL << APIC_SHORTHAND_SHIFT);
    for (int i = 0; i < NCPU; i++)
        ck_assert(irr_has(i, 0x45));
    /* A software-disabled APIC does not take fixed interrupts. */
    wr(2, LAPIC_SVR, 0xFF);
    send_ipi(0, 2, 0x46);
    ck_assert(!irr_has(2, 0x46));
    /* An APIC ID moved by software is where physical IPIs go. */
    wr(3, LAPIC_ID, 7u << 24);
    send_ipi(0, 7, 0x47);
    ck_assert(irr_has(3, 0x47));
    send_ipi(0, 3, 0x48);
    ck_assert(!irr_has(3, 0x48));
}
END_TEST

START_TEST(test_logical_destinations)
{
    for (int i = 0; i < NCPU; i++) {
        enable(i);
        wr(i, LAPIC_LDR, (1u << i) << 24); /* flat: one bit each */
    }
    send_ipi(0, 0x0A, 0x50 | APIC_DEST_LOGICAL); /* bits 1 and 3 */
    ck_assert(!irr_has(0, 0x50) && irr_has(1, 0x50) && !irr_has(2, 0x50) && irr_has(3, 0x50));
    /* Cluster model: cluster 2 members 1 and 2 (SDM 10.6.2.2). */
    for (int i = 0; i < NCPU; i++) {
        wr(i, LAPIC_DFR, 0x0FFFFFFF);
        ck_assert_uint_eq(rd(i, LAPIC_DFR), 0x0FFFFFFF);
        wr(i, LAPIC_LDR, (uint32_t)((i < 2 ? 0x10 : 0x20) | 1 << (i & 1)) << 24);
    }
    send_ipi(0, 0x23, 0x51 | APIC_DEST_LOGICAL);
    ck_assert(!irr_has(0, 0x51) && !irr_has(1, 0x51) && irr_has(2, 0x51) && irr_has(3, 0x51));
    send_ipi(0, 0x12, 0x52 | APIC_DEST_LOGICAL);
    ck_assert(!irr_has(0, 0x52) && irr_has(1, 0x52) && !irr_has(2, 0x52));
}
END_TEST

START_TEST(test_lowest_priority)
{
    for (int i = 0; i < NCPU; i++) {
        enable(i);
        wr(i, LAPIC_LDR, 0x01000000); /* all in one flat group */
        wr(i, LAPIC_TPR, 0x40);
    }
    wr(2, LAPIC_TPR, 0x10);
    send_ipi(0, 0x01, 0x60 | APIC_LOWEST << APIC_MODE_SHIFT | APIC_DEST_LOGICAL);
    for (int i = 0; i < NCPU; i++)
        ck_assert_int_eq(irr_has(i, 0x60), i == 2);
    /* All equal: the lowest index takes it. */
    wr(2, LAPIC_TPR, 0x40);
    send_ipi(3, 0x01, 0x61 | APIC_LOWEST << APIC_MODE_SHIFT | APIC_DEST_LOGICAL);
    ck_assert(irr_has(0, 0x61) && !irr_has(1, 0x61));
}
END_TEST

START_TEST(test_init_and_startup)
{
    enable(0);
    /* xv6's lapicstartap for APIC 1: INIT assert, INIT de-assert, SIPI twice. */
    send_ipi(0, 1, 0x500 | APIC_TRIGGER_LEVEL | APIC_LEVEL_ASSERT);
    ck_assert(lapic_take_init(&cpu[1]));
    ck_assert(!lapic_take_init(&cpu[1]));
    ck_assert(!lapic_take_init(&cpu[2]));
    send_ipi(0, 1, 0x500 | APIC_TRIGGER_LEVEL);
    ck_assert(!lapic_take_init(&cpu[1]));
    send_ipi(0, 1, 0x600 | 0x07); /* start at 0x7000 */
    send_ipi(0, 1, 0x600 | 0x09);
    uint8_t v = 0;
    ck_assert(lapic_take_startup(&cpu[1], &v));
    ck_assert_uint_eq(v, 0x07); /* the second SIPI is ignored (SDM 8.4.4.1) */
    ck_assert(!lapic_take_startup(&cpu[1], &v));
    /* An AP never sent INIT still waits from power-up; a running BSP
     * ignores a start-up IPI. */
    send_ipi(1, 0xFF, 0x600 | 0x08 | APIC_TO_ALL_BUT_SELF << APIC_SHORTHAND_SHIFT);
    ck_assert(!lapic_take_startup(&cpu[0], &v));
    ck_assert(lapic_take_startup(&cpu[2], &v) && v == 0x08);
    ck_assert(lapic_take_startup(&cpu[3], &v));
    ck_assert(!lapic_take_startup(&cpu[1], &v)); /* the sender is excluded */
    /* INIT resets the APIC but keeps its ID (SDM 10.4.7.3). */
    wr(2, LAPIC_ID, 9u << 24);
    wr(2, LAPIC_TPR, 0x55);
    send_ipi(0, 9, 0x500 | APIC_LEVEL_ASSERT);
    ck_assert(lapic_take_init(&cpu[2]));
    ck_assert_uint_eq(rd(2, LAPIC_TPR), 0);
    ck_assert_uint_eq(rd(2, LAPIC_ID), 9u << 24);
    ck_assert(cpu[2].wait_for_sipi);
    /* The self shorthand takes fixed interrupts only (SDM Table 10-3). */
    wr(3, LAPIC_ICR_LO, 0x500 | APIC_LEVEL_ASSERT | APIC_TO_SELF << APIC_SHORTHAND_SHIFT);
    ck_assert(!lapic_take_init(&cpu[3]));
    /* NMI by IPI, even to a software-disabled APIC (SDM 10.4.7.2). */
    send_ipi(0, 3, 0x400);
    ck_assert(lapic_take_nmi(&cpu[3]));
}
END_TEST

/* ======================================================= enable, disable */

START_TEST(test_software_disable)
{
    enable(0);
    wr(0, LAPIC_LVT_TIMER, 0x30);
    fixed_to(0, 0x50);
    wr(0, LAPIC_SVR, 0xFF);
    /* SDM 10.4.7.2: every LVT masked, and it stays masked. */
    ck_assert_uint_eq(rd(0, LAPIC_LVT_TIMER), APIC_LVT_MASKED | 0x30);
    wr(0, LAPIC_LVT_TIMER, 0x31);
    ck_assert_uint_eq(rd(0, LAPIC_LVT_TIMER), APIC_LVT_MASKED | 0x31);
    /* What was pending is held, not presented. */
    ck_assert(irr_has(0, 0x50));
    ck_assert_int_eq(lapic_pending_vector(&cpu[0]), -1);
    enable(0);
    ck_assert_int_eq(lapic_pending_vector(&cpu[0]), 0x50);
    wr(0, LAPIC_LVT_TIMER, 0x31);
    ck_assert_uint_eq(rd(0, LAPIC_LVT_TIMER), 0x31);
}
END_TEST

START_TEST(test_apic_base_msr)
{
    /* Reserved bits: #GP (SDM Figure 10-5). */
    ck_assert(!lapic_write_base(&cpu[0], 0xFEE00900 | 1, now));
    ck_assert(!lapic_write_base(&cpu[0], 0xFEE00900 | 1u << 10, now)); /* x2APIC */
    ck_assert(!lapic_write_base(&cpu[0], 0x1FEE00900ull, now));
    ck_assert_uint_eq(lapic_read_base(&cpu[0]), 0xFEE00900);
    /* Relocated, keeping its state. */
    wr(0, LAPIC_TPR, 0x20);
    ck_assert(lapic_write_base(&cpu[0], 0xFED00800, now));
    ck_assert_uint_eq(lapic_base_address(&cpu[0]), 0xFED00000);
    ck_assert_uint_eq(lapic_read_base(&cpu[0]), 0xFED00900); /* BSP flag kept */
    ck_assert_uint_eq(rd(0, LAPIC_TPR), 0x20);
    /* Disabled: no MMIO, the 8259 reaches the CPU, messages are not taken. */
    ck_assert(lapic_write_base(&cpu[1], 0xFEE00000, now));
    ck_assert(!lapic_mmio_enabled(&cpu[1]));
    ck_assert(lapic_pic_passthrough(&cpu[1]));
    struct apic_msg m = {.vector = 0x30, .mode = APIC_FIXED, .dest = 1, .source = -1};
    ck_assert_int_eq(apic_bus_deliver(bus_apics, NCPU, &m, now), 0);
    /* Enabled again: in its power-up state, whatever it held before. */
    ck_assert(lapic_write_base(&cpu[2], 0xFEE00800, now)); /* no change: state kept */
    enable(2);
    wr(2, LAPIC_TPR, 0x77);
    ck_assert(lapic_write_base(&cpu[2], 0xFEE00000, now));
    ck_assert(lapic_write_base(&cpu[2], 0xFEE00800, now));
    ck_assert(lapic_mmio_enabled(&cpu[2]));
    ck_assert_uint_eq(rd(2, LAPIC_SVR), 0xFF);
    ck_assert_uint_eq(rd(2, LAPIC_TPR), 0);
    ck_assert_uint_eq(rd(2, LAPIC_ID), 2u << 24);
}
END_TEST

START_TEST(test_lint_inputs)
{
    enable(1);
    /* LINT0 fixed, level-triggered: remote IRR until the EOI (SDM 10.5.1). */
    wr(1, LAPIC_LVT_LINT0, APIC_TRIGGER_LEVEL | 0x58);
    lapic_set_lint(&cpu[1], 0, true, now);
    ck_assert(rd(1, LAPIC_LVT_LINT0) & APIC_REMOTE_IRR);
    ck_assert_int_eq(lapic_acknowledge(&cpu[1]), 0x58);
    lapic_set_lint(&cpu[1], 0, true, now);
    ck_assert(!irr_has(1, 0x58));
    wr(1, LAPIC_EOI, 0);
    ck_assert_uint_eq(rd(1, LAPIC_LVT_LINT0) & APIC_REMOTE_IRR, 0);
    /* Remote IRR is read-only. */
    wr(1, LAPIC_LVT_LINT0, APIC_REMOTE_IRR | 0x58);
    ck_assert_uint_eq(rd(1, LAPIC_LVT_LINT0), 0x58);
    /* Edge: one interrupt per rising edge. */
    lapic_set_lint(&cpu[1], 0, false, now);
    lapic_set_lint(&cpu[1], 0, true, now);
    ck_assert_int_eq(lapic_acknowledge(&cpu[1]), 0x58);
    lapic_set_lint(&cpu[1], 0, true, now);
    ck_assert(!irr_has(1, 0x58));
    /* Masked: nothing. */
    wr(1, LAPIC_LVT_LINT1, APIC_LVT_MASKED | APIC_NMI << APIC_MODE_SHIFT);
    lapic_set_lint(&cpu[1], 1, true, now);
    ck_assert(!lapic_take_nmi(&cpu[1]));
}
END_TEST

/* ============================================ hostile register sequences */

START_TEST(test_random_register_walk)
{
    uint32_t x = 777;
    for (int i = 0; i < NCPU; i++)
        enable(i);
    for (int step = 0; step < 200000; step++) {
        x = x * 1664525u + 1013904223u;
        int c = (int)(x >> 30);
        uint32_t offset = (x >> 8) & 0xFFC;
        x = x * 1664525u + 1013904223u;
        uint32_t v = x;
        now += x & 0xFF;
        switch (step % 4) {
        case 0: rd(c, offset); break;
        case 1:
            /* Keep INIT away from APIC 0 now and then, and the SVR enabled. */
            if (offset == LAPIC_SVR)
                v |= APIC_SVR_ENABLE;
            wr(c, offset, v);
            break;
        case 2: lapic_advance(&cpu[c], now); break;
        default:
            if (lapic_pending_vector(&cpu[c]) >= 0)
                lapic_acknowledge(&cpu[c]);
            break;
        }
        for (int i = 0; i < NCPU; i++) {
            int p = lapic_pending_vector(&cpu[i]);
            bool ok = (p == -1 || (p >= 16 && p <= 255)) &&
                      !(rd(i, LAPIC_ICR_LO) & APIC_DELIVERY_PENDING) &&
                      (cpu[i].irr[0] & 0xFFFF) == 0 && /* vectors 0-15 never pending */
                      lapic_timer_count(&cpu[i], now) <= cpu[i].timer_initial &&
                      lapic_next_event_ns(&cpu[i], now) >= now;
            if (!ok)
                ck_abort_msg("step %d: APIC %d inconsistent (pending %d)", step, i, p);
        }
    }
}
END_TEST

static Suite *lapic_suite(void)
{
    Suite *s = suite_create("lapic");
    TCase *tc = tcase_create("state");
    tcase_add_checked_fixture(tc, setup, NULL);
    tcase_add_test(tc, test_power_up_state);
    tcase_add_test(tc, test_bios_setup);
    tcase_add_test(tc, test_xv6_lapicinit);
    tcase_add_test(tc, test_software_disable);
    tcase_add_test(tc, test_apic_base_msr);
    tcase_add_test(tc, test_lint_inputs);
    suite_add_tcase(s, tc);
    tc = tcase_create("timer");
    tcase_add_checked_fixture(tc, setup, NULL);
    tcase_add_test(tc, test_timer_one_shot);
    tcase_add_test(tc, test_timer_divide_encodings);
    tcase_add_test(tc, test_timer_periodic);
    tcase_add_test(tc, test_timer_masked_still_counts);
    tcase_add_test(tc, test_timer_change_rate_and_mode);
    suite_add_tcase(s, tc);
    tc = tcase_create("interrupts");
    tcase_add_checked_fixture(tc, setup, NULL);
    tcase_add_test(tc, test_priority_and_tpr);
    tcase_add_test(tc, test_level_eoi_broadcast);
    tcase_add_test(tc, test_error_status);
    suite_add_tcase(s, tc);
    tc = tcase_create("ipi");
    tcase_add_checked_fixture(tc, setup, NULL);
    tcase_add_test(tc, test_fixed_ipis);
    tcase_add_test(tc, test_logical_destinations);
    tcase_add_test(tc, test_lowest_priority);
    tcase_add_test(tc, test_init_and_startup);
    suite_add_tcase(s, tc);
    tc = tcase_create("hostile");
    tcase_add_checked_fixture(tc, setup, NULL);
    tcase_add_test(tc, test_random_register_walk);
    tcase_set_timeout(tc, 60);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(lapic_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
