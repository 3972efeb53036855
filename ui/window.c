/* The view's window and its loop: opening it (SDL2, a renderer, the font),
 * laying the panels out for the window's size, drawing a frame, and
 * the session (run.c runs the guest, keys.c takes the keys and the mouse). */
#include <stdlib.h>
#include <string.h>

#include "debug/show.h"
#include "front/repl.h"
#include "front/report.h"
#include "status.h"
#include "ui.h"

#define BASE_W 1280
#define BASE_H 800
#define BASE_FONT_PX 12

/* ---- panels and layout ---------------------------------------------------------- */

static const struct panel panel_defs[P_COUNT] = {
    [P_RINGS] = {"Rings", "rings", rings_model, rings_draw},
    [P_REGS] = {"Registers", "registers", regs_model, NULL},
    [P_CODE] = {"Code", "code", code_model, NULL},
    [P_STACK] = {"Stack", "stack", stack_model, NULL},
    [P_TIMELINE] = {"Timeline", "timeline", timeline_model, NULL},
    [P_PFAULT] = {"Page fault", "pagefault", pfault_model, pfault_draw},
    [P_ASPACE] = {"Address space", "addresses", aspace_model, aspace_draw},
    [P_TABLES] = {"GDT, TSS, IDT", "tables", tables_model, NULL},
    [P_CONSOLE] = {"Console", "console", console_model, NULL},
    [P_MONITOR] = {"Monitor, ring -1", "monitor", monitor_model, monitor_draw},
};

/* Columns of panels, each with its share of the column's height. */
static const struct {
    int panel;
    float weight;
} columns[3][3] = {
    {{P_RINGS, 0.27f}, {P_REGS, 0.40f}, {P_MONITOR, 0.40f}}, /* the monitor: under pg vmm */
    {{P_CODE, 0.31f}, {P_STACK, 0.35f}, {P_PFAULT, 0.34f}},
    {{P_TIMELINE, 0.42f}, {P_ASPACE, 0.30f}, {P_TABLES, 0.28f}},
};
static const float column_w[3] = {0.36f, 0.30f, 0.34f};

struct panel *view_panel_named(struct view *v, const char *name)
{
    for (int i = 0; i < P_COUNT; i++)
        if (!strcmp(v->panels[i].name, name))
            return &v->panels[i];
    return NULL;
}

int view_title_h(const struct view *v)
{
    return v->ch + 4;
}

static void place(struct view *v, struct panel *p, SDL_Rect r)
{
    p->rect = r;
    p->body = (SDL_Rect){r.x + 4, r.y + view_title_h(v) + 2, r.w - 8, r.h - view_title_h(v) - 4};
    if (p->collapsed || p->body.h < 0)
        p->body.h = 0;
}

void view_layout(struct view *v)
{
    int bar = v->ch + 8, status = v->ch + 6;
    int top = bar, bottom = v->out_h - status;
    struct panel *con = &v->panels[P_CONSOLE];
    int con_h = con->collapsed ? view_title_h(v) : (int)((bottom - top) * 0.19f);
    if (!con->collapsed && con_h < view_title_h(v) + 7 * v->ch)
        con_h = view_title_h(v) + 7 * v->ch;
    place(v, con, (SDL_Rect){0, bottom - con_h, v->out_w, con_h});
    int h = bottom - con_h - top;
    int x = 0;
    for (int c = 0; c < 3; c++) {
        int w = c == 2 ? v->out_w - x : (int)(v->out_w * column_w[c]);
        float open = 0;
        int closed_h = 0;
        for (int k = 0; k < 3 && columns[c][k].panel >= 0; k++) {
            if (v->panels[columns[c][k].panel].hidden)
                continue;
            if (v->panels[columns[c][k].panel].collapsed)
                closed_h += view_title_h(v);
            else
                open += columns[c][k].weight;
        }
        int y = top, left = h - closed_h;
        for (int k = 0; k < 3 && columns[c][k].panel >= 0; k++) {
            struct panel *p = &v->panels[columns[c][k].panel];
            if (p->hidden)
                continue;
            int ph = p->collapsed ? view_title_h(v)
                                  : (int)(left * columns[c][k].weight / (open ? open : 1));
            place(v, p, (SDL_Rect){x, y, w, ph});
            y += ph;
        }
        x += w;
    }
    canvas_stale(v);
}

/* The font size for the window's size (HiDPI included: sizes are pixels). */
static int font_px_for(const struct view *v)
{
    float s = (float)v->out_w / BASE_W;
    float t = (float)v->out_h / BASE_H;
    int px = (int)(BASE_FONT_PX * (s < t ? s : t) + 0.5f);
    return px < 9 ? 9 : px;
}

void view_resized(struct view *v)
{
    int ww, wh;
    SDL_GetRendererOutputSize(v->ren, &v->out_w, &v->out_h);
    SDL_GetWindowSize(v->win, &ww, &wh);
    v->px_per_point = ww > 0 ? (float)v->out_w / ww : 1;
    int px = font_px_for(v);
    char err[300];
    if (px != v->font_px && !draw_font_open(v, px, err, sizeof err))
        snprintf(v->status, sizeof v->status, "%.200s", err);
    view_layout(v);
    v->dirty = true;
}

/* ---- the toolbar ---------------------------------------------------------------------- */

static const struct {
    const char *label;
    SDL_Keycode key;
    const char *text; /* a character command instead of a key */
} buttons[] = {
    {"F5 run/pause", SDLK_F5, NULL},     {"F11 step", SDLK_F11, NULL},
    {"F10 step over", SDLK_F10, NULL},   {"F6 next ring change", SDLK_F6, NULL},
    {"F7 next syscall", SDLK_F7, NULL},  {"F8 next fault", SDLK_F8, NULL},
    {"- slower", 0, "-"},                {"+ faster", 0, "+"},
    {"F2 reset", SDLK_F2, NULL},         {": command", 0, ":"},
    {"? help", SDLK_F1, NULL},
};
#define NBUTTONS (sizeof buttons / sizeof buttons[0])
const size_t view_nbuttons = NBUTTONS;

SDL_Rect view_button(const struct view *v, size_t i, SDL_Keycode *key, const char **text)
{
    int x = 4;
    for (size_t k = 0; k < i; k++)
        x += ((int)strlen(buttons[k].label) + 2) * v->cw + 6;
    if (key)
        *key = buttons[i].key;
    if (text)
        *text = buttons[i].text;
    return (SDL_Rect){x, 3, ((int)strlen(buttons[i].label) + 2) * v->cw, v->ch + 2};
}

void view_speed_words(const struct view *v, char *buf, size_t n)
{
    if (v->speed == 0)
        snprintf(buf, n, "full speed");
    else
        snprintf(buf, n, "%llu instr/frame", (unsigned long long)v->speed);
}

static void draw_toolbar(struct view *v)
{
    draw_fill(v, (SDL_Rect){0, 0, v->out_w, v->ch + 8}, C_TITLEBAR);
    for (size_t i = 0; i < NBUTTONS; i++) {
        SDL_Rect r = view_button(v, i, NULL, NULL);
        draw_fill(v, r, C_PANEL);
        draw_frame_rect(v, r, C_BORDER, 1);
        draw_string(v, r.x + v->cw, r.y + 1, C_TEXT, false, buttons[i].label);
    }
    char state[96], speed[40];
    view_speed_words(v, speed, sizeof speed);
    snprintf(state, sizeof state, "%s  %s",
             v->ended ? "ENDED" : (v->running ? "RUNNING" : "STOPPED"),
             speed);
    int x = v->out_w - ((int)strlen(state) + 2) * v->cw;
    SDL_Rect last = view_button(v, NBUTTONS - 1, NULL, NULL);
    if (x > last.x + last.w)
        draw_string(v, x, 4, v->running ? C_YELLOW : C_WHITE, true, state);
}

/* ---- frames --------------------------------------------------------------------------- */

void view_probe(struct view *v, const char *name, int x, int y, enum ui_colour c)
{
    if (v->nprobes == UI_PROBES)
        return;
    struct ui_probe *p = &v->probes[v->nprobes++];
    snprintf(p->name, sizeof p->name, "%s", name);
    p->x = x;
    p->y = y;
    p->colour = c;
}

static void build_models(struct view *v)
{
    for (int i = 0; i < P_COUNT; i++) {
        uint64_t t0 = cost_thread_ns();
        uitext_clear(&v->panels[i].text);
        v->panels[i].model(v, &v->panels[i].text);
        if (v->running) {
            v->cost.built[i]++;
            v->cost.model_ns[i] += cost_thread_ns() - t0;
        }
    }
}

static void draw_panel(struct view *v, struct panel *p, int index)
{
    draw_fill(v, p->rect, C_PANEL);
    SDL_Rect bar = {p->rect.x, p->rect.y, p->rect.w, view_title_h(v)};
    draw_fill(v, bar, C_TITLEBAR);
    draw_frame_rect(v, p->rect, C_BORDER, 1);
    char title[96];
    snprintf(title, sizeof title, "%s%s  [%d]", p->collapsed ? "+ " : "- ", p->title, index + 1);
    draw_string(v, p->rect.x + 4, p->rect.y + 2, C_WHITE, true, title);
    if (p->collapsed || p->body.h <= 0)
        return;
    draw_clip(v, p->body);
    if (p->draw)
        p->draw(v, p, p->body);
    else
        draw_text(v, p->body, &p->text, p->scroll);
    draw_unclip(v);
}

static const char help_text[] =
    "ringlab view -- keys (the mouse: click a button, a panel's title, an event, the console)\n"
    "\n"
    "  F5 or space   run / pause          F11 or s   step one instruction\n"
    "  F10 or n      step over a CALL or INT n\n"
    "  F6 or t       run to the next change of ring (a transition)\n"
    "  F7 or y       run to the next system call      F8 or f   to the next fault\n"
    "  + and -       speed: instructions per frame (full speed, or slow enough to watch)\n"
    "  F2            reset the machine (breakpoints stay)\n"
    "  :             a command: the debugger's language (b ADDR, d N, until vector 14,\n"
    "                info gdt, x/4w ADDR, ...) and the view's (stop-on syscall,fault ...)\n"
    "  b             a breakpoint: ': b ' to complete with an address or symbol\n"
    "  Up, Down      select an older or newer event; End: follow the newest again\n"
    "  1 to 9        fold or unfold a panel (also a click on its title)\n"
    "  Tab or F4     type to the guest's console; Esc comes back to these keys\n"
    "  ? or F1       this help;  q or Ctrl-Q   quit\n"
    "\n"
    "Colours: yellow background = changed since the last stop; blue = where the CPU is,\n"
    "or what it uses; orange = the selected event, user mappings; vermillion = what\n"
    "caused a fault.  The lit ring is the current privilege level (CPL).\n";

static void draw_overlay(struct view *v, const char *text)
{
    int lines = 0, cols = 0, len = 0;
    for (const char *p = text; *p; p++) {
        if (*p == '\n') {
            lines++;
            cols = len > cols ? len : cols;
            len = 0;
        } else {
            len++;
        }
    }
    int w = (cols + 4) * v->cw, h = (lines + 2) * v->ch;
    SDL_Rect r = {(v->out_w - w) / 2, (v->out_h - h) / 2, w, h};
    draw_fill(v, r, C_BLACK);
    draw_frame_rect(v, r, C_YELLOW, 2);
    int y = r.y + v->ch;
    for (const char *p = text; *p;) {
        size_t n = strcspn(p, "\n");
        char line[200];
        snprintf(line, sizeof line, "%.*s", (int)(n < 199 ? n : 199), p);
        draw_string(v, r.x + 2 * v->cw, y, C_TEXT, false, line);
        y += v->ch;
        p += n;
        if (*p)
            p++;
    }
}

void view_build(struct view *v)
{
    build_models(v);
}

void view_render(struct view *v)
{
    uint64_t t0 = cost_thread_ns();
    v->nprobes = 0;
    v->dirty = false;
    canvas_begin(v, CANVAS_TOOLBAR, (SDL_Rect){0, 0, v->out_w, v->ch + 8});
    draw_toolbar(v);
    for (int i = 0; i < P_COUNT; i++) {
        if (v->panels[i].hidden)
            continue;
        canvas_begin(v, i, v->panels[i].rect);
        draw_panel(v, &v->panels[i], i);
    }
    /* The status line: the prompt, or the last answer. */
    int y = v->out_h - v->ch - 4;
    SDL_Rect status = {0, y - 2, v->out_w, v->ch + 6};
    canvas_begin(v, CANVAS_STATUS, status);
    draw_fill(v, status, C_TITLEBAR);
    char line[300];
    if (v->prompt_open)
        snprintf(line, sizeof line, ": %.*s_", (int)v->prompt_len, v->prompt);
    else
        snprintf(line, sizeof line, "%s", v->status);
    draw_string(v, 4, y, v->prompt_open ? C_YELLOW : C_TEXT, v->prompt_open, line);
    canvas_begin(v, CANVAS_OVERLAY, (SDL_Rect){0, 0, v->out_w, v->out_h});
    if (v->help)
        draw_overlay(v, help_text);
    if (v->running)
        v->cost.record_ns += cost_thread_ns() - t0;
    canvas_show(v);
    v->frames++;
    v->cost.frames += v->running;
}

void view_frame(struct view *v)
{
    view_build(v);
    view_render(v);
}

void view_present(struct view *v)
{
    uint64_t t0 = cost_thread_ns();
    SDL_RenderPresent(v->ren);
    if (v->running)
        v->cost.show_ns += cost_thread_ns() - t0;
}

/* ---- the model, written out ------------------------------------------------------------- */

void view_model_dump(struct view *v, FILE *f)
{
    /* Each panel's lines as far as they were drawn. */
    for (int i = 0; i < P_COUNT; i++) {
        const struct panel *p = &v->panels[i];
        if (p->hidden)
            continue;
        int rows = p->collapsed ? 0 : p->body.h / v->ch;
        if (i == P_RINGS)
            rows = p->text.n; /* its words stand beside the rings */
        fprintf(f, "== %s%s\n", p->name, p->collapsed ? " (folded)" : "");
        struct ui_text *shown = malloc(sizeof *shown);
        if (!shown)
            continue;
        *shown = p->text;
        int skip = i == P_RINGS ? 0 : p->scroll;
        for (int k = 0; k + skip < shown->n; k++)
            shown->line[k] = shown->line[k + skip];
        shown->n = shown->n - skip < rows ? shown->n - skip : rows;
        uitext_write(shown, "", f);
        if (p->text.n - skip > rows && p->text.line[p->text.n - 1].len)
            fprintf(f, "(%d more lines below)\n", p->text.n - skip - rows);
        free(shown);
    }
    fprintf(f, "== probes\n");
    for (int i = 0; i < v->nprobes; i++) {
        const struct ui_rgb *c = &ui_colours[v->probes[i].colour];
        fprintf(f, "probe %s %d %d %s %u %u %u\n", v->probes[i].name, v->probes[i].x,
                v->probes[i].y, ui_colour_name(v->probes[i].colour), c->r, c->g, c->b);
    }
    char speed[40];
    view_speed_words(v, speed, sizeof speed);
    fprintf(f, "== view\nsize %d %d\nfont %s %d px\nframes %llu\nspeed %s\nstatus %s\n",
            v->out_w, v->out_h, v->font_path, v->font_px, (unsigned long long)v->frames, speed,
            v->status);
}

/* ---- opening and closing ------------------------------------------------------------------ */

/* Is the renderer OpenGL drawn by the CPU (Mesa's llvmpipe or softpipe, as
 * under Xvfb or without a GPU driver)?  Such a GL spends several times the
 * CPU of SDL's own software renderer on each frame (the `stats` command:
 * 12 ms against 3 ms under Xvfb), on the cores the guest runs on. */
static bool gl_in_software(SDL_Renderer *ren)
{
    SDL_RendererInfo info;
    if (SDL_GetRendererInfo(ren, &info) != 0 || strncmp(info.name, "opengl", 6))
        return false;
    typedef const unsigned char *(*get_string_fn)(unsigned);
    get_string_fn get = (get_string_fn)(uintptr_t)SDL_GL_GetProcAddress("glGetString");
    const char *name = get ? (const char *)get(0x1F01 /* GL_RENDERER */) : NULL;
    return name && (strstr(name, "llvmpipe") || strstr(name, "softpipe") ||
                    strstr(name, "Software Rasterizer"));
}

/* The window's renderer: SDL's choice (SDL_RENDER_DRIVER still decides),
 * unless that is OpenGL in software; then SDL's software renderer, its
 * frames put on the window without going through OpenGL. */
static SDL_Renderer *open_renderer(SDL_Window *win)
{
    SDL_Renderer *ren = SDL_CreateRenderer(win, -1, 0);
    const char *asked = SDL_GetHint(SDL_HINT_RENDER_DRIVER);
    if (!ren || (asked && *asked) || !gl_in_software(ren))
        return ren;
    SDL_DestroyRenderer(ren);
    SDL_SetHint(SDL_HINT_FRAMEBUFFER_ACCELERATION, "0");
    ren = SDL_CreateRenderer(win, -1, SDL_RENDERER_SOFTWARE);
    return ren ? ren : SDL_CreateRenderer(win, -1, 0);
}

struct view *view_open(const struct view_config *cfg, char *err, size_t errlen)
{
    struct view *v = calloc(1, sizeof *v);
    if (v)
        v->events = calloc(UI_EVENTS, sizeof *v->events);
    if (!v || !v->events) {
        snprintf(err, errlen, "out of memory for the view");
        free(v);
        return NULL;
    }
    v->cfg = cfg;
    v->r = cfg->runner;
    v->m = cfg->runner->m;
    v->scripted = cfg->script != NULL;
    v->program = -1;
    memcpy(v->panels, panel_defs, sizeof v->panels);
    v->panels[P_MONITOR].hidden = !cfg->vmm_status;
    /* The display the environment names, as QEMU takes it; SDL_VIDEODRIVER
     * still chooses another. */
    const char *x = getenv("DISPLAY"), *w = getenv("WAYLAND_DISPLAY");
    const char *driver = getenv("SDL_VIDEODRIVER");
    if (!driver || !*driver) {
        if (w && *w)
            SDL_SetHint(SDL_HINT_VIDEODRIVER, "wayland,x11");
        else if (x && *x)
            SDL_SetHint(SDL_HINT_VIDEODRIVER, "x11");
        else {
            snprintf(err, errlen, "no window can be opened: no display (neither DISPLAY nor "
                                  "WAYLAND_DISPLAY is set)");
            free(v->events);
            free(v);
            return NULL;
        }
    }
    if (SDL_Init(SDL_INIT_VIDEO) != 0) {
        snprintf(err, errlen, "no window can be opened: %s", SDL_GetError());
        free(v->events);
        free(v);
        return NULL;
    }
    v->win = SDL_CreateWindow("ringlab", SDL_WINDOWPOS_CENTERED, SDL_WINDOWPOS_CENTERED, BASE_W,
                              BASE_H, SDL_WINDOW_RESIZABLE | SDL_WINDOW_ALLOW_HIGHDPI);
    if (v->win)
        v->ren = open_renderer(v->win);
    if (!v->win || !v->ren) {
        snprintf(err, errlen, "no window can be opened: %s", SDL_GetError());
        view_close(v);
        return NULL;
    }
    SDL_SetRenderDrawBlendMode(v->ren, SDL_BLENDMODE_BLEND);
    SDL_GetRendererOutputSize(v->ren, &v->out_w, &v->out_h);
    int ww, wh;
    SDL_GetWindowSize(v->win, &ww, &wh);
    v->px_per_point = ww > 0 ? (float)v->out_w / ww : 1;
    if (!draw_font_open(v, font_px_for(v), err, errlen)) {
        view_close(v);
        return NULL;
    }
    view_layout(v);
    v->inq_lock = SDL_CreateMutex();
    if (!v->inq_lock) {
        snprintf(err, errlen, "the view cannot start: %s", SDL_GetError());
        view_close(v);
        return NULL;
    }
    v->syms = repl_load_symbols(cfg->kernel_path, cfg->initrd_path, NULL);
    struct debug_host host = view_host(v);
    v->dbg = debugger_create(v->m, &host, v->syms);
    if (!v->dbg) {
        snprintf(err, errlen, "out of memory for the view");
        view_close(v);
        return NULL;
    }
    debugger_name_syscalls(v->dbg, cfg->bundled);
    if (cfg->vmm_info)
        debugger_set_vmm(v->dbg, cfg->vmm_info, cfg->vmm_opaque);
    cfg->runner->io = view_io(v);
    SDL_StartTextInput();
    snprintf(v->status, sizeof v->status, "F5 runs and pauses, F11 steps, ? lists the keys");
    model_refresh(v, true);
    return v;
}

void view_close(struct view *v)
{
    if (!v)
        return;
    if (v->dbg)
        debugger_destroy(v->dbg);
    symbols_destroy(v->syms);
    canvas_close(v);
    draw_font_close(v);
    if (v->ren)
        SDL_DestroyRenderer(v->ren);
    if (v->win)
        SDL_DestroyWindow(v->win);
    if (TTF_WasInit())
        TTF_Quit();
    /* No SDL_Quit: it unloads the X11 libraries SDL opened, and the few
     * blocks they keep to the end then have no module LeakSanitizer could
     * name; the process ends right after this. */
    if (v->inq_lock)
        SDL_DestroyMutex(v->inq_lock);
    free(v->events);
    free(v);
}

/* ---- the session -------------------------------------------------------------------------- */

static int exit_status(struct view *v)
{
    if (v->ended || v->last == RUNNER_TIMEOUT || v->last == RUNNER_INSN_LIMIT ||
        v->last == RUNNER_STUCK)
        return report_exit(v->last, v->r, v->cfg->qlog, v->cfg->timeout_s);
    return RL_EXIT_POWEROFF;
}

bool view_screenshot(struct view *v, const char *path, char *err, size_t errlen)
{
    view_frame(v);
    bool ok = draw_screenshot(v, path, err, errlen);
    view_present(v);
    return ok;
}

static void save_screenshot(struct view *v, const char *path, int *status)
{
    char err[600];
    if (!view_screenshot(v, path, err, sizeof err)) {
        report_say("%s", err);
        if (*status == RL_EXIT_POWEROFF)
            *status = RL_EXIT_HOST;
    }
}

int view_run(struct view *v)
{
    int status = RL_EXIT_POWEROFF;
    view_next_frame_time(v);
    if (v->scripted) {
        /* A script that ends without q leaves the view to the person. */
        status = script_run(v, v->cfg->script);
        if (status != RL_EXIT_POWEROFF || v->want_quit) {
            if (status == RL_EXIT_POWEROFF)
                status = exit_status(v);
            if (v->cfg->screenshot)
                save_screenshot(v, v->cfg->screenshot, &status);
            return status;
        }
    } else {
        /* A newcomer sees the guest boot: it runs from the start. */
        view_frame(v);
        view_present(v);
        view_command_status(v, "c");
    }
    while (!v->want_quit) {
        view_pump(v);
        if (v->want_quit)
            break;
        if (v->dirty) {
            view_frame(v);
            view_present(v);
        } else {
            SDL_WaitEventTimeout(NULL, 100);
        }
    }
    status = exit_status(v);
    if (v->cfg->screenshot)
        save_screenshot(v, v->cfg->screenshot, &status);
    return status;
}
