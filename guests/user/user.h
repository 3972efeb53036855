/* user.h — the user library: system calls and a little C library. */
#ifndef USER_H
#define USER_H

#include <stdint.h>
#include <stddef.h>
#include <stdarg.h>

#include "lib.h" /* memory, strings, vsnprintf: guests/lib */
#include "syscall.h"

/* usys.c: one function per system call */
void exit(int status) __attribute__((noreturn));
int write(int fd, const void *buf, int n);
int read(int fd, void *buf, int n);
int getpid(void);
int fork(void);
int exec(const char *path, char **argv);
int wait(int *status);
void *sbrk(int n);
int sleep(int ticks);
int uptime(void);
int yield(void);
int kill(int pid);
int pipe(int fds[2]);
int close(int fd);
int dirent(int i, struct dirent *d);
int using_sysenter(void);

/* ulib.c */
int printf(const char *fmt, ...);

int main(int argc, char **argv);

#endif
