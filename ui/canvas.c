/* The frame's canvas.  The window is cut into parts -- the toolbar, each
 * panel, the status line -- and what draw.c's functions draw for a part is
 * kept as a list of commands (fill, frame, a run of glyphs, a ring, an
 * arrow, a clip).  The parts live in a texture that stays from frame to
 * frame: a part is drawn into it again only when its list differs from the
 * one it was last drawn from, so a frame costs what changed, not the whole
 * window.  The texture is then copied to the window, the help overlay drawn
 * over it, and the frame shown.  Each part is clipped to its rectangle,
 * which it fills first: drawn alone, it gives the pixels it gave drawn
 * among all the others.  A renderer without target textures draws every
 * part every frame, straight to the window. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "ui.h"

/* ---- recording --------------------------------------------------------------------- */

static struct draw_cmd *add(struct view *v, enum draw_op op)
{
    struct draw_list *l = v->rec;
    if (!l || l->failed)
        return NULL;
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 256;
        struct draw_cmd *c = realloc(l->cmd, cap * sizeof *c);
        if (!c) {
            l->failed = true; /* drawn every frame from now on */
            return NULL;
        }
        l->cmd = c;
        l->cap = cap;
    }
    struct draw_cmd *c = &l->cmd[l->n++];
    memset(c, 0, sizeof *c); /* no stray bytes: lists are compared with memcmp */
    c->op = (uint8_t)op;
    return c;
}

void canvas_rect(struct view *v, enum draw_op op, SDL_Rect r, enum ui_colour c, int thick)
{
    struct draw_cmd *k = add(v, op);
    if (k) {
        k->colour = (uint8_t)c;
        k->x = r.x, k->y = r.y, k->w = r.w, k->h = r.h;
        k->len = thick;
    }
}

void canvas_glyphs(struct view *v, int x, int y, enum ui_colour c, bool bold, const char *s,
                   int len)
{
    struct draw_list *l = v->rec;
    if (len <= 0)
        return; /* nothing to draw */
    struct draw_cmd *k = add(v, DRAW_GLYPHS);
    if (!k)
        return;
    if (l->text_n + (size_t)len > l->text_cap) {
        size_t cap = l->text_cap ? l->text_cap : 4096;
        while (cap < l->text_n + (size_t)len)
            cap *= 2;
        char *t = realloc(l->text, cap);
        if (!t) {
            l->failed = true;
            return;
        }
        l->text = t;
        l->text_cap = cap;
    }
    memcpy(l->text + l->text_n, s, (size_t)len);
    k->colour = (uint8_t)c;
    k->bold = bold;
    k->x = x, k->y = y;
    k->at = (int32_t)l->text_n;
    k->len = len;
    l->text_n += (size_t)len;
}

void canvas_shape(struct view *v, enum draw_op op, const float f[5], enum ui_colour c)
{
    struct draw_cmd *k = add(v, op);
    if (k) {
        k->colour = (uint8_t)c;
        memcpy(k->f, f, sizeof k->f);
    }
}

static void list_clear(struct draw_list *l)
{
    l->n = l->text_n = 0;
    l->failed = false;
}

static bool list_same(const struct draw_list *a, const struct draw_list *b)
{
    return !a->failed && !b->failed && a->n == b->n && a->text_n == b->text_n &&
           (!a->n || !memcmp(a->cmd, b->cmd, a->n * sizeof *a->cmd)) &&
           (!a->text_n || !memcmp(a->text, b->text, a->text_n));
}

static void list_free(struct draw_list *l)
{
    free(l->cmd);
    free(l->text);
    memset(l, 0, sizeof *l);
}

void canvas_begin(struct view *v, int part, SDL_Rect r)
{
    struct canvas_part *p = &v->parts[part];
    list_clear(&p->now);
    p->rect = r;
    v->rec = &p->now;
}

/* ---- replaying ------------------------------------------------------------------------- */

static void set_colour(struct view *v, enum ui_colour c)
{
    const struct ui_rgb *k = &ui_colours[c];
    SDL_SetRenderDrawColor(v->ren, k->r, k->g, k->b, 255);
}

static SDL_Vertex vertex(float x, float y, enum ui_colour c)
{
    const struct ui_rgb *k = &ui_colours[c];
    return (SDL_Vertex){{x, y}, {k->r, k->g, k->b, 255}, {0, 0}};
}

static void annulus(struct view *v, const float *f, enum ui_colour c)
{
    enum { SEGMENTS = 120 };
    float cx = f[0], cy = f[1], r_in = f[2], r_out = f[3];
    SDL_Vertex vx[SEGMENTS * 6];
    int n = 0;
    for (int i = 0; i < SEGMENTS; i++) {
        float a0 = (float)(2 * M_PI * i / SEGMENTS), a1 = (float)(2 * M_PI * (i + 1) / SEGMENTS);
        float c0 = cosf(a0), s0 = sinf(a0), c1 = cosf(a1), s1 = sinf(a1);
        SDL_Vertex i0 = vertex(cx + r_in * c0, cy + r_in * s0, c);
        SDL_Vertex i1 = vertex(cx + r_in * c1, cy + r_in * s1, c);
        SDL_Vertex o0 = vertex(cx + r_out * c0, cy + r_out * s0, c);
        SDL_Vertex o1 = vertex(cx + r_out * c1, cy + r_out * s1, c);
        vx[n++] = i0, vx[n++] = o0, vx[n++] = o1;
        vx[n++] = i0, vx[n++] = o1, vx[n++] = i1;
    }
    SDL_RenderGeometry(v->ren, NULL, vx, n, NULL, 0);
}

static void arrow(struct view *v, const float *f, enum ui_colour c)
{
    float x0 = f[0], y0 = f[1], x1 = f[2], y1 = f[3], width = f[4];
    float dx = x1 - x0, dy = y1 - y0, len = sqrtf(dx * dx + dy * dy);
    if (len < 1)
        return;
    float ux = dx / len, uy = dy / len, nx = -uy, ny = ux;
    float head = width * 3.2f;
    if (head > len)
        head = len;
    float bx = x1 - ux * head, by = y1 - uy * head; /* where the head starts */
    float w = width / 2;
    SDL_Vertex vx[9] = {
        vertex(x0 + nx * w, y0 + ny * w, c), vertex(bx + nx * w, by + ny * w, c),
        vertex(bx - nx * w, by - ny * w, c), vertex(x0 + nx * w, y0 + ny * w, c),
        vertex(bx - nx * w, by - ny * w, c), vertex(x0 - nx * w, y0 - ny * w, c),
        vertex(bx + nx * head * 0.6f, by + ny * head * 0.6f, c), vertex(x1, y1, c),
        vertex(bx - nx * head * 0.6f, by - ny * head * 0.6f, c),
    };
    SDL_RenderGeometry(v->ren, NULL, vx, 9, NULL, 0);
}

static void glyphs(struct view *v, const struct draw_cmd *k, const char *text)
{
    SDL_Texture *t = k->bold ? v->glyphs_bold : v->glyphs;
    const struct ui_rgb *rgb = &ui_colours[k->colour];
    SDL_SetTextureColorMod(t, rgb->r, rgb->g, rgb->b);
    for (int i = 0; i < k->len; i++) {
        char c = text[i];
        if (c < 32 || c > 126)
            c = '?';
        if (c == ' ')
            continue;
        SDL_Rect src = {(c - 32) * v->cw, 0, v->cw, v->ch};
        SDL_Rect dst = {k->x + i * v->cw, k->y, v->cw, v->ch};
        SDL_RenderCopy(v->ren, t, &src, &dst);
        v->cost.glyphs += v->running;
    }
}

static void clip(struct view *v, SDL_Rect r, SDL_Rect part)
{
    SDL_Rect in;
    if (!SDL_IntersectRect(&r, &part, &in))
        in = (SDL_Rect){part.x, part.y, 0, 0}; /* nothing shows */
    SDL_RenderSetClipRect(v->ren, &in);
}

/* Draw a part's list, clipped to the part. */
static void replay(struct view *v, const struct draw_list *l, SDL_Rect part)
{
    SDL_RenderSetClipRect(v->ren, &part);
    for (size_t i = 0; i < l->n; i++) {
        const struct draw_cmd *k = &l->cmd[i];
        SDL_Rect r = {k->x, k->y, k->w, k->h};
        switch ((enum draw_op)k->op) {
        case DRAW_FILL:
            set_colour(v, k->colour);
            SDL_RenderFillRect(v->ren, &r);
            v->cost.fills += v->running;
            break;
        case DRAW_FRAME:
            set_colour(v, k->colour);
            for (int j = 0; j < k->len; j++) {
                SDL_Rect f = {r.x + j, r.y + j, r.w - 2 * j, r.h - 2 * j};
                if (f.w > 0 && f.h > 0)
                    SDL_RenderDrawRect(v->ren, &f);
            }
            break;
        case DRAW_GLYPHS: glyphs(v, k, l->text + k->at); break;
        case DRAW_ANNULUS: annulus(v, k->f, k->colour); break;
        case DRAW_ARROW: arrow(v, k->f, k->colour); break;
        case DRAW_CLIP: clip(v, r, part); break;
        case DRAW_UNCLIP: SDL_RenderSetClipRect(v->ren, &part); break;
        }
    }
    SDL_RenderSetClipRect(v->ren, NULL);
}

/* ---- the texture ------------------------------------------------------------------------ */

void canvas_stale(struct view *v)
{
    v->canvas_fresh = false;
}

static bool canvas_ready(struct view *v)
{
    if (v->canvas && v->canvas_w == v->out_w && v->canvas_h == v->out_h)
        return true;
    if (v->canvas)
        SDL_DestroyTexture(v->canvas);
    v->canvas = NULL;
    v->canvas_fresh = false;
    if (v->canvas_failed || !SDL_RenderTargetSupported(v->ren))
        return false;
    /* In the window's format, the copy to the window converts nothing. */
    Uint32 format = SDL_GetWindowPixelFormat(v->win);
    if (format != SDL_PIXELFORMAT_UNKNOWN)
        v->canvas = SDL_CreateTexture(v->ren, format, SDL_TEXTUREACCESS_TARGET, v->out_w,
                                      v->out_h);
    if (!v->canvas)
        v->canvas = SDL_CreateTexture(v->ren, SDL_PIXELFORMAT_ARGB8888,
                                      SDL_TEXTUREACCESS_TARGET, v->out_w, v->out_h);
    if (!v->canvas) {
        v->canvas_failed = true; /* every part every frame, then */
        return false;
    }
    SDL_SetTextureBlendMode(v->canvas, SDL_BLENDMODE_NONE); /* copied as it is */
    v->canvas_w = v->out_w;
    v->canvas_h = v->out_h;
    return true;
}

static void swap_lists(struct canvas_part *p)
{
    struct draw_list t = p->last;
    p->last = p->now;
    p->now = t;
    p->drawn = true;
}

void canvas_show(struct view *v)
{
    bool kept = canvas_ready(v) && SDL_SetRenderTarget(v->ren, v->canvas) == 0;
    bool fresh = kept && v->canvas_fresh;
    if (!fresh) {
        set_colour(v, C_BG);
        SDL_RenderClear(v->ren);
    }
    for (int i = 0; i < CANVAS_OVERLAY; i++) {
        struct canvas_part *p = &v->parts[i];
        bool same = fresh && p->drawn && list_same(&p->now, &p->last) &&
                    !memcmp(&p->rect, &p->last_rect, sizeof p->rect);
        if (same) {
            v->cost.kept[i] += v->running;
            continue;
        }
        uint64_t t0 = cost_thread_ns();
        replay(v, &p->now, p->rect);
        p->last_rect = p->rect;
        swap_lists(p);
        if (v->running) {
            v->cost.drawn[i]++;
            v->cost.draw_ns[i] += cost_thread_ns() - t0;
        }
    }
    uint64_t t0 = cost_thread_ns();
    if (kept) {
        SDL_SetRenderTarget(v->ren, NULL);
        SDL_RenderCopy(v->ren, v->canvas, NULL, NULL);
        v->canvas_fresh = true;
    }
    struct canvas_part *o = &v->parts[CANVAS_OVERLAY];
    replay(v, &o->now, o->rect);
    v->rec = NULL;
    if (v->running)
        v->cost.show_ns += cost_thread_ns() - t0;
}

void canvas_close(struct view *v)
{
    for (int i = 0; i < CANVAS_PARTS; i++) {
        list_free(&v->parts[i].now);
        list_free(&v->parts[i].last);
    }
    if (v->canvas)
        SDL_DestroyTexture(v->canvas);
    v->canvas = NULL;
}
