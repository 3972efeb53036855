/* The engine: ringlab's only door to Unicorn.  Nothing else in src/ includes
 * <unicorn/unicorn.h>: the machine runs, stops, reads and changes the CPU and
 * installs its hooks through the functions below.
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
#include "mmu/paging.h"

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
/* The Unicorn handle, for the engine's own Check suite only. */
struct uc_struct *engine_uc(struct engine *e);

/* ---- what the engine hands back to the machine -------------------------
 * Every callback gets the opaque pointer given to engine_set_hooks.  The
 * block hook runs before every translated block and is installed as it is
 * (no call in between), hence Unicorn's own signature; its first argument
 * is of no use outside the engine. */
typedef void (*engine_block_fn)(struct uc_struct *uc, uint64_t addr, uint32_t size, void *opaque);

struct engine_hooks {
    /* An exception or INT n/INT3/INTO the engine raised and did not deliver. */
    void (*interrupt)(void *opaque, int vector);
    engine_block_fn block; /* addr: the linear address of the block's first byte */
    /* IN and OUT (also INS/OUTS): size 1, 2 or 4. */
    uint32_t (*port_in)(void *opaque, uint16_t port, int size);
    void (*port_out)(void *opaque, uint16_t port, int size, uint32_t value);
    void (*sysenter)(void *opaque);
    void (*syscall)(void *opaque);
    /* CPUID with EAX = leaf, ECX = subleaf: fill regs (EAX EBX ECX EDX);
     * the engine's own answer is not used. */
    void (*cpuid)(void *opaque, uint32_t leaf, uint32_t subleaf, uint32_t regs[4]);
    /* A physical access outside RAM; the run ends. kind: 'r', 'w' or 'x'. */
    void (*unmapped)(void *opaque, char kind, uint64_t paddr, int size);
};

bool engine_set_hooks(struct engine *e, const struct engine_hooks *hooks, void *opaque);

/* CPUID as the CPU model answers it by itself (measured at engine_open on
 * a scratch engine of the same model), for the machine's cpuid hook to
 * start from. */
void engine_model_cpuid(const struct engine *e, uint32_t leaf, uint32_t subleaf,
                        uint32_t regs[4]);

/* Give the engine's CPU model the CPUID.(7,0).EBX features `ebx_bits`
 * (CPUID_7_EBX_SMEP, CPUID_7_EBX_SMAP of cpu/feature_words.h), so that
 * the engine itself keeps CR4.SMAP, decodes STAC and CLAC and refuses
 * supervisor data accesses to user pages.  (The engine enforces CR4.SMEP
 * on every model.)  What the guest's CPUID says stays the machine's
 * business.  False when the engine's state could not be found or did not
 * take the change; then nothing changed. */
bool engine_add_leaf7_features(struct engine *e, uint32_t ebx_bits);

/* ---- running ------------------------------------------------------------- */

enum engine_exit {
    ENGINE_RETURNED,   /* stopped by a hook, or by HLT (EIP just past it) */
    ENGINE_AT_EXIT,    /* engine_run_to: EIP reached `until` */
    ENGINE_INVALID,    /* an invalid opcode: EIP on it, nothing delivered */
    ENGINE_FAILED,     /* anything else: see engine_exit_text */
};

/* Run from CS:eip (CS as loaded) until a hook stops the engine, or HLT. */
enum engine_exit engine_run(struct engine *e, uint32_t eip);
/* The same, but stop before the instruction at linear address `until`
 * (it does not run: ENGINE_AT_EXIT), or earlier.  Translations made for the stop are
 * dropped afterwards, so later runs translate the code as if no stop had
 * been asked for. */
enum engine_exit engine_run_to(struct engine *e, uint32_t eip, uint32_t until);
/* Ask the run to end before the next translated block (or, from a hook,
 * before the next instruction when a code hook is installed).  Safe from a
 * signal handler and from another thread. */
void engine_stop(struct engine *e);
/* One line about the last ENGINE_FAILED. */
const char *engine_exit_text(const struct engine *e);

/* A hook before every instruction in linear [begin, end] (end inclusive;
 * begin > end: everywhere).  Translations of that range made before are
 * discarded so the hook applies at once.  Returns 0 on failure. */
typedef void (*engine_code_fn)(void *opaque, uint32_t addr, uint32_t size);
uintptr_t engine_add_code_hook(struct engine *e, engine_code_fn fn, void *opaque, uint32_t begin,
                               uint32_t end);
/* A hook before every guest store to physical [begin, end] (every store
 * is slower while one exists). */
typedef void (*engine_write_fn)(void *opaque, uint64_t paddr, int size, uint64_t value);
uintptr_t engine_add_write_hook(struct engine *e, engine_write_fn fn, void *opaque,
                                uint64_t begin, uint64_t end);
/* A hook after every guest load from physical [begin, end] (code fetches
 * and the CPU's own page-table and descriptor reads are not loads). */
typedef void (*engine_read_fn)(void *opaque, uint64_t paddr, int size);
uintptr_t engine_add_read_hook(struct engine *e, engine_read_fn fn, void *opaque, uint64_t begin,
                               uint64_t end);
void engine_del_hook(struct engine *e, uintptr_t hook);

/* ---- reading the CPU between runs or in hooks (no side effects) ----------
 * engine_read_state reads everything engine_begin_state does without
 * arming a commit.  The single-register reads are cheaper; the same
 * staleness rules apply (EIP in block and I/O hooks). */
bool engine_read_state(struct engine *e, struct cpu_state *st);
/* Only what a segment load changes: the segment registers with their
 * caches, LDTR, TR, CPL, CR0, CR3, CR4 and the EFLAGS bits other than the
 * arithmetic ones (those read as 0); the rest of *st is zero.  Cheaper than
 * engine_read_state (no flags are assembled). */
bool engine_read_segments(struct engine *e, struct cpu_state *st);
/* One general register (enum gpr), much cheaper than the whole state. */
uint32_t engine_gpr(struct engine *e, int gpr);
uint32_t engine_eip(struct engine *e);
uint32_t engine_eflags(struct engine *e);
uint16_t engine_cs(struct engine *e);
uint32_t engine_cr2(struct engine *e);
struct paging_regs engine_paging_regs(struct engine *e);
struct seg_cache engine_tr(struct engine *e);
/* Whether the code segment is 32-bit (CS.D, SDM Vol. 3A 3.4.5): false in
 * real mode and in 16-bit protected-mode code. */
bool engine_code32(struct engine *e);

/* ---- the physical space outside RAM ----------------------------------------
 * Both map at a 4 KiB aligned base above RAM, a size that is a multiple of
 * 4 KiB; false when that is not so or the engine refuses. */
/* Accesses of `size` bytes (1, 2, 4) at `offset` into the range go to a
 * device: the memory-mapped registers of the local and I/O APICs. */
typedef uint32_t (*engine_mmio_read_fn)(void *opaque, uint32_t offset, int size);
typedef void (*engine_mmio_write_fn)(void *opaque, uint32_t offset, int size, uint32_t value);
bool engine_map_mmio(struct engine *e, uint32_t base, uint32_t size, engine_mmio_read_fn read,
                     engine_mmio_write_fn write, void *opaque);
/* Take away the range engine_map_mmio mapped at `base` (a relocated local
 * APIC page); the addresses are outside RAM again.  False when nothing is
 * mapped there. */
bool engine_unmap_mmio(struct engine *e, uint32_t base);
/* Map `size` bytes of host memory at physical `base`, above RAM, for the
 * engine's page walks only: a monitor's shadow page tables, which the
 * guest's physical address space does not have.  One such region. */
bool engine_map_host_memory(struct engine *e, uint32_t base, void *mem, size_t size);
/* A copy of `rom`, readable and executable, not writable (the firmware at
 * the top of the 4 GiB space). */
bool engine_map_rom(struct engine *e, uint32_t base, const uint8_t *rom, size_t size);

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

/* The x87 FPU registers (the SSE state is not shown). */
bool engine_read_fpu(struct engine *e, struct fpu_state *out);

/* Make the next engine_commit_state drop every TLB entry, as MOV to CR3
 * and INVLPG do (SDM Vol. 3A 4.10.4.1): it writes CR3 through the register
 * API even when CR3 did not change (which it otherwise skips). */
void engine_flush_tlb_at_commit(struct engine *e);

/* ---- more than one CPU ---------------------------------------------------
 * One engine runs every processor in turn: each has its own saved CPU
 * state, and the translated code is shared (it is named by physical
 * address and the CPU mode).  Between runs only. */
struct engine_cpu;
/* A saved state holding a copy of the CPU as it is now. */
struct engine_cpu *engine_cpu_new(struct engine *e);
void engine_cpu_free(struct engine_cpu *c);
/* Save the CPU into `out`, then make `in` the CPU (out may be in).  The
 * TLB is flushed: the other processor's page tables are its own. */
bool engine_cpu_switch(struct engine *e, struct engine_cpu *out, const struct engine_cpu *in);
/* Save the CPU into `out` (to start another processor from it). */
bool engine_cpu_save(struct engine *e, struct engine_cpu *out);

/* Look at or change a processor that is not the one in the engine: make
 * `c` the engine's CPU for a while (every engine_read_*, engine_*_state
 * call then reads or changes it), then put back the CPU that was there,
 * saving into `keep` (when not NULL) what the visit did to c.  The TLB and
 * the translated code are left alone.  Between runs only. */
bool engine_cpu_visit_begin(struct engine *e, const struct engine_cpu *c);
bool engine_cpu_visit_end(struct engine *e, struct engine_cpu *keep);
/* A saved processor as engine_snapshot_size bytes, and back. */
void engine_cpu_export(const struct engine *e, const struct engine_cpu *c, void *buf);
void engine_cpu_import(const struct engine *e, struct engine_cpu *c, const void *buf);

/* ---- the whole CPU, saved and put back (snapshots) -----------------------
 * Everything the engine keeps about the CPU: registers and descriptor
 * caches, control, debug and model-specific registers, the FPU and SSE
 * state, the flags it keeps lazily, the exception bookkeeping.  Between
 * runs only. */
size_t engine_snapshot_size(const struct engine *e);
bool engine_snapshot_save(struct engine *e, void *buf);
/* Put back a state engine_snapshot_save made at any earlier moment.  The
 * TLB and every translation are dropped: memory and the page tables may
 * not be what they were built from. */
bool engine_snapshot_restore(struct engine *e, const void *buf);

/* One line naming where calibration found each field of the saved CPU
 * state (byte offsets from the start of Unicorn's context), for
 * diagnostics. */
void engine_describe(const struct engine *e, char *buf, size_t len);
/* Are the CPU state's fields read and written where the engine keeps
 * them (live_state.h), rather than through whole copies? */
bool engine_state_in_place(const struct engine *e);

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
/* Drop translations of linear [linear, linear + len).  Unicorn walks the
 * page tables to find them and, for an unmapped address, records a page
 * fault silently (CR2 included): the guest's CR2 is put back. */
bool engine_discard_code(struct engine *e, uint32_t linear, size_t len);
/* Drop every translation (after the host rewrote RAM wholesale: a reset). */
void engine_flush_code(struct engine *e);

#endif
