/* shm — shared memory: one physical frame in two address spaces.
 *
 * A writer (the parent) and a reader (its child) each map shared frame 1
 * with shm(), at different addresses. Each shm() returns the page-table
 * entry it made, and both entries hold the same frame number: what the
 * writer stores at its address, the reader loads at its own, and its
 * answer comes back the same way. No system call carries the bytes; the
 * pipe only says "your turn". */
#include "user.h"

#define KEY         1
#define WRITER_ADDR 0x40000000u
#define READER_ADDR 0x50000000u

/* What the two keep in the shared page. */
struct mailbox {
    char message[64];
    char answer[64];
    uint32_t reader_pte;
};

static void show(const char *who, uint32_t va, int pte)
{
    printf("shm: %s pid %d: shm(%d, 0x%08x) = PTE 0x%08x: frame 0x%08x, %s%s%s\n", who, getpid(),
           KEY, va, pte, pte & ~0xFFF, pte & 4 ? "U " : "", pte & 2 ? "W " : "",
           pte & 0x400 ? "P, shared (bit 10)" : "P");
}

int main(int argc, char **argv)
{
    int turn[2];
    if (pipe(turn) < 0)
        return 1;
    int pid = fork();
    if (pid == 0) {
        char c;
        if (read(turn[0], &c, 1) != 1) /* the writer has written */
            exit(1);
        int pte = shm(KEY, (void *)READER_ADDR);
        show("reader", READER_ADDR, pte);
        if (pte < 0)
            exit(1);
        struct mailbox *m = (struct mailbox *)READER_ADDR;
        printf("shm: reader reads at 0x%08x: \"%s\"\n", READER_ADDR, m->message);
        strlcpy(m->answer, "got it, through the same frame", sizeof(m->answer));
        m->reader_pte = pte;
        exit(0);
    }
    int pte = shm(KEY, (void *)WRITER_ADDR);
    show("writer", WRITER_ADDR, pte);
    if (pte < 0)
        return 1;
    struct mailbox *m = (struct mailbox *)WRITER_ADDR;
    strlcpy(m->message, "hello from the writer", sizeof(m->message));
    printf("shm: writer writes at 0x%08x: \"%s\"\n", WRITER_ADDR, m->message);
    write(turn[1], "w", 1);
    wait(0);
    printf("shm: writer reads the answer at 0x%08x: \"%s\"\n", WRITER_ADDR, m->answer);
    printf("shm: writer's PTE 0x%08x, reader's PTE 0x%08x: %s frame\n", pte, m->reader_pte,
           ((uint32_t)pte & ~0xFFFu) == (m->reader_pte & ~0xFFFu) ? "the same" : "NOT the same");
    return 0;
}
