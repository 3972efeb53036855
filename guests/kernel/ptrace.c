/* ptrace.c — a debugger's door into another process: attach, peek, poke,
 * detach (the calls are named after Unix's ptrace).
 *
 * Ring 3 cannot reach another address space at all: the other process's
 * pages are simply not in this one's page tables, and no instruction can
 * name them. The kernel can: every frame is mapped in kernel space, so it
 * finds the frame behind the other process's address with that process's
 * page directory and reads or writes it through the kernel's mapping.
 *
 * Only a parent may attach to its own child, and one tracer at a time;
 * peek and poke need the attachment. The child keeps running (a real
 * ptrace stops it). Attachments end with either process. */
#include "defs.h"
#include "mmu.h"
#include "proc.h"
#include "syscall.h"

int ptrace(int req, int pid, uint32_t uword)
{
    struct proc *t = proc_find(pid);
    struct ptrace_word w;
    uint32_t *word;

    switch (req) {
    case PT_ATTACH:
        if (!t)
            return PT_ENOPROC;
        if (t->parent != curproc)
            return PT_ENOTCHILD;
        if (t->tracer)
            return PT_EBUSY;
        t->tracer = curproc;
        return 0;
    case PT_DETACH:
        if (!t || t->tracer != curproc)
            return PT_ENOTATTACHED;
        t->tracer = 0;
        return 0;
    case PT_PEEK:
    case PT_POKE:
        if (!t || t->tracer != curproc)
            return PT_ENOTATTACHED;
        /* The request (address, value) lives in the caller's memory. */
        if (vm_user_ok(curproc, uword, sizeof(w), 1) < 0)
            return PT_EFAULT;
        memmove(&w, (void *)uword, sizeof(w));
        word = vm_user_word(t, w.addr, req == PT_POKE);
        if (!word)
            return PT_EFAULT;
        if (req == PT_PEEK)
            w.value = *word;
        else
            *word = w.value;
        memmove((void *)uword, &w, sizeof(w));
        return 0;
    }
    return -1;
}
