/* The gdb remote protocol's framing (GDB manual, Appendix E "Overview"):
 * a packet is `$data#cs`, cs the modulo-256 sum of data in two hex digits;
 * the receiver answers `+` or `-` until no-ack mode; a lone 0x03 byte
 * outside a packet asks the target to stop.  In binary data `}` escapes
 * the next byte (XORed with 0x20), so `$`, `#`, `}` and `*` never appear
 * as themselves.  Pure functions over buffers: the stub owns the socket. */
#ifndef RINGLAB_GDB_PACKET_H
#define RINGLAB_GDB_PACKET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The longest packet the stub takes (it says PacketSize=4000 in hex). */
#define GDB_PACKET_MAX 0x4000

enum gdb_in {
    GDB_IN_MORE,         /* nothing complete yet */
    GDB_IN_PACKET,       /* a packet with a good checksum: reader.data, reader.len */
    GDB_IN_BAD_CHECKSUM, /* a packet whose checksum is wrong (answer '-') */
    GDB_IN_TOO_LONG,     /* a packet longer than GDB_PACKET_MAX (dropped) */
    GDB_IN_INTERRUPT,    /* 0x03 outside a packet */
    GDB_IN_ACK,          /* '+' */
    GDB_IN_NAK,          /* '-': send the last packet again */
    GDB_IN_JUNK,         /* any other byte outside a packet */
};

struct gdb_reader {
    int state;
    char data[GDB_PACKET_MAX + 1]; /* NUL-terminated (binary data may hold NULs) */
    size_t len;
    uint8_t sum;
    uint8_t given; /* the checksum the packet carried */
    bool overflow;
};

void gdb_reader_init(struct gdb_reader *r);
/* Feed one byte; say what it completed. */
enum gdb_in gdb_read_byte(struct gdb_reader *r, uint8_t byte);

/* Frame `len` bytes of data as `$data#cs` into out (escaping what must
 * be).  Returns the framed length, 0 when out is too small. */
size_t gdb_frame(const char *data, size_t len, char *out, size_t cap);

/* Hex: two lower-case digits a byte. */
void gdb_hex_encode(const void *data, size_t len, char *out);
/* Decode 2*len hex digits; false on anything else. */
bool gdb_hex_decode(const char *hex, size_t len, void *out);
/* Undo the `}` escapes of binary data in place; returns the new length. */
size_t gdb_unescape(char *data, size_t len);
/* A hex number, all of s up to `stop` (or the end): false when empty or not hex. */
bool gdb_parse_hex(const char *s, char stop, uint64_t *value, const char **end);

#endif
