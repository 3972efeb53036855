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
uint32_t ring1_limit(int on);
int ioperm(int from, int n);
int console(int pid);
int cons_take(char *buf, int n);
int ptrace(int req, int pid, struct ptrace_word *w);
int shm(int key, void *va);
uint32_t clock(void);
int using_sysenter(void);
int syscall_int80(int num, uint32_t a, uint32_t b, uint32_t c);
int syscall_sysenter(int num, uint32_t a, uint32_t b, uint32_t c);

/* Port I/O, for the programs that may (uartd) and those that try (priv). */
static inline uint8_t inb(uint16_t port)
{
    uint8_t v;
    __asm__ volatile("inb %1, %0" : "=a"(v) : "d"(port));
    return v;
}

static inline void outb(uint16_t port, uint8_t v)
{
    __asm__ volatile("outb %0, %1" : : "a"(v), "d"(port));
}

/* ulib.c */
int printf(const char *fmt, ...);

int main(int argc, char **argv);

#endif
