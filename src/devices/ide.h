/* The primary IDE channel of a PIIX-compatible PC (ports 0x1F0-0x1F7, the
 * device control / alternate status register at 0x3F6, IRQ 14) with a
 * master and a slave ATA disk, in PIO mode.  Commands complete at once:
 * the data is there when the command register has been written, so BSY is
 * only ever seen during a software reset.  Disks sit behind the block
 * interface (block.h); the channel does no file I/O. */
#ifndef RINGLAB_IDE_H
#define RINGLAB_IDE_H

#include <stdbool.h>
#include <stdint.h>

#include "devices/block.h"
#include "devices/bus.h"
#include "devices/irq.h"

#define IDE_BASE 0x1F0
#define IDE_CONTROL_PORT 0x3F6
#define IDE_IRQ 14
#define IDE_MAX_MULTIPLE 16 /* sectors per DRQ block of READ/WRITE MULTIPLE */

/* Status register (ATA/ATAPI-6 7.15.6). */
#define IDE_STATUS_BSY 0x80
#define IDE_STATUS_DRDY 0x40
#define IDE_STATUS_DF 0x20
#define IDE_STATUS_DSC 0x10
#define IDE_STATUS_DRQ 0x08
#define IDE_STATUS_ERR 0x01
/* Error register (7.11). */
#define IDE_ERROR_AMNF 0x01 /* after a reset or diagnostic: 0x01 = no error */
#define IDE_ERROR_ABRT 0x04
#define IDE_ERROR_IDNF 0x10
#define IDE_ERROR_UNC 0x40
/* Device/Head register (7.10) and device control register (7.9). */
#define IDE_SELECT_DEV 0x10
#define IDE_SELECT_LBA 0x40
#define IDE_CONTROL_NIEN 0x02
#define IDE_CONTROL_SRST 0x04

/* Commands (ATA/ATAPI-6 chapter 8). */
enum {
    IDE_CMD_RECALIBRATE = 0x10,
    IDE_CMD_READ_SECTORS = 0x20,
    IDE_CMD_READ_SECTORS_NORETRY = 0x21,
    IDE_CMD_WRITE_SECTORS = 0x30,
    IDE_CMD_WRITE_SECTORS_NORETRY = 0x31,
    IDE_CMD_VERIFY = 0x40,
    IDE_CMD_VERIFY_NORETRY = 0x41,
    IDE_CMD_SEEK = 0x70,
    IDE_CMD_DIAGNOSTIC = 0x90,
    IDE_CMD_INIT_PARAMS = 0x91,
    IDE_CMD_READ_MULTIPLE = 0xC4,
    IDE_CMD_WRITE_MULTIPLE = 0xC5,
    IDE_CMD_SET_MULTIPLE = 0xC6,
    IDE_CMD_CHECK_POWER = 0xE5,
    IDE_CMD_FLUSH_CACHE = 0xE7,
    IDE_CMD_IDENTIFY = 0xEC,
    IDE_CMD_SET_FEATURES = 0xEF,
};

enum ide_transfer { IDE_XFER_NONE, IDE_XFER_TO_HOST, IDE_XFER_FROM_HOST };

struct ide_drive {
    bool present;
    struct block_dev blk;
    uint16_t cylinders, heads, spt; /* the CHS translation (IDENTIFY words 1, 3, 6) */
    uint8_t multiple;               /* sectors per block for READ/WRITE MULTIPLE, 0: off */
    /* The command block registers as this device holds them: writes go to
     * both devices, reads come from the selected one (ATA-6 7.1). */
    uint8_t feature, count, sector, lcyl, hcyl, select;
    uint8_t status, error;
    bool intrq; /* the device's interrupt is pending */
    /* The PIO transfer in progress. */
    enum ide_transfer xfer;
    uint8_t command;
    uint64_t lba;       /* the next sector to move to or from the buffer */
    uint32_t remaining; /* sectors of the command not yet in a block */
    uint32_t block;     /* sectors per DRQ block */
    uint32_t pos, len;  /* bytes of the buffer moved, and in this block */
    uint8_t buf[IDE_MAX_MULTIPLE * BLOCK_SECTOR_SIZE];
};

struct ide_channel {
    struct ide_drive drive[2];
    uint8_t unit;    /* the DEV bit last written: 0 master, 1 slave */
    uint8_t control; /* device control register */
    bool irq_level;  /* what IRQ 14 is driven to */
    struct irq_line irq;
};

/* Both drives absent, the channel idle, IRQ 14 low. */
void ide_init(struct ide_channel *ch, struct irq_line irq);
/* Puts a disk on the channel as master (0) or slave (1), with the CHS
 * translation QEMU guesses for a disk without a partition table: 16 heads,
 * 63 sectors a track, sectors / 1008 cylinders (at least 2, at most
 * 16383).  The block device is copied; its opaque must outlive the channel. */
void ide_attach(struct ide_channel *ch, int unit, const struct block_dev *blk);
/* Claims 0x1F0-0x1F7 and 0x3F6. */
bool ide_register(struct ide_channel *ch, struct bus *bus);

/* Port access: the data register at 0x1F0 moves 2 or 4 bytes per access;
 * every other register is 8 bits wide. */
uint32_t ide_read(struct ide_channel *ch, uint16_t port, int size);
void ide_write(struct ide_channel *ch, uint16_t port, uint32_t value, int size);

#endif
