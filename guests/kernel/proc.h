/* proc.h — a process: its address space, its kernel stack, where it stopped,
 * and what it is waiting for. */
#ifndef PROC_H
#define PROC_H

#define NPROC      64     /* processes at most */
#define NOFILE     8      /* open files per process */
#define KSTACKSIZE PGSIZE /* each process has one page of kernel stack */

/* What swtch() saves when a process gives up the CPU inside the kernel: the
 * registers the C calling convention says a callee must preserve, and the
 * address to go on from. The other registers are already saved by the
 * caller (or are in the trap frame). */
struct context {
    uint32_t edi, esi, ebx, ebp;
    uint32_t eip;
};

enum procstate { UNUSED, EMBRYO, SLEEPING, RUNNABLE, RUNNING, ZOMBIE };

struct proc {
    enum procstate state;
    int pid;
    char name[16];
    pde_t *pgdir;            /* its page directory (kernel virtual address) */
    char *kstack;            /* bottom of its kernel stack */
    struct trapframe *tf;    /* the user registers, at the top of kstack */
    struct context *context; /* where swtch() left it */
    struct proc *parent;
    void *chan;          /* what it sleeps on, if SLEEPING */
    int killed;          /* exit at the next return to user mode */
    int grace;           /* made a system call since the last tick */
    int status;          /* exit status, for wait() */
    uint32_t heap_start; /* first byte after the program image */
    uint32_t brk;        /* end of the heap: sbrk() moves it */
    struct file *ofile[NOFILE];
    struct proc *tracer;          /* attached with ptrace(), or 0 */
    int ring1_limited;            /* ring 1's segments end below the kernel */
    uint8_t iomap[IOMAP_BYTES];   /* its I/O permission bitmap (ioperm.c) */
};

#endif
