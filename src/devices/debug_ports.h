/* The ports through which a guest talks to the emulator rather than to
 * hardware, as hobby kernels use them under QEMU and Bochs:
 *  - the debug console at 0xE9: each byte written goes to the host;
 *  - isa-debug-exit (QEMU): a write of V ends the run with status
 *    (V << 1) | 1;
 *  - power off: SLP_EN with SLP_TYP 0 written to QEMU's PIIX4 ACPI PM1a
 *    control register at 0x604, or to the Bochs/old QEMU one at 0xB004. */
#ifndef RINGLAB_DEBUG_PORTS_H
#define RINGLAB_DEBUG_PORTS_H

#include <stdbool.h>
#include <stdint.h>

#include "devices/bus.h"

#define DEBUGCON_PORT 0xE9
#define DEBUG_EXIT_IOBASE 0xF4
#define DEBUG_EXIT_IOSIZE 4
#define ACPI_PM1A_CNT_PIIX4 0x604
#define ACPI_PM1A_CNT_BOCHS 0xB004
#define ACPI_SLP_EN 0x2000
#define ACPI_SLP_TYP_MASK 0x1C00

struct debug_ports_config {
    bool debugcon_enabled;   /* claim debugcon_port */
    uint16_t debugcon_port;
    bool debug_exit_enabled; /* claim debug_exit_iobase .. +iosize-1 */
    uint16_t debug_exit_iobase;
    uint16_t debug_exit_iosize;
    bool poweroff_enabled;   /* claim 0x604-0x605 and 0xB004-0xB005 */
    /* Callbacks; any may be NULL. */
    void (*byte)(void *opaque, uint8_t byte);
    /* status is (V << 1) | 1 computed in 32 bits, V the value written at
     * its access size (QEMU passes it to exit(), so the process status a
     * shell sees is its low 8 bits). */
    void (*exit)(void *opaque, uint32_t status);
    void (*poweroff)(void *opaque);
    void *opaque;
};

struct debug_ports {
    struct debug_ports_config cfg;
    uint16_t pm1_cnt[2]; /* 0: PIIX4 at 0x604, 1: Bochs at 0xB004 */
};

/* Everything enabled at QEMU's defaults (0xE9; 0xF4, 4 bytes), no
 * callbacks. */
void debug_ports_default_config(struct debug_ports_config *cfg);
void debug_ports_init(struct debug_ports *dp, const struct debug_ports_config *cfg);
/* Claims the enabled ports; false if any is taken (or iosize is 0). */
bool debug_ports_register(struct debug_ports *dp, struct bus *bus);

#endif
