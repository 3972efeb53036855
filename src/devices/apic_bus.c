/* The APIC bus (SDM Vol. 3A 10.6): which local APICs a message addresses,
 * and handing it to them.  The ICR and the I/O APIC both send through
 * here (see apic_bus.h). */
#include "devices/apic_bus.h"

#include <stddef.h>

bool apic_is_destination(const struct lapic *l, const struct apic_msg *msg)
{
    switch (msg->shorthand) {
    case APIC_TO_SELF: return msg->source == l->cpu;
    case APIC_TO_ALL: return true;
    case APIC_TO_ALL_BUT_SELF: return msg->source != l->cpu;
    default: break;
    }
    if (msg->dest == 0xFF)
        return true; /* broadcast, in either destination mode */
    if (!msg->logical)
        return (l->id >> 24) == msg->dest; /* SDM 10.6.2.1 */
    /* SDM 10.6.2.2: the flat model (DFR model 1111) matches any common bit
     * of the LDR; the cluster model (0000) matches the cluster in the high
     * nibble and a common bit in the low one. */
    uint8_t ldr = (uint8_t)(l->ldr >> 24);
    if ((l->dfr >> 28) == 0xF)
        return (ldr & msg->dest) != 0;
    return (ldr >> 4) == (msg->dest >> 4) && (ldr & msg->dest & 0x0F) != 0;
}

int apic_bus_deliver(struct lapic *const *apics, int n, const struct apic_msg *msg, uint64_t now_ns)
{
    if (msg->mode == APIC_LOWEST) {
        /* SDM 10.6.2.4: the processor with the lowest arbitration priority
         * takes it (ties go to the lowest index here, deterministically). */
        struct lapic *best = NULL;
        for (int i = 0; i < n; i++) {
            struct lapic *l = apics[i];
            if (!lapic_mmio_enabled(l) || !apic_is_destination(l, msg))
                continue;
            if (!best || lapic_apr(l) < lapic_apr(best))
                best = l;
        }
        if (!best)
            return 0;
        lapic_receive(best, msg, now_ns);
        return 1;
    }
    int taken = 0;
    for (int i = 0; i < n; i++) {
        struct lapic *l = apics[i];
        if (lapic_mmio_enabled(l) && apic_is_destination(l, msg)) {
            lapic_receive(l, msg, now_ns);
            taken++;
        }
    }
    return taken;
}
