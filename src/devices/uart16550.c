/* The 16550A UART.  Rules come from the National Semiconductor PC16550D
 * datasheet; "16550:" comments name the section.
 *
 * Time-dependent behaviour is collapsed to the instant: a byte written to
 * THR is on the line at once (THRE and TEMT are set again before the next
 * access), and the character-timeout indication (IIR 0xC) is given as soon
 * as the receive FIFO holds data below its trigger level, because host
 * input arrives between guest runs and "four character times without
 * input" has no better meaning here. */
#include "devices/uart16550.h"

#include <string.h>

static int uart_rx_capacity(const struct uart *u)
{
    return (u->fcr & 0x01) ? UART_FIFO_SIZE : 1; /* 16450 mode: one holding register */
}

static int uart_rx_trigger(const struct uart *u)
{
    static const int levels[4] = {1, 4, 8, 14};
    return (u->fcr & 0x01) ? levels[u->fcr >> 6] : 1;
}

static bool uart_loopback(const struct uart *u)
{
    return (u->mcr & UART_MCR_LOOP) != 0;
}

/* 16550: "Interrupt Identification Register", Table IV: the pending
 * interrupt of highest priority. */
static uint8_t uart_iir_id(const struct uart *u)
{
    if ((u->ier & UART_IER_ELSI) && (u->lsr_errors & 0x1E))
        return UART_IIR_RLS;
    if ((u->ier & UART_IER_ERBFI) && u->rx_count > 0)
        return u->rx_count >= uart_rx_trigger(u) ? UART_IIR_RDA : UART_IIR_TIMEOUT;
    if ((u->ier & UART_IER_ETBEI) && u->thre_pending)
        return UART_IIR_THRE;
    if ((u->ier & UART_IER_EDSSI) && (u->msr & 0x0F))
        return UART_IIR_MSR;
    return UART_IIR_NONE;
}

bool uart_interrupt_pending(const struct uart *u)
{
    return uart_iir_id(u) != UART_IIR_NONE;
}

static void uart_update(struct uart *u)
{
    bool level = uart_interrupt_pending(u);
    /* PC serial port: IRQ driver enabled by the OUT2 pin; in loopback the
     * 16550 forces OUT2 inactive (16550: "MCR bit 4"), so no IRQ then. */
    if (u->out2_gates_irq && (!(u->mcr & UART_MCR_OUT2) || uart_loopback(u)))
        level = false;
    if (level != u->irq_level) {
        u->irq_level = level;
        irq_set(&u->irq, level);
    }
}

static void uart_rx_clear(struct uart *u)
{
    u->rx_head = 0;
    u->rx_count = 0;
}

static bool uart_rx_push(struct uart *u, uint8_t byte)
{
    if (u->rx_count >= uart_rx_capacity(u))
        return false;
    u->rx[(u->rx_head + u->rx_count) % UART_FIFO_SIZE] = byte;
    u->rx_count++;
    return true;
}

/* In loopback the modem status inputs follow the modem control outputs:
 * CTS = RTS, DSR = DTR, RI = OUT1, DCD = OUT2.  Out of loopback the host
 * side looks like a connected modem: CTS, DSR and DCD high. */
static void uart_set_modem_inputs(struct uart *u)
{
    uint8_t in;
    if (uart_loopback(u))
        in = (uint8_t)(((u->mcr & UART_MCR_RTS) ? 0x10 : 0) | ((u->mcr & UART_MCR_DTR) ? 0x20 : 0) |
                       ((u->mcr & UART_MCR_OUT1) ? 0x40 : 0) | ((u->mcr & UART_MCR_OUT2) ? 0x80 : 0));
    else
        in = 0xB0;
    uint8_t old = u->msr & 0xF0, changed = old ^ in;
    uint8_t delta = u->msr & 0x0F;
    if (changed & 0x10)
        delta |= 0x01; /* DCTS */
    if (changed & 0x20)
        delta |= 0x02; /* DDSR */
    if ((old & 0x40) && !(in & 0x40))
        delta |= 0x04; /* TERI: trailing edge of RI */
    if (changed & 0x80)
        delta |= 0x08; /* DDCD */
    u->msr = in | delta;
}

void uart_init(struct uart *u, uint16_t base, struct irq_line irq,
               void (*tx)(void *opaque, uint8_t byte), void *tx_opaque)
{
    memset(u, 0, sizeof(*u));
    u->base = base;
    u->irq = irq;
    u->tx = tx;
    u->tx_opaque = tx_opaque;
    u->out2_gates_irq = true;
    /* 16550: Table V "UART Reset Configuration": IER, FCR, LCR, MCR 0;
     * IIR 0x01; LSR 0x60.  MSR reflects the (connected) inputs. */
    u->msr = 0xB0;
}

void uart_bios_setup(struct uart *u)
{
    u->divisor = 12;
    uart_write(u, UART_MCR, UART_MCR_OUT2);
    u->msr &= 0xF0; /* no modem status change to report */
}

bool uart_can_receive(const struct uart *u)
{
    return !uart_loopback(u) && u->rx_count < uart_rx_capacity(u);
}

bool uart_receive(struct uart *u, uint8_t byte)
{
    if (uart_loopback(u) || !uart_rx_push(u, byte))
        return false;
    uart_update(u);
    return true;
}

static void uart_transmit(struct uart *u, uint8_t byte)
{
    /* 16550: writing THR clears the THRE interrupt... */
    u->thre_pending = false;
    uart_update(u);
    if (uart_loopback(u)) {
        /* 16550 "MCR bit 4": the transmitter output is looped back to the
         * receiver input. */
        if (!uart_rx_push(u, byte))
            u->lsr_errors |= UART_LSR_OE;
    } else if (u->tx) {
        u->tx(u->tx_opaque, byte);
    }
    /* ...and the byte moves on at once, so THR is empty again: a new THRE
     * interrupt (the IRQ line falls and rises: a fresh edge for the PIC). */
    u->thre_pending = true;
}

uint8_t uart_read(struct uart *u, uint16_t offset)
{
    uint8_t v = 0;
    switch (offset & 7) {
    case UART_RBR:
        if (u->lcr & UART_LCR_DLAB) {
            v = (uint8_t)u->divisor;
            break;
        }
        if (u->rx_count > 0) {
            u->rbr = u->rx[u->rx_head];
            u->rx_head = (u->rx_head + 1) % UART_FIFO_SIZE;
            u->rx_count--;
        }
        v = u->rbr;
        break;
    case UART_IER:
        v = (u->lcr & UART_LCR_DLAB) ? (uint8_t)(u->divisor >> 8) : u->ier;
        break;
    case UART_IIR:
        v = uart_iir_id(u);
        /* 16550: reading IIR while THRE is the source clears it. */
        if (v == UART_IIR_THRE)
            u->thre_pending = false;
        if (u->fcr & 0x01)
            v |= UART_IIR_FIFO;
        break;
    case UART_LCR:
        v = u->lcr;
        break;
    case UART_MCR:
        v = u->mcr;
        break;
    case UART_LSR:
        /* THR and the transmitter shift register are always empty. */
        v = (uint8_t)((u->rx_count > 0 ? UART_LSR_DR : 0) | u->lsr_errors | UART_LSR_THRE |
                      UART_LSR_TEMT);
        u->lsr_errors = 0; /* 16550: OE, PE, FE, BI clear when LSR is read */
        break;
    case UART_MSR:
        v = u->msr;
        u->msr &= 0xF0; /* delta bits clear when MSR is read */
        break;
    default:
        v = u->scr;
        break;
    }
    uart_update(u);
    return v;
}

void uart_write(struct uart *u, uint16_t offset, uint8_t v)
{
    switch (offset & 7) {
    case UART_THR:
        if (u->lcr & UART_LCR_DLAB)
            u->divisor = (uint16_t)((u->divisor & 0xFF00) | v);
        else
            uart_transmit(u, v);
        break;
    case UART_IER:
        if (u->lcr & UART_LCR_DLAB) {
            u->divisor = (uint16_t)((u->divisor & 0x00FF) | v << 8);
        } else {
            /* Enabling ETBEI while THR is empty raises THRE at once. */
            if ((v & UART_IER_ETBEI) && !(u->ier & UART_IER_ETBEI))
                u->thre_pending = true;
            u->ier = v & 0x0F;
        }
        break;
    case UART_FCR:
        /* 16550 "FIFO Control Register": FCR0 enables the FIFOs and must
         * be set for the other bits to take; changing it clears them. */
        if ((v ^ u->fcr) & 0x01)
            uart_rx_clear(u);
        if (!(v & 0x01)) {
            u->fcr = 0;
            break;
        }
        if (v & 0x02)
            uart_rx_clear(u);
        u->fcr = v & 0xC9; /* the reset bits 1-2 self-clear */
        break;
    case UART_LCR:
        u->lcr = v;
        break;
    case UART_MCR:
        u->mcr = v & 0x1F;
        uart_set_modem_inputs(u);
        break;
    case UART_LSR: /* factory test only */
    case UART_MSR:
        break;
    default:
        u->scr = v;
        break;
    }
    uart_update(u);
}

/* ------------------------------------------------------------------ bus */

static uint8_t uart_read8(void *opaque, uint16_t port)
{
    struct uart *u = opaque;
    return uart_read(u, (uint16_t)(port - u->base));
}

static void uart_write8(void *opaque, uint16_t port, uint8_t value)
{
    struct uart *u = opaque;
    uart_write(u, (uint16_t)(port - u->base), value);
}

static uint32_t uart_io_read(void *opaque, uint16_t port, int size)
{
    struct uart *u = opaque;
    return bus_read_bytes(uart_read8, opaque, u->base, 8, port, size);
}

static void uart_io_write(void *opaque, uint16_t port, uint32_t value, int size)
{
    struct uart *u = opaque;
    bus_write_bytes(uart_write8, opaque, u->base, 8, port, value, size);
}

bool uart_register(struct uart *u, struct bus *bus)
{
    const struct io_handler h = {u->base, 8, "uart16550", u, uart_io_read, uart_io_write};
    return bus_register(bus, &h);
}
