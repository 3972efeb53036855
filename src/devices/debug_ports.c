/* The emulator's own ports: debug console, isa-debug-exit and the ACPI
 * power-off registers hobby kernels poke.  Behaviour follows QEMU's
 * isa-debugcon, isa-debug-exit and PIIX4 PM1a_CNT, and Bochs' port 0xE9
 * hack, so a kernel written against them runs unchanged. */
#include "devices/debug_ports.h"

#include <string.h>

void debug_ports_default_config(struct debug_ports_config *cfg)
{
    memset(cfg, 0, sizeof(*cfg));
    cfg->debugcon = true;
    cfg->debugcon_port = DEBUGCON_PORT;
    cfg->debug_exit = true;
    cfg->debug_exit_iobase = DEBUG_EXIT_IOBASE;
    cfg->debug_exit_iosize = DEBUG_EXIT_IOSIZE;
}

void debug_ports_init(struct debug_ports *dp, const struct debug_ports_config *cfg)
{
    memset(dp, 0, sizeof(*dp));
    if (cfg)
        dp->cfg = *cfg;
    else
        debug_ports_default_config(&dp->cfg);
    if (dp->cfg.debugcon_port == 0)
        dp->cfg.debugcon_port = DEBUGCON_PORT;
    if (dp->cfg.debug_exit_iosize == 0) {
        dp->cfg.debug_exit_iosize = DEBUG_EXIT_IOSIZE;
        if (dp->cfg.debug_exit_iobase == 0)
            dp->cfg.debug_exit_iobase = DEBUG_EXIT_IOBASE;
    }
}

/* Port 0xE9: reads return 0xE9 (how a guest detects the console, Bochs
 * style); each byte written goes to the host, a wide write byte by byte. */
static uint32_t debugcon_read(void *opaque, uint16_t port, int size)
{
    (void)opaque;
    (void)port;
    return size == 1 ? 0xE9 : bus_all_ones(size);
}

static void debugcon_write(void *opaque, uint16_t port, uint32_t value, int size)
{
    struct debug_ports *dp = opaque;
    (void)port;
    for (int i = 0; i < size; i++)
        if (dp->cfg.byte_out)
            dp->cfg.byte_out(dp->cfg.opaque, (uint8_t)(value >> (8 * i)));
}

/* isa-debug-exit: any write to any of its ports exits with the value as
 * written at its access size (a dword write of 0x10 gives 0x21); reads
 * return 0. */
static uint32_t debug_exit_read(void *opaque, uint16_t port, int size)
{
    (void)opaque;
    (void)port;
    (void)size;
    return 0;
}

static void debug_exit_write(void *opaque, uint16_t port, uint32_t value, int size)
{
    struct debug_ports *dp = opaque;
    (void)port;
    (void)size;
    if (dp->cfg.exit)
        dp->cfg.exit(dp->cfg.opaque, (int)((value << 1) | 1));
}

/* ACPI PM1 control (ACPI spec 4.8.3.2.1): bit 13 SLP_EN starts the sleep
 * state SLP_TYP (bits 10-12) names; QEMU's tables give S5, soft off, the
 * type 0.  SLP_EN is write-only and reads as 0.  Byte accesses reach the
 * low or high half of the 16-bit register. */
static int pm1_which(uint16_t port)
{
    return (port & 0xFFFE) == ACPI_PM1A_CNT_PIIX4 ? 0 : 1;
}

static uint32_t pm1_read(void *opaque, uint16_t port, int size)
{
    struct debug_ports *dp = opaque;
    uint16_t v = dp->pm1_cnt[pm1_which(port)];
    if (port & 1)
        return size == 1 ? (uint32_t)(v >> 8) : (uint32_t)(v >> 8) | 0xFFFFFF00u;
    return size == 1 ? (uint32_t)(v & 0xFF) : (uint32_t)v | 0xFFFF0000u;
}

static void pm1_write(void *opaque, uint16_t port, uint32_t value, int size)
{
    struct debug_ports *dp = opaque;
    uint16_t *reg = &dp->pm1_cnt[pm1_which(port)];
    uint16_t v;
    if (port & 1)
        v = (uint16_t)((*reg & 0x00FF) | (value & 0xFF) << 8);
    else if (size == 1)
        v = (uint16_t)((*reg & 0xFF00) | (value & 0xFF));
    else
        v = (uint16_t)value;
    *reg = v & (uint16_t)~ACPI_SLP_EN;
    if ((v & ACPI_SLP_EN) && (v & ACPI_SLP_TYP_MASK) == 0)
        dp->cfg.poweroff(dp->cfg.opaque);
}

bool debug_ports_register(struct debug_ports *dp, struct bus *bus)
{
    const struct debug_ports_config *c = &dp->cfg;
    if (c->debugcon) {
        const struct io_handler h = {c->debugcon_port, 1, "debugcon", dp, debugcon_read,
                                     debugcon_write};
        if (!bus_register(bus, &h))
            return false;
    }
    if (c->debug_exit) {
        const struct io_handler h = {c->debug_exit_iobase, c->debug_exit_iosize, "debug-exit", dp,
                                     debug_exit_read, debug_exit_write};
        if (!bus_register(bus, &h))
            return false;
    }
    if (c->poweroff) {
        const struct io_handler piix4 = {ACPI_PM1A_CNT_PIIX4, 2, "acpi-pm1a-cnt", dp, pm1_read,
                                         pm1_write};
        const struct io_handler bochs = {ACPI_PM1A_CNT_BOCHS, 2, "bochs-pm1a-cnt", dp, pm1_read,
                                         pm1_write};
        if (!bus_register(bus, &piix4) || !bus_register(bus, &bochs))
            return false;
    }
    return true;
}
