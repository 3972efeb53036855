/* syscall.c — system calls: how they arrive, and what each one does.
 *
 * Two doors lead in, both ending in trap() and then syscall() here:
 *   - "int 0x80": an interrupt gate with DPL 3 (trap.c). The CPU switches
 *     to the kernel stack named in the TSS and pushes the user's SS, ESP,
 *     EFLAGS, CS and EIP; "iret" goes back.
 *   - "sysenter" (SDM Vol. 3A 5.8.7): no gate, no TSS, nothing pushed. The
 *     CPU loads CS, EIP and ESP from three MSRs set up below;
 *     trapasm.asm's sysenter_entry builds the same frame by hand and
 *     returns with "sysexit".
 * The number is in EAX, the arguments in EBX, ESI, EDI; the result goes
 * back in EAX. */
#include "defs.h"
#include "mmu.h"
#include "x86.h"
#include "trap.h"
#include "proc.h"
#include "syscall.h"

#define MSR_SYSENTER_CS  0x174
#define MSR_SYSENTER_ESP 0x175
#define MSR_SYSENTER_EIP 0x176

static int have_sysenter;

/* CPUID.01H:EDX bit 11 (SEP) says sysenter/sysexit exist, except on the
 * first Pentium Pro models, which set it without having them
 * (SDM Vol. 2B, SYSENTER). */
static int cpu_has_sep(void)
{
    uint32_t a, b, c, d;
    cpuid(0, &a, &b, &c, &d);
    if (a < 1)
        return 0;
    cpuid(1, &a, &b, &c, &d);
    uint32_t family = (a >> 8) & 0xF, model = (a >> 4) & 0xF, stepping = a & 0xF;
    if (family == 6 && model < 3 && stepping < 3)
        return 0;
    return (d >> 11) & 1;
}

void sysenter_init(void)
{
    extern char sysenter_entry[];
    have_sysenter = cpu_has_sep();
    kprintf("cpu: sysenter %s\n", have_sysenter ? "available" : "not available, int 0x80 only");
    if (!have_sysenter)
        return;
    /* CS for ring 0; the CPU derives SS = CS+8 and, for sysexit, the user
     * CS = CS+16 and SS = CS+24 (RPL 3): our GDT has them in that order. */
    wrmsr(MSR_SYSENTER_CS, KCODE_SEL, 0);
    wrmsr(MSR_SYSENTER_EIP, (uint32_t)sysenter_entry, 0);
    wrmsr(MSR_SYSENTER_ESP, 0, 0); /* set per process: sysenter_set_kstack */
}

/* sysenter takes its stack from an MSR, not the TSS: update it on every
 * switch, like TSS.ESP0. */
void sysenter_set_kstack(uint32_t esp0)
{
    if (have_sysenter)
        wrmsr(MSR_SYSENTER_ESP, esp0, 0);
}

/* --- arguments from user space ------------------------------------------- */

/* Copy a NUL-terminated string from user memory, at most max bytes. */
static int fetch_str(uint32_t uaddr, char *buf, int max)
{
    for (int i = 0; i < max; i++) {
        if (vm_user_ok(curproc, uaddr + i, 1, 0) < 0)
            return -1;
        buf[i] = *(char *)(uaddr + i);
        if (buf[i] == 0)
            return i;
    }
    return -1;
}

static struct file *fd_file(int fd)
{
    if (fd < 0 || fd >= NOFILE)
        return 0;
    return curproc->ofile[fd];
}

/* --- the calls ----------------------------------------------------------- */

static int sys_exit(uint32_t status, uint32_t b, uint32_t c)
{
    exit((int)status);
}

static int sys_write(uint32_t fd, uint32_t buf, uint32_t n)
{
    struct file *f = fd_file(fd);
    if (!f || (int)n < 0 || vm_user_ok(curproc, buf, n, 0) < 0)
        return -1;
    return file_write(f, (const char *)buf, n);
}

static int sys_read(uint32_t fd, uint32_t buf, uint32_t n)
{
    struct file *f = fd_file(fd);
    if (!f || (int)n < 0 || vm_user_ok(curproc, buf, n, 1) < 0)
        return -1;
    return file_read(f, (char *)buf, n);
}

static int sys_getpid(uint32_t a, uint32_t b, uint32_t c)
{
    return curproc->pid;
}

static int sys_fork(uint32_t a, uint32_t b, uint32_t c)
{
    return fork();
}

/* exec(path, argv): path and the argument strings are copied into the
 * kernel first, because exec() throws the old address space away. */
static int sys_exec(uint32_t upath, uint32_t uargv, uint32_t c)
{
    static char path[32];
    static char strs[16][64];
    static char *argv[17];
    int argc;
    if (fetch_str(upath, path, sizeof(path)) < 0)
        return -1;
    for (argc = 0;; argc++) {
        if (argc >= 16 || vm_user_ok(curproc, uargv + 4 * argc, 4, 0) < 0)
            return -1;
        uint32_t p = *(uint32_t *)(uargv + 4 * argc);
        if (p == 0)
            break;
        if (fetch_str(p, strs[argc], sizeof(strs[argc])) < 0)
            return -1;
        argv[argc] = strs[argc];
    }
    argv[argc] = 0;
    return exec(path, argv);
}

static int sys_wait(uint32_t ustatus, uint32_t b, uint32_t c)
{
    int status = 0;
    if (ustatus && vm_user_ok(curproc, ustatus, 4, 1) < 0)
        return -1;
    int pid = wait(&status);
    if (pid >= 0 && ustatus)
        *(int *)ustatus = status;
    return pid;
}

/* sbrk(n): move the end of the heap by n bytes, return the old end. Growing
 * maps nothing: the pages appear when first touched (vm_fault). */
static int sys_sbrk(uint32_t n, uint32_t b, uint32_t c)
{
    uint32_t old = curproc->brk;
    uint32_t new = old + (int)n;
    if ((int)n < 0) {
        if (new < curproc->heap_start)
            return -1;
        vm_free_range(curproc->pgdir, new, old);
    } else if (new < old || new > USTACKLIMIT) {
        return -1;
    }
    curproc->brk = new;
    return old;
}

static int sys_sleep(uint32_t n, uint32_t b, uint32_t c)
{
    uint32_t start = ticks;
    while (ticks - start < n) {
        if (curproc->killed)
            return -1;
        sleep(&ticks);
    }
    return 0;
}

static int sys_uptime(uint32_t a, uint32_t b, uint32_t c)
{
    return ticks;
}

static int sys_yield(uint32_t a, uint32_t b, uint32_t c)
{
    yield();
    return 0;
}

static int sys_kill(uint32_t pid, uint32_t b, uint32_t c)
{
    return kill(pid);
}

static int sys_pipe(uint32_t ufds, uint32_t b, uint32_t c)
{
    struct file *rf, *wf;
    int fd0 = -1, fd1 = -1;
    if (vm_user_ok(curproc, ufds, 8, 1) < 0)
        return -1;
    for (int i = 0; i < NOFILE; i++)
        if (!curproc->ofile[i]) {
            if (fd0 < 0)
                fd0 = i;
            else if (fd1 < 0)
                fd1 = i;
        }
    if (fd1 < 0 || pipe_alloc(&rf, &wf) < 0)
        return -1;
    curproc->ofile[fd0] = rf;
    curproc->ofile[fd1] = wf;
    ((int *)ufds)[0] = fd0;
    ((int *)ufds)[1] = fd1;
    return 0;
}

static int sys_close(uint32_t fd, uint32_t b, uint32_t c)
{
    struct file *f = fd_file(fd);
    if (!f)
        return -1;
    curproc->ofile[fd] = 0;
    file_close(f);
    return 0;
}

/* dirent(i, d): the i-th file of the initrd (ls uses it). */
static int sys_dirent(uint32_t i, uint32_t ud, uint32_t c)
{
    struct dirent d;
    if (vm_user_ok(curproc, ud, sizeof(d), 1) < 0)
        return -1;
    if (initrd_entry(i, d.name, &d.size) < 0)
        return -1;
    memmove((void *)ud, &d, sizeof(d));
    return 0;
}

/* ring1_limit(on): ring 1's segments end below the kernel while this
 * process runs (on), or span 4 GiB (off). */
static int sys_ring1(uint32_t on, uint32_t b, uint32_t c)
{
    return ring1_limit(curproc, on);
}

/* ioperm(from, n): ports [from, from + n) for this process in ring 3. */
static int sys_ioperm(uint32_t from, uint32_t n, uint32_t c)
{
    return ioperm_grant(curproc, from, n);
}

/* console(pid): COM1's output goes through the caller while pid lives. */
static int sys_console(uint32_t pid, uint32_t b, uint32_t c)
{
    return console_route(curproc, pid);
}

/* cons_take(buf, n): the console's driver collects what to write. */
static int sys_cons_take(uint32_t buf, uint32_t n, uint32_t c)
{
    if ((int)n <= 0 || vm_user_ok(curproc, buf, n, 1) < 0)
        return -1;
    return console_take((char *)buf, n);
}

static int sys_ptrace(uint32_t req, uint32_t pid, uint32_t uword)
{
    return ptrace(req, pid, uword);
}

static int sys_shm(uint32_t key, uint32_t va, uint32_t c)
{
    return shm_map(curproc, key, va);
}

static int sys_clock(uint32_t a, uint32_t b, uint32_t c)
{
    return timer_usec();
}

static int (*const calls[])(uint32_t, uint32_t, uint32_t) = {
        [SYS_exit] = sys_exit,       [SYS_write] = sys_write,     [SYS_read] = sys_read,
        [SYS_getpid] = sys_getpid,   [SYS_fork] = sys_fork,       [SYS_exec] = sys_exec,
        [SYS_wait] = sys_wait,       [SYS_sbrk] = sys_sbrk,       [SYS_sleep] = sys_sleep,
        [SYS_uptime] = sys_uptime,   [SYS_yield] = sys_yield,     [SYS_kill] = sys_kill,
        [SYS_pipe] = sys_pipe,       [SYS_close] = sys_close,     [SYS_dirent] = sys_dirent,
        [SYS_ring1] = sys_ring1,     [SYS_ioperm] = sys_ioperm,   [SYS_console] = sys_console,
        [SYS_cons_take] = sys_cons_take, [SYS_ptrace] = sys_ptrace, [SYS_shm] = sys_shm,
        [SYS_clock] = sys_clock,
};

void syscall(struct trapframe *tf)
{
    uint32_t num = tf->eax;
    if (num < (uint32_t)NELEM(calls) && calls[num])
        tf->eax = calls[num](tf->ebx, tf->esi, tf->edi);
    else
        tf->eax = -1;
}
