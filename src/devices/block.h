/* A block device as a disk controller sees it: a number of 512-byte
 * sectors and two callbacks that move one sector.  The IDE controller
 * talks to this and nothing else, so it never touches a file; a disk image
 * (disk_image.c) or a test's buffer stands behind it. */
#ifndef RINGLAB_BLOCK_H
#define RINGLAB_BLOCK_H

#include <stdbool.h>
#include <stdint.h>

#define BLOCK_SECTOR_SIZE 512

struct block_dev {
    uint64_t sectors; /* sectors 0 .. sectors-1 exist */
    /* Each moves sector `lba` (< sectors); false: the medium failed. */
    bool (*read)(void *opaque, uint64_t lba, uint8_t *buf);
    bool (*write)(void *opaque, uint64_t lba, const uint8_t *buf);
    void *opaque;
};

#endif
