/* Multiboot v1 and flat-binary loading into guest physical RAM (see
 * multiboot.h for the layout, and where it follows QEMU).  The work is in
 * two passes: plan (find and check every header, program header and address,
 * decide where each piece goes) and write.  Nothing is written to RAM until
 * the plan is complete, so a refused image leaves RAM as it was.  All address
 * arithmetic is 64-bit: a 32-bit field plus a 32-bit size cannot wrap. */
#include "loader/multiboot.h"

#include "loader/boot_sector.h"
#include "loader/elf32.h"
#include "loader/mb_place.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/text.h"

#define PAGE_SIZE 0x1000u
#define FOUR_GIB UINT64_C(0x100000000)

/* The header scan stops where a 48-byte header would run past 8 KiB, as
 * QEMU's does (Multiboot 3.1.1: the header lies within the first 8192
 * bytes, 32-bit aligned). */
#define MB_SCAN_END (MULTIBOOT_SEARCH_LIMIT - 48)

/* Offsets in the Multiboot header (3.1.2) */
#define MBH_MAGIC 0
#define MBH_FLAGS 4
#define MBH_CHECKSUM 8
#define MBH_HEADER_ADDR 12
#define MBH_LOAD_ADDR 16
#define MBH_LOAD_END_ADDR 20
#define MBH_BSS_END_ADDR 24
#define MBH_ENTRY_ADDR 28
#define MBH_AOUT_SIZE 32 /* the header up to and including entry_addr */

/* Offsets in the information structure (3.3) */
#define MBI_FLAGS 0
#define MBI_MEM_LOWER 4
#define MBI_MEM_UPPER 8
#define MBI_BOOT_DEVICE 12
#define MBI_CMDLINE 16
#define MBI_MODS_COUNT 20
#define MBI_MODS_ADDR 24
#define MBI_MMAP_LENGTH 44
#define MBI_MMAP_ADDR 48
#define MBI_LOADER_NAME 64

/* E820 types */
#define E820_RAM 1
#define E820_RESERVED 2

/* Physical ranges a kernel may not cover: 0xA0000 to 0xFFFFF is video
 * memory and ROM on a PC, not RAM the loader can fill. */
struct mb_region {
    uint64_t start, end; /* [start, end) */
    const char *what;
};

static const struct mb_region mb_reserved[] = {
    {MULTIBOOT_VIDEO_ROM_START, MULTIBOOT_VIDEO_ROM_END, "the video memory and ROM area"},
};

struct mb_mmap_entry {
    uint64_t base, length;
    uint32_t type;
};

/* One piece of the plan: a PT_LOAD segment. */
struct mb_segment {
    unsigned index; /* program header number */
    uint64_t paddr, filesz, memsz;
    uint32_t offset;
};

static uint32_t rd32(const uint8_t *p)
{
    return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) |
           ((uint32_t)p[3] << 24);
}

static void wr32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
    p[2] = (uint8_t)(v >> 16);
    p[3] = (uint8_t)(v >> 24);
}

static uint64_t page_align(uint64_t v)
{
    return (v + PAGE_SIZE - 1) & ~(uint64_t)(PAGE_SIZE - 1);
}

/* Finds the header: the first aligned magic whose checksum holds.  Returns
 * LOAD_OK with *offset, LOAD_BAD_CHECKSUM when magics were seen but none
 * summed to zero (*offset = the first of them), else LOAD_NOT_MULTIBOOT. */
static enum load_status mb_find_header(const uint8_t *image, size_t size, size_t *offset)
{
    bool seen_magic = false;
    for (size_t i = 0; i < MB_SCAN_END && i + 12 <= size; i += 4) {
        if (rd32(image + i + MBH_MAGIC) != MULTIBOOT_HEADER_MAGIC)
            continue;
        uint32_t sum = MULTIBOOT_HEADER_MAGIC + rd32(image + i + MBH_FLAGS) +
                       rd32(image + i + MBH_CHECKSUM);
        if (sum == 0) {
            *offset = i;
            return LOAD_OK;
        }
        if (!seen_magic)
            *offset = i;
        seen_magic = true;
    }
    return seen_magic ? LOAD_BAD_CHECKSUM : LOAD_NOT_MULTIBOOT;
}

bool multiboot_has_header(const uint8_t *image, size_t size)
{
    size_t offset;
    return image != NULL && mb_find_header(image, size, &offset) == LOAD_OK;
}

/* The memory map the PC BIOS reports for ram_size bytes of RAM below 4 GiB
 * (see multiboot.h).  Returns the number of entries. */
static int mb_build_mmap(uint64_t ram_size, struct mb_mmap_entry *e)
{
    int n = 0;
    e[n++] = (struct mb_mmap_entry){0, 0x9FC00, E820_RAM};
    e[n++] = (struct mb_mmap_entry){0x9FC00, 0x400, E820_RESERVED};
    e[n++] = (struct mb_mmap_entry){0xF0000, 0x10000, E820_RESERVED};
    uint64_t top = ram_size - MULTIBOOT_HIGH_RESERVED;
    e[n++] = (struct mb_mmap_entry){0x100000, top - 0x100000, E820_RAM};
    e[n++] = (struct mb_mmap_entry){top, MULTIBOOT_HIGH_RESERVED, E820_RESERVED};
    e[n++] = (struct mb_mmap_entry){0xFFFC0000, 0x40000, E820_RESERVED};
    return n;
}

/* mem_upper as QEMU's boot ROM computes it: the available KiB that extend
 * contiguously from 1 MiB, found by walking the map until nothing extends
 * the run (the map need not be ordered). */
static uint32_t mb_mem_upper(const struct mb_mmap_entry *e, int n)
{
    uint64_t end = 0x100000;
    bool grew = true;
    while (grew) {
        grew = false;
        for (int i = 0; i < n; i++) {
            if (e[i].type != E820_RAM || e[i].base >= FOUR_GIB)
                continue;
            if (e[i].base <= end && end < e[i].base + e[i].length) {
                end = e[i].base + e[i].length;
                grew = true;
            }
        }
    }
    return (uint32_t)((end - 0x100000) >> 10);
}

/* Checks that [start, end) lies in RAM and off the reserved areas; `what`
 * names the piece in the message ("program header 2", "module 1 (initrd)"). */
static enum load_status mb_check_range(uint64_t start, uint64_t end, size_t ram_size,
                                       const char *name, const char *what, char *err,
                                       size_t errlen)
{
    if (end > ram_size) {
        text_file_error(err, errlen, name,
                 "%s at 0x%llx-0x%llx lies outside RAM (0x%zx bytes, %zu MiB)", what,
                 (unsigned long long)start, (unsigned long long)(end - 1), ram_size,
                 ram_size >> 20);
        return LOAD_TOO_BIG;
    }
    for (size_t r = 0; r < sizeof(mb_reserved) / sizeof(mb_reserved[0]); r++) {
        const struct mb_region *z = &mb_reserved[r];
        if (start < z->end && z->start < end) {
            text_file_error(err, errlen, name, "%s at 0x%llx-0x%llx overlaps %s at 0x%llx-0x%llx", what,
                     (unsigned long long)start, (unsigned long long)(end - 1), z->what,
                     (unsigned long long)z->start, (unsigned long long)(z->end - 1));
            return LOAD_OVERLAP;
        }
    }
    return LOAD_OK;
}

static enum load_status mb_from_elf32(enum elf32_status s)
{
    switch (s) {
    case ELF32_OK: return LOAD_OK;
    case ELF32_TRUNCATED: return LOAD_TRUNCATED;
    case ELF32_BAD_SEGMENT: return LOAD_BAD_SEGMENT;
    default: return LOAD_BAD_IMAGE;
    }
}

static int mb_segment_cmp(const void *a, const void *b)
{
    const struct mb_segment *x = a, *y = b;
    return x->paddr < y->paddr ? -1 : x->paddr > y->paddr ? 1 : 0;
}

/* The plan for a kernel: where its bytes go and where it starts. */
struct mb_kernel {
    uint64_t load_addr;   /* lowest byte loaded */
    uint64_t kernel_size; /* to the end of the highest segment or bss */
    uint32_t entry;
    /* a.out kludge: one run of file bytes and zeros after it */
    uint64_t text_offset, load_size;
    /* ELF: the segments, sorted by address */
    struct mb_segment *segs;
    size_t nsegs;
};

/* The a.out kludge (3.1.3): the header's address fields say where the file
 * goes.  Checked in QEMU's order, then what QEMU leaves unchecked. */
static enum load_status mb_plan_aout(const uint8_t *image, size_t size, size_t hdr,
                                     const char *name, struct mb_kernel *k, char *err,
                                     size_t errlen)
{
    if (hdr + MBH_AOUT_SIZE > size) {
        text_file_error(err, errlen, name,
                 "Multiboot header at offset 0x%zx sets flag 16 (a.out kludge) but its address "
                 "fields run past the end of the file (0x%zx bytes)",
                 hdr, size);
        return LOAD_TRUNCATED;
    }
    uint32_t header_addr = rd32(image + hdr + MBH_HEADER_ADDR);
    uint32_t load_addr = rd32(image + hdr + MBH_LOAD_ADDR);
    uint32_t load_end_addr = rd32(image + hdr + MBH_LOAD_END_ADDR);
    uint32_t bss_end_addr = rd32(image + hdr + MBH_BSS_END_ADDR);
    uint32_t entry_addr = rd32(image + hdr + MBH_ENTRY_ADDR);

    /* header_addr is where the header itself lands: load_addr plus the
     * header's distance from the first byte loaded. */
    if (header_addr < load_addr) {
        text_file_error(err, errlen, name, "Multiboot header_addr (0x%x) is below load_addr (0x%x)",
                 header_addr, load_addr);
        return LOAD_BAD_HEADER;
    }
    if ((uint64_t)header_addr - load_addr > hdr) {
        text_file_error(err, errlen, name,
                 "Multiboot header_addr (0x%x) - load_addr (0x%x) = 0x%x exceeds the header's "
                 "offset in the file (0x%zx): loading would start before the file",
                 header_addr, load_addr, header_addr - load_addr, hdr);
        return LOAD_BAD_HEADER;
    }
    uint64_t text_offset = hdr - ((uint64_t)header_addr - load_addr);
    uint64_t load_size;
    if (load_end_addr != 0) {
        if (load_end_addr < load_addr) {
            text_file_error(err, errlen, name,
                     "Multiboot load_end_addr (0x%x) is below load_addr (0x%x)", load_end_addr,
                     load_addr);
            return LOAD_BAD_HEADER;
        }
        load_size = (uint64_t)load_end_addr - load_addr;
        if (text_offset + load_size > size) {
            text_file_error(err, errlen, name,
                     "Multiboot load_end_addr (0x%x) asks for 0x%llx bytes from file offset "
                     "0x%llx, past the end of the file (0x%zx bytes)",
                     load_end_addr, (unsigned long long)load_size,
                     (unsigned long long)text_offset, size);
            return LOAD_TRUNCATED;
        }
    } else {
        load_size = size - text_offset; /* load_end_addr 0: to the end of the file */
    }
    if (load_addr + load_size > FOUR_GIB) {
        text_file_error(err, errlen, name,
                 "Multiboot load_addr (0x%x) + 0x%llx bytes wraps past 4 GiB", load_addr,
                 (unsigned long long)load_size);
        return LOAD_BAD_HEADER;
    }
    uint64_t kernel_size = load_size;
    if (bss_end_addr != 0) {
        if (bss_end_addr < load_addr + load_size) {
            text_file_error(err, errlen, name,
                     "Multiboot bss_end_addr (0x%x) is below the end of the loaded text and "
                     "data (0x%llx)",
                     bss_end_addr, (unsigned long long)(load_addr + load_size));
            return LOAD_BAD_HEADER;
        }
        kernel_size = (uint64_t)bss_end_addr - load_addr;
    }
    if (entry_addr < load_addr || entry_addr >= load_addr + kernel_size) {
        text_file_error(err, errlen, name,
                 "Multiboot entry_addr (0x%x) lies outside the loaded kernel 0x%x-0x%llx",
                 entry_addr, load_addr, (unsigned long long)(load_addr + kernel_size) - 1);
        return LOAD_BAD_ENTRY;
    }
    k->load_addr = load_addr;
    k->kernel_size = kernel_size;
    k->entry = entry_addr;
    k->text_offset = text_offset;
    k->load_size = load_size;
    return LOAD_OK;
}

/* An ELF kernel: PT_LOAD segments at p_paddr, as QEMU's load_elf places
 * them (ELF gABI "Program Header"). */
static enum load_status mb_plan_elf(const uint8_t *image, size_t size, size_t hdr,
                                    const char *name, size_t ram_size, struct mb_kernel *k,
                                    char *err, size_t errlen)
{
    if (!elf32_is_elf(image, size)) {
        text_file_error(err, errlen, name,
                 "Multiboot header at offset 0x%zx leaves flag 16 (a.out kludge) clear, so the "
                 "file must be ELF, but it has no \\x7fELF magic",
                 hdr);
        return LOAD_BAD_IMAGE;
    }
    struct elf32_file f;
    enum elf32_status es = elf32_open(&f, image, size, name, err, errlen);
    if (es == ELF32_OK)
        es = elf32_check_i386_exec(&f, err, errlen);
    if (es != ELF32_OK)
        return mb_from_elf32(es);

    unsigned phnum = f.ehdr.phnum;
    k->segs = calloc(phnum ? phnum : 1, sizeof(*k->segs));
    if (k->segs == NULL) {
        text_file_error(err, errlen, name, "out of host memory for %u program headers", phnum);
        return LOAD_TOO_BIG;
    }
    uint32_t entry = f.ehdr.entry;
    for (unsigned i = 0; i < phnum; i++) {
        struct elf32_phdr ph;
        elf32_get_phdr(&f, i, &ph);
        es = elf32_check_phdr(&f, i, &ph, err, errlen);
        if (es != ELF32_OK)
            return mb_from_elf32(es);
        if (ph.type != ELF32_PT_LOAD || ph.memsz == 0)
            continue; /* QEMU places no bytes for an empty segment either */
        char what[48];
        snprintf(what, sizeof(what), "program header %u", i);
        enum load_status ls =
            mb_check_range(ph.paddr, (uint64_t)ph.paddr + ph.memsz, ram_size, name, what, err,
                           errlen);
        if (ls != LOAD_OK)
            return ls;
        /* e_entry is a virtual address; in an executable segment linked at a
         * virtual address other than its physical one it is moved with the
         * segment, as QEMU's ELF loader does. */
        if (ph.vaddr != ph.paddr && (ph.flags & ELF32_PF_X) && f.ehdr.entry >= ph.vaddr &&
            (uint64_t)f.ehdr.entry < (uint64_t)ph.vaddr + ph.filesz)
            entry = f.ehdr.entry - ph.vaddr + ph.paddr;
        k->segs[k->nsegs++] = (struct mb_segment){i, ph.paddr, ph.filesz, ph.memsz, ph.offset};
    }
    if (k->nsegs == 0) {
        text_file_error(err, errlen, name, "no PT_LOAD program header with p_memsz > 0 (%u headers)",
                 phnum);
        return LOAD_NO_SEGMENTS;
    }
    qsort(k->segs, k->nsegs, sizeof(*k->segs), mb_segment_cmp);
    for (size_t i = 1; i < k->nsegs; i++) {
        const struct mb_segment *a = &k->segs[i - 1], *b = &k->segs[i];
        if (a->paddr + a->memsz > b->paddr) {
            text_file_error(err, errlen, name,
                     "program headers %u (0x%llx-0x%llx) and %u (0x%llx-0x%llx) overlap in "
                     "physical memory",
                     a->index, (unsigned long long)a->paddr,
                     (unsigned long long)(a->paddr + a->memsz - 1), b->index,
                     (unsigned long long)b->paddr, (unsigned long long)(b->paddr + b->memsz - 1));
            return LOAD_BAD_SEGMENT;
        }
    }
    bool entry_in = false;
    for (size_t i = 0; i < k->nsegs && !entry_in; i++)
        entry_in = entry >= k->segs[i].paddr && entry < k->segs[i].paddr + k->segs[i].memsz;
    if (!entry_in) {
        if (entry != f.ehdr.entry)
            text_file_error(err, errlen, name,
                     "entry point 0x%x (e_entry 0x%x, moved to its physical address) lies "
                     "outside every loaded segment",
                     entry, f.ehdr.entry);
        else
            text_file_error(err, errlen, name, "e_entry (0x%x) lies outside every loaded segment",
                     entry);
        return LOAD_BAD_ENTRY;
    }
    const struct mb_segment *last = &k->segs[k->nsegs - 1];
    k->load_addr = k->segs[0].paddr;
    k->kernel_size = last->paddr + last->memsz - k->load_addr;
    k->entry = entry;
    return LOAD_OK;
}

static enum load_status mb_load(const uint8_t *image, size_t size, const char *image_name,
                               const char *cmdline, const struct mb_module *mods, size_t nmods,
                               uint8_t *ram, size_t ram_size, struct boot_info *out, char *err,
                               size_t errlen)
{
    const char *name = image_name ? image_name : "(image)";
    if (cmdline == NULL)
        cmdline = "";
    if (err && errlen)
        err[0] = '\0';

    if (ram_size < MULTIBOOT_RAM_MIN || ram_size >= MULTIBOOT_RAM_MAX) {
        text_file_error(err, errlen, name,
                 "RAM of 0x%zx bytes is outside what the PC memory map can describe "
                 "(0x%x bytes up to, not including, 0x%x)",
                 ram_size, MULTIBOOT_RAM_MIN, MULTIBOOT_RAM_MAX);
        return LOAD_BAD_ARGUMENT;
    }

    size_t hdr = 0;
    enum load_status st = mb_find_header(image, size, &hdr);
    if (st == LOAD_NOT_MULTIBOOT) {
        text_file_error(err, errlen, name, "no Multiboot header (magic 0x1BADB002) in the first %d bytes",
                 MULTIBOOT_SEARCH_LIMIT);
        return st;
    }
    if (st == LOAD_BAD_CHECKSUM) {
        uint32_t flags = rd32(image + hdr + MBH_FLAGS);
        uint32_t sum = rd32(image + hdr + MBH_CHECKSUM);
        text_file_error(err, errlen, name,
                 "Multiboot header at offset 0x%zx: checksum (0x%08x) is wrong: magic + flags "
                 "(0x%08x) + checksum = 0x%08x, must be 0",
                 hdr, sum, flags, (uint32_t)(MULTIBOOT_HEADER_MAGIC + flags + sum));
        return st;
    }
    uint32_t flags = rd32(image + hdr + MBH_FLAGS);

    /* ---- plan: the kernel ---- */
    struct mb_kernel k = {0};
    if (flags & MULTIBOOT_HF_AOUT_KLUDGE) {
        st = mb_plan_aout(image, size, hdr, name, &k, err, errlen);
        if (st == LOAD_OK)
            st = mb_check_range(k.load_addr, k.load_addr + k.kernel_size, ram_size, name,
                                "the kernel (load_addr to bss_end_addr)", err, errlen);
    } else {
        st = mb_plan_elf(image, size, hdr, name, ram_size, &k, err, errlen);
        /* QEMU copies the span from the lowest segment to the highest in one
         * piece, gaps included, so it may not straddle the video area. */
        if (st == LOAD_OK)
            st = mb_check_range(k.load_addr, k.load_addr + k.kernel_size, ram_size, name,
                                "the kernel's span (its segments and the gaps between them)",
                                err, errlen);
    }
    if (st != LOAD_OK) {
        free(k.segs);
        return st;
    }

    /* ---- plan: the boot loader's data (mb_place.h) ---- */
    uint64_t base = k.load_addr;
    size_t npieces = (flags & MULTIBOOT_HF_AOUT_KLUDGE) ? 1 : k.nsegs;
    struct mb_range *pieces = calloc(npieces, sizeof(*pieces));
    uint64_t *mod_addr = calloc(nmods ? nmods : 1, sizeof(*mod_addr));
    if (pieces == NULL || mod_addr == NULL) {
        text_file_error(err, errlen, name, "out of host memory for %zu modules", nmods);
        free(k.segs);
        free(pieces);
        free(mod_addr);
        return LOAD_TOO_BIG;
    }
    if (flags & MULTIBOOT_HF_AOUT_KLUDGE)
        pieces[0] = (struct mb_range){base, base + k.kernel_size};
    for (size_t i = 0; !(flags & MULTIBOOT_HF_AOUT_KLUDGE) && i < k.nsegs; i++)
        pieces[i] = (struct mb_range){k.segs[i].paddr, k.segs[i].paddr + k.segs[i].memsz};
    uint64_t cmdline_len = strlen(name) + 1 + strlen(cmdline) + 1;
    for (size_t i = 0; i < nmods; i++)
        cmdline_len += strlen(mods[i].cmdline ? mods[i].cmdline : mods[i].name) + 1;
    struct mb_mmap_entry mm[MULTIBOOT_MMAP_MAX_ENTRIES];
    int nmm = mb_build_mmap(ram_size, mm);
    uint64_t mmap_size = (uint64_t)nmm * MULTIBOOT_MMAP_ENTRY_SIZE;
    struct mb_place_request req = {
        .kernel = pieces,
        .nkernel = npieces,
        .qemu_start = base + page_align(k.kernel_size),
        .ram_size = ram_size,
        .mods = mods,
        .nmods = nmods,
        .strings_size = cmdline_len + sizeof(MULTIBOOT_LOADER_NAME),
        .info_size = mmap_size + MULTIBOOT_INFO_SIZE,
        .name = name,
    };
    struct mb_place pl = {.mod = mod_addr};
    st = mb_place_boot_data(&req, &pl, err, errlen);
    free(pieces);
    if (st != LOAD_OK) {
        free(k.segs);
        free(mod_addr);
        return st;
    }

    /* ---- write: nothing below can fail ----
     * The kernel's span, gaps between segments and the rest of its last
     * page included, is zeroed first, as QEMU copies it in one piece; then
     * the pages of the boot data and modules. */
    uint64_t span_end = base + page_align(k.kernel_size);
    if (span_end > ram_size)
        span_end = ram_size;
    memset(ram + base, 0, (size_t)(span_end - base));
    memset(ram + pl.list, 0, (size_t)(pl.end - pl.list));
    if (flags & MULTIBOOT_HF_AOUT_KLUDGE) {
        memcpy(ram + base, image + k.text_offset, (size_t)k.load_size);
    } else {
        for (size_t i = 0; i < k.nsegs; i++)
            memcpy(ram + k.segs[i].paddr, image + k.segs[i].offset, (size_t)k.segs[i].filesz);
    }

    /* [list] module list, module command lines, kernel command line
     * ("IMAGE APPEND"), loader name; each module on its own page. */
    uint64_t str = pl.list + (uint64_t)nmods * MULTIBOOT_MOD_ENTRY_SIZE;
    for (size_t i = 0; i < nmods; i++) {
        const char *mc = mods[i].cmdline ? mods[i].cmdline : mods[i].name;
        size_t len = strlen(mc) + 1;
        memcpy(ram + str, mc, len);
        if (mods[i].size)
            memcpy(ram + mod_addr[i], mods[i].data, mods[i].size);
        uint8_t *ent = ram + pl.list + i * MULTIBOOT_MOD_ENTRY_SIZE;
        wr32(ent + 0, (uint32_t)mod_addr[i]);                  /* mod_start */
        wr32(ent + 4, (uint32_t)(mod_addr[i] + mods[i].size)); /* mod_end */
        wr32(ent + 8, (uint32_t)str);                          /* string */
        wr32(ent + 12, 0);                                     /* reserved */
        str += len;
    }
    uint64_t kcmd = str;
    size_t nlen = strlen(name), clen = strlen(cmdline);
    memcpy(ram + kcmd, name, nlen);
    ram[kcmd + nlen] = ' ';
    memcpy(ram + kcmd + nlen + 1, cmdline, clen + 1);
    uint64_t loader = kcmd + nlen + 1 + clen + 1;
    memcpy(ram + loader, MULTIBOOT_LOADER_NAME, sizeof(MULTIBOOT_LOADER_NAME));

    /* The memory map, each entry preceded by its size (3.3: the size field
     * sits at offset -4 from the entry); the structure after it. */
    uint64_t mmap_addr = pl.info_area;
    uint64_t mbi_addr = pl.info_moved ? mmap_addr + mmap_size : MULTIBOOT_INFO_ADDR;
    if (!pl.info_moved)
        memset(ram + MULTIBOOT_MMAP_ADDR, 0, MULTIBOOT_INFO_ADDR - MULTIBOOT_MMAP_ADDR);
    for (int i = 0; i < nmm; i++) {
        uint8_t *p = ram + mmap_addr + (size_t)i * MULTIBOOT_MMAP_ENTRY_SIZE;
        wr32(p, 20);
        wr32(p + 4, (uint32_t)mm[i].base);
        wr32(p + 8, (uint32_t)(mm[i].base >> 32));
        wr32(p + 12, (uint32_t)mm[i].length);
        wr32(p + 16, (uint32_t)(mm[i].length >> 32));
        wr32(p + 20, mm[i].type);
    }

    uint8_t *mbi = ram + mbi_addr;
    memset(mbi, 0, MULTIBOOT_INFO_SIZE);
    wr32(mbi + MBI_FLAGS, MULTIBOOT_INFO_MEMORY | MULTIBOOT_INFO_BOOTDEV | MULTIBOOT_INFO_CMDLINE |
                              MULTIBOOT_INFO_MODS | MULTIBOOT_INFO_MMAP |
                              MULTIBOOT_INFO_LOADER_NAME);
    wr32(mbi + MBI_MEM_LOWER, MULTIBOOT_MEM_LOWER_KB);
    wr32(mbi + MBI_MEM_UPPER, mb_mem_upper(mm, nmm));
    wr32(mbi + MBI_BOOT_DEVICE, MULTIBOOT_BOOT_DEVICE);
    wr32(mbi + MBI_CMDLINE, (uint32_t)kcmd);
    wr32(mbi + MBI_MODS_COUNT, (uint32_t)nmods);
    wr32(mbi + MBI_MODS_ADDR, (uint32_t)pl.list);
    wr32(mbi + MBI_MMAP_LENGTH, (uint32_t)mmap_size);
    wr32(mbi + MBI_MMAP_ADDR, (uint32_t)mmap_addr);
    wr32(mbi + MBI_LOADER_NAME, (uint32_t)loader);

    /* Multiboot 3.2: EAX holds the boot magic, EBX the information structure. */
    uint64_t end = pl.end > span_end ? pl.end : span_end;
    *out = (struct boot_info){
        .entry = k.entry,
        .eax = MULTIBOOT_BOOT_MAGIC,
        .ebx = (uint32_t)mbi_addr,
        .kernel_start = (uint32_t)k.load_addr,
        .kernel_end = (uint32_t)(k.load_addr + k.kernel_size),
        .image_end = (uint32_t)end,
        .header_flags = flags,
        .header_offset = (uint32_t)hdr,
    };
    free(k.segs);
    free(mod_addr);
    return LOAD_OK;
}

enum load_status multiboot_load(const uint8_t *image, size_t size, const char *image_name,
                                const char *cmdline, const struct mb_module *mods, size_t nmods,
                                uint8_t *ram, size_t ram_size, struct boot_info *out, char *err,
                                size_t errlen)
{
    enum load_status st = mb_load(image, size, image_name, cmdline, mods, nmods, ram, ram_size,
                                  out, err, errlen);
    /* A disk image may carry a kernel with a Multiboot header inside it
     * (xv6.img does, 4 KiB into its kernel): what it is matters more than
     * why that header does not load.  One that loads is booted, as QEMU's
     * -kernel would. */
    if (st != LOAD_OK && st != LOAD_BAD_ARGUMENT && boot_sector_is_disk_image(image, size)) {
        boot_sector_explain(image_name, err, errlen);
        st = LOAD_DISK_IMAGE;
    }
    return st;
}

enum load_status flat_load(const uint8_t *image, size_t size, const char *image_name,
                           uint32_t load_addr, uint8_t *ram, size_t ram_size,
                           struct boot_info *out, char *err, size_t errlen)
{
    const char *name = image_name ? image_name : "(image)";
    if (err && errlen)
        err[0] = '\0';
    if (size == 0) {
        text_file_error(err, errlen, name, "the image is empty");
        return LOAD_BAD_IMAGE;
    }
    if ((uint64_t)load_addr >= ram_size) {
        text_file_error(err, errlen, name, "load address 0x%x lies outside RAM (0x%zx bytes)", load_addr,
                 ram_size);
        return LOAD_BAD_ARGUMENT;
    }
    if ((uint64_t)load_addr + size > ram_size) {
        text_file_error(err, errlen, name,
                 "0x%zx bytes loaded at 0x%x end at 0x%llx, outside RAM (0x%zx bytes, %zu MiB)",
                 size, load_addr, (unsigned long long)load_addr + size - 1, ram_size,
                 ram_size >> 20);
        return LOAD_TOO_BIG;
    }
    memcpy(ram + load_addr, image, size);
    *out = (struct boot_info){
        .entry = load_addr,
        .kernel_start = load_addr,
        .kernel_end = (uint32_t)(load_addr + size),
        .image_end = (uint32_t)(load_addr + size),
    };
    return LOAD_OK;
}

const char *load_status_name(enum load_status s)
{
    switch (s) {
    case LOAD_OK: return "ok";
    case LOAD_NOT_MULTIBOOT: return "no Multiboot header";
    case LOAD_BAD_CHECKSUM: return "bad Multiboot checksum";
    case LOAD_BAD_HEADER: return "bad Multiboot header";
    case LOAD_BAD_IMAGE: return "not an ELF32 i386 executable";
    case LOAD_TRUNCATED: return "truncated file";
    case LOAD_BAD_SEGMENT: return "bad program header";
    case LOAD_NO_SEGMENTS: return "nothing to load";
    case LOAD_BAD_ENTRY: return "entry point outside the image";
    case LOAD_TOO_BIG: return "does not fit in RAM";
    case LOAD_OVERLAP: return "overlaps a reserved area";
    case LOAD_DISK_IMAGE: return "a disk image";
    case LOAD_BAD_ARGUMENT: return "bad load argument";
    }
    return "unknown";
}
