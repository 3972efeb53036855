/* Names for the trace event's enumerations, shared by every sink so that the
 * text log, the JSON lines and the UI spell them the same way. */
#include "trace/event.h"

#include <stddef.h>

const char *trace_kind_name(enum trace_kind kind)
{
    switch (kind) {
    case TRACE_EXCEPTION:
        return "exception";
    case TRACE_SOFTWARE_INT:
        return "software_int";
    case TRACE_HARDWARE_INT:
        return "hardware_int";
    case TRACE_SYSENTER:
        return "sysenter";
    case TRACE_SYSEXIT:
        return "sysexit";
    case TRACE_SYSCALL:
        return "syscall";
    case TRACE_SYSRET:
        return "sysret";
    case TRACE_RETURN:
        return "return";
    case TRACE_TRIPLE_FAULT:
        return "triple_fault";
    case TRACE_RESET:
        return "reset";
    }
    return "unknown";
}

const char *trace_gate_name(enum trace_gate gate)
{
    switch (gate) {
    case GATE_NONE:
        return "none";
    case GATE_TASK:
        return "task";
    case GATE_INTR16:
        return "intr16";
    case GATE_TRAP16:
        return "trap16";
    case GATE_INTR32:
        return "intr32";
    case GATE_TRAP32:
        return "trap32";
    case GATE_IVT:
        return "ivt";
    }
    return "unknown";
}

/* SDM Vol. 3A 6.3.1, Table 6-1: protected-mode exceptions and interrupts.
 * Vector 9 (coprocessor segment overrun), 15 and 22-31 are reserved and
 * have no mnemonic. */
const char *trace_vector_mnemonic(int vector)
{
    static const char *const names[32] = {
        [0] = "#DE",  [1] = "#DB",  [2] = "NMI",  [3] = "#BP",  [4] = "#OF",
        [5] = "#BR",  [6] = "#UD",  [7] = "#NM",  [8] = "#DF",  [10] = "#TS",
        [11] = "#NP", [12] = "#SS", [13] = "#GP", [14] = "#PF", [16] = "#MF",
        [17] = "#AC", [18] = "#MC", [19] = "#XM", [20] = "#VE", [21] = "#CP",
    };
    if (vector < 0 || vector > 31)
        return NULL;
    return names[vector];
}
