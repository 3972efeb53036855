/* Ctrl-C while going back (see interrupt_watch.h). */
#include "gdb/interrupt_watch.h"

#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "control.h"

#define GDB_INTERRUPT_BYTE 0x03

static void *watch(void *opaque)
{
    struct gdb_interrupt_watch *w = opaque;
    for (;;) {
        struct pollfd p[2] = {{.fd = w->fd, .events = POLLIN}, {.fd = w->wake[0], .events = POLLIN}};
        if (poll(p, 2, -1) < 0)
            continue;
        if (p[1].revents)
            return NULL;
        if (!p[0].revents)
            continue;
        unsigned char b = 0;
        ssize_t n = recv(w->fd, &b, 1, MSG_PEEK);
        /* Anything but the interrupt byte waits for the command's end. */
        if (n <= 0 || b == GDB_INTERRUPT_BYTE)
            control_pause(w->m);
        return NULL;
    }
}

void gdb_interrupt_watch_start(struct gdb_interrupt_watch *w, int fd, struct machine *m)
{
    w->m = m;
    w->fd = fd;
    w->running = false;
    if (pipe(w->wake) != 0)
        return;
    if (pthread_create(&w->thread, NULL, watch, w) != 0) {
        close(w->wake[0]);
        close(w->wake[1]);
        return;
    }
    w->running = true;
}

void gdb_interrupt_watch_stop(struct gdb_interrupt_watch *w)
{
    if (!w->running)
        return;
    char b = 0;
    if (write(w->wake[1], &b, 1) != 1) {
        /* The pipe is empty and ours: a write cannot fail but to a signal. */
    }
    pthread_join(w->thread, NULL);
    close(w->wake[0]);
    close(w->wake[1]);
    w->running = false;
}
