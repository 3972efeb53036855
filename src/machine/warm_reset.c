/* INIT of the bootstrap processor, and the PC/AT warm-reset protocol a
 * program uses to come back from it: the shutdown code in CMOS byte 0Fh
 * and the far pointer at 0040:0067 (the warm-reset vector; MP
 * Specification 1.4, B.4, and the PC/AT BIOS).
 *
 * SDM Vol. 3A 9.1 and Table 9-1: INIT puts the processor in the state
 * RESET does (the caches, x87 state and most MSRs kept) and it starts at
 * the reset vector, F000:FFF0.  An application processor with an
 * integrated APIC then waits for a start-up IPI instead (SDM Vol. 3A
 * 8.4.1, 10.4.7.3; smp.c): INIT alone does not run it.  The bootstrap
 * processor runs the firmware, which looks at the shutdown code before
 * anything else:
 *   05h  an EOI to the master 8259, then a far jump through 0040:0067;
 *   0Ah  a far jump through 0040:0067;
 *   else a cold start (the POST, the boot).
 * With a ROM (ringlab's own: firmware/bios.asm, post) the ROM does this
 * itself.  Without one -- a Multiboot kernel -- ringlab does what the
 * firmware would: the warm start, or, for any other code, the reboot a
 * cold start means (the kernel loaded again, as after a reset).  A reset
 * of the whole machine (a triple fault, the 8042's reset line) without a
 * ROM takes the same warm start (machine.c), the CMOS bytes surviving it
 * (cmos_reset). */
#include "cpu/engine.h"
#include "machine/internal.h"

#define CMOS_SHUTDOWN 0x0F
#define SHUTDOWN_JUMP_EOI 0x05
#define SHUTDOWN_JUMP 0x0A
#define WARM_RESET_VECTOR 0x467 /* 0040:0067: offset, then segment */
#define PIC_MASTER_COMMAND 0x20
#define PIC_EOI 0x20

static uint16_t ram16(const struct machine *m, uint32_t at)
{
    return (uint16_t)(m->ram[at] | m->ram[at + 1] << 8);
}

bool warm_reset_requested(const struct machine *m)
{
    uint8_t code = m->cmos.ram[CMOS_SHUTDOWN];
    return code == SHUTDOWN_JUMP_EOI || code == SHUTDOWN_JUMP;
}

bool warm_reset_jump(struct machine *m)
{
    /* The firmware's order: the byte back to 0 (a later reset is a cold
     * one), the EOI for code 05h, the jump. */
    uint8_t code = m->cmos.ram[CMOS_SHUTDOWN];
    m->cmos.ram[CMOS_SHUTDOWN] = 0;
    if (code == SHUTDOWN_JUMP_EOI)
        bus_out(&m->bus, PIC_MASTER_COMMAND, PIC_EOI, 1);
    uint16_t ip = ram16(m, WARM_RESET_VECTOR), cs = ram16(m, WARM_RESET_VECTOR + 2);
    return firmware_start_cpu(m, cs, (uint32_t)cs << 4, ip);
}

void warm_reset_bsp(struct machine *m)
{
    m->halted = false;
    m->paging_stale = true;
    m->block = NULL;
    bool ok;
    if (m->cfg.rom) {
        ok = firmware_reset_cpu(m);
    } else if (warm_reset_requested(m)) {
        ok = warm_reset_jump(m);
    } else {
        m->reset_pending = true;
        exits_stop(m, CAUSE_END);
        return;
    }
    if (!ok)
        machine_finish(m, END_HOST_ERROR, "cannot put the BSP in its INIT state");
}
