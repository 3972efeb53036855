/* The two cascaded 8259A PICs of the PC and the PIIX ELCR.  Rules come from
 * the Intel 8259A datasheet (order no. 231468); "8259A:" comments name the
 * section a rule is taken from.
 *
 * One departure, on purpose: the datasheet requires an edge-triggered IR
 * input to stay high until the first INTA, otherwise the INTA returns IR7.
 * ringlab's devices are evaluated at discrete instants (a timer may rise and
 * fall within one pic_set_irq pair between two guest runs), so a request
 * latched by a rising edge stays in IRR until it is acknowledged or masked
 * away, as in QEMU.  A spurious IR7 still happens the datasheet's other
 * way: the request is masked (or, level-triggered, withdrawn) between INT
 * and INTA.  The slave's spurious IR7 (IRQ 15) needs the slave's request to
 * vanish between the master's and the slave's half of one INTA cycle; the
 * INTA here is atomic, so that path is kept for completeness but no
 * sequence of calls reaches it. */
#include "devices/pic8259.h"

#include <string.h>

/* ------------------------------------------------------------------ chip */

static bool chip_level_triggered(const struct pic_chip *c, int ir)
{
    return c->ltim || (c->elcr & (1u << ir));
}

/* Priority rank 0 (highest) .. 7 (lowest) of input ir under the current
 * rotation.  8259A "Interrupt Sequence"/"Rotation": after reset IR0 is the
 * highest and IR7 the lowest; rotation makes `lowest` the lowest. */
static int chip_rank(const struct pic_chip *c, int ir)
{
    return (ir - c->lowest - 1) & 7;
}

/* The set bit of mask with the highest priority, or -1. */
static int chip_highest(const struct pic_chip *c, uint8_t mask)
{
    for (int rank = 0; rank < 8; rank++) {
        int ir = (c->lowest + 1 + rank) & 7;
        if (mask & (1u << ir))
            return ir;
    }
    return -1;
}

/* The request the chip would present now, or -1: the highest-priority
 * unmasked IRR bit, if it outranks every level in service.
 * 8259A "Fully Nested Mode": an in-service level blocks itself and every
 * lower one.  "Special Fully Nested Mode": the master lets a slave (IR2)
 * request through even while IR2 is in service.  "Special Mask Mode": a
 * masked in-service level blocks nothing. */
static int chip_request(const struct pic_chip *c)
{
    int ir = chip_highest(c, c->irr & (uint8_t)~c->imr);
    if (ir < 0)
        return -1;
    uint8_t blocking = c->isr;
    if (c->special_mask)
        blocking &= (uint8_t)~c->imr;
    if (c->is_master && c->sfnm)
        blocking &= (uint8_t)~(1u << PIC_CASCADE_IR);
    int busy = chip_highest(c, blocking);
    if (busy >= 0 && chip_rank(c, busy) <= chip_rank(c, ir))
        return -1;
    return ir;
}

static void chip_set_pin(struct pic_chip *c, int ir, int level)
{
    uint8_t bit = (uint8_t)(1u << ir);
    if (chip_level_triggered(c, ir)) {
        /* 8259A "Level Triggered Mode": IRR follows the input. */
        if (level)
            c->irr |= bit;
        else
            c->irr &= (uint8_t)~bit;
    } else if (level && !(c->pins & bit)) {
        /* 8259A "Edge Triggered Mode": a low-to-high transition. */
        c->irr |= bit;
    }
    if (level)
        c->pins |= bit;
    else
        c->pins &= (uint8_t)~bit;
}

/* The INTA pulses as seen by one chip for input ir: ISR set (unless AEOI),
 * IRR cleared for an edge request (a level request stays while its input is
 * high). */
static void chip_ack(struct pic_chip *c, int ir)
{
    uint8_t bit = (uint8_t)(1u << ir);
    if (!chip_level_triggered(c, ir))
        c->irr &= (uint8_t)~bit;
    if (c->auto_eoi) {
        /* 8259A "Automatic End of Interrupt Mode": the ISR bit is reset at
         * the end of the last INTA; with rotate-in-AEOI it becomes lowest. */
        if (c->rotate_on_aeoi)
            c->lowest = (uint8_t)ir;
    } else {
        c->isr |= bit;
    }
}

/* Power-on / ICW1 reset of the programmable state. */
static void chip_reset(struct pic_chip *c)
{
    /* 8259A "Initialization Command Word 1": the edge sense circuit is
     * reset, IMR cleared, IR7 gets the lowest priority, special mask mode
     * cleared, status read set to IRR, ICW4 functions zero if IC4=0.  IRR
     * and ISR are cleared as well (the datasheet leaves them unspecified). */
    c->irr = 0;
    c->isr = 0;
    c->imr = 0;
    c->lowest = 7;
    c->special_mask = false;
    c->read_isr = false;
    c->poll = false;
    c->auto_eoi = false;
    c->sfnm = false;
    c->rotate_on_aeoi = false;
    c->init_step = 0;
    /* Level-triggered inputs that are high are requests at once. */
    for (int ir = 0; ir < 8; ir++)
        if (chip_level_triggered(c, ir) && (c->pins & (1u << ir)))
            c->irr |= (uint8_t)(1u << ir);
}

static void chip_write_cmd(struct pic_chip *c, uint8_t v)
{
    if (v & 0x10) {
        /* ICW1: A0=0, D4=1.  D0 IC4, D1 SNGL, D3 LTIM (D2 ADI and D7-D5
         * are for 8080 mode only). */
        c->ltim = (v & 0x08) != 0;
        c->single = (v & 0x02) != 0;
        c->icw4_needed = (v & 0x01) != 0;
        chip_reset(c);
        c->init_step = 2;
        return;
    }
    if (v & 0x08) {
        /* OCW3: D6 ESMM, D5 SMM, D2 P, D1 RR, D0 RIS. */
        if (v & 0x40)
            c->special_mask = (v & 0x20) != 0;
        if (v & 0x04)
            c->poll = true;
        if (v & 0x02)
            c->read_isr = (v & 0x01) != 0;
        return;
    }
    /* OCW2: D7 R, D6 SL, D5 EOI, D2-D0 level. */
    int level = v & 7;
    int ir;
    switch (v >> 5) {
    case 1: /* non-specific EOI: reset the highest-priority ISR bit */
        ir = chip_highest(c, c->isr);
        if (ir >= 0)
            c->isr &= (uint8_t)~(1u << ir);
        break;
    case 3: /* specific EOI */
        c->isr &= (uint8_t)~(1u << level);
        break;
    case 5: /* rotate on non-specific EOI: the level just served goes last */
        ir = chip_highest(c, c->isr);
        if (ir >= 0) {
            c->isr &= (uint8_t)~(1u << ir);
            c->lowest = (uint8_t)ir;
        }
        break;
    case 7: /* rotate on specific EOI */
        c->isr &= (uint8_t)~(1u << level);
        c->lowest = (uint8_t)level;
        break;
    case 6: /* set priority: level becomes the lowest */
        c->lowest = (uint8_t)level;
        break;
    case 4: /* rotate in automatic EOI mode (set) */
        c->rotate_on_aeoi = true;
        break;
    case 0: /* rotate in automatic EOI mode (clear) */
        c->rotate_on_aeoi = false;
        break;
    default: /* 2: no operation */
        break;
    }
}

static void chip_write_data(struct pic_chip *c, uint8_t v)
{
    switch (c->init_step) {
    case 2: /* ICW2: T7-T3 of the vector; the IR number fills the low bits */
        c->vector_base = v & 0xF8;
        c->init_step = c->single ? (c->icw4_needed ? 4 : 0) : 3;
        break;
    case 3: /* ICW3: master - bit per slave; slave - its ID (ringlab wires IR2) */
        c->icw3 = v;
        c->init_step = c->icw4_needed ? 4 : 0;
        break;
    case 4: /* ICW4: D1 AEOI, D4 SFNM (D0 uPM, D2-D3 buffered mode: no effect) */
        c->auto_eoi = (v & 0x02) != 0;
        c->sfnm = (v & 0x10) != 0;
        c->init_step = 0;
        break;
    default: /* OCW1: the interrupt mask */
        c->imr = v;
        break;
    }
}

/* ------------------------------------------------------------------ pair */

/* The slave's INT output drives the master's IR2.  Unlike a device line
 * this one is evaluated continuously, so the datasheet's edge rule applies
 * in full: when the slave withdraws its INT before INTA (its request was
 * masked, or a level-triggered input fell) the master's IRR bit falls too. */
static void pic_update(struct pic_pair *pic)
{
    bool slave_int = chip_request(&pic->slave) >= 0;
    chip_set_pin(&pic->master, PIC_CASCADE_IR, slave_int);
    if (!slave_int && !chip_level_triggered(&pic->master, PIC_CASCADE_IR))
        pic->master.irr &= (uint8_t)~(1u << PIC_CASCADE_IR);
}

static void pic_chip_setup(struct pic_chip *c, bool master)
{
    memset(c, 0, sizeof(*c));
    c->is_master = master;
    c->lowest = 7;
    /* PIIX ELCR: IRQ 0, 1, 2, 8 and 13 are always edge-triggered. */
    c->elcr_mask = master ? 0xF8 : 0xDE;
}

void pic_init(struct pic_pair *pic)
{
    memset(pic, 0, sizeof(*pic));
    pic_chip_setup(&pic->master, true);
    pic_chip_setup(&pic->slave, false);
}

void pic_bios_setup(struct pic_pair *pic)
{
    static const uint8_t master_icw[] = {0x11, 0x08, 0x04, 0x01};
    static const uint8_t slave_icw[] = {0x11, 0x70, 0x02, 0x01};
    pic_write(pic, 0x20, master_icw[0]);
    for (int i = 1; i < 4; i++)
        pic_write(pic, 0x21, master_icw[i]);
    pic_write(pic, 0xA0, slave_icw[0]);
    for (int i = 1; i < 4; i++)
        pic_write(pic, 0xA1, slave_icw[i]);
    pic_write(pic, 0x21, 0xB8);
    pic_write(pic, 0xA1, 0x8E);
}

void pic_set_irq(struct pic_pair *pic, int irq, int level)
{
    if (irq < 0 || irq > 15)
        return;
    if (irq < 8)
        chip_set_pin(&pic->master, irq, level != 0);
    else
        chip_set_pin(&pic->slave, irq - 8, level != 0);
    pic_update(pic);
}

static void pic_line_set(void *opaque, int irq, int level)
{
    pic_set_irq(opaque, irq, level);
}

struct irq_line pic_irq_line(struct pic_pair *pic, int irq)
{
    struct irq_line line = {.set = pic_line_set, .opaque = pic, .irq = irq};
    return line;
}

bool pic_has_interrupt(const struct pic_pair *pic)
{
    return chip_request(&pic->master) >= 0;
}

int pic_acknowledge(struct pic_pair *pic)
{
    struct pic_chip *m = &pic->master, *s = &pic->slave;
    int ir = chip_request(m);
    int vector;
    if (ir < 0) {
        /* 8259A "Interrupt Sequence": no request at INTA time, the master
         * answers with IR7's vector and sets no ISR bit. */
        pic->spurious++;
        return m->vector_base | 7;
    }
    chip_ack(m, ir);
    if (ir == PIC_CASCADE_IR) {
        /* 8259A "Cascade Mode": the master puts the slave's ID on CAS0-2,
         * the slave supplies the vector.  With no request of its own the
         * slave answers IR7 (IRQ 15); the master's IR2 stays in service, so
         * the handler must send the master an EOI but not the slave. */
        int sir = chip_request(s);
        if (sir < 0) {
            pic->spurious++;
            vector = s->vector_base | 7;
        } else {
            chip_ack(s, sir);
            vector = s->vector_base | sir;
        }
        /* The slave's INT falls during INTA; a request still pending
         * raises it again, a fresh edge on the master's IR2. */
        chip_set_pin(m, PIC_CASCADE_IR, 0);
    } else {
        vector = m->vector_base | ir;
    }
    pic_update(pic);
    return vector;
}

/* 8259A "Poll Command": the read acknowledges the highest request and
 * returns 1000 0www (w = its level), or 0 with no request. */
static uint8_t chip_poll(struct pic_chip *c)
{
    c->poll = false;
    int ir = chip_request(c);
    if (ir < 0)
        return 0x00;
    chip_ack(c, ir);
    return (uint8_t)(0x80 | ir);
}

uint8_t pic_read(struct pic_pair *pic, uint16_t port)
{
    uint8_t v;
    if (port == PIC_ELCR_BASE)
        return pic->master.elcr;
    if (port == PIC_ELCR_BASE + 1)
        return pic->slave.elcr;
    struct pic_chip *c = (port & 0x80) ? &pic->slave : &pic->master;
    if (c->poll) {
        v = chip_poll(c);
        if (c == &pic->slave)
            chip_set_pin(&pic->master, PIC_CASCADE_IR, 0);
        pic_update(pic);
        return v;
    }
    if (port & 1)
        return c->imr; /* OCW1 reads back at A0=1 */
    return c->read_isr ? c->isr : c->irr;
}

void pic_write(struct pic_pair *pic, uint16_t port, uint8_t value)
{
    if (port == PIC_ELCR_BASE || port == PIC_ELCR_BASE + 1) {
        struct pic_chip *c = port == PIC_ELCR_BASE ? &pic->master : &pic->slave;
        c->elcr = value & c->elcr_mask;
        for (int ir = 0; ir < 8; ir++) /* re-sample the inputs in their new mode */
            if (chip_level_triggered(c, ir) && !(c->pins & (1u << ir)))
                c->irr &= (uint8_t)~(1u << ir);
        pic_update(pic);
        return;
    }
    struct pic_chip *c = (port & 0x80) ? &pic->slave : &pic->master;
    if (port & 1)
        chip_write_data(c, value);
    else
        chip_write_cmd(c, value);
    pic_update(pic);
}

/* ------------------------------------------------------------------ bus */

static uint8_t pic_read8(void *opaque, uint16_t port)
{
    return pic_read(opaque, port);
}

static void pic_write8(void *opaque, uint16_t port, uint8_t value)
{
    pic_write(opaque, port, value);
}

static uint32_t pic_io_read(void *opaque, uint16_t port, int size)
{
    uint16_t first = port & 0xFFFE;
    return bus_read_bytes(pic_read8, opaque, first, 2, port, size);
}

static void pic_io_write(void *opaque, uint16_t port, uint32_t value, int size)
{
    uint16_t first = port & 0xFFFE;
    bus_write_bytes(pic_write8, opaque, first, 2, port, value, size);
}

bool pic_register(struct pic_pair *pic, struct bus *bus)
{
    const struct io_handler handlers[] = {
        {PIC_MASTER_BASE, 2, "pic-master", pic, pic_io_read, pic_io_write},
        {PIC_SLAVE_BASE, 2, "pic-slave", pic, pic_io_read, pic_io_write},
        {PIC_ELCR_BASE, 2, "elcr", pic, pic_io_read, pic_io_write},
    };
    for (size_t i = 0; i < sizeof(handlers) / sizeof(handlers[0]); i++)
        if (!bus_register(bus, &handlers[i]))
            return false;
    return true;
}
