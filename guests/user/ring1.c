/* ring1 — rings 1 and 2, "rarely used". The kernel has a small service in
 * ring 1 (kernel/ring1svc.asm), with code, data and stack segments of DPL 1;
 * this program calls it through the call gate 0x4B, and it comes back with
 * RETF. It shows what ring 1 can and cannot do:
 *   - port I/O: every process runs with IOPL 1, so CPL 1 may use any port
 *     and CPL 3 may not (SDM Vol. 1 19.5.1): ring 1 writes a line to COM1
 *     itself, and the same OUT in ring 3 is #GP(0);
 *   - paging: U/S separates CPL 3 from CPL 0, 1 and 2 (SDM Vol. 3A 4.6), so
 *     ring 1 reads the kernel's first page, which kread cannot;
 *   - but ring 1 is not the kernel: when it faults (a #PF on a page that is
 *     not there), the kernel kills the process it was serving.
 * "ring1 limit" then has the kernel cut ring 1's segments off below the
 * kernel, at 0xBFFFFFFF, as 32-bit Xen did with its guest kernels: ring 1
 * still reads ring 3's memory, but the read of the kernel's page is past
 * DS's limit: #GP(0) (SDM Vol. 3A 5.3), and the kernel explains it. */
#include "user.h"

#define KERNEL_PAGE 0xC0100000u /* the kernel's first page: its Multiboot header */
#define UNMAPPED    0xD0000000u /* past the kernel's mapping of RAM */

struct r1regs {
    uint32_t eax, ebx, ecx, edx;
};

/* A far CALL through the gate: only the selector counts, the offset is
 * the gate's (SDM Vol. 3A 5.8.4). */
static struct r1regs ring1_call(uint32_t what, uint32_t arg)
{
    struct r1regs r = {what, arg, 0, 0};
    __asm__ volatile("lcall %4, $0"
                     : "+a"(r.eax), "+b"(r.ebx), "=c"(r.ecx), "=d"(r.edx)
                     : "i"(R1_GATE)
                     : "memory", "cc");
    return r;
}

static uint32_t ring1_peek(uint32_t addr)
{
    return ring1_call(R1_PEEK, addr).eax;
}

static void whoami(void)
{
    struct r1regs r = ring1_call(R1_WHOAMI, 0);
    uint32_t cs = r.eax & 0xFFFF, ss = r.eax >> 16;
    printf("ring1: in ring 1: CS 0x%04x (CPL %d), SS 0x%04x, ESP 0x%08x, IOPL %d, DS limit 0x%08x\n",
           cs, cs & 3, ss, r.ebx, (r.ecx >> 12) & 3, r.edx);
}

static void limited(void)
{
    static uint32_t mine = 0x12345678; /* a word of ring 3's own */

    printf("ring1: ring1_limit(1): the kernel cuts ring 1's segments off at 0x%08x\n",
           ring1_limit(1));
    whoami();
    printf("ring1: ring 1 reads ring 3's word at %p: 0x%08x\n", &mine, ring1_peek((uint32_t)&mine));
    printf("ring1: ring 1 reads the kernel's page 0x%08x again\n", KERNEL_PAGE);
    uint32_t v = ring1_peek(KERNEL_PAGE);
    /* Only a CPU that does not check data segment limits gets here
     * (QEMU's TCG does not). */
    printf("ring1: read 0x%08x past DS's limit: this CPU did not check it (the SDM says #GP(0))\n",
           v);
    exit(1);
}

int main(int argc, char **argv)
{
    if (argc > 1 && strcmp(argv[1], "limit") == 0)
        limited();

    printf("ring1: ring 3 calls the ring-1 service through call gate 0x%02x\n", R1_GATE);
    whoami();
    int n = ring1_call(R1_PUTS, (uint32_t) "ring 1 writes this line to COM1 itself, with OUT\n").eax;
    printf("ring1: ring 1 wrote %d bytes to port 0x3f8: CPL 1 <= IOPL 1\n", n);
    printf("ring1: ring 1 reads the kernel's page 0x%08x (U=0): 0x%08x\n", KERNEL_PAGE,
           ring1_peek(KERNEL_PAGE));

    /* Ring 1 is not the kernel: when it faults, the process that called
     * it dies, and the kernel goes on. */
    printf("ring1: ring 1 reads 0x%08x, where nothing is mapped\n", UNMAPPED);
    if (fork() == 0) {
        ring1_peek(UNMAPPED);
        printf("ring1: ring 1 read an unmapped page!\n");
        exit(0);
    }
    wait(0);

    printf("ring1: ring 3 tries the same OUT: CPL 3 > IOPL 1, and its I/O bitmap denies 0x3f8\n");
    if (fork() == 0) {
        outb(0x3F8, '!');
        printf("ring1: OUT in ring 3 did not fault!\n");
        exit(0);
    }
    wait(0);
    printf("ring1: done\n");
    return 0;
}
