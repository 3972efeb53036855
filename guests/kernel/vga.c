/* vga.c — a mirror of the console on the VGA text screen: 80x25 cells of
 * two bytes (character, colour) at physical 0xB8000, and the blinking
 * cursor, which is moved through the CRT controller's index/data ports. */
#include "defs.h"
#include "mmu.h"
#include "x86.h"

#define COLS           80
#define ROWS           25
#define ATTR           0x0700 /* light grey on black */
#define CRTC_INDEX     0x3D4
#define CRTC_DATA      0x3D5
#define CRTC_CURSOR_HI 0x0E
#define CRTC_CURSOR_LO 0x0F

static uint16_t *screen = (uint16_t *)P2V(0xB8000);
static int pos; /* cell the next character goes into */

static void vga_cursor(void)
{
    outb(CRTC_INDEX, CRTC_CURSOR_HI);
    outb(CRTC_DATA, pos >> 8);
    outb(CRTC_INDEX, CRTC_CURSOR_LO);
    outb(CRTC_DATA, pos & 0xFF);
}

void vga_init(void)
{
    for (int i = 0; i < COLS * ROWS; i++)
        screen[i] = ATTR | ' ';
    pos = 0;
    vga_cursor();
}

void vga_putc(int c)
{
    if (c == '\n')
        pos += COLS - pos % COLS;
    else if (c == '\r')
        pos -= pos % COLS;
    else if (c == '\b') {
        if (pos > 0)
            pos--;
    } else if (c >= 0x80) {
        /* UTF-8: the screen's code page 437 has no em dash. Show one
         * '-' for the lead byte, nothing for the continuation bytes. */
        if (c >= 0xC0)
            screen[pos++] = ATTR | '-';
    } else
        screen[pos++] = ATTR | (c & 0xFF);

    if (pos >= COLS * ROWS) { /* scroll up one line */
        memmove(screen, screen + COLS, (ROWS - 1) * COLS * 2);
        for (int i = 0; i < COLS; i++)
            screen[(ROWS - 1) * COLS + i] = ATTR | ' ';
        pos -= COLS;
    }
    vga_cursor();
}
