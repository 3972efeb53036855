/* kread — read a kernel address from ring 3. The page is present but its
 * U/S bit is clear, so the CPU raises #PF (user read, protection violation)
 * and the kernel kills the process. */
#include "user.h"

int main(int argc, char **argv)
{
    volatile uint32_t *p = (uint32_t *)0xC0100000; /* the kernel's first page */
    printf("kread: reading kernel address 0xc0100000\n");
    uint32_t v = *p;
    printf("kread: read 0x%x, which should not happen\n", v);
    return 1;
}
