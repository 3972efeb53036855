/* The devices of the PC ringlab builds: which ones, on which ports and IRQ
 * lines, what they are connected to, and the state the firmware leaves them
 * in before a Multiboot kernel starts. */
#include <stdio.h>

#include "machine/internal.h"

#define VGA_TEXT_BASE 0xb8000u

static void isa_irq(void *opaque, int irq, int level)
{
    apics_isa_irq(opaque, irq, level);
}

static void device_exit(void *opaque, int status)
{
    struct machine *m = opaque;
    /* QEMU exits at the first write; the engine may run on to the end of
     * the block, and a later write there must not change the status. */
    if (m->end != END_NONE)
        return;
    m->debug_exit_status = status;
    machine_finish(m, END_DEBUG_EXIT, "isa-debug-exit: status %d", status);
}

static void device_poweroff(void *opaque)
{
    machine_finish(opaque, END_POWEROFF, "the guest powered off");
}

static void device_reset(void *opaque)
{
    struct machine *m = opaque;
    /* A reset through the 8042 is a reset like a triple fault's, whatever
     * -no-reboot says (QEMU does the same). */
    m->reset_pending = true;
    exits_stop(m, CAUSE_END);
}

/* Output reaches the host once: after going back, the bytes the run sends
 * again until it is past where it was were shown already. */
static void serial_tx(void *opaque, uint8_t byte)
{
    struct machine *m = opaque;
    if (++m->serial_out <= m->serial_shown)
        return;
    m->serial_shown = m->serial_out;
    if (m->cfg.serial_out)
        m->cfg.serial_out(m->cfg.serial_opaque, byte);
}

static void debugcon_tx(void *opaque, uint8_t byte)
{
    struct machine *m = opaque;
    if (++m->debugcon_out <= m->debugcon_shown)
        return;
    m->debugcon_shown = m->debugcon_out;
    if (m->cfg.debugcon_out)
        m->cfg.debugcon_out(m->cfg.debugcon_opaque, byte);
}

/* Power-on state of every device, then, for a Multiboot kernel, the state
 * the PC firmware leaves before it starts one, as QEMU's SeaBIOS does: PIC
 * bases 0x08/0x70, PIT channel 0 in mode 2, COM1 at 9600 baud, the local
 * APIC in virtual wire mode.  A machine started at the reset vector leaves
 * that to its ROM.  The bus keeps pointing at the same structs. */
void board_reset(struct machine *m)
{
    pic_init(&m->pic);
    struct irq_line irq0 = {isa_irq, m, 0}, irq1 = {isa_irq, m, 1}, irq4 = {isa_irq, m, 4};
    struct irq_line irq14 = {isa_irq, m, IDE_IRQ};
    bool bios_setup = m->cfg.rom == NULL;
    apics_reset(m, bios_setup);
    ide_init(&m->ide, irq14);
    for (int unit = 0; unit < 2; unit++)
        if (m->cfg.disks[unit])
            ide_attach(&m->ide, unit, m->cfg.disks[unit]);
    pit_init(&m->pit, irq0, &m->clock);
    uart_init(&m->com1, 0x3f8, irq4, serial_tx, m);
    /* COM1 interrupts whatever OUT2 says, as QEMU's 16550 does: xv6's
     * uartinit clears MCR and still expects its keyboard input from IRQ 4
     * (on a PC it would get none). */
    m->com1.out2_gates_irq = false;
    /* The CMOS is battery-backed: a reset keeps its clock and bytes. */
    if (m->powered)
        cmos_reset(&m->cmos);
    else
        cmos_init(&m->cmos, m->ram_size, m->cfg.rtc_epoch, &m->clock);
    ps2_init(&m->ps2, irq1, device_reset, m);
    vga_text_init(&m->vga, m->ram + VGA_TEXT_BASE);
    struct debug_ports_config dc = {
        .debugcon = true,
        .debugcon_port = m->cfg.debugcon_port,
        .debug_exit = m->cfg.debug_exit,
        .debug_exit_iobase = m->cfg.debug_exit_iobase,
        .debug_exit_iosize = m->cfg.debug_exit_iosize,
        .byte_out = debugcon_tx,
        .exit = device_exit,
        .poweroff = device_poweroff,
        .opaque = m,
    };
    debug_ports_init(&m->debug, &dc);
    if (bios_setup) {
        pic_bios_setup(&m->pic);
        pit_bios_setup(&m->pit, clock_now_ns(&m->clock));
        uart_bios_setup(&m->com1);
    }
    m->tsc_offset = 0;
}

bool board_wire(struct machine *m, char *err, size_t errlen)
{
    bus_init(&m->bus);
    m->bus.unimp = m->cfg.unimp;
    m->bus.unimp_opaque = m->cfg.unimp_opaque;
    board_reset(m); /* the ports a device claims may depend on its settings */
    /* fw_cfg's items, as QEMU's PC gives them: the RAM as one E820 range
     * (the firmware makes the map a guest sees from it). */
    fw_cfg_init(&m->fw_cfg);
    struct e820_range ram = {0, m->ram_size, 1};
    if (!fw_cfg_pc_setup(&m->fw_cfg, m->ram_size, m->cfg.cpus, true, &ram, 1)) {
        snprintf(err, errlen, "out of memory");
        return false;
    }
    if (!pic_register(&m->pic, &m->bus) || !pit_register(&m->pit, &m->bus) ||
        !uart_register(&m->com1, &m->bus) || !cmos_register(&m->cmos, &m->bus) ||
        !ps2_register(&m->ps2, &m->bus) || !vga_text_register(&m->vga, &m->bus) ||
        !ide_register(&m->ide, &m->bus) || !fw_cfg_register(&m->fw_cfg, &m->bus) ||
        !debug_ports_register(&m->debug, &m->bus)) {
        snprintf(err, errlen, "device ports overlap (is -device isa-debug-exit on a used port?)");
        return false;
    }
    return apics_map(m, err, errlen);
}

/* The guest time of the next thing a device will do by itself (an IRQ 0
 * edge, a local APIC timer expiry), or UINT64_MAX. */
uint64_t board_next_event_ns(struct machine *m)
{
    uint64_t pit = pit_next_event_ns(&m->pit, clock_now_ns(&m->clock));
    uint64_t apic = apics_next_event_ns(m);
    return pit < apic ? pit : apic;
}

/* Bring the devices up to the guest's time. */
void board_advance(struct machine *m)
{
    pit_advance(&m->pit, clock_now_ns(&m->clock));
    apics_advance(m);
}
