/* A National Semiconductor 16550A UART as wired on a PC serial port (COM1 at
 * 0x3F8 on IRQ 4, COM2 at 0x2F8 on IRQ 3): registers, 16-byte FIFOs,
 * interrupt identification, loopback, and the PC's OUT2 gate on the IRQ
 * line.  Transmission is instantaneous in virtual time: a byte written to
 * THR goes to the tx callback at once and THR is empty again. */
#ifndef RINGLAB_UART16550_H
#define RINGLAB_UART16550_H

#include <stdbool.h>
#include <stdint.h>

#include "devices/bus.h"
#include "devices/irq.h"

#define UART_COM1 0x3F8
#define UART_COM2 0x2F8
#define UART_FIFO_SIZE 16

/* Register offsets from the base port. */
enum {
    UART_RBR = 0, /* read, DLAB=0: receiver buffer */
    UART_THR = 0, /* write, DLAB=0: transmitter holding */
    UART_DLL = 0, /* DLAB=1: divisor latch, low byte */
    UART_IER = 1, /* DLAB=0: interrupt enable */
    UART_DLM = 1, /* DLAB=1: divisor latch, high byte */
    UART_IIR = 2, /* read: interrupt identification */
    UART_FCR = 2, /* write: FIFO control */
    UART_LCR = 3, /* line control; bit 7 DLAB */
    UART_MCR = 4, /* modem control */
    UART_LSR = 5, /* line status */
    UART_MSR = 6, /* modem status */
    UART_SCR = 7, /* scratch */
};

/* Register bits used by the model and its tests. */
#define UART_IER_ERBFI 0x01 /* received data available */
#define UART_IER_ETBEI 0x02 /* transmitter holding register empty */
#define UART_IER_ELSI 0x04  /* receiver line status */
#define UART_IER_EDSSI 0x08 /* modem status */
#define UART_IIR_NONE 0x01
#define UART_IIR_MSR 0x00
#define UART_IIR_THRE 0x02
#define UART_IIR_RDA 0x04
#define UART_IIR_RLS 0x06
#define UART_IIR_TIMEOUT 0x0C
#define UART_IIR_FIFO 0xC0
#define UART_LCR_DLAB 0x80
#define UART_MCR_DTR 0x01
#define UART_MCR_RTS 0x02
#define UART_MCR_OUT1 0x04
#define UART_MCR_OUT2 0x08
#define UART_MCR_LOOP 0x10
#define UART_LSR_DR 0x01
#define UART_LSR_OE 0x02
#define UART_LSR_THRE 0x20
#define UART_LSR_TEMT 0x40

struct uart {
    uint16_t base;
    struct irq_line irq;
    void (*tx)(void *opaque, uint8_t byte);
    void *tx_opaque;
    /* On a PC the UART's INTR pin reaches the PIC through a buffer enabled
     * by the OUT2 pin, so a guest must set MCR bit 3 to get interrupts
     * (Linux does; xv6's uartinit writes MCR=0 and then gets none on real
     * hardware, while QEMU delivers them anyway).  true by default, as on
     * the PC; set false to behave like QEMU. */
    bool out2_gates_irq;

    uint8_t ier, lcr, mcr, msr, scr, fcr;
    uint8_t lsr_errors; /* OE, PE, FE, BI until LSR is read */
    uint16_t divisor;
    uint8_t rbr; /* the last byte read out of the receiver */
    uint8_t rx[UART_FIFO_SIZE];
    int rx_head, rx_count;
    bool thre_pending; /* the THRE interrupt condition */
    bool irq_level;    /* level driven on the IRQ line */
};

void uart_init(struct uart *uart, uint16_t base, struct irq_line irq,
               void (*tx)(void *opaque, uint8_t byte), void *tx_opaque);
/* What SeaBIOS leaves on COM1 (measured under QEMU 7.2): divisor 12
 * (9600 baud), MCR 0x08 (OUT2 on, so IRQs pass the PC's gate). */
void uart_bios_setup(struct uart *uart);
/* Claims base .. base+7. */
bool uart_register(struct uart *uart, struct bus *bus);

/* Host to guest: a byte arrives on the serial line.  false when the
 * receiver cannot take it now (FIFO or holding register full, or loopback
 * mode, which disconnects the serial input); the caller retries later. */
bool uart_receive(struct uart *uart, uint8_t byte);
bool uart_can_receive(const struct uart *uart);

/* The INTR output before the OUT2 gate. */
bool uart_interrupt_pending(const struct uart *uart);

uint8_t uart_read(struct uart *uart, uint16_t offset);
void uart_write(struct uart *uart, uint16_t offset, uint8_t value);

#endif
