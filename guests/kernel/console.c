/* console.c — the console: output goes to both COM1 and the VGA text
 * screen, input comes from COM1's receive interrupt and is collected into
 * lines (with echo and backspace) before read() sees it. Also the kernel's
 * printf. */
#include "defs.h"
#include "mmu.h"
#include "x86.h"
#include "proc.h"

void console_putc(int c)
{
    uart_putc(c);
    vga_putc(c);
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
        __asm__ volatile("cli; hlt");
}
