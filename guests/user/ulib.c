/* ulib.c: printf for the programs (strings and vsnprintf come from
 * guests/lib). printf formats the whole message first and hands it to
 * write() in one system call, so lines from different processes never mix. */
#include "user.h"

int printf(const char *fmt, ...)
{
    char buf[512];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf, sizeof(buf), fmt, ap);
    va_end(ap);
    if (n > (int)sizeof(buf) - 1)
        n = sizeof(buf) - 1;
    return write(1, buf, n);
}
