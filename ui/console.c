/* The console panel: what the guest wrote to COM1 (kept here from the
 * machine's serial output) beside its VGA text screen (inspect_vga).  What
 * is typed while the console has the focus goes to the guest's serial
 * input, as the terminal's keys do under -nographic. */
#include <stdlib.h>
#include <string.h>

#include "ui.h"

struct view_serial *view_serial_create(FILE *copy)
{
    struct view_serial *s = calloc(1, sizeof *s);
    if (s)
        s->copy = copy;
    return s;
}

void view_serial_destroy(struct view_serial *s)
{
    free(s);
}

void view_serial_put(void *opaque, uint8_t byte)
{
    struct view_serial *s = opaque;
    if (s->copy)
        fputc(byte, s->copy);
    s->changed = true;
    if (byte == '\r')
        return;
    if (byte == '\n' || s->cur_len == UI_COLS) {
        memcpy(s->lines[s->nlines % 200], s->cur, (size_t)s->cur_len);
        s->lines[s->nlines % 200][s->cur_len] = '\0';
        s->nlines++;
        s->cur_len = 0;
        if (byte == '\n')
            return;
    }
    if (byte == '\b' || byte == 0x7f) {
        if (s->cur_len > 0)
            s->cur_len--;
        return;
    }
    if (byte == '\t')
        byte = ' ';
    if (byte >= 32 && byte < 127)
        s->cur[s->cur_len++] = (char)byte;
}

/* Serial line i from the end (0: the one being written). */
static const char *serial_line(const struct view_serial *s, unsigned i, int *len)
{
    if (i == 0) {
        *len = s->cur_len;
        return s->cur;
    }
    if (i > s->nlines || i > 199) {
        *len = 0;
        return "";
    }
    const char *l = s->lines[(s->nlines - i) % 200];
    *len = (int)strlen(l);
    return l;
}

void console_model(struct view *v, struct ui_text *t)
{
    const struct panel *p = &v->panels[P_CONSOLE];
    int rows = v->ch ? p->body.h / v->ch : 12;
    int cols = v->cw ? p->body.w / v->cw : 160;
    if (rows < 2)
        rows = 12;
    if (cols < 40)
        cols = 160;
    int half = (cols - 3) / 2;
    if (half > 80 + 2)
        half = cols - 3 - 80; /* the VGA needs 80; the serial side takes the rest */
    int vga_w = cols - 3 - half;
    const struct view_serial *s = v->cfg->serial;
    uitext_add(t, v->console_focus ? ST_CURRENT : ST_LABEL, "%-*.*s", half, half,
             v->console_focus ? "COM1 -- typing goes to the guest (Esc: back to the controls)"
                              : "COM1 (serial) -- Tab or a click here to type to the guest");
    uitext_add(t, ST_DIM, " | ");
    uitext_add(t, ST_LABEL, "%.*s\n", vga_w, "VGA text screen");
    /* The VGA rows that fit: the top, or the rows up to the cursor. */
    int body_rows = rows - 1;
    int vga_first = 0;
    int used = 0;
    for (int r = 0; r < VGA_TEXT_ROWS; r++)
        for (int c = 0; c < VGA_TEXT_COLS; c++)
            if ((v->vga.cell[r][c] & 0xff) > ' ')
                used = r + 1;
    int bottom = v->vga.cursor_row >= 0 ? v->vga.cursor_row + 1 : used;
    if (bottom < used)
        bottom = used;
    if (bottom > body_rows)
        vga_first = bottom - body_rows;
    for (int i = 0; i < body_rows; i++) {
        int len;
        const char *sl = s ? serial_line(s, (unsigned)(body_rows - 1 - i), &len) : "";
        if (!s)
            len = 0;
        if (len > half)
            sl += len - half, len = half;
        uitext_add(t, ST_TEXT, "%.*s", len, sl);
        bool cursor_here = v->console_focus && i == body_rows - 1 && len < half;
        if (cursor_here)
            uitext_add(t, ST_CURRENT, " ");
        uitext_add(t, ST_TEXT, "%*s", half - len - (cursor_here ? 1 : 0), "");
        uitext_add(t, ST_DIM, " | ");
        int r = vga_first + i;
        if (r < VGA_TEXT_ROWS) {
            char row[VGA_TEXT_COLS + 1];
            int n = 0;
            for (int c = 0; c < VGA_TEXT_COLS && c < vga_w; c++)
                row[n++] = vga_text_ascii((uint8_t)(v->vga.cell[r][c] & 0xff));
            while (n > 0 && row[n - 1] == ' ')
                n--;
            row[n] = '\0';
            for (int c = 0; c < n; c++) {
                bool cur = r == v->vga.cursor_row && c == v->vga.cursor_col;
                uitext_add(t, cur ? ST_CURRENT : ST_VALUE, "%c", row[c]);
            }
            if (r == v->vga.cursor_row && v->vga.cursor_col >= n)
                uitext_add(t, ST_CURRENT, " ");
        }
        uitext_add(t, ST_TEXT, "\n");
    }
}
