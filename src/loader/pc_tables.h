/* The tables a PC's firmware leaves in memory for the operating system,
 * built in C over a plain RAM buffer: the BIOS data area (0x400) and the
 * extended BIOS data area, the MP floating pointer and configuration table
 * (Intel MultiProcessor Specification 1.4, chapter 4), and the ACPI RSDP,
 * RSDT and MADT (ACPI 1.0 layout, as SeaBIOS gives QEMU's PC).  The same
 * builder serves a boot through ringlab's ROM (firmware/) and -kernel, so
 * a kernel finds the same tables either way.
 *
 * Where SeaBIOS 1.16 puts them under QEMU 7.2 (measured with -m 512):
 * EBDA at 0x9FC00 (segment 0x9FC0 at 0x40E, 639 KiB at 0x413), the MP
 * floating pointer and the MP table in the F-segment (0xF5BA0, 0xF5BB0),
 * the RSDP in the F-segment (0xF59D0), the RSDT and MADT in the 128 KiB
 * that the E820 map reserves at the top of RAM.  ringlab keeps that plan
 * with addresses of its own: the first 4 KiB of the F-segment
 * (PC_TABLES_FSEG, left empty by ringlab's ROM) and top - 128 KiB. */
#ifndef RINGLAB_PC_TABLES_H
#define RINGLAB_PC_TABLES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PC_TABLES_MAX_CPUS 8
#define PC_EBDA_ADDR 0x9FC00u
#define PC_BASE_MEMORY_KB 639u
#define PC_TABLES_FSEG 0xF0000u      /* the F-segment window for the tables */
#define PC_TABLES_FSEG_SIZE 0x1000u
#define PC_TABLES_HIGH_RESERVED 0x20000u /* as MULTIBOOT_HIGH_RESERVED */

/* MP table entry types (MP 1.4, Table 4-3). */
enum { MP_PROCESSOR = 0, MP_BUS = 1, MP_IOAPIC = 2, MP_IOINTR = 3, MP_LOCALINTR = 4 };
/* ACPI MADT entry types (ACPI 1.0b, 5.2.8). */
enum { MADT_LAPIC = 0, MADT_IOAPIC = 1, MADT_OVERRIDE = 2, MADT_LAPIC_NMI = 4 };

struct pc_tables_config {
    uint64_t ram_size;   /* below 4 GiB */
    int cpus;            /* 1..8, APIC IDs 0..cpus-1, CPU 0 the BSP */
    uint32_t lapic_base;
    uint8_t lapic_version;
    uint32_t ioapic_base;
    uint8_t ioapic_id;
    uint8_t ioapic_version;
    uint32_t cpu_signature; /* CPUID.1:EAX, for the MP processor entries */
    uint32_t cpu_features;  /* CPUID.1:EDX */
    uint16_t com[4];        /* I/O bases of COM1-COM4, 0 where absent */
    uint16_t lpt[3];
    bool fpu;
    bool ps2_mouse;
    int hard_disks;
};

/* Where each table goes (physical addresses). */
struct pc_tables_layout {
    uint32_t mp_floating; /* 16-byte aligned, in the EBDA's first KiB or 0xF0000-0xFFFFF */
    uint32_t mp_config;
    uint32_t rsdp;        /* 16-byte aligned, in the EBDA's first KiB or 0xE0000-0xFFFFF */
    uint32_t rsdt;
    uint32_t madt;
};

/* The configuration of ringlab's PC with `cpus` CPUs and ram_size bytes:
 * LAPIC 0xFEE00000 version 0x14, IOAPIC 0xFEC00000 ID 0 version 0x20
 * (QEMU's), COM1 at 0x3F8, an FPU, one hard disk.  The CPU signature and
 * features are the caller's (they are what CPUID says). */
void pc_tables_default_config(struct pc_tables_config *cfg, uint64_t ram_size, int cpus);
/* ringlab's placement (see above); with less than 2 MiB of RAM the ACPI
 * tables go in the F-segment window too. */
void pc_tables_default_layout(const struct pc_tables_config *cfg, struct pc_tables_layout *out);

/* Writes the BDA, the EBDA, the MP tables and the ACPI tables into
 * ram[0, ram_size).  Checks everything first: on failure (a CPU count
 * outside 1..8, RAM below 1 MiB or not the configured size, a table
 * outside RAM, misaligned, outside the regions where operating systems
 * search, or overlapping another) RAM is untouched and err holds one line. */
bool pc_tables_build(uint8_t *ram, size_t ram_size, const struct pc_tables_config *cfg,
                     const struct pc_tables_layout *layout, char *err, size_t errlen);

/* The byte sum that makes a table's checksum field right (MP 1.4 4.1,
 * ACPI 5.2): every table checks by summing to 0 modulo 256. */
uint8_t pc_tables_checksum(const uint8_t *bytes, size_t n);

#endif
