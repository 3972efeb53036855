/* lazy — demand paging. sbrk() only moves the end of the heap; no page is
 * mapped until it is touched, and then the first touch of each page is a
 * #PF that the kernel answers with a fresh zeroed page. The same for the
 * stack below its first page.
 * "lazy N" touches N fresh heap pages, a megabyte at a time (grow, write a
 * byte to each page, give the megabyte back), and prints only the count:
 * one demand-paging fault a page, for timing them (bench/). */
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

#define ROUND_PAGES 256 /* a megabyte */

static __attribute__((noinline)) int touch_fresh_pages(int pages)
{
    int touched = 0;
    while (touched < pages) {
        int n = pages - touched < ROUND_PAGES ? pages - touched : ROUND_PAGES;
        volatile char *heap = sbrk(n * 4096);
        if (heap == (char *)-1)
            break;
        for (int i = 0; i < n; i++)
            heap[i * 4096] = 1; /* first touch: a #PF, a fresh page */
        sbrk(-n * 4096);
        touched += n;
    }
    printf("lazy: touched %d fresh pages\n", touched);
    return touched == pages ? 0 : 1;
}

int main(int argc, char **argv)
{
    if (argc > 1)
        return touch_fresh_pages(atoi(argv[1]));
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
