/* The engine: ringlab's only window onto Unicorn's CPU besides machine.c.
 *
 * Unicorn has no API for the hidden parts of the CPU that an exception
 * delivery must change together (CS and SS descriptor caches, CPL, the
 * pending error code, the double-fault bookkeeping).  They live in the CPU
 * state that uc_context_save copies out; engine.c finds where each field
 * sits in that copy by calibration at start-up (never by hard-coded
 * offsets), checks the result on a scratch engine, and then reads and
 * patches the copy.  See the notes on Unicorn in the project's docs. */
#ifndef RINGLAB_ENGINE_H
#define RINGLAB_ENGINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cpu/cpu_state.h"

struct uc_struct;
struct engine;

/* Create a 32-bit x86 engine with `ram_size` bytes of guest RAM at physical
 * address 0, backed by `ram` (owned by the caller, page aligned, size a
 * multiple of 4 KiB), emulating `cpu_model` by QEMU's name (NULL: "qemu32",
 * QEMU's default; others: kvm32 486 pentium pentium2 pentium3 athlon n270
 * coreduo).  Calibrates the context layout.  On failure returns NULL and
 * writes one line (no newline) into err. */
struct engine *engine_open(uint8_t *ram, size_t ram_size, const char *cpu_model, char *err,
                           size_t errlen);
void engine_close(struct engine *e);
struct uc_struct *engine_uc(struct engine *e);

/* Read the whole architectural state.  Saves a context that the next
 * engine_commit_state patches: nothing may write registers in between
 * (a register write there is silently undone by the commit; writes to
 * memory are fine).
 *
 * Where it is called decides how much of what it reads is current:
 * - between runs and in a UC_HOOK_INTR callback: everything.  EIP is on
 *   the faulting instruction, or after an INT n / INT3 / INTO.
 * - in a UC_HOOK_BLOCK callback: everything but EIP, which may still name
 *   an earlier block once blocks are chained; use the hook's address.
 * - in the UC_HOOK_INSN callbacks for sysenter and in/out: EIP is stale
 *   (Unicorn 2.1.1 does not store it before these instructions), and so
 *   may be the arithmetic flags (OF SF ZF AF PF CF) in st->eflags; the
 *   other EFLAGS bits and all other registers are current. */
bool engine_begin_state(struct engine *e, struct cpu_state *st);
/* Write back the state read by engine_begin_state, as changed by the caller:
 * GPRs, EIP, EFLAGS, all segment caches (CPL follows SS.DPL, or 3 under
 * EFLAGS.VM, as SDM Vol. 3A 5.5 says), LDTR, TR, GDTR, IDTR, CR2, and the
 * interrupt shadow (st->irq_inhibited).  Also resets the engine's
 * "exception being delivered" memory, so the next fault is not mistaken
 * for a double fault.  A CR0/CR3/CR4 change is written after the restore,
 * through the register API, so the TLB is flushed (CR4, CR3, then CR0).
 * st->cpl is ignored: it follows from SS and EFLAGS.VM.
 *
 * Segment caches are taken as given: the caller builds them the way a
 * load would (flags = the descriptor's high dword with the Accessed bit
 * set; limit scaled by G).  Virtual-8086 caches are selector, base =
 * selector << 4, limit 0xffff, flags 0xf300 (present, DPL 3, writable
 * data, accessed), as the engine itself makes them.
 *
 * Arithmetic flags (OF SF ZF AF PF CF) and DF are written only when the
 * caller changed them from what begin_state read; inside the sysenter and
 * in/out hooks they must not be changed (the engine overwrites them).
 *
 * Where the new state takes effect:
 * - between runs and in a UC_HOOK_INTR callback: at once, the run goes on
 *   at st->eip.
 * - in a UC_HOOK_BLOCK callback: the block about to run still runs, from
 *   its old EIP, with the new registers.  To go to st->eip instead, call
 *   engine_goto(e, st->eip) right after the commit.
 * - in the UC_HOOK_INSN callback for sysenter: the engine adds the length
 *   of the sysenter instruction (2) to the EIP written here, so commit
 *   st->eip = target - 2. */
bool engine_commit_state(struct engine *e, const struct cpu_state *st);

/* Make Unicorn give up the translated block it is in (or about to start)
 * and go on at eip, without ending the run (a register write of EIP). Use
 * it after engine_commit_state in a UC_HOOK_BLOCK callback.  It does not
 * stop the instructions that follow an in/out in the same block: nothing
 * can, from inside an in/out hook. */
bool engine_goto(struct engine *e, uint32_t eip);

/* The error code and kind of the exception now being reported to the
 * interrupt hook (valid only inside it).  "Software" means INT n, INT3 or
 * INTO, which the hook sees with EIP already past the instruction. */
uint32_t engine_pending_error_code(struct engine *e);
bool engine_pending_is_software_int(struct engine *e);

bool engine_read_msr(struct engine *e, uint32_t msr, uint64_t *value);
bool engine_write_msr(struct engine *e, uint32_t msr, uint64_t value);

/* One line naming where calibration found each field of the saved CPU
 * state (byte offsets from the start of Unicorn's context), for
 * diagnostics. */
void engine_describe(const struct engine *e, char *buf, size_t len);

/* Guest physical memory.  Unicorn never notices a write made by the host
 * (neither uc_mem_write nor a store through engine_ram): code translated
 * from those bytes would keep running.  engine_phys_write discards that
 * code when paging is off.  With paging on Unicorn can name code only by a
 * linear address, so a host write that changes *code* must be followed by
 * engine_discard_code with a linear address that maps it (and is mapped:
 * an unmapped one makes Unicorn record a page fault silently, CR2
 * included).  Writes of data (exception frames, the TSS, page-table
 * A/D bits) need nothing more.  Guest stores are always noticed. */
uint8_t *engine_ram(struct engine *e);
size_t engine_ram_size(struct engine *e);
bool engine_phys_write(struct engine *e, uint32_t paddr, const void *src, size_t len);
bool engine_discard_code(struct engine *e, uint32_t linear, size_t len);

#endif
