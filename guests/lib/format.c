/* format.c: vsnprintf for the kernel and the programs alike (lib.h).
 * Only 32-bit division: there is no libgcc here. */
#include "lib.h"

struct sink {
    char *buf;
    int size;
    int len;
};

static void put(struct sink *s, char c)
{
    if (s->len + 1 < s->size)
        s->buf[s->len] = c;
    s->len++;
}

/* %d %u %x %s %c %p %%, with an optional 0 flag and a width. */
int vsnprintf(char *buf, int size, const char *fmt, va_list ap)
{
    struct sink s = {buf, size, 0};
    for (; *fmt; fmt++) {
        if (*fmt != '%') {
            put(&s, *fmt);
            continue;
        }
        fmt++;
        char pad = ' ';
        int width = 0;
        if (*fmt == '0') {
            pad = '0';
            fmt++;
        }
        while (*fmt >= '0' && *fmt <= '9')
            width = width * 10 + (*fmt++ - '0');
        char tmp[12];
        int n = 0, neg = 0;
        unsigned v;
        const char *str;
        switch (*fmt) {
        case 'd':
            v = va_arg(ap, int);
            if ((int)v < 0) {
                neg = 1;
                v = -v;
            }
            goto decimal;
        case 'u':
            v = va_arg(ap, unsigned);
decimal:
            do {
                tmp[n++] = '0' + v % 10;
                v /= 10;
            } while (v);
            if (neg)
                tmp[n++] = '-';
            goto emit;
        case 'p':
            put(&s, '0');
            put(&s, 'x');
            pad = '0';
            width = 8;
            /* fall through */
        case 'x':
            v = va_arg(ap, unsigned);
            do {
                tmp[n++] = "0123456789abcdef"[v & 15];
                v >>= 4;
            } while (v);
emit:
            while (width-- > n)
                put(&s, pad);
            while (n > 0)
                put(&s, tmp[--n]);
            break;
        case 's':
            str = va_arg(ap, const char *);
            if (!str)
                str = "(null)";
            for (n = 0; str[n]; n++)
                ;
            while (width-- > n)
                put(&s, ' ');
            while (*str)
                put(&s, *str++);
            break;
        case 'c':
            put(&s, (char)va_arg(ap, int));
            break;
        case '%':
            put(&s, '%');
            break;
        case 0:
            fmt--;
            break;
        default:
            put(&s, '%');
            put(&s, *fmt);
        }
    }
    if (s.size > 0)
        s.buf[s.len < s.size ? s.len : s.size - 1] = 0;
    return s.len;
}

int snprintf(char *buf, int size, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf, size, fmt, ap);
    va_end(ap);
    return n;
}
