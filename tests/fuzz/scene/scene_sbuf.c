/* Growing text for the scene generator: the guest's source is built in
 * pieces (see scene.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scene.h"

void sbuf_add(struct sbuf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    if (b->len + (size_t)n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 256;
        while (cap < b->len + (size_t)n + 1)
            cap *= 2;
        char *t = realloc(b->text, cap);
        if (t == NULL) {
            fprintf(stderr, "scene-gen: out of memory\n");
            exit(2);
        }
        b->text = t;
        b->cap = cap;
    }
    va_start(ap, fmt);
    vsnprintf(b->text + b->len, b->cap - b->len, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
}

void sbuf_free(struct sbuf *b)
{
    free(b->text);
    memset(b, 0, sizeof *b);
}
