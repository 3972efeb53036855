/* hello — the smallest program: one write, one exit. Its trace shows
 * exactly those two system calls and the page faults of a fresh stack. */
#include "user.h"

int main(int argc, char **argv)
{
    printf("hello from ring 3\n");
    return 0;
}
