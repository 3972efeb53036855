/* Text building (see text.h). */
#include "util/text.h"

#include <stdarg.h>
#include <stdio.h>

struct text text_start(char *buf, size_t n)
{
    if (n > 0)
        buf[0] = '\0';
    struct text t = {buf, n, 0};
    return t;
}

void text_add(struct text *t, const char *fmt, ...)
{
    char *at = t->len < t->n ? t->buf + t->len : NULL;
    size_t room = t->len < t->n ? t->n - t->len : 0;
    va_list ap;
    va_start(ap, fmt);
    int w = vsnprintf(at, room, fmt, ap);
    va_end(ap);
    if (w > 0)
        t->len += (size_t)w;
}

void text_file_error(char *err, size_t errlen, const char *name, const char *fmt, ...)
{
    if (err == NULL || errlen == 0)
        return;
    int n = snprintf(err, errlen, "%s: ", name ? name : "(image)");
    if (n < 0 || (size_t)n >= errlen)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err + n, errlen - (size_t)n, fmt, ap);
    va_end(ap);
}
