/* --ui-script FILE: the debugger's command language, the same interpreter
 * (debugger_exec), plus the view's own commands:
 *   select-event N      select event N in the timeline (0: follow the newest)
 *   key NAME            press a key, by SDL's name: F5, Space, Return, a, ?...
 *   type TEXT           type to the guest's console (\r is Enter)
 *   screenshot PATH.png save the window as it is now
 *   wait-frames N       draw N frames (the rings' arrow grows; a run goes on)
 *   model PATH          write each panel's text model and the probe points
 *   panel NAME fold|unfold
 *   window-size W H     resize the window (the layout and the font follow)
 *   stop-on KINDS, speed N, stats [reset] (also at the view's ':' prompt)
 * Each line is echoed with its answer on stdout, as --debugger-script does;
 * the first bad line stops the script (status 2). */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "front/report.h"
#include "status.h"
#include "ui.h"

#define PROMPT "<ringlab> "

static bool ends_png(const char *path)
{
    size_t n = strlen(path);
    return n > 4 && !strcasecmp(path + n - 4, ".png");
}

static bool number(const char *s, uint64_t *v)
{
    char *end;
    if (!*s || *s == '-')
        return false;
    *v = strtoull(s, &end, 0);
    return *end == '\0';
}

/* The view's own commands; false when the line is not one of them. */
static bool own_command(struct view *v, const char *cmd, const char *arg, enum debug_result *r,
                        int *status, struct strbuf *out)
{
    uint64_t n;
    *r = DEBUG_OK;
    if (!strcmp(cmd, "select-event")) {
        if (!number(arg, &n) || (n && !model_event(v, n))) {
            strbuf_add(out, "select-event: no event '%s' in the timeline (it holds the last %u)\n",
                       arg, UI_EVENTS);
            *r = DEBUG_ERROR;
        } else {
            v->selected = n;
            v->dirty = true;
        }
    } else if (!strcmp(cmd, "key")) {
        SDL_Keycode key = SDLK_UNKNOWN;
        uint16_t mod = 0;
        const char *name = arg;
        if (!strncasecmp(name, "ctrl-", 5)) {
            mod = KMOD_CTRL;
            name += 5;
        }
        bool character = !mod && strlen(name) == 1 && isprint((unsigned char)*name) && *name != ' ';
        if (*name && !character)
            key = SDL_GetKeyFromName(name);
        if (character) {
            view_text(v, name); /* as a keyboard's character would come */
        } else if (key == SDLK_UNKNOWN) {
            strbuf_add(out, "key: '%s' is not a key name (F5, Space, Return, Tab, Escape, a, ?)\n",
                       arg);
            *r = DEBUG_ERROR;
        } else {
            view_key(v, key, mod);
            if (key == SDLK_SPACE && !mod)
                view_text(v, " "); /* the space bar also types, as with SDL */
        }
    } else if (!strcmp(cmd, "screenshot")) {
        char err[600];
        if (!ends_png(arg)) {
            strbuf_add(out, "screenshot: '%s' must be a .png file\n", arg);
            *r = DEBUG_ERROR;
        } else if (!view_screenshot(v, arg, err, sizeof err)) {
            report_say("%s", err);
            *status = RL_EXIT_HOST;
        } else {
            strbuf_add(out, "screenshot %s (%dx%d)\n", arg, v->out_w, v->out_h);
        }
    } else if (!strcmp(cmd, "wait-frames")) {
        if (!number(arg, &n) || n > 100000) {
            strbuf_add(out, "wait-frames: a number of frames, not '%s'\n", arg);
            *r = DEBUG_ERROR;
        } else {
            for (uint64_t i = 0; i < n && !v->want_quit; i++) {
                view_pump(v);
                view_frame(v);
                SDL_RenderPresent(v->ren);
                SDL_Delay((Uint32)(v->frame_period > 0 ? v->frame_period * 1000 : 16));
            }
        }
    } else if (!strcmp(cmd, "model")) {
        FILE *f = strcmp(arg, "-") ? fopen(arg, "w") : stdout;
        if (!f) {
            report_say("model: %s: cannot be written", arg);
            *status = RL_EXIT_HOST;
        } else {
            view_frame(v); /* the models and probes of the frame as it is now */
            SDL_RenderPresent(v->ren);
            view_model_dump(v, f);
            if (f != stdout && fclose(f) != 0) {
                report_say("model: %s: cannot be written", arg);
                *status = RL_EXIT_HOST;
            }
        }
    } else if (!strcmp(cmd, "window-size")) {
        int w, h;
        if (sscanf(arg, "%d %d", &w, &h) != 2 || w < 320 || h < 200 || w > 8192 || h > 8192) {
            strbuf_add(out, "window-size: W H in window coordinates, e.g. 1920 1080\n");
            *r = DEBUG_ERROR;
        } else {
            SDL_SetWindowSize(v->win, w, h);
            SDL_Delay(50); /* the window manager's answer */
            view_pump(v);
            view_resized(v);
            strbuf_add(out, "window %dx%d, drawn at %dx%d pixels\n", w, h, v->out_w, v->out_h);
        }
    } else if (!strcmp(cmd, "panel")) {
        char name[32], how[16];
        struct panel *p = NULL;
        if (sscanf(arg, "%31s %15s", name, how) == 2)
            p = view_panel_named(v, name);
        if (!p || (strcmp(how, "fold") && strcmp(how, "unfold"))) {
            strbuf_add(out, "panel: NAME fold|unfold (rings, registers, code, stack, timeline, "
                            "pagefault, addresses, tables, console)\n");
            *r = DEBUG_ERROR;
        } else {
            p->collapsed = !strcmp(how, "fold");
            SDL_Event e = {.type = SDL_WINDOWEVENT};
            e.window.event = SDL_WINDOWEVENT_SIZE_CHANGED;
            SDL_PushEvent(&e); /* lay out again */
            view_pump(v);
        }
    } else {
        return false;
    }
    return true;
}

int script_run(struct view *v, const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        report_say("--ui-script: %s: cannot be read", path);
        return RL_EXIT_USAGE;
    }
    char *line = NULL;
    size_t cap = 0;
    unsigned lineno = 0;
    int status = RL_EXIT_POWEROFF;
    struct strbuf out;
    strbuf_init(&out);
    ssize_t len;
    while (!v->want_quit && (len = getline(&line, &cap, f)) >= 0) {
        lineno++;
        while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
            line[--len] = '\0';
        printf(PROMPT "%s\n", line);
        fflush(stdout);
        strbuf_clear(&out);
        const char *p = line;
        while (isspace((unsigned char)*p))
            p++;
        char cmd[32];
        size_t k = strcspn(p, " \t");
        snprintf(cmd, sizeof cmd, "%.*s", (int)(k < 31 ? k : 31), p);
        const char *arg = p + k;
        while (isspace((unsigned char)*arg))
            arg++;
        enum debug_result r;
        if (!own_command(v, cmd, arg, &r, &status, &out))
            r = view_command(v, p, &out);
        fputs(strbuf_str(&out), stdout);
        fflush(stdout);
        if (status != RL_EXIT_POWEROFF)
            break;
        if (r == DEBUG_QUIT) {
            v->want_quit = true;
            break;
        }
        if (r == DEBUG_ERROR) {
            report_say("%s:%u: %.*s", path, lineno, (int)strcspn(strbuf_str(&out), "\n"),
                       strbuf_str(&out));
            status = RL_EXIT_USAGE;
            break;
        }
        /* The status line says what the command answered, as a key's would. */
        const char *ans = strbuf_str(&out);
        if (*ans && r == DEBUG_OK)
            snprintf(v->status, sizeof v->status, "%.*s", (int)strcspn(ans, "\n"), ans);
        /* Draw what the command changed. */
        view_pump(v);
        view_frame(v);
        SDL_RenderPresent(v->ren);
    }
    strbuf_free(&out);
    free(line);
    fclose(f);
    return status;
}
