/* multiboot.h — the Multiboot v1 information block the boot loader leaves
 * for the kernel (its physical address arrives in EBX). Only the fields this
 * kernel reads are named. */
#ifndef MULTIBOOT_H
#define MULTIBOOT_H

#define MULTIBOOT_BOOTLOADER_MAGIC 0x2BADB002u /* in EAX at entry */
#define MB_INFO_MEMORY             0x001       /* mem_lower/mem_upper are valid */
#define MB_INFO_MODS               0x008       /* mods_count/mods_addr are valid */

struct multiboot_info {
    uint32_t flags;
    uint32_t mem_lower; /* KiB of RAM below 1 MiB */
    uint32_t mem_upper; /* KiB of RAM from 1 MiB up to the first hole */
    uint32_t boot_device;
    uint32_t cmdline;
    uint32_t mods_count; /* modules loaded with the kernel: the initrd */
    uint32_t mods_addr;  /* physical address of the module list */
};

struct multiboot_module {
    uint32_t mod_start; /* physical address of the first byte */
    uint32_t mod_end;   /* physical address one past the last byte */
    uint32_t string;
    uint32_t reserved;
};

#endif
