/* The shadow descriptor tables of the trap-and-emulate monitor (see
 * vmm_trap.h): the guest's GDT copied with its DPL-0 code and data
 * descriptors made DPL 1, and a TSS whose SS1:ESP1 stand for the guest's
 * SS0:ESP0, both in the monitor's own page. */
#include <string.h>

#include "cpu/fault.h"
#include "vmm/trap_internal.h"

/* ---- descriptors ------------------------------------------------------------ */

struct descriptor trap_decoded(uint64_t d)
{
    struct descriptor x;
    desc_decode((uint32_t)d, (uint32_t)(d >> 32), &x);
    return x;
}

bool trap_is_tss(uint64_t d)
{
    struct descriptor x = trap_decoded(d);
    return desc_is_tss(&x);
}

static uint64_t desc_set_base_limit(uint64_t d, uint32_t base, uint32_t limit)
{
    d &= ~0xff0f00ffffffffffull; /* base and limit, the G bit below */
    d |= limit & 0xffff;
    d |= (uint64_t)(base & 0xffffff) << 16;
    d |= (uint64_t)((limit >> 16) & 0xf) << 48;
    d |= (uint64_t)(base >> 24) << 56;
    return d & ~(1ull << 55); /* byte granular */
}

/* The guest's descriptor `index`, from its own GDT. */
bool trap_guest_desc(struct vmm_trap *t, const struct cpu_state *st, unsigned index,
                       uint64_t *d)
{
    if (index * 8 + 7 > t->v.gdtr.limit)
        return false;
    return machine_monitor_read_linear(t->m, st, t->v.gdtr.base + index * 8, d, 8);
}

bool trap_shadow_desc(struct vmm_trap *t, unsigned index, uint64_t *d)
{
    return index * 8 < SHADOW_GDT_MAX &&
           machine_monitor_read_phys(t->m, SHADOW_PA + index * 8, d, 8);
}

/* A segment register's cache as the CPU loads it from descriptor d. */
static struct seg_cache cache_from(uint16_t sel, uint64_t d)
{
    struct seg_cache c = {sel, trap_decoded(d).base, trap_decoded(d).limit, (uint32_t)(d >> 32) & 0x00f0ff00u};
    return c;
}

/* The virtual CPL: the guest's own DPL of the code segment running.  Ring
 * 0 and the guest's own ring 1 both run at real ring 1 (ring compression);
 * the guest's descriptor tells them apart. */
uint8_t trap_virtual_cpl(struct vmm_trap *t, const struct cpu_state *st)
{
    if (st->cpl != 1)
        return st->cpl;
    uint64_t d;
    if (!trap_guest_desc(t, st, st->seg[SEG_CS].selector >> 3, &d))
        return t->v.gdtr.limit == 0 ? 0 : 1; /* the loader's caches, before any GDT */
    return (uint8_t)trap_decoded(d).dpl;
}

/* ---- the shadow tables ------------------------------------------------------- */

/* Where the shadow page is seen through the guest's page tables now: at
 * its physical address (paging off, or an identity mapping), or at the
 * offset the guest's own GDT is mapped at.  0 when nowhere. */
static uint32_t shadow_linear(struct vmm_trap *t, const struct cpu_state *st)
{
    if (!(st->cr0 & CR0_PG))
        return SHADOW_PA;
    /* The kernel maps physical memory at one offset: try the one its GDT
     * is seen at, and the one its code is. */
    uint32_t pa, seen[2] = {t->v.gdtr.base, st->seg[SEG_CS].base + st->eip};
    for (int i = 0; i < 2; i++) {
        uint32_t at;
        if (!machine_monitor_translate(t->m, st, seen[i], &at))
            continue;
        uint32_t lin = SHADOW_PA + (seen[i] - at);
        if (machine_monitor_translate(t->m, st, lin, &pa) && pa == SHADOW_PA)
            return lin;
    }
    if (machine_monitor_translate(t->m, st, SHADOW_PA, &pa) && pa == SHADOW_PA)
        return SHADOW_PA;
    return 0;
}

/* A descriptor as the shadow holds it: a DPL-0 code or data one made
 * DPL 1, so that the kernel's selectors load at ring 1. */
static uint64_t deprivileged(uint64_t d)
{
    if ((d & (1ull << 47)) && (d & (1ull << 44)) && trap_decoded(d).dpl == 0)
        d |= 1ull << 45;
    return d;
}

/* The guest's LDT (the descriptor v.ldtr names in its GDT) copied into
 * the shadow LDT, deprivileged; its limit in the shadow, or -1 without one. */
static int64_t shadow_ldt_sync(struct vmm_trap *t, const struct cpu_state *st)
{
    uint64_t d;
    if (!(t->v.ldtr & ~3u) || !trap_guest_desc(t, st, t->v.ldtr >> 3, &d))
        return -1;
    struct descriptor x = trap_decoded(d);
    uint32_t n = x.limit + 1 < SHADOW_LDT_MAX ? x.limit + 1 : SHADOW_LDT_MAX;
    uint64_t ldt[SHADOW_LDT_MAX / 8];
    memset(ldt, 0, sizeof ldt);
    if (!machine_monitor_read_linear(t->m, st, x.base, ldt, n))
        return -1;
    for (uint32_t i = 0; i < n / 8; i++)
        ldt[i] = deprivileged(ldt[i]);
    machine_monitor_write_phys(t->m, SHADOW_PA + SHADOW_LDT_OFF, ldt, n);
    return (int64_t)n - 1;
}

bool trap_shadow_ldt(struct vmm_trap *t, struct cpu_state *st, uint16_t sel)
{
    t->v.ldtr = sel;
    if (!(sel & ~3u)) {
        /* A null selector leaves LDTR unusable (SDM Vol. 2A LLDT). */
        st->ldtr = (struct seg_cache){0, 0, 0, 0};
        return true;
    }
    uint64_t d;
    int64_t limit = shadow_ldt_sync(t, st);
    if (limit < 0 || !trap_guest_desc(t, st, sel >> 3, &d))
        return false;
    st->ldtr = (struct seg_cache){sel, t->shadow_lin + SHADOW_LDT_OFF, (uint32_t)limit,
                                  (uint32_t)(d >> 32) & 0x00f0ff00u};
    return true;
}

/* Copy the guest's GDT into the shadow, its DPL-0 code and data
 * descriptors made DPL 1 and its TSS descriptors pointing at the shadow
 * TSS; and the guest's SS0:ESP0 into the shadow TSS's SS1:ESP1.  A real
 * monitor write-protects the guest's tables to learn of each change; this
 * one sees every event first and copies them again at each (the kernel
 * rewrites descriptors and ESP0 with plain stores). */
void trap_shadow_sync(struct vmm_trap *t, const struct cpu_state *st)
{
    uint32_t n = (uint32_t)t->v.gdtr.limit + 1;
    if (n > SHADOW_GDT_MAX)
        n = SHADOW_GDT_MAX;
    uint64_t gdt[SHADOW_GDT_MAX / 8];
    memset(gdt, 0, sizeof gdt);
    if (!machine_monitor_read_linear(t->m, st, t->v.gdtr.base, gdt, n))
        return;
    uint32_t guest_tss = 0;
    for (uint32_t i = 0; i < n / 8; i++) {
        uint64_t d = gdt[i];
        if (!(d & (1ull << 47)))
            continue;
        if (d & (1ull << 44)) { /* code or data (S = 1) */
            d = deprivileged(d);
        } else if (trap_is_tss(d)) {
            if (i == (uint32_t)(t->v.tr >> 3))
                guest_tss = trap_decoded(d).base;
            d = desc_set_base_limit(d, t->shadow_lin + SHADOW_TSS_OFF, TSS_SIZE - 1);
        }
        gdt[i] = d;
    }
    machine_monitor_write_phys(t->m, SHADOW_PA, gdt, n);
    uint8_t tss[TSS_SIZE];
    memset(tss, 0, sizeof tss);
    if (guest_tss) {
        uint32_t esp0 = 0, ss0 = 0;
        machine_monitor_read_linear(t->m, st, guest_tss + 4, &esp0, 4);
        machine_monitor_read_linear(t->m, st, guest_tss + 8, &ss0, 2);
        ss0 = (ss0 & 0xffff) | 1; /* SS's RPL is the CPL it is used at */
        memcpy(tss + 12, &esp0, 4); /* ESP1 */
        memcpy(tss + 16, &ss0, 4);  /* SS1 */
    }
    uint16_t iomb = TSS_SIZE; /* past the limit: no bit map, every port traps */
    memcpy(tss + 0x66, &iomb, 2);
    machine_monitor_write_phys(t->m, SHADOW_PA + SHADOW_TSS_OFF, tss, sizeof tss);
    shadow_ldt_sync(t, st);
}

/* The real GDTR and TR follow the shadow page, wherever it is seen. */
bool trap_shadow_place(struct vmm_trap *t, struct cpu_state *st)
{
    uint32_t lin = shadow_linear(t, st);
    if (!lin)
        return false;
    t->shadow_lin = lin;
    trap_shadow_sync(t, st);
    st->gdtr.base = lin;
    st->gdtr.limit = t->v.gdtr.limit;
    if (st->tr.selector) {
        st->tr.base = lin + SHADOW_TSS_OFF;
        st->tr.limit = TSS_SIZE - 1;
    }
    if (st->ldtr.selector & ~3u)
        st->ldtr.base = lin + SHADOW_LDT_OFF;
    return true;
}

/* Load a segment register from the shadow GDT, as the CPU would at ring 1. */
bool trap_load_seg(struct vmm_trap *t, struct cpu_state *st, int reg, uint16_t sel)
{
    uint64_t d = 0;
    if (sel & 4) { /* TI: the shadow LDT (SDM Vol. 3A 3.4.2) */
        if (!(st->ldtr.selector & ~3u) || (sel | 7u) > st->ldtr.limit ||
            !machine_monitor_read_phys(t->m, SHADOW_PA + SHADOW_LDT_OFF + (sel & ~7u), &d, 8))
            return false;
    } else if ((sel & ~3u) && !trap_shadow_desc(t, sel >> 3, &d)) {
        return false;
    }
    st->seg[reg] = (sel & ~3u) ? cache_from(sel, d) : (struct seg_cache){sel, 0, 0, 0};
    return true;
}

void trap_set_shadow_stack1(struct vmm_trap *t, uint16_t ss, uint32_t esp)
{
    uint32_t ss32 = ss;
    machine_monitor_write_phys(t->m, SHADOW_PA + SHADOW_TSS_OFF + 12, &esp, 4);
    machine_monitor_write_phys(t->m, SHADOW_PA + SHADOW_TSS_OFF + 16, &ss32, 4);
}
