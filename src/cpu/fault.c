/* Faults raised by ringlab's processor model (see fault.h). */
#include "cpu/fault.h"

#include <stdarg.h>
#include <stdio.h>

bool cpu_fault_raise(struct cpu_fault *f, int vector, uint32_t error_code, const char *fmt, ...)
{
    va_list ap;
    f->vector = vector;
    f->error_code = error_code;
    va_start(ap, fmt);
    vsnprintf(f->why, sizeof f->why, fmt, ap);
    va_end(ap);
    return false;
}
