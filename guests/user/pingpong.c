/* pingpong — two processes take turns, passing a byte back and forth
 * through two pipes. Each waits (sleeps in read) until the other has
 * written, so the order is fixed however the scheduler slices time. */
#include "user.h"

#define ROUNDS 5

int main(int argc, char **argv)
{
    int ping[2], pong[2];
    char b = 'x';
    if (pipe(ping) < 0 || pipe(pong) < 0) {
        printf("pingpong: pipe failed\n");
        return 1;
    }
    int pid = fork();
    if (pid == 0) {
        for (int i = 1; i <= ROUNDS; i++) {
            if (read(ping[0], &b, 1) != 1)
                exit(1);
            printf("pong %d (pid %d)\n", i, getpid());
            write(pong[1], &b, 1);
        }
        exit(0);
    }
    for (int i = 1; i <= ROUNDS; i++) {
        printf("ping %d (pid %d)\n", i, getpid());
        write(ping[1], &b, 1);
        if (read(pong[0], &b, 1) != 1)
            break;
    }
    wait(0);
    printf("pingpong: done\n");
    return 0;
}
