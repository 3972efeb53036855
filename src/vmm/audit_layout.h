/* Where the audit's fresh machine keeps its tables, stacks and code, and
 * its selectors (drawn in audit_rig.c); the catalogue's set-ups use them. */
#ifndef RINGLAB_AUDIT_LAYOUT_H
#define RINGLAB_AUDIT_LAYOUT_H

/* Physical (= linear) layout. */
#define GDT_NATIVE 0x1000u
#define GDT_MOVED 0x1800u
#define GDT_ENTRIES 16u
#define IDT_NATIVE 0x2000u
#define IDT_MOVED 0x2800u
#define TSS_MAIN 0x3000u
#define TSS_SPARE 0x3100u
#define TSS_MOVED 0x3200u
#define LDT_MAIN 0x3400u
#define LDT_MOVED 0x3500u
#define STACK0_TOP 0x20000u
#define STACK1_TOP 0x28000u
#define STACK3_TOP 0x30000u
#define V86_SS 0x3800u
#define V86_SP 0x7ff0u
#define SCRATCH 0x40000u
#define POINTERS 0x41000u /* GDT pseudo-descriptor, IDT's at +8, far pointer at +0x10 */
#define CODE 0x50000u
#define CODE_STRIDE 32u
#define HANDLERS 0x60000u
#define IMAGE_END 0x61000u
#define RAM_SIZE 0x100000u

#define SEL_KCODE 0x08
#define SEL_KDATA 0x10
#define SEL_R1CODE 0x19
#define SEL_R1DATA 0x21
#define SEL_UCODE 0x2b
#define SEL_UDATA 0x33
#define SEL_TSS 0x38
#define SEL_LDT 0x40
#define SEL_GATE 0x4b
#define SEL_TSS_SPARE 0x50
#define SEL_LDT_MOVED 0x58
#define SEL_TSS_MOVED 0x60
#define SYSCALL_VECTOR 0x80

/* Where the far transfers of the catalogue go: a HLT each. */
#define TARGET_EXCEPTION (HANDLERS + 0x00)
#define TARGET_SYSCALL (HANDLERS + 0x10)
#define TARGET_GATE (HANDLERS + 0x20)
#define TARGET_JMP (HANDLERS + 0x30)
#define TARGET_RETURN (HANDLERS + 0x40)
#define USER_ESP 0x2ff00u /* the ring-3 stack pointer a return frame names */

#endif
