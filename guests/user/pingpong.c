/* pingpong — two processes take turns, passing a byte back and forth
 * through two pipes. Each waits (sleeps in read) until the other has
 * written, so the order is fixed however the scheduler slices time.
 * "pingpong N" plays N rounds and prints only the total: two context
 * switches a round, for timing them (bench/). */
#include "user.h"

#define ROUNDS 5

int main(int argc, char **argv)
{
    int ping[2], pong[2];
    char b = 'x';
    int rounds = argc > 1 ? atoi(argv[1]) : ROUNDS;
    int quiet = argc > 1;
    if (pipe(ping) < 0 || pipe(pong) < 0) {
        printf("pingpong: pipe failed\n");
        return 1;
    }
    int pid = fork();
    if (pid == 0) {
        for (int i = 1; i <= rounds; i++) {
            if (read(ping[0], &b, 1) != 1)
                exit(1);
            if (!quiet)
                printf("pong %d (pid %d)\n", i, getpid());
            write(pong[1], &b, 1);
        }
        exit(0);
    }
    int played = 0;
    for (int i = 1; i <= rounds; i++) {
        if (!quiet)
            printf("ping %d (pid %d)\n", i, getpid());
        write(ping[1], &b, 1);
        if (read(pong[0], &b, 1) != 1)
            break;
        played++;
    }
    wait(0);
    if (quiet)
        printf("pingpong: %d rounds\n", played);
    printf("pingpong: done\n");
    return 0;
}
