/* The bundled kernel's system call table and the calls written out (see
 * syscalls.h).  The numbers are guests/kernel/syscall.h's; the argument
 * kinds follow guests/kernel/syscall.c. */
#include "debug/syscalls.h"

#include <stdio.h>
#include <string.h>

#include "cpu/cpu_state.h"

/* Argument kinds, one letter each:
 *   d  a signed number          p  a pointer (the kernel writes there)
 *   s  a NUL-terminated string  b  a buffer whose length is the next argument
 *   v  a NULL-terminated array of string pointers (exec's argv) */
static const struct {
    const char *name;
    const char *args;
} calls[] = {
    [1] = {"exit", "d"},    [2] = {"write", "dbd"}, [3] = {"read", "dpd"},
    [4] = {"getpid", ""},   [5] = {"fork", ""},     [6] = {"exec", "sv"},
    [7] = {"wait", "p"},    [8] = {"sbrk", "d"},    [9] = {"sleep", "d"},
    [10] = {"uptime", ""},  [11] = {"yield", ""},   [12] = {"kill", "d"},
    [13] = {"pipe", "p"},   [14] = {"close", "d"},  [15] = {"dirent", "dp"},
};
#define NCALLS (sizeof calls / sizeof calls[0])

/* How much of a string or buffer is shown before "...". */
#define SHOW_CHARS 24
#define SHOW_ARGV 4

const char *syscalls_name(uint32_t number)
{
    return number < NCALLS ? calls[number].name : NULL;
}

bool syscalls_is_entry(const struct trace_event *ev)
{
    if (ev->before.cpl != 3)
        return false;
    if (ev->kind == TRACE_SYSENTER)
        return true;
    return ev->kind == TRACE_SOFTWARE_INT && ev->vector == SYSCALLS_VECTOR && ev->delivered;
}

/* Bytes as a C string literal; `len` of them, or up to a NUL when
 * nul_ends.  Unreadable memory shows as the address. */
static void quote(const struct trace_event *ev, syscalls_read_fn read, void *opaque,
                  uint32_t addr, uint32_t len, bool nul_ends, struct strbuf *out)
{
    uint8_t buf[SHOW_CHARS];
    uint32_t want = len < SHOW_CHARS ? len : SHOW_CHARS;
    uint32_t got = 0;
    bool ended = false; /* the NUL was seen */
    /* Byte by byte, so a string that ends just before an unmapped page reads. */
    while (got < want && read(opaque, ev->cr3, addr + got, &buf[got], 1)) {
        if (nul_ends && buf[got] == 0) {
            ended = true;
            break;
        }
        got++;
    }
    if (got == 0 && !ended && want > 0) {
        strbuf_add(out, "0x%08x (not mapped)", addr);
        return;
    }
    strbuf_add(out, "\"");
    for (uint32_t i = 0; i < got; i++) {
        uint8_t c = buf[i];
        if (c == '\n')
            strbuf_add(out, "\\n");
        else if (c == '\r')
            strbuf_add(out, "\\r");
        else if (c == '\t')
            strbuf_add(out, "\\t");
        else if (c == '"' || c == '\\')
            strbuf_add(out, "\\%c", c);
        else if (c < 0x20 || c >= 0x7f)
            strbuf_add(out, "\\x%02x", c);
        else
            strbuf_add(out, "%c", c);
    }
    bool more = nul_ends ? !ended : got < len;
    strbuf_add(out, "\"%s", more ? "..." : "");
}

static void show_argv(const struct trace_event *ev, syscalls_read_fn read, void *opaque,
                      uint32_t addr, struct strbuf *out)
{
    strbuf_add(out, "[");
    for (int i = 0;; i++) {
        uint32_t p;
        if (!read(opaque, ev->cr3, addr + 4u * (uint32_t)i, &p, 4)) {
            strbuf_add(out, "%s0x%08x (not mapped)", i ? ", " : "", addr + 4u * (uint32_t)i);
            break;
        }
        if (p == 0)
            break;
        if (i == SHOW_ARGV) {
            strbuf_add(out, ", ...");
            break;
        }
        if (i)
            strbuf_add(out, ", ");
        quote(ev, read, opaque, p, SHOW_CHARS, true, out);
    }
    strbuf_add(out, "]");
}

void syscalls_describe(const struct trace_event *ev, syscalls_read_fn read, void *opaque,
                       struct strbuf *out)
{
    uint32_t number = ev->gpr[GPR_EAX];
    const uint32_t args[3] = {ev->gpr[GPR_EBX], ev->gpr[GPR_ESI], ev->gpr[GPR_EDI]};
    const char *name = syscalls_name(number);
    if (!name) {
        strbuf_add(out, "syscall %u(0x%x, 0x%x, 0x%x)", number, args[0], args[1], args[2]);
        return;
    }
    const char *kinds = calls[number].args;
    strbuf_add(out, "%s(", name);
    for (int i = 0; kinds[i]; i++) {
        if (i)
            strbuf_add(out, ", ");
        switch (kinds[i]) {
        case 'd':
            strbuf_add(out, "%d", (int32_t)args[i]);
            break;
        case 'p':
            strbuf_add(out, "0x%08x", args[i]);
            break;
        case 's':
            quote(ev, read, opaque, args[i], SHOW_CHARS, true, out);
            break;
        case 'b':
            /* A negative length is refused by the kernel: show the pointer. */
            if ((int32_t)args[i + 1] < 0)
                strbuf_add(out, "0x%08x", args[i]);
            else
                quote(ev, read, opaque, args[i], args[i + 1], false, out);
            break;
        case 'v':
            show_argv(ev, read, opaque, args[i], out);
            break;
        }
    }
    strbuf_add(out, ")");
}
