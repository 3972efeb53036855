/* console.c — the console: output goes to both COM1 and the VGA text
 * screen, input comes from COM1's receive interrupt and is collected into
 * lines (with echo and backspace) before read() sees it. Also the kernel's
 * printf.
 *
 * COM1's output can be handed to a driver in ring 3 instead (uartd): the
 * process that holds COM1's ports (ioperm.c) asks for the console while
 * another process runs (console_route), and from then on the kernel only
 * queues the bytes; the driver takes them (console_take) and writes them
 * to the UART with OUT itself. A program that writes to the console waits
 * until the driver has taken everything, as it would wait for the answer
 * to a message in a microkernel; so the driver runs at once, and the
 * output keeps its order. The VGA screen stays the kernel's. */
#include "defs.h"
#include "mmu.h"
#include "x86.h"
#include "proc.h"

#define OUTBUF 1024
static struct {
    char buf[OUTBUF];
    uint32_t r;          /* next byte the driver takes */
    uint32_t w;          /* end of what is queued */
    struct proc *driver; /* takes COM1's output, or 0: the kernel writes it */
    int for_pid;         /* the process whose run the driver serves */
    int ending;          /* that process has exited: drain, then stop */
} out;

/* The kernel writes the queue itself (the driver is gone or behind). */
static void out_flush(void)
{
    while (out.r != out.w)
        uart_putc(out.buf[out.r++ % OUTBUF]);
}

void console_putc(int c)
{
    if (!out.driver) {
        uart_putc(c);
    } else {
        if (out.w - out.r == OUTBUF)
            out_flush(); /* a whole buffer behind: do not lose output */
        out.buf[out.w++ % OUTBUF] = c;
        wakeup(&out.w);
    }
    vga_putc(c);
}

/* The console goes through driver (which must own COM1) for as long as
 * process pid lives. */
int console_route(struct proc *driver, int pid)
{
    if (!ioperm_owns_com1(driver) || out.driver || !proc_find(pid))
        return -1;
    out.driver = driver;
    out.for_pid = pid;
    out.ending = 0;
    return 0;
}

/* The driver takes up to n queued bytes (dst: a checked user buffer),
 * waiting for some. 0: the process it served has exited and everything is
 * written; the kernel has the console back. */
int console_take(char *dst, int n)
{
    if (!out.driver || curproc != out.driver)
        return -1;
    while (out.r == out.w) {
        if (out.ending) {
            out.driver = 0;
            return 0;
        }
        if (curproc->killed)
            return -1;
        sleep(&out.w);
    }
    int got = 0;
    while (got < n && out.r != out.w)
        dst[got++] = out.buf[out.r++ % OUTBUF];
    wakeup(&out.r);
    return got;
}

/* After a program's write: wait until the driver has taken it all. */
void console_wait_driver(void)
{
    while (out.driver && curproc != out.driver && out.r != out.w && !curproc->killed)
        sleep(&out.r);
}

/* Process p exits: if the driver served it, the driver finishes; if p is
 * the driver, the kernel takes the console back at once. */
void console_exit(struct proc *p)
{
    if (!out.driver)
        return;
    if (p == out.driver) {
        out_flush();
        out.driver = 0;
        wakeup(&out.r);
    } else if (p->pid == out.for_pid) {
        out.ending = 1;
        wakeup(&out.w);
    }
}

void console_write(const char *s, int n)
{
    for (int i = 0; i < n; i++)
        console_putc((unsigned char)s[i]);
}

/* --- input: a line editor ------------------------------------------------ */

#define INBUF 256
static struct {
    char buf[INBUF];
    uint32_t r; /* next byte read() will take */
    uint32_t w; /* end of the completed lines */
    uint32_t e; /* end of the line being edited */
} input;

void console_init(void)
{
    pic_enable(4 /* COM1 is wired to IRQ 4 */);
}

/* Called from the COM1 interrupt for each byte that arrived. */
void console_intr(int c)
{
    if (c == '\r')
        c = '\n'; /* terminals send CR for Enter */
    if (c == 0x7F || c == '\b') {
        if (input.e != input.w) {
            input.e--;
            console_write("\b \b", 3);
        }
        return;
    }
    if (input.e - input.r >= INBUF)
        return; /* full: drop it */
    input.buf[input.e++ % INBUF] = c;
    console_putc(c); /* echo */
    if (c == '\n' || c == 0x04 || input.e - input.r == INBUF) {
        input.w = input.e;
        wakeup(&input.r);
    }
}

/* read() from the console: wait for a whole line, return up to n bytes. */
int console_read(char *dst, int n)
{
    int got = 0;
    while (input.r == input.w) {
        if (curproc->killed)
            return -1;
        sleep(&input.r);
    }
    while (got < n && input.r != input.w) {
        char c = input.buf[input.r++ % INBUF];
        if (c == 0x04) /* ctrl-D: end of file */
            break;
        dst[got++] = c;
        if (c == '\n')
            break;
    }
    return got;
}

/* --- kernel printf --------------------------------------------------------- */

void kprintf(const char *fmt, ...)
{
    char buf[256];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf, sizeof(buf), fmt, ap);
    va_end(ap);
    if (n > (int)sizeof(buf) - 1)
        n = sizeof(buf) - 1;
    console_write(buf, n);
}

void panic(const char *msg)
{
    cli();
    kprintf("panic: %s\n", msg);
    for (;;)
        cli_hlt();
}
