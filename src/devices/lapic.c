/* The local APIC (see lapic.h).  Rules come from the Intel SDM Vol. 3A
 * chapter 10; each is cited where it is applied.  Where the SDM leaves a
 * choice and QEMU makes one, ringlab makes QEMU's and says so.
 *
 * The timer is not stepped: it records the time it last loaded a count
 * and computes its value and its expiries from the elapsed bus clocks. */
#include "devices/lapic.h"

#include <string.h>

#define LAPIC_BUS_NS 1 /* one bus clock per nanosecond, as QEMU 7.2 */

/* ------------------------------------------------------ 256-bit vectors */

static void vec_set(uint32_t *v, unsigned n) { v[n >> 5] |= 1u << (n & 31); }
static void vec_clear(uint32_t *v, unsigned n) { v[n >> 5] &= ~(1u << (n & 31)); }
static bool vec_test(const uint32_t *v, unsigned n) { return (v[n >> 5] >> (n & 31)) & 1; }

/* The highest set bit, or -1. */
static int vec_highest(const uint32_t *v)
{
    for (int i = 7; i >= 0; i--)
        if (v[i])
            return i * 32 + 31 - __builtin_clz(v[i]);
    return -1;
}

/* --------------------------------------------------------------- state */

static void power_up(struct lapic *l)
{
    /* SDM 10.4.7.1: IRR, ISR, TMR, ICR, LDR, TPR and the timer cleared;
     * DFR all ones; LVTs masked; SVR 0xFF; the ID from hardware. */
    l->id = (uint32_t)l->initial_id << 24;
    l->tpr = l->ldr = 0;
    l->dfr = 0xFFFFFFFFu;
    l->svr = 0xFF;
    l->esr = l->esr_pending = 0;
    l->icr_lo = l->icr_hi = 0;
    for (int i = 0; i < LVT_COUNT; i++)
        l->lvt[i] = APIC_LVT_MASKED;
    memset(l->irr, 0, sizeof l->irr);
    memset(l->isr, 0, sizeof l->isr);
    memset(l->tmr, 0, sizeof l->tmr);
    l->timer_initial = l->timer_dcr = 0;
    l->timer_running = false;
    l->timer_c0 = 0;
    l->nmi_pending = l->extint_pending = false;
}

void lapic_init(struct lapic *l, int cpu, uint8_t id, bool bsp)
{
    memset(l, 0, sizeof *l);
    l->cpu = cpu;
    l->initial_id = id;
    l->base = LAPIC_DEFAULT_BASE | APIC_BASE_ENABLE | (bsp ? APIC_BASE_BSP : 0);
    power_up(l);
    if (bsp)
        l->lvt[LVT_LINT0] = (uint32_t)APIC_EXTINT << APIC_MODE_SHIFT; /* as QEMU's reset */
    l->wait_for_sipi = !bsp;
}

void lapic_bios_setup(struct lapic *l)
{
    l->svr = APIC_SVR_ENABLE | 0xFF;
    l->lvt[LVT_LINT0] = APIC_TRIGGER_LEVEL | (uint32_t)APIC_EXTINT << APIC_MODE_SHIFT;
    l->lvt[LVT_LINT1] = APIC_TRIGGER_LEVEL | (uint32_t)APIC_NMI << APIC_MODE_SHIFT;
}

static bool hw_enabled(const struct lapic *l) { return (l->base & APIC_BASE_ENABLE) != 0; }
static bool sw_enabled(const struct lapic *l)
{
    return hw_enabled(l) && (l->svr & APIC_SVR_ENABLE);
}

uint64_t lapic_read_base(const struct lapic *l) { return l->base; }

bool lapic_write_base(struct lapic *l, uint64_t value, uint64_t now_ns)
{
    (void)now_ns;
    /* SDM 10.4.4, Figure 10-5: bits 0-7 and 9 reserved, 10 is x2APIC
     * enable (no x2APIC here), bits from MAXPHYADDR (32) up reserved. */
    if (value & 0xFFFFFFFF000006FFull)
        return false;
    bool was = hw_enabled(l);
    /* The BSP flag is the hardware's; software cannot move it. */
    l->base = ((uint32_t)value & (APIC_BASE_ADDR_MASK | APIC_BASE_ENABLE)) |
              (l->base & APIC_BASE_BSP);
    if (was != hw_enabled(l)) {
        /* SDM 10.4.3: disabled, the APIC loses its state and returns to its
         * power-up state.  (QEMU never lets it be enabled again; the SDM
         * allows it for the xAPIC, and so does ringlab.) */
        power_up(l);
    }
    return true;
}

bool lapic_mmio_enabled(const struct lapic *l) { return hw_enabled(l); }
uint32_t lapic_base_address(const struct lapic *l) { return l->base & APIC_BASE_ADDR_MASK; }

/* ----------------------------------------------------------- priorities */

static uint32_t isrv(const struct lapic *l)
{
    int v = vec_highest(l->isr);
    return v < 0 ? 0 : (uint32_t)v;
}

uint32_t lapic_ppr(const struct lapic *l)
{
    /* SDM 10.8.3.1: PPR = TPR if TPR[7:4] >= ISRV[7:4], else ISRV[7:4]:0. */
    uint32_t tpr = l->tpr & 0xFF, isr = isrv(l);
    return (tpr >> 4) >= (isr >> 4) ? tpr : (isr & 0xF0);
}

uint32_t lapic_apr(const struct lapic *l)
{
    /* SDM 10.8.3.1 (Pentium 4, Xeon): APR = TPR when TPR[7:4] >= IRRV[7:4]
     * and TPR[7:4] > ISRV[7:4]; else the largest class of the three. */
    uint32_t tpr = l->tpr & 0xFF, isr = isrv(l);
    int irrv = vec_highest(l->irr);
    uint32_t irr = irrv < 0 ? 0 : (uint32_t)irrv;
    if ((tpr >> 4) >= (irr >> 4) && (tpr >> 4) > (isr >> 4))
        return tpr;
    uint32_t m = tpr & 0xF0;
    if ((isr & 0xF0) > m)
        m = isr & 0xF0;
    if ((irr & 0xF0) > m)
        m = irr & 0xF0;
    return m;
}

int lapic_pending_vector(const struct lapic *l)
{
    /* QEMU presents nothing while the APIC is software-disabled; the SDM
     * says pending interrupts are held (10.4.7.2). */
    if (!sw_enabled(l))
        return -1;
    int v = vec_highest(l->irr);
    if (v < 0 || ((uint32_t)v >> 4) <= (lapic_ppr(l) >> 4))
        return -1;
    return v;
}

int lapic_acknowledge(struct lapic *l)
{
    int v = lapic_pending_vector(l);
    if (v < 0)
        return (int)(l->svr & 0xFF); /* SDM 10.9: the spurious vector, ISR untouched */
    vec_clear(l->irr, (unsigned)v);
    vec_set(l->isr, (unsigned)v);
    return v;
}

/* --------------------------------------------------- accepting interrupts */

static void accept_fixed(struct lapic *l, unsigned vector, bool level, uint64_t now_ns);

/* SDM 10.5.3: an error sets its ESR bit and raises the LVT error entry. */
static void apic_error(struct lapic *l, uint32_t bit, uint64_t now_ns)
{
    l->esr_pending |= bit;
    uint32_t lvt = l->lvt[LVT_ERROR];
    unsigned vector = lvt & APIC_VECTOR_MASK;
    if (!(lvt & APIC_LVT_MASKED) && vector >= 16)
        accept_fixed(l, vector, false, now_ns);
}

/* SDM 10.8.4: a fixed interrupt sets its IRR bit, and its TMR bit for a
 * level-triggered one.  Vectors 0-15 are illegal (10.5.3). */
static void accept_fixed(struct lapic *l, unsigned vector, bool level, uint64_t now_ns)
{
    vector &= 0xFF;
    if (vector < 16) {
        apic_error(l, APIC_ESR_RECEIVE_ILLEGAL_VECTOR, now_ns);
        return;
    }
    vec_set(l->irr, vector);
    if (level)
        vec_set(l->tmr, vector);
    else
        vec_clear(l->tmr, vector);
}

void lapic_receive(struct lapic *l, const struct apic_msg *msg, uint64_t now_ns)
{
    if (!hw_enabled(l))
        return;
    switch (msg->mode) {
    case APIC_FIXED:
    case APIC_LOWEST:
        /* SDM 10.4.7.2: a software-disabled APIC takes only INIT, NMI, SMI
         * and start-up messages. */
        if (sw_enabled(l))
            accept_fixed(l, msg->vector, msg->level, now_ns);
        break;
    case APIC_NMI:
        l->nmi_pending = true;
        break;
    case APIC_INIT:
        /* An INIT level de-assert only synchronises arbitration IDs. */
        if (msg->level && !msg->assert)
            break;
        /* SDM 10.4.7.3: INIT resets the APIC except its ID and base;
         * an AP then waits for a start-up IPI (8.4.4). */
        {
            uint32_t id = l->id;
            power_up(l);
            l->id = id;
        }
        l->init_pending = true;
        l->startup_pending = false;
        l->wait_for_sipi = !(l->base & APIC_BASE_BSP);
        break;
    case APIC_STARTUP:
        /* SDM 8.4.4.1: only the first start-up IPI after INIT counts. */
        if (l->wait_for_sipi) {
            l->wait_for_sipi = false;
            l->startup_pending = true;
            l->startup_vector = msg->vector;
        }
        break;
    case APIC_EXTINT:
        l->extint_pending = true;
        break;
    default: /* SMI: not modelled */
        break;
    }
}

bool lapic_pic_passthrough(const struct lapic *l)
{
    if (!hw_enabled(l))
        return true;
    uint32_t lvt = l->lvt[LVT_LINT0];
    return !(lvt & APIC_LVT_MASKED) && ((lvt & APIC_MODE_MASK) >> APIC_MODE_SHIFT) == APIC_EXTINT;
}

void lapic_set_lint(struct lapic *l, int pin, bool level, uint64_t now_ns)
{
    pin &= 1;
    bool rising = level && !l->lint_level[pin];
    l->lint_level[pin] = level;
    uint32_t *lvt = &l->lvt[LVT_LINT0 + pin];
    if (!hw_enabled(l) || (*lvt & APIC_LVT_MASKED))
        return;
    bool level_mode = (*lvt & APIC_TRIGGER_LEVEL) != 0;
    switch ((*lvt & APIC_MODE_MASK) >> APIC_MODE_SHIFT) {
    case APIC_FIXED:
        /* SDM 10.5.1: level-triggered, remote IRR is set when the
         * interrupt is accepted and cleared by its EOI. */
        if (level_mode ? (level && !(*lvt & APIC_REMOTE_IRR)) : rising) {
            if (level_mode)
                *lvt |= APIC_REMOTE_IRR;
            accept_fixed(l, *lvt & APIC_VECTOR_MASK, level_mode, now_ns);
        }
        break;
    case APIC_NMI:
        if (rising)
            l->nmi_pending = true;
        break;
    default: /* ExtINT: the 8259's vector, see lapic_pic_passthrough */
        break;
    }
}

static bool take(bool *flag)
{
    bool v = *flag;
    *flag = false;
    return v;
}

bool lapic_take_init(struct lapic *l) { return take(&l->init_pending); }
bool lapic_take_nmi(struct lapic *l) { return take(&l->nmi_pending); }
bool lapic_take_extint(struct lapic *l) { return take(&l->extint_pending); }

bool lapic_take_startup(struct lapic *l, uint8_t *vector)
{
    if (!take(&l->startup_pending))
        return false;
    *vector = l->startup_vector;
    return true;
}

/* ------------------------------------------------------------------ EOI */

static void eoi(struct lapic *l)
{
    /* SDM 10.8.5: the EOI clears the highest ISR bit; for a level-
     * triggered vector (TMR set) it goes on to the I/O APICs. */
    int v = vec_highest(l->isr);
    if (v < 0)
        return;
    vec_clear(l->isr, (unsigned)v);
    for (int pin = 0; pin < 2; pin++) {
        uint32_t *lvt = &l->lvt[LVT_LINT0 + pin];
        if ((*lvt & APIC_REMOTE_IRR) && (*lvt & APIC_VECTOR_MASK) == (uint32_t)v)
            *lvt &= ~APIC_REMOTE_IRR;
    }
    if (vec_test(l->tmr, (unsigned)v)) {
        if (l->eoi_broadcast)
            l->eoi_broadcast(l->eoi_opaque, (uint8_t)v);
    }
}

/* ---------------------------------------------------------------- timer */

/* Bus clocks per count (SDM 10.5.4, Figure 10-10): DCR bits 3, 1, 0. */
static uint64_t timer_divide(const struct lapic *l)
{
    uint32_t v = ((l->timer_dcr >> 1) & 4) | (l->timer_dcr & 3);
    return (v == 7 ? 1u : 2u << v) * LAPIC_BUS_NS;
}

static bool timer_periodic(const struct lapic *l)
{
    return (l->lvt[LVT_TIMER] & APIC_TIMER_PERIODIC) != 0;
}

/* The time of the first expiry after `after`, or UINT64_MAX. */
static uint64_t timer_next_expiry(const struct lapic *l, uint64_t after)
{
    if (!l->timer_running)
        return UINT64_MAX;
    uint64_t div = timer_divide(l);
    uint64_t first = l->timer_t0 + (uint64_t)l->timer_c0 * div;
    if (first > after || !timer_periodic(l))
        return first > after ? first : UINT64_MAX;
    uint64_t period = (uint64_t)l->timer_initial * div;
    return first + ((after - first) / period + 1) * period;
}

uint32_t lapic_timer_count(const struct lapic *l, uint64_t now_ns)
{
    if (!l->timer_running || now_ns < l->timer_t0)
        return l->timer_running ? l->timer_c0 : 0;
    uint64_t k = (now_ns - l->timer_t0) / timer_divide(l); /* counts since t0 */
    if (k < l->timer_c0)
        return (uint32_t)(l->timer_c0 - k);
    if (!timer_periodic(l))
        return 0;
    /* Periodic: reloaded from the initial count on reaching zero. */
    return (uint32_t)(l->timer_initial - (k - l->timer_c0) % l->timer_initial);
}

/* Restarts the count's bookkeeping at the last count boundary before now,
 * keeping the value: before a change of rate or mode. */
static void timer_rebase(struct lapic *l, uint64_t now_ns)
{
    if (!l->timer_running || now_ns < l->timer_t0)
        return;
    uint64_t div = timer_divide(l);
    uint64_t k = (now_ns - l->timer_t0) / div;
    uint32_t c = lapic_timer_count(l, now_ns);
    l->timer_t0 += k * div;
    l->timer_c0 = c;
    if (c == 0)
        l->timer_running = false;
}

void lapic_advance(struct lapic *l, uint64_t now_ns)
{
    uint64_t from = l->last_ns < now_ns ? l->last_ns : now_ns;
    l->last_ns = now_ns;
    uint64_t t = timer_next_expiry(l, from);
    if (t > now_ns)
        return;
    uint64_t n = 1;
    if (timer_periodic(l)) {
        uint64_t period = (uint64_t)l->timer_initial * timer_divide(l);
        n += (now_ns - t) / period;
    } else {
        l->timer_running = false; /* one-shot: stays at 0 */
        l->timer_c0 = 0;
    }
    l->timer_expiries_merged += n - 1;
    /* SDM 10.5.4: at zero the timer raises its LVT entry, unless masked. */
    uint32_t lvt = l->lvt[LVT_TIMER];
    if (!(lvt & APIC_LVT_MASKED) && sw_enabled(l))
        accept_fixed(l, lvt & APIC_VECTOR_MASK, false, now_ns);
}

uint64_t lapic_next_event_ns(const struct lapic *l, uint64_t now_ns)
{
    uint64_t from = l->last_ns < now_ns ? l->last_ns : now_ns;
    uint64_t t = timer_next_expiry(l, from);
    return t < now_ns ? now_ns : t;
}

/* --------------------------------------------------------------- the ICR */

static void send_ipi(struct lapic *l, uint64_t now_ns)
{
    uint32_t lo = l->icr_lo;
    struct apic_msg m = {
        .vector = (uint8_t)(lo & APIC_VECTOR_MASK),
        .mode = (uint8_t)((lo & APIC_MODE_MASK) >> APIC_MODE_SHIFT),
        .logical = (lo & APIC_DEST_LOGICAL) != 0,
        .dest = (uint8_t)(l->icr_hi >> 24),
        .shorthand = (uint8_t)((lo >> APIC_SHORTHAND_SHIFT) & 3),
        .level = (lo & APIC_TRIGGER_LEVEL) != 0,
        .assert = (lo & APIC_LEVEL_ASSERT) != 0,
        .source = l->cpu,
    };
    switch (m.mode) {
    case APIC_FIXED:
    case APIC_LOWEST:
        /* SDM 10.5.3: a vector below 16 is a send illegal vector error. */
        if (m.vector < 16) {
            apic_error(l, APIC_ESR_SEND_ILLEGAL_VECTOR, now_ns);
            return;
        }
        break;
    case APIC_INIT: /* an INIT level de-assert too: the receivers ignore it */
    case APIC_SMI:
    case APIC_NMI:
    case APIC_STARTUP:
        break;
    default: /* 3 and 7 (ExtINT) are reserved in the ICR */
        return;
    }
    /* SDM Table 10-3: the self shorthand takes fixed interrupts only. */
    if (m.shorthand == APIC_TO_SELF && m.mode != APIC_FIXED)
        return;
    if (l->send)
        l->send(l->send_opaque, &m, now_ns);
}

/* -------------------------------------------------------- register access */

static bool reserved_offset(uint32_t reg)
{
    switch (reg) {
    case LAPIC_ID: case LAPIC_VER: case LAPIC_TPR: case LAPIC_APR: case LAPIC_PPR:
    case LAPIC_EOI: case LAPIC_RRD: case LAPIC_LDR: case LAPIC_DFR: case LAPIC_SVR:
    case LAPIC_ESR: case LAPIC_ICR_LO: case LAPIC_ICR_HI:
    case LAPIC_TIMER_INITIAL: case LAPIC_TIMER_CURRENT: case LAPIC_TIMER_DIVIDE:
        return false;
    default:
        if (reg >= LAPIC_ISR && reg < LAPIC_ESR)
            return false; /* ISR, TMR, IRR */
        if (reg >= LAPIC_LVT_TIMER && reg <= LAPIC_LVT_ERROR)
            return false;
        return true; /* 0x000, 0x010, 0x040-0x070, 0x290-0x2F0 (no CMCI), ... */
    }
}

uint32_t lapic_read(struct lapic *l, uint32_t offset, uint64_t now_ns)
{
    if (offset & 0xC)
        return 0;
    uint32_t reg = offset & 0xFF0;
    if (reserved_offset(reg)) {
        apic_error(l, APIC_ESR_ILLEGAL_REGISTER, now_ns);
        return 0;
    }
    switch (reg) {
    case LAPIC_ID: return l->id;
    case LAPIC_VER: return LAPIC_VERSION;
    case LAPIC_TPR: return l->tpr;
    case LAPIC_APR: return lapic_apr(l);
    case LAPIC_PPR: return lapic_ppr(l);
    case LAPIC_LDR: return l->ldr;
    case LAPIC_DFR: return l->dfr;
    case LAPIC_SVR: return l->svr;
    case LAPIC_ESR: return l->esr;
    /* The delivery status bit reads idle: an IPI is delivered when sent. */
    case LAPIC_ICR_LO: return l->icr_lo & ~APIC_DELIVERY_PENDING;
    case LAPIC_ICR_HI: return l->icr_hi;
    case LAPIC_TIMER_INITIAL: return l->timer_initial;
    case LAPIC_TIMER_CURRENT: return lapic_timer_count(l, now_ns);
    case LAPIC_TIMER_DIVIDE: return l->timer_dcr;
    case LAPIC_EOI: case LAPIC_RRD: return 0;
    default: break;
    }
    if (reg >= LAPIC_LVT_TIMER && reg <= LAPIC_LVT_ERROR)
        return l->lvt[(reg - LAPIC_LVT_TIMER) >> 4];
    const uint32_t *bits = reg < LAPIC_TMR ? l->isr : reg < LAPIC_IRR ? l->tmr : l->irr;
    return bits[(reg >> 4) & 7];
}

/* The bits software may set in each LVT entry (SDM Figure 10-8). */
static uint32_t lvt_writable(int i)
{
    switch (i) {
    case LVT_TIMER: return 0xFF | APIC_LVT_MASKED | APIC_TIMER_PERIODIC;
    case LVT_LINT0:
    case LVT_LINT1:
        return 0xFF | APIC_MODE_MASK | APIC_POLARITY_LOW | APIC_TRIGGER_LEVEL | APIC_LVT_MASKED;
    case LVT_ERROR: return 0xFF | APIC_LVT_MASKED;
    default: return 0xFF | APIC_MODE_MASK | APIC_LVT_MASKED; /* thermal, performance */
    }
}

static void write_lvt(struct lapic *l, int i, uint32_t value, uint64_t now_ns)
{
    if (i == LVT_TIMER)
        timer_rebase(l, now_ns); /* a change of mode applies from now */
    uint32_t keep = l->lvt[i] & APIC_REMOTE_IRR;
    l->lvt[i] = (value & lvt_writable(i)) | keep;
    /* SDM 10.4.7.2: while software-disabled, the mask bits stay set. */
    if (!(l->svr & APIC_SVR_ENABLE))
        l->lvt[i] |= APIC_LVT_MASKED;
}

void lapic_write(struct lapic *l, uint32_t offset, uint32_t value, uint64_t now_ns)
{
    if (offset & 0xC)
        return;
    uint32_t reg = offset & 0xFF0;
    if (reserved_offset(reg)) {
        apic_error(l, APIC_ESR_ILLEGAL_REGISTER, now_ns);
        return;
    }
    switch (reg) {
    case LAPIC_ID: l->id = value & 0xFF000000u; break;
    case LAPIC_TPR: l->tpr = value & 0xFF; break;
    case LAPIC_EOI: eoi(l); break;
    case LAPIC_LDR: l->ldr = value & 0xFF000000u; break;
    case LAPIC_DFR: l->dfr = value | 0x0FFFFFFFu; break;
    case LAPIC_SVR:
        l->svr = value & (0xFF | APIC_SVR_ENABLE | APIC_SVR_FOCUS_OFF);
        /* SDM 10.4.7.2: software disable masks every LVT entry. */
        if (!(l->svr & APIC_SVR_ENABLE))
            for (int i = 0; i < LVT_COUNT; i++)
                l->lvt[i] |= APIC_LVT_MASKED;
        break;
    case LAPIC_ESR:
        /* SDM 10.5.3: a write latches the errors seen since the last one. */
        l->esr = l->esr_pending;
        l->esr_pending = 0;
        break;
    case LAPIC_ICR_HI: l->icr_hi = value & 0xFF000000u; break;
    case LAPIC_ICR_LO:
        l->icr_lo = value & 0x000CCFFFu;
        send_ipi(l, now_ns);
        break;
    case LAPIC_TIMER_INITIAL:
        /* SDM 10.5.4: writing the initial count starts the count; 0 stops it. */
        l->timer_initial = value;
        l->timer_running = value != 0;
        l->timer_t0 = now_ns;
        l->timer_c0 = value;
        if (l->last_ns > now_ns)
            l->last_ns = now_ns;
        break;
    case LAPIC_TIMER_DIVIDE:
        timer_rebase(l, now_ns);
        l->timer_dcr = value & 0xB;
        break;
    default:
        if (reg >= LAPIC_LVT_TIMER && reg <= LAPIC_LVT_ERROR)
            write_lvt(l, (int)((reg - LAPIC_LVT_TIMER) >> 4), value, now_ns);
        /* VER, APR, PPR, RRD, ISR, TMR, IRR and the current count: read-only. */
        break;
    }
}
