/* Recognising disk images by their boot sector (see boot_sector.h). */
#include "loader/boot_sector.h"

#include "loader/elf32.h"
#include "util/text.h"

bool boot_sector_is_disk_image(const uint8_t *image, size_t size)
{
    if (image == NULL || size < BOOT_SECTOR_SIZE || elf32_is_elf(image, size))
        return false;
    return image[BOOT_SIGNATURE_OFFSET] == 0x55 && image[BOOT_SIGNATURE_OFFSET + 1] == 0xAA;
}

void boot_sector_explain(const char *name, char *err, size_t errlen)
{
    const char *n = name ? name : "(image)";
    text_file_error(err, errlen, n,
                    "this is a disk image (boot sector signature 0x55AA at offset 510), not a "
                    "kernel; boot it as a disk with -drive file=%s,format=raw,index=0,media=disk "
                    "(or -hda %s)",
                    n, n);
}
