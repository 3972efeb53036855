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
 * multiple of 4 KiB).  Calibrates the context layout.  On failure returns
 * NULL and writes one line (no newline) into err. */
struct engine *engine_open(uint8_t *ram, size_t ram_size, char *err, size_t errlen);
void engine_close(struct engine *e);
struct uc_struct *engine_uc(struct engine *e);

/* Read the whole architectural state.  Saves a context that the next
 * engine_commit_state patches: nothing may write registers in between. */
bool engine_begin_state(struct engine *e, struct cpu_state *st);
/* Write back the state read by engine_begin_state, as changed by the caller:
 * GPRs, EIP, EFLAGS, all segment caches (CPL follows SS.DPL, or 3 under
 * EFLAGS.VM, as SDM Vol. 3A 5.5 says), LDTR, TR, CR2.  Also resets the
 * engine's "exception being delivered" memory, so the next fault is not
 * mistaken for a double fault.  A CR0/CR3/CR4 change is written after
 * the restore, through the register API, so the TLB is flushed. */
bool engine_commit_state(struct engine *e, const struct cpu_state *st);

/* The error code and kind of the exception now being reported to the
 * interrupt hook (valid only inside it). */
uint32_t engine_pending_error_code(struct engine *e);
bool engine_pending_is_software_int(struct engine *e);

bool engine_read_msr(struct engine *e, uint32_t msr, uint64_t *value);
bool engine_write_msr(struct engine *e, uint32_t msr, uint64_t value);

/* One line naming where calibration found each field of the saved CPU
 * state (byte offsets from the start of Unicorn's context), for
 * diagnostics. */
void engine_describe(const struct engine *e, char *buf, size_t len);

/* Guest physical memory.  Writes go through the engine so that translated
 * code for the page is discarded (self-modifying code stays correct). */
uint8_t *engine_ram(struct engine *e);
size_t engine_ram_size(struct engine *e);
bool engine_phys_write(struct engine *e, uint32_t paddr, const void *src, size_t len);

#endif
