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

size_t text_escape(char *dst, size_t n, const char *src)
{
    struct text t = text_start(dst, n);
    for (const unsigned char *c = (const unsigned char *)src; *c; c++) {
        if (*c == '\n')
            text_add(&t, "\\n");
        else if (*c == '\r')
            text_add(&t, "\\r");
        else if (*c == '\t')
            text_add(&t, "\\t");
        else if (*c < 0x20 || *c == 0x7f)
            text_add(&t, "\\x%02x", *c);
        else
            text_add(&t, "%c", *c);
    }
    return t.len;
}

void text_file_error(char *err, size_t errlen, const char *name, const char *fmt, ...)
{
    if (err == NULL || errlen == 0)
        return;
    char raw[1024];
    int n = snprintf(raw, sizeof raw, "%s: ", name ? name : "(image)");
    if (n < 0)
        n = 0;
    if ((size_t)n < sizeof raw) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(raw + n, sizeof raw - (size_t)n, fmt, ap);
        va_end(ap);
    }
    text_escape(err, errlen, raw);
}

bool text_error(char *err, size_t errlen, const char *fmt, ...)
{
    if (errlen == 0)
        return false;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
    return false;
}
