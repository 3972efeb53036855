/* usys.c — the system call stubs. Like a vDSO, the library picks the door:
 * "sysenter" when CPUID says the CPU has it, "int 0x80" otherwise.
 *
 * int 0x80: the CPU saves where we were (SS:ESP, EFLAGS, CS:EIP) on the
 * kernel stack and "iret" brings us back.
 * sysenter: the CPU saves nothing, so we say where to come back to: our
 * stack pointer in ECX, the address after sysenter in EDX. The kernel's
 * sysexit loads them back (SDM Vol. 2B, SYSENTER/SYSEXIT).
 * Either way: number in EAX, arguments in EBX, ESI, EDI, result in EAX. */
#include "user.h"

static int door; /* 0: not decided yet, 1: int 0x80, 2: sysenter */

/* CPUID.01H:EDX bit 11, SEP (the kernel makes the same check). */
static int cpu_has_sep(void)
{
    uint32_t a, b, c, d;
    __asm__ volatile("cpuid" : "=a"(a), "=b"(b), "=c"(c), "=d"(d) : "a"(0), "c"(0));
    if (a < 1)
        return 0;
    __asm__ volatile("cpuid" : "=a"(a), "=b"(b), "=c"(c), "=d"(d) : "a"(1), "c"(0));
    uint32_t family = (a >> 8) & 0xF, model = (a >> 4) & 0xF, stepping = a & 0xF;
    if (family == 6 && model < 3 && stepping < 3)
        return 0; /* early Pentium Pro: SEP set but no sysenter */
    return (d >> 11) & 1;
}

int using_sysenter(void)
{
    if (!door)
        door = cpu_has_sep() ? 2 : 1;
    return door == 2;
}

/* The two doors, each on its own (cross.c times them one against the
 * other); syscall3 picks one. */
int syscall_sysenter(int num, uint32_t a, uint32_t b, uint32_t c)
{
    int ret;
    __asm__ volatile("movl %%esp, %%ecx\n\t"
                     "movl $1f, %%edx\n\t"
                     "sysenter\n"
                     "1:"
                     : "=a"(ret)
                     : "a"(num), "b"(a), "S"(b), "D"(c)
                     : "ecx", "edx", "memory", "cc");
    return ret;
}

int syscall_int80(int num, uint32_t a, uint32_t b, uint32_t c)
{
    int ret;
    __asm__ volatile("int $0x80" : "=a"(ret) : "a"(num), "b"(a), "S"(b), "D"(c) : "memory", "cc");
    return ret;
}

static int syscall3(int num, uint32_t a, uint32_t b, uint32_t c)
{
    if (using_sysenter())
        return syscall_sysenter(num, a, b, c);
    return syscall_int80(num, a, b, c);
}

void exit(int status)
{
    syscall3(SYS_exit, status, 0, 0);
    for (;;)
        ;
}

int write(int fd, const void *buf, int n)
{
    return syscall3(SYS_write, fd, (uint32_t)buf, n);
}

int read(int fd, void *buf, int n)
{
    return syscall3(SYS_read, fd, (uint32_t)buf, n);
}

int getpid(void)
{
    return syscall3(SYS_getpid, 0, 0, 0);
}

int fork(void)
{
    return syscall3(SYS_fork, 0, 0, 0);
}

int exec(const char *path, char **argv)
{
    return syscall3(SYS_exec, (uint32_t)path, (uint32_t)argv, 0);
}

int wait(int *status)
{
    return syscall3(SYS_wait, (uint32_t)status, 0, 0);
}

void *sbrk(int n)
{
    return (void *)syscall3(SYS_sbrk, n, 0, 0);
}

int sleep(int ticks)
{
    return syscall3(SYS_sleep, ticks, 0, 0);
}

int uptime(void)
{
    return syscall3(SYS_uptime, 0, 0, 0);
}

int yield(void)
{
    return syscall3(SYS_yield, 0, 0, 0);
}

int kill(int pid)
{
    return syscall3(SYS_kill, pid, 0, 0);
}

int pipe(int fds[2])
{
    return syscall3(SYS_pipe, (uint32_t)fds, 0, 0);
}

int close(int fd)
{
    return syscall3(SYS_close, fd, 0, 0);
}

int dirent(int i, struct dirent *d)
{
    return syscall3(SYS_dirent, i, (uint32_t)d, 0);
}

uint32_t ring1_limit(int on)
{
    return syscall3(SYS_ring1, on, 0, 0);
}

int ioperm(int from, int n)
{
    return syscall3(SYS_ioperm, from, n, 0);
}

int console(int pid)
{
    return syscall3(SYS_console, pid, 0, 0);
}

int cons_take(char *buf, int n)
{
    return syscall3(SYS_cons_take, (uint32_t)buf, n, 0);
}

int ptrace(int req, int pid, struct ptrace_word *w)
{
    return syscall3(SYS_ptrace, req, pid, (uint32_t)w);
}

int shm(int key, void *va)
{
    return syscall3(SYS_shm, key, (uint32_t)va, 0);
}

uint32_t clock(void)
{
    return syscall3(SYS_clock, 0, 0, 0);
}
