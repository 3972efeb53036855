/* What the view's frames cost while the guest runs, for the `stats`
 * command: how many frames were drawn and how often the run was sliced for
 * them, which parts of the window were drawn again and which were kept,
 * how many glyphs and rectangles that took, and the CPU time of each step
 * -- reading the machine, building each panel's model, recording, drawing
 * each part, showing the frame -- beside the CPU time of the whole process
 * and of the guest's runs.  What the process spent beyond the guest and the
 * view's own thread is the renderer's threads (Mesa's llvmpipe under Xvfb)
 * and the rest.  CPU time, not the wall clock: it says what a frame costs
 * however loaded the machine is. */
#include <time.h>

#include "ui.h"

static uint64_t clock_ns(clockid_t id)
{
    struct timespec ts;
    if (clock_gettime(id, &ts) != 0)
        return 0;
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

uint64_t cost_thread_ns(void)
{
    return clock_ns(CLOCK_THREAD_CPUTIME_ID);
}

void cost_run_begin(struct view *v)
{
    v->cost.process0 = clock_ns(CLOCK_PROCESS_CPUTIME_ID);
    v->cost.wall0 = clock_ns(CLOCK_MONOTONIC);
    v->cost.guest0 = v->cost.guest_ns;
}

void cost_run_end(struct view *v)
{
    v->cost.process_ns += clock_ns(CLOCK_PROCESS_CPUTIME_ID) - v->cost.process0;
    v->cost.wall_ns += clock_ns(CLOCK_MONOTONIC) - v->cost.wall0;
}

static const char *part_name(const struct view *v, int i)
{
    if (i < P_COUNT)
        return v->panels[i].name;
    return i == CANVAS_TOOLBAR ? "toolbar" : "status";
}

/* Milliseconds a frame. */
static double per_frame(const struct view_cost *c, uint64_t ns)
{
    return c->frames ? ns / 1e6 / (double)c->frames : 0;
}

void cost_report(const struct view *v, struct strbuf *out)
{
    const struct view_cost *c = &v->cost;
    double secs = c->wall_ns / 1e9;
    uint64_t models = 0, drawn = 0, kept = 0, draw = 0;
    for (int i = 0; i < P_COUNT; i++)
        models += c->model_ns[i];
    for (int i = 0; i < CANVAS_OVERLAY; i++) {
        drawn += c->drawn[i];
        kept += c->kept[i];
        draw += c->draw_ns[i];
    }
    uint64_t own = c->read_ns + models + c->record_ns + draw + c->show_ns;
    uint64_t view = c->process_ns > c->guest_ns ? c->process_ns - c->guest_ns : 0;
    uint64_t others = view > own ? view - own : 0;
    /* The first line is the one the status line shows, at the ':' prompt. */
    strbuf_add(out,
               "frames while the guest ran: %llu in %.2f s (%.1f a second), %.2f ms of CPU "
               "each, slices %llu\n",
               (unsigned long long)c->frames, secs, secs > 0 ? c->frames / secs : 0,
               per_frame(c, view), (unsigned long long)c->slices);
    strbuf_add(out,
               "CPU a frame: %.2f ms for the view (reading %.2f, models %.2f, recording %.2f, "
               "drawing %.2f, showing %.2f, the renderer's threads %.2f), %.2f ms for the guest\n",
               per_frame(c, view), per_frame(c, c->read_ns), per_frame(c, models),
               per_frame(c, c->record_ns), per_frame(c, draw), per_frame(c, c->show_ns),
               per_frame(c, others), per_frame(c, c->guest_ns));
    SDL_RendererInfo info;
    strbuf_add(out, "renderer %s, %dx%d pixels\n",
               SDL_GetRendererInfo(v->ren, &info) == 0 ? info.name : "?", v->out_w, v->out_h);
    strbuf_add(out, "parts drawn %llu, kept %llu; glyphs %llu, rectangles %llu\n",
               (unsigned long long)drawn, (unsigned long long)kept,
               (unsigned long long)c->glyphs, (unsigned long long)c->fills);
    strbuf_add(out, "part        built   drawn    kept  model ms  draw ms (a time)\n");
    for (int i = 0; i < CANVAS_OVERLAY; i++) {
        uint64_t built = i < P_COUNT ? c->built[i] : 0;
        uint64_t mns = i < P_COUNT ? c->model_ns[i] : 0;
        strbuf_add(out, "%-10s %6llu %7llu %7llu %9.3f %8.3f\n", part_name(v, i),
                   (unsigned long long)built, (unsigned long long)c->drawn[i],
                   (unsigned long long)c->kept[i], built ? mns / 1e6 / (double)built : 0,
                   c->drawn[i] ? c->draw_ns[i] / 1e6 / (double)c->drawn[i] : 0);
    }
}
