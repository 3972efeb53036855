/* Where a Multiboot boot loader puts its own data in guest RAM, around a
 * kernel already placed: the module list, the command lines and the boot
 * loader's name, the modules, and the memory map with the information
 * structure.
 *
 * QEMU 7.2's places are kept whenever they are free (measured with a probe
 * kernel that printed EBX and every address it was given):
 *   - the module list at the kernel's first byte plus its size (bss
 *     included) rounded up to a page, then the modules' command lines, the
 *     kernel's, the loader's name; each module at the next page boundary;
 *   - the memory map at 0x9000, the information structure at 0x9500.
 * QEMU writes these whether or not the kernel is there: its boot ROM builds
 * the map and the structure first and then copies the kernel over them, so
 * a kernel that covers 0x9000-0x9557 finds EBX pointing into its own bytes.
 * The Multiboot Specification (0.6.96, 3.3) lets the loader put the
 * structure anywhere except over the kernel and the modules, and ringlab
 * does so:
 *   - the memory map and the structure move, when the kernel's segments
 *     (or the a.out kludge's range, bss included), the module list or a
 *     module cover 0x9000-0x9557, to just after the loader's name;
 *   - the list, the strings (the structure with them) and the modules move
 *     together, when QEMU's place runs past RAM, into the video memory and
 *     ROM area or over the kernel, to the first free place: after the end of
 *     the kernel's pieces, of the video area or of 0x9557, page-aligned,
 *     at or above QEMU's place first, then below it;
 *   - a load is refused only when no such place is free. */
#ifndef RINGLAB_MB_PLACE_H
#define RINGLAB_MB_PLACE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "loader/multiboot.h"

struct mb_range {
    uint64_t start, end; /* [start, end) */
};

struct mb_place_request {
    const struct mb_range *kernel; /* what the kernel covers, sorted by address */
    size_t nkernel;
    uint64_t qemu_start;           /* QEMU's place for the module list */
    uint64_t ram_size;
    const struct mb_module *mods;
    size_t nmods;
    uint64_t strings_size; /* the command lines and the loader's name, NULs included */
    uint64_t info_size;    /* the memory map and the information structure */
    const char *name;      /* the image, for messages */
};

struct mb_place {
    uint64_t list;      /* the module list; the strings follow it */
    bool info_moved;    /* the map and structure follow the strings */
    uint64_t info_area; /* the memory map; the structure after it */
    uint64_t *mod;      /* each module's address: the caller's array of nmods */
    uint64_t end;       /* one past the last page of list, strings and modules */
};

/* Fills *out (out->mod must hold req->nmods entries).  Returns LOAD_OK, or
 * LOAD_TOO_BIG / LOAD_OVERLAP with one line in err naming what does not fit
 * at QEMU's place, when no other place is free either. */
enum load_status mb_place_boot_data(const struct mb_place_request *req, struct mb_place *out,
                                    char *err, size_t errlen);

#endif
