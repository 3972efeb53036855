/* trap.c — the IDT, and what happens after a trap: system calls go to
 * syscall.c, IRQs to their device, a fault in ring 3 kills the process with
 * one line that names it, so does a fault in the ring-1 service (on behalf
 * of the process that called it), a fault in ring 0 is a kernel bug: panic. */
#include "defs.h"
#include "mmu.h"
#include "x86.h"
#include "trap.h"
#include "proc.h"
#include "syscall.h"

static struct gatedesc idt[256];
extern uint32_t vectors[48]; /* trapasm.asm */
extern uint32_t vector_syscall;

static void set_gate(int n, uint32_t handler, int type, int dpl)
{
    idt[n].off_lo = handler & 0xFFFF;
    idt[n].sel = KCODE_SEL;
    idt[n].zero = 0;
    idt[n].type_attr = 0x80 | (dpl << 5) | type;
    idt[n].off_hi = handler >> 16;
}

void idt_init(void)
{
    /* Interrupt gates clear IF, so the kernel runs with interrupts off and
     * needs no locks. DPL 0 means ring 3 may not "int n" to these vectors:
     * trying is a #GP (SDM Vol. 3A 6.12.1.1). */
    for (int i = 0; i < 48; i++)
        set_gate(i, vectors[i], GATE_INT32, 0);
    /* The system call gate has DPL 3 so that user code may use it. */
    set_gate(T_SYSCALL, vector_syscall, GATE_INT32, 3);
    lidt(idt, sizeof(idt));
}

/* The SDM's mnemonic for each exception vector. */
static const char *exc_name[32] = {
        "#DE", "#DB", "NMI", "#BP", "#OF",
        "#BR", "#UD", "#NM", "#DF", "#MF (coprocessor segment overrun)",
        "#TS", "#NP", "#SS", "#GP", "#PF",
        "#15", "#MF", "#AC", "#MC", "#XM",
        "#VE", "#CP", "#22", "#23", "#24",
        "#25", "#26", "#27", "#28", "#29",
        "#30", "#31",
};

/* Exceptions that push an error code (SDM Vol. 3A Table 6-1). */
static int has_error_code(int v)
{
    return v == T_DF || (v >= T_TS && v <= T_PF) || v == T_AC;
}

/* Describe a fault the way the SDM writes it: "#GP(0)", or for a page fault
 * the error code's bits in words (SDM Vol. 3A 4.7, Figure 4-12). */
static int describe_fault(char *buf, int size, struct trapframe *tf, uint32_t cr2)
{
    const char *name = tf->trapno < 32 ? exc_name[tf->trapno] : "interrupt";
    if (tf->trapno == T_PF) {
        uint32_t e = tf->err;
        const char *access = "read";
        const char *page = "not-present";
        if (e & PF_I)
            access = "instruction fetch";
        else if (e & PF_W)
            access = "write";
        if (e & PF_RSVD)
            page = "malformed (reserved bit set)";
        else if (e & PF_P)
            page = "protected";
        /* U/S = 0: a supervisor access, by ring 0, 1 or 2 (SDM Vol. 3A 4.6) */
        const char *who = (e & PF_U) ? "user" : (tf->cs & 3) ? "supervisor" : "kernel";
        return snprintf(buf, size, "#PF %s %s of %s page 0x%08x", who, access, page, cr2);
    }
    if (has_error_code(tf->trapno))
        return snprintf(buf, size, tf->err ? "%s(0x%x)" : "%s(%d)", name, tf->err);
    return snprintf(buf, size, "%s", name);
}

/* A fault in the kernel itself: nothing can be trusted any more. Print
 * everything and stop the CPU. */
static void kernel_fault(struct trapframe *tf)
{
    char what[96];
    describe_fault(what, sizeof(what), tf, rcr2());
    kprintf("\npanic: kernel fault %s at eip 0x%08x\n", what, tf->eip);
    kprintf(" eax %08x  ebx %08x  ecx %08x  edx %08x\n", tf->eax, tf->ebx, tf->ecx, tf->edx);
    kprintf(" esi %08x  edi %08x  ebp %08x  esp %08x\n", tf->esi, tf->edi, tf->ebp,
            (uint32_t)&tf->esp);
    kprintf(" cs %04x  ds %04x  eflags %08x  cr2 %08x  cr3 %08x\n", tf->cs, tf->ds, tf->eflags,
            rcr2(), rcr3());
    for (;;)
        cli_hlt();
}

/* A fault in ring 3 that the kernel cannot fix: the process dies. */
static void user_fault(struct trapframe *tf, uint32_t cr2)
{
    char what[96];
    describe_fault(what, sizeof(what), tf, cr2);
    /* "\xe2\x80\x94" is an em dash in UTF-8 */
    kprintf("pid %d (%s): %s at eip 0x%08x \xe2\x80\x94 killed\n", curproc->pid, curproc->name,
            what, tf->eip);
    exit(-1);
}

/* A fault in the ring-1 service: it was working for the process that
 * called it through the gate, so that process dies. Ring 1 is not the
 * kernel; nothing of the kernel's own is damaged. The CPU came from ring 1
 * to ring 0 through the TSS's SS0:ESP0, as from ring 3. */
static void ring1_fault(struct trapframe *tf, uint32_t cr2)
{
    char what[96], why[96];
    describe_fault(what, sizeof(what), tf, cr2);
    ring1_explain(tf, why, sizeof(why));
    kprintf("pid %d (%s): %s in ring 1 at eip 0x%08x%s \xe2\x80\x94 killed\n", curproc->pid,
            curproc->name, what, tf->eip, why);
    exit(-1);
}

void trap(struct trapframe *tf)
{
    int from_user = (tf->cs & 3) == 3; /* CPL of the interrupted code */
    /* The ring-1 service, by its code selector: the kernel built to run
     * at ring 1 (x86.h, -DPV) has CPL 1 too. */
    int from_ring1 = tf->cs == R1CODE_SEL;

    if (tf->trapno == T_SYSCALL) {
        if (curproc->killed)
            exit(-1);
        curproc->tf = tf;
        curproc->grace = 1;
        syscall(tf);
        if (curproc->killed)
            exit(-1);
        return;
    }

    switch (tf->trapno) {
    case T_IRQ0 + IRQ_TIMER:
        timer_intr();
        pic_eoi(IRQ_TIMER);
        break;
    case T_IRQ0 + IRQ_COM1:
        uart_intr();
        pic_eoi(IRQ_COM1);
        break;
    case T_IRQ0 + 7:
    case T_IRQ0 + 15:
        /* spurious IRQ from the PIC: no EOI for the master's IRQ 7 */
        break;
    case T_PF:
        if (from_ring1)
            ring1_fault(tf, rcr2());
        if (!from_user)
            kernel_fault(tf);
        {
            uint32_t cr2 = rcr2();
            /* Demand paging and copy-on-write: the kernel may be able
             * to make the access legal and let the instruction run again. */
            if (vm_fault(curproc, cr2, (tf->err & PF_W) != 0) == 0)
                break;
            user_fault(tf, cr2);
        }
        break;
    default:
        if (tf->trapno >= T_IRQ0 && tf->trapno < T_IRQ0 + 16) {
            pic_eoi(tf->trapno - T_IRQ0);
            break;
        }
        if (from_ring1)
            ring1_fault(tf, 0);
        if (!from_user)
            kernel_fault(tf);
        user_fault(tf, 0);
    }

    /* Back to ring 0 or 1 as it was: no preemption there. Ring 1 has one
     * stack for all processes (TSS.ESP1): no other may enter it meanwhile. */
    if (!from_user || !curproc)
        return;
    if (curproc->killed)
        exit(-1);
    /* Preemption: a timer tick that interrupted ring 3 ends the time slice,
     * unless the process made a system call since the previous tick: then
     * it gets one tick more. Interrupts are off in the kernel, so a tick
     * that falls due during a long system call (fork copies page tables)
     * is taken the moment the process is back in ring 3; without the grace
     * tick, whether the parent or the child of a fork() runs first would
     * depend on how fast the machine is. With it, the order of system
     * calls and faults is the same on every run and every emulator. */
    if (tf->trapno == T_IRQ0 + IRQ_TIMER) {
        if (curproc->grace)
            curproc->grace = 0;
        else
            yield();
    }
    if (curproc->killed)
        exit(-1);
}
