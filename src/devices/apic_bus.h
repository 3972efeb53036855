/* The APIC bus: interrupt messages from a local APIC's ICR or an I/O APIC
 * to the local APICs they address (SDM Vol. 3A 10.6.2), delivered at once
 * and in a fixed order, so that a run is repeatable. */
#ifndef RINGLAB_APIC_BUS_H
#define RINGLAB_APIC_BUS_H

#include <stdbool.h>
#include <stdint.h>

#include "devices/lapic.h"

/* Is APIC `l` among the destinations of `msg` (SDM 10.6.2)? */
bool apic_is_destination(const struct lapic *l, const struct apic_msg *msg);
/* Hands `msg` to every enabled APIC of apics[0..n-1] it addresses; a
 * lowest-priority message goes to the one with the lowest arbitration
 * priority (the lowest index among equals).  Returns how many took it. */
int apic_bus_deliver(struct lapic *const *apics, int n, const struct apic_msg *msg,
                     uint64_t now_ns);

#endif
