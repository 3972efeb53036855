/* hypercall.h — the paravirtual kernel's calls to the monitor below it.
 *
 * The kernel built with -DPV (kernel-pv.elf) runs at ring 1 under
 * `ringlab pg vmm --strategy pv`, the way 32-bit Xen ran its guest kernels.
 * Every instruction of the native kernel that is privileged, or sensitive at
 * ring 1, is replaced by a hypercall: the kernel asks the monitor, which
 * keeps the virtual CPU, to do it.  This header is the one statement of the
 * interface; the kernel (x86.h, entry.asm, trapasm.asm) and the monitor
 * (src/vmm/vmm_pv.c) both include it, so it holds only #defines.
 *
 * The call:  EAX = the number below, EBX, ECX, EDX = its arguments,
 *            then INT 0x82 (HC_VECTOR) at CPL 1.
 * The answer: EAX (HC_IN, HC_READ_CR); -1 in EAX for a call the monitor
 *            refuses.  Every other register is kept.
 * The monitor takes INT 0x82 before the guest's IDT is consulted, so the
 * kernel needs no gate for it; at CPL 3 the monitor does not take it and
 * the guest's IDT, which has no gate 0x82, answers (a fault). */
#ifndef HYPERCALL_H
#define HYPERCALL_H

#define HC_VECTOR 0x82

#define HC_CLI      0  /* virtual IF = 0 */
#define HC_STI      1  /* virtual IF = 1, with STI's one-instruction shadow */
#define HC_BLOCK    2  /* STI; HLT: wait for the next interrupt with IF = 1 */
#define HC_HALT     3  /* CLI; HLT: stop this CPU for good */
#define HC_IN       4  /* EBX = port, ECX = size (1, 2, 4) -> EAX */
#define HC_OUT      5  /* EBX = port, ECX = size, EDX = value */
#define HC_SET_GDT  6  /* EBX = linear base, ECX = limit: the real GDTR */
#define HC_SET_IDT  7  /* EBX = linear base, ECX = limit: the real IDTR */
#define HC_LTR      8  /* EBX = TSS selector; the TSS's SS0:ESP0 is the kernel
                          stack, SS1:ESP1 what ring 3's call gates use */
#define HC_READ_CR  9  /* EBX = n (0, 2, 3, 4) -> EAX = CRn */
#define HC_WRITE_CR 10 /* EBX = n (0, 3, 4), ECX = value */
#define HC_INVLPG   11 /* EBX = linear address */
#define HC_WRMSR    12 /* EBX = MSR, ECX = low half, EDX = high half */
#define HC_IRET     13 /* the guest's EAX, then an IRET frame, at [ESP]:
                          returns as IRET would at ring 0 (IF and IOPL too) */
#define HC_COUNT    14

/* The names the monitor's report uses, in number order. */
#define HC_NAMES                                                                  \
    {"cli", "sti", "block", "halt", "in", "out", "set_gdt", "set_idt", "ltr",     \
     "read_cr", "write_cr", "invlpg", "wrmsr", "iret"}

#endif
