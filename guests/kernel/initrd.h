/* initrd.h — the initrd archive format, read by the kernel (initrd.c) and
 * written by the host tool guests/mkinitrd.c. All numbers little-endian.
 *
 *   offset 0   "RLRD"                magic
 *          4   uint32 count          number of files
 *          8   count entries of 32 bytes:
 *                char name[24]       NUL-padded file name
 *                uint32 offset       where the file's bytes start, from byte 0
 *                uint32 size         how many bytes it has
 *          ... the files' bytes, each starting on a 16-byte boundary
 */
#ifndef INITRD_H
#define INITRD_H

#define INITRD_MAGIC   "RLRD"
#define INITRD_NAMELEN 24

struct initrd_header {
    char magic[4];
    uint32_t count;
};

struct initrd_entry {
    char name[INITRD_NAMELEN];
    uint32_t offset;
    uint32_t size;
};

#endif
