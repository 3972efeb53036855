/* The VGA text-mode screen and its registers.  Register layout from the IBM
 * VGA Technical Reference ("VGA:" comments).  Nothing is drawn here: the
 * cells live in guest RAM and vga_text_dump turns them into text. */
#include "devices/vga_text.h"

#include <string.h>

/* VGA: CRTC values of BIOS mode 3 (80x25, 9x16 cells). */
static const uint8_t mode3_crtc[25] = {
    0x5F, 0x4F, 0x50, 0x82, 0x55, 0x81, 0xBF, 0x1F, 0x00, 0x4F, 0x0D, 0x0E, 0x00,
    0x00, 0x00, 0x00, 0x9C, 0x8E, 0x8F, 0x28, 0x1F, 0x96, 0xB9, 0xA3, 0xFF,
};
static const uint8_t mode3_seq[5] = {0x03, 0x00, 0x03, 0x00, 0x02};
static const uint8_t mode3_gc[9] = {0x00, 0x00, 0x00, 0x00, 0x00, 0x10, 0x0E, 0x00, 0xFF};
static const uint8_t mode3_attr[21] = {
    0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x14, 0x07, 0x38, 0x39, 0x3A,
    0x3B, 0x3C, 0x3D, 0x3E, 0x3F, 0x0C, 0x00, 0x0F, 0x08, 0x00,
};

/* Code page 437 0x80-0xFF: accented letters without their accents, box
 * drawing as + - | =, shades and blocks as #, Greek and maths by look. */
static const char cp437_high[129] = "CueaaaaceeeiiiAA"
                                    "EaAooouuyOUcLYPf"
                                    "aiounNao?--..!<>"
                                    "###|++++++|+++++"
                                    "++++-++++++++=++"
                                    "+++++++++++#####"
                                    "aBGpSsutFOOd8fen"
                                    "=+><()/~o..vn2# ";

char vga_text_ascii(uint8_t c)
{
    if (c >= 0x20 && c < 0x7F)
        return (char)c;
    if (c >= 0x80)
        return cp437_high[c - 0x80];
    switch (c) {
    case 0x00:
        return ' '; /* an empty cell */
    case 0x04: /* diamond */
    case 0x07: /* bullet */
    case 0x0F: /* sun */
        return '*';
    case 0x10: /* right-pointing triangle */
    case 0x1A: /* right arrow */
        return '>';
    case 0x11:
    case 0x1B:
        return '<';
    case 0x18: /* up arrow */
    case 0x1E:
        return '^';
    case 0x19: /* down arrow */
    case 0x1F:
        return 'v';
    case 0x12:
    case 0x17:
        return '|';
    case 0x1D:
        return '-';
    default:
        return '.';
    }
}

void vga_text_init(struct vga_text *vga, const uint8_t *text_buffer)
{
    memset(vga, 0, sizeof(*vga));
    vga->text = text_buffer;
    memcpy(vga->crtc, mode3_crtc, sizeof(vga->crtc));
    memcpy(vga->seq, mode3_seq, sizeof(vga->seq));
    memcpy(vga->gc, mode3_gc, sizeof(vga->gc));
    memcpy(vga->attr, mode3_attr, sizeof(vga->attr));
    vga->misc = 0x67; /* VGA: colour, CRTC at 0x3Dx, RAM enabled */
    vga->pel_mask = 0xFF;
}

uint16_t vga_text_cursor(const struct vga_text *vga)
{
    return (uint16_t)(vga->crtc[0x0E] << 8 | vga->crtc[0x0F]);
}

bool vga_text_cursor_visible(const struct vga_text *vga)
{
    return !(vga->crtc[0x0A] & 0x20);
}

uint16_t vga_text_start(const struct vga_text *vga)
{
    return (uint16_t)(vga->crtc[0x0C] << 8 | vga->crtc[0x0D]);
}

void vga_text_row(const struct vga_text *vga, int row, char line[VGA_TEXT_COLS + 1])
{
    uint32_t start = vga_text_start(vga);
    for (int col = 0; col < VGA_TEXT_COLS; col++) {
        uint8_t ch = 0;
        if (vga->text && row >= 0 && row < VGA_TEXT_ROWS) {
            uint32_t cell = start + (uint32_t)(row * VGA_TEXT_COLS + col);
            ch = vga->text[(cell * 2) % VGA_TEXT_BUFFER_SIZE];
        }
        line[col] = vga_text_ascii(ch);
    }
    line[VGA_TEXT_COLS] = '\0';
}

void vga_text_screen(const struct vga_text *vga, struct vga_screen *out)
{
    uint32_t start = vga_text_start(vga);
    for (int row = 0; row < VGA_TEXT_ROWS; row++)
        for (int col = 0; col < VGA_TEXT_COLS; col++) {
            uint32_t at = ((start + (uint32_t)(row * VGA_TEXT_COLS + col)) * 2) %
                          VGA_TEXT_BUFFER_SIZE;
            out->cell[row][col] =
                vga->text ? (uint16_t)(vga->text[at] | vga->text[at + 1] << 8) : 0x0720;
        }
    /* The cursor register counts cells from the start of the buffer. */
    uint32_t cursor = vga_text_cursor(vga);
    out->cursor_row = out->cursor_col = -1;
    if (vga_text_cursor_visible(vga) && cursor >= start &&
        cursor - start < (uint32_t)(VGA_TEXT_ROWS * VGA_TEXT_COLS)) {
        out->cursor_row = (int)((cursor - start) / VGA_TEXT_COLS);
        out->cursor_col = (int)((cursor - start) % VGA_TEXT_COLS);
    }
}

bool vga_text_dump(const struct vga_text *vga, FILE *out)
{
    char lines[VGA_TEXT_ROWS][VGA_TEXT_COLS + 1];
    int last = -1;
    for (int row = 0; row < VGA_TEXT_ROWS; row++) {
        vga_text_row(vga, row, lines[row]);
        int len = VGA_TEXT_COLS;
        while (len > 0 && lines[row][len - 1] == ' ')
            len--;
        lines[row][len] = '\0';
        if (len > 0)
            last = row;
    }
    for (int row = 0; row <= last; row++)
        if (fprintf(out, "%s\n", lines[row]) < 0)
            return false;
    return fflush(out) == 0;
}

uint8_t vga_text_read(struct vga_text *vga, uint16_t port)
{
    uint8_t v;
    switch (port) {
    case 0x3C0:
        return vga->attr_index;
    case 0x3C1:
        return (vga->attr_index & 0x1F) < 21 ? vga->attr[vga->attr_index & 0x1F] : 0xFF;
    case 0x3C2: /* input status 0 */
        return 0x00;
    case 0x3C3: /* VGA enable */
        return 0x01;
    case 0x3C4:
        return vga->seq_index;
    case 0x3C5:
        return vga->seq_index < 5 ? vga->seq[vga->seq_index] : 0xFF;
    case 0x3C6:
        return vga->pel_mask;
    case 0x3C7: /* DAC state: 0 = last set for writing, 3 = reading */
        return vga->dac_state;
    case 0x3C8:
        return vga->dac_write_index;
    case 0x3C9:
        v = vga->dac[vga->dac_read_index][vga->dac_read_pos];
        if (++vga->dac_read_pos == 3) {
            vga->dac_read_pos = 0;
            vga->dac_read_index++;
        }
        return v;
    case 0x3CA: /* feature control */
        return 0x00;
    case 0x3CC:
        return vga->misc;
    case 0x3CE:
        return vga->gc_index;
    case 0x3CF:
        return vga->gc_index < 9 ? vga->gc[vga->gc_index] : 0xFF;
    case 0x3D4:
        return vga->crtc_index;
    case 0x3D5:
        return vga->crtc_index < 25 ? vga->crtc[vga->crtc_index] : 0xFF;
    case 0x3DA:
        /* VGA "Input Status #1": bit 0 display disabled (in a retrace),
         * bit 3 vertical retrace.  They flip on every read so polling
         * loops that wait for a retrace to start and end both finish.
         * Reading it also resets the attribute flip-flop to "index". */
        vga->status1 ^= 0x09;
        vga->attr_data_next = false;
        return vga->status1;
    default:
        return 0xFF;
    }
}

void vga_text_write(struct vga_text *vga, uint16_t port, uint8_t value)
{
    switch (port) {
    case 0x3C0:
        /* VGA attribute controller: one port, alternately index and data. */
        if (!vga->attr_data_next)
            vga->attr_index = value & 0x3F;
        else if ((vga->attr_index & 0x1F) < 21)
            vga->attr[vga->attr_index & 0x1F] = value;
        vga->attr_data_next = !vga->attr_data_next;
        break;
    case 0x3C2:
        vga->misc = value;
        break;
    case 0x3C4:
        vga->seq_index = value;
        break;
    case 0x3C5:
        if (vga->seq_index < 5)
            vga->seq[vga->seq_index] = value;
        break;
    case 0x3C6:
        vga->pel_mask = value;
        break;
    case 0x3C7:
        vga->dac_read_index = value;
        vga->dac_read_pos = 0;
        vga->dac_state = 3;
        break;
    case 0x3C8:
        vga->dac_write_index = value;
        vga->dac_write_pos = 0;
        vga->dac_state = 0;
        break;
    case 0x3C9:
        vga->dac[vga->dac_write_index][vga->dac_write_pos] = value & 0x3F;
        if (++vga->dac_write_pos == 3) {
            vga->dac_write_pos = 0;
            vga->dac_write_index++;
        }
        break;
    case 0x3CE:
        vga->gc_index = value;
        break;
    case 0x3CF:
        if (vga->gc_index < 9)
            vga->gc[vga->gc_index] = value;
        break;
    case 0x3D4:
        vga->crtc_index = value;
        break;
    case 0x3D5:
        /* VGA: CRTC 0x11 bit 7 write-protects registers 0-7. */
        if (vga->crtc_index < 25 && !(vga->crtc_index < 8 && (vga->crtc[0x11] & 0x80)))
            vga->crtc[vga->crtc_index] = value;
        break;
    default:
        break;
    }
}

/* ------------------------------------------------------------------ bus */

static uint8_t vga_read8(void *opaque, uint16_t port)
{
    return vga_text_read(opaque, port);
}

static void vga_write8(void *opaque, uint16_t port, uint8_t value)
{
    vga_text_write(opaque, port, value);
}

static uint16_t vga_range_first(uint16_t port)
{
    return port >= 0x3D4 && port <= 0x3D5 ? 0x3D4 : port == 0x3DA ? 0x3DA : 0x3C0;
}

static uint16_t vga_range_count(uint16_t first)
{
    return first == 0x3D4 ? 2 : first == 0x3DA ? 1 : 16;
}

static uint32_t vga_io_read(void *opaque, uint16_t port, int size)
{
    uint16_t first = vga_range_first(port);
    return bus_read_bytes(vga_read8, opaque, first, vga_range_count(first), port, size);
}

/* A word write to an index port writes index and data at once, the usual
 * way of setting a CRTC register (outw 0x3D4, (value << 8) | index). */
static void vga_io_write(void *opaque, uint16_t port, uint32_t value, int size)
{
    uint16_t first = vga_range_first(port);
    bus_write_bytes(vga_write8, opaque, first, vga_range_count(first), port, value, size);
}

bool vga_text_register(struct vga_text *vga, struct bus *bus)
{
    const struct io_handler regs = {0x3C0, 16, "vga", vga, vga_io_read, vga_io_write};
    const struct io_handler crtc = {0x3D4, 2, "vga-crtc", vga, vga_io_read, vga_io_write};
    const struct io_handler st1 = {0x3DA, 1, "vga-status", vga, vga_io_read, vga_io_write};
    return bus_register(bus, &regs) && bus_register(bus, &crtc) && bus_register(bus, &st1);
}
