/* The PC firmware tables (see pc_tables.h).  Every table is built in a
 * local buffer, checksummed, then copied to its place, so the sizes are
 * known before anything is checked or written. */
#include "loader/pc_tables.h"

#include <stdio.h>
#include <string.h>

#define MP_OEM_ID "RINGLAB "
#define MP_PRODUCT_ID "PC          "
#define ACPI_OEM_ID "RINGLB"
#define ACPI_OEM_TABLE_ID "RINGLAB "
#define ACPI_CREATOR_ID "RLAB"

struct table {
    uint8_t b[512];
    size_t n;
};

static void put8(struct table *t, uint32_t v) { t->b[t->n++] = (uint8_t)v; }
static void put16(struct table *t, uint32_t v) { put8(t, v); put8(t, v >> 8); }
static void put32(struct table *t, uint32_t v) { put16(t, v); put16(t, v >> 16); }

static void put_bytes(struct table *t, const char *s, size_t n)
{
    memcpy(t->b + t->n, s, n);
    t->n += n;
}

static void set16(struct table *t, size_t at, uint32_t v)
{
    t->b[at] = (uint8_t)v;
    t->b[at + 1] = (uint8_t)(v >> 8);
}

static void set32(struct table *t, size_t at, uint32_t v)
{
    set16(t, at, v);
    set16(t, at + 2, v >> 16);
}

uint8_t pc_tables_checksum(const uint8_t *bytes, size_t n)
{
    uint8_t sum = 0;
    for (size_t i = 0; i < n; i++)
        sum = (uint8_t)(sum + bytes[i]);
    return (uint8_t)(0x100 - sum);
}

void pc_tables_default_config(struct pc_tables_config *cfg, uint64_t ram_size, int cpus)
{
    memset(cfg, 0, sizeof *cfg);
    cfg->ram_size = ram_size;
    cfg->cpus = cpus;
    cfg->lapic_base = 0xFEE00000u;
    cfg->lapic_version = 0x14;
    cfg->ioapic_base = 0xFEC00000u;
    cfg->ioapic_id = 0;
    cfg->ioapic_version = 0x20;
    cfg->com[0] = 0x3F8;
    cfg->fpu = true;
    cfg->hard_disks = 1;
}

void pc_tables_default_layout(const struct pc_tables_config *cfg, struct pc_tables_layout *out)
{
    out->mp_floating = PC_TABLES_FSEG;
    out->rsdp = PC_TABLES_FSEG + 0x10;
    out->mp_config = PC_TABLES_FSEG + 0x40;
    if (cfg->ram_size >= 0x200000) {
        out->rsdt = (uint32_t)(cfg->ram_size - PC_TABLES_HIGH_RESERVED);
        out->madt = out->rsdt + 0x40;
    } else {
        out->rsdt = PC_TABLES_FSEG + 0x400;
        out->madt = PC_TABLES_FSEG + 0x440;
    }
}

/* ------------------------------------------------------------ MP tables */

/* MP 1.4 4.1, Figure 4-2: the floating pointer structure. */
static void build_mp_floating(struct table *t, uint32_t config)
{
    put_bytes(t, "_MP_", 4);
    put32(t, config);
    put8(t, 1); /* length in 16-byte units */
    put8(t, 4); /* specification revision 1.4 */
    put8(t, 0); /* checksum, below */
    put8(t, 0); /* feature 1: 0, a configuration table is present */
    put8(t, 0); /* feature 2: IMCR absent, virtual wire mode (3.6.2.2) */
    put8(t, 0);
    put8(t, 0);
    put8(t, 0);
    t->b[10] = pc_tables_checksum(t->b, 16);
}

static void mp_intr(struct table *t, int type, int kind, int bus_irq, uint8_t dest, int pin)
{
    put8(t, (uint32_t)type);
    put8(t, (uint32_t)kind); /* 0 INT, 1 NMI, 2 SMI, 3 ExtINT */
    put16(t, 0);             /* polarity and trigger conform to the bus */
    put8(t, 0);              /* source bus: the ISA bus */
    put8(t, (uint32_t)bus_irq);
    put8(t, dest);
    put8(t, (uint32_t)pin);
}

/* MP 1.4 4.2-4.3: header, then entries in type order. */
static void build_mp_config(struct table *t, const struct pc_tables_config *cfg)
{
    put_bytes(t, "PCMP", 4);
    put16(t, 0); /* base table length, below */
    put8(t, 4);  /* revision 1.4 */
    put8(t, 0);  /* checksum, below */
    put_bytes(t, MP_OEM_ID, 8);
    put_bytes(t, MP_PRODUCT_ID, 12);
    put32(t, 0); /* no OEM table */
    put16(t, 0);
    put16(t, 0); /* entry count, below */
    put32(t, cfg->lapic_base);
    put16(t, 0); /* no extended table */
    put8(t, 0);
    put8(t, 0);
    int entries = 0;
    for (int i = 0; i < cfg->cpus; i++, entries++) {
        put8(t, MP_PROCESSOR);
        put8(t, (uint32_t)i);           /* local APIC ID */
        put8(t, cfg->lapic_version);
        put8(t, i == 0 ? 3 : 1);        /* enabled, bootstrap processor */
        put32(t, cfg->cpu_signature);
        put32(t, cfg->cpu_features);
        put32(t, 0);
        put32(t, 0);
    }
    put8(t, MP_BUS);
    put8(t, 0);
    put_bytes(t, "ISA   ", 6);
    entries++;
    put8(t, MP_IOAPIC);
    put8(t, cfg->ioapic_id);
    put8(t, cfg->ioapic_version);
    put8(t, 1); /* usable */
    put32(t, cfg->ioapic_base);
    entries++;
    /* ISA IRQs to I/O APIC inputs: IRQ 0 (the timer) on INTIN2, the others
     * on their own pins; IRQ 2 is the 8259 cascade (MP 1.4 Table 5-1). */
    for (int irq = 0; irq < 16; irq++) {
        if (irq == 2)
            continue;
        mp_intr(t, MP_IOINTR, 0, irq, cfg->ioapic_id, irq == 0 ? 2 : irq);
        entries++;
    }
    /* The 8259's INTR on LINTIN0 of the BSP, NMI on LINTIN1 of all. */
    mp_intr(t, MP_LOCALINTR, 3, 0, 0x00, 0);
    mp_intr(t, MP_LOCALINTR, 1, 0, 0xFF, 1);
    entries += 2;
    set16(t, 4, (uint32_t)t->n);
    set16(t, 34, (uint32_t)entries);
    t->b[7] = pc_tables_checksum(t->b, t->n);
}

/* ---------------------------------------------------------- ACPI tables */

/* ACPI 1.0b 5.2.4: RSDP, 20 bytes. */
static void build_rsdp(struct table *t, uint32_t rsdt)
{
    put_bytes(t, "RSD PTR ", 8);
    put8(t, 0); /* checksum, below */
    put_bytes(t, ACPI_OEM_ID, 6);
    put8(t, 0); /* revision 0: ACPI 1.0, RSDT only */
    put32(t, rsdt);
    t->b[8] = pc_tables_checksum(t->b, 20);
}

/* ACPI 1.0b 5.2.5: the common header of every description table. */
static void acpi_header(struct table *t, const char *sig, uint8_t revision)
{
    put_bytes(t, sig, 4);
    put32(t, 0); /* length, in acpi_finish */
    put8(t, revision);
    put8(t, 0);  /* checksum, in acpi_finish */
    put_bytes(t, ACPI_OEM_ID, 6);
    put_bytes(t, ACPI_OEM_TABLE_ID, 8);
    put32(t, 1);
    put_bytes(t, ACPI_CREATOR_ID, 4);
    put32(t, 1);
}

static void acpi_finish(struct table *t)
{
    set32(t, 4, (uint32_t)t->n);
    t->b[9] = pc_tables_checksum(t->b, t->n);
}

static void build_rsdt(struct table *t, uint32_t madt)
{
    acpi_header(t, "RSDT", 1);
    put32(t, madt);
    acpi_finish(t);
}

/* ACPI 1.0b 5.2.8: the Multiple APIC Description Table. */
static void build_madt(struct table *t, const struct pc_tables_config *cfg)
{
    acpi_header(t, "APIC", 1);
    put32(t, cfg->lapic_base);
    put32(t, 1); /* PCAT_COMPAT: the 8259s are there too */
    for (int i = 0; i < cfg->cpus; i++) {
        put8(t, MADT_LAPIC);
        put8(t, 8);
        put8(t, (uint32_t)i); /* ACPI processor ID */
        put8(t, (uint32_t)i); /* APIC ID */
        put32(t, 1);          /* enabled */
    }
    put8(t, MADT_IOAPIC);
    put8(t, 12);
    put8(t, cfg->ioapic_id);
    put8(t, 0);
    put32(t, cfg->ioapic_base);
    put32(t, 0); /* global system interrupt base */
    /* ISA IRQ 0 arrives on GSI 2, flags conforming (5.2.10.8). */
    put8(t, MADT_OVERRIDE);
    put8(t, 10);
    put8(t, 0);
    put8(t, 0);
    put32(t, 2);
    put16(t, 0);
    /* NMI on LINT1 of every processor. */
    put8(t, MADT_LAPIC_NMI);
    put8(t, 6);
    put8(t, 0xFF);
    put16(t, 0);
    put8(t, 1);
    acpi_finish(t);
}

/* ------------------------------------------------------ BIOS data area */

static void poke16(uint8_t *ram, uint32_t at, uint32_t v)
{
    ram[at] = (uint8_t)v;
    ram[at + 1] = (uint8_t)(v >> 8);
}

/* The BIOS data area as SeaBIOS leaves it for the devices present
 * (measured under QEMU 7.2; the fields from the IBM PC/AT Technical
 * Reference). */
static void build_bda(uint8_t *ram, const struct pc_tables_config *cfg)
{
    memset(ram + 0x400, 0, 0x100);
    int ncom = 0, nlpt = 0;
    for (int i = 0; i < 4; i++) {
        poke16(ram, 0x400 + 2 * (uint32_t)i, cfg->com[i]);
        ncom += cfg->com[i] != 0;
    }
    for (int i = 0; i < 3; i++) {
        poke16(ram, 0x408 + 2 * (uint32_t)i, cfg->lpt[i]);
        nlpt += cfg->lpt[i] != 0;
    }
    poke16(ram, 0x40E, PC_EBDA_ADDR >> 4);
    /* Equipment word: FPU (bit 1), PS/2 mouse (2), 80x25 colour (bits 4-5
     * = 10), serial ports (9-11), parallel ports (14-15). */
    uint32_t equip = (cfg->fpu ? 0x2u : 0) | (cfg->ps2_mouse ? 0x4u : 0) | 0x20u |
                     (uint32_t)ncom << 9 | (uint32_t)nlpt << 14;
    poke16(ram, 0x410, equip);
    poke16(ram, 0x413, PC_BASE_MEMORY_KB);
    poke16(ram, 0x41A, 0x1E); /* keyboard buffer head and tail */
    poke16(ram, 0x41C, 0x1E);
    ram[0x449] = 3;           /* video mode 3 */
    poke16(ram, 0x44A, 80);   /* columns */
    poke16(ram, 0x44C, 0x1000);
    poke16(ram, 0x460, 0x0607); /* cursor shape */
    poke16(ram, 0x463, 0x3D4);  /* CRTC port */
    ram[0x475] = (uint8_t)cfg->hard_disks;
    poke16(ram, 0x480, 0x1E); /* keyboard buffer start and end */
    poke16(ram, 0x482, 0x3E);
    ram[0x484] = 24; /* rows - 1 */
    ram[0x485] = 16; /* character height */
    ram[0x496] = 0x10; /* 101/102-key keyboard */
    /* The EBDA: its size in KiB first. */
    memset(ram + PC_EBDA_ADDR, 0, 0x400);
    ram[PC_EBDA_ADDR] = 1;
}

/* ----------------------------------------------------------- checking */

struct placed {
    const char *what;
    uint32_t at;
    size_t n;
};

static bool in_ebda_first_kb(uint32_t a, size_t n)
{
    return a >= PC_EBDA_ADDR + 16 && a + n <= PC_EBDA_ADDR + 0x400;
}

static bool check_layout(size_t ram_size, const struct placed *p, int n,
                         const struct pc_tables_layout *l, char *err, size_t errlen)
{
    for (int i = 0; i < n; i++) {
        if ((uint64_t)p[i].at + p[i].n > ram_size) {
            snprintf(err, errlen, "the %s at 0x%x lies outside RAM", p[i].what, p[i].at);
            return false;
        }
        /* Below 0x500 are the IVT and the BDA. */
        if (p[i].at < 0x500) {
            snprintf(err, errlen, "the %s at 0x%x covers the IVT or the BDA", p[i].what, p[i].at);
            return false;
        }
        for (int j = 0; j < i; j++)
            if (p[i].at < p[j].at + p[j].n && p[j].at < p[i].at + p[i].n) {
                snprintf(err, errlen, "the %s at 0x%x overlaps the %s at 0x%x", p[i].what,
                         p[i].at, p[j].what, p[j].at);
                return false;
            }
    }
    /* MP 1.4 4: the floating pointer is found on a 16-byte boundary in the
     * first KiB of the EBDA, the last KiB of base memory or 0xF0000-0xFFFFF;
     * ACPI 1.0b 5.2.4.1: the RSDP in the EBDA's first KiB or 0xE0000-0xFFFFF. */
    if ((l->mp_floating & 15) ||
        !(in_ebda_first_kb(l->mp_floating, 16) ||
          (l->mp_floating >= 0xF0000 && l->mp_floating + 16 <= 0x100000))) {
        snprintf(err, errlen, "the MP floating pointer at 0x%x is not where it is searched for",
                 l->mp_floating);
        return false;
    }
    if ((l->rsdp & 15) || !(in_ebda_first_kb(l->rsdp, 20) ||
                            (l->rsdp >= 0xE0000 && l->rsdp + 20 <= 0x100000))) {
        snprintf(err, errlen, "the ACPI RSDP at 0x%x is not where it is searched for", l->rsdp);
        return false;
    }
    return true;
}

bool pc_tables_build(uint8_t *ram, size_t ram_size, const struct pc_tables_config *cfg,
                     const struct pc_tables_layout *layout, char *err, size_t errlen)
{
    char dummy[8];
    if (!err || errlen == 0) {
        err = dummy;
        errlen = sizeof dummy;
    }
    if (cfg->cpus < 1 || cfg->cpus > PC_TABLES_MAX_CPUS) {
        snprintf(err, errlen, "%d CPUs: the PC tables describe 1 to %d", cfg->cpus,
                 PC_TABLES_MAX_CPUS);
        return false;
    }
    if (ram_size < 0x100000 || cfg->ram_size != ram_size) {
        snprintf(err, errlen, "RAM of 0x%zx bytes (configured 0x%llx): the PC tables need at "
                 "least 1 MiB", ram_size, (unsigned long long)cfg->ram_size);
        return false;
    }
    struct table fp = {.n = 0}, mp = {.n = 0}, rsdp = {.n = 0}, rsdt = {.n = 0}, madt = {.n = 0};
    build_mp_floating(&fp, layout->mp_config);
    build_mp_config(&mp, cfg);
    build_rsdp(&rsdp, layout->rsdt);
    build_rsdt(&rsdt, layout->madt);
    build_madt(&madt, cfg);
    const struct placed p[] = {
        {"EBDA", PC_EBDA_ADDR, 16},
        {"MP floating pointer", layout->mp_floating, fp.n},
        {"MP configuration table", layout->mp_config, mp.n},
        {"ACPI RSDP", layout->rsdp, rsdp.n},
        {"ACPI RSDT", layout->rsdt, rsdt.n},
        {"ACPI MADT", layout->madt, madt.n},
    };
    if (!check_layout(ram_size, p, (int)(sizeof p / sizeof p[0]), layout, err, errlen))
        return false;
    build_bda(ram, cfg);
    memcpy(ram + layout->mp_floating, fp.b, fp.n);
    memcpy(ram + layout->mp_config, mp.b, mp.n);
    memcpy(ram + layout->rsdp, rsdp.b, rsdp.n);
    memcpy(ram + layout->rsdt, rsdt.b, rsdt.n);
    memcpy(ram + layout->madt, madt.b, madt.n);
    return true;
}
