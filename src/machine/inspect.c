/* The inspect API (see inspect.h): reads of the CPU, memory, page tables,
 * descriptor tables, devices, the clock and the recent events, none of which
 * changes anything.  Page walks here never set Accessed or Dirty bits, and
 * device state is copied, never read through a port. */
#include "inspect.h"

#include <string.h>

#include "cpu/engine.h"
#include "cpu/fastsys.h"
#include "machine/internal.h"

bool inspect_cpu(struct machine *m, struct cpu_state *out)
{
    int visited;
    if (!cpu_view_enter(m, &visited))
        return false;
    bool ok = engine_read_state(m->engine, out);
    cpu_view_leave(m, visited, false);
    return ok;
}

size_t inspect_msrs(struct machine *m, struct msr_value *out, size_t max)
{
    static const struct {
        uint32_t index;
        const char *name;
    } msrs[] = {
        {0x10, "IA32_TSC"},
        {MSR_SYSENTER_CS, "IA32_SYSENTER_CS"},
        {MSR_SYSENTER_ESP, "IA32_SYSENTER_ESP"},
        {MSR_SYSENTER_EIP, "IA32_SYSENTER_EIP"},
        {MSR_EFER, "IA32_EFER"},
        {MSR_STAR, "STAR"},
    };
    size_t n = sizeof msrs / sizeof msrs[0];
    int visited;
    if (!cpu_view_enter(m, &visited))
        return 0;
    for (size_t i = 0; i < n && i < max; i++) {
        out[i].index = msrs[i].index;
        out[i].name = msrs[i].name;
        out[i].value = 0;
        if (msrs[i].index == 0x10)
            out[i].value = clock_now_ns(&m->clock) + m->tsc_offset; /* as RDMSR reads it */
        else
            engine_read_msr(m->engine, msrs[i].index, &out[i].value);
    }
    cpu_view_leave(m, visited, false);
    return n;
}

bool inspect_phys(struct machine *m, uint32_t paddr, void *buf, size_t len)
{
    return phys_read(&m->phys, paddr, buf, len);
}

struct paging_regs inspect_paging(struct machine *m)
{
    return machine_paging_regs(m);
}

/* The paging registers to walk with: the CPU's, with another CR3 if asked. */
static struct linear_mem inspect_mem(struct machine *m, const uint32_t *cr3)
{
    struct linear_mem lm = {.phys = &m->phys, .regs = machine_paging_regs(m)};
    if (cr3)
        lm.regs.cr3 = machine_walk_cr3(m, *cr3);
    return lm;
}

bool inspect_walk(struct machine *m, const uint32_t *cr3, uint32_t laddr,
                  enum paging_access access, bool user, struct paging_walk *walk)
{
    struct linear_mem lm = inspect_mem(m, cr3);
    return linear_translate(&lm, laddr, access, user, walk);
}

bool inspect_linear(struct machine *m, const uint32_t *cr3, uint32_t laddr, void *buf, size_t len,
                    struct paging_walk *walk)
{
    struct linear_mem lm = inspect_mem(m, cr3);
    uint8_t *dst = buf;
    size_t done = 0;
    while (done < len) {
        struct paging_walk w;
        uint32_t la = laddr + (uint32_t)done;
        if (!linear_translate(&lm, la, PAGING_READ, false, &w)) {
            if (walk)
                *walk = w;
            return false;
        }
        size_t n = 4096 - (la & 4095);
        if (n > len - done)
            n = len - done;
        if (!phys_read(&m->phys, w.paddr, dst + done, n)) {
            /* The walk went through; there is no RAM where it leads. */
            w.mem_error = true;
            if (walk)
                *walk = w;
            return false;
        }
        done += n;
    }
    return true;
}

/* An eight-byte entry of a descriptor table at linear base, limit. */
static bool table_entry(struct machine *m, uint32_t base, uint32_t limit, unsigned index,
                        uint32_t raw[2])
{
    uint64_t offset = (uint64_t)index * 8;
    if (offset + 7 > limit)
        return false;
    return inspect_linear(m, NULL, base + (uint32_t)offset, raw, 8, NULL);
}

bool inspect_gdt(struct machine *m, unsigned index, struct descriptor *out)
{
    struct cpu_state st;
    uint32_t raw[2];
    if (!inspect_cpu(m, &st) || !table_entry(m, st.gdtr.base, st.gdtr.limit, index, raw))
        return false;
    desc_decode(raw[0], raw[1], out);
    return true;
}

bool inspect_ldt(struct machine *m, unsigned index, struct descriptor *out)
{
    struct cpu_state st;
    uint32_t raw[2];
    if (!inspect_cpu(m, &st) || selector_is_null(st.ldtr.selector) ||
        !table_entry(m, st.ldtr.base, st.ldtr.limit, index, raw))
        return false;
    desc_decode(raw[0], raw[1], out);
    return true;
}

bool inspect_idt(struct machine *m, unsigned vector, struct gate *out, uint32_t raw[2])
{
    struct cpu_state st;
    if (vector > 255 || !inspect_cpu(m, &st) ||
        !table_entry(m, st.idtr.base, st.idtr.limit, vector, raw))
        return false;
    gate_decode(raw[0], raw[1], out);
    return true;
}

bool inspect_tss(struct machine *m, struct tss_view *out)
{
    struct cpu_state st;
    memset(out, 0, sizeof *out);
    if (!inspect_cpu(m, &st) || selector_is_null(st.tr.selector))
        return false;
    out->selector = st.tr.selector;
    out->base = st.tr.base;
    out->limit = st.tr.limit;
    out->is32 = ((st.tr.flags >> DESC_TYPE_SHIFT) & 8) != 0;
    uint8_t raw[TSS32_SIZE];
    memset(raw, 0, sizeof raw);
    size_t size = out->is32 ? TSS32_SIZE : TSS16_SIZE;
    if (st.tr.limit + 1u < size)
        size = st.tr.limit + 1u;
    if (!inspect_linear(m, NULL, st.tr.base, raw, size, NULL))
        return false;
    if (out->is32)
        tss32_decode(raw, &out->t32);
    else
        tss16_decode(raw, &out->t16);
    return true;
}

void inspect_pic(struct machine *m, struct pic_pair *out)
{
    *out = m->pic;
}

void inspect_pit(struct machine *m, struct pit *out)
{
    *out = m->pit;
}

void inspect_uart(struct machine *m, struct uart *out)
{
    *out = m->com1;
}

void inspect_vga(struct machine *m, struct vga_screen *out)
{
    vga_text_screen(&m->vga, out);
}

bool inspect_fpu(struct machine *m, struct fpu_state *out)
{
    int visited;
    if (!cpu_view_enter(m, &visited))
        return false;
    bool ok = engine_read_fpu(m->engine, out);
    cpu_view_leave(m, visited, false);
    return ok;
}

uint64_t inspect_icount(struct machine *m)
{
    return m->clock.icount;
}

uint64_t inspect_time_ns(struct machine *m)
{
    return clock_now_ns(&m->clock);
}

size_t inspect_events(struct machine *m, struct trace_event *out, size_t max)
{
    /* After going back, the ring's slots past ring_count hold events of the
     * run ahead, over the oldest of the ones before. */
    uint64_t lost = m->ring_high > INSPECT_EVENT_RING ? m->ring_high - INSPECT_EVENT_RING : 0;
    uint64_t have = m->ring_count > lost ? m->ring_count - lost : 0;
    size_t n = have < max ? (size_t)have : max;
    uint64_t first = m->ring_count - n;
    for (size_t i = 0; i < n; i++)
        out[i] = m->ring[(first + i) % INSPECT_EVENT_RING];
    return n;
}

uint64_t inspect_event_count(struct machine *m)
{
    return m->ring_count;
}
