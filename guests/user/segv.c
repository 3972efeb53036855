/* segv — read through a NULL pointer. Nothing is mapped below 0x08048000,
 * so the CPU raises #PF (user read, page not present) and the kernel kills
 * the process. */
#include "user.h"

int main(int argc, char **argv)
{
    volatile int *p = 0;
    printf("segv: reading address 0x00000000\n");
    int v = *p;
    printf("segv: read %d, which should not happen\n", v);
    return 1;
}
