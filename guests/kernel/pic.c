/* pic.c — the two cascaded 8259A interrupt controllers (Intel 8259A
 * datasheet). At power-on they deliver IRQ 0-7 as vectors 8-15, which the
 * CPU uses for exceptions; we move IRQ 0-15 to vectors 32-47. */
#include "defs.h"
#include "x86.h"
#include "trap.h"

#define PIC1_CMD  0x20
#define PIC1_DATA 0x21
#define PIC2_CMD  0xA0
#define PIC2_DATA 0xA1
#define PIC_EOI   0x20 /* OCW2: non-specific end of interrupt */

static uint16_t irq_mask = 0xFFFF & ~(1 << 2); /* all off but the cascade (IRQ 2) */

static void pic_write_mask(void)
{
    outb(PIC1_DATA, irq_mask);
    outb(PIC2_DATA, irq_mask >> 8);
}

void pic_init(void)
{
    /* ICW1: start initialisation, ICW4 follows, cascade mode, edge triggered. */
    outb(PIC1_CMD, 0x11);
    outb(PIC2_CMD, 0x11);
    /* ICW2: vector base. */
    outb(PIC1_DATA, T_IRQ0);
    outb(PIC2_DATA, T_IRQ0 + 8);
    /* ICW3: the slave hangs on the master's IRQ 2. */
    outb(PIC1_DATA, 1 << 2);
    outb(PIC2_DATA, 2);
    /* ICW4: 8086 mode, normal (not automatic) end of interrupt. */
    outb(PIC1_DATA, 0x01);
    outb(PIC2_DATA, 0x01);
    pic_write_mask();
}

void pic_enable(int irq)
{
    irq_mask &= ~(1 << irq);
    pic_write_mask();
}

/* Tell the PIC the interrupt is handled, so it can deliver the next one.
 * IRQ 8-15 come through the slave, which needs its own EOI. */
void pic_eoi(int irq)
{
    if (irq >= 8)
        outb(PIC2_CMD, PIC_EOI);
    outb(PIC1_CMD, PIC_EOI);
}

/* Is the IRQ waiting to be delivered? OCW3 0x0A makes the next read of the
 * command port return the interrupt request register (8259A datasheet,
 * "Reading the 8259A status"), one bit per line. Master lines only. */
int pic_pending(int irq)
{
    outb(PIC1_CMD, 0x0A);
    return (inb(PIC1_CMD) >> irq) & 1;
}
