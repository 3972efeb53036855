/* Building the one-line texts ringlab shows people: explanations that are
 * appended piece by piece, and error messages that name the file at fault. */
#ifndef RINGLAB_TEXT_H
#define RINGLAB_TEXT_H

#include <stdbool.h>
#include <stddef.h>

/* An appender over snprintf that keeps counting once the buffer is full,
 * so the caller learns the whole length (as snprintf reports it). */
struct text {
    char *buf;
    size_t n;
    size_t len;
};

struct text text_start(char *buf, size_t n);
void text_add(struct text *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Copy src into dst (n bytes with the NUL) with every control character
 * written as an escape (\n, \r, \t, \xNN), so that text taken from the
 * user (a file name, an argument) cannot break a message into lines.
 * Returns the length of the whole escaped text, as snprintf does. */
size_t text_escape(char *dst, size_t n, const char *src);

/* "NAME: message" into err (NULL name: "(image)"), one line whatever the
 * name and the message hold (see text_escape); nothing if err is NULL. */
void text_file_error(char *err, size_t errlen, const char *name, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* The message into err (nothing if errlen is 0); returns false, for
 * `return text_error(err, errlen, ...)` where a check fails. */
bool text_error(char *err, size_t errlen, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

#endif
