/* The MC146818 RTC and CMOS RAM.  Rules come from the Motorola MC146818A
 * datasheet ("146818:" comments); the memory-size bytes follow the layout
 * PC BIOSes read and QEMU's PC machine fills in.
 *
 * The clock is not stepped: the time is epoch + adjustment + virtual
 * seconds, broken down into calendar fields when a register is read.  A
 * guest that writes a time field moves the adjustment so the clock shows
 * what it wrote.  The day-of-week register follows the date (writes to it
 * are dropped). */
#include "devices/cmos.h"

#include <string.h>

#define NS_PER_S 1000000000ull
/* 146818 "Update Cycle": UIP rises 244 us before an update, which lasts
 * 1984 us; here the update completes exactly at each second boundary. */
#define UIP_WINDOW_NS (244000ull + 1984000ull)

static int64_t floor_div(int64_t a, int64_t b)
{
    int64_t q = a / b;
    return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

/* Days since 1970-01-01 of a proleptic Gregorian date (month 1..12). */
static int64_t days_from_civil(int64_t y, int m, int d)
{
    y -= m <= 2;
    int64_t era = floor_div(y, 400);
    int64_t yoe = y - era * 400;                                  /* 0..399 */
    int64_t doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1; /* 0..365, from March */
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

struct civil {
    int64_t year;
    int month, day, hour, minute, second, weekday; /* weekday 0 = Sunday */
};

static struct civil civil_from_time(int64_t t)
{
    struct civil c;
    int64_t days = floor_div(t, 86400);
    int64_t sod = t - days * 86400;
    c.hour = (int)(sod / 3600);
    c.minute = (int)(sod / 60 % 60);
    c.second = (int)(sod % 60);
    c.weekday = (int)(((days % 7) + 11) % 7); /* 1970-01-01 was a Thursday */
    int64_t z = days + 719468;
    int64_t era = floor_div(z, 146097);
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    c.day = (int)(doy - (153 * mp + 2) / 5 + 1);
    c.month = (int)(mp < 10 ? mp + 3 : mp - 9);
    c.year = yoe + era * 400 + (c.month <= 2);
    return c;
}

static int64_t civil_to_time(const struct civil *c)
{
    return days_from_civil(c->year, c->month, c->day) * 86400 + c->hour * 3600 + c->minute * 60 +
           c->second;
}

int64_t cmos_time(const struct cmos *cmos, uint64_t now_ns)
{
    if (cmos->frozen)
        return cmos->frozen_time;
    return cmos->epoch_seconds + cmos->adjust_seconds + (int64_t)(now_ns / NS_PER_S);
}

/* Register B DM selects binary or BCD for every time and date byte. */
static uint8_t cmos_encode(const struct cmos *cmos, int v)
{
    if (cmos->ram[CMOS_REG_B] & CMOS_B_DM)
        return (uint8_t)v;
    return (uint8_t)((v / 10) << 4 | v % 10);
}

static int cmos_decode(const struct cmos *cmos, uint8_t v)
{
    if (cmos->ram[CMOS_REG_B] & CMOS_B_DM)
        return v;
    return (v >> 4) * 10 + (v & 15);
}

static uint8_t cmos_hours(const struct cmos *cmos, int hour)
{
    if (cmos->ram[CMOS_REG_B] & CMOS_B_24H)
        return cmos_encode(cmos, hour);
    /* 146818 "12-hour mode": 1..12, bit 7 set for PM. */
    int h12 = hour % 12 == 0 ? 12 : hour % 12;
    return (uint8_t)(cmos_encode(cmos, h12) | (hour >= 12 ? 0x80 : 0));
}

static int cmos_hours_decode(const struct cmos *cmos, uint8_t v)
{
    if (cmos->ram[CMOS_REG_B] & CMOS_B_24H)
        return cmos_decode(cmos, v);
    return cmos_decode(cmos, v & 0x7F) % 12 + ((v & 0x80) ? 12 : 0);
}

/* Replaces one calendar field of the time the clock shows. */
static void cmos_set_field(struct cmos *cmos, uint8_t reg, uint8_t v, uint64_t now_ns)
{
    int64_t cur = cmos_time(cmos, now_ns);
    struct civil c = civil_from_time(cur);
    switch (reg) {
    case CMOS_SECONDS:
        c.second = cmos_decode(cmos, v);
        break;
    case CMOS_MINUTES:
        c.minute = cmos_decode(cmos, v);
        break;
    case CMOS_HOURS:
        c.hour = cmos_hours_decode(cmos, v);
        break;
    case CMOS_DAY:
        c.day = cmos_decode(cmos, v);
        break;
    case CMOS_MONTH:
        c.month = cmos_decode(cmos, v);
        if (c.month < 1 || c.month > 12)
            return;
        break;
    case CMOS_YEAR:
        c.year = c.year - c.year % 100 + cmos_decode(cmos, v) % 100;
        break;
    case CMOS_CENTURY:
        c.year = cmos_decode(cmos, v) * 100 + c.year % 100;
        break;
    default:
        return;
    }
    int64_t t = civil_to_time(&c);
    if (cmos->frozen)
        cmos->frozen_time = t;
    else
        cmos->adjust_seconds += t - cur;
}

static void cmos_store16(struct cmos *cmos, int index, uint64_t v)
{
    if (v > 0xFFFF)
        v = 0xFFFF;
    cmos->ram[index] = (uint8_t)v;
    cmos->ram[index + 1] = (uint8_t)(v >> 8);
}

void cmos_init(struct cmos *cmos, uint64_t ram_size, int64_t epoch_seconds,
               const struct clock *clock)
{
    memset(cmos, 0, sizeof(*cmos));
    cmos->epoch_seconds = epoch_seconds;
    cmos->clock = clock;
    /* 146818: register A DV = 010 (32.768 kHz time base), RS = 0110
     * (1024 Hz); B 24-hour BCD; D VRT (valid RAM and time). */
    cmos->ram[CMOS_REG_A] = 0x26;
    cmos->ram[CMOS_REG_B] = CMOS_B_24H;
    cmos->ram[CMOS_REG_D] = 0x80;
    /* Equipment byte: a math coprocessor, no floppy, no PS/2 mouse. */
    cmos->ram[0x14] = 0x02;
    /* Memory sizes in KiB: base memory up to 640; extended memory above 1 MiB (twice),
     * and 64 KiB blocks above 16 MiB; each capped at 0xFFFF. */
    const uint64_t mib = 1024 * 1024;
    cmos_store16(cmos, CMOS_BASE_MEM_LO, ram_size / 1024 < 640 ? ram_size / 1024 : 640);
    uint64_t ext = ram_size > mib ? (ram_size - mib) / 1024 : 0;
    cmos_store16(cmos, CMOS_EXT_MEM_LO, ext);
    cmos_store16(cmos, CMOS_EXT_MEM2_LO, ext);
    uint64_t high = ram_size > 16 * mib ? (ram_size - 16 * mib) / (64 * 1024) : 0;
    cmos_store16(cmos, CMOS_HIGH_MEM_LO, high);
    /* The AT checksum over 0x10-0x2D, big-endian at 0x2E. */
    unsigned sum = 0;
    for (int i = 0x10; i <= 0x2D; i++)
        sum += cmos->ram[i];
    cmos->ram[0x2E] = (uint8_t)(sum >> 8);
    cmos->ram[0x2F] = (uint8_t)sum;
}

void cmos_reset(struct cmos *cmos)
{
    cmos->ram[CMOS_REG_B] &= (uint8_t)~0x78u; /* PIE 0x40, AIE 0x20, UIE 0x10, SQWE 0x08 */
    cmos->ram[CMOS_REG_C] = 0;
}

static uint8_t cmos_read_reg(struct cmos *cmos, uint8_t reg, uint64_t now_ns)
{
    struct civil c = civil_from_time(cmos_time(cmos, now_ns));
    switch (reg) {
    case CMOS_SECONDS:
        return cmos_encode(cmos, c.second);
    case CMOS_MINUTES:
        return cmos_encode(cmos, c.minute);
    case CMOS_HOURS:
        return cmos_hours(cmos, c.hour);
    case CMOS_WEEKDAY:
        return cmos_encode(cmos, c.weekday + 1); /* 1 = Sunday */
    case CMOS_DAY:
        return cmos_encode(cmos, c.day);
    case CMOS_MONTH:
        return cmos_encode(cmos, c.month);
    case CMOS_YEAR:
        return cmos_encode(cmos, (int)(((c.year % 100) + 100) % 100));
    case CMOS_CENTURY:
        return cmos_encode(cmos, (int)(c.year / 100 % 100));
    case CMOS_REG_A: {
        uint8_t v = cmos->ram[CMOS_REG_A] & 0x7F;
        bool running = !cmos->frozen && (v & 0x70) == 0x20;
        if (running && now_ns % NS_PER_S >= NS_PER_S - UIP_WINDOW_NS)
            v |= CMOS_A_UIP;
        return v;
    }
    case CMOS_REG_C: {
        /* 146818: reading register C clears its flags. */
        uint8_t v = cmos->ram[CMOS_REG_C];
        cmos->ram[CMOS_REG_C] = 0;
        return v;
    }
    default:
        return cmos->ram[reg];
    }
}

static void cmos_write_reg(struct cmos *cmos, uint8_t reg, uint8_t v, uint64_t now_ns)
{
    switch (reg) {
    case CMOS_SECONDS:
    case CMOS_MINUTES:
    case CMOS_HOURS:
    case CMOS_DAY:
    case CMOS_MONTH:
    case CMOS_YEAR:
    case CMOS_CENTURY:
        cmos_set_field(cmos, reg, v, now_ns);
        break;
    case CMOS_WEEKDAY:
    case CMOS_REG_C:
    case CMOS_REG_D:
        break; /* derived or read-only */
    case CMOS_REG_A:
        cmos->ram[CMOS_REG_A] = v & 0x7F; /* UIP is read-only */
        break;
    case CMOS_REG_B:
        /* 146818 "Register B": SET halts updates so the time can be
         * written; clearing it restarts the clock from what was written.
         * SET also clears UIE. */
        if ((v & CMOS_B_SET) && !cmos->frozen) {
            cmos->frozen_time = cmos_time(cmos, now_ns);
            cmos->frozen = true;
        } else if (!(v & CMOS_B_SET) && cmos->frozen) {
            cmos->frozen = false;
            cmos->adjust_seconds = cmos->frozen_time - cmos->epoch_seconds -
                                   (int64_t)(now_ns / NS_PER_S);
        }
        if (v & CMOS_B_SET)
            v &= (uint8_t)~0x10;
        cmos->ram[CMOS_REG_B] = v;
        break;
    default:
        cmos->ram[reg] = v;
        break;
    }
}

uint8_t cmos_read(struct cmos *cmos, uint16_t port, uint64_t now_ns)
{
    if (port != CMOS_DATA_PORT)
        return 0xFF; /* the index register is write-only */
    return cmos_read_reg(cmos, cmos->index, now_ns);
}

void cmos_write(struct cmos *cmos, uint16_t port, uint8_t value, uint64_t now_ns)
{
    if (port == CMOS_INDEX_PORT) {
        /* PC/AT: bit 7 of the index port masks NMI. */
        cmos->nmi_disabled = (value & 0x80) != 0;
        cmos->index = value & 0x7F;
    } else {
        cmos_write_reg(cmos, cmos->index, value, now_ns);
    }
}

/* ------------------------------------------------------------------ bus */

static uint64_t cmos_now(const struct cmos *cmos)
{
    return cmos->clock ? clock_now_ns(cmos->clock) : 0;
}

static uint8_t cmos_read8(void *opaque, uint16_t port)
{
    struct cmos *cmos = opaque;
    return cmos_read(cmos, port, cmos_now(cmos));
}

static void cmos_write8(void *opaque, uint16_t port, uint8_t value)
{
    struct cmos *cmos = opaque;
    cmos_write(cmos, port, value, cmos_now(cmos));
}

static uint32_t cmos_io_read(void *opaque, uint16_t port, int size)
{
    return bus_read_bytes(cmos_read8, opaque, CMOS_INDEX_PORT, 2, port, size);
}

static void cmos_io_write(void *opaque, uint16_t port, uint32_t value, int size)
{
    bus_write_bytes(cmos_write8, opaque, CMOS_INDEX_PORT, 2, port, value, size);
}

bool cmos_register(struct cmos *cmos, struct bus *bus)
{
    const struct io_handler h = {CMOS_INDEX_PORT, 2, "cmos", cmos, cmos_io_read, cmos_io_write};
    return bus_register(bus, &h);
}
