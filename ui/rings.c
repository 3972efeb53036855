/* The rings panel: the four privilege levels as concentric rings, ring 0
 * innermost, the current CPL lit; the last crossing as an arrow from the
 * ring it left to the ring it entered, labelled with its cause ("sysenter
 * write", "#PF", "IRQ 0", "iret"), drawn growing for a moment after a stop.
 * Rings 1 and 2 are drawn though the bundled kernel does not use them
 * (SDM Vol. 3A 5.5). */
#include <math.h>
#include <string.h>

#include "ui.h"

#define ARROW_SECONDS 0.6

static const char *const ring_names[4] = {"0", "1", "2", "3"};

void rings_model(struct view *v, struct ui_text *t)
{
    if (!v->cpu_ok) {
        uitext_add(t, ST_DIM, "the CPU state cannot be read\n");
        return;
    }
    unsigned cpl = v->cpu.cpl;
    uitext_add(t, ST_LABEL, "CPL ");
    uitext_add(t, cpl == 0 ? ST_KERNEL : (cpl == 3 ? ST_USER : ST_VALUE), "%u", cpl);
    uitext_add(t, ST_TEXT, ": ring %u is lit\n", cpl);
    uitext_add(t, ST_DIM, "%s\n", cpl == 0 ? "(the kernel)" : (cpl == 3 ? "(a user program)" : ""));
    const struct ui_event *e = v->arrow_seq ? model_event(v, v->arrow_seq) : NULL;
    if (e) {
        uitext_add(t, ST_LABEL, "last crossing:\n");
        uitext_add(t, ST_TEXT, "ring %u -> %u by\n", e->ev.before.cpl, e->ev.after.cpl);
        uitext_add(t, ST_VALUE, "%s\n", e->cause);
        uitext_add(t, ST_DIM, "(event %llu)\n", (unsigned long long)e->ev.seq);
    } else {
        uitext_add(t, ST_DIM, "no crossing yet\n\n\n\n");
    }
    if (v->cfg->bundled)
        uitext_add(t, ST_DIM, "\nring 0: the kernel\nring 3: user programs\nrings 1, 2: unused\n"
                              "by this kernel\n");
    else
        uitext_add(t, ST_DIM, "\nring 0 innermost,\nring 3 outermost\n");
}

/* The radii of ring k: 0 is a disk, the others bands around it. */
static void band(float R, int k, float *r_in, float *r_out)
{
    static const float edge[5] = {0.0f, 0.28f, 0.52f, 0.76f, 1.0f};
    *r_in = R * edge[k] + (k ? 1.5f : 0.0f);
    *r_out = R * edge[k + 1] - 1.5f;
}

void rings_draw(struct view *v, struct panel *p, SDL_Rect body)
{
    /* The rings on the left, as tall as the panel; the words on the right. */
    int d = body.h < body.w * 6 / 10 ? body.h : body.w * 6 / 10;
    SDL_Rect area = {body.x, body.y, d, d};
    draw_text(v, (SDL_Rect){body.x + d + v->cw, body.y, body.w - d - v->cw, body.h}, &p->text, 0);
    if (!v->cpu_ok)
        return;
    float R = d / 2.0f - 3.0f;
    if (R < 20)
        return;
    float cx = area.x + area.w / 2.0f, cy = area.y + area.h / 2.0f;
    unsigned cpl = v->cpu.cpl;
    for (int k = 3; k >= 0; k--) {
        float a, b;
        band(R, k, &a, &b);
        enum ui_colour c = (unsigned)k == cpl ? C_RING_LIT : C_RING_OFF;
        draw_annulus(v, cx, cy, a, b, c);
        /* Where the tests look: the middle of the band, straight down, away
         * from the arrow (up and to the right) and the numbers (left). */
        char name[16];
        snprintf(name, sizeof name, "ring%d", k);
        view_probe(v, name, (int)cx, (int)(cy + (k ? (a + b) / 2 : b * 0.6f)), c);
        /* The ring's number on the left of its band, away from the arrow. */
        const char *label = ring_names[k];
        int len = (int)strlen(label);
        int lx = (int)(cx - (k ? (a + b) / 2 : b * 0.55f) - len * v->cw / 2.0f);
        int ly = (int)(cy - v->ch / 2.0f);
        draw_string(v, lx, ly, (unsigned)k == cpl ? C_BLACK : C_TEXT, true, label);
    }
    const struct ui_event *e = v->arrow_seq ? model_event(v, v->arrow_seq) : NULL;
    if (!e)
        return;
    float a0, b0, a1, b1;
    band(R, e->ev.before.cpl & 3, &a0, &b0);
    band(R, e->ev.after.cpl & 3, &a1, &b1);
    float from = e->ev.before.cpl ? (a0 + b0) / 2 : 0, to = e->ev.after.cpl ? (a1 + b1) / 2 : 0;
    double t = (SDL_GetTicks() / 1000.0 - v->arrow_since) / ARROW_SECONDS;
    if (v->running || v->scripted || t > 1)
        t = 1; /* a running machine crosses too often to animate each */
    else
        v->dirty = true; /* keep drawing until it has grown */
    if (t < 0)
        t = 0;
    /* Along a ray up and to the right; the label at the outer end. */
    float ang = (float)(-35.0 * M_PI / 180.0), ux = cosf(ang), uy = sinf(ang);
    float head = from + (float)t * (to - from);
    enum ui_colour col = e->ev.after.cpl < e->ev.before.cpl ? C_VERMILLION : C_SKY;
    draw_arrow(v, cx + ux * from, cy + uy * from, cx + ux * head, cy + uy * head,
               R * 0.05f + 2.0f, col);
    float outer = from > to ? from : to;
    int lx = (int)(cx + ux * outer) + v->cw, ly = (int)(cy + uy * outer) - v->ch;
    int len = (int)strlen(e->cause);
    if (lx + len * v->cw > area.x + area.w)
        lx = area.x + area.w - len * v->cw; /* inside the rings' square */
    if (ly < area.y)
        ly = area.y;
    draw_fill(v, (SDL_Rect){lx - 2, ly, len * v->cw + 4, v->ch}, C_BLACK);
    draw_string(v, lx, ly, C_WHITE, true, e->cause);
}
