/* Disk images.  A PC BIOS boots a disk by loading its first sector to
 * 0000:7C00 when the sector ends in the signature 0x55 0xAA (bytes 510
 * and 511).  The loader recognises such an image given as a kernel so
 * that it can say how to boot it instead of reporting a broken kernel,
 * and the lone IMAGE argument that is one is taken as the first disk, as
 * QEMU takes it. */
#ifndef RINGLAB_BOOT_SECTOR_H
#define RINGLAB_BOOT_SECTOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define BOOT_SECTOR_SIZE 512
#define BOOT_SIGNATURE_OFFSET 510

/* True when the image is not an ELF file and its first sector ends in the
 * boot signature: a disk (or floppy) image, not a kernel. */
bool boot_sector_is_disk_image(const uint8_t *image, size_t size);

/* One line for err: NAME is a disk image, not a kernel, and the options
 * that boot it. */
void boot_sector_explain(const char *name, char *err, size_t errlen);

#endif
