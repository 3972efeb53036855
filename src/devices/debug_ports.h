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

/* Zero-initialised fields mean: debug console off, debug-exit off, no
 * power-off ports. */
struct debug_ports_config {
    bool debugcon;          /* claim debugcon_port (0: 0xE9) */
    uint16_t debugcon_port;
    bool debug_exit;        /* claim debug_exit_iobase .. +iosize-1 */
    uint16_t debug_exit_iobase; /* with iosize 0: 0xF4 if this is 0 too */
    uint16_t debug_exit_iosize; /* 0: 4 */
    /* Bytes written to the debug console. */
    void (*byte_out)(void *opaque, uint8_t byte);
    /* isa-debug-exit: status is (V << 1) | 1, V the value written at its
     * access size, computed in 32 bits; QEMU hands the same number to
     * exit(), so the process status a shell sees is its low 8 bits. */
    void (*exit)(void *opaque, int status);
    /* When set, the ACPI power-off ports 0x604-0x605 and 0xB004-0xB005 are
     * claimed and call it. */
    void (*poweroff)(void *opaque);
    void *opaque;
};

struct debug_ports {
    struct debug_ports_config cfg;
    uint16_t pm1_cnt[2]; /* 0: PIIX4 at 0x604, 1: Bochs at 0xB004 */
};

/* Debug console and debug-exit enabled at 0xE9 and 0xF4 (4 bytes), no
 * callbacks (so no power-off ports until one is set). */
void debug_ports_default_config(struct debug_ports_config *cfg);
void debug_ports_init(struct debug_ports *dp, const struct debug_ports_config *cfg);
/* Claims the enabled ports; false if any is already taken. */
bool debug_ports_register(struct debug_ports *dp, struct bus *bus);

#endif
