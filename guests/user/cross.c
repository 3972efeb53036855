/* cross — the price of a crossing. The only way out of ring 3 is a system
 * call; this makes 1,000 getpid() calls through each door the CPU offers,
 * "int 0x80" and "sysenter", times them with the kernel's clock (the PIT,
 * read by clock()), and, for scale, 1,000 calls of a function that stays
 * in ring 3.
 *
 * The times are the machine's: on hardware, CPU cycles; under ringlab's
 * virtual clock, one nanosecond per instruction executed, so the numbers
 * count the instructions of each path and come out the same on every run
 * (--realtime shows the emulator's own cost instead). */
#include "user.h"

#define CALLS 1000

static volatile int my_pid;

/* A call that does not leave ring 3. */
static __attribute__((noinline)) int getpid_here(int num, uint32_t a, uint32_t b, uint32_t c)
{
    return my_pid;
}

static void timed(const char *door, int (*call)(int, uint32_t, uint32_t, uint32_t))
{
    int right = 0;
    uint32_t t0 = clock();
    for (int i = 0; i < CALLS; i++)
        right += call(SYS_getpid, 0, 0, 0) == my_pid;
    uint32_t us = clock() - t0;
    /* CALLS calls in us microseconds: us * 1000 / CALLS ns each. */
    printf("cross: %s: %d calls, %d returned pid %d, in %u us: %u ns each\n", door, CALLS, right,
           my_pid, us, us * 1000 / CALLS);
}

int main(int argc, char **argv)
{
    my_pid = getpid();
    printf("cross: %d getpid() calls each way, timed by the kernel's clock (the PIT)\n", CALLS);
    timed("function call (ring 3)", getpid_here);
    timed("int 0x80", syscall_int80);
    if (using_sysenter())
        timed("sysenter", syscall_sysenter);
    else
        printf("cross: sysenter: this CPU has none (CPUID.01H:EDX.SEP = 0)\n");
    return 0;
}
