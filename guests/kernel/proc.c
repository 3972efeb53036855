/* proc.c — processes and the scheduler.
 *
 * One CPU, and the kernel runs with interrupts off (every IDT gate is an
 * interrupt gate, sysenter clears IF too), so no two pieces of kernel code
 * ever run at once and nothing here needs a lock. Interrupts are on only in
 * rings 3 and 1 and while the scheduler waits for something to do.
 *
 * A process that must wait (sleep) or whose time slice is up (yield) calls
 * sched(), which swtch()es to the scheduler's own stack; the scheduler picks
 * the next RUNNABLE process in round-robin order and swtch()es to it. */
#include "defs.h"
#include "mmu.h"
#include "x86.h"
#include "trap.h"
#include "proc.h"

static struct proc ptable[NPROC];
static struct proc *initproc;
static struct context *scheduler_context;
static int nextpid = 1;
struct proc *curproc; /* the process on the CPU, or 0 in the scheduler */

void forkret(void);

void proc_init(void)
{
    memset(ptable, 0, sizeof(ptable));
}

/* Find a free slot and give it a kernel stack laid out so that the first
 * swtch() to it "returns" into forkret, which returns into trapret, which
 * pops the trap frame and irets to ring 3:
 *
 *     kstack + KSTACKSIZE -> +----------------+
 *                            | trap frame     |  the user registers
 *                            +----------------+
 *                            | &trapret       |  forkret's return address
 *                            +----------------+
 *                            | context        |  eip = forkret
 *                            +----------------+
 */
static struct proc *proc_alloc(void)
{
    struct proc *p;
    for (p = ptable; p < &ptable[NPROC]; p++)
        if (p->state == UNUSED)
            goto found;
    return 0;
found:
    p->kstack = kalloc();
    if (!p->kstack)
        return 0;
    p->state = EMBRYO;
    p->pid = nextpid++;
    p->killed = 0;
    p->grace = 0;
    p->tracer = 0;
    p->ring1_limited = 0;
    ioperm_clear(p);
    char *sp = p->kstack + KSTACKSIZE;
    sp -= sizeof(*p->tf);
    p->tf = (struct trapframe *)sp;
    sp -= 4;
    *(uint32_t *)sp = (uint32_t)trapret;
    sp -= sizeof(*p->context);
    p->context = (struct context *)sp;
    memset(p->context, 0, sizeof(*p->context));
    p->context->eip = (uint32_t)forkret;
    return p;
}

/* A new process starts here, on its own kernel stack, and returns into
 * trapret. Like every return to ring 3, it first checks whether it has been
 * killed meanwhile: then it never runs a user instruction. */
void forkret(void)
{
    if (curproc->killed)
        exit(-1);
}

/* The first process: an empty address space, into which exec() loads
 * "init" from the initrd. */
void proc_userinit(void)
{
    static char *argv[] = {"init", 0};
    struct proc *p = proc_alloc();
    if (!p || !(p->pgdir = vm_new_pgdir()))
        panic("userinit: out of memory");
    initproc = p;
    memset(p->tf, 0, sizeof(*p->tf));
    p->tf->cs = UCODE_SEL;
    p->tf->ds = p->tf->es = p->tf->fs = p->tf->gs = p->tf->ss = UDATA_SEL;
    /* Interrupts on in ring 3. IOPL 1: rings 0 and 1 may use every I/O
     * port, ring 3 only those its bitmap grants (ioperm.c). */
    p->tf->eflags = FL_IF | FL_IOPL1;
    p->ofile[0] = file_console();
    p->ofile[1] = file_dup(p->ofile[0]);
    p->ofile[2] = file_dup(p->ofile[0]);
    strlcpy(p->name, "init", sizeof(p->name));

    /* exec() works on the current process; borrow the slot for a moment. */
    curproc = p;
    lcr3(V2P(p->pgdir));
    if (exec("init", argv) < 0)
        panic("userinit: no init in the initrd");
    kvm_switch();
    curproc = 0;
    p->state = RUNNABLE;
}

/* Run p: its page directory, its kernel stack for the next trap, its I/O
 * ports and its ring-1 segments. */
static void switch_to(struct proc *p)
{
    uint32_t kstack_top = (uint32_t)p->kstack + KSTACKSIZE;
    tss_set_kstack(kstack_top);      /* for int 0x80, IRQs and faults */
    sysenter_set_kstack(kstack_top); /* for sysenter */
    tss_set_iomap(p->iomap);
    seg_ring1_limit(p->ring1_limited);
    lcr3(V2P(p->pgdir));
}

void scheduler(void)
{
    int last = 0;
    for (;;) {
        struct proc *p = 0;
        for (int i = 1; i <= NPROC; i++) {
            struct proc *q = &ptable[(last + i) % NPROC];
            if (q->state == RUNNABLE) {
                p = q;
                last = q - ptable;
                break;
            }
        }
        if (!p) {
            /* Nothing to run: wait for an interrupt (a key, a tick). */
            sti_hlt();
            cli();
            continue;
        }
        curproc = p;
        p->state = RUNNING;
        switch_to(p);
        swtch(&scheduler_context, p->context);
        /* back here when p gives up the CPU */
        kvm_switch();
        curproc = 0;
    }
}

/* Give the CPU back to the scheduler; return when chosen again. */
void sched(void)
{
    swtch(&curproc->context, scheduler_context);
}

void yield(void)
{
    curproc->state = RUNNABLE;
    sched();
}

/* Wait until someone calls wakeup(chan). Callers check their condition in
 * a loop: a wakeup means "look again", not "it is true". */
void sleep(void *chan)
{
    curproc->chan = chan;
    curproc->state = SLEEPING;
    sched();
    curproc->chan = 0;
}

void wakeup(void *chan)
{
    for (struct proc *p = ptable; p < &ptable[NPROC]; p++)
        if (p->state == SLEEPING && p->chan == chan)
            p->state = RUNNABLE;
}

/* A copy of the current process. The address space is shared copy-on-write
 * (vm.c); the child returns 0 from fork(), the parent the child's pid. */
int fork(void)
{
    struct proc *np = proc_alloc();
    if (!np)
        return -1;
    if (!(np->pgdir = vm_copy_cow(curproc->pgdir))) {
        kfree(np->kstack);
        np->state = UNUSED;
        return -1;
    }
    /* The parent's TLB may still hold writable translations of pages that
     * are now copy-on-write: reload CR3 to flush them. */
    lcr3(V2P(curproc->pgdir));
    *np->tf = *curproc->tf;
    np->tf->eax = 0;
    np->parent = curproc;
    np->heap_start = curproc->heap_start;
    np->brk = curproc->brk;
    np->ring1_limited = curproc->ring1_limited; /* but no I/O ports, no tracer */
    for (int i = 0; i < NOFILE; i++)
        if (curproc->ofile[i])
            np->ofile[i] = file_dup(curproc->ofile[i]);
    strlcpy(np->name, curproc->name, sizeof(np->name));
    np->state = RUNNABLE;
    return np->pid;
}

/* The current process ends. It stays a ZOMBIE, holding its exit status,
 * until its parent collects it with wait(). Its children go to init. */
void exit(int status)
{
    struct proc *p = curproc;
    if (p == initproc)
        panic("init exited");
    for (int i = 0; i < NOFILE; i++)
        if (p->ofile[i]) {
            file_close(p->ofile[i]);
            p->ofile[i] = 0;
        }
    for (struct proc *c = ptable; c < &ptable[NPROC]; c++) {
        if (c->parent == p) {
            c->parent = initproc;
            if (c->state == ZOMBIE)
                wakeup(initproc);
        }
        if (c->tracer == p)
            c->tracer = 0; /* a debugger that ends detaches */
    }
    console_exit(p);
    ioperm_release(p);
    p->status = status;
    p->state = ZOMBIE;
    wakeup(p->parent);
    sched();
    panic("zombie ran");
}

/* Wait for a child to exit; free it and return its pid and status. */
int wait(int *status)
{
    for (;;) {
        int have_kids = 0;
        for (struct proc *p = ptable; p < &ptable[NPROC]; p++) {
            if (p->parent != curproc)
                continue;
            have_kids = 1;
            if (p->state != ZOMBIE)
                continue;
            int pid = p->pid;
            if (status)
                *status = p->status;
            kfree(p->kstack);
            vm_free(p->pgdir);
            memset(p, 0, sizeof(*p)); /* state = UNUSED */
            return pid;
        }
        if (!have_kids || curproc->killed)
            return -1;
        sleep(curproc);
    }
}

/* The live process with this pid, or 0. */
struct proc *proc_find(int pid)
{
    for (struct proc *p = ptable; p < &ptable[NPROC]; p++)
        if (p->pid == pid && p->state != UNUSED && p->state != ZOMBIE)
            return p;
    return 0;
}

/* Mark a process to die; it exits the next time it would return to ring 3
 * (a sleeping process is woken so that happens soon). */
int kill(int pid)
{
    for (struct proc *p = ptable; p < &ptable[NPROC]; p++) {
        if (p->pid == pid && p->state != UNUSED && p->state != ZOMBIE) {
            p->killed = 1;
            if (p->state == SLEEPING)
                p->state = RUNNABLE;
            return 0;
        }
    }
    return -1;
}
