/* file.c — what a file descriptor points at: the console, or one end of a
 * pipe. A pipe is a small ring buffer in a kernel page; a reader sleeps
 * while it is empty, a writer while it is full. */
#include "defs.h"
#include "mmu.h"
#include "proc.h"

#define NFILE    64
#define PIPESIZE 512

struct pipe {
    char data[PIPESIZE];
    uint32_t nread;  /* bytes read so far */
    uint32_t nwrite; /* bytes written so far */
    int readopen;    /* is the read end still open? */
    int writeopen;
};

struct file {
    enum { FD_NONE, FD_CONSOLE, FD_PIPE } type;
    int ref;      /* descriptors pointing here */
    int writable; /* for a pipe: the write end */
    struct pipe *pipe;
};

static struct file ftable[NFILE];

static struct file *file_alloc(void)
{
    for (struct file *f = ftable; f < &ftable[NFILE]; f++)
        if (f->ref == 0) {
            f->ref = 1;
            return f;
        }
    return 0;
}

struct file *file_console(void)
{
    struct file *f = file_alloc();
    if (!f)
        panic("file_console: no file");
    f->type = FD_CONSOLE;
    return f;
}

struct file *file_dup(struct file *f)
{
    f->ref++;
    return f;
}

void file_close(struct file *f)
{
    if (--f->ref > 0)
        return;
    if (f->type == FD_PIPE) {
        struct pipe *p = f->pipe;
        if (f->writable) {
            p->writeopen = 0;
            wakeup(&p->nread); /* readers see end of file */
        } else {
            p->readopen = 0;
            wakeup(&p->nwrite); /* writers see a broken pipe */
        }
        if (!p->readopen && !p->writeopen)
            kfree(p);
    }
    f->type = FD_NONE;
}

int pipe_alloc(struct file **rf, struct file **wf)
{
    struct pipe *p = kalloc(); /* one page holds the whole struct */
    *rf = file_alloc();
    *wf = file_alloc();
    if (!p || !*rf || !*wf) {
        if (p)
            kfree(p);
        if (*rf)
            (*rf)->ref = 0;
        if (*wf)
            (*wf)->ref = 0;
        return -1;
    }
    p->readopen = p->writeopen = 1;
    (*rf)->type = (*wf)->type = FD_PIPE;
    (*rf)->pipe = (*wf)->pipe = p;
    (*rf)->writable = 0;
    (*wf)->writable = 1;
    return 0;
}

/* dst is a user address the caller has checked. */
int file_read(struct file *f, char *dst, int n)
{
    if (f->type == FD_CONSOLE)
        return console_read(dst, n);
    if (f->type != FD_PIPE || f->writable)
        return -1;
    struct pipe *p = f->pipe;
    while (p->nread == p->nwrite && p->writeopen) {
        if (curproc->killed)
            return -1;
        sleep(&p->nread);
    }
    int i;
    for (i = 0; i < n && p->nread != p->nwrite; i++)
        dst[i] = p->data[p->nread++ % PIPESIZE];
    wakeup(&p->nwrite);
    return i;
}

int file_write(struct file *f, const char *src, int n)
{
    if (f->type == FD_CONSOLE) {
        console_write(src, n);
        console_wait_driver(); /* when a ring-3 driver has the console */
        return n;
    }
    if (f->type != FD_PIPE || !f->writable)
        return -1;
    struct pipe *p = f->pipe;
    for (int i = 0; i < n; i++) {
        while (p->nwrite == p->nread + PIPESIZE) {
            if (!p->readopen || curproc->killed)
                return -1;
            wakeup(&p->nread);
            sleep(&p->nwrite);
        }
        p->data[p->nwrite++ % PIPESIZE] = src[i];
    }
    wakeup(&p->nread);
    return n;
}
