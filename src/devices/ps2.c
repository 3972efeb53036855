/* The 8042 keyboard controller and an MF2 keyboard.  Controller commands
 * follow the IBM PC/AT Technical Reference ("8042:" comments); keyboard
 * commands follow the IBM PS/2 keyboard interface description ("kbd:").
 *
 * Bytes reach port 0x60 through one output buffer: controller replies first,
 * then the keyboard's queue (held back while the command byte disables the
 * keyboard).  IRQ 1 is the output-buffer-full signal gated by command byte
 * bit 0; reading port 0x60 empties the buffer, and the next byte refills it
 * with a fresh IRQ 1 edge.
 *
 * The keyboard's scan codes are delivered exactly as ps2_key_scancode gives
 * them (set 1, what a translating controller outputs); the scan code set
 * and the translation bit are recorded and reported but do not re-encode
 * them.  Only the identify reply changes with translation (0xAB 0x41 instead
 * of 0xAB 0x83), as the translation table of a real 8042 does. */
#include "devices/ps2.h"

#include <string.h>

static uint8_t *ps2_cmd_byte(struct ps2 *p)
{
    return &p->ram[0];
}

static void ps2_update_irq(struct ps2 *p)
{
    bool level = p->obf && (*ps2_cmd_byte(p) & PS2_CB_KBD_INT);
    if (level != p->irq_level) {
        p->irq_level = level;
        irq_set(&p->irq1, level);
    }
}

/* Moves the next byte into an empty output buffer. */
static void ps2_refill(struct ps2 *p)
{
    if (!p->obf) {
        if (p->ctl_n > 0) {
            p->out = p->ctl_q[0];
            memmove(p->ctl_q, p->ctl_q + 1, (size_t)(p->ctl_n - 1));
            p->ctl_n--;
            p->obf = true;
        } else if (p->kbd_n > 0 && !(*ps2_cmd_byte(p) & PS2_CB_KBD_DISABLE)) {
            p->out = p->kbd_q[p->kbd_head];
            p->kbd_head = (p->kbd_head + 1) % PS2_KBD_QUEUE;
            p->kbd_n--;
            p->obf = true;
        }
    }
    ps2_update_irq(p);
}

static void ps2_ctl_reply(struct ps2 *p, uint8_t v)
{
    if (p->ctl_n < (int)sizeof(p->ctl_q))
        p->ctl_q[p->ctl_n++] = v;
    ps2_refill(p);
}

static bool kbd_send(struct ps2 *p, uint8_t v)
{
    if (p->kbd_n >= PS2_KBD_QUEUE)
        return false;
    p->kbd_q[(p->kbd_head + p->kbd_n) % PS2_KBD_QUEUE] = v;
    p->kbd_n++;
    p->kbd_last = v;
    return true;
}

static void kbd_defaults(struct ps2 *p)
{
    p->kbd_n = 0;
    p->kbd_head = 0;
    p->kbd_pending = 0;
    p->kbd_set = 2;
    p->kbd_typematic = 0x2B; /* kbd: 10.9 characters/s, 500 ms delay */
}

/* kbd: a byte the controller sends to the keyboard. */
static void kbd_command(struct ps2 *p, uint8_t v)
{
    const uint8_t ack = 0xFA, resend = 0xFE;
    if (p->kbd_pending && !(v & 0x80)) {
        uint8_t cmd = p->kbd_pending;
        p->kbd_pending = 0;
        switch (cmd) {
        case 0xED: /* set LEDs: bit 0 Scroll, 1 Num, 2 Caps Lock */
            p->kbd_leds = v & 7;
            kbd_send(p, ack);
            break;
        case 0xF0: /* scan code set: 0 asks, 1-3 select */
            if (v == 0) {
                kbd_send(p, ack);
                kbd_send(p, p->kbd_set);
            } else if (v <= 3) {
                p->kbd_set = v;
                kbd_send(p, ack);
            } else {
                kbd_send(p, resend);
            }
            break;
        default: /* 0xF3 typematic rate and delay */
            p->kbd_typematic = v;
            kbd_send(p, ack);
            break;
        }
        return;
    }
    p->kbd_pending = 0;
    switch (v) {
    case 0xED:
    case 0xF0:
    case 0xF3:
        p->kbd_pending = v;
        kbd_send(p, ack);
        break;
    case 0xEE: /* echo */
        kbd_send(p, 0xEE);
        break;
    case 0xF2: /* identify: an MF2 keyboard */
        kbd_send(p, ack);
        kbd_send(p, 0xAB);
        kbd_send(p, (*ps2_cmd_byte(p) & PS2_CB_XLATE) ? 0x41 : 0x83);
        break;
    case 0xF4: /* enable scanning */
        p->kbd_scanning = true;
        kbd_send(p, ack);
        break;
    case 0xF5: /* disable scanning, restore defaults */
        kbd_defaults(p);
        p->kbd_scanning = false;
        kbd_send(p, ack);
        break;
    case 0xF6: /* restore defaults */
        kbd_defaults(p);
        kbd_send(p, ack);
        break;
    case 0xF7: case 0xF8: case 0xF9: case 0xFA: /* set 3 key types: accepted */
    case 0xFB: case 0xFC: case 0xFD:
        kbd_send(p, ack);
        break;
    case 0xFE: /* resend the last byte */
        kbd_send(p, p->kbd_last);
        break;
    case 0xFF: /* reset: acknowledge, self test (BAT) passed */
        kbd_defaults(p);
        p->kbd_scanning = true;
        p->kbd_leds = 0;
        kbd_send(p, ack);
        kbd_send(p, 0xAA);
        break;
    default:
        kbd_send(p, resend);
        break;
    }
}

static void ps2_pulse_reset(struct ps2 *p)
{
    if (p->reset)
        p->reset(p->reset_opaque);
}

/* 8042: a command written to port 0x64. */
static void ps2_command(struct ps2 *p, uint8_t v)
{
    if (v >= 0x20 && v <= 0x3F) { /* read controller RAM; 0x20: command byte */
        ps2_ctl_reply(p, p->ram[v - 0x20]);
        return;
    }
    if ((v >= 0x60 && v <= 0x7F) || v == 0xD1 || v == 0xD2 || v == 0xD3 || v == 0xD4) {
        p->pending_cmd = v; /* the data byte follows at port 0x60 */
        return;
    }
    if (v >= 0xF0) {
        /* Pulse output port bits 0-3 low where the command's bit is 0;
         * bit 0 is the CPU reset line. */
        if (!(v & 1))
            ps2_pulse_reset(p);
        return;
    }
    switch (v) {
    case 0xA7: /* disable the second port: there is none */
        *ps2_cmd_byte(p) |= PS2_CB_AUX_DISABLE;
        break;
    case 0xA8: /* enable the second port: none, so bit 5 stays set */
        break;
    case 0xA9: /* test the second port: 02 = clock line stuck high, nothing there */
        ps2_ctl_reply(p, 0x02);
        break;
    case 0xAA: /* controller self test */
        p->sys_flag = true;
        ps2_ctl_reply(p, 0x55);
        break;
    case 0xAB: /* keyboard interface test: no error */
        ps2_ctl_reply(p, 0x00);
        break;
    case 0xAD: /* disable the keyboard */
        *ps2_cmd_byte(p) |= PS2_CB_KBD_DISABLE;
        break;
    case 0xAE: /* enable the keyboard */
        *ps2_cmd_byte(p) &= (uint8_t)~PS2_CB_KBD_DISABLE;
        ps2_refill(p);
        break;
    case 0xC0: /* read input port: keyboard not inhibited */
        ps2_ctl_reply(p, 0x80);
        break;
    case 0xD0: /* read output port; bit 4 mirrors output buffer full */
        ps2_ctl_reply(p, (uint8_t)((p->outport & ~0x10) | (p->obf ? 0x10 : 0)));
        break;
    case 0xDD: /* A20 off */
        p->outport &= (uint8_t)~0x02;
        break;
    case 0xDF: /* A20 on */
        p->outport |= 0x02;
        break;
    case 0xE0: /* read test inputs */
        ps2_ctl_reply(p, 0x00);
        break;
    default:
        break;
    }
}

/* A byte written to port 0x60: the data of a pending controller command,
 * or else a byte for the keyboard. */
static void ps2_data(struct ps2 *p, uint8_t v)
{
    uint8_t cmd = p->pending_cmd;
    p->pending_cmd = 0;
    if (cmd >= 0x60 && cmd <= 0x7F) {
        p->ram[cmd - 0x60] = v;
        if (cmd == 0x60)
            p->ram[0] |= PS2_CB_AUX_DISABLE; /* no second port to enable */
        ps2_refill(p);
        return;
    }
    switch (cmd) {
    case 0xD1: /* write output port: bit 0 low asserts CPU reset */
        p->outport = v;
        if (!(v & 1))
            ps2_pulse_reset(p);
        return;
    case 0xD2: /* write keyboard output buffer: as if the keyboard sent it */
        ps2_ctl_reply(p, v);
        return;
    case 0xD3: /* write second port output buffer: no second port */
    case 0xD4: /* write to the second port's device: nothing listens */
        return;
    default:
        break;
    }
    kbd_command(p, v);
    ps2_refill(p);
}

void ps2_init(struct ps2 *p, struct irq_line irq1, void (*reset)(void *opaque),
              void *reset_opaque)
{
    memset(p, 0, sizeof(*p));
    p->irq1 = irq1;
    p->reset = reset;
    p->reset_opaque = reset_opaque;
    p->ram[0] = PS2_CB_KBD_INT | PS2_CB_AUX_DISABLE | PS2_CB_XLATE;
    p->sys_flag = true;
    p->last_was_cmd = true;
    p->outport = 0x03;
    kbd_defaults(p);
    p->kbd_scanning = true;
}

uint8_t ps2_read(struct ps2 *p, uint16_t port)
{
    if (port == PS2_STATUS_PORT) {
        return (uint8_t)((p->obf ? PS2_STAT_OBF : 0) | (p->sys_flag ? PS2_STAT_SYS : 0) |
                         (p->last_was_cmd ? PS2_STAT_CMD : 0) | PS2_STAT_UNLOCK);
    }
    /* Reading with the buffer empty returns the last byte again. */
    uint8_t v = p->out;
    p->obf = false;
    ps2_update_irq(p); /* the line falls... */
    ps2_refill(p);     /* ...and rises again if more is waiting */
    return v;
}

void ps2_write(struct ps2 *p, uint16_t port, uint8_t value)
{
    if (port == PS2_STATUS_PORT) {
        p->last_was_cmd = true;
        ps2_command(p, value);
    } else {
        p->last_was_cmd = false;
        ps2_data(p, value);
    }
}

void ps2_key_scancode(struct ps2 *p, uint8_t byte)
{
    if (!p->kbd_scanning || !kbd_send(p, byte))
        p->kbd_dropped++;
    ps2_refill(p);
}

int ps2_key_space(const struct ps2 *p)
{
    return PS2_KBD_QUEUE - p->kbd_n;
}

bool ps2_a20(const struct ps2 *p)
{
    return (p->outport & 0x02) != 0;
}

/* Set 1 make codes 0x00-0x39 of a US keyboard, unshifted and shifted. */
static const char key_plain[] = "\0\x1b"
                                "1234567890-=\b\tqwertyuiop[]\n\0asdfghjkl;'`\0\\zxcvbnm,./\0*\0 ";
static const char key_shift[] = "\0\x1b"
                                "!@#$%^&*()_+\b\tQWERTYUIOP{}\n\0ASDFGHJKL:\"~\0|ZXCVBNM<>?\0*\0 ";

_Static_assert(sizeof(key_plain) == 0x3B && sizeof(key_shift) == 0x3B,
               "one character per scan code 0x00-0x39");

#define KEY_LSHIFT 0x2A
#define KEY_LCTRL 0x1D

static void ps2_key_press(struct ps2 *p, uint8_t code, uint8_t modifier)
{
    if (modifier)
        ps2_key_scancode(p, modifier);
    ps2_key_scancode(p, code);
    ps2_key_scancode(p, (uint8_t)(code | 0x80)); /* break code */
    if (modifier)
        ps2_key_scancode(p, (uint8_t)(modifier | 0x80));
}

bool ps2_key_ascii(struct ps2 *p, char c)
{
    if (c == '\r')
        c = '\n';
    if (c == 0)
        return false;
    for (uint8_t code = 1; code < sizeof(key_plain) - 1; code++) {
        if (key_plain[code] == c) {
            ps2_key_press(p, code, 0);
            return true;
        }
    }
    for (uint8_t code = 1; code < sizeof(key_shift) - 1; code++) {
        if (key_shift[code] == c) {
            ps2_key_press(p, code, KEY_LSHIFT);
            return true;
        }
    }
    /* Control characters: Ctrl and the letter (Ctrl-A = 0x01 ...). */
    if (c >= 1 && c <= 26) {
        char letter = (char)('a' + c - 1);
        for (uint8_t code = 1; code < sizeof(key_plain) - 1; code++) {
            if (key_plain[code] == letter) {
                ps2_key_press(p, code, KEY_LCTRL);
                return true;
            }
        }
    }
    return false;
}

/* ------------------------------------------------------------------ bus */

static uint32_t ps2_io_read(void *opaque, uint16_t port, int size)
{
    (void)size; /* one 8-bit register per port; a wide read gets it in the low byte */
    return 0xFFFFFF00u | ps2_read(opaque, port);
}

static void ps2_io_write(void *opaque, uint16_t port, uint32_t value, int size)
{
    (void)size;
    ps2_write(opaque, port, (uint8_t)value);
}

bool ps2_register(struct ps2 *ps2, struct bus *bus)
{
    const struct io_handler data = {PS2_DATA_PORT, 1, "ps2-data", ps2, ps2_io_read, ps2_io_write};
    const struct io_handler cmd = {PS2_STATUS_PORT, 1, "ps2-cmd", ps2, ps2_io_read, ps2_io_write};
    return bus_register(bus, &data) && bus_register(bus, &cmd);
}
