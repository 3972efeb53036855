/* Fuzz harness: the flat-binary path, as the short form `ringlab IMAGE`
 * takes it (src/main.c, place_image): a Multiboot image is loaded as one;
 * anything without a Multiboot header goes to flat_load, unless it came
 * with -kernel, which, as QEMU's, takes Multiboot only.  The input:
 *
 *   byte 0     bits 0-1: RAM size (2, 3, 4 MiB, or 2 MiB + 4 KiB)
 *              bits 2-3: --load-addr: none (0x100000), bytes 1-4 as a
 *                        little-endian address, 0, or 16 bytes below the top
 *              bit 4: the image was given with -kernel
 *   bytes 1-4  the load address (always skipped, used when bits 2-3 say so)
 *   the rest   the image
 *
 * Checked: a flat binary lands byte for byte at its load address with
 * EIP there and EAX = EBX = 0, and nothing else in RAM changes; a refused
 * image leaves RAM as it was and says why in one line; an empty image and
 * one that does not fit are refused. */
#include <string.h>

#include "fuzz.h"
#include "loader/multiboot.h"

#define RAM_MAX (4u << 20)
#define RAM_FILL 0x5A

static uint8_t ram[RAM_MAX];
static uint8_t fill[RAM_MAX];
static int ready;

static const size_t ram_sizes[4] = {2u << 20, 3u << 20, 4u << 20, (2u << 20) + 4096};

static int untouched(size_t lo, size_t hi)
{
    return lo >= hi || memcmp(ram + lo, fill, hi - lo) == 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!ready) {
        memset(fill, RAM_FILL, sizeof fill);
        memcpy(ram, fill, sizeof ram);
        ready = 1;
    }
    if (size < 5)
        return 0;
    uint8_t cfg = data[0];
    size_t ram_size = ram_sizes[cfg & 3];
    uint32_t given = (uint32_t)data[1] | (uint32_t)data[2] << 8 | (uint32_t)data[3] << 16 |
                     (uint32_t)data[4] << 24;
    uint32_t load_addr;
    switch ((cfg >> 2) & 3) {
    case 0: load_addr = FLAT_DEFAULT_LOAD_ADDR; break;
    case 1: load_addr = given; break;
    case 2: load_addr = 0; break;
    default: load_addr = (uint32_t)ram_size - 16; break;
    }
    bool is_kernel = (cfg & 16) != 0;
    size_t isize = size - 5;
    uint8_t *image = fuzz_copy(data + 5, isize);

    char err[512] = "";
    struct boot_info bi;
    memset(&bi, 0, sizeof bi);
    enum load_status s = multiboot_load(image, isize, "image.bin", NULL, NULL, 0, ram, ram_size,
                                        &bi, err, sizeof err);
    bool flat = false;
    if (s == LOAD_NOT_MULTIBOOT && !is_kernel) {
        FUZZ_CHECK(untouched(0, RAM_MAX));
        err[0] = '\0';
        s = flat_load(image, isize, "image.bin", load_addr, ram, ram_size, &bi, err, sizeof err);
        flat = true;
    }
    if (s != LOAD_OK) {
        FUZZ_CHECK(err[0] != '\0' && fuzz_one_line(err));
        FUZZ_CHECK(strncmp(err, "image.bin: ", 11) == 0);
        FUZZ_CHECK(untouched(0, RAM_MAX));
        if (flat && isize == 0)
            FUZZ_CHECK(s == LOAD_BAD_IMAGE);
        else if (flat && (uint64_t)load_addr + isize > ram_size)
            FUZZ_CHECK(s == LOAD_TOO_BIG || s == LOAD_BAD_ARGUMENT);
    } else if (flat) {
        FUZZ_CHECK(isize > 0 && (uint64_t)load_addr + isize <= ram_size);
        FUZZ_CHECK(bi.entry == load_addr && bi.eax == 0 && bi.ebx == 0);
        FUZZ_CHECK(bi.kernel_start == load_addr && bi.kernel_end == load_addr + isize);
        FUZZ_CHECK(memcmp(ram + load_addr, image, isize) == 0);
        FUZZ_CHECK(untouched(0, load_addr) && untouched(load_addr + isize, RAM_MAX));
        memcpy(ram + load_addr, fill, isize);
    } else {
        /* A Multiboot image: the multiboot harness checks it in depth; here
         * only that it wrote nothing but its run and the information area
         * (which may lie above a kernel loaded low), then clean up. */
        FUZZ_CHECK(bi.kernel_start <= bi.entry && bi.entry < bi.kernel_end);
        FUZZ_CHECK(bi.image_end <= ram_size && (uint64_t)bi.ebx + MULTIBOOT_INFO_SIZE <= ram_size);
        struct fuzz_mb_written w = fuzz_mb_written(ram, bi.kernel_start, bi.image_end, bi.ebx);
        memcpy(ram + w.info_lo, fill, w.info_hi - w.info_lo);
        memcpy(ram + w.lo, fill, w.hi - w.lo);
        FUZZ_CHECK(untouched(0, RAM_MAX));
    }
    free(image);
    return 0;
}
