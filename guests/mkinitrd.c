/* mkinitrd.c — a host tool: pack files into the initrd archive the
 * bundled kernel reads (format in guests/kernel/initrd.h).
 *
 *   mkinitrd OUT FILE...     each FILE is stored under its base name
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdint.h>

#define INITRD_NAMELEN 24
#define ALIGN          16

static void put32(unsigned char *p, uint32_t v)
{
    p[0] = v;
    p[1] = v >> 8;
    p[2] = v >> 16;
    p[3] = v >> 24;
}

static unsigned char *slurp(const char *path, long *size)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    unsigned char *buf = NULL;
    if (fseek(f, 0, SEEK_END) == 0 && (*size = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0 &&
        (buf = malloc(*size ? *size : 1)) != NULL && fread(buf, 1, *size, f) != (size_t)*size) {
        free(buf);
        buf = NULL;
    }
    fclose(f);
    return buf;
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: mkinitrd OUT FILE...\n");
        return 2;
    }
    int count = argc - 2;
    long header = 8 + 32L * count;
    long offset = (header + ALIGN - 1) / ALIGN * ALIGN;
    unsigned char *head = calloc(1, offset);
    unsigned char **data = calloc(count, sizeof(*data));
    long *sizes = calloc(count, sizeof(*sizes));
    if (!head || !data || !sizes) {
        fprintf(stderr, "mkinitrd: out of memory\n");
        return 1;
    }
    memcpy(head, "RLRD", 4);
    put32(head + 4, count);
    for (int i = 0; i < count; i++) {
        const char *path = argv[i + 2];
        const char *base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
        if (strlen(base) >= INITRD_NAMELEN) {
            fprintf(stderr, "mkinitrd: %s: name longer than %d characters\n", base,
                    INITRD_NAMELEN - 1);
            return 1;
        }
        if (!(data[i] = slurp(path, &sizes[i]))) {
            fprintf(stderr, "mkinitrd: cannot read %s\n", path);
            return 1;
        }
        unsigned char *e = head + 8 + 32 * i;
        memcpy(e, base, strlen(base));
        put32(e + 24, offset);
        put32(e + 28, sizes[i]);
        offset = (offset + sizes[i] + ALIGN - 1) / ALIGN * ALIGN;
    }
    FILE *out = fopen(argv[1], "wb");
    if (!out) {
        fprintf(stderr, "mkinitrd: cannot create %s\n", argv[1]);
        return 1;
    }
    long pos = (header + ALIGN - 1) / ALIGN * ALIGN;
    int ok = fwrite(head, 1, pos, out) == (size_t)pos;
    static const unsigned char zeros[ALIGN];
    for (int i = 0; i < count && ok; i++) {
        long padded = (sizes[i] + ALIGN - 1) / ALIGN * ALIGN;
        ok = fwrite(data[i], 1, sizes[i], out) == (size_t)sizes[i] &&
             fwrite(zeros, 1, padded - sizes[i], out) == (size_t)(padded - sizes[i]);
    }
    if (fclose(out) != 0 || !ok) {
        fprintf(stderr, "mkinitrd: error writing %s\n", argv[1]);
        remove(argv[1]);
        return 1;
    }
    return 0;
}
