/* The APICs in the machine: the local APIC's page at IA32_APIC_BASE and the
 * I/O APIC's at 0xFEC00000, the APIC bus between them, IA32_APIC_BASE
 * itself, and the question the CPU asks between instructions: is there an
 * interrupt for me, and which?  (SDM Vol. 3A 10.8, and 10.4.3 for the
 * 8259's INTR reaching the CPU through LINT0.)  The device models are
 * devices/lapic.c, ioapic.c and apic_bus.c; this file only connects them. */
#include <stdio.h>

#include "cpu/engine.h"
#include "devices/apic_bus.h"
#include "machine/internal.h"

/* The size of each APIC's register page. */
#define APIC_PAGE 0x1000u

static uint64_t now_ns(void *opaque)
{
    struct machine *m = opaque;
    return clock_now_ns(&m->clock);
}

/* A register access may have made an interrupt deliverable (an EOI, a
 * lower TPR, a self IPI, an unmasked entry whose pin is up) or sent an
 * INIT: stop at the end of this block to look, as after an I/O
 * instruction. */
static void after_access(struct machine *m)
{
    /* An INIT for the BSP too: it resets between blocks (smp.c). */
    if (apics_irq_pending(m) || (m->cfg.apic && m->lapic[0].init_pending))
        m->stop_at = 0;
}

static void bus_send(void *opaque, const struct apic_msg *msg, uint64_t now)
{
    struct machine *m = opaque;
    struct lapic *targets[PC_TABLES_MAX_CPUS];
    for (int i = 0; i < m->cfg.cpus; i++)
        targets[i] = &m->lapic[i];
    apic_bus_deliver(targets, m->cfg.cpus, msg, now);
}

static void eoi_broadcast(void *opaque, uint8_t vector)
{
    struct machine *m = opaque;
    ioapic_eoi(&m->ioapic, vector, clock_now_ns(&m->clock));
}

/* The local APIC registers are 32 bits wide, each at the start of a
 * 16-byte slot (SDM Vol. 3A 10.4.1): a narrower access reads its part of
 * the register, a narrower write is taken as the whole register's. */
/* A local APIC page belongs to the CPU that accesses it, if that CPU's
 * IA32_APIC_BASE points there (SDM Vol. 3A 10.4.5: each processor's APIC
 * may be relocated on its own); for another CPU it is like a disabled
 * APIC's: reads give 0, writes are dropped. */
static struct lapic *window_owner(void *opaque)
{
    struct lapic_window *w = opaque;
    struct machine *m = w->m;
    struct lapic *l = &m->lapic[m->cpu];
    return lapic_mmio_enabled(l) && lapic_base_address(l) == w->base ? l : NULL;
}

static uint32_t lapic_mmio_read(void *opaque, uint32_t offset, int size)
{
    struct machine *m = ((struct lapic_window *)opaque)->m;
    struct lapic *l = window_owner(opaque);
    if (!l)
        return 0;
    uint32_t v = lapic_read(l, offset & ~3u, clock_now_ns(&m->clock));
    v >>= 8 * (offset & 3);
    return size >= 4 ? v : v & ((1u << (8 * size)) - 1);
}

static void lapic_mmio_write(void *opaque, uint32_t offset, int size, uint32_t value)
{
    struct machine *m = ((struct lapic_window *)opaque)->m;
    struct lapic *l = window_owner(opaque);
    (void)size;
    if (!l)
        return;
    lapic_write(l, offset & ~3u, value, clock_now_ns(&m->clock));
    after_access(m);
}

static uint32_t ioapic_mmio_read(void *opaque, uint32_t offset, int size)
{
    struct machine *m = opaque;
    uint32_t v = ioapic_read(&m->ioapic, offset & ~3u) >> (8 * (offset & 3));
    return size >= 4 ? v : v & ((1u << (8 * size)) - 1);
}

static void ioapic_mmio_write(void *opaque, uint32_t offset, int size, uint32_t value)
{
    struct machine *m = opaque;
    (void)size;
    ioapic_write(&m->ioapic, offset & ~3u, value, clock_now_ns(&m->clock));
    after_access(m);
}

/* Does some CPU's IA32_APIC_BASE point at this page? */
static bool base_in_use(const struct machine *m, uint32_t base)
{
    for (int i = 0; i < m->cfg.cpus; i++)
        if (lapic_base_address(&m->lapic[i]) == base)
            return true;
    return false;
}

bool apics_follow_bases(struct machine *m, char *err, size_t errlen)
{
    if (!m->cfg.apic)
        return true;
    struct lapic_window *w = m->lapic_windows;
    for (int i = 0; i < m->cfg.cpus; i++)
        if (w[i].mapped && !base_in_use(m, w[i].base)) {
            engine_unmap_mmio(m->engine, w[i].base);
            w[i].mapped = false;
        }
    for (int c = 0; c < m->cfg.cpus; c++) {
        uint32_t base = lapic_base_address(&m->lapic[c]);
        int slot = -1;
        for (int i = 0; i < m->cfg.cpus && slot < 0; i++)
            if (w[i].mapped && w[i].base == base)
                slot = i;
        for (int i = 0; i < m->cfg.cpus && slot < 0; i++)
            if (!w[i].mapped) {
                w[i] = (struct lapic_window){m, base, false};
                if (!engine_map_mmio(m->engine, base, APIC_PAGE, lapic_mmio_read,
                                     lapic_mmio_write, &w[i])) {
                    snprintf(err, errlen,
                             "CPU %d's IA32_APIC_BASE puts the local APIC's page at 0x%08x, over "
                             "RAM or another device: not modelled", c, base);
                    return false;
                }
                w[i].mapped = true;
                slot = i;
            }
    }
    return true;
}

bool apics_map(struct machine *m, char *err, size_t errlen)
{
    if (!m->cfg.apic)
        return true;
    if (!engine_map_mmio(m->engine, IOAPIC_DEFAULT_BASE, APIC_PAGE, ioapic_mmio_read,
                         ioapic_mmio_write, m)) {
        snprintf(err, errlen, "cannot map the I/O APIC page");
        return false;
    }
    return apics_follow_bases(m, err, errlen);
}

void apics_reset(struct machine *m, bool bios_setup)
{
    for (int i = 0; i < m->cfg.cpus; i++) {
        struct lapic *l = &m->lapic[i];
        lapic_init(l, i, (uint8_t)i, i == 0);
        l->send = bus_send;
        l->send_opaque = m;
        l->eoi_broadcast = eoi_broadcast;
        l->eoi_opaque = m;
        /* A Multiboot kernel starts where SeaBIOS leaves the BSP. */
        if (bios_setup && i == 0)
            lapic_bios_setup(l);
    }
    /* The I/O APIC's ID is the one the MP table and the MADT give it. */
    struct pc_tables_config tc;
    pc_tables_default_config(&tc, m->ram_size, m->cfg.cpus);
    ioapic_init(&m->ioapic, tc.ioapic_id, bus_send, m, now_ns, m);
    /* A reset puts every page back at 0xFEE00000 (once apics_map has run:
     * at power-on it maps them). */
    bool wired = false;
    for (int i = 0; i < m->cfg.cpus; i++)
        wired |= m->lapic_windows[i].mapped;
    char err[160];
    if (wired && !apics_follow_bases(m, err, sizeof err))
        machine_finish(m, END_GUEST_ERROR, "%s", err);
}

bool apics_present(const struct machine *m)
{
    return m->cfg.apic;
}

/* SDM Vol. 3A 10.4.4: IA32_APIC_BASE. */
bool apics_read_base(struct machine *m, uint64_t *value)
{
    if (!m->cfg.apic)
        return false;
    *value = lapic_read_base(&m->lapic[m->cpu]);
    return true;
}

bool apics_write_base(struct machine *m, uint64_t value)
{
    if (!m->cfg.apic)
        return false;
    if (!lapic_write_base(&m->lapic[m->cpu], value, clock_now_ns(&m->clock)))
        return false;
    /* SDM Vol. 3A 10.4.5: the registers move with the base field. */
    char err[160];
    if (!apics_follow_bases(m, err, sizeof err))
        machine_finish(m, END_GUEST_ERROR, "%s", err);
    return true;
}

/* The 8259's INTR goes to the BSP (its LINT0 pin, MP 1.4 3.6.2.2)
 * directly when there is no APIC, else as its local APIC allows (virtual
 * wire mode). */
static bool pic_reaches_cpu(const struct machine *m, int i)
{
    return i == 0 && (!m->cfg.apic || lapic_pic_passthrough(&m->lapic[0]));
}

bool apics_irq_pending_for(const struct machine *m, int i)
{
    if (m->cfg.apic && lapic_pending_vector(&m->lapic[i]) >= 0)
        return true;
    return pic_reaches_cpu(m, i) && pic_has_interrupt(&m->pic);
}

bool apics_irq_pending(const struct machine *m)
{
    return apics_irq_pending_for(m, m->cpu);
}

/* SDM Vol. 3A 10.8.3: the local APIC's highest-priority request goes
 * first; otherwise the 8259 answers the acknowledge cycle. */
int apics_irq_acknowledge(struct machine *m, const char **from)
{
    if (m->cfg.apic && lapic_pending_vector(&m->lapic[m->cpu]) >= 0) {
        *from = "hardware interrupt from the local APIC";
        return lapic_acknowledge(&m->lapic[m->cpu]);
    }
    *from = "hardware interrupt from the PIC";
    return pic_acknowledge(&m->pic);
}

uint64_t apics_next_event_ns(const struct machine *m)
{
    uint64_t next = UINT64_MAX, now = clock_now_ns(&m->clock);
    for (int i = 0; m->cfg.apic && i < m->cfg.cpus; i++) {
        uint64_t t = lapic_next_event_ns(&m->lapic[i], now);
        if (t < next)
            next = t;
    }
    return next;
}

void apics_advance(struct machine *m)
{
    uint64_t now = clock_now_ns(&m->clock);
    for (int i = 0; m->cfg.apic && i < m->cfg.cpus; i++)
        lapic_advance(&m->lapic[i], now);
}

/* The ISA interrupt lines go to both the 8259s and the I/O APIC, as on a
 * PIIX PC: pin n for IRQ n, but IRQ 0 on pin 2 (the MP table and the MADT
 * say so, as QEMU's). */
void apics_isa_irq(struct machine *m, int irq, int level)
{
    pic_set_irq(&m->pic, irq, level);
    if (m->cfg.apic)
        ioapic_set_pin(&m->ioapic, irq == 0 ? 2 : irq, level != 0, clock_now_ns(&m->clock));
}
