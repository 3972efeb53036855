/* The PC's two cascaded Intel 8259A programmable interrupt controllers:
 * master at ports 0x20/0x21 (IRQ 0-7), slave at 0xA0/0xA1 (IRQ 8-15) wired
 * to the master's IR2, and the PIIX edge/level control registers (ELCR) at
 * 0x4D0/0x4D1.  Pure state machine: devices raise lines with pic_set_irq,
 * the machine asks pic_has_interrupt and runs the INTA cycle with
 * pic_acknowledge. */
#ifndef RINGLAB_PIC8259_H
#define RINGLAB_PIC8259_H

#include <stdbool.h>
#include <stdint.h>

#include "devices/bus.h"
#include "devices/irq.h"

#define PIC_MASTER_BASE 0x20
#define PIC_SLAVE_BASE 0xA0
#define PIC_ELCR_BASE 0x4D0
#define PIC_CASCADE_IR 2

/* One 8259A. */
struct pic_chip {
    uint8_t irr;  /* interrupt request register */
    uint8_t isr;  /* in-service register */
    uint8_t imr;  /* interrupt mask register (OCW1) */
    uint8_t pins; /* current level of each IR input */
    uint8_t elcr; /* inputs the chipset's ELCR makes level-triggered */
    uint8_t elcr_mask;   /* ELCR bits that may be set on this chip */
    uint8_t vector_base; /* ICW2, low three bits zero */
    uint8_t icw3;        /* master: which IRs have slaves; slave: its ID */
    uint8_t init_step;   /* 0 ready; 2, 3, 4: the ICW expected next */
    uint8_t lowest;      /* the IR that currently has the lowest priority */
    bool icw4_needed;    /* ICW1 IC4 */
    bool single;         /* ICW1 SNGL (recorded; the PC is always cascaded) */
    bool ltim;           /* ICW1 LTIM: all inputs level-triggered */
    bool auto_eoi;       /* ICW4 AEOI */
    bool sfnm;           /* ICW4 special fully nested mode */
    bool rotate_on_aeoi; /* OCW2 R=1 SL=0 EOI=0 */
    bool special_mask;   /* OCW3 SMM */
    bool read_isr;       /* OCW3 RR/RIS: port A reads ISR instead of IRR */
    bool poll;           /* OCW3 P: the next read of port A is the poll word */
    bool is_master;
};

struct pic_pair {
    struct pic_chip master, slave;
    uint64_t spurious; /* INTA cycles that found no request (vector 7/15) */
};

/* Power-on state (the 8259A is not initialised until it sees ICW1; like QEMU
 * ringlab starts it ready, with vector base 0, nothing masked). */
void pic_init(struct pic_pair *pic);
/* The state SeaBIOS leaves before QEMU starts a Multiboot kernel (measured
 * under QEMU 7.2): master ICWs 0x11, 0x08, 0x04, 0x01, slave 0x11, 0x70,
 * 0x02, 0x01; IMR 0xB8 on the master (IRQ 0, 1, 2, 6 open) and 0x8E on the
 * slave (IRQ 8, 12, 13, 14 open).  For machines that boot a kernel without
 * a BIOS and want the guest to find what it finds under QEMU. */
void pic_bios_setup(struct pic_pair *pic);
/* Claims 0x20-0x21, 0xA0-0xA1 and 0x4D0-0x4D1. */
bool pic_register(struct pic_pair *pic, struct bus *bus);

/* Drives input irq (0..15) to level (0 or 1).  Edge-triggered inputs latch a
 * request on a low-to-high transition; level-triggered ones follow level. */
void pic_set_irq(struct pic_pair *pic, int irq, int level);
/* A line to hand to a device; its irq_set calls pic_set_irq. */
struct irq_line pic_irq_line(struct pic_pair *pic, int irq);

/* The master's INT output: an unmasked request outranks what is in service. */
bool pic_has_interrupt(const struct pic_pair *pic);
/* The INTA cycle: returns the vector the CPU reads (always 0..255). */
int pic_acknowledge(struct pic_pair *pic);

/* Port access, also used by the bus handlers. */
uint8_t pic_read(struct pic_pair *pic, uint16_t port);
void pic_write(struct pic_pair *pic, uint16_t port, uint8_t value);

#endif
