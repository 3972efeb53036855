/* Write-protected code frames (see code_guard.h). */
#include "cpu/code_guard.h"

#include <stdlib.h>
#include <string.h>

/* A write to a guarded frame came through (in the fault handler). */
static void frame_written(void *opaque, uint32_t frame)
{
    struct code_guard *g = opaque;
    if (frame == RAM_GUARD_ALL) {
        /* Nothing can be guarded any more: compare every block's bytes. */
        for (uint32_t f = 0; f < g->frames; f++) {
            g->gen[f]++;
            g->state[f] = CODE_GUARD_VOLATILE;
        }
        return;
    }
    g->gen[frame]++;
    g->faults++;
    g->state[frame] = ++g->writes[frame] >= CODE_GUARD_VOLATILE_AFTER ? CODE_GUARD_VOLATILE
                                                                      : CODE_GUARD_OPEN;
}

bool code_guard_init(struct code_guard *g, struct ram_guard *ram)
{
    memset(g, 0, sizeof *g);
    g->ram = ram;
    g->frames = ram->pages;
    g->gen = calloc(g->frames ? g->frames : 1, sizeof *g->gen);
    g->state = calloc(g->frames ? g->frames : 1, sizeof *g->state);
    g->writes = calloc(g->frames ? g->frames : 1, sizeof *g->writes);
    if (!g->gen || !g->state || !g->writes) {
        code_guard_free(g);
        return false;
    }
    ram_guard_set_user(ram, RAM_GUARD_CODE, frame_written, g);
    return true;
}

void code_guard_free(struct code_guard *g)
{
    if (g->ram && g->state) {
        code_guard_reset(g);
        ram_guard_set_user(g->ram, RAM_GUARD_CODE, NULL, NULL);
    }
    free((void *)g->gen);
    free((void *)g->state);
    free((void *)g->writes);
    memset(g, 0, sizeof *g);
}

uint32_t code_guard_protect(struct code_guard *g, uint32_t frame)
{
    if (frame >= g->frames)
        return 0;
    if (g->state[frame] == CODE_GUARD_OPEN)
        /* A frame that cannot be guarded is compared instead. */
        g->state[frame] = ram_guard_protect(g->ram, RAM_GUARD_CODE, frame, 1) ? CODE_GUARD_GUARDED
                                                                             : CODE_GUARD_VOLATILE;
    return g->gen[frame];
}

void code_guard_reset(struct code_guard *g)
{
    ram_guard_release(g->ram, RAM_GUARD_CODE, 0, g->frames);
    for (uint32_t f = 0; f < g->frames; f++) {
        g->state[f] = CODE_GUARD_OPEN;
        g->writes[f] = 0;
        g->gen[f]++;
    }
}
