/* The trace event: one record per privilege transition or fault.  Every
 * consumer (the -d int text log, the JSON lines log, the debugger, the UI)
 * reads these and nothing else, so that they all tell the same story. */
#ifndef RINGLAB_EVENT_H
#define RINGLAB_EVENT_H

#include <stdbool.h>
#include <stdint.h>

enum trace_kind {
    TRACE_EXCEPTION,    /* a fault, trap or abort raised by an instruction */
    TRACE_SOFTWARE_INT, /* INT n, INT3, INTO */
    TRACE_HARDWARE_INT, /* an IRQ delivered through the PIC */
    TRACE_SYSENTER,
    TRACE_SYSEXIT,
    TRACE_SYSCALL,
    TRACE_SYSRET,
    TRACE_RETURN,       /* IRET/RETF that changed CPL (seen only when tracing) */
    TRACE_TRIPLE_FAULT, /* shutdown: a fault while delivering #DF */
    TRACE_RESET,        /* the machine reset after a triple fault */
};

/* How the event reached its handler. */
enum trace_gate {
    GATE_NONE,
    GATE_TASK,
    GATE_INTR16,
    GATE_TRAP16,
    GATE_INTR32,
    GATE_TRAP32,
    GATE_IVT, /* real-address mode: the interrupt vector table */
};

/* Room for the longest explanation: a triple fault's, which quotes the
 * fault that stopped the #DF (a page walk and what was being read) and
 * the one that led to the #DF (another), each whole. */
#define TRACE_EXPLAIN_MAX 672

struct trace_point {
    uint8_t cpl;
    uint16_t cs, ss;
    uint32_t eip, esp, eflags;
};

struct trace_event {
    uint64_t seq;    /* 1, 2, 3 ... in the order of delivery attempts */
    uint64_t icount; /* instructions executed before the event */
    int cpu;         /* the processor it happened on (0: the BSP) */
    uint64_t deliveries; /* events delivered since power-on, this one included;
                            for a return (seen, not delivered): those before it */
    enum trace_kind kind;
    int vector;           /* -1 when the kind has none (sysenter, ...) */
    bool has_error_code;
    uint32_t error_code;
    bool delivered;       /* false when delivery itself faulted */
    bool real_mode;       /* CR0.PE was clear: delivered through the IVT */
    struct trace_point before, after;
    uint32_t pc;          /* linear address of the instruction concerned */
    uint32_t cr2, cr3;
    uint32_t eax;         /* QEMU's -d int line prints it */
    uint32_t gpr[8];      /* the general registers when the event began (EAX..EDI in
                             cpu_state.h's order): a system call's number and arguments */
    enum trace_gate gate;
    uint32_t gate_lo, gate_hi; /* the raw IDT entry, when one was read */
    bool stack_switched;  /* the inner stack came from the TSS */
    uint16_t tss_selector;
    char explain[TRACE_EXPLAIN_MAX]; /* why, in words: "user write to a read-only page: ..." */
};

const char *trace_kind_name(enum trace_kind kind);
const char *trace_gate_name(enum trace_gate gate);
/* The SDM's mnemonic for an exception vector ("#PF", "NMI"), or NULL for
 * vectors without one: 9, 15, 22-31 (reserved) and above 31. */
const char *trace_vector_mnemonic(int vector);

/* A sink receives every event; machine.c calls each registered sink. */
struct trace_sink {
    void (*emit)(void *opaque, const struct trace_event *ev);
    void *opaque;
};

#endif
