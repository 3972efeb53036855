/* Raw disk images behind the block interface (block.h): the file's bytes
 * are the disk's sectors, sector 0 first, as QEMU's format=raw.  Writes go
 * to the file, or with snapshot=on to an in-memory copy of the sectors
 * written, so the file is never changed (QEMU's -snapshot).  The only code
 * in the machine that does disk file I/O. */
#ifndef RINGLAB_DISK_IMAGE_H
#define RINGLAB_DISK_IMAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "devices/block.h"

struct disk_image {
    int fd;
    uint64_t sectors;
    bool snapshot;
    /* snapshot=on: the sectors written so far (open addressing on lba). */
    uint64_t *keys;
    uint8_t **data;
    size_t slots, used;
    /* The first host error of a read or write, for the machine to report
     * (the guest sees an aborted command); empty when none. */
    char error[200];
};

/* Opens the image at `path`.  false with one line in err, naming the file:
 * a file that is missing or unreadable, one that cannot be opened for
 * writing without snapshot (read-only file or file system), one that is
 * not a regular file or block device, or one smaller than a sector.  A
 * size that is not a multiple of 512 leaves the last partial sector out. */
bool disk_image_open(struct disk_image *d, const char *path, bool snapshot, char *err,
                     size_t errlen);
void disk_image_close(struct disk_image *d);

/* The block device reading and writing this image. */
struct block_dev disk_image_block(struct disk_image *d);

bool disk_image_read(struct disk_image *d, uint64_t lba, uint8_t *buf);
bool disk_image_write(struct disk_image *d, uint64_t lba, const uint8_t *buf);

#endif
