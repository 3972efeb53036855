/* Loading a boot image into guest physical RAM (a host buffer, no engine):
 * Multiboot v1 kernels with their modules, the way qemu-system-i386 7.2's
 * `-kernel`/`-initrd`/`-append` does, and flat binaries.
 *
 * Multiboot, as QEMU does it (Multiboot Specification 0.6.96, sections 3.1
 * and 3.3; QEMU hw/i386/multiboot.c and its option ROM):
 *   - the header is the first 4-byte aligned magic 0x1BADB002 whose checksum
 *     holds, starting below offset 8144 (8192 - 48);
 *   - header flag 16 (a.out kludge) set: the file is loaded from its header's
 *     addresses; clear: the file must be an ELF32 i386 executable, whose
 *     PT_LOAD segments go to p_paddr, and whose e_entry is turned into a
 *     physical address when it lies in an executable segment whose p_vaddr
 *     differs from its p_paddr;
 *   - every other header flag is accepted and ignored (flag 2, a video mode
 *     request, included: QEMU only warns);
 *   - after the kernel, at the next page boundary: the module list (16 bytes
 *     a module), then the modules' command lines, the kernel's command line
 *     ("IMAGE_NAME APPEND", with the space even when APPEND is empty), the
 *     boot loader name; then each module at the next page boundary;
 *   - the memory map at 0x9000 (one 4-byte size field before each 20-byte
 *     entry), the information structure (88 bytes) at 0x9500;
 *   - EAX = 0x2BADB002, EBX = the information structure, EIP = the entry
 *     point.
 * These are QEMU's places; mb_place.h says where things go when one of them
 * is not free (QEMU writes there anyway).
 * Where ringlab departs from QEMU:
 *   - the boot loader name is "ringlab", not "qemu" (its string sits where
 *     QEMU's does; being 3 bytes longer it can move the first module one
 *     page up when the strings end within 3 bytes of a page boundary);
 *   - the information structure, the memory map, the module list, the
 *     command lines and the modules never cover the kernel or one another
 *     (QEMU's boot ROM writes the structure and the map at 0x9000 and then
 *     copies a kernel loaded there over them): see mb_place.h;
 *   - it refuses, with one line of text saying why, images QEMU loads
 *     wrongly or without a word: an entry point outside what is loaded,
 *     anything outside RAM or over the video/ROM area, PT_LOAD segments
 *     that overlap (QEMU silently drops the bss of the lower one when its
 *     bss runs into the next);
 *   - a PT_LOAD segment with p_memsz 0 is skipped; QEMU counts its address
 *     in the kernel's extent, and fails to boot when it lies above the
 *     other segments ("Error while fetching elf kernel from rom").
 * The command line carries image_name as given, as QEMU's carries the
 * -kernel path as typed.
 *
 * Memory map given for RAM of ram_size bytes, as SeaBIOS gives it to QEMU's
 * boot ROM through INT 15h E820 (measured under QEMU 7.2 / SeaBIOS 1.16.2
 * with -m 2M to 3000M):
 *   0x00000000 - 0x0009FBFF  available (conventional memory)
 *   0x0009FC00 - 0x0009FFFF  reserved  (extended BIOS data area)
 *   0x000F0000 - 0x000FFFFF  reserved  (system BIOS)
 *   0x00100000 - top - 128K  available
 *   top - 128K - top         reserved  (SeaBIOS's high tables)
 *   0xFFFC0000 - 0xFFFFFFFF  reserved  (BIOS ROM)
 * mem_lower = 639 (INT 12h), mem_upper = the available KiB from 1 MiB up to
 * the first hole, (ram_size - 128 KiB - 1 MiB) / 1024. */
#ifndef RINGLAB_MULTIBOOT_H
#define RINGLAB_MULTIBOOT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MULTIBOOT_HEADER_MAGIC 0x1BADB002u
#define MULTIBOOT_BOOT_MAGIC 0x2BADB002u /* in EAX at the entry point */
#define MULTIBOOT_SEARCH_LIMIT 8192      /* the header lies in the first 8 KiB */

/* Header flags (Multiboot 0.6.96, 3.1.2) */
#define MULTIBOOT_HF_PAGE_ALIGN (1u << 0)
#define MULTIBOOT_HF_MEMORY_INFO (1u << 1)
#define MULTIBOOT_HF_VIDEO_MODE (1u << 2)
#define MULTIBOOT_HF_AOUT_KLUDGE (1u << 16)

/* Information structure flags (3.3) that ringlab sets, as QEMU does */
#define MULTIBOOT_INFO_MEMORY (1u << 0)
#define MULTIBOOT_INFO_BOOTDEV (1u << 1)
#define MULTIBOOT_INFO_CMDLINE (1u << 2)
#define MULTIBOOT_INFO_MODS (1u << 3)
#define MULTIBOOT_INFO_MMAP (1u << 6)
#define MULTIBOOT_INFO_LOADER_NAME (1u << 9)

/* Where the boot ROM builds its tables (QEMU's MULTIBOOT_STRUCT_ADDR). */
#define MULTIBOOT_MMAP_ADDR 0x9000u
#define MULTIBOOT_INFO_ADDR 0x9500u
#define MULTIBOOT_INFO_SIZE 88u
#define MULTIBOOT_MMAP_ENTRY_SIZE 24u /* the size field and a 20-byte E820 entry */
#define MULTIBOOT_MMAP_MAX_ENTRIES 6
#define MULTIBOOT_MOD_ENTRY_SIZE 16u
#define MULTIBOOT_BOOT_DEVICE 0x8000FFFFu /* first BIOS hard disk, no partition */
#define MULTIBOOT_MEM_LOWER_KB 639u
#define MULTIBOOT_HIGH_RESERVED 0x20000u /* what SeaBIOS keeps at the top of RAM */
#define MULTIBOOT_LOADER_NAME "ringlab"
/* A PC's video memory and ROM: no kernel byte or module goes there. */
#define MULTIBOOT_VIDEO_ROM_START 0xA0000u
#define MULTIBOOT_VIDEO_ROM_END 0x100000u

/* RAM sizes the PC memory map above describes: at least 1 MiB + SeaBIOS's
 * 128 KiB + a page, and below 0xE0000000, where QEMU's PC starts to move
 * part of RAM above 4 GiB (measured: -m 3584 gives RAM to 0xBFFFFFFF and
 * from 4 GiB, and a seventh map entry). */
#define MULTIBOOT_RAM_MIN 0x121000u
#define MULTIBOOT_RAM_MAX 0xE0000000u

#define FLAT_DEFAULT_LOAD_ADDR 0x100000u

/* A module, as one entry of QEMU's -initrd "path1 args,path2".  cmdline is
 * the string the kernel sees: QEMU passes the whole "path1 args" text; NULL
 * means `name`.  name is used in messages. */
struct mb_module {
    const char *name;
    const char *cmdline;
    const uint8_t *data;
    size_t size;
};

/* The state the machine starts the CPU in (flat 32-bit protected mode, paging
 * off, is the machine's job), and where things went.  Addresses physical. */
struct boot_info {
    uint32_t entry; /* EIP */
    uint32_t eax;   /* 0x2BADB002 for Multiboot, 0 for a flat binary */
    uint32_t ebx;   /* the information structure; 0 for a flat binary */
    uint32_t kernel_start; /* first byte of the kernel (lowest segment) */
    uint32_t kernel_end;   /* one past its last byte, bss included */
    uint32_t image_end;    /* one past the highest page written: kernel, boot data, modules */
    uint32_t header_flags; /* the Multiboot header's flags (0 for a flat binary) */
    uint32_t header_offset; /* where in the file the Multiboot header was */
};

enum load_status {
    LOAD_OK = 0,
    LOAD_NOT_MULTIBOOT, /* no Multiboot header (use flat_load) */
    LOAD_BAD_CHECKSUM,  /* a Multiboot magic, but no checksum holds */
    LOAD_BAD_HEADER,    /* the a.out kludge addresses contradict each other */
    LOAD_BAD_IMAGE,     /* not an ELF32 i386 executable, or an empty flat image */
    LOAD_TRUNCATED,     /* a header, table or segment lies past the end of the file */
    LOAD_BAD_SEGMENT,   /* a program header contradicts itself, or two overlap */
    LOAD_NO_SEGMENTS,   /* no PT_LOAD segment with bytes in it */
    LOAD_BAD_ENTRY,     /* the entry point lies outside everything loaded */
    LOAD_TOO_BIG,       /* something does not fit in RAM */
    LOAD_OVERLAP,       /* something covers the video/ROM area, or no free place is left */
    LOAD_DISK_IMAGE,    /* a disk image with a boot sector, not a kernel (no disks yet) */
    LOAD_BAD_ARGUMENT,  /* a RAM size or load address the loader cannot serve */
};

/* True when a Multiboot header with a valid checksum lies in the first 8 KiB. */
bool multiboot_has_header(const uint8_t *image, size_t size);

/* Loads a Multiboot kernel and its modules into ram[0, ram_size) and fills
 * *out.  All checks are made before the first byte of RAM is written, so on
 * failure RAM is untouched and err holds one line naming the file and the
 * field at fault.  LOAD_NOT_MULTIBOOT means the caller may try flat_load; any
 * other failure is final (LOAD_DISK_IMAGE: a boot-sector disk image that
 * does not load as a Multiboot kernel).  cmdline is the -append text (NULL
 * as ""). */
enum load_status multiboot_load(const uint8_t *image, size_t size, const char *image_name,
                                const char *cmdline, const struct mb_module *mods, size_t nmods,
                                uint8_t *ram, size_t ram_size, struct boot_info *out, char *err,
                                size_t errlen);

/* Copies a flat binary to load_addr; entry = load_addr, EAX = EBX = 0. */
enum load_status flat_load(const uint8_t *image, size_t size, const char *image_name,
                           uint32_t load_addr, uint8_t *ram, size_t ram_size,
                           struct boot_info *out, char *err, size_t errlen);

const char *load_status_name(enum load_status s);

#endif
