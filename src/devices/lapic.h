/* The local APIC of one CPU (SDM Vol. 3A chapter 10): an xAPIC of version
 * 0x14 with six LVT entries, as QEMU's.  Plain state driven by the virtual
 * time its callers pass in (now_ns, one bus clock per nanosecond, as in
 * QEMU), with no engine and no memory map behind it:
 *   - its registers as lapic_read / lapic_write at an offset in the 4 KiB
 *     page (the machine maps the page at lapic_base and asks
 *     lapic_mmio_enabled first);
 *   - IA32_APIC_BASE (MSR 0x1B) as lapic_read_base / lapic_write_base;
 *   - interrupts for the CPU: lapic_pending_vector, lapic_acknowledge,
 *     and the INIT, start-up and NMI signals the CPU takes;
 *   - the timer: lapic_advance delivers what has come due, and
 *     lapic_next_event_ns says when the next expiry is;
 *   - IPIs leave through a send callback with an apic_msg, which the
 *     machine hands to apic_bus_deliver (apic_bus.h). */
#ifndef RINGLAB_LAPIC_H
#define RINGLAB_LAPIC_H

#include <stdbool.h>
#include <stdint.h>

#define LAPIC_DEFAULT_BASE 0xFEE00000u
#define LAPIC_VERSION 0x00050014u /* version 0x14, max LVT entry 5 */
#define LAPIC_MSR_APIC_BASE 0x1B
#define APIC_BASE_BSP (1u << 8)
#define APIC_BASE_ENABLE (1u << 11)
#define APIC_BASE_ADDR_MASK 0xFFFFF000u

/* Register offsets (SDM Vol. 3A Table 10-1). */
enum {
    LAPIC_ID = 0x020,
    LAPIC_VER = 0x030,
    LAPIC_TPR = 0x080,
    LAPIC_APR = 0x090,
    LAPIC_PPR = 0x0A0,
    LAPIC_EOI = 0x0B0,
    LAPIC_RRD = 0x0C0,
    LAPIC_LDR = 0x0D0,
    LAPIC_DFR = 0x0E0,
    LAPIC_SVR = 0x0F0,
    LAPIC_ISR = 0x100, /* 8 registers, 0x100-0x170 */
    LAPIC_TMR = 0x180,
    LAPIC_IRR = 0x200,
    LAPIC_ESR = 0x280,
    LAPIC_ICR_LO = 0x300,
    LAPIC_ICR_HI = 0x310,
    LAPIC_LVT_TIMER = 0x320,
    LAPIC_LVT_THERMAL = 0x330,
    LAPIC_LVT_PERF = 0x340,
    LAPIC_LVT_LINT0 = 0x350,
    LAPIC_LVT_LINT1 = 0x360,
    LAPIC_LVT_ERROR = 0x370,
    LAPIC_TIMER_INITIAL = 0x380,
    LAPIC_TIMER_CURRENT = 0x390,
    LAPIC_TIMER_DIVIDE = 0x3E0,
};

enum lapic_lvt { LVT_TIMER, LVT_THERMAL, LVT_PERF, LVT_LINT0, LVT_LINT1, LVT_ERROR, LVT_COUNT };

/* LVT and ICR fields (SDM Vol. 3A Figures 10-8 and 10-12). */
#define APIC_VECTOR_MASK 0xFFu
#define APIC_MODE_SHIFT 8
#define APIC_MODE_MASK (7u << 8)
#define APIC_DEST_LOGICAL (1u << 11)
#define APIC_DELIVERY_PENDING (1u << 12)
#define APIC_POLARITY_LOW (1u << 13)
#define APIC_REMOTE_IRR (1u << 14)
#define APIC_LEVEL_ASSERT (1u << 14) /* in the ICR */
#define APIC_TRIGGER_LEVEL (1u << 15)
#define APIC_LVT_MASKED (1u << 16)
#define APIC_TIMER_PERIODIC (1u << 17)
#define APIC_SHORTHAND_SHIFT 18
#define APIC_SVR_ENABLE (1u << 8)
#define APIC_SVR_FOCUS_OFF (1u << 9)

/* Error status bits (SDM Vol. 3A 10.5.3). */
#define APIC_ESR_SEND_ILLEGAL_VECTOR (1u << 5)
#define APIC_ESR_RECEIVE_ILLEGAL_VECTOR (1u << 6)
#define APIC_ESR_ILLEGAL_REGISTER (1u << 7)

/* Delivery modes (SDM Vol. 3A 10.6.1). */
enum apic_mode {
    APIC_FIXED = 0,
    APIC_LOWEST = 1,
    APIC_SMI = 2,
    APIC_NMI = 4,
    APIC_INIT = 5,
    APIC_STARTUP = 6,
    APIC_EXTINT = 7,
};

enum apic_shorthand { APIC_TO_DEST, APIC_TO_SELF, APIC_TO_ALL, APIC_TO_ALL_BUT_SELF };

/* An interrupt message on the APIC bus, from a local APIC's ICR or an
 * I/O APIC's redirection entry. */
struct apic_msg {
    uint8_t vector;
    uint8_t mode;    /* enum apic_mode */
    bool logical;    /* destination mode */
    uint8_t dest;    /* APIC ID (0xFF: all), or a logical destination */
    uint8_t shorthand; /* enum apic_shorthand */
    bool level;      /* level-triggered */
    bool assert;     /* asserted (an INIT with assert clear is "level de-assert") */
    int source;      /* the sending CPU's index, -1 for an I/O APIC */
};

struct lapic {
    int cpu;               /* index of the CPU it belongs to */
    uint8_t initial_id;    /* the APIC ID hardware gives it at power-up */
    uint32_t base;         /* IA32_APIC_BASE: address, BSP and enable bits */
    uint32_t id, tpr, ldr, dfr, svr;
    uint32_t esr;          /* what the ESR shows (latched by the last write) */
    uint32_t esr_pending;  /* errors seen since */
    uint32_t icr_lo, icr_hi;
    uint32_t lvt[LVT_COUNT];
    uint32_t irr[8], isr[8], tmr[8];
    bool lint_level[2];
    /* The timer: from time timer_t0 on it counts down from timer_c0, one
     * step every divide bus clocks; running is clear when it has stopped
     * (initial count 0, or a one-shot that reached 0). */
    uint32_t timer_initial, timer_dcr;
    bool timer_running;
    uint64_t timer_t0;
    uint32_t timer_c0;
    uint64_t timer_expiries_merged; /* expiries folded into one interrupt */
    uint64_t last_ns;
    /* Signals for the CPU, taken with lapic_take_* (SDM 10.4.7.3, 8.4.4). */
    bool init_pending, startup_pending, nmi_pending, extint_pending;
    uint8_t startup_vector;
    bool wait_for_sipi; /* an AP after INIT: the next start-up IPI starts it */
    /* Where IPIs go (the machine calls apic_bus_deliver). */
    void (*send)(void *opaque, const struct apic_msg *msg, uint64_t now_ns);
    void *send_opaque;
    /* An EOI for a level-triggered vector, for the I/O APICs (10.8.5). */
    void (*eoi_broadcast)(void *opaque, uint8_t vector);
    void *eoi_opaque;
};

/* Power-up state (SDM 10.4.7.1) of CPU `cpu` with APIC ID `id`: enabled
 * at 0xFEE00000, BSP flag for the bootstrap processor, software-disabled
 * (SVR 0xFF), every LVT masked.  As QEMU's reset, the BSP's LINT0 is
 * ExtINT and unmasked so the 8259's INTR reaches the CPU before anyone
 * programs the APIC; an AP waits for a start-up IPI. */
void lapic_init(struct lapic *l, int cpu, uint8_t id, bool bsp);
/* What SeaBIOS leaves on the BSP (measured under QEMU 7.2): SVR 0x1FF,
 * LINT0 ExtINT (0x8700), LINT1 NMI (0x8400): virtual wire mode (MP spec
 * 3.6.2.2). */
void lapic_bios_setup(struct lapic *l);

/* IA32_APIC_BASE (SDM 10.4.4).  A write with reserved bits set (0-7, 9,
 * 10 (x2APIC, not modelled), 32-63) returns false: #GP(0).  Clearing the
 * enable bit returns the APIC to its power-up state and hides it; setting
 * it again brings it back in that state. */
uint64_t lapic_read_base(const struct lapic *l);
bool lapic_write_base(struct lapic *l, uint64_t value, uint64_t now_ns);
bool lapic_mmio_enabled(const struct lapic *l);
uint32_t lapic_base_address(const struct lapic *l);

/* A 32-bit access to the register at `offset` (0..0xFFF) of the APIC
 * page; the register is the aligned dword of each 16-byte slot, the rest
 * of a slot reads as 0.  Reserved registers read as 0 and record an
 * illegal register address error. */
uint32_t lapic_read(struct lapic *l, uint32_t offset, uint64_t now_ns);
void lapic_write(struct lapic *l, uint32_t offset, uint32_t value, uint64_t now_ns);

/* A message from the bus (SDM 10.6, 10.8.4). */
void lapic_receive(struct lapic *l, const struct apic_msg *msg, uint64_t now_ns);
/* A level change on LINT0 (pin 0) or LINT1 (pin 1). */
void lapic_set_lint(struct lapic *l, int pin, bool level, uint64_t now_ns);
/* True when the 8259's INTR reaches the CPU: the APIC is disabled (the
 * pin is INTR again, 10.4.3), or LINT0 is unmasked in ExtINT mode. */
bool lapic_pic_passthrough(const struct lapic *l);

/* The vector the APIC would present to the CPU now (SDM 10.8.3.1: the
 * highest IRR vector whose priority class is above the PPR's), or -1. */
int lapic_pending_vector(const struct lapic *l);
/* The CPU's acknowledge: the highest deliverable vector moves from IRR to
 * ISR and is returned; with none left, the spurious vector (10.9). */
int lapic_acknowledge(struct lapic *l);
/* The signals the CPU acts on; each returns true once per signal. */
bool lapic_take_init(struct lapic *l);
bool lapic_take_startup(struct lapic *l, uint8_t *vector);
bool lapic_take_nmi(struct lapic *l);
bool lapic_take_extint(struct lapic *l);
/* TPR, PPR and APR as the SDM computes them (10.8.3.1, 10.8.6.1). */
uint32_t lapic_ppr(const struct lapic *l);
uint32_t lapic_apr(const struct lapic *l);

/* Brings the timer up to now_ns: an expiry (or more, folded into one and
 * counted in timer_expiries_merged) since the last call raises the LVT
 * timer interrupt.  lapic_next_event_ns: the next expiry after now_ns, or
 * UINT64_MAX. */
void lapic_advance(struct lapic *l, uint64_t now_ns);
uint64_t lapic_next_event_ns(const struct lapic *l, uint64_t now_ns);
/* The timer's current count at now_ns (the register at 0x390). */
uint32_t lapic_timer_count(const struct lapic *l, uint64_t now_ns);

#endif
