/* The machine's life cycle: build it (RAM, the engine and its hooks, the
 * devices, the event ring), power it on and reset it (the image loaded,
 * the CPU as a Multiboot loader leaves it), end it, tear it down. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "cpu/engine.h"
#include "devices/vga_text.h"
#include "machine/internal.h"

/* Entries of the block cache (a power of two). */
#define BLOCK_CACHE_SIZE 65536

void machine_finish(struct machine *m, enum machine_end end, const char *fmt, ...)
{
    if (m->end != END_NONE)
        return;
    m->end = end;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(m->detail, sizeof m->detail, fmt, ap);
    va_end(ap);
    exits_stop(m, CAUSE_END);
}

static bool phys_write_through_engine(void *opaque, uint32_t paddr, const void *src, size_t len)
{
    return engine_phys_write(opaque, paddr, src, len);
}

struct machine *machine_create(const struct machine_config *cfg, char *err, size_t errlen)
{
    struct machine *m = calloc(1, sizeof *m);
    if (!m) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    m->cfg = *cfg;
    if (m->cfg.cpus < 1)
        m->cfg.cpus = 1;
    if (m->cfg.cpus > MACHINE_MAX_CPUS) {
        snprintf(err, errlen, "at most %d CPUs", MACHINE_MAX_CPUS);
        free(m);
        return NULL;
    }
    m->ram_size = (cfg->ram_size + 4095) & ~(size_t)4095;
    m->special_pass = UINT32_MAX;
    m->view_cpu = -1;
    m->fresh_addr = UINT32_MAX;
    m->seg_reload_pass = UINT32_MAX;
    m->shown_return_icount = UINT64_MAX;
    m->last_delivery_icount = UINT64_MAX;
    clock_init(&m->clock, cfg->realtime);
    m->explain = cfg->explain_events;
    /* Anonymous pages: zero, page aligned, and taken from the host only as
     * the guest touches them (and write-protected by the history's cow.c
     * without touching the heap). */
    m->ram = mmap(NULL, m->ram_size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (m->ram == MAP_FAILED) {
        m->ram = NULL;
        snprintf(err, errlen, "cannot allocate %zu MiB of guest RAM", m->ram_size >> 20);
        goto fail;
    }
    if (!ram_guard_init(&m->ram_guard, m->ram, m->ram_size) ||
        !code_guard_init(&m->guard, &m->ram_guard)) {
        snprintf(err, errlen, "cannot watch guest RAM for rewritten code");
        goto fail;
    }
    m->disasm = disasm_open();
    if (!m->disasm || !block_cache_init(&m->blocks, BLOCK_CACHE_SIZE, m->ram, m->ram_size,
                                        m->disasm, &m->guard)) {
        snprintf(err, errlen, "cannot start the Capstone disassembler");
        goto fail;
    }
    if (!seglimit_init(m)) {
        snprintf(err, errlen, "out of memory");
        goto fail;
    }
    if (!events_init(m)) {
        snprintf(err, errlen, "out of memory");
        goto fail;
    }
    m->engine = engine_open(m->ram, m->ram_size, cfg->cpu_model, err, errlen);
    if (!m->engine)
        goto fail;
    m->phys = (struct phys_mem){m->ram, m->ram_size, phys_write_through_engine, m->engine};
    /* An APIC only where the CPU model has one (the 486 has none), or
     * where -cpu adds it. */
    uint32_t id[4];
    engine_model_cpuid(m->engine, 1, 0, id);
    uint32_t edx = (id[3] | m->cfg.cpuid_on) & ~m->cfg.cpuid_off;
    m->cfg.apic = m->cfg.apic && (edx & CPUID_1_EDX_APIC);
    if (!board_wire(m, err, errlen) || !firmware_map_rom(m, err, errlen) ||
        !smp_init(m, err, errlen))
        goto fail;
    if (!exits_install(m)) {
        snprintf(err, errlen, "cannot install the engine hooks");
        goto fail;
    }
    return m;
fail:
    machine_destroy(m);
    return NULL;
}

void machine_destroy(struct machine *m)
{
    if (!m)
        return;
    history_free(m);
    input_free(m);
    smp_free(m); /* the CPUs' saved states go before the engine */
    if (m->engine) {
        /* The hooks still set (breakpoints, the step hook) go with the engine. */
        engine_close(m->engine);
    }
    if (m->disasm)
        disasm_close(m->disasm);
    block_cache_free(&m->blocks);
    seglimit_free(m);
    if (m->guard.ram)
        code_guard_free(&m->guard);
    if (m->ram_guard.ram)
        ram_guard_free(&m->ram_guard);
    events_free(m);
    fw_cfg_free(&m->fw_cfg);
    if (m->ram)
        munmap(m->ram, m->ram_size);
    free(m);
}

/* The state a Multiboot loader leaves (Multiboot spec 3.2): flat 4 GiB CS
 * (execute/read) and data segments, CR0.PE set, paging off, IF clear. */
static bool multiboot_cpu_state(struct machine *m, const struct boot_info *boot)
{
    struct cpu_state st;
    if (!engine_begin_state(m->engine, &st))
        return false;
    /* The registers the Multiboot spec leaves undefined are set as QEMU's
     * loader leaves them, so that traces of careless guests still agree. */
    memset(st.gpr, 0, sizeof st.gpr);
    st.gpr[GPR_EAX] = boot->eax;
    st.gpr[GPR_EBX] = boot->ebx;
    st.gpr[GPR_ECX] = boot->entry;
    st.gpr[GPR_ESP] = 0x6f08;
    st.eip = boot->entry;
    st.eflags = EFLAGS_FIXED1;
    for (int r = 0; r < SEG_COUNT; r++) {
        bool code = r == SEG_CS;
        st.seg[r].selector = code ? 0x08 : 0x10;
        st.seg[r].base = 0;
        st.seg[r].limit = 0xffffffffu;
        st.seg[r].flags = ((code ? 11u : 3u) << DESC_TYPE_SHIFT) | DESC_S | DESC_P | DESC_B | DESC_G;
    }
    st.cpl = 0;
    st.cr0 = CR0_PE | (1u << 4); /* PE, and ET as on every processor since the 486 */
    st.cr2 = 0;
    st.cr3 = 0;
    st.cr4 = 0;
    st.irq_inhibited = false;
    st.gdtr = (struct table_reg){0, 0};
    st.idtr = (struct table_reg){0, 0x3ff};
    st.tr = (struct seg_cache){0, 0, 0xffff, DESC_P | (11u << DESC_TYPE_SHIFT)};
    st.ldtr = (struct seg_cache){0, 0, 0xffff, DESC_P | (2u << DESC_TYPE_SHIFT)};
    return engine_commit_state(m->engine, &st);
}

bool machine_boot_image(struct machine *m, char *err, size_t errlen)
{
    struct boot_info boot;
    /* RAM keeps what it held, as a PC's does across a reset.  The tables
     * go over the ROM's low copy, and under a kernel: one loaded over them
     * wins. */
    if (m->cfg.rom) {
        board_reset(m);
        if (!firmware_reset_cpu(m)) {
            snprintf(err, errlen, "cannot set the reset state in the engine");
            return false;
        }
        if (!firmware_tables(m, err, errlen))
            return false;
    } else {
        if (!firmware_tables(m, err, errlen))
            return false;
        if (!m->cfg.load ||
            !m->cfg.load(m->cfg.load_opaque, m->ram, m->ram_size, &boot, err, errlen))
            return false;
        board_reset(m);
        if (!multiboot_cpu_state(m, &boot)) {
            snprintf(err, errlen, "cannot set the boot state in the engine");
            return false;
        }
    }
    /* The image was written by the host, which Unicorn does not notice:
     * forget every translation and block. */
    engine_flush_code(m->engine);
    code_guard_reset(&m->guard);
    block_cache_clear(&m->blocks);
    m->halted = false;
    m->irq_poll = m->irq_recheck = m->irq_poll_skip = false;
    m->return_pending = false;
    machine_rewatch(m);
    m->irq_hold_until = 0;
    m->special_pass = UINT32_MAX;
    m->paging_stale = true;
    smp_reset(m);
    return true;
}

bool machine_power_on(struct machine *m, char *err, size_t errlen)
{
    return machine_boot_image(m, err, errlen);
}

enum machine_end machine_end(const struct machine *m)
{
    return m->end;
}

const char *machine_end_detail(const struct machine *m)
{
    return m->detail;
}

int machine_debug_exit_status(const struct machine *m)
{
    return m->debug_exit_status;
}

uint64_t machine_walker_disagreements(const struct machine *m)
{
    return m->walker_disagreements;
}

void machine_dump_vga(const struct machine *m, void *file)
{
    vga_text_dump(&m->vga, file);
}
