/* Check suite for the IDE channel (src/devices/ide.c) and raw disk images
 * (src/devices/disk_image.c).  The channel is driven through a port bus as
 * a driver drives it, with two RAM disks behind the block interface and an
 * IRQ 14 that records its edges; the images are real files in a temporary
 * directory.  Rules: ATA/ATAPI-6 (the sections ide.c cites). */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "devices/bus.h"
#include "devices/disk_image.h"
#include "devices/ide.h"

#define DISK_SECTORS 20160u /* 20 cylinders of 16 heads x 63 sectors */

static struct bus bus;
static struct ide_channel ide;
static uint8_t *disk[2];
static int fail_reads_at = -1; /* a sector whose read the medium fails */
static int irq_level, irq_rises;

static void fake_irq(void *opaque, int irq, int level)
{
    (void)opaque;
    ck_assert_int_eq(irq, IDE_IRQ);
    if (level && !irq_level)
        irq_rises++;
    irq_level = level;
}

static bool ram_read(void *opaque, uint64_t lba, uint8_t *buf)
{
    if ((int)lba == fail_reads_at)
        return false;
    memcpy(buf, (uint8_t *)opaque + lba * 512, 512);
    return true;
}

static bool ram_write(void *opaque, uint64_t lba, const uint8_t *buf)
{
    memcpy((uint8_t *)opaque + lba * 512, buf, 512);
    return true;
}

/* Sector n of disk u starts with u, n (little-endian) and is then a
 * pattern of its number, so any sector read is recognisable. */
static uint8_t pattern(int u, uint32_t lba, int i)
{
    return (uint8_t)(lba * 7 + (uint32_t)i * 13 + (uint32_t)u * 101);
}

static void fill_disk(int u)
{
    for (uint32_t s = 0; s < DISK_SECTORS; s++)
        for (int i = 0; i < 512; i++)
            disk[u][s * 512 + (uint32_t)i] = pattern(u, s, i);
}

static void attach(int u)
{
    struct block_dev b = {DISK_SECTORS, ram_read, ram_write, disk[u]};
    ide_attach(&ide, u, &b);
}

static void setup_channel(bool master, bool slave)
{
    struct irq_line line = {fake_irq, NULL, IDE_IRQ};
    irq_level = irq_rises = 0;
    fail_reads_at = -1;
    bus_init(&bus);
    ide_init(&ide, line);
    ck_assert(ide_register(&ide, &bus));
    for (int u = 0; u < 2; u++) {
        disk[u] = malloc((size_t)DISK_SECTORS * 512);
        ck_assert_ptr_nonnull(disk[u]);
        fill_disk(u);
    }
    if (master)
        attach(0);
    if (slave)
        attach(1);
}

static void setup(void) { setup_channel(true, true); }
static void setup_master_only(void) { setup_channel(true, false); }
static void setup_empty(void) { setup_channel(false, false); }

static void teardown(void)
{
    free(disk[0]);
    free(disk[1]);
}

static void out8(uint16_t port, uint8_t v) { bus_out(&bus, port, v, 1); }
static uint8_t in8(uint16_t port) { return (uint8_t)bus_in(&bus, port, 1); }
static uint16_t in16(uint16_t port) { return (uint16_t)bus_in(&bus, port, 2); }
static uint32_t in32(uint16_t port) { return bus_in(&bus, port, 4); }
static uint8_t alt_status(void) { return in8(IDE_CONTROL_PORT); }

/* The task file for an LBA28 command to unit u, then the command. */
static void lba_command(int u, uint32_t lba, uint8_t count, uint8_t cmd)
{
    out8(0x1F6, (uint8_t)(0xE0 | u << 4 | (lba >> 24 & 0x0F)));
    out8(0x1F2, count);
    out8(0x1F3, (uint8_t)lba);
    out8(0x1F4, (uint8_t)(lba >> 8));
    out8(0x1F5, (uint8_t)(lba >> 16));
    out8(0x1F7, cmd);
}

/* Reads one sector's worth of data with 16-bit accesses and checks it is
 * sector lba of disk u. */
static void expect_sector16(int u, uint32_t lba)
{
    for (int i = 0; i < 512; i += 2) {
        uint16_t w = in16(0x1F0);
        ck_assert_uint_eq(w & 0xFF, pattern(u, lba, i));
        ck_assert_uint_eq(w >> 8, pattern(u, lba, i + 1));
    }
}

static void expect_sector32(int u, uint32_t lba)
{
    for (int i = 0; i < 512; i += 4) {
        uint32_t v = in32(0x1F0);
        for (int b = 0; b < 4; b++)
            ck_assert_uint_eq(v >> (8 * b) & 0xFF, pattern(u, lba, i + b));
    }
}

/* ====================================================== reset, presence */

START_TEST(test_power_on_signature)
{
    ck_assert_uint_eq(in8(0x1F7), IDE_STATUS_DRDY | IDE_STATUS_DSC);
    ck_assert_uint_eq(in8(0x1F1), IDE_ERROR_AMNF); /* ATA-6 9.12: diagnostic passed */
    ck_assert_uint_eq(in8(0x1F2), 1);
    ck_assert_uint_eq(in8(0x1F3), 1);
    ck_assert_uint_eq(in8(0x1F4), 0);
    ck_assert_uint_eq(in8(0x1F5), 0);
    ck_assert_uint_eq(in8(0x1F6), 0xA0);
    ck_assert_int_eq(irq_level, 0);
}
END_TEST

START_TEST(test_absent_slave_reads_zero)
{
    /* xv6's ideinit: select disk 1, poll the status for anything but 0. */
    out8(0x1F6, 0xE0 | 1 << 4);
    ck_assert_uint_eq(in8(0x1F7), 0);
    ck_assert_uint_eq(alt_status(), 0);
    ck_assert_uint_eq(in8(0x1F1), 0);
    /* A command to it is ignored: no interrupt, no data. */
    lba_command(1, 0, 1, IDE_CMD_READ_SECTORS);
    ck_assert_int_eq(irq_rises, 0);
    ck_assert_uint_eq(in16(0x1F0), 0);
    out8(0x1F6, 0xE0);
    ck_assert_uint_eq(in8(0x1F7), IDE_STATUS_DRDY | IDE_STATUS_DSC);
}
END_TEST

START_TEST(test_present_slave_answers)
{
    out8(0x1F6, 0xE0 | 1 << 4);
    ck_assert_uint_ne(in8(0x1F7), 0);
    lba_command(1, 9, 1, IDE_CMD_READ_SECTORS);
    expect_sector16(1, 9);
}
END_TEST

START_TEST(test_empty_channel)
{
    for (uint16_t p = 0x1F1; p <= 0x1F7; p++)
        ck_assert_uint_eq(in8(p), 0);
    ck_assert_uint_eq(alt_status(), 0);
    out8(0x1F7, IDE_CMD_IDENTIFY);
    ck_assert_int_eq(irq_rises, 0);
}
END_TEST

/* ================================================================ reads */

START_TEST(test_read_one_sector_lba)
{
    lba_command(0, 1234, 1, IDE_CMD_READ_SECTORS);
    /* ATA-6 9.7: the data is offered with DRQ and an interrupt. */
    ck_assert_int_eq(irq_level, 1);
    ck_assert_uint_eq(alt_status(), IDE_STATUS_DRDY | IDE_STATUS_DSC | IDE_STATUS_DRQ);
    ck_assert_int_eq(irq_level, 1); /* the alternate status keeps it */
    ck_assert_uint_eq(in8(0x1F7), IDE_STATUS_DRDY | IDE_STATUS_DSC | IDE_STATUS_DRQ);
    ck_assert_int_eq(irq_level, 0); /* the status register acknowledges it */
    expect_sector16(0, 1234);
    /* After the last word: DRQ clear, no further interrupt. */
    ck_assert_uint_eq(in8(0x1F7), IDE_STATUS_DRDY | IDE_STATUS_DSC);
    ck_assert_int_eq(irq_rises, 1);
    /* The registers name the sector after the one read; the count is used up. */
    ck_assert_uint_eq(in8(0x1F3), (1235 & 0xFF));
    ck_assert_uint_eq(in8(0x1F4), 1235 >> 8);
    ck_assert_uint_eq(in8(0x1F2), 0);
    /* Past the end the data register reads 0 and moves nothing. */
    ck_assert_uint_eq(in16(0x1F0), 0);
}
END_TEST

START_TEST(test_read_three_sectors_interrupt_each)
{
    lba_command(0, 500, 3, IDE_CMD_READ_SECTORS);
    for (uint32_t s = 0; s < 3; s++) {
        ck_assert_int_eq(irq_level, 1);
        ck_assert_uint_eq(in8(0x1F7) & IDE_STATUS_DRQ, IDE_STATUS_DRQ);
        ck_assert_int_eq(irq_level, 0);
        if (s == 1)
            expect_sector32(0, 500 + s); /* insl, as xv6 reads */
        else
            expect_sector16(0, 500 + s);
    }
    ck_assert_int_eq(irq_rises, 3);
    ck_assert_uint_eq(in8(0x1F7), IDE_STATUS_DRDY | IDE_STATUS_DSC);
}
END_TEST

START_TEST(test_count_zero_is_256)
{
    lba_command(0, 100, 0, IDE_CMD_READ_SECTORS);
    for (uint32_t s = 0; s < 256; s++) {
        ck_assert_uint_eq(in8(0x1F7) & IDE_STATUS_DRQ, IDE_STATUS_DRQ);
        expect_sector32(0, 100 + s);
    }
    ck_assert_uint_eq(in8(0x1F7), IDE_STATUS_DRDY | IDE_STATUS_DSC);
    ck_assert_int_eq(irq_rises, 256);
}
END_TEST

START_TEST(test_read_chs)
{
    /* Cylinder 3, head 5, sector 7: (3 * 16 + 5) * 63 + 6 (ATA-6 6.2.1). */
    uint32_t lba = (3 * 16 + 5) * 63 + 6;
    out8(0x1F6, 0xA0 | 5);
    out8(0x1F2, 2);
    out8(0x1F3, 7);
    out8(0x1F4, 3);
    out8(0x1F5, 0);
    out8(0x1F7, IDE_CMD_READ_SECTORS);
    expect_sector16(0, lba);
    expect_sector16(0, lba + 1);
    /* The registers follow in CHS: the sector after: head 5, sector 9. */
    ck_assert_uint_eq(in8(0x1F3), 9);
    ck_assert_uint_eq(in8(0x1F6), 0xA5);
    /* Crossing a track: head 5 sector 63, then head 6 sector 1. */
    out8(0x1F6, 0xA0 | 5);
    out8(0x1F2, 2);
    out8(0x1F3, 63);
    out8(0x1F4, 3);
    out8(0x1F7, IDE_CMD_READ_SECTORS);
    expect_sector16(0, (3 * 16 + 5) * 63 + 62);
    expect_sector16(0, (3 * 16 + 6) * 63);
    ck_assert_uint_eq(in8(0x1F6), 0xA6);
    ck_assert_uint_eq(in8(0x1F3), 2);
}
END_TEST

START_TEST(test_chs_outside_translation)
{
    /* Sector numbers start at 1: sector 0 does not exist (IDNF). */
    out8(0x1F6, 0xA0);
    out8(0x1F2, 1);
    out8(0x1F3, 0);
    out8(0x1F4, 0);
    out8(0x1F5, 0);
    out8(0x1F7, IDE_CMD_READ_SECTORS);
    ck_assert_int_eq(irq_level, 1);
    ck_assert_uint_eq(in8(0x1F7), IDE_STATUS_DRDY | IDE_STATUS_ERR);
    ck_assert_uint_eq(in8(0x1F1) & IDE_ERROR_IDNF, IDE_ERROR_IDNF);
    ck_assert_uint_eq(in16(0x1F0), 0);
    /* Sector 64 of a 63-sector track, and cylinder 20 of 20. */
    out8(0x1F3, 64);
    out8(0x1F7, IDE_CMD_READ_SECTORS);
    ck_assert_uint_eq(in8(0x1F7) & IDE_STATUS_ERR, IDE_STATUS_ERR);
    out8(0x1F3, 1);
    out8(0x1F4, 20);
    out8(0x1F7, IDE_CMD_READ_SECTORS);
    ck_assert_uint_eq(in8(0x1F7) & IDE_STATUS_ERR, IDE_STATUS_ERR);
    /* An error clears on the next good command. */
    out8(0x1F4, 19);
    out8(0x1F7, IDE_CMD_READ_SECTORS);
    ck_assert_uint_eq(in8(0x1F7), IDE_STATUS_DRDY | IDE_STATUS_DSC | IDE_STATUS_DRQ);
    ck_assert_uint_eq(in8(0x1F1), 0);
    expect_sector16(0, 19 * 16 * 63);
}
END_TEST

START_TEST(test_lba_beyond_disk)
{
    lba_command(0, DISK_SECTORS - 1, 2, IDE_CMD_READ_SECTORS);
    ck_assert_uint_eq(in8(0x1F7), IDE_STATUS_DRDY | IDE_STATUS_ERR);
    ck_assert_uint_eq(in8(0x1F1), IDE_ERROR_IDNF | IDE_ERROR_ABRT);
    ck_assert_int_eq(irq_rises, 1);
    lba_command(0, DISK_SECTORS - 1, 1, IDE_CMD_READ_SECTORS);
    expect_sector16(0, DISK_SECTORS - 1);
    lba_command(0, 0x0FFFFFFF, 1, IDE_CMD_WRITE_SECTORS);
    ck_assert_uint_eq(in8(0x1F7) & IDE_STATUS_ERR, IDE_STATUS_ERR);
}
END_TEST

START_TEST(test_medium_error)
{
    fail_reads_at = 42;
    lba_command(0, 40, 4, IDE_CMD_READ_SECTORS);
    in8(0x1F7);
    expect_sector16(0, 40);
    in8(0x1F7);
    expect_sector16(0, 41);
    /* The third sector fails: ERR and an interrupt instead of data. */
    ck_assert_int_eq(irq_level, 1);
    ck_assert_uint_eq(in8(0x1F7), IDE_STATUS_DRDY | IDE_STATUS_ERR);
    ck_assert_uint_eq(in8(0x1F1), IDE_ERROR_UNC);
    /* The registers name the sector that failed. */
    ck_assert_uint_eq(in8(0x1F3), 42);
    ck_assert_int_eq(irq_rises, 3);
}
END_TEST

/* =============================================================== writes */

START_TEST(test_write_sectors)
{
    lba_command(0, 77, 2, IDE_CMD_WRITE_SECTORS);
    /* ATA-6 9.8: DRQ at once, no interrupt before the first block. */
    ck_assert_uint_eq(alt_status(), IDE_STATUS_DRDY | IDE_STATUS_DSC | IDE_STATUS_DRQ);
    ck_assert_int_eq(irq_rises, 0);
    for (int i = 0; i < 512; i += 4)
        bus_out(&bus, 0x1F0, 0xA5000000u | (uint32_t)i, 4);
    /* The first sector is on the disk, an interrupt asks for the second. */
    ck_assert_uint_eq(disk[0][77 * 512 + 4], 4);
    ck_assert_uint_eq(disk[0][77 * 512 + 3], 0xA5);
    ck_assert_int_eq(irq_rises, 1);
    ck_assert_uint_eq(in8(0x1F7), IDE_STATUS_DRDY | IDE_STATUS_DSC | IDE_STATUS_DRQ);
    ck_assert_uint_eq(disk[0][78 * 512], pattern(0, 78, 0));
    for (int i = 0; i < 512; i += 2)
        bus_out(&bus, 0x1F0, 0x5A00u | (uint32_t)(i & 0xFF), 2);
    ck_assert_uint_eq(disk[0][78 * 512 + 1], 0x5A);
    ck_assert_uint_eq(disk[0][78 * 512 + 2], 2);
    ck_assert_int_eq(irq_rises, 2);
    ck_assert_uint_eq(in8(0x1F7), IDE_STATUS_DRDY | IDE_STATUS_DSC);
    /* Neighbours untouched, and the slave's disk too. */
    ck_assert_uint_eq(disk[0][76 * 512 + 511], pattern(0, 76, 511));
    ck_assert_uint_eq(disk[0][79 * 512], pattern(0, 79, 0));
    ck_assert_uint_eq(disk[1][77 * 512 + 4], pattern(1, 77, 4));
    /* What was written reads back. */
    lba_command(0, 78, 1, IDE_CMD_READ_SECTORS);
    ck_assert_uint_eq(in16(0x1F0), 0x5A00);
}
END_TEST

START_TEST(test_write_to_slave)
{
    lba_command(1, 5, 1, IDE_CMD_WRITE_SECTORS);
    for (int i = 0; i < 256; i++)
        bus_out(&bus, 0x1F0, 0xBEEF, 2);
    ck_assert_uint_eq(disk[1][5 * 512], 0xEF);
    ck_assert_uint_eq(disk[0][5 * 512], pattern(0, 5, 0));
}
END_TEST

/* ==================================================== multiple sectors */

START_TEST(test_read_multiple_blocks)
{
    out8(0x1F2, 4);
    out8(0x1F7, IDE_CMD_SET_MULTIPLE);
    ck_assert_uint_eq(in8(0x1F7), IDE_STATUS_DRDY | IDE_STATUS_DSC);
    irq_rises = 0;
    /* 10 sectors in blocks of 4, 4 and 2: one interrupt per block. */
    lba_command(0, 300, 10, IDE_CMD_READ_MULTIPLE);
    int blocks[] = {4, 4, 2};
    uint32_t lba = 300;
    for (int b = 0; b < 3; b++) {
        ck_assert_int_eq(irq_rises, b + 1);
        ck_assert_uint_eq(in8(0x1F7) & IDE_STATUS_DRQ, IDE_STATUS_DRQ);
        for (int s = 0; s < blocks[b]; s++)
            expect_sector32(0, lba++);
    }
    ck_assert_int_eq(irq_rises, 3);
    ck_assert_uint_eq(in8(0x1F7), IDE_STATUS_DRDY | IDE_STATUS_DSC);
}
END_TEST

START_TEST(test_write_multiple_blocks)
{
    /* xv6's WRMUL with the power-on block size of 16 (as QEMU). */
    lba_command(0, 600, 3, IDE_CMD_WRITE_MULTIPLE);
    ck_assert_int_eq(irq_rises, 0);
    for (int i = 0; i < 3 * 512; i += 4)
        bus_out(&bus, 0x1F0, (uint32_t)i, 4);
    /* One block of 3, one interrupt at its end. */
    ck_assert_int_eq(irq_rises, 1);
    ck_assert_uint_eq(in8(0x1F7), IDE_STATUS_DRDY | IDE_STATUS_DSC);
    ck_assert_uint_eq(disk[0][602 * 512 + 508], (2 * 512 + 508) & 0xFF);
    ck_assert_uint_eq(disk[0][602 * 512 + 509], (2 * 512 + 508) >> 8);
}
END_TEST

START_TEST(test_set_multiple_rules)
{
    /* Not a power of two, or above 16: aborted, the old size kept. */
    out8(0x1F2, 3);
    out8(0x1F7, IDE_CMD_SET_MULTIPLE);
    ck_assert_uint_eq(in8(0x1F7), IDE_STATUS_DRDY | IDE_STATUS_ERR);
    ck_assert_uint_eq(in8(0x1F1), IDE_ERROR_ABRT);
    out8(0x1F2, 32);
    out8(0x1F7, IDE_CMD_SET_MULTIPLE);
    ck_assert_uint_eq(in8(0x1F1), IDE_ERROR_ABRT);
    ck_assert_uint_eq(ide.drive[0].multiple, 16);
    /* 0 turns multiple mode off: READ MULTIPLE is then aborted. */
    out8(0x1F2, 0);
    out8(0x1F7, IDE_CMD_SET_MULTIPLE);
    ck_assert_uint_eq(in8(0x1F7), IDE_STATUS_DRDY | IDE_STATUS_DSC);
    lba_command(0, 0, 1, IDE_CMD_READ_MULTIPLE);
    ck_assert_uint_eq(in8(0x1F7), IDE_STATUS_DRDY | IDE_STATUS_ERR);
    ck_assert_uint_eq(in8(0x1F1), IDE_ERROR_ABRT);
}
END_TEST

/* ============================================================= IDENTIFY */

static uint16_t identify_word[256];

static void read_identify(int u)
{
    out8(0x1F6, (uint8_t)(0xA0 | u << 4));
    out8(0x1F7, IDE_CMD_IDENTIFY);
    ck_assert_int_eq(irq_level, 1);
    ck_assert_uint_eq(in8(0x1F7), IDE_STATUS_DRDY | IDE_STATUS_DSC | IDE_STATUS_DRQ);
    for (int i = 0; i < 256; i++)
        identify_word[i] = in16(0x1F0);
    ck_assert_uint_eq(in8(0x1F7), IDE_STATUS_DRDY | IDE_STATUS_DSC);
}

START_TEST(test_identify)
{
    read_identify(0);
    ck_assert_uint_eq(identify_word[0], 0x0040);
    ck_assert_uint_eq(identify_word[1], 20); /* cylinders */
    ck_assert_uint_eq(identify_word[3], 16);
    ck_assert_uint_eq(identify_word[6], 63);
    ck_assert_uint_eq(identify_word[47], 0x8000 | 16);
    ck_assert_uint_eq(identify_word[49] & (1u << 9), 1u << 9); /* LBA */
    ck_assert_uint_eq(identify_word[49] & (1u << 8), 0);       /* no DMA */
    ck_assert_uint_eq(identify_word[59], 0x0100 | 16);
    ck_assert_uint_eq(identify_word[60] | (uint32_t)identify_word[61] << 16, DISK_SECTORS);
    ck_assert_uint_eq(identify_word[83] & (1u << 10), 0); /* no LBA48 */
    /* The model string, two characters a word, high byte first. */
    char model[41];
    for (int i = 0; i < 20; i++) {
        model[2 * i] = (char)(identify_word[27 + i] >> 8);
        model[2 * i + 1] = (char)identify_word[27 + i];
    }
    model[40] = '\0';
    ck_assert_str_eq(model, "ringlab hard disk                       ");
    /* The slave has its own serial number. */
    uint16_t master_serial_end = identify_word[19];
    read_identify(1);
    ck_assert_uint_ne(identify_word[19], master_serial_end);
}
END_TEST

START_TEST(test_unknown_command_aborted)
{
    out8(0x1F7, 0xA1); /* IDENTIFY PACKET DEVICE: a disk is not ATAPI */
    ck_assert_int_eq(irq_level, 1);
    ck_assert_uint_eq(in8(0x1F7), IDE_STATUS_DRDY | IDE_STATUS_ERR);
    ck_assert_uint_eq(in8(0x1F1), IDE_ERROR_ABRT);
    out8(0x1F7, 0x24); /* READ SECTORS EXT: no LBA48 */
    ck_assert_uint_eq(in8(0x1F1), IDE_ERROR_ABRT);
    out8(0x1F7, IDE_CMD_FLUSH_CACHE);
    ck_assert_uint_eq(in8(0x1F7), IDE_STATUS_DRDY | IDE_STATUS_DSC);
    ck_assert_uint_eq(in8(0x1F1), 0);
}
END_TEST

/* ======================================================== nIEN and SRST */

START_TEST(test_nien_masks_irq)
{
    out8(IDE_CONTROL_PORT, IDE_CONTROL_NIEN);
    lba_command(0, 3, 1, IDE_CMD_READ_SECTORS);
    ck_assert_int_eq(irq_rises, 0);
    ck_assert_uint_eq(alt_status() & IDE_STATUS_DRQ, IDE_STATUS_DRQ);
    /* Cleared while the interrupt is pending: the line rises now. */
    out8(IDE_CONTROL_PORT, 0);
    ck_assert_int_eq(irq_rises, 1);
    ck_assert_int_eq(irq_level, 1);
    expect_sector16(0, 3);
    /* xv6 writes 0 to 0x3F6 before each command: nothing changes. */
    out8(IDE_CONTROL_PORT, 0);
    ck_assert_int_eq(irq_rises, 1);
}
END_TEST

START_TEST(test_interrupt_follows_selected_device)
{
    lba_command(0, 3, 1, IDE_CMD_READ_SECTORS);
    ck_assert_int_eq(irq_level, 1);
    /* The slave is selected: the master no longer drives INTRQ ... */
    out8(0x1F6, 0xF0);
    ck_assert_int_eq(irq_level, 0);
    /* ... and reading the slave's status does not acknowledge the master. */
    in8(0x1F7);
    out8(0x1F6, 0xE0);
    ck_assert_int_eq(irq_level, 1);
    in8(0x1F7);
    ck_assert_int_eq(irq_level, 0);
}
END_TEST

START_TEST(test_soft_reset_mid_transfer)
{
    lba_command(0, 8, 4, IDE_CMD_READ_SECTORS);
    in16(0x1F0);
    out8(0x1F6, 0xF0); /* slave selected */
    out8(IDE_CONTROL_PORT, IDE_CONTROL_SRST);
    ck_assert_uint_eq(alt_status(), IDE_STATUS_BSY);
    ck_assert_int_eq(irq_level, 0);
    /* Register writes and commands during the reset are ignored. */
    out8(0x1F3, 0x55);
    out8(0x1F7, IDE_CMD_IDENTIFY);
    ck_assert_uint_eq(alt_status(), IDE_STATUS_BSY);
    out8(IDE_CONTROL_PORT, 0);
    /* Back with the signature, device 0 selected, no transfer, no interrupt. */
    ck_assert_uint_eq(in8(0x1F7), IDE_STATUS_DRDY | IDE_STATUS_DSC);
    ck_assert_uint_eq(in8(0x1F6), 0xA0);
    ck_assert_uint_eq(in8(0x1F3), 1);
    ck_assert_uint_eq(in8(0x1F1), IDE_ERROR_AMNF);
    ck_assert_uint_eq(in16(0x1F0), 0);
    ck_assert_int_eq(irq_level, 0);
    lba_command(0, 8, 1, IDE_CMD_READ_SECTORS);
    expect_sector16(0, 8);
}
END_TEST

/* ============================================ hostile register sequences */

START_TEST(test_command_during_drq_ignored)
{
    lba_command(0, 10, 1, IDE_CMD_READ_SECTORS);
    in8(0x1F7);
    /* A second command while the first still has data: ignored (QEMU). */
    lba_command(0, 11, 1, IDE_CMD_READ_SECTORS);
    ck_assert_int_eq(irq_rises, 1);
    expect_sector16(0, 10);
    ck_assert_uint_eq(in8(0x1F7), IDE_STATUS_DRDY | IDE_STATUS_DSC);
}
END_TEST

START_TEST(test_data_port_abuse)
{
    /* Data accesses with no transfer: 0, nothing moves, nothing breaks. */
    ck_assert_uint_eq(in16(0x1F0), 0);
    ck_assert_uint_eq(in32(0x1F0), 0);
    bus_out(&bus, 0x1F0, 0x1234, 2);
    /* A byte access to the data register is not a data access. */
    lba_command(0, 12, 1, IDE_CMD_READ_SECTORS);
    ck_assert_uint_eq(in8(0x1F0), 0xFF);
    /* Writing the data register during a read does not disturb it. */
    bus_out(&bus, 0x1F0, 0xFFFF, 2);
    expect_sector16(0, 12);
    /* A 32-bit read that would cross the end of the block moves nothing. */
    lba_command(0, 13, 1, IDE_CMD_READ_SECTORS);
    for (int i = 0; i < 255; i++)
        in16(0x1F0);
    ck_assert_uint_eq(in32(0x1F0), 0);
    ck_assert_uint_eq(alt_status() & IDE_STATUS_DRQ, IDE_STATUS_DRQ);
    ck_assert_uint_eq(in16(0x1F0), (uint16_t)(pattern(0, 13, 510) | pattern(0, 13, 511) << 8));
    ck_assert_uint_eq(alt_status(), IDE_STATUS_DRDY | IDE_STATUS_DSC);
    /* A word access at 0x1F1 is two byte accesses (error, count). */
    out8(0x1F2, 0x37);
    ck_assert_uint_eq(in16(0x1F1), 0x3700);
    /* 0x3F7 is not ours: a word read at 0x3F6 gives 0xFF in its high byte. */
    ck_assert_uint_eq(in16(IDE_CONTROL_PORT), 0xFF00 | (IDE_STATUS_DRDY | IDE_STATUS_DSC));
}
END_TEST

/* A fixed pseudo-random walk over every port, size and command: whatever a
 * guest writes, the channel stays consistent (DRQ set exactly while a
 * transfer is open, the position inside the block, the IRQ line as the
 * selected device's pending interrupt and nIEN say). */
START_TEST(test_random_walk_invariants)
{
    static const uint8_t cmds[] = {0x20, 0x21, 0x30, 0xC4, 0xC5, 0xC6, 0xEC, 0x40, 0x70,
                                   0x90, 0x91, 0x10, 0xE5, 0xE7, 0xEF, 0x00, 0xFF, 0xA0};
    uint32_t x = 12345;
    for (int step = 0; step < 200000; step++) {
        x = x * 1103515245u + 12345u;
        uint32_t r = x >> 8;
        uint16_t port = (uint16_t)(r % 9 == 8 ? IDE_CONTROL_PORT : IDE_BASE + r % 9);
        int size = (r >> 4) % 3 == 0 ? 1 : (r >> 4) % 3 == 1 ? 2 : 4;
        uint32_t v = r >> 7;
        if (port == IDE_BASE + 7 && (r & 0x100))
            v = cmds[(r >> 9) % sizeof cmds];
        if (port == IDE_BASE + 2)
            v &= 0x07; /* keep transfers short */
        if (port == IDE_BASE + 4 || port == IDE_BASE + 5)
            v &= 0x03;
        if (port == IDE_CONTROL_PORT)
            v &= (r & 0x3000) ? 0x02 : 0x06;
        if (r & 0x80)
            bus_in(&bus, port, size);
        else
            bus_out(&bus, port, v, size);
        for (int u = 0; u < 2; u++) {
            const struct ide_drive *d = &ide.drive[u];
            bool drq = (d->status & IDE_STATUS_DRQ) != 0;
            if (drq != (d->xfer != IDE_XFER_NONE) || d->pos > d->len || d->len > sizeof d->buf)
                ck_abort_msg("step %d: drive %d status %#x, transfer %d at %u of %u", step, u,
                             d->status, d->xfer, d->pos, d->len);
        }
        bool want = ide.drive[ide.unit].intrq && !(ide.control & IDE_CONTROL_NIEN);
        if (irq_level != want)
            ck_abort_msg("step %d: IRQ 14 at %d, want %d", step, irq_level, want);
    }
}
END_TEST

/* ========================================================== disk images */

static char tmpdir[64];

static void image_setup(void)
{
    strcpy(tmpdir, "/tmp/ringlab-ide.XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(tmpdir));
}

static void image_teardown(void)
{
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    ck_assert_int_eq(system(cmd), 0);
}

/* Writes a file of `bytes` bytes, byte i = i * 3 mod 251. */
static const char *make_image(const char *name, size_t bytes, mode_t mode)
{
    static char path[128];
    snprintf(path, sizeof path, "%s/%s", tmpdir, name);
    FILE *f = fopen(path, "wb");
    ck_assert_ptr_nonnull(f);
    for (size_t i = 0; i < bytes; i++)
        fputc((int)(i * 3 % 251), f);
    fclose(f);
    ck_assert_int_eq(chmod(path, mode), 0);
    return path;
}

static uint8_t file_byte(const char *path, long at)
{
    FILE *f = fopen(path, "rb");
    ck_assert_ptr_nonnull(f);
    fseek(f, at, SEEK_SET);
    int c = fgetc(f);
    fclose(f);
    return (uint8_t)c;
}

START_TEST(test_image_read_write)
{
    const char *path = make_image("rw.img", 8 * 512, 0644);
    struct disk_image d;
    char err[256] = "";
    ck_assert_msg(disk_image_open(&d, path, false, err, sizeof err), "%s", err);
    ck_assert_uint_eq(d.sectors, 8);
    uint8_t buf[512];
    ck_assert(disk_image_read(&d, 3, buf));
    ck_assert_uint_eq(buf[10], (3 * 512 + 10) * 3 % 251);
    memset(buf, 0xAB, sizeof buf);
    ck_assert(disk_image_write(&d, 5, buf));
    ck_assert(!disk_image_read(&d, 8, buf)); /* beyond the disk */
    ck_assert(!disk_image_write(&d, 8, buf));
    disk_image_close(&d);
    /* The write reached the file, and only its sector. */
    ck_assert_uint_eq(file_byte(path, 5 * 512), 0xAB);
    ck_assert_uint_eq(file_byte(path, 6 * 512 - 1), 0xAB);
    ck_assert_uint_eq(file_byte(path, 6 * 512), (6 * 512) * 3 % 251);
    ck_assert_uint_eq(file_byte(path, 5 * 512 - 1), (5 * 512 - 1) * 3 % 251);
}
END_TEST

START_TEST(test_image_snapshot_keeps_file)
{
    const char *path = make_image("snap.img", 4 * 512, 0644);
    struct disk_image d;
    char err[256] = "";
    ck_assert_msg(disk_image_open(&d, path, true, err, sizeof err), "%s", err);
    uint8_t buf[512], back[512];
    /* Many sectors written, to make the overlay grow. */
    for (int round = 0; round < 3; round++)
        for (uint64_t s = 0; s < 4; s++) {
            memset(buf, (int)(s * 16 + (uint64_t)round), sizeof buf);
            ck_assert(disk_image_write(&d, s, buf));
        }
    for (uint64_t s = 0; s < 4; s++) {
        ck_assert(disk_image_read(&d, s, back));
        ck_assert_uint_eq(back[0], s * 16 + 2);
        ck_assert_uint_eq(back[511], s * 16 + 2);
    }
    disk_image_close(&d);
    ck_assert_uint_eq(file_byte(path, 0), 0);
    ck_assert_uint_eq(file_byte(path, 3 * 512 + 7), (3 * 512 + 7) * 3 % 251);
}
END_TEST

START_TEST(test_image_snapshot_large_overlay)
{
    const char *path = make_image("big.img", 4096 * 512, 0644);
    struct disk_image d;
    char err[256] = "";
    ck_assert(disk_image_open(&d, path, true, err, sizeof err));
    uint8_t buf[512];
    for (uint64_t s = 0; s < 4096; s += 3) {
        memset(buf, (int)(s & 0xFF), sizeof buf);
        buf[1] = (uint8_t)(s >> 8);
        ck_assert(disk_image_write(&d, s, buf));
    }
    for (uint64_t s = 0; s < 4096; s++) {
        ck_assert(disk_image_read(&d, s, buf));
        if (s % 3 == 0) {
            ck_assert_uint_eq(buf[0], s & 0xFF);
            ck_assert_uint_eq(buf[1], s >> 8);
        } else {
            ck_assert_uint_eq(buf[0], (s * 512) * 3 % 251);
        }
    }
    disk_image_close(&d);
}
END_TEST

START_TEST(test_image_missing)
{
    struct disk_image d;
    char err[256] = "";
    char path[128];
    snprintf(path, sizeof path, "%s/none.img", tmpdir);
    ck_assert(!disk_image_open(&d, path, false, err, sizeof err));
    ck_assert_ptr_nonnull(strstr(err, path));
    ck_assert_ptr_nonnull(strstr(err, "cannot open the disk image"));
    ck_assert_ptr_nonnull(strstr(err, strerror(ENOENT)));
    ck_assert_ptr_null(strchr(err, '\n'));
}
END_TEST

START_TEST(test_image_read_only)
{
    const char *path = make_image("ro.img", 2 * 512, 0444);
    struct disk_image d;
    char err[256] = "";
    ck_assert(!disk_image_open(&d, path, false, err, sizeof err));
    ck_assert_ptr_nonnull(strstr(err, "ro.img: the disk image is read-only"));
    ck_assert_ptr_nonnull(strstr(err, "snapshot=on"));
    /* With snapshot=on the same image opens, and stays as it was. */
    ck_assert_msg(disk_image_open(&d, path, true, err, sizeof err), "%s", err);
    uint8_t buf[512] = {1};
    ck_assert(disk_image_write(&d, 1, buf));
    disk_image_close(&d);
    ck_assert_uint_eq(file_byte(path, 512), 512 * 3 % 251);
}
END_TEST

START_TEST(test_image_odd_sizes)
{
    struct disk_image d;
    char err[256] = "";
    const char *path = make_image("tiny.img", 100, 0644);
    ck_assert(!disk_image_open(&d, path, false, err, sizeof err));
    ck_assert_ptr_nonnull(strstr(err, "less than one 512-byte sector"));
    path = make_image("odd.img", 3 * 512 + 17, 0644);
    ck_assert(disk_image_open(&d, path, false, err, sizeof err));
    ck_assert_uint_eq(d.sectors, 3); /* the partial sector is left out */
    disk_image_close(&d);
    ck_assert(!disk_image_open(&d, tmpdir, false, err, sizeof err));
    ck_assert_ptr_nonnull(strstr(err, "not a regular file"));
}
END_TEST

START_TEST(test_image_behind_ide)
{
    /* The whole path: a file, its block device, the channel, the ports. */
    const char *path = make_image("ide.img", 64 * 512, 0644);
    struct disk_image d;
    char err[256] = "";
    ck_assert(disk_image_open(&d, path, false, err, sizeof err));
    struct block_dev b = disk_image_block(&d);
    struct irq_line line = {fake_irq, NULL, IDE_IRQ};
    bus_init(&bus);
    ide_init(&ide, line);
    ck_assert(ide_register(&ide, &bus));
    ide_attach(&ide, 0, &b);
    lba_command(0, 2, 1, IDE_CMD_READ_SECTORS);
    ck_assert_uint_eq(in16(0x1F0), (uint16_t)((1024 * 3 % 251) | (1025 * 3 % 251) << 8));
    for (int i = 1; i < 256; i++)
        in16(0x1F0);
    lba_command(0, 9, 1, IDE_CMD_WRITE_SECTORS);
    for (int i = 0; i < 128; i++)
        bus_out(&bus, 0x1F0, 0xC0FFEE00u + (uint32_t)i, 4);
    ck_assert_uint_eq(in8(0x1F7), IDE_STATUS_DRDY | IDE_STATUS_DSC);
    disk_image_close(&d);
    ck_assert_uint_eq(file_byte(path, 9 * 512 + 4), 0x01);
    ck_assert_uint_eq(file_byte(path, 9 * 512 + 7), 0xC0);
}
END_TEST

static Suite *ide_suite(void)
{
    Suite *s = suite_create("ide");
    TCase *tc = tcase_create("presence");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_power_on_signature);
    tcase_add_test(tc, test_present_slave_answers);
    suite_add_tcase(s, tc);
    tc = tcase_create("master only");
    tcase_add_checked_fixture(tc, setup_master_only, teardown);
    tcase_add_test(tc, test_absent_slave_reads_zero);
    suite_add_tcase(s, tc);
    tc = tcase_create("empty");
    tcase_add_checked_fixture(tc, setup_empty, teardown);
    tcase_add_test(tc, test_empty_channel);
    suite_add_tcase(s, tc);
    tc = tcase_create("reads");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_read_one_sector_lba);
    tcase_add_test(tc, test_read_three_sectors_interrupt_each);
    tcase_add_test(tc, test_count_zero_is_256);
    tcase_add_test(tc, test_read_chs);
    tcase_add_test(tc, test_chs_outside_translation);
    tcase_add_test(tc, test_lba_beyond_disk);
    tcase_add_test(tc, test_medium_error);
    suite_add_tcase(s, tc);
    tc = tcase_create("writes");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_write_sectors);
    tcase_add_test(tc, test_write_to_slave);
    tcase_add_test(tc, test_read_multiple_blocks);
    tcase_add_test(tc, test_write_multiple_blocks);
    tcase_add_test(tc, test_set_multiple_rules);
    suite_add_tcase(s, tc);
    tc = tcase_create("commands");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_identify);
    tcase_add_test(tc, test_unknown_command_aborted);
    tcase_add_test(tc, test_nien_masks_irq);
    tcase_add_test(tc, test_interrupt_follows_selected_device);
    tcase_add_test(tc, test_soft_reset_mid_transfer);
    suite_add_tcase(s, tc);
    tc = tcase_create("hostile");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_command_during_drq_ignored);
    tcase_add_test(tc, test_data_port_abuse);
    tcase_add_test(tc, test_random_walk_invariants);
    tcase_set_timeout(tc, 60);
    suite_add_tcase(s, tc);
    tc = tcase_create("images");
    tcase_add_checked_fixture(tc, image_setup, image_teardown);
    tcase_add_test(tc, test_image_read_write);
    tcase_add_test(tc, test_image_snapshot_keeps_file);
    tcase_add_test(tc, test_image_snapshot_large_overlay);
    tcase_add_test(tc, test_image_missing);
    tcase_add_test(tc, test_image_read_only);
    tcase_add_test(tc, test_image_odd_sizes);
    tcase_add_test(tc, test_image_behind_ide);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(ide_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
