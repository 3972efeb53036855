/* The helpers every fuzz harness uses (see fuzz.h). */
#include "fuzz.h"

#include <string.h>

_Noreturn void fuzz_fail(const char *file, int line, const char *what)
{
    fprintf(stderr, "%s:%d: broken promise: %s\n", file, line, what);
    fflush(stderr);
    abort();
}

size_t fuzz_split(const uint8_t *data, size_t size, struct fuzz_part *parts, size_t max)
{
    size_t n = 0, start = 0, i = 0;
    while (n + 1 < max && i + FUZZ_PART_SEP_LEN <= size) {
        if (memcmp(data + i, FUZZ_PART_SEP, FUZZ_PART_SEP_LEN) == 0) {
            parts[n++] = (struct fuzz_part){data + start, i - start};
            i += FUZZ_PART_SEP_LEN;
            start = i;
        } else {
            i++;
        }
    }
    parts[n++] = (struct fuzz_part){data + start, size - start};
    return n;
}

char *fuzz_strdup(const struct fuzz_part *p)
{
    const uint8_t *nul = memchr(p->data, 0, p->size);
    size_t len = nul ? (size_t)(nul - p->data) : p->size;
    char *s = malloc(len + 1);
    if (s == NULL)
        abort();
    memcpy(s, p->data, len);
    s[len] = '\0';
    return s;
}

uint8_t *fuzz_copy(const uint8_t *data, size_t size)
{
    uint8_t *c = malloc(size ? size : 1);
    if (c == NULL)
        abort();
    if (size)
        memcpy(c, data, size);
    return c;
}

int fuzz_one_line(const char *text)
{
    return strpbrk(text, "\n\r") == NULL;
}

static uint32_t le32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

struct fuzz_mb_written fuzz_mb_written(const uint8_t *ram, uint32_t kernel_start,
                                       uint32_t image_end, uint32_t ebx)
{
    /* Multiboot 3.3: mods_addr at offset 24, mmap_addr at 48; the
     * structure is 88 bytes (multiboot.h's MULTIBOOT_INFO_SIZE). */
    uint32_t list = le32(ram + ebx + 24), mmap = le32(ram + ebx + 48);
    struct fuzz_mb_written w = {list < kernel_start ? list : kernel_start, image_end, mmap,
                                (size_t)ebx + 88};
    return w;
}
