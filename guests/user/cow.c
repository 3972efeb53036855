/* cow — copy-on-write. After fork() parent and child share every page,
 * read-only. The first write from either side is a #PF; the kernel copies
 * the page for the writer (or, if nobody shares it any more, just makes it
 * writable again), and the two values part ways. */
#include "user.h"

static int shared[1024] = {1}; /* one page of .data */

int main(int argc, char **argv)
{
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
