/* Ctrl-C while the machine runs outside the runner.  A forward run polls
 * the client between slices (the runner's poll callback); going back
 * (reverse-continue) replays the history inside the control layer, which
 * polls nothing.  For as long as that takes, a thread watches the client's
 * socket, and the interrupt byte (0x03), or the client going away, pauses
 * the machine (control_pause): the replay stops where it got to and gdb
 * hears SIGINT, as after a forward run it interrupted.  The byte is left
 * on the socket for the connection to read as usual. */
#ifndef RINGLAB_GDB_INTERRUPT_WATCH_H
#define RINGLAB_GDB_INTERRUPT_WATCH_H

#include <pthread.h>
#include <stdbool.h>

struct machine;

struct gdb_interrupt_watch {
    struct machine *m;
    int fd;
    int wake[2]; /* written to end the watch */
    pthread_t thread;
    bool running;
};

/* Start watching fd for m.  Without a thread (out of resources) there is
 * no watch, and the command runs to its end as before. */
void gdb_interrupt_watch_start(struct gdb_interrupt_watch *w, int fd, struct machine *m);
void gdb_interrupt_watch_stop(struct gdb_interrupt_watch *w);

#endif
