/* uart.c — COM1, a 16550 UART at I/O port 0x3F8 (National Semiconductor
 * PC16550D datasheet). Output waits for the transmitter to be empty; input
 * raises IRQ 4 for each byte received. */
#include "defs.h"
#include "x86.h"

#define COM1 0x3F8
/* Register offsets from the base port. */
#define UART_RBR 0 /* read: receive buffer */
#define UART_THR 0 /* write: transmit holding register */
#define UART_IER 1 /* interrupt enable */
#define UART_DLL 0 /* divisor latch, low byte (when LCR.DLAB = 1) */
#define UART_DLM 1 /* divisor latch, high byte */
#define UART_FCR 2 /* FIFO control */
#define UART_LCR 3 /* line control */
#define UART_MCR 4 /* modem control */
#define UART_LSR 5 /* line status */

#define LCR_DLAB 0x80
#define LCR_8N1  0x03 /* 8 data bits, no parity, 1 stop bit */
#define IER_RDA  0x01 /* interrupt when received data is available */
#define MCR_DTR  0x01
#define MCR_RTS  0x02
#define MCR_OUT2 0x08 /* on a PC, OUT2 connects the UART's interrupt to the PIC */
#define LSR_DR   0x01 /* a byte is waiting in RBR */
#define LSR_THRE 0x20 /* THR is empty: we may send */

void uart_init(void)
{
    outb(COM1 + UART_IER, 0); /* no interrupts while we set up */
    outb(COM1 + UART_LCR, LCR_DLAB);
    outb(COM1 + UART_DLL, 1); /* 115200 / 1 = 115200 baud */
    outb(COM1 + UART_DLM, 0);
    outb(COM1 + UART_LCR, LCR_8N1);
    outb(COM1 + UART_FCR, 0x07); /* FIFOs on and cleared, trigger at 1 byte */
    outb(COM1 + UART_MCR, MCR_DTR | MCR_RTS | MCR_OUT2);
    outb(COM1 + UART_IER, IER_RDA);
    (void)inb(COM1 + UART_RBR); /* drop anything stale */
}

void uart_putc(int c)
{
    if (c == '\n')
        uart_putc('\r'); /* a terminal needs CR LF */
    for (int i = 0; i < 100000 && !(inb(COM1 + UART_LSR) & LSR_THRE); i++)
        ;
    outb(COM1 + UART_THR, c);
}

/* IRQ 4: take every byte the UART holds. */
void uart_intr(void)
{
    while (inb(COM1 + UART_LSR) & LSR_DR)
        console_intr(inb(COM1 + UART_RBR));
}
