/* The view's insides, shared by its files: the view itself, the text model
 * every panel is drawn from, colours, drawing, and each panel's two
 * functions -- one that builds its text model from what inspect returns,
 * one that draws it.  What a panel shows is its model; a script's `model`
 * command writes the models out, so tests read exactly what was drawn. */
#ifndef RINGLAB_UI_H
#define RINGLAB_UI_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <SDL.h>
#include <SDL_ttf.h>

#include "control.h"
#include "debug/debugger.h"
#include "debug/symbols.h"
#include "inspect.h"
#include "util/strbuf.h"
#include "view.h"
#include "vmm/vmm_status.h"

/* ---- colours: the Okabe-Ito palette, legible for colour-blind readers;
 * nothing is told by red against green, and lit things are also brighter */
enum ui_colour {
    C_BG, C_PANEL, C_TITLEBAR, C_BORDER, C_TEXT, C_DIM, C_LABEL, C_WHITE, C_BLACK,
    C_ORANGE, C_SKY, C_GREEN, C_YELLOW, C_BLUE, C_VERMILLION, C_PURPLE,
    C_RING_OFF, C_RING_LIT, C_MAP_NONE,
    C_COUNT
};
struct ui_rgb {
    uint8_t r, g, b;
};
extern const struct ui_rgb ui_colours[C_COUNT];
const char *ui_colour_name(enum ui_colour c);

/* ---- the text model ------------------------------------------------------ */

/* Styles of text: a foreground and, for marks, a background. */
enum ui_style {
    ST_TEXT,     /* ordinary */
    ST_DIM,      /* less important, or absent */
    ST_LABEL,    /* a field's name */
    ST_VALUE,    /* a value */
    ST_CHANGED,  /* changed since the last stop */
    ST_CURRENT,  /* where the CPU is: EIP's line, ESP's word, the entries in use */
    ST_SELECTED, /* the event chosen in the timeline */
    ST_FAULT,    /* what caused a fault: the bit, the entry */
    ST_KERNEL,   /* supervisor, ring 0 */
    ST_USER,     /* user, ring 3 */
    ST_FRAME,    /* a field of the frame the CPU pushed */
    ST_COUNT
};

#define UI_COLS 160
#define UI_LINES 120
struct ui_line {
    int len;
    char ch[UI_COLS];
    uint8_t st[UI_COLS];
};
struct ui_text {
    int n; /* lines; the last one may be unfinished */
    struct ui_line line[UI_LINES];
};
void uitext_clear(struct ui_text *t);
/* Append to the current line in a style; '\n' ends the line.  Text beyond
 * UI_COLS or UI_LINES is dropped. */
void uitext_add(struct ui_text *t, enum ui_style style, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* The lines as plain text, each with a prefix. */
void uitext_write(const struct ui_text *t, const char *prefix, FILE *f);
/* Does any line hold this text? (for the few places that look) */
bool uitext_has(const struct ui_text *t, const char *needle);

/* ---- panels ----------------------------------------------------------------- */

enum panel_id {
    P_RINGS, P_REGS, P_CODE, P_STACK, P_TIMELINE, P_PFAULT, P_ASPACE, P_TABLES, P_CONSOLE,
    P_MONITOR, /* only under a monitor (pg vmm) */
    P_COUNT
};

struct view;
struct panel {
    const char *title;
    const char *name; /* for scripts: rings, registers, ... */
    void (*model)(struct view *v, struct ui_text *t);
    /* Draw the body; NULL: draw the text model. */
    void (*draw)(struct view *v, struct panel *p, SDL_Rect body);
    bool collapsed;
    bool hidden; /* not laid out, drawn or written out */
    SDL_Rect rect, body; /* as laid out for the last frame */
    int scroll;          /* lines scrolled off the top (the mouse wheel) */
    struct ui_text text;
};

void rings_model(struct view *v, struct ui_text *t);
void rings_draw(struct view *v, struct panel *p, SDL_Rect body);
void regs_model(struct view *v, struct ui_text *t);
void code_model(struct view *v, struct ui_text *t);
void stack_model(struct view *v, struct ui_text *t);
void timeline_model(struct view *v, struct ui_text *t);
void pfault_model(struct view *v, struct ui_text *t);
void pfault_draw(struct view *v, struct panel *p, SDL_Rect body);
void aspace_model(struct view *v, struct ui_text *t);
void aspace_draw(struct view *v, struct panel *p, SDL_Rect body);
void tables_model(struct view *v, struct ui_text *t);
void console_model(struct view *v, struct ui_text *t);
void monitor_model(struct view *v, struct ui_text *t);
void monitor_draw(struct view *v, struct panel *p, SDL_Rect body);

/* ---- the timeline's events (model.c) ------------------------------------- */

struct ui_event {
    struct trace_event ev;
    char summary[192]; /* "sysenter write(1, "hello from ring 3\n", 18)" */
    char cause[48];    /* the rings' arrow label: "sysenter write", "#PF", "IRQ 0", "iret" */
};
#define UI_EVENTS 4096

/* ---- points whose pixels mean something, for the tests ------------------- */
struct ui_probe {
    char name[40];
    int x, y;
    enum ui_colour colour; /* what the view drew there */
};
#define UI_PROBES 48

/* ---- drawing as lists of commands, kept on a canvas (canvas.c) ----------- */

enum draw_op { DRAW_FILL, DRAW_FRAME, DRAW_GLYPHS, DRAW_ANNULUS, DRAW_ARROW, DRAW_CLIP, DRAW_UNCLIP };
struct draw_cmd {
    uint8_t op, colour, bold, unused;
    int32_t x, y, w, h; /* a rectangle; a run of glyphs' place */
    int32_t len, at;    /* FRAME: its thickness; GLYPHS: how many, where in the text */
    float f[5];         /* ANNULUS: cx, cy, r_in, r_out; ARROW: x0, y0, x1, y1, width */
};
struct draw_list {
    struct draw_cmd *cmd;
    size_t n, cap;
    char *text; /* the glyph runs' characters */
    size_t text_n, text_cap;
    bool failed; /* out of memory: not compared, drawn again */
};
/* The parts of the window, each drawn again only when its list changed:
 * the panels (by enum panel_id), the toolbar, the status line; the help
 * overlay is drawn over them every frame it shows. */
enum { CANVAS_TOOLBAR = P_COUNT, CANVAS_STATUS, CANVAS_OVERLAY, CANVAS_PARTS };
struct canvas_part {
    SDL_Rect rect, last_rect;
    struct draw_list now, last; /* this frame's, and the one on the canvas */
    bool drawn;
};
/* Start recording a part's drawing (draw.c's functions record into it). */
void canvas_begin(struct view *v, int part, SDL_Rect r);
void canvas_rect(struct view *v, enum draw_op op, SDL_Rect r, enum ui_colour c, int thick);
void canvas_glyphs(struct view *v, int x, int y, enum ui_colour c, bool bold, const char *s,
                   int len);
void canvas_shape(struct view *v, enum draw_op op, const float f[5], enum ui_colour c);
/* Draw the parts that changed, then the canvas and the overlay to the window. */
void canvas_show(struct view *v);
/* Everything is drawn again at the next frame (a new layout, lost targets). */
void canvas_stale(struct view *v);
void canvas_close(struct view *v);

/* ---- what a frame costs while the guest runs (cost.c) -------------------- */

struct view_cost {
    uint64_t frames;          /* frames drawn while the guest ran */
    uint64_t slices;          /* slices of full-speed runs (each one drawn over) */
    uint64_t glyphs, fills;   /* glyphs and rectangles drawn into the canvas */
    uint64_t built[P_COUNT];  /* text models built */
    uint64_t model_ns[P_COUNT];
    uint64_t drawn[CANVAS_PARTS], kept[CANVAS_PARTS];
    uint64_t draw_ns[CANVAS_PARTS];
    uint64_t read_ns;   /* the machine read for the models (model_refresh) */
    uint64_t record_ns; /* the panels' drawing recorded */
    uint64_t show_ns;   /* the canvas copied to the window, and shown */
    uint64_t guest_ns, process_ns, wall_ns; /* CPU of the guest's runs, of the process; time */
    uint64_t guest0, process0, wall0;       /* at the start of the run going on */
};
uint64_t cost_thread_ns(void); /* CPU time of the calling thread */
void cost_run_begin(struct view *v);
void cost_run_end(struct view *v);
void cost_report(const struct view *v, struct strbuf *out);

/* ---- the view ------------------------------------------------------------------ */

struct view_serial {
    FILE *copy;
    char lines[200][UI_COLS + 1]; /* a ring of finished lines */
    unsigned nlines;              /* lines finished so far */
    char cur[UI_COLS + 1];
    int cur_len;
    bool changed;
};

struct view {
    const struct view_config *cfg;
    struct machine *m;
    struct runner *r;
    SDL_Window *win;
    SDL_Renderer *ren;
    int out_w, out_h;   /* the renderer's size in pixels (HiDPI: larger than the window) */
    float px_per_point; /* pixels per window coordinate */
    /* the font */
    TTF_Font *font, *bold;
    SDL_Texture *glyphs, *glyphs_bold; /* ASCII 32..126 in a row, white */
    int cw, ch;                        /* a character cell in pixels */
    int font_px;
    char font_path[512];

    struct panel panels[P_COUNT];
    struct debugger *dbg;
    struct symbols *syms;

    /* The machine as last read. */
    bool cpu_ok;
    struct cpu_state cpu;
    struct cpu_state stop_cpu; /* at the stop before this one, for "changed" */
    bool have_stop_cpu;
    struct cpu_state last_stop_cpu; /* at this stop */
    bool have_last_stop;
    int program; /* the running program (symbols_identify), -1 */
    struct vga_screen vga;
    struct vmm_status mon; /* the monitor's account (monitor.c), when mon_ok */
    bool mon_ok;
    /* The address space, one entry per 4 MiB (PDE): see aspace.c. */
    struct aspace_cell {
        uint8_t kind; /* 0 not mapped, 1 supervisor only, 2 user, 3 both */
        bool writable, accessed, dirty;
    } aspace[1024];
    int aspace_split; /* first PDE of the kernel's part, -1 */
    bool aspace_paging;

    /* The timeline: a ring of the last UI_EVENTS events. */
    struct ui_event *events;
    size_t ev_n;        /* how many are held */
    uint64_t ev_seen;   /* inspect_event_count when last read */
    uint64_t selected;  /* the selected event's seq; 0: follow the newest */
    uint64_t arrow_seq; /* the transition the rings show, and since when */
    double arrow_since;
    int timeline_scroll;              /* events from the newest, when not following */
    uint64_t tl_row_seq[UI_LINES];    /* which event each timeline line shows (0: none) */

    /* Runs. */
    bool running, ended, want_break, want_quit;
    enum runner_stop last;
    unsigned stop_mask; /* what F5 (continue) also stops at: STOP_ON_* */
    uint64_t speed;     /* instructions per frame, 0: as fast as it goes */
    double frame_period, next_frame_at, draw_s;
    double refresh_rate; /* the display's, read while the guest stands still */
    uint64_t frames;

    /* Input for the guest's serial port. */
    char inq[1024];
    size_t inq_len, inq_at;
    SDL_mutex *inq_lock; /* typed here, fed by the thread that runs the guest */
    bool console_focus;

    /* The window's own state. */
    bool help, prompt_open;
    char prompt[128];
    size_t prompt_len;
    char status[256];
    bool dirty;
    bool scripted;
    struct ui_probe probes[UI_PROBES];
    int nprobes;

    /* The canvas the parts are kept on (canvas.c), and what frames cost. */
    SDL_Texture *canvas;
    int canvas_w, canvas_h;
    bool canvas_fresh, canvas_failed;
    struct draw_list *rec; /* the part being recorded */
    struct canvas_part parts[CANVAS_PARTS];
    struct view_cost cost;
};

/* window.c: a frame is its models, built while the guest is stopped (they
 * read the machine), then drawn from them alone (the guest may run). */
void view_build(struct view *v);
void view_render(struct view *v);
void view_frame(struct view *v); /* both */
void view_present(struct view *v);
void view_layout(struct view *v);
void view_resized(struct view *v);
int view_title_h(const struct view *v);
void view_speed_words(const struct view *v, char *buf, size_t n);
/* The toolbar's buttons: where button i is, and the key or the character
 * command (NULL: the key) it stands for. */
extern const size_t view_nbuttons;
SDL_Rect view_button(const struct view *v, size_t i, SDL_Keycode *key, const char **text);

/* run.c */
double view_now(void);
void view_next_frame_time(struct view *v);
struct debug_host view_host(struct view *v);
struct runner_io view_io(struct view *v);
/* A command line whose answer's first line goes to the status line. */
void view_command_status(struct view *v, const char *line);

/* keys.c */
void view_pump(struct view *v);
void view_key(struct view *v, SDL_Keycode key, uint16_t mod);
void view_text(struct view *v, const char *text);
/* Bytes for the guest's serial input, as if typed at the console. */
void view_type(struct view *v, const char *bytes, size_t len);
void view_probe(struct view *v, const char *name, int x, int y, enum ui_colour c);
enum debug_result view_command(struct view *v, const char *line, struct strbuf *out);
void view_model_dump(struct view *v, FILE *f);
struct panel *view_panel_named(struct view *v, const char *name);

/* model.c */
void model_refresh(struct view *v, bool at_stop);
const struct ui_event *model_event(const struct view *v, uint64_t seq);
const struct ui_event *model_event_at(const struct view *v, size_t i); /* 0 = the oldest held */
const struct ui_event *model_selected(const struct view *v);
/* The newest event before or at `upto` (0: any) that is a #PF, or that changed rings. */
const struct ui_event *model_last_pf(const struct view *v, uint64_t upto);
const struct ui_event *model_last_crossing(const struct view *v, uint64_t upto);
bool model_read(struct view *v, uint32_t cr3, uint32_t linear, void *buf, size_t len);

/* draw.c */
bool draw_font_open(struct view *v, int px, char *err, size_t errlen);
void draw_font_close(struct view *v);
void draw_fill(struct view *v, SDL_Rect r, enum ui_colour c);
void draw_frame_rect(struct view *v, SDL_Rect r, enum ui_colour c, int thick);
/* What follows is drawn only inside r; unclip: anywhere in the part again. */
void draw_clip(struct view *v, SDL_Rect r);
void draw_unclip(struct view *v);
/* One line of the text model at x, y, at most max_cols characters. */
void draw_line(struct view *v, int x, int y, const struct ui_line *l, int max_cols);
void draw_string(struct view *v, int x, int y, enum ui_colour c, bool bold, const char *s);
/* The text model in a box, from line `first` on. */
void draw_text(struct view *v, SDL_Rect box, const struct ui_text *t, int first);
void draw_annulus(struct view *v, float cx, float cy, float r_in, float r_out, enum ui_colour c);
void draw_arrow(struct view *v, float x0, float y0, float x1, float y1, float width,
                enum ui_colour c);
bool draw_screenshot(struct view *v, const char *path, char *err, size_t errlen);
/* The style's colours. */
enum ui_colour style_fg(enum ui_style s);
int style_bg(enum ui_style s); /* -1: none */

/* script.c: run a --ui-script; returns 0, or the exit status of a bad line
 * (2) or of a screenshot that cannot be written (10).  `q` sets want_quit. */
int script_run(struct view *v, const char *path);
/* Write the frame just drawn to a PNG (script.c's screenshot, --screenshot). */
bool view_screenshot(struct view *v, const char *path, char *err, size_t errlen);

#endif
