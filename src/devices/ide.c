/* The primary IDE channel, PIO only.  Rules come from ATA/ATAPI-6 (ANSI
 * INCITS 361-2002; "ATA-6:" comments name the section); where QEMU's
 * PIIX IDE behaves in a way the standard leaves open, ringlab does what it
 * does, and says so.
 *
 * Protocols (ATA-6 9.7 PIO data-in, 9.8 PIO data-out, 9.9 non-data):
 *   data-in  (READ SECTORS/MULTIPLE, IDENTIFY): each block is ready with
 *            DRQ set and an interrupt; when the host has read the last
 *            block, DRQ clears and no interrupt follows;
 *   data-out (WRITE SECTORS/MULTIPLE): DRQ is set at once, without an
 *            interrupt; each block the host has written goes to the disk
 *            and gives an interrupt, with DRQ set again for the next one;
 *   non-data: the command completes at once with an interrupt.
 * INTRQ is pending per device; the selected device drives IRQ 14 unless
 * nIEN is set.  Reading the status register or writing the command
 * register clears it (ATA-6 5.2.9); the alternate status does not. */
#include "devices/ide.h"

#include <string.h>

/* ------------------------------------------------------------- the line */

static void update_irq(struct ide_channel *ch)
{
    bool level = ch->drive[ch->unit].intrq && !(ch->control & IDE_CONTROL_NIEN);
    if (level != ch->irq_level) {
        ch->irq_level = level;
        irq_set(&ch->irq, level);
    }
}

static void raise_intrq(struct ide_channel *ch, struct ide_drive *d)
{
    d->intrq = true;
    update_irq(ch);
}

/* --------------------------------------------------------------- state */

/* ATA-6 9.12: after a reset or a diagnostic a disk shows its signature:
 * count 1, sector 1, cylinder 0, device 0, no error. */
static void set_signature(struct ide_drive *d)
{
    d->count = 1;
    d->sector = 1;
    d->lcyl = 0;
    d->hcyl = 0;
    d->select = 0xA0;
    d->error = IDE_ERROR_AMNF;
}

static void drive_reset(struct ide_drive *d)
{
    d->xfer = IDE_XFER_NONE;
    d->pos = d->len = 0;
    d->remaining = 0;
    d->intrq = false;
    d->feature = 0;
    set_signature(d);
    /* QEMU's disks come up with READ/WRITE MULTIPLE set to 16 sectors
     * (ATA-6 leaves the default to the device). */
    d->multiple = IDE_MAX_MULTIPLE;
    d->status = d->present ? (IDE_STATUS_DRDY | IDE_STATUS_DSC) : 0;
}

void ide_init(struct ide_channel *ch, struct irq_line irq)
{
    memset(ch, 0, sizeof *ch);
    ch->irq = irq;
    for (int i = 0; i < 2; i++)
        drive_reset(&ch->drive[i]);
}

void ide_attach(struct ide_channel *ch, int unit, const struct block_dev *blk)
{
    struct ide_drive *d = &ch->drive[unit & 1];
    d->present = true;
    d->blk = *blk;
    uint64_t cyl = blk->sectors / (16 * 63);
    d->cylinders = (uint16_t)(cyl < 2 ? 2 : cyl > 16383 ? 16383 : cyl);
    d->heads = 16;
    d->spt = 63;
    drive_reset(d);
}

/* --------------------------------------------------------- addressing */

/* The sector the command block registers name (ATA-6 6.2.1: LBA28 when
 * the LBA bit is set, else cylinder/head/sector with sectors from 1).
 * false: a CHS address outside the translation. */
static bool register_address(const struct ide_drive *d, uint64_t *lba)
{
    if (d->select & IDE_SELECT_LBA) {
        *lba = (uint64_t)(d->select & 0x0F) << 24 | (uint64_t)d->hcyl << 16 |
               (uint64_t)d->lcyl << 8 | d->sector;
        return true;
    }
    uint32_t cyl = (uint32_t)d->hcyl << 8 | d->lcyl, head = d->select & 0x0F, s = d->sector;
    if (s == 0 || s > d->spt || head >= d->heads || cyl >= d->cylinders)
        return false;
    *lba = ((uint64_t)cyl * d->heads + head) * d->spt + s - 1;
    return true;
}

/* Writes `lba` back into the registers in the addressing mode in use, as
 * QEMU leaves them: the sector after the last one moved. */
static void set_register_address(struct ide_drive *d, uint64_t lba)
{
    if (d->select & IDE_SELECT_LBA) {
        d->sector = (uint8_t)lba;
        d->lcyl = (uint8_t)(lba >> 8);
        d->hcyl = (uint8_t)(lba >> 16);
        d->select = (uint8_t)((d->select & 0xF0) | ((lba >> 24) & 0x0F));
        return;
    }
    uint64_t per_cyl = (uint64_t)d->heads * d->spt;
    uint64_t cyl = lba / per_cyl, rest = lba % per_cyl;
    d->hcyl = (uint8_t)(cyl >> 8);
    d->lcyl = (uint8_t)cyl;
    d->select = (uint8_t)((d->select & 0xF0) | (rest / d->spt));
    d->sector = (uint8_t)(rest % d->spt + 1);
}

/* ------------------------------------------------------- completions */

static void complete(struct ide_channel *ch, struct ide_drive *d)
{
    d->xfer = IDE_XFER_NONE;
    d->status = IDE_STATUS_DRDY | IDE_STATUS_DSC;
    raise_intrq(ch, d);
}

/* ATA-6 6.2.5: an error ends the command with ERR and an interrupt. */
static void fail(struct ide_channel *ch, struct ide_drive *d, uint8_t error)
{
    d->xfer = IDE_XFER_NONE;
    d->error = error;
    d->status = IDE_STATUS_DRDY | IDE_STATUS_ERR;
    raise_intrq(ch, d);
}

/* Validates the range of a read, write or verify: count 0 means 256
 * sectors (ATA-6 8.27); an address beyond the disk is IDNF. */
static bool command_range(struct ide_channel *ch, struct ide_drive *d, uint64_t *lba, uint32_t *n)
{
    *n = d->count ? d->count : 256;
    if (!register_address(d, lba) || *lba + *n > d->blk.sectors) {
        fail(ch, d, IDE_ERROR_IDNF | IDE_ERROR_ABRT);
        return false;
    }
    return true;
}

/* The registers after `done` of the command's sectors have moved. */
static void advance_registers(struct ide_drive *d, uint32_t done)
{
    d->lba += done;
    set_register_address(d, d->lba);
    d->count = (uint8_t)(d->count - done);
}

/* PIO data-in: load the next block and offer it (DRQ, interrupt). */
static void read_block(struct ide_channel *ch, struct ide_drive *d)
{
    uint32_t k = d->remaining < d->block ? d->remaining : d->block;
    for (uint32_t i = 0; i < k; i++) {
        if (!d->blk.read(d->blk.opaque, d->lba + i, d->buf + i * BLOCK_SECTOR_SIZE)) {
            advance_registers(d, i);
            fail(ch, d, IDE_ERROR_UNC);
            return;
        }
    }
    d->remaining -= k;
    advance_registers(d, k);
    d->xfer = IDE_XFER_TO_HOST;
    d->pos = 0;
    d->len = k * BLOCK_SECTOR_SIZE;
    d->status = IDE_STATUS_DRDY | IDE_STATUS_DSC | IDE_STATUS_DRQ;
    raise_intrq(ch, d);
}

/* PIO data-out: ask for the next block (DRQ, no interrupt). */
static void want_block(struct ide_drive *d)
{
    uint32_t k = d->remaining < d->block ? d->remaining : d->block;
    d->xfer = IDE_XFER_FROM_HOST;
    d->pos = 0;
    d->len = k * BLOCK_SECTOR_SIZE;
    d->status = IDE_STATUS_DRDY | IDE_STATUS_DSC | IDE_STATUS_DRQ;
}

/* The host has written a whole block: put it on the disk. */
static void write_block(struct ide_channel *ch, struct ide_drive *d)
{
    uint32_t k = d->len / BLOCK_SECTOR_SIZE;
    for (uint32_t i = 0; i < k; i++) {
        if (!d->blk.write(d->blk.opaque, d->lba, d->buf + i * BLOCK_SECTOR_SIZE)) {
            fail(ch, d, IDE_ERROR_ABRT);
            return;
        }
        d->remaining--;
        advance_registers(d, 1);
    }
    if (d->remaining > 0) {
        want_block(d);
        raise_intrq(ch, d);
    } else {
        complete(ch, d);
    }
}

/* The host has read the whole block. */
static void block_read_done(struct ide_channel *ch, struct ide_drive *d)
{
    if (d->remaining > 0) {
        read_block(ch, d);
        return;
    }
    /* The last block: DRQ clears, no interrupt (ATA-6 9.7). */
    d->xfer = IDE_XFER_NONE;
    d->status = IDE_STATUS_DRDY | IDE_STATUS_DSC;
}

/* ------------------------------------------------------------ IDENTIFY */

static void put16(uint8_t *buf, int word, uint32_t v)
{
    buf[2 * word] = (uint8_t)v;
    buf[2 * word + 1] = (uint8_t)(v >> 8);
}

/* ATA-6 8.15.8: ATA strings hold two characters a word, the first in the
 * high byte, padded with spaces. */
static void put_string(uint8_t *buf, int word, int words, const char *s)
{
    for (int i = 0; i < 2 * words; i++) {
        char c = *s ? *s++ : ' ';
        buf[2 * word + (i ^ 1)] = (uint8_t)c;
    }
}

/* IDENTIFY DEVICE data (ATA-6 Table 27), saying only what this disk does:
 * PIO, LBA28, CHS, READ/WRITE MULTIPLE up to 16 sectors; no DMA, no LBA48. */
static void identify(const struct ide_channel *ch, const struct ide_drive *d, uint8_t *buf)
{
    memset(buf, 0, BLOCK_SECTOR_SIZE);
    uint64_t lba28 = d->blk.sectors < 0x0FFFFFFF ? d->blk.sectors : 0x0FFFFFFF;
    uint32_t chs = (uint32_t)d->cylinders * d->heads * d->spt;
    char serial[21];
    serial[0] = 'R';
    serial[1] = 'L';
    for (int i = 2; i < 20; i++)
        serial[i] = '0';
    serial[19] = (char)('0' + (d == &ch->drive[1]));
    serial[20] = '\0';
    put16(buf, 0, 0x0040); /* fixed disk, ATA */
    put16(buf, 1, d->cylinders);
    put16(buf, 3, d->heads);
    put16(buf, 6, d->spt);
    put_string(buf, 10, 10, serial);
    put_string(buf, 23, 4, "1.0");
    put_string(buf, 27, 20, "ringlab hard disk");
    put16(buf, 47, 0x8000 | IDE_MAX_MULTIPLE);
    put16(buf, 49, 1u << 9);       /* LBA supported */
    put16(buf, 51, 0x0200);        /* PIO timing mode 2 */
    put16(buf, 53, 0x0003);        /* words 54-58 and 64-70 are valid */
    put16(buf, 54, d->cylinders);  /* current translation */
    put16(buf, 55, d->heads);
    put16(buf, 56, d->spt);
    put16(buf, 57, chs & 0xFFFF);
    put16(buf, 58, chs >> 16);
    if (d->multiple)
        put16(buf, 59, 0x0100 | d->multiple);
    put16(buf, 60, (uint32_t)(lba28 & 0xFFFF));
    put16(buf, 61, (uint32_t)(lba28 >> 16));
    put16(buf, 64, 0x0003); /* PIO modes 3 and 4 */
    put16(buf, 65, 120);
    put16(buf, 66, 120);
    put16(buf, 67, 120);
    put16(buf, 68, 120);
    put16(buf, 80, 0x007E); /* ATA-1 to ATA-6 */
    put16(buf, 83, 0x4000); /* word 83 and 84, 86 and 87: bit 14 set, bit 15 clear */
    put16(buf, 84, 0x4000);
    put16(buf, 87, 0x4000);
}

/* ------------------------------------------------------------ commands */

static void start_data_in(struct ide_channel *ch, struct ide_drive *d, uint32_t block)
{
    uint64_t lba;
    uint32_t n;
    if (!command_range(ch, d, &lba, &n))
        return;
    d->lba = lba;
    d->remaining = n;
    d->block = block;
    read_block(ch, d);
}

static void start_data_out(struct ide_channel *ch, struct ide_drive *d, uint32_t block)
{
    uint64_t lba;
    uint32_t n;
    if (!command_range(ch, d, &lba, &n))
        return;
    d->lba = lba;
    d->remaining = n;
    d->block = block;
    want_block(d);
}

static void execute(struct ide_channel *ch, struct ide_drive *d, uint8_t cmd)
{
    uint64_t lba;
    uint32_t n;
    d->command = cmd;
    d->error = 0;
    switch (cmd) {
    case IDE_CMD_READ_SECTORS:
    case IDE_CMD_READ_SECTORS_NORETRY:
        start_data_in(ch, d, 1);
        break;
    case IDE_CMD_WRITE_SECTORS:
    case IDE_CMD_WRITE_SECTORS_NORETRY:
        start_data_out(ch, d, 1);
        break;
    case IDE_CMD_READ_MULTIPLE:
    case IDE_CMD_WRITE_MULTIPLE:
        /* ATA-6 8.26: without a block size set, the command is aborted. */
        if (d->multiple == 0)
            fail(ch, d, IDE_ERROR_ABRT);
        else if (cmd == IDE_CMD_READ_MULTIPLE)
            start_data_in(ch, d, d->multiple);
        else
            start_data_out(ch, d, d->multiple);
        break;
    case IDE_CMD_SET_MULTIPLE:
        /* ATA-6 8.39: a block size the device cannot do is aborted; QEMU
         * takes 0 (multiple mode off) and powers of two up to 16. */
        if (d->count > IDE_MAX_MULTIPLE || (d->count & (d->count - 1)) != 0) {
            fail(ch, d, IDE_ERROR_ABRT);
        } else {
            d->multiple = d->count;
            complete(ch, d);
        }
        break;
    case IDE_CMD_IDENTIFY:
        identify(ch, d, d->buf);
        d->remaining = 0;
        d->xfer = IDE_XFER_TO_HOST;
        d->pos = 0;
        d->len = BLOCK_SECTOR_SIZE;
        d->status = IDE_STATUS_DRDY | IDE_STATUS_DSC | IDE_STATUS_DRQ;
        raise_intrq(ch, d);
        break;
    case IDE_CMD_VERIFY:
    case IDE_CMD_VERIFY_NORETRY:
        if (!command_range(ch, d, &lba, &n))
            break;
        d->lba = lba;
        advance_registers(d, n);
        complete(ch, d);
        break;
    case IDE_CMD_SEEK:
        if (!register_address(d, &lba) || lba >= d->blk.sectors)
            fail(ch, d, IDE_ERROR_IDNF | IDE_ERROR_ABRT);
        else
            complete(ch, d);
        break;
    case IDE_CMD_DIAGNOSTIC:
        set_signature(d);
        complete(ch, d);
        break;
    case IDE_CMD_CHECK_POWER:
        d->count = 0xFF; /* active or idle */
        complete(ch, d);
        break;
    case IDE_CMD_INIT_PARAMS: /* accepted, translation unchanged, as QEMU */
    case IDE_CMD_FLUSH_CACHE: /* writes are already on the image */
    case IDE_CMD_SET_FEATURES:
    case 0xE0: case 0xE1: case 0xE2: case 0xE3: /* standby / idle */
        complete(ch, d);
        break;
    default:
        if ((cmd & 0xF0) == IDE_CMD_RECALIBRATE) {
            complete(ch, d);
            break;
        }
        /* ATA-6 6.2.5: a command the device does not implement is aborted. */
        fail(ch, d, IDE_ERROR_ABRT);
        break;
    }
}

/* ------------------------------------------------------------ the ports */

static uint32_t data_read(struct ide_channel *ch, int size)
{
    struct ide_drive *d = &ch->drive[ch->unit];
    /* ATA-6 7.7: the data register only means something while DRQ is set;
     * otherwise QEMU returns 0 and the transfer does not move. */
    if (d->xfer != IDE_XFER_TO_HOST || d->pos + (uint32_t)size > d->len)
        return 0;
    uint32_t v = 0;
    for (int i = 0; i < size; i++)
        v |= (uint32_t)d->buf[d->pos + (uint32_t)i] << (8 * i);
    d->pos += (uint32_t)size;
    if (d->pos >= d->len)
        block_read_done(ch, d);
    return v;
}

static void data_write(struct ide_channel *ch, uint32_t value, int size)
{
    struct ide_drive *d = &ch->drive[ch->unit];
    if (d->xfer != IDE_XFER_FROM_HOST || d->pos + (uint32_t)size > d->len)
        return;
    for (int i = 0; i < size; i++)
        d->buf[d->pos + (uint32_t)i] = (uint8_t)(value >> (8 * i));
    d->pos += (uint32_t)size;
    if (d->pos >= d->len)
        write_block(ch, d);
}

static bool channel_empty(const struct ide_channel *ch)
{
    return !ch->drive[0].present && !ch->drive[1].present;
}

/* The status a register read shows: 0 from an empty channel and from an
 * absent slave (the host's pull-down on DD7, ATA-6 5.2.13; QEMU does the
 * same), which is how drivers find out that there is no disk. */
static uint8_t shown_status(const struct ide_channel *ch)
{
    const struct ide_drive *d = &ch->drive[ch->unit];
    return d->present ? d->status : 0;
}

static uint8_t reg_read(struct ide_channel *ch, uint16_t port)
{
    struct ide_drive *d = &ch->drive[ch->unit];
    if (port == IDE_CONTROL_PORT)
        return shown_status(ch); /* alternate status: no side effect */
    if (channel_empty(ch))
        return 0;
    switch (port - IDE_BASE) {
    case 1: return d->present ? d->error : 0;
    case 2: return d->count;
    case 3: return d->sector;
    case 4: return d->lcyl;
    case 5: return d->hcyl;
    case 6: return d->select;
    case 7:
        /* Reading the status register acknowledges the interrupt. */
        d->intrq = false;
        update_irq(ch);
        return shown_status(ch);
    default: return 0xFF; /* a byte access to the data register */
    }
}

static void soft_reset(struct ide_channel *ch, uint8_t control)
{
    bool was = ch->control & IDE_CONTROL_SRST, now = control & IDE_CONTROL_SRST;
    ch->control = control;
    if (now && !was) {
        /* ATA-6 9.2: while SRST is set the devices are busy, transfers stop. */
        for (int i = 0; i < 2; i++) {
            struct ide_drive *d = &ch->drive[i];
            d->xfer = IDE_XFER_NONE;
            d->intrq = false;
            if (d->present)
                d->status = IDE_STATUS_BSY;
        }
    } else if (!now && was) {
        /* Released: each device comes back with its signature, device 0
         * selected, no interrupt. */
        for (int i = 0; i < 2; i++) {
            uint8_t multiple = ch->drive[i].multiple;
            drive_reset(&ch->drive[i]);
            ch->drive[i].multiple = multiple;
        }
        ch->unit = 0;
    }
    update_irq(ch);
}

static void reg_write(struct ide_channel *ch, uint16_t port, uint8_t v)
{
    if (port == IDE_CONTROL_PORT) {
        soft_reset(ch, v);
        return;
    }
    struct ide_drive *d = &ch->drive[ch->unit];
    if (port == IDE_BASE + 7) {
        /* QEMU ignores a command to an absent slave, and one written while
         * BSY or DRQ is set (ATA-6 5.2.2: the result is indeterminate). */
        if (!d->present || (d->status & (IDE_STATUS_BSY | IDE_STATUS_DRQ)))
            return;
        d->intrq = false;
        update_irq(ch);
        execute(ch, d, v);
        return;
    }
    /* ATA-6 7.1: both devices take command block register writes; writes
     * during BSY are ignored. */
    for (int i = 0; i < 2; i++) {
        struct ide_drive *t = &ch->drive[i];
        if (t->status & IDE_STATUS_BSY)
            continue;
        switch (port - IDE_BASE) {
        case 1: t->feature = v; break;
        case 2: t->count = v; break;
        case 3: t->sector = v; break;
        case 4: t->lcyl = v; break;
        case 5: t->hcyl = v; break;
        case 6: t->select = (uint8_t)(v | 0xA0); break; /* bits 7 and 5 read as one */
        default: break;
        }
    }
    if (port == IDE_BASE + 6 && !(ch->drive[0].status & IDE_STATUS_BSY)) {
        ch->unit = (v & IDE_SELECT_DEV) ? 1 : 0;
        update_irq(ch);
    }
}

uint32_t ide_read(struct ide_channel *ch, uint16_t port, int size)
{
    if (port == IDE_BASE && size >= 2)
        return data_read(ch, size);
    uint32_t v = 0;
    for (int i = 0; i < size; i++) {
        uint16_t p = (uint16_t)(port + i);
        bool ours = (p >= IDE_BASE && p <= IDE_BASE + 7) || p == IDE_CONTROL_PORT;
        v |= (uint32_t)(ours ? reg_read(ch, p) : 0xFF) << (8 * i);
    }
    return v;
}

void ide_write(struct ide_channel *ch, uint16_t port, uint32_t value, int size)
{
    if (port == IDE_BASE && size >= 2) {
        data_write(ch, value, size);
        return;
    }
    for (int i = 0; i < size; i++) {
        uint16_t p = (uint16_t)(port + i);
        if ((p > IDE_BASE && p <= IDE_BASE + 7) || p == IDE_CONTROL_PORT)
            reg_write(ch, p, (uint8_t)(value >> (8 * i)));
    }
}

static uint32_t ide_io_read(void *opaque, uint16_t port, int size)
{
    return ide_read(opaque, port, size);
}

static void ide_io_write(void *opaque, uint16_t port, uint32_t value, int size)
{
    ide_write(opaque, port, value, size);
}

bool ide_register(struct ide_channel *ch, struct bus *bus)
{
    const struct io_handler cmd = {IDE_BASE, 8, "ide", ch, ide_io_read, ide_io_write};
    const struct io_handler ctl = {IDE_CONTROL_PORT, 1, "ide-control", ch, ide_io_read,
                                   ide_io_write};
    return bus_register(bus, &cmd) && bus_register(bus, &ctl);
}
