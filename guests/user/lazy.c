/* lazy — demand paging. sbrk() only moves the end of the heap; no page is
 * mapped until it is touched, and then the first touch of each page is a
 * #PF that the kernel answers with a fresh zeroed page. The same for the
 * stack below its first page. */
#include "user.h"

#define HEAP_PAGES 4
#define STACK_KB   16

static int deep(int n)
{
    volatile char frame[1024]; /* 1 KiB of stack per call */
    frame[0] = (char)n;
    if (n == 0)
        return frame[0];
    return deep(n - 1) + frame[0];
}

int main(int argc, char **argv)
{
    char *heap = sbrk(HEAP_PAGES * 4096);
    printf("lazy: sbrk(%d) = %p, nothing mapped yet\n", HEAP_PAGES * 4096, heap);
    unsigned sum = 0;
    for (int i = 0; i < HEAP_PAGES; i++) {
        sum += (unsigned char)heap[i * 4096]; /* first touch: read, page is zero */
        heap[i * 4096 + 1] = (char)(i + 1);   /* then write */
        sum += heap[i * 4096 + 1];
    }
    printf("lazy: touched %d heap pages, sum %u\n", HEAP_PAGES, sum);
    printf("lazy: recursing through %d KiB of stack, result %d\n", STACK_KB, deep(STACK_KB));
    sbrk(-HEAP_PAGES * 4096);
    printf("lazy: heap returned\n");
    return 0;
}
