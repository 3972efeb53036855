/* The gdb remote protocol's framing (see packet.h). */
#include "gdb/packet.h"

#include <string.h>

enum { OUTSIDE, IN_DATA, IN_ESCAPE, CHECK1, CHECK2 };

void gdb_reader_init(struct gdb_reader *r)
{
    memset(r, 0, sizeof *r);
    r->state = OUTSIDE;
}

static int hexval(uint8_t c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

static void keep(struct gdb_reader *r, uint8_t byte)
{
    r->sum = (uint8_t)(r->sum + byte);
    if (r->len < GDB_PACKET_MAX)
        r->data[r->len++] = (char)byte;
    else
        r->overflow = true;
}

enum gdb_in gdb_read_byte(struct gdb_reader *r, uint8_t byte)
{
    switch (r->state) {
    case OUTSIDE:
        if (byte == '$') {
            r->state = IN_DATA;
            r->len = 0;
            r->sum = 0;
            r->overflow = false;
            return GDB_IN_MORE;
        }
        if (byte == 0x03)
            return GDB_IN_INTERRUPT;
        if (byte == '+')
            return GDB_IN_ACK;
        if (byte == '-')
            return GDB_IN_NAK;
        return GDB_IN_JUNK;
    case IN_DATA:
        if (byte == '#') {
            r->state = CHECK1;
            return GDB_IN_MORE;
        }
        if (byte == '$') {
            /* A packet that never ended: start again with this one. */
            r->len = 0;
            r->sum = 0;
            r->overflow = false;
            return GDB_IN_MORE;
        }
        /* The escape byte and the one after it are summed as sent; the
         * data keeps them as sent too (gdb_unescape decodes). */
        if (byte == '}')
            r->state = IN_ESCAPE;
        keep(r, byte);
        return GDB_IN_MORE;
    case IN_ESCAPE:
        r->state = IN_DATA;
        keep(r, byte);
        return GDB_IN_MORE;
    case CHECK1: {
        int v = hexval(byte);
        r->given = (uint8_t)((v < 0 ? 0 : v) << 4);
        r->state = v < 0 ? OUTSIDE : CHECK2;
        if (v < 0)
            return GDB_IN_BAD_CHECKSUM;
        return GDB_IN_MORE;
    }
    case CHECK2: {
        int v = hexval(byte);
        r->state = OUTSIDE;
        r->data[r->len] = '\0';
        if (v < 0 || (uint8_t)(r->given | v) != r->sum)
            return GDB_IN_BAD_CHECKSUM;
        return r->overflow ? GDB_IN_TOO_LONG : GDB_IN_PACKET;
    }
    }
    r->state = OUTSIDE;
    return GDB_IN_JUNK;
}

size_t gdb_frame(const char *data, size_t len, char *out, size_t cap)
{
    static const char digits[] = "0123456789abcdef";
    size_t n = 0;
    uint8_t sum = 0;
    if (cap < 4)
        return 0;
    out[n++] = '$';
    for (size_t i = 0; i < len; i++) {
        uint8_t c = (uint8_t)data[i];
        bool esc = c == '$' || c == '#' || c == '}' || c == '*';
        if (n + (esc ? 2 : 1) + 3 > cap)
            return 0;
        if (esc) {
            out[n++] = '}';
            sum = (uint8_t)(sum + '}');
            c ^= 0x20;
        }
        out[n++] = (char)c;
        sum = (uint8_t)(sum + c);
    }
    out[n++] = '#';
    out[n++] = digits[sum >> 4];
    out[n++] = digits[sum & 15];
    return n;
}

void gdb_hex_encode(const void *data, size_t len, char *out)
{
    static const char digits[] = "0123456789abcdef";
    const uint8_t *p = data;
    for (size_t i = 0; i < len; i++) {
        out[2 * i] = digits[p[i] >> 4];
        out[2 * i + 1] = digits[p[i] & 15];
    }
    out[2 * len] = '\0';
}

bool gdb_hex_decode(const char *hex, size_t len, void *out)
{
    uint8_t *p = out;
    for (size_t i = 0; i < len; i++) {
        int hi = hexval((uint8_t)hex[2 * i]), lo = hi < 0 ? -1 : hexval((uint8_t)hex[2 * i + 1]);
        if (hi < 0 || lo < 0)
            return false;
        p[i] = (uint8_t)(hi << 4 | lo);
    }
    return true;
}

size_t gdb_unescape(char *data, size_t len)
{
    size_t o = 0;
    for (size_t i = 0; i < len; i++) {
        if (data[i] == '}' && i + 1 < len)
            data[o++] = (char)(data[++i] ^ 0x20);
        else
            data[o++] = data[i];
    }
    return o;
}

bool gdb_parse_hex(const char *s, char stop, uint64_t *value, const char **end)
{
    uint64_t v = 0;
    const char *p = s;
    for (; *p && *p != stop; p++) {
        int d = hexval((uint8_t)*p);
        if (d < 0 || v >> 60)
            return false;
        v = v << 4 | (uint64_t)d;
    }
    if (p == s)
        return false;
    *value = v;
    if (end)
        *end = p;
    return true;
}
