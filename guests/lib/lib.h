/* lib.h: the little C library that the kernel and the user programs both
 * link (there is no libc here): memory and string functions, and
 * vsnprintf.  The compiler may call memset and memcpy by itself too, for
 * struct copies. */
#ifndef GUEST_LIB_H
#define GUEST_LIB_H

#include <stdarg.h>
#include <stddef.h>

void *memset(void *dst, int c, size_t n);
void *memcpy(void *dst, const void *src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);
char *strchr(const char *s, int c);
char *strlcpy(char *dst, const char *src, int n);
int atoi(const char *s);

/* %d %u %x %s %c %p %%, with an optional 0 flag and a width.  Returns the
 * length the whole text would have; buf always ends with a NUL. */
int vsnprintf(char *buf, int size, const char *fmt, va_list ap);
int snprintf(char *buf, int size, const char *fmt, ...);

#endif
