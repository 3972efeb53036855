/* The view's keys and mouse: the controls (F5 run and pause, F11 step,
 * F10 step over, F6/F7/F8 to the next ring change, system call, fault,
 * speed, reset, the ':' prompt, event selection, folding panels), and the
 * console's focus, under which typing goes to the guest's serial input. */
#include <string.h>

#include "ui.h"

/* ---- keys and the mouse --------------------------------------------------------------- */

static const uint64_t speeds[] = {0, 1000000, 100000, 10000, 1000, 100, 10, 1};
#define NSPEEDS (sizeof speeds / sizeof speeds[0])

static void change_speed(struct view *v, int dir)
{
    size_t i = 0;
    while (i < NSPEEDS && speeds[i] != v->speed)
        i++;
    if (i == NSPEEDS)
        i = 0;
    if (dir < 0 && i + 1 < NSPEEDS)
        i++;
    else if (dir > 0 && i > 0)
        i--;
    v->speed = speeds[i];
    char w[40];
    view_speed_words(v, w, sizeof w);
    snprintf(v->status, sizeof v->status, "speed: %s", w);
}

static void select_event(struct view *v, int dir)
{
    if (!v->ev_n)
        return;
    const struct ui_event *sel = model_selected(v);
    uint64_t oldest = model_event_at(v, 0)->ev.seq, newest = model_event_at(v, v->ev_n - 1)->ev.seq;
    uint64_t seq = sel ? sel->ev.seq : newest;
    if (dir < 0 && seq > oldest)
        seq--;
    else if (dir > 0 && seq < newest)
        seq++;
    /* Back at the newest: follow new events again. */
    v->selected = seq == newest ? 0 : seq;
}

static bool run_key(struct view *v, const char *command)
{
    if (v->running)
        return false;
    view_command_status(v, command);
    return true;
}

void view_key(struct view *v, SDL_Keycode key, uint16_t mod)
{
    v->dirty = true;
    bool ctrl = mod & KMOD_CTRL;
    if (ctrl && key == SDLK_q) {
        v->want_quit = true;
        return;
    }
    if (v->help && (key == SDLK_ESCAPE || key == SDLK_F1)) {
        v->help = false;
        return;
    }
    if (v->prompt_open) {
        if (key == SDLK_ESCAPE) {
            v->prompt_open = false;
        } else if (key == SDLK_RETURN || key == SDLK_KP_ENTER) {
            v->prompt_open = false;
            v->prompt[v->prompt_len] = '\0';
            if (v->running)
                snprintf(v->status, sizeof v->status, "pause first (F5) to give a command");
            else
                view_command_status(v, v->prompt);
        } else if (key == SDLK_BACKSPACE && v->prompt_len > 0) {
            v->prompt_len--;
        }
        return;
    }
    if (v->console_focus) {
        static const struct {
            SDL_Keycode key;
            char byte;
        } specials[] = {{SDLK_RETURN, '\r'}, {SDLK_KP_ENTER, '\r'}, {SDLK_BACKSPACE, 0x7f},
                        {SDLK_TAB, '\t'}};
        if (key == SDLK_ESCAPE || key == SDLK_F4) {
            v->console_focus = false;
            return;
        }
        for (size_t i = 0; i < sizeof specials / sizeof specials[0]; i++)
            if (key == specials[i].key) {
                view_type(v, &specials[i].byte, 1);
                return;
            }
        if (ctrl && key >= SDLK_a && key <= SDLK_z) {
            char b = (char)(key - SDLK_a + 1);
            view_type(v, &b, 1);
            return;
        }
        if (key < SDLK_F1 || key > SDLK_F12)
            return; /* the text itself arrives as SDL_TEXTINPUT */
    }
    switch (key) {
    case SDLK_F5:
    case SDLK_SPACE:
        if (v->running)
            v->want_break = true;
        else
            run_key(v, "c");
        return;
    case SDLK_F11: run_key(v, "s"); return;
    case SDLK_F10: run_key(v, "n"); return;
    case SDLK_F6: run_key(v, "until transition"); return;
    case SDLK_F7: run_key(v, "until syscall"); return;
    case SDLK_F8: run_key(v, "until fault"); return;
    case SDLK_F2: run_key(v, "reset"); return;
    case SDLK_F1: v->help = !v->help; return;
    case SDLK_F4:
    case SDLK_TAB: v->console_focus = true; return;
    default: break;
    }
    if (v->console_focus)
        return;
    switch (key) {
    case SDLK_UP: select_event(v, -1); return;
    case SDLK_DOWN: select_event(v, +1); return;
    case SDLK_END: v->selected = 0; return;
    case SDLK_HOME: if (v->ev_n) v->selected = model_event_at(v, 0)->ev.seq; return;
    case SDLK_ESCAPE: v->help = false; return;
    default: break;
    }
}

/* Typed characters: the prompt's text, the guest's input, or the commands
 * that are characters whatever the keyboard's layout (c s n t y f b q, ?, :,
 * + and -, 1 to 9). */
void view_text(struct view *v, const char *text)
{
    v->dirty = true;
    for (const char *p = text; *p; p++) {
        char c = *p;
        if (v->prompt_open) {
            if (c >= 32 && c < 127 && v->prompt_len + 1 < sizeof v->prompt)
                v->prompt[v->prompt_len++] = c;
            continue;
        }
        if (v->console_focus) {
            if ((unsigned char)c < 128)
                view_type(v, &c, 1);
            continue;
        }
        switch (c) {
        case 'c': run_key(v, "c"); break;
        case 's': run_key(v, "s"); break;
        case 'n': run_key(v, "n"); break;
        case 't': run_key(v, "until transition"); break;
        case 'y': run_key(v, "until syscall"); break;
        case 'f': run_key(v, "until fault"); break;
        case 'q': v->want_quit = true; break;
        case '?': v->help = !v->help; break;
        case '+':
        case '=': change_speed(v, +1); break;
        case '-': change_speed(v, -1); break;
        case ':':
            v->prompt_open = true;
            v->prompt_len = 0;
            break;
        case 'b':
            v->prompt_open = true;
            v->prompt_len = (size_t)snprintf(v->prompt, sizeof v->prompt, "b ");
            break;
        default:
            if (c >= '1' && c <= '9' && c - '1' < P_COUNT) {
                struct panel *pn = &v->panels[c - '1'];
                pn->collapsed = !pn->collapsed;
                view_layout(v);
            }
            break;
        }
    }
}

static bool inside(SDL_Rect r, int x, int y)
{
    return x >= r.x && y >= r.y && x < r.x + r.w && y < r.y + r.h;
}

static void click(struct view *v, int x, int y)
{
    v->dirty = true;
    for (size_t i = 0; i < view_nbuttons; i++) {
        SDL_Keycode key;
        const char *text;
        if (inside(view_button(v, i, &key, &text), x, y)) {
            if (text)
                view_text(v, text);
            else
                view_key(v, key, 0);
            return;
        }
    }
    for (int i = 0; i < P_COUNT; i++) {
        struct panel *p = &v->panels[i];
        SDL_Rect bar = {p->rect.x, p->rect.y, p->rect.w, view_title_h(v)};
        if (inside(bar, x, y)) {
            p->collapsed = !p->collapsed;
            view_layout(v);
            return;
        }
        if (!inside(p->body, x, y))
            continue;
        if (i == P_CONSOLE)
            v->console_focus = true;
        if (i == P_TIMELINE) {
            int row = (y - p->body.y) / v->ch;
            if (row >= 0 && row < UI_LINES && v->tl_row_seq[row])
                v->selected = v->tl_row_seq[row];
        }
        return;
    }
}

void view_pump(struct view *v)
{
    SDL_Event e;
    while (SDL_PollEvent(&e)) {
        switch (e.type) {
        case SDL_QUIT:
            v->want_quit = true;
            break;
        case SDL_WINDOWEVENT:
            if (e.window.event == SDL_WINDOWEVENT_SIZE_CHANGED ||
                e.window.event == SDL_WINDOWEVENT_RESIZED)
                view_resized(v);
            v->dirty = true;
            break;
        case SDL_RENDER_TARGETS_RESET:
        case SDL_RENDER_DEVICE_RESET:
            canvas_stale(v); /* the canvas's pixels are lost */
            v->dirty = true;
            break;
        case SDL_KEYDOWN:
            view_key(v, e.key.keysym.sym, e.key.keysym.mod);
            break;
        case SDL_TEXTINPUT:
            view_text(v, e.text.text);
            break;
        case SDL_MOUSEBUTTONDOWN:
            if (e.button.button == SDL_BUTTON_LEFT)
                click(v, (int)(e.button.x * v->px_per_point), (int)(e.button.y * v->px_per_point));
            break;
        case SDL_MOUSEWHEEL: {
            /* Over the timeline it selects events; over a panel it scrolls. */
            int mx, my;
            SDL_GetMouseState(&mx, &my);
            mx = (int)(mx * v->px_per_point);
            my = (int)(my * v->px_per_point);
            v->dirty = true;
            for (int i = 0; i < P_COUNT; i++) {
                struct panel *p = &v->panels[i];
                if (!inside(p->rect, mx, my))
                    continue;
                if (i == P_TIMELINE) {
                    select_event(v, e.wheel.y > 0 ? -1 : +1);
                } else if (!p->draw) {
                    int rows = p->body.h / v->ch, max = p->text.n - rows;
                    p->scroll += e.wheel.y > 0 ? -3 : 3;
                    p->scroll = p->scroll > max ? max : p->scroll;
                    p->scroll = p->scroll < 0 ? 0 : p->scroll;
                }
            }
            break;
        }
        default:
            break;
        }
    }
    if (v->cfg->serial && v->cfg->serial->changed) {
        v->cfg->serial->changed = false;
        v->dirty = true;
    }
}

