/* Drawing for the view: the colours and styles, the text model's lines,
 * the monospace font (found through fontconfig, DejaVu Sans Mono when
 * nothing else is there, RINGLAB_FONT to choose one) rendered once into a
 * glyph strip, rectangles, rings, arrows (recorded for the canvas, which
 * draws them: canvas.c), and the PNG screenshot. */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include <SDL_image.h>
#include <fontconfig/fontconfig.h>

#include "ui.h"

/* Okabe & Ito's colour-blind-safe palette for the marks, on a dark ground. */
const struct ui_rgb ui_colours[C_COUNT] = {
    [C_BG] = {0x12, 0x16, 0x1c},       [C_PANEL] = {0x1b, 0x21, 0x29},
    [C_TITLEBAR] = {0x2a, 0x33, 0x3f}, [C_BORDER] = {0x3c, 0x48, 0x57},
    [C_TEXT] = {0xd8, 0xdd, 0xe3},     [C_DIM] = {0x80, 0x8a, 0x96},
    [C_LABEL] = {0x9e, 0xc9, 0xe6},    [C_WHITE] = {0xff, 0xff, 0xff},
    [C_BLACK] = {0x00, 0x00, 0x00},    [C_ORANGE] = {0xe6, 0x9f, 0x00},
    [C_SKY] = {0x56, 0xb4, 0xe9},      [C_GREEN] = {0x00, 0x9e, 0x73},
    [C_YELLOW] = {0xf0, 0xe4, 0x42},   [C_BLUE] = {0x00, 0x72, 0xb2},
    [C_VERMILLION] = {0xd5, 0x5e, 0x00}, [C_PURPLE] = {0xcc, 0x79, 0xa7},
    [C_RING_OFF] = {0x2e, 0x38, 0x45}, [C_RING_LIT] = {0xf0, 0xe4, 0x42},
    [C_MAP_NONE] = {0x22, 0x28, 0x30},
};

const char *ui_colour_name(enum ui_colour c)
{
    static const char *const names[C_COUNT] = {
        "bg", "panel", "titlebar", "border", "text", "dim", "label", "white", "black",
        "orange", "sky", "green", "yellow", "blue", "vermillion", "purple",
        "ring-off", "ring-lit", "map-none",
    };
    return c < C_COUNT ? names[c] : "?";
}

enum ui_colour style_fg(enum ui_style s)
{
    switch (s) {
    case ST_TEXT: return C_TEXT;
    case ST_DIM: return C_DIM;
    case ST_LABEL: return C_LABEL;
    case ST_VALUE: return C_WHITE;
    case ST_CHANGED: return C_BLACK;
    case ST_CURRENT: return C_BLACK;
    case ST_SELECTED: return C_BLACK;
    case ST_FAULT: return C_WHITE;
    case ST_KERNEL: return C_SKY;
    case ST_USER: return C_ORANGE;
    case ST_FRAME: return C_PURPLE;
    case ST_COUNT: break;
    }
    return C_TEXT;
}

int style_bg(enum ui_style s)
{
    switch (s) {
    case ST_CHANGED: return C_YELLOW;
    case ST_CURRENT: return C_SKY;
    case ST_SELECTED: return C_ORANGE;
    case ST_FAULT: return C_VERMILLION;
    default: return -1;
    }
}

/* ---- the text model ------------------------------------------------------------ */

void uitext_clear(struct ui_text *t)
{
    t->n = 0;
}

void uitext_add(struct ui_text *t, enum ui_style style, const char *fmt, ...)
{
    char buf[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    for (const char *p = buf; *p; p++) {
        if (t->n == 0) {
            t->n = 1;
            t->line[0].len = 0;
        }
        struct ui_line *l = &t->line[t->n - 1];
        if (*p == '\n') {
            if (t->n < UI_LINES) { /* else the last line takes what follows */
                t->n++;
                t->line[t->n - 1].len = 0;
            }
            continue;
        }
        if (l->len < UI_COLS) {
            l->ch[l->len] = *p;
            l->st[l->len] = (uint8_t)style;
            l->len++;
        }
    }
}

void uitext_write(const struct ui_text *t, const char *prefix, FILE *f)
{
    int n = t->n;
    if (n > 0 && t->line[n - 1].len == 0)
        n--; /* the empty line after the last newline */
    for (int i = 0; i < n; i++)
        fprintf(f, "%s%.*s\n", prefix, t->line[i].len, t->line[i].ch);
}

bool uitext_has(const struct ui_text *t, const char *needle)
{
    size_t k = strlen(needle);
    for (int i = 0; i < t->n; i++) {
        const struct ui_line *l = &t->line[i];
        for (int j = 0; j + (int)k <= l->len; j++)
            if (!memcmp(l->ch + j, needle, k))
                return true;
    }
    return false;
}

/* ---- the font ------------------------------------------------------------------- */

#define FALLBACK_FONT "/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf"

/* A monospace font file: RINGLAB_FONT, else fontconfig's "monospace" when it
 * is one, else DejaVu Sans Mono where fonts-dejavu-core puts it. */
static void find_font(char *path, size_t n)
{
    const char *env = getenv("RINGLAB_FONT");
    if (env && *env) {
        snprintf(path, n, "%s", env);
        return;
    }
    snprintf(path, n, "%s", FALLBACK_FONT);
    if (!FcInit())
        return;
    FcPattern *pat = FcNameParse((const FcChar8 *)"monospace");
    if (!pat)
        return;
    FcConfigSubstitute(NULL, pat, FcMatchPattern);
    FcDefaultSubstitute(pat);
    FcResult res;
    FcPattern *match = FcFontMatch(NULL, pat, &res);
    FcChar8 *file = NULL;
    int spacing = 0;
    if (match && FcPatternGetString(match, FC_FILE, 0, &file) == FcResultMatch &&
        FcPatternGetInteger(match, FC_SPACING, 0, &spacing) == FcResultMatch &&
        spacing == FC_MONO)
        snprintf(path, n, "%s", (const char *)file);
    if (match)
        FcPatternDestroy(match);
    FcPatternDestroy(pat);
    FcFini(); /* the font's path is all we keep */
}

/* ASCII 32..126 side by side in one white texture, coloured when drawn. */
static SDL_Texture *glyph_strip(struct view *v, TTF_Font *f)
{
    SDL_Surface *strip = SDL_CreateRGBSurfaceWithFormat(0, v->cw * 95, v->ch, 32,
                                                        SDL_PIXELFORMAT_ARGB8888);
    if (!strip)
        return NULL;
    SDL_FillRect(strip, NULL, SDL_MapRGBA(strip->format, 255, 255, 255, 0));
    SDL_SetSurfaceBlendMode(strip, SDL_BLENDMODE_NONE);
    SDL_Color white = {255, 255, 255, 255};
    for (int c = 32; c < 127; c++) {
        SDL_Surface *g = TTF_RenderGlyph_Blended(f, (Uint16)c, white);
        if (!g)
            continue;
        SDL_SetSurfaceBlendMode(g, SDL_BLENDMODE_NONE);
        SDL_Rect dst = {(c - 32) * v->cw, 0, g->w < v->cw ? g->w : v->cw,
                        g->h < v->ch ? g->h : v->ch};
        SDL_Rect src = {0, 0, dst.w, dst.h};
        SDL_BlitSurface(g, &src, strip, &dst);
        SDL_FreeSurface(g);
    }
    SDL_Texture *t = SDL_CreateTextureFromSurface(v->ren, strip);
    SDL_FreeSurface(strip);
    if (t)
        SDL_SetTextureBlendMode(t, SDL_BLENDMODE_BLEND);
    return t;
}

bool draw_font_open(struct view *v, int px, char *err, size_t errlen)
{
    if (!TTF_WasInit() && TTF_Init() != 0) {
        snprintf(err, errlen, "the view cannot start its font renderer: %s", TTF_GetError());
        return false;
    }
    if (!v->font_path[0])
        find_font(v->font_path, sizeof v->font_path);
    TTF_Font *f = TTF_OpenFont(v->font_path, px);
    TTF_Font *b = f ? TTF_OpenFont(v->font_path, px) : NULL;
    if (!f || !b) {
        snprintf(err, errlen,
                 "the view's font %s cannot be opened (%s); install fonts-dejavu-core or set "
                 "RINGLAB_FONT to a monospace TrueType font",
                 v->font_path, TTF_GetError());
        if (f)
            TTF_CloseFont(f);
        return false;
    }
    if (!TTF_FontFaceIsFixedWidth(f)) {
        snprintf(err, errlen, "the view's font %s is not monospace; set RINGLAB_FONT to one",
                 v->font_path);
        TTF_CloseFont(f);
        TTF_CloseFont(b);
        return false;
    }
    TTF_SetFontStyle(b, TTF_STYLE_BOLD);
    draw_font_close(v);
    v->font = f;
    v->bold = b;
    v->font_px = px;
    int adv = 0;
    TTF_GlyphMetrics(f, 'M', NULL, NULL, NULL, NULL, &adv);
    v->cw = adv > 0 ? adv : px / 2;
    v->ch = TTF_FontLineSkip(f);
    v->glyphs = glyph_strip(v, f);
    v->glyphs_bold = glyph_strip(v, b);
    if (!v->glyphs || !v->glyphs_bold) {
        snprintf(err, errlen, "the view cannot draw its font: %s", SDL_GetError());
        return false;
    }
    return true;
}

void draw_font_close(struct view *v)
{
    if (v->glyphs)
        SDL_DestroyTexture(v->glyphs);
    if (v->glyphs_bold)
        SDL_DestroyTexture(v->glyphs_bold);
    if (v->font)
        TTF_CloseFont(v->font);
    if (v->bold)
        TTF_CloseFont(v->bold);
    v->glyphs = v->glyphs_bold = NULL;
    v->font = v->bold = NULL;
}

/* ---- shapes: recorded into the part being drawn (canvas.c draws them) -------------- */

void draw_fill(struct view *v, SDL_Rect r, enum ui_colour c)
{
    canvas_rect(v, DRAW_FILL, r, c, 0);
}

void draw_frame_rect(struct view *v, SDL_Rect r, enum ui_colour c, int thick)
{
    canvas_rect(v, DRAW_FRAME, r, c, thick);
}

void draw_clip(struct view *v, SDL_Rect r)
{
    canvas_rect(v, DRAW_CLIP, r, C_BG, 0);
}

void draw_unclip(struct view *v)
{
    canvas_rect(v, DRAW_UNCLIP, (SDL_Rect){0, 0, 0, 0}, C_BG, 0);
}

void draw_line(struct view *v, int x, int y, const struct ui_line *l, int max_cols)
{
    int n = l->len < max_cols ? l->len : max_cols;
    /* Backgrounds first, in runs of one style. */
    for (int i = 0; i < n;) {
        int j = i;
        while (j < n && l->st[j] == l->st[i])
            j++;
        int bg = style_bg((enum ui_style)l->st[i]);
        if (bg >= 0)
            draw_fill(v, (SDL_Rect){x + i * v->cw, y, (j - i) * v->cw, v->ch}, (enum ui_colour)bg);
        i = j;
    }
    /* Then the characters, in the same runs: a fault's in bold. */
    for (int i = 0; i < n;) {
        int j = i;
        while (j < n && l->st[j] == l->st[i])
            j++;
        enum ui_style st = (enum ui_style)l->st[i];
        canvas_glyphs(v, x + i * v->cw, y, style_fg(st), st == ST_FAULT, l->ch + i, j - i);
        i = j;
    }
}

void draw_string(struct view *v, int x, int y, enum ui_colour c, bool bold, const char *s)
{
    canvas_glyphs(v, x, y, c, bold, s, (int)strlen(s));
}

void draw_text(struct view *v, SDL_Rect box, const struct ui_text *t, int first)
{
    int cols = box.w / v->cw;
    int rows = box.h / v->ch;
    draw_clip(v, box);
    for (int i = 0; i < rows && first + i < t->n; i++)
        if (first + i >= 0)
            draw_line(v, box.x, box.y + i * v->ch, &t->line[first + i], cols);
    draw_unclip(v);
}

void draw_annulus(struct view *v, float cx, float cy, float r_in, float r_out, enum ui_colour c)
{
    canvas_shape(v, DRAW_ANNULUS, (const float[5]){cx, cy, r_in, r_out, 0}, c);
}

void draw_arrow(struct view *v, float x0, float y0, float x1, float y1, float width,
                enum ui_colour c)
{
    canvas_shape(v, DRAW_ARROW, (const float[5]){x0, y0, x1, y1, width}, c);
}

bool draw_screenshot(struct view *v, const char *path, char *err, size_t errlen)
{
    SDL_Surface *s = SDL_CreateRGBSurfaceWithFormat(0, v->out_w, v->out_h, 24,
                                                    SDL_PIXELFORMAT_RGB24);
    if (!s) {
        snprintf(err, errlen, "%s: cannot take the screenshot: %s", path, SDL_GetError());
        return false;
    }
    bool ok = SDL_RenderReadPixels(v->ren, NULL, SDL_PIXELFORMAT_RGB24, s->pixels, s->pitch) == 0;
    if (!ok)
        snprintf(err, errlen, "%s: cannot read the frame: %s", path, SDL_GetError());
    else if (IMG_SavePNG(s, path) != 0) {
        snprintf(err, errlen, "%s: cannot write the screenshot: %s", path, IMG_GetError());
        ok = false;
    }
    SDL_FreeSurface(s);
    return ok;
}
