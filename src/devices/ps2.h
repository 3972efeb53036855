/* The PC/AT keyboard controller (an Intel 8042: data port 0x60, status and
 * command port 0x64) with a keyboard on its first port (IRQ 1) and nothing
 * on the second (no mouse: the controller answers as a single-port one).
 * The keyboard speaks scan code set 1 as the controller's translation
 * delivers it; the host feeds it with ps2_key_scancode / ps2_key_ascii. */
#ifndef RINGLAB_PS2_H
#define RINGLAB_PS2_H

#include <stdbool.h>
#include <stdint.h>

#include "devices/bus.h"
#include "devices/irq.h"

#define PS2_DATA_PORT 0x60
#define PS2_STATUS_PORT 0x64
#define PS2_KBD_QUEUE 256

/* Status register bits (port 0x64, read). */
#define PS2_STAT_OBF 0x01    /* output buffer full: port 0x60 has a byte */
#define PS2_STAT_IBF 0x02    /* input buffer full: never, commands act at once */
#define PS2_STAT_SYS 0x04    /* system flag: self test passed */
#define PS2_STAT_CMD 0x08    /* last write was to port 0x64 */
#define PS2_STAT_UNLOCK 0x10 /* keyboard not inhibited by the keylock */

/* Command byte bits (controller RAM byte 0). */
#define PS2_CB_KBD_INT 0x01
#define PS2_CB_SYS 0x04
#define PS2_CB_KBD_DISABLE 0x10
#define PS2_CB_AUX_DISABLE 0x20
#define PS2_CB_XLATE 0x40

struct ps2 {
    struct irq_line irq1;
    void (*reset)(void *opaque);
    void *reset_opaque;

    /* controller */
    uint8_t ram[32];     /* ram[0] is the command byte */
    bool sys_flag;       /* status bit 2: set by the self test, as in QEMU */
    bool last_was_cmd;   /* status bit 3 */
    uint8_t outport;     /* bit 0 reset line (0 = reset), bit 1 A20 gate */
    uint8_t pending_cmd; /* a controller command waiting for its data byte */
    bool obf;
    uint8_t out;         /* the output buffer */
    uint8_t ctl_q[8];    /* controller replies, before keyboard bytes */
    int ctl_n;
    bool irq_level;

    /* keyboard */
    uint8_t kbd_q[PS2_KBD_QUEUE];
    int kbd_head, kbd_n;
    uint8_t kbd_pending; /* 0xED, 0xF0 or 0xF3 waiting for its parameter */
    bool kbd_scanning;
    uint8_t kbd_leds;
    uint8_t kbd_set;
    uint8_t kbd_typematic;
    uint8_t kbd_last; /* for 0xFE resend */
    uint64_t kbd_dropped; /* scan codes lost: scanning disabled or queue full */
};

/* The state SeaBIOS leaves (measured under QEMU 7.2): command byte 0x61
 * (IRQ 1 on, second port disabled, translation), status 0x1C (system flag
 * from the self test, last write a command, not inhibited), A20 on. */
void ps2_init(struct ps2 *ps2, struct irq_line irq1, void (*reset)(void *opaque),
              void *reset_opaque);
/* Claims 0x60 and 0x64. */
bool ps2_register(struct ps2 *ps2, struct bus *bus);

/* A scan code byte (set 1, as translated by the controller) from the
 * keyboard; dropped when the keyboard is not scanning or its queue is full. */
void ps2_key_scancode(struct ps2 *ps2, uint8_t byte);
/* Types one character on a US keyboard: make and break codes, with Shift
 * or Ctrl around them as needed.  false when the character has no key. */
bool ps2_key_ascii(struct ps2 *ps2, char c);
/* Free room in the keyboard's queue, in bytes (a character takes <= 4). */
int ps2_key_space(const struct ps2 *ps2);
/* The A20 gate as the output port sets it. */
bool ps2_a20(const struct ps2 *ps2);

uint8_t ps2_read(struct ps2 *ps2, uint16_t port);
void ps2_write(struct ps2 *ps2, uint16_t port, uint8_t value);

#endif
