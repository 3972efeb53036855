/* peek — a debugger reads another process's memory through the kernel.
 *
 * "peek PID ADDR" attaches to PID with ptrace(), reads the word at ADDR in
 * PID's address space, detaches, and then reads ADDR in its own address
 * space, directly. The kernel allows the attach only if PID is peek's
 * child (kernel/ptrace.c).
 *
 * "peek" alone makes itself such a child first: the child takes a heap
 * page that only it has (it grows its heap after the fork), leaves a word
 * there and waits. peek reads the word through the kernel, changes it
 * (poke), lets the child go on to print it, and then tries to read the
 * same address itself: nothing is mapped there in peek's page tables, so
 * that is a #PF and the kernel kills peek. */
#include "user.h"

static const char *error_name(int r)
{
    switch (r) {
    case PT_ENOPROC: return "no such process";
    case PT_ENOTCHILD: return "not peek's child: only a parent may attach";
    case PT_EBUSY: return "another debugger is attached";
    case PT_ENOTATTACHED: return "not attached";
    case PT_EFAULT: return "not a word that process may read";
    }
    return "";
}

/* Attach, peek, detach; 0 and *value, or the error. */
static int peek_word(int pid, uint32_t addr, uint32_t *value)
{
    struct ptrace_word w = {addr, 0};
    int r = ptrace(PT_ATTACH, pid, 0);
    printf("peek: ptrace(PT_ATTACH, %d) = %d%s%s\n", pid, r, r ? ": " : "", error_name(r));
    if (r < 0)
        return r;
    r = ptrace(PT_PEEK, pid, &w);
    if (r == 0)
        printf("peek: ptrace(PT_PEEK, %d, 0x%08x) = 0: the word is 0x%08x\n", pid, addr, w.value);
    else
        printf("peek: ptrace(PT_PEEK, %d, 0x%08x) = %d: %s\n", pid, addr, r, error_name(r));
    *value = w.value;
    return r;
}

static void detach(int pid)
{
    printf("peek: ptrace(PT_DETACH, %d) = %d\n", pid, ptrace(PT_DETACH, pid, 0));
}

static void read_directly(uint32_t addr)
{
    printf("peek: now peek reads 0x%08x itself\n", addr);
    uint32_t v = *(volatile uint32_t *)addr;
    printf("peek: read 0x%08x: it is mapped here too\n", v);
}

/* "peek": a child with a page of its own, looked at and changed. */
static int demo(void)
{
    int addr_pipe[2], go_pipe[2];
    uint32_t addr, value;
    if (pipe(addr_pipe) < 0 || pipe(go_pipe) < 0)
        return 1;
    int pid = fork();
    if (pid == 0) {
        uint32_t *word = sbrk(4096); /* a new page, in the child only */
        *word = 0x600dcafe;
        printf("peek: child %d keeps 0x%08x at %p, on a page its parent does not have\n",
               getpid(), *word, word);
        write(addr_pipe[1], &word, sizeof(word));
        char c;
        read(go_pipe[0], &c, 1); /* until the parent is done */
        printf("peek: child %d now finds 0x%08x at %p\n", getpid(), *word, word);
        exit(0);
    }
    if (read(addr_pipe[0], &addr, sizeof(addr)) != sizeof(addr))
        return 1;
    if (peek_word(pid, addr, &value) < 0)
        return 1;
    struct ptrace_word w = {addr, 0x0badf00d};
    printf("peek: ptrace(PT_POKE, %d, 0x%08x, 0x%08x) = %d\n", pid, addr, w.value,
           ptrace(PT_POKE, pid, &w));
    detach(pid);
    write(go_pipe[1], "g", 1);
    wait(0);
    read_directly(addr);
    return 1;
}

int main(int argc, char **argv)
{
    if (argc == 1)
        return demo();
    if (argc != 3) {
        printf("usage: peek [PID ADDR]\n");
        return 2;
    }
    int pid = atoi(argv[1]);
    uint32_t addr = 0;
    const char *s = argv[2];
    if (s[0] == '0' && s[1] == 'x')
        s += 2;
    for (; *s; s++)
        addr = addr * 16 + (*s <= '9' ? *s - '0' : (*s | 0x20) - 'a' + 10);
    uint32_t value;
    if (peek_word(pid, addr, &value) < 0)
        return 1;
    detach(pid);
    read_directly(addr);
    return 0;
}
