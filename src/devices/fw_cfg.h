/* QEMU's firmware configuration device, as x86 guests find it: a 16-bit
 * selector at port 0x510 and an 8-bit data port at 0x511 (QEMU's
 * docs/specs/fw_cfg.rst).  Selecting an item rewinds it; each data read
 * returns its next byte, then 0 past its end.  Items are byte strings
 * under a 16-bit key; "file" items also have a name in the file directory
 * (key 0x19), sorted by name with keys from 0x20 in that order, as QEMU
 * assigns them.  The DMA interface is not there: the ID item says so. */
#ifndef RINGLAB_FW_CFG_H
#define RINGLAB_FW_CFG_H

#include <stdbool.h>
#include <stdint.h>

#include "devices/bus.h"

#define FW_CFG_PORT_SELECTOR 0x510
#define FW_CFG_PORT_DATA 0x511

/* Keys (QEMU's include/standard-headers/linux/qemu_fw_cfg.h). */
enum {
    FW_CFG_SIGNATURE = 0x00,
    FW_CFG_ID = 0x01,
    FW_CFG_UUID = 0x02,
    FW_CFG_RAM_SIZE = 0x03,
    FW_CFG_NOGRAPHIC = 0x04,
    FW_CFG_NB_CPUS = 0x05,
    FW_CFG_MAX_CPUS = 0x0F,
    FW_CFG_FILE_DIR = 0x19,
    FW_CFG_FILE_FIRST = 0x20,
    FW_CFG_WRITE_CHANNEL = 0x4000,
    FW_CFG_ARCH_LOCAL = 0x8000,
    FW_CFG_IRQ0_OVERRIDE = 0x8002,
    FW_CFG_E820_TABLE = 0x8003, /* the legacy table: reservations only */
};

#define FW_CFG_MAX_ITEMS 32
#define FW_CFG_NAME_SIZE 56

/* One E820 range (ACPI 6.4 15.1: 20 bytes in the table). */
struct e820_range {
    uint64_t base, length;
    uint32_t type; /* 1 usable RAM, 2 reserved, 3 ACPI, 4 NVS */
};

struct fw_cfg_item {
    uint16_t key;
    char name[FW_CFG_NAME_SIZE]; /* "" for items outside the directory */
    uint8_t *data;
    uint32_t size;
};

struct fw_cfg {
    struct fw_cfg_item items[FW_CFG_MAX_ITEMS];
    int nitems;
    uint16_t selector;
    const struct fw_cfg_item *current; /* NULL: no such item, reads 0 */
    uint32_t offset;
};

void fw_cfg_init(struct fw_cfg *f);
void fw_cfg_free(struct fw_cfg *f);
/* Adds (or replaces) an item with a copy of the bytes.  false when the
 * table is full, the name is too long or host memory ran out. */
bool fw_cfg_add_bytes(struct fw_cfg *f, uint16_t key, const void *data, uint32_t size);
bool fw_cfg_add_file(struct fw_cfg *f, const char *name, const void *data, uint32_t size);
/* The key a file item has now (0 if none): keys follow the name order. */
uint16_t fw_cfg_file_key(const struct fw_cfg *f, const char *name);

/* The items QEMU 7.2's PC machine gives (measured with a boot sector that
 * reads them): the signature "QEMU", ID 1 (no DMA here), a zero UUID, the
 * RAM size (64-bit), NOGRAPHIC, the CPU count and maximum (16-bit), the
 * IRQ 0 override flag, the legacy E820 table (its reserved ranges) and
 * the file "etc/e820" with every range.  All little-endian. */
bool fw_cfg_pc_setup(struct fw_cfg *f, uint64_t ram_size, int cpus, bool nographic,
                     const struct e820_range *e820, int n);

/* The port side: a 16-bit write to 0x510 selects, an 8-bit read of 0x511
 * reads; any other access reads as all ones and writes are dropped (data
 * writes are ignored by QEMU since 2.4). */
uint32_t fw_cfg_read(struct fw_cfg *f, uint16_t port, int size);
void fw_cfg_write(struct fw_cfg *f, uint16_t port, uint32_t value, int size);
/* Claims 0x510-0x511. */
bool fw_cfg_register(struct fw_cfg *f, struct bus *bus);

#endif
