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

struct sink {
    char *buf;
    int size;
    int len;
};

static void put(struct sink *s, char c)
{
    if (s->len + 1 < s->size)
        s->buf[s->len] = c;
    s->len++;
}

/* %d %u %x %s %c %p %%, with an optional 0 flag and width: enough for a
 * kernel, and only 32-bit division (there is no libgcc here). */
int kvsnprintf(char *buf, int size, const char *fmt, va_list ap)
{
    struct sink s = {buf, size, 0};
    for (; *fmt; fmt++) {
        if (*fmt != '%') {
            put(&s, *fmt);
            continue;
        }
        fmt++;
        char pad = ' ';
        int width = 0;
        if (*fmt == '0') {
            pad = '0';
            fmt++;
        }
        while (*fmt >= '0' && *fmt <= '9')
            width = width * 10 + (*fmt++ - '0');
        char tmp[12];
        int n = 0, neg = 0;
        uint32_t v;
        const char *str;
        switch (*fmt) {
        case 'd':
            v = va_arg(ap, int);
            if ((int32_t)v < 0) {
                neg = 1;
                v = -v;
            }
            goto decimal;
        case 'u':
            v = va_arg(ap, uint32_t);
decimal:
            do {
                tmp[n++] = '0' + v % 10;
                v /= 10;
            } while (v);
            if (neg)
                tmp[n++] = '-';
            goto emit;
        case 'p':
            put(&s, '0');
            put(&s, 'x');
            pad = '0';
            width = 8;
            /* fall through */
        case 'x':
            v = va_arg(ap, uint32_t);
            do {
                tmp[n++] = "0123456789abcdef"[v & 15];
                v >>= 4;
            } while (v);
emit:
            while (width-- > n)
                put(&s, pad);
            while (n > 0)
                put(&s, tmp[--n]);
            break;
        case 's':
            str = va_arg(ap, const char *);
            if (!str)
                str = "(null)";
            for (n = 0; str[n]; n++)
                ;
            while (width-- > n)
                put(&s, ' ');
            while (*str)
                put(&s, *str++);
            break;
        case 'c':
            put(&s, (char)va_arg(ap, int));
            break;
        case '%':
            put(&s, '%');
            break;
        case 0:
            fmt--;
            break;
        default:
            put(&s, '%');
            put(&s, *fmt);
        }
    }
    if (s.size > 0)
        s.buf[s.len < s.size ? s.len : s.size - 1] = 0;
    return s.len;
}

int ksnprintf(char *buf, int size, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = kvsnprintf(buf, size, fmt, ap);
    va_end(ap);
    return n;
}

void kprintf(const char *fmt, ...)
{
    char buf[256];
    va_list ap;
    va_start(ap, fmt);
    int n = kvsnprintf(buf, sizeof(buf), fmt, ap);
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
