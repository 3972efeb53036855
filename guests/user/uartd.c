/* uartd — a driver in user mode that is not user space: the microkernel
 * way. The kernel grants this process COM1's eight ports through its own
 * I/O permission bitmap (kernel/ioperm.c), which the scheduler puts into
 * the TSS whenever it runs; so uartd writes to the UART with OUT from
 * ring 3, while every other process still gets #GP(0) for the same OUT
 * (SDM Vol. 1 19.5.2).
 *
 * Then it takes the console: "uartd PROG ARGS" (hello if none) runs PROG
 * with the kernel's serial output routed through uartd. The kernel only
 * queues what PROG writes; uartd collects it with cons_take() and sends it
 * byte by byte, until PROG has exited and everything is out. */
#include "user.h"

#define COM1      0x3F8
#define UART_THR  0 /* transmit holding register */
#define UART_LSR  5 /* line status */
#define LSR_THRE  0x20 /* THR is empty */

static void com1_putc(int c)
{
    if (c == '\n')
        com1_putc('\r'); /* a terminal wants CR LF */
    while (!(inb(COM1 + UART_LSR) & LSR_THRE))
        ;
    outb(COM1 + UART_THR, c);
}

static void com1_puts(const char *s)
{
    while (*s)
        com1_putc(*s++);
}

int main(int argc, char **argv)
{
    char *hello[] = {"hello", 0};
    char **prog = argc > 1 ? argv + 1 : hello;
    int me = getpid(), go[2];

    if (ioperm(COM1, 8) < 0) {
        printf("uartd: ioperm(0x3f8, 8) = -1: another process holds COM1\n");
        return 1;
    }
    printf("uartd: ioperm(0x3f8, 8) = 0: pid %d's I/O bitmap now opens COM1\n", me);
    com1_puts("uartd: this line went to COM1 by OUT from ring 3\n");

    if (fork() == 0) {
        printf("uartd: child pid %d has no grant and tries the same OUT\n", getpid());
        outb(COM1 + UART_THR, '!');
        printf("uartd: OUT without a grant did not fault!\n");
        exit(1);
    }
    wait(0);

    /* The child waits for "go" until the console is routed, so that all it
     * writes goes through us. */
    if (pipe(go) < 0) {
        printf("uartd: pipe failed\n");
        return 1;
    }
    int pid = fork();
    if (pid == 0) {
        char c;
        close(go[1]);
        if (read(go[0], &c, 1) != 1)
            exit(1);
        close(go[0]);
        exec(prog[0], prog);
        printf("uartd: %s: not found\n", prog[0]);
        exit(127);
    }
    close(go[0]);
    printf("uartd: console(%d) = %d: COM1's output goes through pid %d while %s runs\n", pid,
           console(pid), me, prog[0]);
    write(go[1], "g", 1);
    close(go[1]);

    char buf[128];
    int n, total = 0;
    while ((n = cons_take(buf, sizeof(buf))) > 0) {
        for (int i = 0; i < n; i++)
            com1_putc(buf[i]);
        total += n;
    }
    int status;
    wait(&status);
    printf("uartd: %s exited (status %d); uartd wrote %d bytes of console output, and COM1's "
           "output is the kernel's again\n",
           prog[0], status, total);
    return 0;
}
