/* Unit tests for the 16550A UART (src/devices/uart16550.c), driven through
 * the port bus at COM1 with a recording transmitter and IRQ line. */
#include <check.h>
#include <stdlib.h>

#include "devices/bus.h"
#include "devices/uart16550.h"

#define COM 0x3F8

static struct bus bus;
static struct uart uart;
static uint8_t sent[64];
static int nsent;
static int irq_level, irq_rises;

static void fake_tx(void *opaque, uint8_t byte)
{
    (void)opaque;
    if (nsent < (int)sizeof(sent))
        sent[nsent++] = byte;
}

static void fake_irq(void *opaque, int irq, int level)
{
    (void)opaque;
    ck_assert_int_eq(irq, 4);
    if (level && !irq_level)
        irq_rises++;
    irq_level = level;
}

static void out8(int reg, uint8_t v)
{
    bus_out(&bus, (uint16_t)(COM + reg), v, 1);
}

static uint8_t in8(int reg)
{
    return (uint8_t)bus_in(&bus, (uint16_t)(COM + reg), 1);
}

static void setup(void)
{
    struct irq_line line = {.set = fake_irq, .opaque = NULL, .irq = 4};
    nsent = 0;
    irq_level = 0;
    irq_rises = 0;
    bus_init(&bus);
    uart_init(&uart, COM, line, fake_tx, NULL);
    ck_assert(uart_register(&uart, &bus));
}

START_TEST(test_reset_values)
{
    ck_assert_uint_eq(in8(UART_IER), 0x00);
    ck_assert_uint_eq(in8(UART_IIR), 0x01);
    ck_assert_uint_eq(in8(UART_LCR), 0x00);
    ck_assert_uint_eq(in8(UART_MCR), 0x00);
    ck_assert_uint_eq(in8(UART_LSR), 0x60);
    ck_assert_uint_eq(in8(UART_MSR), 0xB0);
    ck_assert_int_eq(irq_level, 0);
}
END_TEST

START_TEST(test_bios_setup)
{
    uart_bios_setup(&uart);
    ck_assert_uint_eq(in8(UART_MCR), 0x08);
    ck_assert_uint_eq(in8(UART_MSR), 0xB0);
    out8(UART_LCR, 0x80);
    ck_assert_uint_eq(in8(UART_DLL), 12);
    ck_assert_uint_eq(in8(UART_DLM), 0);
    out8(UART_LCR, 0x03);
    out8(UART_IER, UART_IER_ERBFI);
    uart_receive(&uart, 'a');
    ck_assert_int_eq(irq_level, 1); /* OUT2 is on */
}
END_TEST

START_TEST(test_transmit)
{
    out8(UART_THR, 'h');
    out8(UART_THR, 'i');
    ck_assert_int_eq(nsent, 2);
    ck_assert_uint_eq(sent[0], 'h');
    ck_assert_uint_eq(sent[1], 'i');
    ck_assert_uint_eq(in8(UART_LSR) & 0x60, 0x60);
}
END_TEST

START_TEST(test_thre_interrupt_raised_and_cleared)
{
    out8(UART_MCR, UART_MCR_OUT2);
    out8(UART_IER, UART_IER_ETBEI); /* THR empty: raised at once */
    ck_assert_int_eq(irq_level, 1);
    ck_assert_uint_eq(in8(UART_IIR), UART_IIR_THRE);
    /* Reading IIR while THRE is the source cleared it. */
    ck_assert_int_eq(irq_level, 0);
    ck_assert_uint_eq(in8(UART_IIR), UART_IIR_NONE);
    /* Writing THR: the byte leaves, THR is empty again, a fresh edge. */
    int rises = irq_rises;
    out8(UART_THR, 'x');
    ck_assert_int_eq(irq_rises, rises + 1);
    ck_assert_uint_eq(in8(UART_IIR), UART_IIR_THRE);
    /* Setting ETBEI again while already set does not re-raise it. */
    out8(UART_IER, UART_IER_ETBEI);
    ck_assert_uint_eq(in8(UART_IIR), UART_IIR_NONE);
    /* Writing THR clears a pending THRE before re-raising: a pulse. */
    out8(UART_THR, 'y');
    rises = irq_rises;
    out8(UART_THR, 'z');
    ck_assert_int_eq(irq_rises, rises + 1);
}
END_TEST

START_TEST(test_receive_data_interrupt)
{
    out8(UART_MCR, UART_MCR_OUT2);
    out8(UART_IER, UART_IER_ERBFI);
    ck_assert_int_eq(irq_level, 0);
    ck_assert(uart_receive(&uart, 'a'));
    ck_assert_int_eq(irq_level, 1);
    ck_assert_uint_eq(in8(UART_IIR), UART_IIR_RDA);
    ck_assert_uint_eq(in8(UART_LSR) & UART_LSR_DR, UART_LSR_DR);
    ck_assert_uint_eq(in8(UART_RBR), 'a');
    ck_assert_int_eq(irq_level, 0);
    ck_assert_uint_eq(in8(UART_IIR), UART_IIR_NONE);
    ck_assert_uint_eq(in8(UART_LSR) & UART_LSR_DR, 0);
}
END_TEST

START_TEST(test_no_fifo_holds_one_byte)
{
    ck_assert(uart_can_receive(&uart));
    ck_assert(uart_receive(&uart, '1'));
    ck_assert(!uart_can_receive(&uart));
    ck_assert(!uart_receive(&uart, '2'));
    ck_assert_uint_eq(in8(UART_RBR), '1');
    ck_assert(uart_receive(&uart, '3'));
}
END_TEST

START_TEST(test_fifo)
{
    out8(UART_FCR, 0xC7); /* enable, clear both, trigger at 14 */
    out8(UART_MCR, UART_MCR_OUT2);
    out8(UART_IER, UART_IER_ERBFI);
    for (int i = 0; i < 5; i++)
        ck_assert(uart_receive(&uart, (uint8_t)('a' + i)));
    /* Below the trigger level: character timeout. */
    ck_assert_uint_eq(in8(UART_IIR), UART_IIR_FIFO | UART_IIR_TIMEOUT);
    for (int i = 5; i < 14; i++)
        ck_assert(uart_receive(&uart, (uint8_t)('a' + i)));
    ck_assert_uint_eq(in8(UART_IIR), UART_IIR_FIFO | UART_IIR_RDA);
    ck_assert(uart_receive(&uart, 'o'));
    ck_assert(uart_receive(&uart, 'p'));
    ck_assert(!uart_can_receive(&uart));
    ck_assert(!uart_receive(&uart, 'q')); /* 16 bytes: full */
    for (int i = 0; i < 16; i++)
        ck_assert_uint_eq(in8(UART_RBR), (uint8_t)('a' + i));
    ck_assert_uint_eq(in8(UART_IIR), UART_IIR_FIFO | UART_IIR_NONE);
    ck_assert_int_eq(irq_level, 0);
    /* FCR bit 1 clears the receive FIFO. */
    uart_receive(&uart, 'r');
    out8(UART_FCR, 0x03);
    ck_assert_uint_eq(in8(UART_LSR) & UART_LSR_DR, 0);
    /* Turning the FIFOs off: one holding register again, IIR bits 6-7 0. */
    out8(UART_FCR, 0x00);
    ck_assert_uint_eq(in8(UART_IIR) & 0xC0, 0);
}
END_TEST

START_TEST(test_fifo_trigger_levels)
{
    static const struct {
        uint8_t fcr;
        int level;
    } t[] = {{0x01, 1}, {0x41, 4}, {0x81, 8}, {0xC1, 14}};
    out8(UART_IER, UART_IER_ERBFI);
    for (size_t i = 0; i < 4; i++) {
        out8(UART_FCR, (uint8_t)(t[i].fcr | 0x02));
        for (int n = 1; n <= t[i].level; n++) {
            uart_receive(&uart, 'x');
            uint8_t want = n >= t[i].level ? UART_IIR_RDA : UART_IIR_TIMEOUT;
            ck_assert_uint_eq(in8(UART_IIR) & 0x0F, want);
        }
    }
}
END_TEST

START_TEST(test_dlab_divisor)
{
    out8(UART_LCR, 0x80);
    out8(UART_DLL, 0x0C);
    out8(UART_DLM, 0x01);
    ck_assert_uint_eq(uart.divisor, 0x010C);
    ck_assert_uint_eq(in8(UART_DLL), 0x0C);
    ck_assert_uint_eq(in8(UART_DLM), 0x01);
    ck_assert_int_eq(nsent, 0); /* not transmitted */
    out8(UART_LCR, 0x03);
    ck_assert_uint_eq(in8(UART_IER), 0x00);
    out8(UART_THR, 'k');
    ck_assert_int_eq(nsent, 1);
    ck_assert_uint_eq(uart.divisor, 0x010C);
    ck_assert_uint_eq(in8(UART_LCR), 0x03);
}
END_TEST

START_TEST(test_loopback)
{
    out8(UART_MCR, UART_MCR_LOOP | UART_MCR_OUT2 | UART_MCR_OUT1 | UART_MCR_RTS);
    out8(UART_THR, 0xAE);
    ck_assert_int_eq(nsent, 0); /* not on the line */
    ck_assert_uint_eq(in8(UART_LSR) & UART_LSR_DR, UART_LSR_DR);
    ck_assert_uint_eq(in8(UART_RBR), 0xAE);
    /* MSR: CTS=RTS, DSR=DTR, RI=OUT1, DCD=OUT2. */
    ck_assert_uint_eq(in8(UART_MSR) & 0xF0, 0xD0);
    out8(UART_MCR, UART_MCR_LOOP | UART_MCR_DTR);
    uint8_t msr = in8(UART_MSR);
    ck_assert_uint_eq(msr & 0xF0, 0x20);
    ck_assert_uint_eq(msr & 0x0F, 0x0F); /* DCTS DDSR TERI DDCD */
    ck_assert_uint_eq(in8(UART_MSR) & 0x0F, 0); /* read clears the deltas */
    /* The serial input is disconnected. */
    ck_assert(!uart_can_receive(&uart));
    ck_assert(!uart_receive(&uart, 'z'));
    /* Out of loopback, bytes go out again. */
    out8(UART_MCR, 0x0B);
    out8(UART_THR, 'o');
    ck_assert_int_eq(nsent, 1);
}
END_TEST

START_TEST(test_loopback_overrun)
{
    out8(UART_MCR, UART_MCR_LOOP);
    out8(UART_IER, UART_IER_ELSI | UART_IER_ERBFI);
    out8(UART_THR, 1);
    out8(UART_THR, 2); /* holding register full: overrun */
    ck_assert_uint_eq(in8(UART_IIR), UART_IIR_RLS); /* above data available */
    ck_assert_uint_eq(in8(UART_LSR) & 0x03, UART_LSR_OE | UART_LSR_DR);
    ck_assert_uint_eq(in8(UART_LSR) & UART_LSR_OE, 0); /* cleared by reading LSR */
    ck_assert_uint_eq(in8(UART_IIR), UART_IIR_RDA);
    ck_assert_uint_eq(in8(UART_RBR), 1);
}
END_TEST

START_TEST(test_out2_gates_irq)
{
    out8(UART_IER, UART_IER_ERBFI);
    uart_receive(&uart, 'a');
    ck_assert(uart_interrupt_pending(&uart));
    ck_assert_int_eq(irq_level, 0); /* OUT2 clear: no IRQ on a PC */
    out8(UART_MCR, UART_MCR_OUT2);
    ck_assert_int_eq(irq_level, 1);
    out8(UART_MCR, UART_MCR_OUT2 | UART_MCR_LOOP);
    ck_assert_int_eq(irq_level, 0); /* loopback forces OUT2 inactive */
    out8(UART_MCR, 0);
    uart.out2_gates_irq = false; /* QEMU's behaviour */
    out8(UART_MCR, 0);
    ck_assert_int_eq(irq_level, 1);
}
END_TEST

START_TEST(test_interrupt_priority)
{
    out8(UART_MCR, UART_MCR_OUT2 | UART_MCR_LOOP);
    out8(UART_IER, 0x0F);
    out8(UART_MCR, UART_MCR_OUT2); /* leaving loopback changes MSR: deltas */
    ck_assert_uint_eq(in8(UART_IIR), UART_IIR_THRE); /* THRE above modem status */
    ck_assert_uint_eq(in8(UART_IIR), UART_IIR_MSR);
    in8(UART_MSR);
    ck_assert_uint_eq(in8(UART_IIR), UART_IIR_NONE);
    uart_receive(&uart, 'q');
    out8(UART_IER, 0x0F);
    ck_assert_uint_eq(in8(UART_IIR), UART_IIR_RDA);
}
END_TEST

START_TEST(test_scratch_and_word_access)
{
    out8(UART_SCR, 0x5A);
    ck_assert_uint_eq(in8(UART_SCR), 0x5A);
    /* A word read at LCR reads LCR and MCR. */
    out8(UART_LCR, 0x03);
    out8(UART_MCR, 0x0B);
    ck_assert_uint_eq(bus_in(&bus, COM + UART_LCR, 2), 0x0B03);
    /* A word read at SCR: the next port is not the UART's. */
    ck_assert_uint_eq(bus_in(&bus, COM + UART_SCR, 2), 0xFF5A);
}
END_TEST

static Suite *uart_suite(void)
{
    Suite *s = suite_create("uart16550");
    TCase *tc = tcase_create("core");
    tcase_add_checked_fixture(tc, setup, NULL);
    tcase_add_test(tc, test_reset_values);
    tcase_add_test(tc, test_bios_setup);
    tcase_add_test(tc, test_transmit);
    tcase_add_test(tc, test_thre_interrupt_raised_and_cleared);
    tcase_add_test(tc, test_receive_data_interrupt);
    tcase_add_test(tc, test_no_fifo_holds_one_byte);
    tcase_add_test(tc, test_fifo);
    tcase_add_test(tc, test_fifo_trigger_levels);
    tcase_add_test(tc, test_dlab_divisor);
    tcase_add_test(tc, test_loopback);
    tcase_add_test(tc, test_loopback_overrun);
    tcase_add_test(tc, test_out2_gates_irq);
    tcase_add_test(tc, test_interrupt_priority);
    tcase_add_test(tc, test_scratch_and_word_access);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(uart_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
