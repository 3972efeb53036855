/* The hook a monitor below the guest takes events by, and what it may
 * touch from inside it (see machine.h). */
#include "cpu/engine.h"
#include "machine/internal.h"

void machine_set_intercept(struct machine *m, machine_intercept_fn fn, void *opaque)
{
    m->intercept = fn;
    m->intercept_opaque = opaque;
}

void machine_set_shadow_paging(struct machine *m, const struct machine_shadow_paging *sp)
{
    m->shadow = sp ? *sp : (struct machine_shadow_paging){0};
    m->paging_stale = true;
    block_cache_clear(&m->blocks); /* decoded through the other tables */
}

void machine_set_history_client(struct machine *m, const struct machine_history_client *c)
{
    m->history_client = c ? *c : (struct machine_history_client){0};
}

struct paging_regs machine_walk_regs(struct machine *m, const struct cpu_state *st)
{
    struct paging_regs r = {0};
    if (st) {
        r.cr0 = st->cr0;
        r.cr3 = st->cr3;
        r.cr4 = st->cr4;
    } else {
        r = engine_paging_regs(m->engine);
    }
    if (m->shadow.guest_regs)
        m->shadow.guest_regs(m->shadow.opaque, &r);
    return r;
}

uint32_t machine_walk_cr3(struct machine *m, uint32_t cr3)
{
    uint32_t real = engine_paging_regs(m->engine).cr3;
    if (!m->shadow.guest_regs || (cr3 & PAGING_FRAME_4K) != (real & PAGING_FRAME_4K))
        return cr3;
    return machine_walk_regs(m, NULL).cr3;
}

bool machine_monitor_map_memory(struct machine *m, uint32_t paddr, void *mem, size_t size)
{
    return engine_map_host_memory(m->engine, paddr, mem, size);
}

void machine_set_translator(struct machine *m, machine_scan_fn scan, machine_step_fn step,
                            machine_delivered_fn delivered, void *opaque)
{
    m->blocks.scan = scan;
    m->blocks.scan_opaque = opaque;
    m->translate_step = scan ? step : NULL;
    m->translate_delivered = scan ? delivered : NULL;
    m->translate_opaque = opaque;
    /* The blocks decoded so far were not scanned (or by another). */
    block_cache_clear(&m->blocks);
}

uint32_t machine_monitor_port_in(struct machine *m, uint16_t port, int size)
{
    return bus_in(&m->bus, port, size);
}

void machine_monitor_port_out(struct machine *m, uint16_t port, uint32_t value, int size)
{
    bus_out(&m->bus, port, value, size);
}

bool machine_monitor_read_phys(struct machine *m, uint32_t paddr, void *buf, size_t len)
{
    return phys_read(&m->phys, paddr, buf, len);
}

bool machine_monitor_write_phys(struct machine *m, uint32_t paddr, const void *buf, size_t len)
{
    return phys_write(&m->phys, paddr, buf, len);
}

bool machine_monitor_read_linear(struct machine *m, const struct cpu_state *st, uint32_t laddr,
                                 void *buf, size_t len)
{
    struct linear_mem lm = deliver_linear(m, st);
    return linear_read(&lm, laddr, buf, len, false, NULL);
}

bool machine_monitor_write_linear(struct machine *m, const struct cpu_state *st, uint32_t laddr,
                                  const void *buf, size_t len)
{
    struct linear_mem lm = deliver_linear(m, st);
    return linear_write(&lm, laddr, buf, len, false, NULL);
}

bool machine_monitor_translate(struct machine *m, const struct cpu_state *st, uint32_t laddr,
                               uint32_t *paddr)
{
    struct linear_mem lm = deliver_linear(m, st);
    struct paging_walk w;
    if (!linear_translate(&lm, laddr, PAGING_READ, false, &w))
        return false;
    *paddr = w.paddr;
    return true;
}

bool machine_monitor_walk(struct machine *m, const struct paging_regs *regs, uint32_t laddr,
                          enum paging_access access, bool user, bool set_ad,
                          struct paging_walk *walk)
{
    struct paging_mem pmem = phys_paging_mem(&m->phys);
    return paging_walk(&pmem, regs, laddr, access, user, set_ad, walk);
}

size_t machine_monitor_read_code(struct machine *m, const struct cpu_state *st, uint8_t *buf,
                                 size_t len)
{
    return deliver_read_code(m, st, st->eip, buf, len);
}

bool machine_monitor_msr(struct machine *m, uint32_t msr, uint64_t *value, bool write)
{
    return write ? engine_write_msr(m->engine, msr, *value)
                 : engine_read_msr(m->engine, msr, value);
}

void machine_monitor_flush_tlb(struct machine *m)
{
    m->tlb_flushed = true;
    m->paging_stale = true;
    engine_flush_tlb_at_commit(m->engine);
}
