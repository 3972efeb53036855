/* The VGA in 80x25 colour text mode as far as a kernel's console driver
 * sees it: the character/attribute cells at physical 0xB8000 (in guest RAM;
 * this device only reads them), the CRT controller at 0x3D4/0x3D5 (cursor
 * shape and position, display start address), the other VGA registers at
 * 0x3C0-0x3CF kept so they read back what was written, and input status 1
 * at 0x3DA whose retrace bits toggle on every read. */
#ifndef RINGLAB_VGA_TEXT_H
#define RINGLAB_VGA_TEXT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "devices/bus.h"

#define VGA_TEXT_COLS 80
#define VGA_TEXT_ROWS 25
#define VGA_TEXT_PHYS 0xB8000u
/* The text window 0xB8000-0xBFFFF: the buffer vga_text_init gets must be
 * this long; the display start address wraps within it. */
#define VGA_TEXT_BUFFER_SIZE 0x8000u

struct vga_text {
    const uint8_t *text;
    uint8_t crtc_index, crtc[25];
    uint8_t seq_index, seq[5];
    uint8_t gc_index, gc[9];
    uint8_t attr_index, attr[21];
    bool attr_data_next; /* the 0x3C0 flip-flop: false = index next */
    uint8_t misc;        /* miscellaneous output, read at 0x3CC */
    uint8_t status1;     /* input status 1, toggled on each read */
    uint8_t pel_mask;
    uint8_t dac_read_index, dac_write_index, dac_state;
    int dac_read_pos, dac_write_pos; /* 0..2: R, G, B */
    uint8_t dac[256][3];
};

/* text_buffer: guest RAM at 0xB8000, VGA_TEXT_BUFFER_SIZE bytes (may be
 * NULL: the screen is then empty).  Registers as after a BIOS set mode 3. */
void vga_text_init(struct vga_text *vga, const uint8_t *text_buffer);
/* Claims 0x3C0-0x3CF, 0x3D4-0x3D5 and 0x3DA. */
bool vga_text_register(struct vga_text *vga, struct bus *bus);

/* The screen as text: 25 lines (fewer: trailing empty lines are dropped),
 * trailing blanks trimmed, code page 437 shown as its nearest ASCII.
 * false if writing to out failed. */
bool vga_text_dump(const struct vga_text *vga, FILE *out);
/* One row as a NUL-terminated string of 80 characters (not trimmed). */
void vga_text_row(const struct vga_text *vga, int row, char line[VGA_TEXT_COLS + 1]);
/* The screen as the monitor shows it: 25 rows of 80 cells from the display
 * start address, each the character (code page 437) in the low byte and
 * its attribute (background << 4 | foreground) in the high byte; and where
 * the cursor is on it (row -1 when hidden or off the screen). */
struct vga_screen {
    uint16_t cell[VGA_TEXT_ROWS][VGA_TEXT_COLS];
    int cursor_row, cursor_col;
};
void vga_text_screen(const struct vga_text *vga, struct vga_screen *out);
/* The cursor location register (CRTC 0x0E:0x0F): a cell index, row * 80 +
 * column counted from the start of the text buffer. */
uint16_t vga_text_cursor(const struct vga_text *vga);
/* CRTC 0x0A bit 5 hides the cursor. */
bool vga_text_cursor_visible(const struct vga_text *vga);
/* The display start address (CRTC 0x0C:0x0D), in cells. */
uint16_t vga_text_start(const struct vga_text *vga);
/* The nearest ASCII character for a code page 437 character. */
char vga_text_ascii(uint8_t cp437);

uint8_t vga_text_read(struct vga_text *vga, uint16_t port);
void vga_text_write(struct vga_text *vga, uint16_t port, uint8_t value);

#endif
