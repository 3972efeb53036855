/* Check suite for the PC firmware tables (src/loader/pc_tables.c).  The
 * tables are read back the way their consumers read them: the MP table as
 * xv6's mpinit() finds it (mpsearch in the EBDA, the last KiB of base
 * memory and the F-segment, then mpconfig), the ACPI tables as a kernel
 * looking for the MADT does (RSDP search, RSDT, the APIC table), with
 * every checksum summed and every entry counted. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "loader/pc_tables.h"

#define RAM (4u << 20)
static uint8_t *ram;
static struct pc_tables_config cfg;
static struct pc_tables_layout layout;
static char err[200];

static uint16_t rd16(uint32_t a) { return (uint16_t)(ram[a] | ram[a + 1] << 8); }
static uint32_t rd32(uint32_t a) { return rd16(a) | (uint32_t)rd16(a + 2) << 16; }

static uint8_t sum(uint32_t a, uint32_t n)
{
    uint8_t s = 0;
    for (uint32_t i = 0; i < n; i++)
        s = (uint8_t)(s + ram[a + i]);
    return s;
}

static void setup(void)
{
    ram = calloc(1, RAM);
    ck_assert_ptr_nonnull(ram);
    pc_tables_default_config(&cfg, RAM, 2);
    cfg.cpu_signature = 0x663;
    cfg.cpu_features = 0x0781ABFD;
    pc_tables_default_layout(&cfg, &layout);
    err[0] = '\0';
}

static void teardown(void) { free(ram); }

static void build(void)
{
    ck_assert_msg(pc_tables_build(ram, RAM, &cfg, &layout, err, sizeof err), "%s", err);
}

/* ----------------------------------------------- the MP table, as xv6 */

/* xv6's mpsearch1: an _MP_ structure with a good checksum in [a, a+len). */
static uint32_t mpsearch1(uint32_t a, uint32_t len)
{
    for (uint32_t p = a; p < a + len; p += 16)
        if (memcmp(ram + p, "_MP_", 4) == 0 && sum(p, 16) == 0)
            return p;
    return 0;
}

/* xv6's mpsearch: the EBDA, the last KiB of base memory, the BIOS ROM. */
static uint32_t mpsearch(void)
{
    uint32_t p, mp;
    if ((p = (uint32_t)rd16(0x40E) << 4) != 0) {
        if ((mp = mpsearch1(p, 1024)) != 0)
            return mp;
    } else {
        p = (uint32_t)rd16(0x413) * 1024;
        if ((mp = mpsearch1(p - 1024, 1024)) != 0)
            return mp;
    }
    return mpsearch1(0xF0000, 0x10000);
}

struct mp_seen {
    int procs, bsp, buses, ioapics, iointr, localintr;
    uint8_t apicid[16], ioapicid;
    uint32_t lapic;
    int intin_of_irq[16];
};

/* xv6's mpconfig and the entry walk of mpinit, counting everything. */
static bool mp_read(struct mp_seen *s)
{
    memset(s, 0, sizeof *s);
    for (int i = 0; i < 16; i++)
        s->intin_of_irq[i] = -1;
    uint32_t mp = mpsearch();
    if (!mp || rd32(mp + 4) == 0)
        return false;
    uint32_t conf = rd32(mp + 4);
    if (memcmp(ram + conf, "PCMP", 4) != 0)
        return false;
    if (ram[conf + 6] != 1 && ram[conf + 6] != 4)
        return false;
    uint16_t length = rd16(conf + 4);
    if (sum(conf, length) != 0)
        return false;
    s->lapic = rd32(conf + 36);
    int count = rd16(conf + 34), seen = 0, last_type = 0;
    for (uint32_t p = conf + 44; p < conf + length; seen++) {
        /* Entries come in type order (MP 1.4 4.3). */
        ck_assert_int_ge(ram[p], last_type);
        last_type = ram[p];
        switch (ram[p]) {
        case MP_PROCESSOR:
            ck_assert(ram[p + 3] & 1); /* enabled */
            s->apicid[s->procs++] = ram[p + 1];
            if (ram[p + 3] & 2)
                s->bsp++;
            ck_assert_uint_eq(rd32(p + 4), 0x663);
            p += 20;
            continue;
        case MP_BUS:
            ck_assert(memcmp(ram + p + 2, "ISA   ", 6) == 0);
            s->buses++;
            break;
        case MP_IOAPIC:
            s->ioapicid = ram[p + 1];
            s->ioapics++;
            ck_assert_uint_eq(rd32(p + 4), 0xFEC00000);
            break;
        case MP_IOINTR:
            s->iointr++;
            ck_assert_uint_eq(ram[p + 1], 0); /* vectored interrupt */
            ck_assert_uint_eq(ram[p + 6], s->ioapicid);
            s->intin_of_irq[ram[p + 5] & 15] = ram[p + 7];
            break;
        case MP_LOCALINTR:
            s->localintr++;
            break;
        default:
            return false; /* xv6 panics on an unknown entry */
        }
        p += 8;
    }
    return seen == count;
}

START_TEST(test_mp_table_as_xv6_reads_it)
{
    for (int n = 1; n <= PC_TABLES_MAX_CPUS; n++) {
        memset(ram, 0, RAM);
        cfg.cpus = n;
        build();
        struct mp_seen s;
        ck_assert(mp_read(&s));
        ck_assert_int_eq(s.procs, n); /* one processor entry per CPU */
        ck_assert_int_eq(s.bsp, 1);
        for (int i = 0; i < n; i++)
            ck_assert_uint_eq(s.apicid[i], i);
        ck_assert_int_eq(s.buses, 1);
        ck_assert_int_eq(s.ioapics, 1);
        ck_assert_uint_eq(s.ioapicid, 0);
        ck_assert_uint_eq(s.lapic, 0xFEE00000);
        ck_assert_int_eq(s.iointr, 15);
        ck_assert_int_eq(s.localintr, 2);
        /* The timer on INTIN2, the rest on their own pins, no IRQ 2. */
        ck_assert_int_eq(s.intin_of_irq[0], 2);
        ck_assert_int_eq(s.intin_of_irq[1], 1);
        ck_assert_int_eq(s.intin_of_irq[2], -1);
        ck_assert_int_eq(s.intin_of_irq[14], 14);
    }
}
END_TEST

START_TEST(test_mp_floating_pointer)
{
    build();
    uint32_t mp = mpsearch();
    ck_assert_uint_eq(mp, PC_TABLES_FSEG);
    ck_assert_uint_eq(sum(mp, 16), 0);
    ck_assert_uint_eq(ram[mp + 8], 1); /* 16 bytes */
    ck_assert_uint_eq(ram[mp + 9], 4); /* MP 1.4 */
    ck_assert_uint_eq(ram[mp + 11], 0); /* a table, not a default configuration */
    ck_assert_uint_eq(ram[mp + 12], 0); /* virtual wire mode */
    uint32_t conf = rd32(mp + 4);
    ck_assert_uint_eq(ram[conf + 6], 4);
    ck_assert_uint_eq(rd16(conf + 4), 44 + 2 * 20 + 8 + 8 + 15 * 8 + 2 * 8);
    /* A damaged table is not taken: the checksum covers it all. */
    ram[conf + 50] ^= 1;
    struct mp_seen s;
    ck_assert(!mp_read(&s));
}
END_TEST

START_TEST(test_mp_floating_pointer_in_ebda)
{
    /* The EBDA's first KiB is the first place searched. */
    layout.mp_floating = PC_EBDA_ADDR + 0x100;
    layout.rsdp = PC_EBDA_ADDR + 0x200;
    build();
    ck_assert_uint_eq(mpsearch(), PC_EBDA_ADDR + 0x100);
    struct mp_seen s;
    ck_assert(mp_read(&s));
    ck_assert_int_eq(s.procs, 2);
}
END_TEST

/* --------------------------------------------------------------- ACPI */

static uint32_t find_rsdp(void)
{
    uint32_t ebda = (uint32_t)rd16(0x40E) << 4;
    for (uint32_t p = ebda; p < ebda + 1024; p += 16)
        if (memcmp(ram + p, "RSD PTR ", 8) == 0 && sum(p, 20) == 0)
            return p;
    for (uint32_t p = 0xE0000; p < 0x100000; p += 16)
        if (memcmp(ram + p, "RSD PTR ", 8) == 0 && sum(p, 20) == 0)
            return p;
    return 0;
}

/* The table with `sig` through the RSDT, checksums checked on the way. */
static uint32_t acpi_table(const char *sig)
{
    uint32_t rsdp = find_rsdp();
    ck_assert_uint_ne(rsdp, 0);
    ck_assert_uint_eq(ram[rsdp + 15], 0); /* ACPI 1.0 */
    uint32_t rsdt = rd32(rsdp + 16);
    ck_assert(memcmp(ram + rsdt, "RSDT", 4) == 0);
    uint32_t len = rd32(rsdt + 4);
    ck_assert_uint_eq(sum(rsdt, len), 0);
    for (uint32_t i = 36; i < len; i += 4) {
        uint32_t t = rd32(rsdt + i);
        if (memcmp(ram + t, sig, 4) == 0) {
            ck_assert_uint_eq(sum(t, rd32(t + 4)), 0);
            return t;
        }
    }
    return 0;
}

START_TEST(test_madt)
{
    for (int n = 1; n <= PC_TABLES_MAX_CPUS; n++) {
        memset(ram, 0, RAM);
        cfg.cpus = n;
        build();
        uint32_t madt = acpi_table("APIC");
        ck_assert_uint_ne(madt, 0);
        ck_assert_uint_eq(rd32(madt + 36), 0xFEE00000);
        ck_assert_uint_eq(rd32(madt + 40) & 1, 1); /* PCAT_COMPAT */
        int lapics = 0, ioapics = 0, overrides = 0, nmis = 0;
        uint32_t len = rd32(madt + 4);
        for (uint32_t p = madt + 44; p < madt + len; p += ram[p + 1]) {
            ck_assert_uint_ge(ram[p + 1], 2);
            switch (ram[p]) {
            case MADT_LAPIC:
                ck_assert_uint_eq(ram[p + 3], lapics); /* APIC ID */
                ck_assert_uint_eq(rd32(p + 4), 1);     /* enabled */
                lapics++;
                break;
            case MADT_IOAPIC:
                ck_assert_uint_eq(ram[p + 2], 0);
                ck_assert_uint_eq(rd32(p + 4), 0xFEC00000);
                ck_assert_uint_eq(rd32(p + 8), 0);
                ioapics++;
                break;
            case MADT_OVERRIDE:
                ck_assert_uint_eq(ram[p + 3], 0); /* IRQ 0 */
                ck_assert_uint_eq(rd32(p + 4), 2); /* GSI 2 */
                overrides++;
                break;
            case MADT_LAPIC_NMI:
                ck_assert_uint_eq(ram[p + 5], 1); /* LINT1 */
                nmis++;
                break;
            default:
                ck_abort_msg("unexpected MADT entry type %d", ram[p]);
            }
        }
        ck_assert_int_eq(lapics, n);
        ck_assert_int_eq(ioapics, 1);
        ck_assert_int_eq(overrides, 1);
        ck_assert_int_eq(nmis, 1);
    }
}
END_TEST

START_TEST(test_acpi_placement)
{
    build();
    /* SeaBIOS's plan: RSDP in the F-segment, RSDT and MADT in the top
     * 128 KiB of RAM, which the E820 map reserves. */
    uint32_t rsdp = find_rsdp();
    ck_assert_uint_ge(rsdp, 0xF0000);
    ck_assert_uint_eq(rd32(rsdp + 16), RAM - 0x20000);
    ck_assert_uint_ge(acpi_table("APIC"), RAM - 0x20000);
    ck_assert_uint_eq(acpi_table("FACP"), 0); /* not provided */
    /* Damage the MADT: its checksum no longer holds. */
    uint32_t madt = acpi_table("APIC");
    ram[madt + 44] ^= 0x80;
    ck_assert_uint_ne(sum(madt, rd32(madt + 4)), 0);
}
END_TEST

START_TEST(test_small_ram_layout)
{
    pc_tables_default_config(&cfg, 0x100000, 1);
    cfg.cpu_signature = 0x663;
    pc_tables_default_layout(&cfg, &layout);
    ck_assert_uint_lt(layout.madt, 0x100000);
    ck_assert_uint_ge(layout.rsdt, 0xF0000);
    ck_assert(pc_tables_build(ram, 0x100000, &cfg, &layout, err, sizeof err));
    ck_assert_uint_ne(acpi_table("APIC"), 0);
    struct mp_seen s;
    ck_assert(mp_read(&s));
}
END_TEST

/* ------------------------------------------------------------- the BDA */

START_TEST(test_bios_data_area)
{
    build();
    ck_assert_uint_eq(rd16(0x400), 0x3F8); /* COM1 */
    ck_assert_uint_eq(rd16(0x402), 0);
    ck_assert_uint_eq(rd16(0x408), 0);     /* no LPT1 */
    ck_assert_uint_eq(rd16(0x40E), 0x9FC0); /* the EBDA segment */
    ck_assert_uint_eq(rd16(0x413), 639);    /* base memory in KiB */
    ck_assert_uint_eq(rd16(0x410), 0x0222); /* FPU, 80x25 colour, one serial port */
    ck_assert_uint_eq(rd16(0x41A), 0x1E);
    ck_assert_uint_eq(rd16(0x41C), 0x1E);
    ck_assert_uint_eq(rd16(0x480), 0x1E);
    ck_assert_uint_eq(rd16(0x482), 0x3E);
    ck_assert_uint_eq(ram[0x449], 3);
    ck_assert_uint_eq(rd16(0x463), 0x3D4);
    ck_assert_uint_eq(ram[0x475], 1);
    ck_assert_uint_eq(rd16(PC_EBDA_ADDR), 1); /* EBDA size: 1 KiB */
    /* The equipment word follows the devices: as SeaBIOS's 0x4227 for
     * QEMU's floppy, FPU, mouse, one serial and one parallel port. */
    memset(ram, 0, RAM);
    cfg.lpt[0] = 0x378;
    cfg.ps2_mouse = true;
    build();
    ck_assert_uint_eq(rd16(0x408), 0x378);
    ck_assert_uint_eq(rd16(0x410), 0x4226);
}
END_TEST

/* ------------------------------------------------------ hostile input */

START_TEST(test_bad_configurations)
{
    memset(ram, 0x5A, RAM);
    cfg.cpus = 0;
    ck_assert(!pc_tables_build(ram, RAM, &cfg, &layout, err, sizeof err));
    ck_assert_ptr_nonnull(strstr(err, "0 CPUs"));
    cfg.cpus = 9;
    ck_assert(!pc_tables_build(ram, RAM, &cfg, &layout, err, sizeof err));
    cfg.cpus = 2;
    ck_assert(!pc_tables_build(ram, RAM / 2, &cfg, &layout, err, sizeof err)); /* size mismatch */
    struct pc_tables_layout bad = layout;
    bad.mp_floating = PC_TABLES_FSEG + 8; /* not on a 16-byte boundary */
    ck_assert(!pc_tables_build(ram, RAM, &cfg, &bad, err, sizeof err));
    ck_assert_ptr_nonnull(strstr(err, "MP floating pointer"));
    bad = layout;
    bad.mp_floating = 0x80000; /* nobody searches there */
    ck_assert(!pc_tables_build(ram, RAM, &cfg, &bad, err, sizeof err));
    bad = layout;
    bad.rsdp = 0xD0000;
    ck_assert(!pc_tables_build(ram, RAM, &cfg, &bad, err, sizeof err));
    ck_assert_ptr_nonnull(strstr(err, "RSDP"));
    bad = layout;
    bad.madt = RAM - 8; /* past the end of RAM */
    ck_assert(!pc_tables_build(ram, RAM, &cfg, &bad, err, sizeof err));
    ck_assert_ptr_nonnull(strstr(err, "outside RAM"));
    bad = layout;
    bad.madt = bad.rsdt + 4; /* on top of the RSDT */
    ck_assert(!pc_tables_build(ram, RAM, &cfg, &bad, err, sizeof err));
    ck_assert_ptr_nonnull(strstr(err, "overlaps"));
    bad = layout;
    bad.mp_config = 0x410; /* over the BDA */
    ck_assert(!pc_tables_build(ram, RAM, &cfg, &bad, err, sizeof err));
    bad = layout;
    bad.mp_config = PC_EBDA_ADDR + 4; /* over the EBDA's size word */
    ck_assert(!pc_tables_build(ram, RAM, &cfg, &bad, err, sizeof err));
    /* Nothing was written by any of them. */
    for (uint32_t a = 0; a < RAM; a++)
        if (ram[a] != 0x5A)
            ck_abort_msg("byte 0x%x written by a refused build", a);
    /* No error buffer: still refused, no crash. */
    ck_assert(!pc_tables_build(ram, RAM, &cfg, &bad, NULL, 0));
}
END_TEST

START_TEST(test_checksum_sums_to_zero)
{
    uint8_t b[7] = {1, 2, 3, 4, 5, 6, 0};
    b[6] = pc_tables_checksum(b, 6);
    uint8_t s = 0;
    for (int i = 0; i < 7; i++)
        s = (uint8_t)(s + b[i]);
    ck_assert_uint_eq(s, 0);
    uint8_t z[3] = {0};
    ck_assert_uint_eq(pc_tables_checksum(z, 3), 0);
}
END_TEST

static Suite *pc_tables_suite(void)
{
    Suite *s = suite_create("pc_tables");
    TCase *tc = tcase_create("tables");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_mp_table_as_xv6_reads_it);
    tcase_add_test(tc, test_mp_floating_pointer);
    tcase_add_test(tc, test_mp_floating_pointer_in_ebda);
    tcase_add_test(tc, test_madt);
    tcase_add_test(tc, test_acpi_placement);
    tcase_add_test(tc, test_small_ram_layout);
    tcase_add_test(tc, test_bios_data_area);
    tcase_add_test(tc, test_bad_configurations);
    tcase_add_test(tc, test_checksum_sums_to_zero);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(pc_tables_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
