/* The PC's Motorola MC146818 real-time clock and its 128 bytes of CMOS RAM
 * (index port 0x70 with the NMI-disable bit, data port 0x71).  The time it
 * shows is a fixed epoch plus virtual time, so a run is reproducible; the
 * memory-size bytes are those QEMU's PC machine stores.  The RTC's IRQ 8
 * (periodic, alarm and update-ended interrupts) is not modelled: register C
 * always reads 0. */
#ifndef RINGLAB_CMOS_H
#define RINGLAB_CMOS_H

#include <stdbool.h>
#include <stdint.h>

#include "devices/bus.h"
#include "machine/clock.h"

#define CMOS_INDEX_PORT 0x70
#define CMOS_DATA_PORT 0x71

/* RTC registers and CMOS bytes by index. */
enum {
    CMOS_SECONDS = 0x00,
    CMOS_MINUTES = 0x02,
    CMOS_HOURS = 0x04,
    CMOS_WEEKDAY = 0x06,
    CMOS_DAY = 0x07,
    CMOS_MONTH = 0x08,
    CMOS_YEAR = 0x09,
    CMOS_REG_A = 0x0A,
    CMOS_REG_B = 0x0B,
    CMOS_REG_C = 0x0C,
    CMOS_REG_D = 0x0D,
    CMOS_BASE_MEM_LO = 0x15,
    CMOS_EXT_MEM_LO = 0x17,
    CMOS_EXT_MEM2_LO = 0x30,
    CMOS_CENTURY = 0x32,
    CMOS_HIGH_MEM_LO = 0x34,
};

#define CMOS_B_SET 0x80 /* updates halted while the time is set */
#define CMOS_B_DM 0x04  /* 1: binary, 0: BCD */
#define CMOS_B_24H 0x02 /* 1: 24-hour, 0: 12-hour with bit 7 = PM */
#define CMOS_A_UIP 0x80

struct cmos {
    uint8_t index;
    bool nmi_disabled; /* bit 7 of the last index written */
    uint8_t ram[128];
    int64_t epoch_seconds;
    int64_t adjust_seconds; /* what the guest's writes moved the clock by */
    bool frozen;            /* register B SET: the clock reads frozen_time */
    int64_t frozen_time;
    const struct clock *clock; /* guest time (NULL: time 0) */
};

/* ram_size: the guest's RAM in bytes, for the memory-size bytes.
 * epoch_seconds: the Unix time shown at virtual time 0. */
void cmos_init(struct cmos *cmos, uint64_t ram_size, int64_t epoch_seconds,
               const struct clock *clock);
/* A system reset (RESET, not power): the clock and the 128 bytes are
 * battery-backed and keep everything -- the shutdown code in 0Fh among
 * them, which is how a program asks the firmware to resume after a reset.
 * The MC146818's RESET input clears only register B's interrupt enables
 * (PIE, AIE, UIE) and SQWE, and register C's flags (always 0 here). */
void cmos_reset(struct cmos *cmos);
/* Claims 0x70-0x71. */
bool cmos_register(struct cmos *cmos, struct bus *bus);

/* The Unix time the clock shows at virtual time now_ns. */
int64_t cmos_time(const struct cmos *cmos, uint64_t now_ns);

uint8_t cmos_read(struct cmos *cmos, uint16_t port, uint64_t now_ns);
void cmos_write(struct cmos *cmos, uint16_t port, uint8_t value, uint64_t now_ns);

#endif
