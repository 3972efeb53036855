/* Running the guest from the view: every action is a command line for the
 * debugger's interpreter (debugger_exec) or one of the view's few words
 * (stop-on, speed); the interpreter's host callbacks run the guest through
 * the runner in slices short enough to draw at the display's rate while it
 * runs, and the runner's input and output are the view's (runner_io). */
#include <stdlib.h>
#include <string.h>

#include "ui.h"

/* ---- running: the runner's side, the debugger's host ---------------------------------- */

double view_now(void)
{
    return (double)SDL_GetPerformanceCounter() / (double)SDL_GetPerformanceFrequency();
}

/* The display's refresh rate, 60 when it does not say; read in this
 * thread (SDL's video calls belong to it), before the guest's runs. */
static void read_refresh_rate(struct view *v)
{
    SDL_DisplayMode mode;
    v->refresh_rate = 60;
    if (SDL_GetWindowDisplayMode(v->win, &mode) == 0 && mode.refresh_rate > 0)
        v->refresh_rate = mode.refresh_rate;
}

/* While the guest runs: a frame at the display's rate, or as often as a
 * frame can be drawn when that is slower.  The guest runs in a thread of
 * its own while a frame is drawn, and stops only for the models to be built
 * (they read the machine, which inspect.h allows between runs only). */
void view_next_frame_time(struct view *v)
{
    if (v->refresh_rate <= 0)
        read_refresh_rate(v);
    double period = 1.0 / v->refresh_rate;
    if (period < v->draw_s)
        period = v->draw_s;
    v->frame_period = period;
    /* Frames keep to their cadence: the time a frame took to start (the
     * models read while the guest stood still) is not added to the period.
     * Behind by more than a frame, the cadence starts again from now. */
    double now = view_now(), next = v->next_frame_at + period;
    if (next < now + period / 4 || next > now + period)
        next = now + period;
    v->next_frame_at = next;
    v->r->slice_s = period / 8 > 0.002 ? period / 8 : 0.002;
}

/* What the machine did since the last look, for a frame drawn while it runs. */
static void read_running(struct view *v)
{
    uint64_t t0 = cost_thread_ns();
    model_refresh(v, false);
    v->cost.read_ns += cost_thread_ns() - t0;
}

/* A run at full speed.  The guest's thread runs slice after slice; at the
 * end of each it waits until the frame before has been shown, builds the
 * next frame's models (the machine stands still only for that: it is the
 * thread that runs it) and goes on at once, while this thread takes the
 * window's events and draws and shows that frame.  The two never touch the
 * models at the same time: building waits for `shown`, drawing for
 * `built`. */
struct full_speed {
    struct view *v;
    const struct run_request *req;
    struct run_result *res;
    enum runner_stop stop;
    bool over;       /* the run has stopped: no frame to draw */
    uint64_t cpu_ns; /* the slices' CPU time */
    SDL_sem *shown, *built;
};

/* What is left of a run's instruction count after the slices since
 * `start` (a slice that yielded has not reached it: the machine tells the
 * count before the slice's end). */
static uint64_t insns_left(struct view *v, const struct run_request *req, uint64_t start)
{
    return req->max_insns - (inspect_icount(v->m) - start);
}

static int full_speed_slices(void *opaque)
{
    struct full_speed *f = opaque;
    struct view *v = f->v;
    struct run_request req = *f->req;
    uint64_t start = inspect_icount(v->m);
    for (;;) {
        uint64_t t0 = cost_thread_ns();
        enum runner_stop s = runner_run(v->r, &req, f->res);
        f->cpu_ns += cost_thread_ns() - t0;
        SDL_SemWait(f->shown);
        if (s != RUNNER_YIELD) {
            f->stop = s;
            f->over = true;
            SDL_SemPost(f->built);
            return 0;
        }
        /* A count is the whole run's, not each slice's. */
        if (f->req->max_insns)
            req.max_insns = insns_left(v, f->req, start);
        read_running(v);
        view_build(v);
        view_next_frame_time(v);
        v->cost.slices++;
        SDL_SemPost(f->built);
    }
}

/* Run until the run's own stop, a frame drawn over each slice. */
static enum runner_stop run_while_drawing(struct view *v, const struct run_request *req,
                                          struct run_result *res)
{
    struct full_speed f = {v, req, res, RUNNER_STOP, false, 0, SDL_CreateSemaphore(0),
                           SDL_CreateSemaphore(0)};
    view_pump(v);
    read_running(v);
    view_build(v);
    view_next_frame_time(v);
    v->cost.slices++;
    SDL_Thread *t = f.shown && f.built ? SDL_CreateThread(full_speed_slices, "guest", &f) : NULL;
    for (;;) {
        double t0 = view_now();
        view_render(v);
        view_present(v);
        v->draw_s = view_now() - t0;
        if (!t) {
            /* No thread: the slice after the frame, in this one. */
            uint64_t c0 = cost_thread_ns();
            f.stop = runner_run(v->r, req, res);
            v->cost.guest_ns += cost_thread_ns() - c0;
            break;
        }
        SDL_SemPost(f.shown);
        SDL_SemWait(f.built);
        if (f.over)
            break;
        view_pump(v);
    }
    if (t)
        SDL_WaitThread(t, NULL);
    v->cost.guest_ns += f.cpu_ns;
    if (f.shown)
        SDL_DestroySemaphore(f.shown);
    if (f.built)
        SDL_DestroySemaphore(f.built);
    return f.stop;
}

/* A slowed-down run's instructions, in this thread. */
static enum runner_stop run_here(struct view *v, const struct run_request *req,
                                 struct run_result *res)
{
    uint64_t t0 = cost_thread_ns();
    enum runner_stop s = runner_run(v->r, req, res);
    v->cost.guest_ns += cost_thread_ns() - t0;
    return s;
}

static void running_frame(struct view *v)
{
    double t0 = view_now();
    view_pump(v);
    read_running(v);
    view_frame(v);
    view_present(v);
    v->draw_s = view_now() - t0;
    view_next_frame_time(v);
}

static bool io_feed(void *opaque, struct machine *m, int wait_ms)
{
    struct view *v = opaque;
    bool fed = false;
    SDL_LockMutex(v->inq_lock);
    while (v->inq_at < v->inq_len && machine_serial_input(m, (uint8_t)v->inq[v->inq_at])) {
        v->inq_at++;
        fed = true;
    }
    if (v->inq_at == v->inq_len)
        v->inq_at = v->inq_len = 0;
    SDL_UnlockMutex(v->inq_lock);
    if (!fed && wait_ms > 0) {
        /* A person is there: let the time pass, but not past the next frame. */
        double left = v->next_frame_at - view_now();
        int ms = left * 1000 < wait_ms ? (int)(left * 1000) : wait_ms;
        if (ms > 0)
            SDL_Delay((Uint32)ms);
    }
    return fed;
}

static void io_flush(void *opaque)
{
    (void)opaque;
}

static bool io_live(void *opaque)
{
    const struct view *v = opaque;
    return !v->scripted;
}

static bool io_input_open(void *opaque)
{
    struct view *v = opaque;
    SDL_LockMutex(v->inq_lock);
    bool waiting = v->inq_at < v->inq_len;
    SDL_UnlockMutex(v->inq_lock);
    return !v->scripted || waiting;
}

static enum runner_request io_request(void *opaque)
{
    struct view *v = opaque;
    if (v->want_quit)
        return RUNNER_ASK_QUIT;
    if (v->want_break) {
        v->want_break = false;
        return RUNNER_ASK_BREAK;
    }
    return view_now() >= v->next_frame_at ? RUNNER_ASK_YIELD : RUNNER_GO;
}

void view_type(struct view *v, const char *bytes, size_t len)
{
    SDL_LockMutex(v->inq_lock);
    if (v->inq_at > 0) {
        memmove(v->inq, v->inq + v->inq_at, v->inq_len - v->inq_at);
        v->inq_len -= v->inq_at;
        v->inq_at = 0;
    }
    if (len > sizeof v->inq - v->inq_len)
        len = sizeof v->inq - v->inq_len;
    memcpy(v->inq + v->inq_len, bytes, len);
    v->inq_len += len;
    SDL_UnlockMutex(v->inq_lock);
}

static enum debug_run host_result(struct view *v, enum runner_stop stop, struct strbuf *text)
{
    v->last = stop;
    model_refresh(v, true);
    switch (stop) {
    case RUNNER_STOP:
    case RUNNER_YIELD:
        return DEBUG_RUN_STOPPED;
    case RUNNER_END:
        v->ended = true;
        return DEBUG_RUN_ENDED;
    case RUNNER_BREAK:
        return DEBUG_RUN_BROKEN;
    case RUNNER_QUIT:
        v->want_quit = true;
        return DEBUG_RUN_QUIT;
    case RUNNER_STUCK:
        strbuf_add(text, "the CPU waits for an interrupt that cannot come (no timer, no more "
                         "input)\n");
        return DEBUG_RUN_HOST;
    case RUNNER_TIMEOUT:
        strbuf_add(text, "--timeout reached after %.1f s\n", v->cfg->timeout_s);
        v->want_quit = true;
        return DEBUG_RUN_HOST;
    case RUNNER_INSN_LIMIT:
        strbuf_add(text, "--max-insns reached: %llu instructions executed\n",
                   (unsigned long long)inspect_icount(v->m));
        v->want_quit = true;
        return DEBUG_RUN_HOST;
    }
    return DEBUG_RUN_STOPPED;
}

/* The CPU is where a step-over run was to stop. */
static bool at_return(struct view *v, const struct run_request *req)
{
    struct cpu_state st;
    return req->until_return && inspect_cpu(v->m, &st) &&
           st.seg[SEG_CS].base + st.eip == req->until_addr &&
           st.gpr[GPR_ESP] >= req->until_esp &&
           (st.cr3 & 0xfffff000u) == (req->until_cr3 & 0xfffff000u);
}

static enum runner_stop run_drawing(struct view *v, const struct run_request *req,
                                    struct run_result *res)
{
    uint64_t start = inspect_icount(v->m);
    struct run_request base = *req;
    /* A plain continue also stops at the event kinds asked for (stop-on). */
    if (!base.stop_on && !base.until_return && !base.max_insns)
        base.stop_on = v->stop_mask;
    read_refresh_rate(v);
    v->running = true;
    cost_run_begin(v);
    running_frame(v);
    enum runner_stop s;
    for (;;) {
        struct run_request sub = base;
        uint64_t left = base.max_insns ? insns_left(v, &base, start) : UINT64_MAX;
        if (base.max_insns)
            sub.max_insns = left;
        if (v->speed)
            sub.max_insns = v->speed < left ? v->speed : left;
        /* At full speed the guest runs while the frame is drawn; slowed
         * down, it runs its few instructions between frames. */
        s = v->speed ? run_here(v, &sub, res) : run_while_drawing(v, &sub, res);
        if (s == RUNNER_YIELD) {
            if (v->speed)
                running_frame(v);
            continue;
        }
        if (v->speed && s == RUNNER_STOP && res->stop == RUN_INSNS) {
            bool own = base.max_insns && inspect_icount(v->m) - start >= base.max_insns;
            if (!own && !at_return(v, &base)) {
                /* Slowed down: the next instructions at the next frame. */
                while (view_now() < v->next_frame_at && !v->want_break && !v->want_quit)
                    SDL_Delay(2);
                if (v->want_break || v->want_quit) {
                    s = v->want_quit ? RUNNER_QUIT : RUNNER_BREAK;
                    v->want_break = false;
                    break;
                }
                running_frame(v);
                continue;
            }
        }
        break;
    }
    cost_run_end(v);
    v->running = false;
    return s;
}

static enum debug_run host_run(void *opaque, const struct run_request *req, struct run_result *res,
                               struct strbuf *text)
{
    struct view *v = opaque;
    return host_result(v, run_drawing(v, req, res), text);
}

static enum debug_run host_step(void *opaque, uint64_t n, bool over, struct run_result *res,
                                struct strbuf *text)
{
    struct view *v = opaque;
    enum runner_stop s = RUNNER_STOP;
    if (!over)
        return host_result(v, runner_step(v->r, n, false, res), text);
    for (uint64_t i = 0; i < n && s == RUNNER_STOP; i++) {
        struct run_request req;
        s = control_step_over_request(v->m, &req) ? run_drawing(v, &req, res)
                                                  : runner_step(v->r, 1, false, res);
        if (s == RUNNER_STOP && res->stop != RUN_INSNS)
            break;
    }
    return host_result(v, s, text);
}

static void host_type(void *opaque, const char *bytes, size_t len)
{
    view_type(opaque, bytes, len);
}

/* ---- commands ------------------------------------------------------------------------ */

static bool parse_stop_on(const char *list, unsigned *mask)
{
    static const struct {
        const char *word;
        unsigned bits;
    } kinds[] = {
        {"syscall", STOP_ON_SYSCALL}, {"sysret", STOP_ON_SYSRET},
        {"transition", STOP_ON_TRANSITION},
        {"fault", STOP_ON_FAULT},     {"irq", STOP_ON_IRQ},       {"reset", STOP_ON_RESET},
    };
    *mask = 0;
    if (!strcmp(list, "none"))
        return true;
    char buf[128];
    snprintf(buf, sizeof buf, "%s", list);
    for (char *w = strtok(buf, ","); w; w = strtok(NULL, ",")) {
        size_t i = 0;
        for (; i < sizeof kinds / sizeof kinds[0] && strcmp(w, kinds[i].word); i++)
            ;
        if (i == sizeof kinds / sizeof kinds[0])
            return false;
        *mask |= kinds[i].bits;
    }
    return true;
}

/* A command line: the view's own words first (stop-on, speed, stats),
 * then the debugger's language. */
enum debug_result view_command(struct view *v, const char *line, struct strbuf *out)
{
    while (*line == ' ')
        line++;
    if (!strncmp(line, "stop-on ", 8)) {
        if (!parse_stop_on(line + 8, &v->stop_mask)) {
            strbuf_add(out, "stop-on: a comma-separated list of syscall, sysret, transition, "
                            "fault, irq, reset, or none\n");
            return DEBUG_ERROR;
        }
        strbuf_add(out, "continuing also stops at: %s\n", line + 8);
        return DEBUG_OK;
    }
    if (!strncmp(line, "speed ", 6)) {
        char *end;
        unsigned long long n = strtoull(line + 6, &end, 0);
        if (*end || line[6] == '-') {
            strbuf_add(out, "speed: a number of instructions per frame (0: full speed)\n");
            return DEBUG_ERROR;
        }
        v->speed = n;
        strbuf_add(out, "speed: %llu instructions per frame%s\n", n, n ? "" : " (full)");
        return DEBUG_OK;
    }
    if (!strcmp(line, "stats")) {
        cost_report(v, out);
        return DEBUG_OK;
    }
    if (!strcmp(line, "stats reset")) {
        memset(&v->cost, 0, sizeof v->cost);
        strbuf_add(out, "stats: counted again from now\n");
        return DEBUG_OK;
    }
    enum debug_result r = debugger_exec(v->dbg, line, out);
    v->dirty = true;
    return r;
}

void view_command_status(struct view *v, const char *line)
{
    struct strbuf out;
    strbuf_init(&out);
    enum debug_result r = view_command(v, line, &out);
    /* The status line shows the answer's first line, the place it stopped last. */
    const char *s = strbuf_str(&out);
    size_t n = strcspn(s, "\n");
    snprintf(v->status, sizeof v->status, "%s%.*s", r == DEBUG_ERROR ? "error: " : "", (int)n, s);
    if (r == DEBUG_QUIT)
        v->want_quit = true;
    strbuf_free(&out);
}

struct debug_host view_host(struct view *v)
{
    return (struct debug_host){host_run, host_step, host_type, v};
}

struct runner_io view_io(struct view *v)
{
    return (struct runner_io){io_feed, io_flush, io_live, io_input_open, io_request, v};
}
