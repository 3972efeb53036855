/* Fuzz harness: the Multiboot v1 loader (src/loader/multiboot.c) with
 * modules and command lines, as `-kernel K -initrd "M1 args,M2" -append A`
 * drives it.  The input:
 *
 *   byte 0     bits 0-1: RAM size (below the minimum, the minimum, 2 or 4 MiB)
 *              bit 2: an -append text is given (part 1), else NULL
 *              bit 3: modules have no command line of their own (NULL)
 *              bit 4: the image has no name (NULL)
 *   part 0     the kernel image (from byte 1 on)
 *   part 1     the -append text (up to its first NUL)
 *   part 2...  one module each: its command line, a NUL, its bytes
 *
 * parts separated by FUZZ_PART_SEP.  What multiboot.h promises is checked:
 * a refused image leaves RAM as it was and says why in one line; a loaded
 * one has every segment's bytes (and zeros for its bss), the modules and
 * the command lines where the information structure says, an entry point
 * inside the kernel, and nothing written outside the kernel's run, its
 * modules and the information area. */
#include <string.h>

#include "fuzz.h"
#include "loader/elf32.h"
#include "loader/multiboot.h"

#define RAM_MAX (4u << 20)
#define RAM_FILL 0xA5
#define MAX_MODULES 8
#define NAME "kernel.elf"

static uint8_t ram[RAM_MAX];
static uint8_t fill[RAM_MAX];
static int ready;

static const size_t ram_sizes[4] = {MULTIBOOT_RAM_MIN - 0x1000, MULTIBOOT_RAM_MIN, 2u << 20,
                                    4u << 20};

static uint32_t rd32(const uint8_t *p)
{
    return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) |
           ((uint32_t)p[3] << 24);
}

/* RAM in [lo, hi) still holds the fill pattern. */
static int untouched(size_t lo, size_t hi)
{
    return lo >= hi || memcmp(ram + lo, fill, hi - lo) == 0;
}

/* The ELF segments are where their program headers say, bss zeroed. */
static void check_elf_segments(const uint8_t *image, size_t size)
{
    struct elf32_file f;
    FUZZ_CHECK(elf32_open(&f, image, size, NAME, NULL, 0) == ELF32_OK);
    for (unsigned i = 0; i < f.ehdr.phnum; i++) {
        struct elf32_phdr ph;
        elf32_get_phdr(&f, i, &ph);
        if (ph.type != ELF32_PT_LOAD || ph.memsz == 0)
            continue;
        FUZZ_CHECK((uint64_t)ph.paddr + ph.memsz <= RAM_MAX);
        FUZZ_CHECK(memcmp(ram + ph.paddr, image + ph.offset, ph.filesz) == 0);
        for (uint32_t b = ph.filesz; b < ph.memsz; b++)
            FUZZ_CHECK(ram[ph.paddr + b] == 0);
    }
}

/* The a.out kludge: the file from header_addr - load_addr before the
 * header on, at load_addr; zeros up to bss_end_addr. */
static void check_aout(const uint8_t *image, size_t size, const struct boot_info *bi)
{
    const uint8_t *h = image + bi->header_offset;
    uint32_t header_addr = rd32(h + 12), load_addr = rd32(h + 16);
    uint32_t load_end = rd32(h + 20), bss_end = rd32(h + 24);
    size_t text = bi->header_offset - (header_addr - load_addr);
    size_t len = load_end ? load_end - load_addr : size - text;
    FUZZ_CHECK(bi->kernel_start == load_addr);
    FUZZ_CHECK(text + len <= size);
    FUZZ_CHECK(memcmp(ram + load_addr, image + text, len) == 0);
    if (bss_end)
        for (uint32_t a = load_addr + (uint32_t)len; a < bss_end; a++)
            FUZZ_CHECK(ram[a] == 0);
}

/* The NUL-terminated string at guest address addr, inside RAM, equals s. */
static void check_string(uint32_t addr, size_t ram_size, const char *s)
{
    size_t len = strlen(s);
    FUZZ_CHECK((uint64_t)addr + len + 1 <= ram_size);
    FUZZ_CHECK(memcmp(ram + addr, s, len + 1) == 0);
}

static void check_loaded(const uint8_t *image, size_t size, const char *name, const char *cmdline,
                         const struct mb_module *mods, size_t nmods, size_t ram_size,
                         const struct boot_info *bi)
{
    FUZZ_CHECK(multiboot_has_header(image, size));
    FUZZ_CHECK(bi->eax == MULTIBOOT_BOOT_MAGIC);
    FUZZ_CHECK((uint64_t)bi->ebx + MULTIBOOT_INFO_SIZE <= ram_size);
    FUZZ_CHECK(bi->header_offset % 4 == 0 && bi->header_offset < MULTIBOOT_SEARCH_LIMIT);
    FUZZ_CHECK(bi->kernel_start <= bi->entry && bi->entry < bi->kernel_end);
    FUZZ_CHECK(bi->kernel_end <= bi->image_end && bi->image_end <= ram_size);
    FUZZ_CHECK(bi->image_end % 4096 == bi->kernel_start % 4096);
    if (bi->header_flags & MULTIBOOT_HF_AOUT_KLUDGE)
        check_aout(image, size, bi);
    else
        check_elf_segments(image, size);

    /* The information structure and what it points at. */
    const uint8_t *mbi = ram + bi->ebx;
    struct fuzz_mb_written w = fuzz_mb_written(ram, bi->kernel_start, bi->image_end, bi->ebx);
    /* Nothing of the boot data over the kernel (Multiboot 3.3). */
#define OFF_KERNEL(lo, hi) ((hi) <= bi->kernel_start || bi->kernel_end <= (lo))
    char kcmd[512];
    snprintf(kcmd, sizeof kcmd, "%s %s", name, cmdline ? cmdline : "");
    if (strlen(name) + 1 + strlen(cmdline ? cmdline : "") < sizeof kcmd)
        check_string(rd32(mbi + 16), ram_size, kcmd);
    check_string(rd32(mbi + 64), ram_size, MULTIBOOT_LOADER_NAME);
    FUZZ_CHECK(rd32(mbi + 20) == nmods);
    uint32_t list = rd32(mbi + 24);
    FUZZ_CHECK((uint64_t)list + 16 * nmods <= bi->image_end && OFF_KERNEL(list, list + 16 * nmods));
    FUZZ_CHECK(w.info_lo < w.info_hi && OFF_KERNEL(w.info_lo, w.info_hi));
    for (size_t i = 0; i < nmods; i++) {
        const uint8_t *e = ram + list + 16 * i;
        uint32_t start = rd32(e), end = rd32(e + 4);
        FUZZ_CHECK(end - start == mods[i].size && end <= bi->image_end);
        FUZZ_CHECK(start >= w.lo && OFF_KERNEL(start, end));
        FUZZ_CHECK(mods[i].size == 0 || memcmp(ram + start, mods[i].data, mods[i].size) == 0);
        check_string(rd32(e + 8), ram_size, mods[i].cmdline ? mods[i].cmdline : mods[i].name);
    }
    /* Nothing written outside the kernel's run and the information area. */
    size_t a_lo = w.lo, a_hi = w.hi, b_lo = w.info_lo, b_hi = w.info_hi;
    if (b_lo >= a_lo && b_hi <= a_hi)
        b_lo = b_hi = a_hi; /* moved in among the boot data */
    FUZZ_CHECK(a_hi <= b_lo || b_hi <= a_lo);
    if (b_lo < a_lo) {
        size_t t = a_lo;
        a_lo = b_lo, b_lo = t;
        t = a_hi;
        a_hi = b_hi, b_hi = t;
    }
    FUZZ_CHECK(untouched(0, a_lo) && untouched(a_hi, b_lo) && untouched(b_hi, RAM_MAX));
#undef OFF_KERNEL
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!ready) {
        memset(fill, RAM_FILL, sizeof fill);
        memcpy(ram, fill, sizeof ram);
        ready = 1;
    }
    if (size < 1)
        return 0;
    uint8_t cfg = data[0];
    size_t ram_size = ram_sizes[cfg & 3];
    struct fuzz_part parts[2 + MAX_MODULES];
    size_t nparts = fuzz_split(data + 1, size - 1, parts, 2 + MAX_MODULES);

    uint8_t *image = fuzz_copy(parts[0].data, parts[0].size);
    char *cmdline = (cfg & 4) && nparts > 1 ? fuzz_strdup(&parts[1]) : NULL;
    const char *name = (cfg & 16) ? NULL : NAME;
    struct mb_module mods[MAX_MODULES];
    char *mod_text[MAX_MODULES];
    uint8_t *mod_data[MAX_MODULES];
    size_t nmods = nparts > 2 ? nparts - 2 : 0;
    for (size_t i = 0; i < nmods; i++) {
        const struct fuzz_part *p = &parts[2 + i];
        mod_text[i] = fuzz_strdup(p);
        size_t skip = strlen(mod_text[i]) + 1;
        size_t len = skip <= p->size ? p->size - skip : 0;
        mod_data[i] = fuzz_copy(p->data + (skip <= p->size ? skip : p->size), len);
        mods[i] = (struct mb_module){mod_text[i], (cfg & 8) ? NULL : mod_text[i], mod_data[i], len};
    }

    char err[512] = "";
    struct boot_info bi;
    memset(&bi, 0, sizeof bi);
    enum load_status s = multiboot_load(image, parts[0].size, name, cmdline, mods, nmods, ram,
                                        ram_size, &bi, err, sizeof err);
    if (s == LOAD_OK) {
        check_loaded(image, parts[0].size, name ? name : "(image)", cmdline, mods, nmods,
                     ram_size, &bi);
        /* Back to the fill pattern for the next input. */
        struct fuzz_mb_written w = fuzz_mb_written(ram, bi.kernel_start, bi.image_end, bi.ebx);
        memcpy(ram + w.info_lo, fill, w.info_hi - w.info_lo);
        memcpy(ram + w.lo, fill, w.hi - w.lo);
    } else {
        /* Refused: one line saying why, RAM untouched.  (A file name longer
         * than the buffer leaves no room for the why.) */
        FUZZ_CHECK(err[0] != '\0' && fuzz_one_line(err));
        FUZZ_CHECK(strlen(err) == sizeof err - 1 || strstr(err, ": ") != NULL);
        FUZZ_CHECK(strcmp(load_status_name(s), "unknown") != 0);
        FUZZ_CHECK(untouched(0, RAM_MAX));
        if (s == LOAD_NOT_MULTIBOOT)
            FUZZ_CHECK(!multiboot_has_header(image, parts[0].size));
        if ((cfg & 3) == 0)
            FUZZ_CHECK(s == LOAD_BAD_ARGUMENT);
    }
    for (size_t i = 0; i < nmods; i++) {
        free(mod_text[i]);
        free(mod_data[i]);
    }
    free(cmdline);
    free(image);
    return 0;
}
