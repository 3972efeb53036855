/* cow — copy-on-write. After fork() parent and child share every page,
 * read-only. The first write from either side is a #PF; the kernel copies
 * the page for the writer (or, if nobody shares it any more, just makes it
 * writable again), and the two values part ways.
 * "cow N" shares N written heap pages with a child that writes each one
 * (a copy-on-write fault a page) and exits, and prints only the count, for
 * timing them (bench/). */
#include "user.h"

static int shared[1024] = {1}; /* one page of .data */

static __attribute__((noinline)) int copy_pages(int pages)
{
    volatile char *heap = sbrk(pages * 4096);
    if (heap == (char *)-1)
        return 1;
    for (int i = 0; i < pages; i++)
        heap[i * 4096] = 1; /* the parent's pages, before the fork */
    int pid = fork();
    if (pid == 0) {
        for (int i = 0; i < pages; i++)
            heap[i * 4096] = 2; /* each write: a copy-on-write #PF */
        exit(0);
    }
    wait(0);
    sbrk(-pages * 4096);
    printf("cow: the child copied %d pages\n", pages);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc > 1)
        return copy_pages(atoi(argv[1]));
    shared[0] = 100;
    printf("cow: before fork, value = %d\n", shared[0]);
    int pid = fork();
    if (pid == 0) {
        shared[0] = 200; /* the child's write: the page is copied */
        printf("cow: child wrote, its value = %d\n", shared[0]);
        exit(0);
    }
    wait(0);
    printf("cow: parent still sees value = %d\n", shared[0]);
    shared[0] = 300; /* the parent's write: its page is its own again */
    printf("cow: parent wrote, its value = %d\n", shared[0]);
    return 0;
}
