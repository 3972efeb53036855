/* A growable string for texts of any length (the debugger's answers). */
#ifndef RINGLAB_STRBUF_H
#define RINGLAB_STRBUF_H

#include <stdbool.h>
#include <stddef.h>

struct strbuf {
    char *s;    /* always NUL-terminated once anything was added */
    size_t len;
    size_t cap;
    bool failed; /* out of memory: what did not fit is lost */
};

void strbuf_init(struct strbuf *b);
void strbuf_free(struct strbuf *b);
void strbuf_clear(struct strbuf *b);
void strbuf_add(struct strbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The text so far ("" when empty). */
const char *strbuf_str(const struct strbuf *b);

#endif
