/* Unit tests for src/loader: ELF32 reading and the Multiboot and flat
 * loaders.  Every image is built here in memory.  The expected layouts in the
 * "qemu_*" tests are what qemu-system-i386 7.2 (SeaBIOS 1.16.2) handed a
 * probe kernel that dumped its information structure to the serial port. */
#include <check.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "loader/elf32.h"
#include "loader/multiboot.h"

#define RAM_4M (4u << 20)
#define RAM_128M (128u << 20)
#define RAM_FILL 0xAA
#define IMG_CAP 0x10000

struct img {
    uint8_t b[IMG_CAP];
    size_t size;
};

static uint8_t *ram;
static size_t ram_size;
static char err[512];
static struct boot_info bi;

static void put16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
}

static void put32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

static uint32_t get32(const uint8_t *p)
{
    return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) |
           ((uint32_t)p[3] << 24);
}

static uint32_t ram32(uint32_t addr)
{
    return get32(ram + addr);
}

static void ram_setup(size_t size)
{
    free(ram);
    ram_size = size;
    ram = malloc(size);
    ck_assert_ptr_nonnull(ram);
    memset(ram, RAM_FILL, size);
    memset(&bi, 0, sizeof(bi));
    err[0] = '\0';
}

static void setup(void)
{
    ram_setup(RAM_4M);
}

static void teardown(void)
{
    free(ram);
    ram = NULL;
}

/* True when no byte of RAM was written. */
static bool ram_untouched(void)
{
    /* Every byte is the fill when the first is and each equals the next
     * (one memcmp: the byte loop took most of the sanitizer build's time). */
    return ram_size == 0 || (ram[0] == RAM_FILL && memcmp(ram, ram + 1, ram_size - 1) == 0);
}

/* Asserts the message names the file and contains every keyword. */
static void assert_msg(const char *file, ...)
{
    ck_assert_msg(strncmp(err, file, strlen(file)) == 0 && err[strlen(file)] == ':',
                  "message does not start with the file name: \"%s\"", err);
    ck_assert_msg(strchr(err, '\n') == NULL, "message is not one line: \"%s\"", err);
    va_list ap;
    va_start(ap, file);
    for (const char *k = va_arg(ap, const char *); k; k = va_arg(ap, const char *))
        ck_assert_msg(strstr(err, k) != NULL, "\"%s\" lacks \"%s\"", err, k);
    va_end(ap);
}

/* ---- image builders -------------------------------------------------- */

#define MB_OFF 0x100 /* where the Multiboot header goes in built ELF files */

static void mb_header(struct img *im, size_t off, uint32_t flags)
{
    put32(im->b + off, MULTIBOOT_HEADER_MAGIC);
    put32(im->b + off + 4, flags);
    put32(im->b + off + 8, (uint32_t)-(MULTIBOOT_HEADER_MAGIC + flags));
}

static void elf_header(struct img *im, uint16_t phnum, uint32_t entry)
{
    uint8_t *h = im->b;
    memcpy(h, "\x7f" "ELF", 4);
    h[4] = ELF32_CLASS_32;
    h[5] = ELF32_DATA_LSB;
    h[6] = ELF32_EV_CURRENT;
    put16(h + 16, ELF32_ET_EXEC);
    put16(h + 18, ELF32_EM_386);
    put32(h + 20, 1);
    put32(h + 24, entry);
    put32(h + 28, ELF32_EHDR_SIZE); /* e_phoff */
    put16(h + 40, ELF32_EHDR_SIZE);
    put16(h + 42, ELF32_PHDR_SIZE);
    put16(h + 44, phnum);
}

static void elf_phdr(struct img *im, int i, uint32_t type, uint32_t offset, uint32_t vaddr,
                     uint32_t paddr, uint32_t filesz, uint32_t memsz, uint32_t flags)
{
    uint8_t *p = im->b + ELF32_EHDR_SIZE + i * ELF32_PHDR_SIZE;
    put32(p, type);
    put32(p + 4, offset);
    put32(p + 8, vaddr);
    put32(p + 12, paddr);
    put32(p + 16, filesz);
    put32(p + 20, memsz);
    put32(p + 24, flags);
    put32(p + 28, 0x1000);
}

static void fill(struct img *im, size_t off, size_t len, uint8_t seed)
{
    for (size_t i = 0; i < len; i++)
        im->b[off + i] = (uint8_t)(seed + i * 7);
}

/* The standard kernel: text 0x100 bytes at 0x100000 (file 0x1000), data
 * 0x80 bytes + bss to 0x2000 at 0x101000 (file 0x2000), entry 0x100010. */
static struct img *std_kernel(void)
{
    static struct img im;
    memset(&im, 0, sizeof(im));
    elf_header(&im, 2, 0x100010);
    elf_phdr(&im, 0, ELF32_PT_LOAD, 0x1000, 0x100000, 0x100000, 0x100, 0x100,
             ELF32_PF_R | ELF32_PF_X);
    elf_phdr(&im, 1, ELF32_PT_LOAD, 0x2000, 0x101000, 0x101000, 0x80, 0x2000,
             ELF32_PF_R | ELF32_PF_W);
    mb_header(&im, MB_OFF, MULTIBOOT_HF_PAGE_ALIGN | MULTIBOOT_HF_MEMORY_INFO);
    fill(&im, 0x1000, 0x100, 1);
    fill(&im, 0x2000, 0x80, 2);
    im.size = 0x2080;
    return &im;
}

static enum load_status load(const struct img *im, const char *cmdline,
                             const struct mb_module *mods, size_t nmods)
{
    return multiboot_load(im->b, im->size, "kernel.elf", cmdline, mods, nmods, ram, ram_size, &bi,
                          err, sizeof(err));
}

/* The a.out kludge kernel: a flat file whose header (at offset 0) says it
 * loads at 0x200000, 0xC0 bytes of text and data, bss to 0x203000, entry at
 * 0x200040; 0x40 more bytes in the file after load_end_addr. */
static struct img *aout_kernel(void)
{
    static struct img im;
    memset(&im, 0, sizeof(im));
    uint32_t flags = MULTIBOOT_HF_AOUT_KLUDGE | MULTIBOOT_HF_PAGE_ALIGN;
    fill(&im, 0, 0x100, 3);
    mb_header(&im, 0, flags);
    put32(im.b + 12, 0x200000); /* header_addr */
    put32(im.b + 16, 0x200000); /* load_addr */
    put32(im.b + 20, 0x2000C0); /* load_end_addr */
    put32(im.b + 24, 0x203000); /* bss_end_addr */
    put32(im.b + 28, 0x200040); /* entry_addr */
    im.size = 0x100;
    return &im;
}

/* ---- ELF kernels ----------------------------------------------------- */

START_TEST(elf_segments_load_at_paddr_with_bss_zeroed)
{
    struct img *im = std_kernel();
    ck_assert_int_eq(load(im, "", NULL, 0), LOAD_OK);
    ck_assert_str_eq(err, "");
    ck_assert_mem_eq(ram + 0x100000, im->b + 0x1000, 0x100);
    ck_assert_mem_eq(ram + 0x101000, im->b + 0x2000, 0x80);
    for (uint32_t a = 0x101080; a < 0x103000; a++)
        ck_assert_msg(ram[a] == 0, "bss byte at 0x%x is 0x%02x", a, ram[a]);
    /* the gap between the two segments is written (QEMU copies the span) */
    for (uint32_t a = 0x100100; a < 0x101000; a++)
        ck_assert_uint_eq(ram[a], 0);
    ck_assert_uint_eq(ram[0xFFFFF], RAM_FILL); /* nothing below the kernel */
    ck_assert_uint_eq(bi.entry, 0x100010);
    ck_assert_uint_eq(bi.eax, 0x2BADB002);
    ck_assert_uint_eq(bi.ebx, 0x9500);
    ck_assert_uint_eq(bi.kernel_start, 0x100000);
    ck_assert_uint_eq(bi.kernel_end, 0x103000);
    ck_assert_uint_eq(bi.header_offset, MB_OFF);
    ck_assert_uint_eq(bi.header_flags, 3);
}
END_TEST

START_TEST(elf_higher_half_entry_moves_to_its_physical_address)
{
    struct img *im = std_kernel();
    elf_header(im, 2, 0xC0100010);
    elf_phdr(im, 0, ELF32_PT_LOAD, 0x1000, 0xC0100000, 0x100000, 0x100, 0x100,
             ELF32_PF_R | ELF32_PF_X);
    elf_phdr(im, 1, ELF32_PT_LOAD, 0x2000, 0xC0101000, 0x101000, 0x80, 0x2000,
             ELF32_PF_R | ELF32_PF_W);
    ck_assert_int_eq(load(im, "", NULL, 0), LOAD_OK);
    ck_assert_uint_eq(bi.entry, 0x100010);
    ck_assert_mem_eq(ram + 0x100000, im->b + 0x1000, 0x100);
    ck_assert_uint_eq(bi.kernel_end, 0x103000);
}
END_TEST

START_TEST(elf_entry_in_a_non_executable_segment_is_not_moved)
{
    /* QEMU moves e_entry only for a PF_X segment: here it stays virtual and
     * so lies outside every loaded segment. */
    struct img *im = std_kernel();
    elf_header(im, 2, 0xC0100010);
    elf_phdr(im, 0, ELF32_PT_LOAD, 0x1000, 0xC0100000, 0x100000, 0x100, 0x100, ELF32_PF_R);
    ck_assert_int_eq(load(im, "", NULL, 0), LOAD_BAD_ENTRY);
    assert_msg("kernel.elf", "e_entry", "0xc0100010", "outside", NULL);
    ck_assert(ram_untouched());
}
END_TEST

START_TEST(elf_empty_and_non_load_segments_are_skipped)
{
    struct img *im = std_kernel();
    elf_header(im, 4, 0x100010);
    elf_phdr(im, 2, ELF32_PT_LOAD, 0, 0x500000, 0x500000, 0, 0, ELF32_PF_R); /* empty */
    elf_phdr(im, 3, 4 /* PT_NOTE */, 0xFFFF0, 0, 0x9000, 0x10, 0x10, ELF32_PF_R);
    ck_assert_int_eq(load(im, "", NULL, 0), LOAD_OK);
    ck_assert_uint_eq(bi.kernel_end, 0x103000);
}
END_TEST

/* ---- the information structure --------------------------------------- */

START_TEST(info_structure_fields)
{
    struct img *im = std_kernel();
    ck_assert_int_eq(load(im, "console=ttyS0 debug", NULL, 0), LOAD_OK);
    uint32_t mbi = bi.ebx;
    ck_assert_uint_eq(ram32(mbi + 0), 0x24F); /* mem, boot device, cmdline, mods, mmap, name */
    ck_assert_uint_eq(ram32(mbi + 4), 639);
    ck_assert_uint_eq(ram32(mbi + 8), (RAM_4M - 0x20000 - 0x100000) / 1024);
    ck_assert_uint_eq(ram32(mbi + 12), 0x8000FFFF);
    ck_assert_uint_eq(ram32(mbi + 20), 0);        /* mods_count */
    ck_assert_uint_eq(ram32(mbi + 24), 0x103000); /* mods_addr: the page after the kernel */
    ck_assert_uint_eq(ram32(mbi + 16), 0x103000); /* no modules: the command line is first */
    ck_assert_str_eq((char *)ram + ram32(mbi + 16), "kernel.elf console=ttyS0 debug");
    ck_assert_uint_eq(ram32(mbi + 44), 6 * 24);
    ck_assert_uint_eq(ram32(mbi + 48), 0x9000);
    /* the name follows the room kept for "kernel.elf" + " " + the append text */
    ck_assert_uint_eq(ram32(mbi + 64), 0x103000 + 11 + 20);
    ck_assert_str_eq((char *)ram + ram32(mbi + 64), "ringlab");
    for (uint32_t o = 28; o < 88; o += 4)
        if (o != 44 && o != 48 && o != 64)
            ck_assert_msg(ram32(mbi + o) == 0, "MBI offset %u is 0x%x", o, ram32(mbi + o));
    ck_assert_uint_eq(bi.image_end, 0x104000);
}
END_TEST

START_TEST(info_cmdline_without_append_keeps_the_space)
{
    struct img *im = std_kernel();
    ck_assert_int_eq(load(im, NULL, NULL, 0), LOAD_OK);
    ck_assert_str_eq((char *)ram + ram32(0x9500 + 16), "kernel.elf ");
}
END_TEST

static void assert_mmap_entry(int i, uint64_t base, uint64_t len, uint32_t type)
{
    uint32_t p = 0x9000 + 24 * (uint32_t)i;
    ck_assert_uint_eq(ram32(p), 20);
    ck_assert_uint_eq(ram32(p + 4) | ((uint64_t)ram32(p + 8) << 32), base);
    ck_assert_uint_eq(ram32(p + 12) | ((uint64_t)ram32(p + 16) << 32), len);
    ck_assert_uint_eq(ram32(p + 20), type);
}

START_TEST(info_memory_map_as_seabios_gives_it)
{
    ram_setup(RAM_128M);
    ck_assert_int_eq(load(std_kernel(), "", NULL, 0), LOAD_OK);
    assert_mmap_entry(0, 0, 0x9FC00, 1);
    assert_mmap_entry(1, 0x9FC00, 0x400, 2);
    assert_mmap_entry(2, 0xF0000, 0x10000, 2);
    assert_mmap_entry(3, 0x100000, 0x7EE0000, 1);
    assert_mmap_entry(4, 0x7FE0000, 0x20000, 2);
    assert_mmap_entry(5, 0xFFFC0000, 0x40000, 2);
    ck_assert_uint_eq(ram32(0x9500 + 8), 0x1FB80); /* QEMU -m 128 gives 0x1fb80 */
}
END_TEST

START_TEST(info_mem_upper_for_small_ram)
{
    ram_setup(2u << 20); /* QEMU -m 2 gives mem_upper 0x380 */
    ck_assert_int_eq(load(std_kernel(), "", NULL, 0), LOAD_OK);
    ck_assert_uint_eq(ram32(0x9500 + 8), 0x380);
    assert_mmap_entry(3, 0x100000, 0xE0000, 1);
    assert_mmap_entry(4, 0x1E0000, 0x20000, 2);
}
END_TEST

/* ---- modules --------------------------------------------------------- */

START_TEST(modules_page_aligned_after_the_info_area)
{
    static uint8_t big[0x1801];
    memset(big, 0x5A, sizeof(big));
    struct mb_module mods[] = {
        {"initrd.img", "initrd.img root=/dev/ram", big, sizeof(big)},
        {"empty.bin", NULL, NULL, 0},
        {"tail.bin", "tail.bin x", (const uint8_t *)"TAIL", 4},
    };
    ck_assert_int_eq(load(std_kernel(), "", mods, 3), LOAD_OK);
    uint32_t mbi = bi.ebx;
    ck_assert_uint_eq(ram32(mbi + 20), 3);
    uint32_t list = ram32(mbi + 24);
    ck_assert_uint_eq(list, 0x103000);
    /* first module after the page holding list, strings and name */
    ck_assert_uint_eq(ram32(list + 0), 0x104000);
    ck_assert_uint_eq(ram32(list + 4), 0x104000 + sizeof(big));
    ck_assert_mem_eq(ram + 0x104000, big, sizeof(big));
    ck_assert_uint_eq(ram[0x104000 + sizeof(big)], 0); /* rest of its page cleared */
    /* an empty module takes no page */
    ck_assert_uint_eq(ram32(list + 16), 0x106000);
    ck_assert_uint_eq(ram32(list + 20), 0x106000);
    ck_assert_uint_eq(ram32(list + 32), 0x106000);
    ck_assert_uint_eq(ram32(list + 36), 0x106004);
    ck_assert_mem_eq(ram + 0x106000, "TAIL", 4);
    /* strings: module command lines in order, right after the list */
    ck_assert_uint_eq(ram32(list + 8), list + 3 * 16);
    ck_assert_str_eq((char *)ram + ram32(list + 8), "initrd.img root=/dev/ram");
    ck_assert_str_eq((char *)ram + ram32(list + 24), "empty.bin");
    ck_assert_str_eq((char *)ram + ram32(list + 40), "tail.bin x");
    ck_assert_uint_eq(ram32(list + 12), 0);
    ck_assert_str_eq((char *)ram + ram32(mbi + 16), "kernel.elf ");
    ck_assert_uint_eq(bi.image_end, 0x107000);
}
END_TEST

START_TEST(module_that_does_not_fit_is_named)
{
    static uint8_t big[0x300000];
    struct mb_module mods[] = {{"huge.img", NULL, big, sizeof(big)}};
    ck_assert_int_eq(load(std_kernel(), "", mods, 1), LOAD_TOO_BIG);
    assert_msg("huge.img", "module 1", "outside RAM", "no other free memory holds them", NULL);
    ck_assert(ram_untouched());
}
END_TEST

/* The layout QEMU 7.2 gave the probe kernel (span 0x100000-0x101233) run as
 * `-kernel probe.elf -append "a b  c" -initrd "m1.bin arg1 arg2,m2.bin"`. */
START_TEST(qemu_layout_elf_with_two_modules)
{
    ram_setup(RAM_128M);
    struct img *im = std_kernel();
    elf_header(im, 1, 0x100010);
    elf_phdr(im, 0, ELF32_PT_LOAD, 0x1000, 0x100000, 0x100000, 0x227, 0x1234,
             ELF32_PF_R | ELF32_PF_W | ELF32_PF_X);
    im->size = 0x1227;
    struct mb_module mods[] = {
        {"m1.bin", "m1.bin arg1 arg2", (const uint8_t *)"hello-module-one", 16},
        {"m2.bin", NULL, (const uint8_t *)"ABCD", 4},
    };
    ck_assert_int_eq(multiboot_load(im->b, im->size, "probe.elf", "a b  c", mods, 2, ram,
                                    ram_size, &bi, err, sizeof(err)),
                     LOAD_OK);
    static const uint32_t want[22] = {0x24f, 0x27f, 0x1fb80, 0x8000ffff, 0x102038, 2, 0x102000,
                                      0, 0, 0, 0, 0x90, 0x9000, 0, 0, 0, 0x102049};
    for (int i = 0; i < 22; i++)
        ck_assert_msg(ram32(0x9500 + 4 * i) == want[i], "MBI dword %d: 0x%x, QEMU 0x%x", i,
                      ram32(0x9500 + 4 * i), want[i]);
    ck_assert_str_eq((char *)ram + 0x102038, "probe.elf a b  c");
    ck_assert_str_eq((char *)ram + 0x102020, "m1.bin arg1 arg2");
    ck_assert_str_eq((char *)ram + 0x102031, "m2.bin");
    static const uint32_t mods_want[8] = {0x103000, 0x103010, 0x102020, 0,
                                          0x104000, 0x104004, 0x102031, 0};
    for (int i = 0; i < 8; i++)
        ck_assert_uint_eq(ram32(0x102000 + 4 * i), mods_want[i]);
    ck_assert_uint_eq(ram32(0x103000), 0x6c6c6568); /* "hell" */
}
END_TEST

/* QEMU 7.2 with the a.out probe (load 0x200000, bss to 0x2030ba),
 * `-append x -initrd m2.bin`. */
START_TEST(qemu_layout_aout_with_a_module)
{
    ram_setup(RAM_128M);
    struct img *im = aout_kernel();
    put32(im->b + 20, 0x2000BA);
    put32(im->b + 24, 0x2030BA);
    put32(im->b + 28, 0x200030);
    im->size = 0xBE;
    struct mb_module mods[] = {{"m2.bin", NULL, (const uint8_t *)"ABCD", 4}};
    ck_assert_int_eq(multiboot_load(im->b, im->size, "aout.bin", "x", mods, 1, ram, ram_size, &bi,
                                    err, sizeof(err)),
                     LOAD_OK);
    static const uint32_t want[17] = {0x24f, 0x27f, 0x1fb80, 0x8000ffff, 0x204017, 1,
                                      0x204000, 0, 0, 0, 0, 0x90, 0x9000, 0, 0, 0, 0x204022};
    for (int i = 0; i < 17; i++)
        ck_assert_msg(ram32(0x9500 + 4 * i) == want[i], "MBI dword %d: 0x%x, QEMU 0x%x", i,
                      ram32(0x9500 + 4 * i), want[i]);
    ck_assert_str_eq((char *)ram + 0x204017, "aout.bin x");
    ck_assert_uint_eq(ram32(0x2000BA), 0); /* bss */
    ck_assert_uint_eq(bi.entry, 0x200030);
}
END_TEST

/* ---- when QEMU's places are taken ------------------------------------- */

/* A kernel with one segment, paddr..paddr+memsz, filesz bytes of it from
 * file offset 0x1000, entry 0x10 into it. */
static struct img *one_segment_kernel(uint32_t paddr, uint32_t filesz, uint32_t memsz)
{
    struct img *im = std_kernel();
    elf_header(im, 1, paddr + 0x10);
    elf_phdr(im, 0, ELF32_PT_LOAD, 0x1000, paddr, paddr, filesz, memsz,
             ELF32_PF_R | ELF32_PF_W | ELF32_PF_X);
    fill(im, 0x1000, filesz, 9);
    im->size = 0x1000 + filesz;
    return im;
}

/* The information structure at EBX is whole and lies outside [lo, hi). */
static void assert_info_outside(uint32_t lo, uint32_t hi)
{
    uint32_t mbi = bi.ebx;
    ck_assert_msg(mbi + MULTIBOOT_INFO_SIZE <= lo || mbi >= hi, "EBX 0x%x", mbi);
    ck_assert_uint_eq(ram32(mbi + 0), 0x24F);
    ck_assert_uint_eq(ram32(mbi + 4), 639);
    ck_assert_uint_eq(ram32(mbi + 12), 0x8000FFFF);
    ck_assert_uint_eq(ram32(mbi + 44), 6 * 24);
    uint32_t mmap = ram32(mbi + 48);
    ck_assert_msg(mmap + 6 * 24 <= lo || mmap >= hi, "mmap_addr 0x%x", mmap);
    ck_assert_uint_eq(ram32(mmap), 20);
    ck_assert_uint_eq(ram32(mmap + 12), 0x9FC00);
    ck_assert_uint_eq(ram32(mmap + 20), 1);
    ck_assert_str_eq((char *)ram + ram32(mbi + 64), "ringlab");
}

/* The kernel of issue "a segment at 0x8000-0xA84B": QEMU writes its map
 * and structure at 0x9000 and copies the kernel over them; ringlab leaves
 * the kernel whole and puts them after the loader's name, in the page
 * after the kernel (0xB000: no modules, "kernel.elf " and "ringlab"). */
START_TEST(info_moves_off_a_kernel_over_0x9000)
{
    struct img *im = one_segment_kernel(0x8000, 0x284C, 0x284C);
    ck_assert_int_eq(load(im, "", NULL, 0), LOAD_OK);
    ck_assert_str_eq(err, "");
    ck_assert_mem_eq(ram + 0x8000, im->b + 0x1000, 0x284C);
    ck_assert_uint_eq(bi.entry, 0x8010);
    ck_assert_uint_eq(bi.ebx, 0xB000 + 12 + 8 + 6 * 24);
    assert_info_outside(0x8000, 0xA84C);
    ck_assert_uint_eq(ram32(bi.ebx + 48), 0xB000 + 12 + 8);
    ck_assert_uint_eq(ram32(bi.ebx + 24), 0xB000); /* mods_addr: QEMU's place */
    ck_assert_uint_eq(ram32(bi.ebx + 16), 0xB000);
    ck_assert_str_eq((char *)ram + 0xB000, "kernel.elf ");
    ck_assert_uint_eq(bi.image_end, 0xC000);
    /* the same with the a.out kludge, its bss over 0x9000-0x9557 */
    struct img *a = aout_kernel();
    put32(a->b + 12, 0x8F00);
    put32(a->b + 16, 0x8F00);
    put32(a->b + 20, 0x8FC0);
    put32(a->b + 24, 0x9600);
    put32(a->b + 28, 0x8F40);
    memset(ram, RAM_FILL, ram_size);
    ck_assert_int_eq(load(a, "", NULL, 0), LOAD_OK);
    for (uint32_t p = 0x8FC0; p < 0x9600; p++)
        ck_assert_uint_eq(ram[p], 0); /* bss */
    ck_assert_uint_eq(bi.ebx, 0x9F00 + 12 + 8 + 6 * 24);
    assert_info_outside(0x8F00, 0x9600);
}
END_TEST

START_TEST(info_moves_off_a_module_over_0x9000)
{
    /* kernel 0x1000-0x10ff; QEMU's list at 0x2000, the module at 0x3000,
     * running over 0x9000: the module keeps its place, the structure moves */
    static uint8_t big[0x8000];
    memset(big, 0x77, sizeof(big));
    struct mb_module mods[] = {{"big.bin", NULL, big, sizeof(big)}};
    ck_assert_int_eq(load(one_segment_kernel(0x1000, 0x100, 0x100), "", mods, 1), LOAD_OK);
    ck_assert_uint_eq(ram32(bi.ebx + 24), 0x2000);
    ck_assert_uint_eq(ram32(0x2000), 0x3000);
    ck_assert_uint_eq(ram32(0x2004), 0x3000 + sizeof(big));
    ck_assert_mem_eq(ram + 0x3000, big, sizeof(big));
    /* "big.bin", "kernel.elf ", "ringlab" after the 16-byte list */
    ck_assert_uint_eq(bi.ebx, 0x2010 + 8 + 12 + 8 + 6 * 24);
    assert_info_outside(0x3000, 0x3000 + sizeof(big));
}
END_TEST

START_TEST(boot_data_moves_past_the_video_area)
{
    /* QEMU's list at 0x9F000 and the module at 0xA0000, in video memory:
     * both go to 1 MiB; the structure keeps 0x9500 */
    static uint8_t mod[0x2000];
    memset(mod, 0x42, sizeof(mod));
    struct mb_module mods[] = {{"m.bin", NULL, mod, sizeof(mod)}};
    ck_assert_int_eq(load(one_segment_kernel(0x90000, 0x100, 0xF000), "", mods, 1), LOAD_OK);
    ck_assert_uint_eq(bi.ebx, 0x9500);
    ck_assert_uint_eq(ram32(0x9500 + 24), 0x100000);
    ck_assert_uint_eq(ram32(0x100000), 0x101000);
    ck_assert_mem_eq(ram + 0x101000, mod, sizeof(mod));
    ck_assert_str_eq((char *)ram + ram32(0x9500 + 16), "kernel.elf ");
    ck_assert_uint_eq(ram[0xA0000], RAM_FILL); /* nothing written in the video area */
    ck_assert_uint_eq(bi.image_end, 0x103000);
}
END_TEST

START_TEST(boot_data_moves_below_the_kernel_when_above_is_full)
{
    /* 2 MiB of RAM, the kernel up to 0x1F0000: the module fits below it,
     * first at 0xA000, the first page that keeps off 0x9000-0x9557 */
    ram_setup(2u << 20);
    static uint8_t mod[0x10000];
    memset(mod, 0x24, sizeof(mod));
    struct mb_module mods[] = {{"m.bin", NULL, mod, sizeof(mod)}};
    ck_assert_int_eq(load(one_segment_kernel(0x100000, 0x100, 0xF0000), "", mods, 1), LOAD_OK);
    ck_assert_uint_eq(bi.ebx, 0x9500);
    ck_assert_uint_eq(ram32(0x9500 + 24), 0xA000);
    ck_assert_uint_eq(ram32(0xA000), 0xB000);
    ck_assert_mem_eq(ram + 0xB000, mod, sizeof(mod));
    ck_assert_uint_eq(bi.image_end, 0x1F0000);
    /* and nowhere when the module is larger than what is free */
    static uint8_t big[0xA0000];
    mods[0] = (struct mb_module){"big.bin", NULL, big, sizeof(big)};
    memset(ram, RAM_FILL, ram_size);
    ck_assert_int_eq(load(one_segment_kernel(0x100000, 0x100, 0xF0000), "", mods, 1),
                     LOAD_TOO_BIG);
    assert_msg("big.bin", "module 1", "outside RAM", "no other free memory", NULL);
    ck_assert(ram_untouched());
}
END_TEST

/* ---- the a.out kludge ------------------------------------------------ */

START_TEST(aout_loads_text_data_and_zeroes_bss)
{
    struct img *im = aout_kernel();
    ck_assert_int_eq(load(im, "", NULL, 0), LOAD_OK);
    ck_assert_mem_eq(ram + 0x200000, im->b, 0xC0);
    for (uint32_t a = 0x2000C0; a < 0x203000; a++) /* bytes past load_end_addr are not loaded */
        ck_assert_uint_eq(ram[a], 0);
    ck_assert_uint_eq(bi.entry, 0x200040);
    ck_assert_uint_eq(bi.kernel_start, 0x200000);
    ck_assert_uint_eq(bi.kernel_end, 0x203000);
    ck_assert_uint_eq(ram32(0x9500 + 24), 0x203000);
}
END_TEST

START_TEST(aout_header_inside_the_text_and_load_end_zero)
{
    /* header 0x20 bytes into the text, load_end_addr 0: the file from the
     * text's start to its end, no bss. */
    struct img *im = aout_kernel();
    memset(im->b, 0, 0x20);
    mb_header(im, 0x20, MULTIBOOT_HF_AOUT_KLUDGE);
    put32(im->b + 0x20 + 12, 0x300020);
    put32(im->b + 0x20 + 16, 0x300000);
    put32(im->b + 0x20 + 20, 0);
    put32(im->b + 0x20 + 24, 0);
    put32(im->b + 0x20 + 28, 0x300000);
    im->size = 0x100;
    ck_assert_int_eq(load(im, "", NULL, 0), LOAD_OK);
    ck_assert_mem_eq(ram + 0x300000, im->b, 0x100);
    ck_assert_uint_eq(bi.kernel_end, 0x300100);
    ck_assert_uint_eq(bi.header_offset, 0x20);
}
END_TEST

START_TEST(video_mode_flag_is_ignored)
{
    struct img *im = std_kernel();
    mb_header(im, MB_OFF, MULTIBOOT_HF_VIDEO_MODE | MULTIBOOT_HF_MEMORY_INFO | (1u << 9));
    ck_assert_int_eq(load(im, "", NULL, 0), LOAD_OK);
    ck_assert_uint_eq(bi.header_flags & MULTIBOOT_HF_VIDEO_MODE, MULTIBOOT_HF_VIDEO_MODE);
}
END_TEST

/* ---- finding the header ---------------------------------------------- */

START_TEST(header_search_rules)
{
    struct img *im = std_kernel();
    ck_assert(multiboot_has_header(im->b, im->size));
    /* a header that would end past 8 KiB - 48 is not found (QEMU's bound) */
    struct img *far = std_kernel();
    memset(far->b + MB_OFF, 0, 12);
    far->size = 0x2100;
    mb_header(far, 8144, 0);
    ck_assert(!multiboot_has_header(far->b, far->size));
    mb_header(far, 8140, 0);
    ck_assert(multiboot_has_header(far->b, far->size));
    /* misaligned */
    memset(far->b + 8140, 0, 24);
    mb_header(far, 0x102, 0);
    ck_assert(!multiboot_has_header(far->b, far->size));
    /* a later header with a good checksum wins over a bad earlier one */
    mb_header(far, 0x200, 0);
    put32(far->b + 0x108, 0x12345678);
    mb_header(far, 0x104, 0);
    put32(far->b + 0x10c, 1);
    ck_assert(multiboot_has_header(far->b, far->size));
    ck_assert(!multiboot_has_header(NULL, 0));
    ck_assert(!multiboot_has_header(im->b, 11));
}
END_TEST

/* ---- disk images ----------------------------------------------------- */

/* A boot sector (signature 0x55AA at 510), then, as in xv6.img, a kernel
 * whose Multiboot header lies 0x1200 bytes into the file. */
static struct img *disk_image(void)
{
    static struct img im;
    memset(&im, 0, sizeof(im));
    im.b[0] = 0xFA; /* cli */
    im.b[510] = 0x55;
    im.b[511] = 0xAA;
    mb_header(&im, 0x1200, 0);
    im.size = 0x2000;
    return &im;
}

START_TEST(disk_image_is_named_with_the_option_that_takes_it)
{
    ck_assert_int_eq(multiboot_load(disk_image()->b, 0x2000, "xv6.img", "", NULL, 0, ram,
                                    ram_size, &bi, err, sizeof(err)),
                     LOAD_DISK_IMAGE);
    assert_msg("xv6.img", "disk image", "0x55AA at offset 510", "not a kernel",
               "-drive file=xv6.img,format=raw,index=0,media=disk", "-hda xv6.img", NULL);
    ck_assert(ram_untouched());
    /* without any Multiboot header: a disk, not a flat binary to run */
    struct img *mbr = disk_image();
    ck_assert_int_eq(multiboot_load(mbr->b, 512, "mbr.img", "", NULL, 0, ram, ram_size, &bi, err,
                                    sizeof(err)),
                     LOAD_DISK_IMAGE);
    assert_msg("mbr.img", "disk image", "-hda mbr.img", NULL);
    /* one byte of the signature wrong: the Multiboot message stands */
    mbr->b[511] = 0xAB;
    ck_assert_int_eq(multiboot_load(mbr->b, 0x2000, "x.img", "", NULL, 0, ram, ram_size, &bi, err,
                                    sizeof(err)),
                     LOAD_BAD_IMAGE);
    assert_msg("x.img", "flag 16", NULL);
    ck_assert(ram_untouched());
}
END_TEST

START_TEST(kernel_with_a_boot_signature_still_loads)
{
    /* An ELF kernel with 0x55AA at 510 is a kernel (the ELF magic says so) */
    struct img *im = std_kernel();
    im->b[510] = 0x55;
    im->b[511] = 0xAA;
    ck_assert_int_eq(load(im, "", NULL, 0), LOAD_OK);
    /* and so is a boot sector that is also a loadable a.out-kludge kernel */
    im = aout_kernel();
    im->b[510] = 0x55;
    im->b[511] = 0xAA;
    im->size = 0x200;
    put32(im->b + 20, 0x200200); /* load_end_addr: the whole sector */
    ck_assert_int_eq(load(im, "", NULL, 0), LOAD_OK);
    ck_assert_uint_eq(ram[0x2001FE], 0x55);
}
END_TEST

/* ---- hostile images: each case breaks one thing ---------------------- */

struct hostile {
    const char *what;
    void (*make)(struct img *im);
    enum load_status want;
    const char *k1, *k2, *k3;
};

static void h_no_header(struct img *im)
{
    memset(im->b + MB_OFF, 0, 12);
}
static void h_bad_checksum(struct img *im)
{
    put32(im->b + MB_OFF + 8, get32(im->b + MB_OFF + 8) + 1);
}
static void h_not_elf(struct img *im)
{
    im->b[1] = 'X';
}
static void h_elf_header_cut(struct img *im)
{
    memset(im->b + MB_OFF, 0, 12);
    mb_header(im, 28, 0);
    im->size = 40;
}
static void h_class64(struct img *im)
{
    im->b[4] = ELF32_CLASS_64;
}
static void h_big_endian(struct img *im)
{
    im->b[5] = ELF32_DATA_MSB;
}
static void h_bad_version(struct img *im)
{
    im->b[6] = 0;
}
static void h_x86_64(struct img *im)
{
    put16(im->b + 18, ELF32_EM_X86_64);
}
static void h_arm(struct img *im)
{
    put16(im->b + 18, 40);
}
static void h_relocatable(struct img *im)
{
    put16(im->b + 16, ELF32_ET_REL);
}
static void h_shared(struct img *im)
{
    put16(im->b + 16, ELF32_ET_DYN);
}
static void h_phentsize(struct img *im)
{
    put16(im->b + 42, 56);
}
static void h_phoff_out(struct img *im)
{
    put32(im->b + 28, 0xFFFFFFF0);
}
static void h_phnum_out(struct img *im)
{
    put16(im->b + 44, 0x1000);
}
static void h_seg_out_of_file(struct img *im)
{
    elf_phdr(im, 1, ELF32_PT_LOAD, 0x2000, 0x101000, 0x101000, 0x100, 0x2000, ELF32_PF_R);
}
static void h_seg_offset_wraps(struct img *im)
{
    elf_phdr(im, 1, ELF32_PT_LOAD, 0xFFFFFF00, 0x101000, 0x101000, 0x200, 0x2000, ELF32_PF_R);
}
static void h_filesz_gt_memsz(struct img *im)
{
    elf_phdr(im, 1, ELF32_PT_LOAD, 0, 0x101000, 0x101000, 0x2000, 0x1000, ELF32_PF_R);
}
static void h_paddr_wraps(struct img *im)
{
    elf_phdr(im, 1, ELF32_PT_LOAD, 0x2000, 0x101000, 0xFFFFF000, 0x80, 0x2000, ELF32_PF_R);
}
static void h_vaddr_wraps(struct img *im)
{
    elf_phdr(im, 1, ELF32_PT_LOAD, 0x2000, 0xFFFFF000, 0x101000, 0x80, 0x2000, ELF32_PF_R);
}
static void h_seg_outside_ram(struct img *im)
{
    elf_phdr(im, 1, ELF32_PT_LOAD, 0x2000, 0x500000, 0x500000, 0x80, 0x80, ELF32_PF_R);
}
static void h_bss_outside_ram(struct img *im)
{
    elf_phdr(im, 1, ELF32_PT_LOAD, 0x2000, 0x3FF000, 0x3FF000, 0x80, 0x2000, ELF32_PF_R);
}
static void h_span_over_vga(struct img *im)
{
    /* each segment is clear of 0xA0000-0xFFFFF, the span between them is not */
    elf_phdr(im, 1, ELF32_PT_LOAD, 0x2000, 0x8000, 0x8000, 0x80, 0x1100, ELF32_PF_R);
}
static void h_seg_on_vga(struct img *im)
{
    elf_phdr(im, 1, ELF32_PT_LOAD, 0x2000, 0xB8000, 0xB8000, 0x80, 0x1000, ELF32_PF_R);
}
static void h_overlap(struct img *im)
{
    elf_phdr(im, 1, ELF32_PT_LOAD, 0x2000, 0x100080, 0x100080, 0x80, 0x2000, ELF32_PF_R);
}
static void h_no_load(struct img *im)
{
    elf_phdr(im, 0, ELF32_PT_NULL, 0x1000, 0x100000, 0x100000, 0x100, 0x100, 0);
    elf_phdr(im, 1, ELF32_PT_LOAD, 0x2000, 0x101000, 0x101000, 0, 0, ELF32_PF_R);
}
static void h_no_phdrs(struct img *im)
{
    put16(im->b + 44, 0);
}
static void h_entry_outside(struct img *im)
{
    put32(im->b + 24, 0x200000);
}
static void h_aout_cut(struct img *im)
{
    memset(im->b + MB_OFF, 0, 12);
    memset(im->b, 0, 4); /* not ELF either */
    im->size = 0x200;
    mb_header(im, 0x1F0, MULTIBOOT_HF_AOUT_KLUDGE);
}

/* a.out kludge cases start from aout_kernel() */
static void a_header_below_load(struct img *im)
{
    put32(im->b + 12, 0x1FFFF0);
}
static void a_header_before_file(struct img *im)
{
    put32(im->b + 12, 0x200010);
}
static void a_load_end_below(struct img *im)
{
    put32(im->b + 20, 0x1FF000);
}
static void a_load_end_past_file(struct img *im)
{
    put32(im->b + 20, 0x200200);
}
static void a_bss_below(struct img *im)
{
    put32(im->b + 24, 0x200080);
}
static void a_wraps(struct img *im)
{
    put32(im->b + 12, 0xFFFFFFC0);
    put32(im->b + 16, 0xFFFFFFC0);
    put32(im->b + 20, 0);
    put32(im->b + 24, 0);
}
static void a_entry_outside(struct img *im)
{
    put32(im->b + 28, 0x203000);
}
static void a_outside_ram(struct img *im)
{
    put32(im->b + 24, 0x500000);
}
static const struct hostile elf_cases[] = {
    {"no header", h_no_header, LOAD_NOT_MULTIBOOT, "no Multiboot header", "0x1BADB002", NULL},
    {"bad checksum", h_bad_checksum, LOAD_BAD_CHECKSUM, "offset 0x100", "checksum", "must be 0"},
    {"not ELF", h_not_elf, LOAD_BAD_IMAGE, "a.out kludge", "must be ELF", "magic"},
    {"ELF header cut", h_elf_header_cut, LOAD_TRUNCATED, "ELF header truncated", "40 bytes", NULL},
    {"ELF64", h_class64, LOAD_BAD_IMAGE, "EI_CLASS", "ELFCLASS64", NULL},
    {"big-endian", h_big_endian, LOAD_BAD_IMAGE, "EI_DATA", "big-endian", NULL},
    {"EI_VERSION", h_bad_version, LOAD_BAD_IMAGE, "EI_VERSION", NULL, NULL},
    {"x86-64", h_x86_64, LOAD_BAD_IMAGE, "e_machine", "EM_X86_64", "32-bit"},
    {"ARM", h_arm, LOAD_BAD_IMAGE, "e_machine (40)", "EM_386", NULL},
    {"ET_REL", h_relocatable, LOAD_BAD_IMAGE, "e_type (1)", "ET_EXEC", "relocatable"},
    {"ET_DYN", h_shared, LOAD_BAD_IMAGE, "e_type (3)", "ET_EXEC", NULL},
    {"phentsize", h_phentsize, LOAD_BAD_IMAGE, "e_phentsize (56)", NULL, NULL},
    {"phoff out", h_phoff_out, LOAD_TRUNCATED, "program header table", "e_phoff 0xfffffff0",
     "past the end"},
    {"phnum out", h_phnum_out, LOAD_TRUNCATED, "program header table", "4096 entries", NULL},
    {"segment out of file", h_seg_out_of_file, LOAD_TRUNCATED, "program header 1",
     "p_offset (0x2000)", "p_filesz (0x100)"},
    {"segment offset wraps", h_seg_offset_wraps, LOAD_TRUNCATED, "program header 1",
     "0x100000100", "past the end"},
    {"filesz > memsz", h_filesz_gt_memsz, LOAD_BAD_SEGMENT,
     "kernel.elf: program header 1: p_filesz (0x2000) exceeds p_memsz (0x1000)", NULL, NULL},
    {"paddr wraps", h_paddr_wraps, LOAD_BAD_SEGMENT, "program header 1", "p_paddr", "wraps"},
    {"vaddr wraps", h_vaddr_wraps, LOAD_BAD_SEGMENT, "program header 1", "p_vaddr", "wraps"},
    {"segment outside RAM", h_seg_outside_ram, LOAD_TOO_BIG, "program header 1", "0x500000",
     "outside RAM"},
    {"bss outside RAM", h_bss_outside_ram, LOAD_TOO_BIG, "program header 1", "0x400fff",
     "outside RAM"},
    {"span over VGA", h_span_over_vga, LOAD_OVERLAP, "the kernel's span", "0x8000-0x1000ff",
     "video memory"},
    {"segment on VGA", h_seg_on_vga, LOAD_OVERLAP, "program header 1", "video memory", NULL},
    {"segments overlap", h_overlap, LOAD_BAD_SEGMENT, "program headers 0", "and 1", "overlap"},
    {"no PT_LOAD", h_no_load, LOAD_NO_SEGMENTS, "no PT_LOAD", NULL, NULL},
    {"no program headers", h_no_phdrs, LOAD_NO_SEGMENTS, "no PT_LOAD", "0 headers", NULL},
    {"entry outside", h_entry_outside, LOAD_BAD_ENTRY, "e_entry (0x200000)", "outside", NULL},
    {"a.out fields cut", h_aout_cut, LOAD_TRUNCATED, "flag 16", "past the end", NULL},
};

static const struct hostile aout_cases[] = {
    {"header_addr < load_addr", a_header_below_load, LOAD_BAD_HEADER, "header_addr (0x1ffff0)",
     "below load_addr (0x200000)", NULL},
    {"header before file", a_header_before_file, LOAD_BAD_HEADER, "header_addr", "load_addr",
     "before the file"},
    {"load_end < load_addr", a_load_end_below, LOAD_BAD_HEADER, "load_end_addr (0x1ff000)",
     "below load_addr", NULL},
    {"load_end past file", a_load_end_past_file, LOAD_TRUNCATED, "load_end_addr (0x200200)",
     "past the end", NULL},
    {"bss_end < load_end", a_bss_below, LOAD_BAD_HEADER, "bss_end_addr (0x200080)", "below",
     NULL},
    {"address wraps", a_wraps, LOAD_BAD_HEADER, "load_addr (0xffffffc0)", "wraps", NULL},
    {"entry outside", a_entry_outside, LOAD_BAD_ENTRY, "entry_addr (0x203000)", "outside", NULL},
    {"outside RAM", a_outside_ram, LOAD_TOO_BIG, "the kernel", "outside RAM", NULL},
};

static void run_hostile(const struct hostile *h, struct img *im)
{
    h->make(im);
    enum load_status s = load(im, "", NULL, 0);
    ck_assert_msg(s == h->want, "%s: status %s (%d), want %s (%d); message \"%s\"", h->what,
                  load_status_name(s), s, load_status_name(h->want), h->want, err);
    assert_msg("kernel.elf", h->k1, h->k2, h->k3, NULL);
    ck_assert_msg(ram_untouched(), "%s: RAM was written", h->what);
}

START_TEST(hostile_elf)
{
    run_hostile(&elf_cases[_i], std_kernel());
}
END_TEST

START_TEST(hostile_aout)
{
    run_hostile(&aout_cases[_i], aout_kernel());
}
END_TEST

START_TEST(statuses_are_distinct_and_named)
{
    for (int a = LOAD_OK; a <= LOAD_BAD_ARGUMENT; a++) {
        ck_assert_str_ne(load_status_name((enum load_status)a), "unknown");
        for (int b = a + 1; b <= LOAD_BAD_ARGUMENT; b++)
            ck_assert_str_ne(load_status_name((enum load_status)a),
                             load_status_name((enum load_status)b));
    }
}
END_TEST

START_TEST(ram_size_outside_the_pc_map_is_refused)
{
    ck_assert_int_eq(multiboot_load(std_kernel()->b, std_kernel()->size, "kernel.elf", "", NULL, 0,
                                    ram, 0x100000, &bi, err, sizeof(err)),
                     LOAD_BAD_ARGUMENT);
    assert_msg("kernel.elf", "RAM", NULL);
    ck_assert_int_eq(multiboot_load(std_kernel()->b, std_kernel()->size, "kernel.elf", "", NULL, 0,
                                    ram, MULTIBOOT_RAM_MAX, &bi, err, sizeof(err)),
                     LOAD_BAD_ARGUMENT);
    ck_assert(ram_untouched());
}
END_TEST

/* Random corruption of a valid kernel: never a crash or an out-of-bounds
 * access (run under the sanitizers), always a named one-line error or a
 * load that stays inside RAM. */
START_TEST(random_corruption_never_escapes)
{
    uint32_t seed = 12345;
    for (int round = 0; round < 3000; round++) {
        struct img *im = (round & 1) ? std_kernel() : aout_kernel();
        int flips = 1 + round % 6;
        for (int f = 0; f < flips; f++) {
            seed = seed * 1103515245u + 12345u;
            size_t at = (seed >> 8) % (round & 1 ? 0x180 : 0x40); /* headers */
            seed = seed * 1103515245u + 12345u;
            im->b[at] ^= (uint8_t)(1u << ((seed >> 16) % 8));
            if ((round & 1) == 0) { /* keep the a.out checksum right half of the time */
                if (round % 4 == 0)
                    put32(im->b + 8, (uint32_t)-(get32(im->b) + get32(im->b + 4)));
            } else if (round % 4 == 1) {
                put32(im->b + MB_OFF + 8, (uint32_t)-(get32(im->b + MB_OFF) +
                                                      get32(im->b + MB_OFF + 4)));
            }
        }
        memset(ram, RAM_FILL, ram_size);
        err[0] = '\0';
        enum load_status s = load(im, "", NULL, 0);
        if (s == LOAD_OK) {
            ck_assert_uint_lt(bi.entry, ram_size);
            ck_assert_uint_le(bi.image_end, ram_size);
            ck_assert_uint_ge(bi.entry, bi.kernel_start);
            ck_assert_uint_lt(bi.entry, bi.kernel_end);
        } else {
            assert_msg("kernel.elf", NULL);
            ck_assert(ram_untouched());
        }
    }
}
END_TEST

/* ---- flat binaries --------------------------------------------------- */

START_TEST(flat_copies_the_file_and_enters_at_its_start)
{
    static const uint8_t code[] = {0xFA, 0xF4, 0xEB, 0xFD};
    ck_assert_int_eq(flat_load(code, sizeof(code), "boot.bin", FLAT_DEFAULT_LOAD_ADDR, ram,
                               ram_size, &bi, err, sizeof(err)),
                     LOAD_OK);
    ck_assert_mem_eq(ram + 0x100000, code, sizeof(code));
    ck_assert_uint_eq(ram[0x100004], RAM_FILL);
    ck_assert_uint_eq(bi.entry, 0x100000);
    ck_assert_uint_eq(bi.eax, 0);
    ck_assert_uint_eq(bi.ebx, 0);
    ck_assert_uint_eq(bi.kernel_end, 0x100004);
    ck_assert_int_eq(flat_load(code, sizeof(code), "boot.bin", 0x7C00, ram, ram_size, &bi, err,
                               sizeof(err)),
                     LOAD_OK);
    ck_assert_uint_eq(bi.entry, 0x7C00);
}
END_TEST

START_TEST(flat_refuses_what_does_not_fit)
{
    static uint8_t big[0x1000];
    ck_assert_int_eq(flat_load(big, sizeof(big), "boot.bin", RAM_4M - 0x800, ram, ram_size, &bi,
                               err, sizeof(err)),
                     LOAD_TOO_BIG);
    assert_msg("boot.bin", "outside RAM", "0x4007ff", NULL);
    ck_assert_int_eq(flat_load(big, sizeof(big), "boot.bin", 0xFFFFF800, ram, ram_size, &bi, err,
                               sizeof(err)),
                     LOAD_BAD_ARGUMENT);
    assert_msg("boot.bin", "load address 0xfffff800", NULL);
    ck_assert_int_eq(flat_load(big, 0, "empty.bin", 0x100000, ram, ram_size, &bi, err,
                               sizeof(err)),
                     LOAD_BAD_IMAGE);
    assert_msg("empty.bin", "empty", NULL);
    ck_assert(ram_untouched());
}
END_TEST

/* ---- ELF32 reading for symbols --------------------------------------- */

/* A file with sections: [0] null, [1] .symtab, [2] .strtab. */
static struct img *elf_with_symbols(void)
{
    static struct img im;
    memset(&im, 0, sizeof(im));
    elf_header(&im, 0, 0x100000);
    put32(im.b + 32, 0x400); /* e_shoff */
    put16(im.b + 46, ELF32_SHDR_SIZE);
    put16(im.b + 48, 3);
    static const char strtab[] = "\0start\0table\0tiny\0";
    memcpy(im.b + 0x300, strtab, sizeof(strtab));
    uint8_t *sym = im.b + 0x200;
    /* [0] null; [1] start FUNC 0x100000 size 0x20; [2] table OBJECT 0x100100 size 0x10;
     * [3] tiny FUNC 0x100040 size 0 */
    put32(sym + 16, 1), put32(sym + 20, 0x100000), put32(sym + 24, 0x20), sym[28] = 0x12,
        put16(sym + 30, 1);
    put32(sym + 32, 7), put32(sym + 36, 0x100100), put32(sym + 40, 0x10), sym[44] = 0x11,
        put16(sym + 46, 1);
    put32(sym + 48, 13), put32(sym + 52, 0x100040), put32(sym + 56, 0), sym[60] = 0x12,
        put16(sym + 62, 1);
    uint8_t *sh = im.b + 0x400;
    put32(sh + 40 + 4, ELF32_SHT_SYMTAB), put32(sh + 40 + 16, 0x200), put32(sh + 40 + 20, 64),
        put32(sh + 40 + 24, 2), put32(sh + 40 + 36, 16);
    put32(sh + 80 + 4, ELF32_SHT_STRTAB), put32(sh + 80 + 16, 0x300),
        put32(sh + 80 + 20, sizeof(strtab));
    im.size = 0x400 + 3 * ELF32_SHDR_SIZE;
    return &im;
}

START_TEST(elf32_symbol_lookup)
{
    struct img *im = elf_with_symbols();
    struct elf32_file f;
    struct elf32_symtab st;
    ck_assert_int_eq(elf32_open(&f, im->b, im->size, "k.elf", err, sizeof(err)), ELF32_OK);
    ck_assert_int_eq(elf32_symtab_open(&f, &st, err, sizeof(err)), ELF32_OK);
    ck_assert_uint_eq(st.count, 4);
    const char *name;
    uint32_t off;
    ck_assert_int_eq(elf32_symtab_lookup(&st, 0x100013, &name, &off), ELF32_OK);
    ck_assert_str_eq(name, "start");
    ck_assert_uint_eq(off, 0x13);
    ck_assert_int_eq(elf32_symtab_lookup(&st, 0x10010F, &name, &off), ELF32_OK);
    ck_assert_str_eq(name, "table");
    ck_assert_int_eq(elf32_symtab_lookup(&st, 0x100040, &name, &off), ELF32_OK);
    ck_assert_str_eq(name, "tiny");
    ck_assert_int_eq(elf32_symtab_lookup(&st, 0x100020, &name, &off), ELF32_NOT_FOUND);
    ck_assert_int_eq(elf32_symtab_lookup(&st, 0x100041, &name, &off), ELF32_NOT_FOUND);
}
END_TEST

START_TEST(elf32_hostile_section_tables)
{
    struct elf32_file f;
    struct elf32_symtab st;
    struct img *im = elf_with_symbols();
    put32(im->b + 0x400 + 40 + 20, 0x10000); /* symtab runs past the end */
    ck_assert_int_eq(elf32_open(&f, im->b, im->size, "k.elf", err, sizeof(err)), ELF32_OK);
    ck_assert_int_eq(elf32_symtab_open(&f, &st, err, sizeof(err)), ELF32_TRUNCATED);
    assert_msg("k.elf", "SHT_SYMTAB", "past the end", NULL);

    im = elf_with_symbols();
    put32(im->b + 0x400 + 40 + 24, 7); /* sh_link names no section */
    elf32_open(&f, im->b, im->size, "k.elf", err, sizeof(err));
    ck_assert_int_eq(elf32_symtab_open(&f, &st, err, sizeof(err)), ELF32_BAD_TABLE);
    assert_msg("k.elf", "sh_link (7)", NULL);

    im = elf_with_symbols();
    put32(im->b + 0x400 + 40 + 24, 1); /* linked to itself: not a string table */
    elf32_open(&f, im->b, im->size, "k.elf", err, sizeof(err));
    ck_assert_int_eq(elf32_symtab_open(&f, &st, err, sizeof(err)), ELF32_BAD_TABLE);
    assert_msg("k.elf", "not SHT_STRTAB", NULL);

    im = elf_with_symbols();
    put32(im->b + 0x200 + 16, 0x7FFFFFFF); /* a name offset outside the string table */
    elf32_open(&f, im->b, im->size, "k.elf", err, sizeof(err));
    ck_assert_int_eq(elf32_symtab_open(&f, &st, err, sizeof(err)), ELF32_OK);
    struct elf32_sym sym;
    const char *name = NULL;
    elf32_symtab_get(&st, 1, &sym, &name);
    ck_assert_str_eq(name, "");

    im = elf_with_symbols();
    put16(im->b + 48, 0x100); /* e_shnum runs past the end */
    ck_assert_int_eq(elf32_open(&f, im->b, im->size, "k.elf", err, sizeof(err)), ELF32_TRUNCATED);
    assert_msg("k.elf", "section header table", NULL);

    im = elf_with_symbols();
    put16(im->b + 48, 1); /* only the null section: stripped */
    elf32_open(&f, im->b, im->size, "k.elf", err, sizeof(err));
    ck_assert_int_eq(elf32_symtab_open(&f, &st, err, sizeof(err)), ELF32_NO_SYMTAB);
    assert_msg("k.elf", "no symbol table", NULL);
}
END_TEST

static Suite *loader_suite(void)
{
    Suite *s = suite_create("loader");
    TCase *tc = tcase_create("multiboot");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, elf_segments_load_at_paddr_with_bss_zeroed);
    tcase_add_test(tc, elf_higher_half_entry_moves_to_its_physical_address);
    tcase_add_test(tc, elf_entry_in_a_non_executable_segment_is_not_moved);
    tcase_add_test(tc, elf_empty_and_non_load_segments_are_skipped);
    tcase_add_test(tc, info_structure_fields);
    tcase_add_test(tc, info_cmdline_without_append_keeps_the_space);
    tcase_add_test(tc, info_memory_map_as_seabios_gives_it);
    tcase_add_test(tc, info_mem_upper_for_small_ram);
    tcase_add_test(tc, modules_page_aligned_after_the_info_area);
    tcase_add_test(tc, module_that_does_not_fit_is_named);
    tcase_add_test(tc, qemu_layout_elf_with_two_modules);
    tcase_add_test(tc, qemu_layout_aout_with_a_module);
    tcase_add_test(tc, info_moves_off_a_kernel_over_0x9000);
    tcase_add_test(tc, info_moves_off_a_module_over_0x9000);
    tcase_add_test(tc, boot_data_moves_past_the_video_area);
    tcase_add_test(tc, boot_data_moves_below_the_kernel_when_above_is_full);
    tcase_add_test(tc, aout_loads_text_data_and_zeroes_bss);
    tcase_add_test(tc, aout_header_inside_the_text_and_load_end_zero);
    tcase_add_test(tc, video_mode_flag_is_ignored);
    tcase_add_test(tc, header_search_rules);
    tcase_add_test(tc, disk_image_is_named_with_the_option_that_takes_it);
    tcase_add_test(tc, kernel_with_a_boot_signature_still_loads);
    tcase_add_loop_test(tc, hostile_elf, 0, (int)(sizeof(elf_cases) / sizeof(elf_cases[0])));
    tcase_add_loop_test(tc, hostile_aout, 0, (int)(sizeof(aout_cases) / sizeof(aout_cases[0])));
    tcase_add_test(tc, statuses_are_distinct_and_named);
    tcase_add_test(tc, ram_size_outside_the_pc_map_is_refused);
    tcase_add_test(tc, random_corruption_never_escapes);
    tcase_set_timeout(tc, 60);
    suite_add_tcase(s, tc);

    TCase *flat = tcase_create("flat");
    tcase_add_checked_fixture(flat, setup, teardown);
    tcase_add_test(flat, flat_copies_the_file_and_enters_at_its_start);
    tcase_add_test(flat, flat_refuses_what_does_not_fit);
    suite_add_tcase(s, flat);

    TCase *elf = tcase_create("elf32");
    tcase_add_checked_fixture(elf, setup, teardown);
    tcase_add_test(elf, elf32_symbol_lookup);
    tcase_add_test(elf, elf32_hostile_section_tables);
    suite_add_tcase(s, elf);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(loader_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
