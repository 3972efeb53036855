/* crt0.c — where a program starts. exec() leaves argc and argv on the
 * stack as if _start had been called with them; main's return value becomes
 * the exit status. */
#include "user.h"

__attribute__((section(".text.start"))) void _start(int argc, char **argv)
{
    exit(main(argc, argv));
}
