/* The --trace log: struct trace_event as JSON lines (see jsonl.h).  The
 * explanation is escaped per RFC 8259 section 7; bytes that are not valid
 * UTF-8 become U+FFFD so that every line stays valid JSON. */
#include "trace/jsonl.h"

#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <string.h>

/* A bounded string builder: counts what it would need, like snprintf. */
struct buf {
    char *p;
    size_t size, len;
};

static void put_raw(struct buf *b, const char *s, size_t n)
{
    if (b->len < b->size) {
        size_t room = b->size - b->len;
        memcpy(b->p + b->len, s, n < room ? n : room);
    }
    b->len += n;
}

static void put(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void put(struct buf *b, const char *fmt, ...)
{
    char tmp[256];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    if (n > 0)
        put_raw(b, tmp, (size_t)n < sizeof tmp ? (size_t)n : sizeof tmp - 1);
}

/* Length of the valid UTF-8 sequence at s (1..4), or 0 if it is not one:
 * no overlong forms, no surrogates, nothing above U+10FFFF (RFC 3629). */
static size_t utf8_len(const unsigned char *s, size_t n)
{
    unsigned char c = s[0];
    size_t len;
    uint32_t cp, min;
    if (c < 0x80)
        return 1;
    if (c >= 0xc2 && c <= 0xdf)
        len = 2, cp = c & 0x1f, min = 0x80;
    else if (c >= 0xe0 && c <= 0xef)
        len = 3, cp = c & 0x0f, min = 0x800;
    else if (c >= 0xf0 && c <= 0xf4)
        len = 4, cp = c & 0x07, min = 0x10000;
    else
        return 0;
    if (len > n)
        return 0;
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xc0) != 0x80)
            return 0;
        cp = (cp << 6) | (s[i] & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
        return 0;
    return len;
}

static void put_string(struct buf *b, const char *s, size_t n)
{
    const unsigned char *u = (const unsigned char *)s;
    put_raw(b, "\"", 1);
    for (size_t i = 0; i < n;) {
        unsigned char c = u[i];
        switch (c) {
        case '"':
            put_raw(b, "\\\"", 2);
            break;
        case '\\':
            put_raw(b, "\\\\", 2);
            break;
        case '\b':
            put_raw(b, "\\b", 2);
            break;
        case '\f':
            put_raw(b, "\\f", 2);
            break;
        case '\n':
            put_raw(b, "\\n", 2);
            break;
        case '\r':
            put_raw(b, "\\r", 2);
            break;
        case '\t':
            put_raw(b, "\\t", 2);
            break;
        default:
            if (c < 0x20 || c == 0x7f) {
                put(b, "\\u%04x", (unsigned)c);
            } else if (c < 0x80) {
                put_raw(b, (const char *)&u[i], 1);
            } else {
                size_t len = utf8_len(&u[i], n - i);
                if (len == 0) {
                    put_raw(b, "\\ufffd", 6);
                    len = 1;
                } else {
                    put_raw(b, (const char *)&u[i], len);
                }
                i += len;
                continue;
            }
        }
        i++;
    }
    put_raw(b, "\"", 1);
}

static void put_point(struct buf *b, const char *name, const struct trace_point *p)
{
    put(b, "\"%s\":{\"cpl\":%u,\"cs\":%u,\"eip\":%lu,\"ss\":%u,\"esp\":%lu,\"eflags\":%lu}",
        name, (unsigned)p->cpl, (unsigned)p->cs, (unsigned long)p->eip, (unsigned)p->ss,
        (unsigned long)p->esp, (unsigned long)p->eflags);
}

size_t jsonl_format(const struct trace_event *ev, char *out, size_t size)
{
    struct buf b = {out, size, 0};
    put(&b, "{\"seq\":%llu,\"icount\":%llu,\"cpu\":%d,\"kind\":\"%s\",",
        (unsigned long long)ev->seq, (unsigned long long)ev->icount, ev->cpu,
        trace_kind_name(ev->kind));
    if (ev->vector >= 0)
        put(&b, "\"vector\":%d,", ev->vector);
    else
        put(&b, "\"vector\":null,");
    const char *mn = trace_vector_mnemonic(ev->vector);
    if (mn) {
        put(&b, "\"mnemonic\":");
        put_string(&b, mn, strlen(mn));
        put(&b, ",");
    } else {
        put(&b, "\"mnemonic\":null,");
    }
    if (ev->has_error_code)
        put(&b, "\"error_code\":%lu,", (unsigned long)ev->error_code);
    else
        put(&b, "\"error_code\":null,");
    put(&b, "\"delivered\":%s,\"real_mode\":%s,", ev->delivered ? "true" : "false",
        ev->real_mode ? "true" : "false");
    put_point(&b, "before", &ev->before);
    put(&b, ",");
    put_point(&b, "after", &ev->after);
    put(&b, ",\"pc\":%lu,\"cr2\":%lu,\"cr3\":%lu,\"eax\":%lu,", (unsigned long)ev->pc,
        (unsigned long)ev->cr2, (unsigned long)ev->cr3, (unsigned long)ev->eax);
    put(&b, "\"gate\":\"%s\",\"gate_lo\":%lu,\"gate_hi\":%lu,", trace_gate_name(ev->gate),
        (unsigned long)ev->gate_lo, (unsigned long)ev->gate_hi);
    put(&b, "\"stack_switched\":%s,\"tss_selector\":%u,\"explain\":",
        ev->stack_switched ? "true" : "false", (unsigned)ev->tss_selector);
    put_string(&b, ev->explain, strnlen(ev->explain, sizeof ev->explain));
    put_raw(&b, "}", 1);
    if (size > 0)
        out[b.len < size ? b.len : size - 1] = '\0';
    return b.len;
}

bool jsonl_open(struct jsonl *j, const char *path, char *err, size_t errlen)
{
    memset(j, 0, sizeof *j);
    snprintf(j->path, sizeof j->path, "%s", path);
    j->f = fopen(path, "w");
    if (!j->f) {
        snprintf(err, errlen, "--trace: %s: %s", path, strerror(errno));
        return false;
    }
    return true;
}

void jsonl_event(void *opaque, const struct trace_event *ev)
{
    struct jsonl *j = opaque;
    /* The longest line: every byte of explain escaped as \u00XX. */
    char line[1024 + 6 * sizeof ev->explain];
    if (!j->f)
        return;
    size_t n = jsonl_format(ev, line, sizeof line - 1);
    if (n >= sizeof line - 1)
        n = sizeof line - 2; /* cannot happen: the bound above is generous */
    line[n++] = '\n';
    errno = 0;
    if (fwrite(line, 1, n, j->f) != n && j->error == 0)
        j->error = errno ? errno : EIO;
}

bool jsonl_close(struct jsonl *j)
{
    if (j->f) {
        if (fflush(j->f) != 0 && j->error == 0)
            j->error = errno ? errno : EIO;
        if (ferror(j->f) && j->error == 0)
            j->error = EIO;
        if (fclose(j->f) != 0 && j->error == 0)
            j->error = errno ? errno : EIO;
        j->f = NULL;
    }
    if (j->error) {
        snprintf(j->msg, sizeof j->msg, "--trace: %s: %s", j->path, strerror(j->error));
        return false;
    }
    return true;
}

const char *jsonl_error(const struct jsonl *j)
{
    return j->error ? j->msg : NULL;
}
