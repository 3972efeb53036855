/* What the files of the trap-and-emulate monitor share (vmm_trap.c runs it,
 * trap_shadow.c keeps the shadow tables, trap_emulate.c executes what
 * traps, trap_watch.c watches what does not, trap_report.c says what it
 * saw).  Nothing outside src/vmm includes this. */
#ifndef RINGLAB_VMM_TRAP_INTERNAL_H
#define RINGLAB_VMM_TRAP_INTERNAL_H

#include "cpu/desc.h"
#include "cpu/mem_operands.h"
#include "vmm/vmm_trap.h"

/* The monitor's own page of guest-physical memory, below the EBDA, which
 * a Multiboot kernel is not given (it lies under mem_lower's 640 KiB but
 * the bundled kernel allocates from 1 MiB up): the shadow GDT, then the
 * shadow TSS, then the shadow LDT. */
#define SHADOW_PA 0x9f000u
#define SHADOW_GDT_MAX 0x800u
#define SHADOW_TSS_OFF 0x800u
#define TSS_SIZE 0x68u /* a 32-bit TSS (SDM Vol. 3A 7.2.1), no I/O map */
/* Then the shadow of the LDT the guest loaded, to the page's end. */
#define SHADOW_LDT_OFF (SHADOW_TSS_OFF + TSS_SIZE)
#define SHADOW_LDT_MAX (0x1000u - SHADOW_LDT_OFF)
/* The monitor's memory for the shadow page tables: physical addresses
 * no RAM or device of the PC has (between the largest RAM ringlab gives
 * a guest, MULTIBOOT_RAM_MAX, and the IOAPIC), seen by the engine only. */
#define SHADOW_POOL_PA 0xf0000000u

enum trap_cause {
    T_CLI, T_STI, T_HLT, T_IN, T_OUT, T_LGDT, T_LIDT, T_LTR, T_LLDT, T_MOV_FROM_CR,
    T_MOV_TO_CR0, T_MOV_TO_CR3, T_MOV_TO_CR4, T_INVLPG, T_WRMSR, T_RDMSR, T_CLTS, T_CACHE,
    T_MOV_SS, T_MOV_SREG, T_SYSENTER, T_SYSEXIT, T_INS, T_OUTS, T_POP_SS, T_LSS, T_LMSW,
    T_MOV_DR, T_RDTSC, T_RDPMC, T_INT, T_CAUSE_COUNT
};
extern const char *const trap_cause_name[T_CAUSE_COUNT];

/* ---- trap_shadow.c: descriptors and the shadow GDT and TSS ---- */
struct descriptor trap_decoded(uint64_t d);
bool trap_is_tss(uint64_t d);
/* The guest's descriptor `index`, from its own GDT / from the shadow. */
bool trap_guest_desc(struct vmm_trap *t, const struct cpu_state *st, unsigned index, uint64_t *d);
bool trap_shadow_desc(struct vmm_trap *t, unsigned index, uint64_t *d);
/* The guest's DPL of the code running (ring compression: 0 and 1 both run at 1). */
uint8_t trap_virtual_cpl(struct vmm_trap *t, const struct cpu_state *st);
/* Copy the guest's GDT and TSS into the shadow / and move the real GDTR and TR to it. */
void trap_shadow_sync(struct vmm_trap *t, const struct cpu_state *st);
bool trap_shadow_place(struct vmm_trap *t, struct cpu_state *st);
/* LLDT of the guest's: sel's LDT copied into the shadow LDT, which the
 * real LDTR names (false: sel names no LDT the monitor can read). */
bool trap_shadow_ldt(struct vmm_trap *t, struct cpu_state *st, uint16_t sel);
/* Load a segment register from the shadow GDT or LDT, as the CPU would at ring 1. */
bool trap_load_seg(struct vmm_trap *t, struct cpu_state *st, int reg, uint16_t sel);

/* The shadow TSS's SS1:ESP1, which the monitor sets to the guest's
 * SS0:ESP0 at each event; the translating monitor, which also runs the
 * guest's own ring 1, puts the guest's SS1:ESP1 back for the call gates
 * into it. */
void trap_set_shadow_stack1(struct vmm_trap *t, uint16_t ss, uint32_t esp);

/* ---- trap_paging.c: the shadow page tables ---- */
/* Allocate and map the monitor's memory, take the engine's page faults,
 * and load the real paging registers for the guest's (st). */
bool trap_paging_attach(struct vmm_trap *t, struct cpu_state *st, char *err, size_t errlen);
/* The guest loaded CR0, CR3 or CR4 (t->v has the new value): the shadow
 * starts again empty, st gets the real registers that stand for them. */
void trap_paging_load(struct vmm_trap *t, struct cpu_state *st);
/* The real CR0 for the guest's (a change that keeps the shadow). */
uint32_t trap_real_cr0(const struct vmm_trap *t);
/* INVLPG of the guest's: the shadow's entry for lin goes. */
void trap_paging_invlpg(struct vmm_trap *t, uint32_t lin);
/* Every shadow entry goes, the real registers kept (the history's restore). */
void trap_paging_drop(struct vmm_trap *t);

/* ---- trap_history.c: the monitor in the machine's history ---- */
void trap_history_attach(struct vmm_trap *t);
/* Going back to `then` (a snapshot's copy of the monitor): t becomes it,
 * with what is not state of the moment kept (for bt, over the same monitor). */
void trap_history_restored(struct vmm_trap *t, const struct vmm_trap *then);

/* ---- trap_emulate.c ---- */
/* The guest's instruction at st->eip, decoded: its bytes, its length and
 * memory operands (mem_operands.c, the one decoder of ModRM, SIB,
 * displacements, segment and address-size prefixes), where its opcode is. */
struct trap_insn {
    const uint8_t *b;
    size_t n;  /* bytes read */
    int len;   /* its length */
    size_t op; /* the index of its opcode byte, past the prefixes */
    bool opsize16, rep;
    struct mem_operands ops;
};
bool trap_decode(struct vmm_trap *t, const struct cpu_state *st, uint8_t *code, size_t size,
                 struct trap_insn *in);
/* The linear address of its explicit memory operand (its segment's base
 * plus the offset), false for a register operand. */
bool trap_operand_linear(const struct trap_insn *in, const struct cpu_state *st, uint32_t *lin);
/* Execute the privileged instruction at st->eip for the virtual ring 0:
 * its cause (T_*), or -1 when it is not one the monitor knows. */
int trap_emulate(struct vmm_trap *t, struct cpu_state *st, bool *halted);
/* INT n from the virtual ring 0 through a gate of DPL < CPL, which would
 * fault at ring 1: delivered as ring 0 sees it.  T_INT, or -1 when the
 * gate is one the CPU takes as it is. */
int trap_soft_int(struct vmm_trap *t, struct cpu_state *st, unsigned vector, uint32_t return_eip);

/* ---- vmm_trap.c ---- */
/* The monitor's handling of an event (what it installs with
 * machine_set_intercept; the translating monitor calls it from its own). */
enum monitor_verdict trap_intercept(void *opaque, struct machine *m, struct cpu_state *st,
                                    const struct intr_request *req);
/* Count failure f; true when it is the first (its details then kept). */
bool trap_note_failure(struct vmm_trap *t, enum trap_failure f, uint64_t icount, uint16_t cs,
                       uint32_t eip, uint32_t detail);

/* ---- trap_report.c ---- */
void trap_report_traps(const struct vmm_trap *t, struct strbuf *out);
void trap_report_passed_on(const struct vmm_trap *t, struct strbuf *out);
/* The sites trap_watch.c watches, and how often each ran. */
void trap_report_watched(const struct vmm_trap *t, struct strbuf *out);
void trap_report_failures(const struct vmm_trap *t, const char *prefix, struct strbuf *out);
/* The traps by cause and what was passed on, each line after `prefix`. */
void trap_report_counts(const struct vmm_trap *t, const char *prefix, struct strbuf *out);
/* What the shadow page tables did (trap_paging.c). */
void trap_report_paging(const struct vmm_trap *t, struct strbuf *out);
/* `info vmm`'s table of the virtual CPU beside the real one. */
void trap_report_cpu_table(struct vmm_trap *t, struct strbuf *out);

#endif
