/* The machine's side of a PC's firmware: the ROM at the reset vector and
 * the tables the firmware leaves in memory for the operating system.
 *
 * A ROM image is mapped twice, as on a PC (and as QEMU maps -bios): whole
 * at the top of the 4 GiB space, where the CPU fetches its first
 * instruction (SDM Vol. 3A 9.1.4: CS base 0xFFFF0000, EIP 0xFFF0), and its
 * last 128 KiB (or all of a 64 KiB image) at the top of the first MiB,
 * where real-mode code reaches it.  The low copy is RAM written again at
 * every reset.
 *
 * The tables (src/loader/pc_tables.c) are written for ringlab's own ROM,
 * which leaves F000:0000-0FFF empty for them, and before a Multiboot
 * kernel, as QEMU's SeaBIOS writes its own before it jumps there. */
#include <stdio.h>
#include <string.h>

#include "cpu/engine.h"
#include "machine/internal.h"

#define FOUR_GIB 0x100000000ull
#define ONE_MIB 0x100000u
#define LOW_ROM_MAX 0x20000u /* the most of the ROM below 1 MiB */

bool firmware_map_rom(struct machine *m, char *err, size_t errlen)
{
    if (!m->cfg.rom)
        return true;
    size_t size = m->cfg.rom_size;
    if (size == 0 || size % 0x10000 != 0 || size > MACHINE_ROM_MAX) {
        snprintf(err, errlen, "the ROM image must be a multiple of 64 KiB, at most %u MiB",
                 MACHINE_ROM_MAX >> 20);
        return false;
    }
    if (!engine_map_rom(m->engine, (uint32_t)(FOUR_GIB - size), m->cfg.rom, size)) {
        snprintf(err, errlen, "cannot map the ROM image below 4 GiB");
        return false;
    }
    return true;
}

/* Does the ROM leave the first 4 KiB of the F-segment to the tables? */
static bool rom_leaves_table_window(const struct machine *m)
{
    size_t low = m->cfg.rom_size < LOW_ROM_MAX ? m->cfg.rom_size : LOW_ROM_MAX;
    size_t at = m->cfg.rom_size - low + (PC_TABLES_FSEG - (ONE_MIB - low));
    for (size_t i = 0; i < PC_TABLES_FSEG_SIZE; i++)
        if (m->cfg.rom[at + i] != 0)
            return false;
    return true;
}

bool firmware_tables(struct machine *m, char *err, size_t errlen)
{
    /* Tables that name APICs need APICs; a foreign ROM writes its own. */
    if (!m->cfg.apic || (m->cfg.rom && !rom_leaves_table_window(m)))
        return true;
    struct pc_tables_config tc;
    struct pc_tables_layout layout;
    pc_tables_default_config(&tc, m->ram_size, m->cfg.cpus);
    uint32_t id[4];
    exits_cpuid(m, 1, 0, id);
    tc.cpu_signature = id[0];
    tc.cpu_features = id[3];
    tc.hard_disks = (m->cfg.disks[0] != NULL) + (m->cfg.disks[1] != NULL);
    pc_tables_default_layout(&tc, &layout);
    if (!pc_tables_build(m->ram, m->ram_size, &tc, &layout, err, errlen))
        return false;
    /* Host writes: whatever was translated from these bytes is stale. */
    engine_flush_code(m->engine);
    return true;
}

/* SDM Vol. 3A 9.1.1, Table 9-1: the state after RESET, as QEMU sets it
 * (EDX the processor signature, CR0 0x60000010, CS F000 with base
 * 0xFFFF0000, the other segments 0 with limit 0xFFFF). */
bool firmware_reset_cpu(struct machine *m)
{
    size_t low = m->cfg.rom_size < LOW_ROM_MAX ? m->cfg.rom_size : LOW_ROM_MAX;
    memcpy(m->ram + ONE_MIB - low, m->cfg.rom + m->cfg.rom_size - low, low);
    return firmware_start_cpu(m, 0xf000, 0xffff0000u, 0xfff0);
}

bool firmware_start_cpu(struct machine *m, uint16_t selector, uint32_t base, uint32_t eip)
{
    struct cpu_state st;
    if (!engine_begin_state(m->engine, &st))
        return false;
    uint32_t id[4];
    exits_cpuid(m, 1, 0, id);
    memset(st.gpr, 0, sizeof st.gpr);
    st.gpr[GPR_EDX] = id[0];
    st.eip = eip;
    st.eflags = EFLAGS_FIXED1;
    for (int r = 0; r < SEG_COUNT; r++) {
        bool code = r == SEG_CS;
        st.seg[r].selector = code ? selector : 0;
        st.seg[r].base = code ? base : 0;
        st.seg[r].limit = 0xffff;
        st.seg[r].flags = ((code ? 11u : 3u) << DESC_TYPE_SHIFT) | DESC_S | DESC_P;
    }
    st.cr0 = 0x60000010u; /* CD, NW, ET */
    st.cr2 = st.cr3 = st.cr4 = 0;
    st.irq_inhibited = false;
    st.gdtr = (struct table_reg){0, 0xffff};
    st.idtr = (struct table_reg){0, 0xffff};
    st.tr = (struct seg_cache){0, 0, 0xffff, DESC_P | (11u << DESC_TYPE_SHIFT)};
    st.ldtr = (struct seg_cache){0, 0, 0xffff, DESC_P | (2u << DESC_TYPE_SHIFT)};
    return engine_commit_state(m->engine, &st);
}
