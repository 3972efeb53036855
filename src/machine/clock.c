/* The virtual clock (see clock.h). */
#include "machine/clock.h"

#include <time.h>

double clock_wall_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void clock_init(struct clock *c, bool realtime)
{
    c->icount = 0;
    c->idle_ns = 0;
    c->realtime = realtime;
    c->wall_start = clock_wall_seconds();
}

uint64_t clock_now_ns(const struct clock *c)
{
    if (c->realtime)
        return (uint64_t)((clock_wall_seconds() - c->wall_start) * 1e9);
    return c->icount + c->idle_ns;
}
