/* spin — a CPU hog: a long loop with no system calls. The only way the CPU
 * gets away from it is the timer interrupt, which lets the kernel run
 * someone else (preemption). Prints once, when done. */
#include "user.h"

int main(int argc, char **argv)
{
    unsigned n = argc > 1 ? (unsigned)atoi(argv[1]) : 30000000u;
    volatile unsigned sum = 0;
    for (unsigned i = 0; i < n; i++)
        sum += i;
    printf("spin: %u iterations done\n", n);
    return 0;
}
