/* The virtual clock: how much the guest has executed, and what time it is
 * for the guest.  One instruction is one nanosecond; time spent halted is
 * added as the run loop lets it pass.  Devices (the PIT, the CMOS clock)
 * and the TSC read it; nothing here looks at the host, except under
 * --realtime, where guest time is the wall clock since power-on. */
#ifndef RINGLAB_CLOCK_H
#define RINGLAB_CLOCK_H

#include <stdbool.h>
#include <stdint.h>

struct clock {
    /* Instructions executed.  Between runs, at every stop and at every
     * trace event this is exact; while a translated block runs it already
     * counts the whole block (the block hook adds a block when it starts),
     * so a device read in the middle of a block sees the time at its end. */
    uint64_t icount;
    uint64_t idle_ns; /* virtual time spent halted */
    bool realtime;
    double wall_start; /* host seconds at power-on, for --realtime */
};

void clock_init(struct clock *c, bool realtime);
/* Guest time in nanoseconds since power-on. */
uint64_t clock_now_ns(const struct clock *c);
/* The host's monotonic clock, in seconds (for slices, timeouts, realtime). */
double clock_wall_seconds(void);

#endif
