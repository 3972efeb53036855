/* Raw disk images (see disk_image.h).  Sectors are read and written with
 * pread/pwrite at lba * 512, one sector per call; the snapshot overlay is a
 * small hash table from sector number to a 512-byte copy. */
#include "devices/disk_image.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/text.h"

static void host_error(struct disk_image *d, const char *what, uint64_t lba, int e)
{
    if (d->error[0] == '\0')
        snprintf(d->error, sizeof d->error, "%s sector %llu of the disk image failed: %s", what,
                 (unsigned long long)lba, strerror(e));
}

/* One line for an image the guest could not write to. */
static void read_only_error(char *err, size_t errlen, const char *path)
{
    text_file_error(err, errlen, path,
                    "the disk image is read-only (snapshot=on keeps the guest's writes in memory)");
}

bool disk_image_open(struct disk_image *d, const char *path, bool snapshot, char *err,
                     size_t errlen)
{
    memset(d, 0, sizeof *d);
    d->fd = -1;
    d->snapshot = snapshot;
    int fd = open(path, O_RDONLY);
    if (fd < 0) {
        text_file_error(err, errlen, path, "cannot open the disk image: %s", strerror(errno));
        return false;
    }
    struct stat sb;
    if (fstat(fd, &sb) != 0 || !(S_ISREG(sb.st_mode) || S_ISBLK(sb.st_mode))) {
        text_file_error(err, errlen, path, "the disk image is not a regular file");
        close(fd);
        return false;
    }
    off_t size = lseek(fd, 0, SEEK_END);
    if (size < BLOCK_SECTOR_SIZE) {
        text_file_error(err, errlen, path,
                        "the disk image holds %lld bytes, less than one 512-byte sector",
                        (long long)(size < 0 ? 0 : size));
        close(fd);
        return false;
    }
    if (!snapshot) {
        /* A file nobody may write is read-only, to root as well. */
        if ((sb.st_mode & (S_IWUSR | S_IWGRP | S_IWOTH)) == 0) {
            read_only_error(err, errlen, path);
            close(fd);
            return false;
        }
        int rw = open(path, O_RDWR);
        if (rw < 0) {
            int e = errno;
            if (e == EACCES || e == EROFS || e == EPERM || e == ETXTBSY)
                read_only_error(err, errlen, path);
            else
                text_file_error(err, errlen, path, "cannot open the disk image for writing: %s",
                                strerror(e));
            close(fd);
            return false;
        }
        close(fd);
        fd = rw;
    }
    d->fd = fd;
    d->sectors = (uint64_t)size / BLOCK_SECTOR_SIZE;
    return true;
}

void disk_image_close(struct disk_image *d)
{
    if (d->fd >= 0)
        close(d->fd);
    d->fd = -1;
    for (size_t i = 0; i < d->slots; i++)
        free(d->data[i]);
    free(d->keys);
    free(d->data);
    d->keys = NULL;
    d->data = NULL;
    d->slots = d->used = 0;
}

/* ------------------------------------------------------- snapshot overlay */

static size_t slot_of(uint64_t lba, size_t slots)
{
    uint64_t h = lba * 0x9E3779B97F4A7C15ull; /* Fibonacci hashing */
    return (size_t)(h >> 32) & (slots - 1);
}

/* The overlay's copy of sector lba, or NULL. */
static uint8_t *overlay_find(const struct disk_image *d, uint64_t lba)
{
    if (d->slots == 0)
        return NULL;
    for (size_t i = slot_of(lba, d->slots);; i = (i + 1) & (d->slots - 1)) {
        if (d->data[i] == NULL)
            return NULL;
        if (d->keys[i] == lba)
            return d->data[i];
    }
}

static bool overlay_grow(struct disk_image *d)
{
    size_t slots = d->slots ? d->slots * 2 : 64;
    uint64_t *keys = calloc(slots, sizeof *keys);
    uint8_t **data = calloc(slots, sizeof *data);
    if (!keys || !data) {
        free(keys);
        free(data);
        return false;
    }
    for (size_t i = 0; i < d->slots; i++) {
        if (d->data[i] == NULL)
            continue;
        size_t j = slot_of(d->keys[i], slots);
        while (data[j])
            j = (j + 1) & (slots - 1);
        keys[j] = d->keys[i];
        data[j] = d->data[i];
    }
    free(d->keys);
    free(d->data);
    d->keys = keys;
    d->data = data;
    d->slots = slots;
    return true;
}

static uint8_t *overlay_insert(struct disk_image *d, uint64_t lba)
{
    uint8_t *p = overlay_find(d, lba);
    if (p)
        return p;
    if ((d->used + 1) * 2 > d->slots && !overlay_grow(d))
        return NULL;
    p = malloc(BLOCK_SECTOR_SIZE);
    if (!p)
        return NULL;
    size_t i = slot_of(lba, d->slots);
    while (d->data[i])
        i = (i + 1) & (d->slots - 1);
    d->keys[i] = lba;
    d->data[i] = p;
    d->used++;
    return p;
}

/* ----------------------------------------------------------- the sectors */

bool disk_image_read(struct disk_image *d, uint64_t lba, uint8_t *buf)
{
    if (lba >= d->sectors)
        return false;
    const uint8_t *copy = overlay_find(d, lba);
    if (copy) {
        memcpy(buf, copy, BLOCK_SECTOR_SIZE);
        return true;
    }
    size_t done = 0;
    while (done < BLOCK_SECTOR_SIZE) {
        ssize_t n = pread(d->fd, buf + done, BLOCK_SECTOR_SIZE - done,
                          (off_t)(lba * BLOCK_SECTOR_SIZE + done));
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            host_error(d, "reading", lba, n < 0 ? errno : EIO);
            return false;
        }
        done += (size_t)n;
    }
    return true;
}

bool disk_image_write(struct disk_image *d, uint64_t lba, const uint8_t *buf)
{
    if (lba >= d->sectors)
        return false;
    if (d->snapshot) {
        uint8_t *copy = overlay_insert(d, lba);
        if (!copy) {
            host_error(d, "keeping", lba, ENOMEM);
            return false;
        }
        memcpy(copy, buf, BLOCK_SECTOR_SIZE);
        return true;
    }
    size_t done = 0;
    while (done < BLOCK_SECTOR_SIZE) {
        ssize_t n = pwrite(d->fd, buf + done, BLOCK_SECTOR_SIZE - done,
                           (off_t)(lba * BLOCK_SECTOR_SIZE + done));
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            host_error(d, "writing", lba, n < 0 ? errno : EIO);
            return false;
        }
        done += (size_t)n;
    }
    return true;
}

static bool block_read(void *opaque, uint64_t lba, uint8_t *buf)
{
    return disk_image_read(opaque, lba, buf);
}

static bool block_write(void *opaque, uint64_t lba, const uint8_t *buf)
{
    return disk_image_write(opaque, lba, buf);
}

struct block_dev disk_image_block(struct disk_image *d)
{
    struct block_dev b = {d->sectors, block_read, block_write, d};
    return b;
}
