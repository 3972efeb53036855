/* The engine: owns the uc_engine, the guest RAM mapping and the map of
 * Unicorn's saved CPU state.
 *
 * Unicorn offers no call that changes CS, SS and CPL together, as an
 * exception delivery must (SDM Vol. 3A 6.12.1).  uc_context_save and
 * uc_context_restore, however, copy the emulated CPU's whole state to and
 * from a buffer.  engine_open finds where each field sits in that buffer by
 * writing marker values through the register API and searching for them
 * ("calibration"), checks the relations between the fields, and then runs a
 * small protected-mode guest on a scratch engine to prove that a state
 * written into the buffer really takes effect.  Nothing about the layout is
 * assumed that calibration has not seen. */
#include "cpu/engine.h"
#include "cpu/feature_words.h"
#include "cpu/live_state.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <unicorn/unicorn.h>

/* Bits of Unicorn's hidden flags word ("hflags").  Their positions are
 * checked during calibration against what the engine shows. */
#define HF_CPL_MASK 3u
#define HF_INHIBIT_IRQ (1u << 3) /* the shadow after STI / MOV SS */
#define HF_CS32 (1u << 4)
#define HF_SS32 (1u << 5)
#define HF_ADDSEG (1u << 6) /* some of DS/ES/SS has a nonzero base */
#define HF_TS (1u << 11)
#define HF_CS64 (1u << 15)

/* The arithmetic flags and DF, which Unicorn keeps apart from EFLAGS while
 * it runs (SDM Vol. 1 3.4.3.1). */
#define EFLAGS_ARITH 0x8d5u /* OF SF ZF AF PF CF */
#define EFLAGS_DF_BIT (1u << 10)

/* Where each field sits in the saved context, in bytes from its start. */
struct ctx_layout {
    size_t gpr[8];
    size_t eip, eflags, cc_src, cc_op, df, hflags;
    size_t seg[SEG_COUNT], ldtr, tr, gdtr, idtr; /* start of each cache */
    size_t sc_sel, sc_base, sc_limit, sc_flags;  /* fields inside a cache */
    size_t cr[5];
    size_t error_code, exception_is_int, old_exception;
    uint32_t cc_op_eflags; /* the lazy-flags mode meaning "flags are in cc_src" */
    size_t ctx_size;       /* the context size calibration saw */
};

/* CPUID answers of the CPU model, measured at open (see cpuid_measure). */
#define CPUID_SUBLEAVES 8
#define CPUID_MAX_BASIC 0x20
#define CPUID_MAX_EXT 0x20
struct cpuid_table {
    uint32_t max_basic, max_ext; /* highest leaf of each range the model has */
    uint32_t basic[CPUID_MAX_BASIC + 1][CPUID_SUBLEAVES][4];
    uint32_t ext[CPUID_MAX_EXT + 1][4];
};

#define ENGINE_HOOKS 8
#define ENGINE_MAX_MMIO 12 /* the I/O APIC and one local APIC page per CPU */

/* A range of the physical space outside RAM whose accesses go to a device. */
struct mmio_region {
    engine_mmio_read_fn read;
    engine_mmio_write_fn write;
    void *opaque;
    uint32_t base, size;
    bool used; /* a free slot is reused; slots never move (Unicorn holds their address) */
};

struct engine {
    uc_engine *uc;
    uc_context *ctx;  /* the copy begin_state saves and commit_state patches */
    uc_context *peek; /* a second copy for engine_pending_* */
    uc_context *away; /* the CPU set aside while another is visited (NULL until then) */
    /* The engine's own CPU state, as an address at which the layout's
     * offsets name its fields (live_state.h); NULL: only through copies. */
    uint8_t *live;
    size_t ctx_size;
    uint8_t *ram;
    size_t ram_size;
    /* Memory a monitor below the guest keeps its shadow page tables in,
     * outside the guest's physical address space (NULL: none). */
    uint8_t *host_mem;
    uint32_t host_base;
    size_t host_size;
    struct ctx_layout lay;
    bool begun;
    struct cpu_state at_begin;
    struct cpuid_table *cpuid;
    struct engine_hooks hooks;
    void *hooks_opaque;
    uc_hook installed[ENGINE_HOOKS];
    int ninstalled;
    struct user_hook *user_hooks; /* added by the machine, not yet deleted */
    bool ran;                     /* code may have been translated since the last flush */
    uint32_t retranslations;      /* blocks discarded or cut by exits since the last flush */
    struct mmio_region mmio[ENGINE_MAX_MMIO];
    char exit_text[160];
    bool flush_at_commit; /* write CR3 at the next commit even if unchanged */
};

/* ---- reading and writing the saved context --------------------------- */

static uint32_t ctx_u32(const uc_context *c, size_t off)
{
    uint32_t v;
    memcpy(&v, (const uint8_t *)c + off, sizeof v);
    return v;
}

static void ctx_set_u32(uc_context *c, size_t off, uint32_t v)
{
    memcpy((uint8_t *)c + off, &v, sizeof v);
}

static void ctx_read_seg(const uc_context *c, const struct ctx_layout *L, size_t at,
                         struct seg_cache *s)
{
    s->selector = (uint16_t)ctx_u32(c, at + L->sc_sel);
    s->base = ctx_u32(c, at + L->sc_base);
    s->limit = ctx_u32(c, at + L->sc_limit);
    s->flags = ctx_u32(c, at + L->sc_flags);
}

static void ctx_write_seg(const struct ctx_layout *L, uc_context *c, size_t at,
                          const struct seg_cache *s)
{
    ctx_set_u32(c, at + L->sc_sel, s->selector);
    ctx_set_u32(c, at + L->sc_base, s->base);
    ctx_set_u32(c, at + L->sc_limit, s->limit);
    ctx_set_u32(c, at + L->sc_flags, s->flags);
}

/* ---- opening ----------------------------------------------------------- */

static void set_err(char *err, size_t errlen, const char *fmt, ...)
{
    if (!err || errlen == 0)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
}

static void engine_free_user_hooks(struct engine *e);

static void engine_free(struct engine *e)
{
    if (!e)
        return;
    engine_free_user_hooks(e);
    if (e->ctx)
        uc_context_free(e->ctx);
    if (e->peek)
        uc_context_free(e->peek);
    if (e->away)
        uc_context_free(e->away);
    if (e->uc)
        uc_close(e->uc);
    free(e->cpuid);
    free(e);
}

/* Bytes of host code the engine may hold for translated guest code. */
#define ENGINE_CODE_BUFFER (64u << 20)
/* Unicorn 2.1.1 flushes its code buffer by itself when it is full, in the
 * middle of translating, and afterwards can follow a freed translation
 * from its per-page lists (seen as a crash in xv6's usertests after some
 * minutes).  The engine flushes between runs long before that: after this
 * many blocks were given up for translating again (each discard, and each
 * run to an exit, makes new translations), at most 8 KiB of host code
 * each. */
#define ENGINE_RETRANSLATIONS_PER_FLUSH (ENGINE_CODE_BUFFER / 8192u)

/* QEMU's names for the 32-bit CPU models (-cpu), and Unicorn's numbers. */
static const struct {
    const char *name;
    int model;
} cpu_models[] = {
    {"qemu32", UC_CPU_X86_QEMU32},     {"kvm32", UC_CPU_X86_KVM32},
    {"486", UC_CPU_X86_486},           {"pentium", UC_CPU_X86_PENTIUM},
    {"pentium2", UC_CPU_X86_PENTIUM2}, {"pentium3", UC_CPU_X86_PENTIUM3},
    {"athlon", UC_CPU_X86_ATHLON},     {"n270", UC_CPU_X86_N270},
    {"coreduo", UC_CPU_X86_COREDUO},
};

/* An engine without a calibrated layout: Unicorn, RAM at 0, two contexts. */
static struct engine *engine_create(uint8_t *ram, size_t ram_size, int model, char *err,
                                    size_t errlen)
{
    if (!ram || ram_size == 0 || ram_size % 4096 != 0 || (uintptr_t)ram % 4096 != 0 ||
        ram_size > 0x100000000ull) {
        set_err(err, errlen, "engine: guest RAM must be page aligned, a multiple of 4 KiB, at most 4 GiB");
        return NULL;
    }
    struct engine *e = calloc(1, sizeof *e);
    if (!e) {
        set_err(err, errlen, "engine: out of memory");
        return NULL;
    }
    e->ram = ram;
    e->ram_size = ram_size;
    uc_err r = uc_open(UC_ARCH_X86, UC_MODE_32, &e->uc);
    if (r != UC_ERR_OK) {
        e->uc = NULL;
        set_err(err, errlen, "engine: uc_open failed: %s", uc_strerror(r));
        goto fail;
    }
    /* The translation buffer, before anything translates: Unicorn's default
     * reserves 1 GiB, which fills as resets flush and translate again.
     * When this one is full, the engine flushes it and goes on. */
    r = uc_ctl(e->uc, UC_CTL_WRITE(UC_CTL_TCG_BUFFER_SIZE, 1), (uint32_t)ENGINE_CODE_BUFFER);
    if (r != UC_ERR_OK) {
        set_err(err, errlen, "engine: cannot size the translation buffer: %s", uc_strerror(r));
        goto fail;
    }
    /* The model decides what CPUID reports; it must be set before anything runs. */
    r = uc_ctl_set_cpu_model(e->uc, model);
    if (r != UC_ERR_OK) {
        set_err(err, errlen, "engine: cannot select the CPU model: %s", uc_strerror(r));
        goto fail;
    }
    /* CPU state only: a context that also copied memory would make every
     * save a snapshot of guest RAM. */
    r = uc_ctl_context_mode(e->uc, UC_CTL_CONTEXT_CPU);
    if (r != UC_ERR_OK) {
        set_err(err, errlen, "engine: cannot set the context mode: %s", uc_strerror(r));
        goto fail;
    }
    r = uc_mem_map_ptr(e->uc, 0, ram_size, UC_PROT_ALL, ram);
    if (r != UC_ERR_OK) {
        set_err(err, errlen, "engine: cannot map %zu bytes of RAM: %s", ram_size, uc_strerror(r));
        goto fail;
    }
    uc_mem_region *regions = NULL;
    uint32_t count = 0;
    r = uc_mem_regions(e->uc, &regions, &count);
    bool mapped = r == UC_ERR_OK && count == 1 && regions[0].begin == 0 &&
                  regions[0].end == ram_size - 1 && regions[0].perms == UC_PROT_ALL;
    uc_free(regions);
    if (!mapped) {
        set_err(err, errlen, "engine: RAM is not mapped read/write/execute at 0 as asked");
        goto fail;
    }
    if (uc_context_alloc(e->uc, &e->ctx) != UC_ERR_OK ||
        uc_context_alloc(e->uc, &e->peek) != UC_ERR_OK) {
        set_err(err, errlen, "engine: cannot allocate a CPU context");
        goto fail;
    }
    e->ctx_size = uc_context_size(e->uc);
    return e;
fail:
    engine_free(e);
    return NULL;
}

/* ---- calibration -------------------------------------------------------- */

/* The scratch machine's memory map. */
#define CAL_RAM_SIZE 0x10000u
#define CAL_GDT 0x1000u
#define CAL_TSS 0x2000u
#define CAL_CODE 0x3000u
#define CAL_SNIPPETS 0x4000u
#define CAL_STACK3 0x8000u
#define CAL_STACK0 0x9000u

/* GDT selectors of the scratch machine. */
#define SEL_CODE0 0x08
#define SEL_DATA0 0x10
#define SEL_CODE3 0x1b
#define SEL_DATA3 0x23
#define SEL_TSS 0x28
#define SEL_MARK0 0x30 /* six marker segments, 0x30..0x58, one per register */
#define SEL_DATA16 0x60
#define GDT_ENTRIES 13
#define SEL_BAD1 0x70 /* beyond the GDT limit: #GP(selector) */
#define SEL_BAD2 0x78

/* Marker values: distinct, and unlikely to sit anywhere else in the state. */
#define MARK_GPR(i) (0x1bad0000u + 0x1111u * (uint32_t)(i))
#define MARK_EIP 0x00c0ffe0u
#define MARK_EFLAGS 0x00246ed7u /* ID AC NT IOPL=2 OF DF IF SF ZF AF PF CF */
#define MARK_SEG_BASE(i) (0x00a10000u + 0x10000u * (uint32_t)(i))
#define MARK_SEG_LIMIT(i) (0x000a1230u + (uint32_t)(i))
#define MARK_LDT_BASE 0x00b20000u
#define MARK_LDT_LIMIT 0x0000b124u
#define MARK_TR_BASE 0x00b10000u
#define MARK_TR_LIMIT 0x0000b123u
#define MARK_GDT_BASE 0x00b40000u
#define MARK_GDT_LIMIT 0x0b13u
#define MARK_IDT_BASE 0x00b30000u
#define MARK_IDT_LIMIT 0x0b12u
#define MARK_CR2 0x00c2c2c0u
#define MARK_CR3 0x00c3c000u
#define MARK_CR4 (CR4_PSE | (1u << 9)) /* OSFXSR kept: it also shows in hflags */

/* A segment descriptor's two dwords (SDM Vol. 3A 3.4.5). */
static void desc_put(uint8_t *gdt, unsigned idx, uint32_t base, uint32_t limit, uint32_t access,
                     uint32_t gran)
{
    uint32_t lo = (base << 16) | (limit & 0xffffu);
    uint32_t hi = (base & 0xff000000u) | ((base >> 16) & 0xffu) | (limit & 0xf0000u) |
                  (access << 8) | (gran << 20);
    memcpy(gdt + idx * 8, &lo, 4);
    memcpy(gdt + idx * 8 + 4, &hi, 4);
}

static uint32_t desc_hi(const uint8_t *gdt, unsigned idx)
{
    uint32_t hi;
    memcpy(&hi, gdt + idx * 8 + 4, 4);
    return hi;
}

/* Offsets (4-aligned) in [from, to) where the context holds v.  Returns the
 * number of hits; *out gets the first. */
static int find_u32(const uc_context *c, size_t size, uint32_t v, size_t from, size_t to, size_t *out)
{
    int hits = 0;
    if (to > size)
        to = size;
    for (size_t off = from; off + 4 <= to; off += 4) {
        if (ctx_u32(c, off) == v) {
            if (hits++ == 0)
                *out = off;
        }
    }
    return hits;
}

static bool find_one(const uc_context *c, size_t size, uint32_t v, size_t from, size_t to,
                     size_t *out, const char *what, char *err, size_t errlen)
{
    int n = find_u32(c, size, v, from, to, out);
    if (n != 1) {
        set_err(err, errlen, "engine: calibration: %s marker found %d times in the CPU context",
                what, n);
        return false;
    }
    return true;
}

static bool reg_w32(uc_engine *uc, int reg, uint32_t v)
{
    return uc_reg_write(uc, reg, &v) == UC_ERR_OK;
}

static bool reg_w16(uc_engine *uc, int reg, uint16_t v)
{
    return uc_reg_write(uc, reg, &v) == UC_ERR_OK;
}

static bool reg_mmr(uc_engine *uc, int reg, uint16_t sel, uint32_t base, uint32_t limit, uint32_t flags)
{
    uc_x86_mmr m = {.selector = sel, .base = base, .limit = limit, .flags = flags};
    return uc_reg_write(uc, reg, &m) == UC_ERR_OK;
}

static const int seg_regs[SEG_COUNT] = {UC_X86_REG_ES, UC_X86_REG_CS, UC_X86_REG_SS,
                                        UC_X86_REG_DS, UC_X86_REG_FS, UC_X86_REG_GS};
static const int gpr_regs[8] = {UC_X86_REG_EAX, UC_X86_REG_ECX, UC_X86_REG_EDX, UC_X86_REG_EBX,
                                UC_X86_REG_ESP, UC_X86_REG_EBP, UC_X86_REG_ESI, UC_X86_REG_EDI};

/* The scratch machine's GDT: flat ring 0 and ring 3 code and data, a TSS,
 * six marker segments (one per segment register, each with its own base,
 * limit and flags) and a 16-bit data segment. */
static void cal_build_gdt(uint8_t *ram)
{
    uint8_t *gdt = ram + CAL_GDT;
    memset(gdt, 0, GDT_ENTRIES * 8);
    desc_put(gdt, 1, 0, 0xfffff, 0x9b, 0xc); /* ring 0 code, 32-bit, 4 KiB granular */
    desc_put(gdt, 2, 0, 0xfffff, 0x93, 0xc); /* ring 0 data */
    desc_put(gdt, 3, 0, 0xfffff, 0xfb, 0xc); /* ring 3 code */
    desc_put(gdt, 4, 0, 0xfffff, 0xf3, 0xc); /* ring 3 data */
    desc_put(gdt, 5, CAL_TSS, 0x67, 0x89, 0x0); /* available 32-bit TSS */
    for (unsigned i = 0; i < SEG_COUNT; i++) {
        /* CS's marker is a code segment, the others writable data; all
         * 32-bit (B=1) and byte granular. */
        uint32_t access = i == SEG_CS ? 0x9b : 0x93;
        desc_put(gdt, 6 + i, MARK_SEG_BASE(i), MARK_SEG_LIMIT(i), access, 0x4);
    }
    desc_put(gdt, 12, 0, 0xffff, 0x93, 0x0); /* 16-bit data (B=0) */
    uint32_t esp0 = CAL_STACK0, ss0 = SEL_DATA0;
    memset(ram + CAL_TSS, 0, 0x68);
    memcpy(ram + CAL_TSS + 4, &esp0, 4); /* SDM Vol. 3A 7.2.1: ESP0 at 4, SS0 at 8 */
    memcpy(ram + CAL_TSS + 8, &ss0, 4);
}

/* Step 1: the fields the register API can set, found by their markers.
 * Nothing runs yet. */
static bool cal_markers(struct engine *s, struct ctx_layout *L, char *err, size_t errlen)
{
    uc_engine *uc = s->uc;
    size_t n = s->ctx_size;
    uint8_t *gdt = s->ram + CAL_GDT;
    uc_context *snap2 = NULL;
    bool ok = false;

    if (!reg_mmr(uc, UC_X86_REG_GDTR, 0, CAL_GDT, GDT_ENTRIES * 8 - 1, 0))
        goto write_failed;
    for (unsigned i = 0; i < SEG_COUNT; i++) {
        if (!reg_w16(uc, seg_regs[i], (uint16_t)(SEL_MARK0 + 8 * i)))
            goto write_failed;
    }
    if (!reg_mmr(uc, UC_X86_REG_GDTR, 0, MARK_GDT_BASE, MARK_GDT_LIMIT, 0) ||
        !reg_mmr(uc, UC_X86_REG_IDTR, 0, MARK_IDT_BASE, MARK_IDT_LIMIT, 0) ||
        !reg_mmr(uc, UC_X86_REG_TR, SEL_TSS, MARK_TR_BASE, MARK_TR_LIMIT, 0x8b00) ||
        !reg_mmr(uc, UC_X86_REG_LDTR, 0x50, MARK_LDT_BASE, MARK_LDT_LIMIT, 0x8200))
        goto write_failed;
    for (int i = 0; i < 8; i++) {
        if (!reg_w32(uc, gpr_regs[i], MARK_GPR(i)))
            goto write_failed;
    }
    /* Writing CR2 through the register API also sets CR3 in Unicorn 2.1.1,
     * so CR2 goes first and CR3 overwrites the stray copy. */
    if (!reg_w32(uc, UC_X86_REG_EIP, MARK_EIP) || !reg_w32(uc, UC_X86_REG_EFLAGS, MARK_EFLAGS) ||
        !reg_w32(uc, UC_X86_REG_CR2, MARK_CR2) || !reg_w32(uc, UC_X86_REG_CR3, MARK_CR3))
        goto write_failed;
    if (uc_context_save(uc, s->ctx) != UC_ERR_OK || uc_context_alloc(uc, &snap2) != UC_ERR_OK)
        goto save_failed;

    /* The second snapshot differs in CR0.TS (which also flips a bit of the
     * hidden flags), DF (which Unicorn mirrors as +1/-1) and CR4.PSE. */
    uint32_t cr0;
    if (uc_reg_read(uc, UC_X86_REG_CR0, &cr0) != UC_ERR_OK ||
        !reg_w32(uc, UC_X86_REG_CR0, cr0 | CR0_TS) ||
        !reg_w32(uc, UC_X86_REG_EFLAGS, MARK_EFLAGS & ~EFLAGS_DF_BIT) ||
        !reg_w32(uc, UC_X86_REG_CR4, MARK_CR4))
        goto write_failed;
    if (uc_context_save(uc, snap2) != UC_ERR_OK)
        goto save_failed;

    const uc_context *c = s->ctx;
    for (int i = 0; i < 8; i++) {
        if (!find_one(c, n, MARK_GPR(i), 0, n, &L->gpr[i], "general register", err, errlen))
            goto out;
    }
    if (!find_one(c, n, MARK_EIP, 0, n, &L->eip, "EIP", err, errlen) ||
        !find_one(c, n, MARK_EFLAGS, 0, n, &L->eflags, "EFLAGS", err, errlen) ||
        !find_one(c, n, MARK_EFLAGS & EFLAGS_ARITH, L->eflags + 4, L->eflags + 64, &L->cc_src,
                  "arithmetic flags", err, errlen))
        goto out;

    /* DF: -1 when set, +1 when clear; hflags and CR0: the TS bit. */
    int ndf = 0, nhf = 0, ncr0 = 0;
    for (size_t off = 0; off + 4 <= n; off += 4) {
        uint32_t a = ctx_u32(c, off), b = ctx_u32(snap2, off);
        if (a == 0xffffffffu && b == 1 && off > L->eflags && off < L->eflags + 64 && ndf++ == 0)
            L->df = off;
        if ((a ^ b) == HF_TS && nhf++ == 0)
            L->hflags = off;
        if ((a ^ b) == CR0_TS && (b & CR0_PE) && ncr0++ == 0)
            L->cr[0] = off;
    }
    if (ndf != 1 || nhf != 1 || ncr0 != 1) {
        set_err(err, errlen,
                "engine: calibration: DF/hflags/CR0 found %d/%d/%d times, expected once each", ndf,
                nhf, ncr0);
        goto out;
    }
    /* The lazy-flags mode sits just before DF and reads the same in both
     * snapshots: "flags are in cc_src", as a register write leaves it. */
    L->cc_op = L->df - 4;
    L->cc_op_eflags = ctx_u32(c, L->cc_op);
    if (ctx_u32(snap2, L->cc_op) != L->cc_op_eflags || L->cc_op <= L->cc_src) {
        set_err(err, errlen, "engine: calibration: the lazy-flags mode is not next to DF");
        goto out;
    }
    if (L->hflags != L->eflags + 40) {
        set_err(err, errlen, "engine: calibration: hflags at %zu, not EFLAGS + 40 (%zu)", L->hflags,
                L->eflags + 40);
        goto out;
    }

    /* The six segment caches, ES CS SS DS FS GS, right after hflags. */
    size_t seg0 = L->hflags + 8, base0, limit0, flags0, sel0;
    if (!find_one(c, n, MARK_SEG_BASE(0), 0, n, &base0, "ES base", err, errlen) ||
        !find_one(c, n, MARK_SEG_LIMIT(0), 0, n, &limit0, "ES limit", err, errlen) ||
        !find_one(c, n, desc_hi(gdt, 6) | 0x100, 0, n, &flags0, "ES flags", err, errlen) ||
        !find_one(c, n, SEL_MARK0, seg0, seg0 + 24, &sel0, "ES selector", err, errlen))
        goto out;
    if (base0 < seg0 || limit0 < seg0 || flags0 < seg0 || base0 >= seg0 + 24 ||
        limit0 >= seg0 + 24 || flags0 >= seg0 + 24) {
        set_err(err, errlen, "engine: calibration: ES's cache is not at hflags + 8");
        goto out;
    }
    L->sc_sel = sel0 - seg0;
    L->sc_base = base0 - seg0;
    L->sc_limit = limit0 - seg0;
    L->sc_flags = flags0 - seg0;
    for (unsigned i = 0; i < SEG_COUNT; i++) {
        size_t at = seg0 + 24 * i;
        L->seg[i] = at;
        /* The engine sets the Accessed bit (type bit 0) when it loads. */
        if (ctx_u32(c, at + L->sc_sel) != SEL_MARK0 + 8 * i ||
            ctx_u32(c, at + L->sc_base) != MARK_SEG_BASE(i) ||
            ctx_u32(c, at + L->sc_limit) != MARK_SEG_LIMIT(i) ||
            ctx_u32(c, at + L->sc_flags) != (desc_hi(gdt, 6 + i) | 0x100)) {
            set_err(err, errlen,
                    "engine: calibration: segment cache %u is not 24 bytes after the one before", i);
            goto out;
        }
    }
    L->ldtr = seg0 + 24 * 6;
    L->tr = seg0 + 24 * 7;
    L->gdtr = seg0 + 24 * 8;
    L->idtr = seg0 + 24 * 9;
    if (ctx_u32(c, L->ldtr + L->sc_base) != MARK_LDT_BASE ||
        ctx_u32(c, L->ldtr + L->sc_limit) != MARK_LDT_LIMIT ||
        ctx_u32(c, L->ldtr + L->sc_sel) != 0x50 || ctx_u32(c, L->ldtr + L->sc_flags) != 0x8200 ||
        ctx_u32(c, L->tr + L->sc_base) != MARK_TR_BASE ||
        ctx_u32(c, L->tr + L->sc_limit) != MARK_TR_LIMIT ||
        ctx_u32(c, L->tr + L->sc_sel) != SEL_TSS || ctx_u32(c, L->tr + L->sc_flags) != 0x8b00 ||
        ctx_u32(c, L->gdtr + L->sc_base) != MARK_GDT_BASE ||
        ctx_u32(c, L->gdtr + L->sc_limit) != MARK_GDT_LIMIT ||
        ctx_u32(c, L->idtr + L->sc_base) != MARK_IDT_BASE ||
        ctx_u32(c, L->idtr + L->sc_limit) != MARK_IDT_LIMIT) {
        set_err(err, errlen, "engine: calibration: LDTR/TR/GDTR/IDTR do not follow the segment caches");
        goto out;
    }

    /* Control registers: CR0 right after IDTR, then CR1..CR4 at one stride. */
    size_t cr2, cr3;
    if (!find_one(c, n, MARK_CR2, 0, n, &cr2, "CR2", err, errlen) ||
        !find_one(c, n, MARK_CR3, 0, n, &cr3, "CR3", err, errlen))
        goto out;
    size_t stride = cr3 - cr2;
    if (L->cr[0] != L->idtr + 24 || cr3 <= cr2 || cr2 != L->cr[0] + 2 * stride ||
        ctx_u32(c, L->cr[0] + 4 * stride) != 0 ||
        ctx_u32(snap2, L->cr[0] + 4 * stride) != MARK_CR4) {
        set_err(err, errlen, "engine: calibration: control registers are not where expected");
        goto out;
    }
    for (int i = 0; i < 5; i++)
        L->cr[i] = L->cr[0] + (size_t)i * stride;

    /* Hidden-flag bits the engine computes: B=1 segments and nonzero bases. */
    uint32_t hf = ctx_u32(c, L->hflags);
    if ((hf & (HF_CS32 | HF_SS32 | HF_ADDSEG)) != (HF_CS32 | HF_SS32 | HF_ADDSEG) ||
        (hf & HF_CPL_MASK) != 0 || (hf & HF_CS64)) {
        set_err(err, errlen, "engine: calibration: hflags 0x%" PRIx32 " lacks CS32/SS32/ADDSEG",
                hf);
        goto out;
    }
    ok = true;
    goto out;

write_failed:
    set_err(err, errlen, "engine: calibration: a register write was refused");
    goto out;
save_failed:
    set_err(err, errlen, "engine: calibration: cannot save the CPU context");
out:
    if (snap2)
        uc_context_free(snap2);
    return ok;
}

/* Load the scratch machine's flat ring 0 state. */
static bool cal_flat_ring0(struct engine *s)
{
    uc_engine *uc = s->uc;
    if (!reg_w32(uc, UC_X86_REG_CR0, CR0_PE) || !reg_w32(uc, UC_X86_REG_CR4, 0) ||
        !reg_w32(uc, UC_X86_REG_CR3, 0) || !reg_w32(uc, UC_X86_REG_EFLAGS, EFLAGS_FIXED1) ||
        !reg_mmr(uc, UC_X86_REG_GDTR, 0, CAL_GDT, GDT_ENTRIES * 8 - 1, 0) ||
        !reg_mmr(uc, UC_X86_REG_IDTR, 0, 0, 0x7ff, 0) ||
        !reg_mmr(uc, UC_X86_REG_TR, SEL_TSS, CAL_TSS, 0x67, 0x8b00) ||
        !reg_mmr(uc, UC_X86_REG_LDTR, 0, 0, 0, 0) || !reg_w16(uc, UC_X86_REG_CS, SEL_CODE0) ||
        !reg_w16(uc, UC_X86_REG_SS, SEL_DATA0) || !reg_w32(uc, UC_X86_REG_ESP, CAL_STACK0))
        return false;
    for (unsigned i = 0; i < SEG_COUNT; i++) {
        if (i != SEG_CS && i != SEG_SS && !reg_w16(uc, seg_regs[i], SEL_DATA0))
            return false;
    }
    return true;
}

/* What the interrupt hook of a calibration run records. */
struct cal_run {
    struct engine *s;
    int runs;
    int calls;
    uint32_t vector;
    uc_context *snap; /* the state as the hook saw it */
};

static void cal_intr_hook(uc_engine *uc, uint32_t intno, void *user)
{
    struct cal_run *run = user;
    if (run->calls++ == 0) {
        run->vector = intno;
        uc_context_save(uc, run->snap);
    }
    uc_emu_stop(uc);
}

/* Run `code` at ring 0 until hlt or the first interrupt.  Every run gets
 * fresh addresses, so no translation made before can stand in for it
 * (code is written through the host pointer, which the engine does not
 * watch, and a full translation flush costs a fifth of a second). */
static bool cal_run_code(struct engine *s, struct cal_run *run, const uint8_t *code, size_t len)
{
    uint32_t at = CAL_SNIPPETS + 0x40 * (uint32_t)run->runs++;
    if (len > 0x40 || at + 0x40 > CAL_RAM_SIZE)
        return false;
    memcpy(s->ram + at, code, len);
    run->calls = 0;
    run->vector = 0xffffffffu;
    s->ran = true;
    return uc_emu_start(s->uc, at, 0, 0, 0) == UC_ERR_OK;
}

/* Set old_exception in the engine to -1 ("none in flight") through the
 * context, the way engine_commit_state does. */
static bool cal_reset_old_exception(struct engine *s, size_t off)
{
    if (uc_context_save(s->uc, s->ctx) != UC_ERR_OK)
        return false;
    ctx_set_u32(s->ctx, off, 0xffffffffu);
    return uc_context_restore(s->uc, s->ctx) == UC_ERR_OK;
}

/* Step 2: the fields only an exception fills in (error code, "software
 * interrupt" flag, the exception in flight), found by raising known ones:
 *   #GP(0x70) from loading DS with a selector beyond the GDT limit,
 *   int 0x80 (error code 0, software),
 *   #DE from div by zero after old_exception was reset (arrives as 0),
 *   #GP(0x78) right after #DE without a reset (arrives as #DF),
 *   #GP(0x78) again after a reset (arrives as itself). */
static bool cal_exceptions(struct engine *s, struct ctx_layout *L, char *err, size_t errlen)
{
    static const uint8_t gp1[] = {0x66, 0xb8, SEL_BAD1, 0x00, 0x8e, 0xd8, 0xf4};
    static const uint8_t gp2[] = {0x66, 0xb8, SEL_BAD2, 0x00, 0x8e, 0xd8, 0xf4};
    static const uint8_t int80[] = {0xcd, 0x80, 0xf4};
    static const uint8_t de[] = {0x31, 0xc9, 0xf7, 0xf1, 0xf4}; /* xor ecx,ecx; div ecx */
    static const uint8_t movss_int[] = {0x66, 0xb8, SEL_DATA0, 0x00, 0x8e, 0xd0, 0xcd, 0x80, 0xf4};
    static const uint8_t add[] = {0xb8, 0x01, 0x00, 0x00, 0x00, 0x01, 0xc0, 0xf4};
    size_t n = s->ctx_size;
    uc_hook h = 0;
    bool ok = false;
    uint8_t *cand = calloc(n / 4, 3); /* per offset: error code, is-int, old exception */
    uc_context *before = NULL, *g1 = NULL, *i1 = NULL;
    struct cal_run run = {.s = s};
    if (!cand || uc_context_alloc(s->uc, &before) != UC_ERR_OK ||
        uc_context_alloc(s->uc, &g1) != UC_ERR_OK || uc_context_alloc(s->uc, &i1) != UC_ERR_OK ||
        uc_context_alloc(s->uc, &run.snap) != UC_ERR_OK) {
        set_err(err, errlen, "engine: calibration: out of memory");
        goto out;
    }
    if (!cal_flat_ring0(s) ||
        uc_hook_add(s->uc, &h, UC_HOOK_INTR, (void *)cal_intr_hook, &run, 1, 0) != UC_ERR_OK ||
        uc_context_save(s->uc, before) != UC_ERR_OK) {
        set_err(err, errlen, "engine: calibration: cannot prepare the scratch engine");
        goto out;
    }
    uint32_t hf = ctx_u32(before, L->hflags);
    if ((hf & (HF_CS32 | HF_SS32 | HF_ADDSEG | HF_CPL_MASK)) != (HF_CS32 | HF_SS32)) {
        set_err(err, errlen, "engine: calibration: flat ring 0 shows hflags 0x%" PRIx32, hf);
        goto out;
    }

    if (!cal_run_code(s, &run, gp1, sizeof gp1) || run.vector != 13) {
        set_err(err, errlen, "engine: calibration: a bad DS load did not raise #GP (got %" PRIu32 ")",
                run.vector);
        goto out;
    }
    memcpy(g1, run.snap, n);
    if (!cal_run_code(s, &run, int80, sizeof int80) || run.vector != 0x80) {
        set_err(err, errlen, "engine: calibration: int 0x80 did not reach the hook");
        goto out;
    }
    memcpy(i1, run.snap, n);
    if ((ctx_u32(i1, L->hflags) & HF_INHIBIT_IRQ) != 0) {
        set_err(err, errlen, "engine: calibration: interrupt shadow set without STI/MOV SS");
        goto out;
    }
    int nerr = 0, nint = 0, nold = 0;
    for (size_t off = 0; off + 4 <= n; off += 4) {
        uint32_t b = ctx_u32(before, off), g = ctx_u32(g1, off), i = ctx_u32(i1, off);
        cand[off / 4 * 3 + 0] = g == SEL_BAD1 && i == 0;
        cand[off / 4 * 3 + 1] = g == 0 && i == 1;
        cand[off / 4 * 3 + 2] = b == 0xffffffffu && g == 13 && i == 13;
        nerr += cand[off / 4 * 3 + 0];
        nint += cand[off / 4 * 3 + 1];
        nold += cand[off / 4 * 3 + 2];
    }
    if (nerr < 1 || nint < 1 || nold != 1) {
        set_err(err, errlen,
                "engine: calibration: error code/is-int/old exception candidates %d/%d/%d", nerr,
                nint, nold);
        goto out;
    }
    for (size_t off = 0; off + 4 <= n; off += 4) {
        if (cand[off / 4 * 3 + 2])
            L->old_exception = off;
    }

    /* #DE after a reset: arrives as vector 0 and becomes the exception in
     * flight; then #GP without a reset is a double fault (SDM Vol. 3A
     * Table 6-5, as the engine models it); after a reset it is #GP again. */
    if (!cal_reset_old_exception(s, L->old_exception) || !cal_run_code(s, &run, de, sizeof de) ||
        run.vector != 0 || ctx_u32(run.snap, L->old_exception) != 0) {
        set_err(err, errlen, "engine: calibration: #DE after a reset arrived as %" PRIu32, run.vector);
        goto out;
    }
    for (size_t off = 0; off + 4 <= n; off += 4) {
        uint32_t d = ctx_u32(run.snap, off);
        cand[off / 4 * 3 + 0] &= d == 0;
        cand[off / 4 * 3 + 1] &= d == 0;
    }
    if (!cal_run_code(s, &run, gp2, sizeof gp2) || run.vector != 8) {
        set_err(err, errlen,
                "engine: calibration: #GP right after #DE arrived as %" PRIu32 ", not as #DF",
                run.vector);
        goto out;
    }
    if (!cal_reset_old_exception(s, L->old_exception) || !cal_run_code(s, &run, gp2, sizeof gp2) ||
        run.vector != 13) {
        set_err(err, errlen,
                "engine: calibration: #GP after resetting the exception in flight arrived as %" PRIu32,
                run.vector);
        goto out;
    }
    nerr = nint = 0;
    for (size_t off = 0; off + 4 <= n; off += 4) {
        uint32_t g = ctx_u32(run.snap, off);
        if (cand[off / 4 * 3 + 0] && g == SEL_BAD2 && nerr++ == 0)
            L->error_code = off;
        if (cand[off / 4 * 3 + 1] && g == 0 && nint++ == 0)
            L->exception_is_int = off;
    }
    if (nerr != 1 || nint < 1 || L->error_code + 4 >= n) {
        set_err(err, errlen, "engine: calibration: error code found %d times", nerr);
        goto out;
    }
    /* Unicorn keeps "software interrupt" right after the error code. */
    if (!cand[(L->error_code + 4) / 4 * 3 + 1] || ctx_u32(run.snap, L->error_code + 4) != 0) {
        set_err(err, errlen, "engine: calibration: the software-interrupt flag is not after the error code");
        goto out;
    }
    L->exception_is_int = L->error_code + 4;

    /* The interrupt shadow: MOV SS right before int 0x80. */
    if (!cal_reset_old_exception(s, L->old_exception) ||
        !cal_run_code(s, &run, movss_int, sizeof movss_int) || run.vector != 0x80 ||
        !(ctx_u32(run.snap, L->hflags) & HF_INHIBIT_IRQ)) {
        set_err(err, errlen, "engine: calibration: MOV SS did not show the interrupt shadow");
        goto out;
    }
    /* The lazy-flags mode changes when the guest computes. */
    if (!cal_run_code(s, &run, add, sizeof add) || run.calls != 0 ||
        uc_context_save(s->uc, s->ctx) != UC_ERR_OK ||
        ctx_u32(s->ctx, L->cc_op) == L->cc_op_eflags) {
        set_err(err, errlen, "engine: calibration: the lazy-flags mode did not move");
        goto out;
    }
    ok = true;
out:
    if (h)
        uc_hook_del(s->uc, h);
    if (run.snap)
        uc_context_free(run.snap);
    if (before)
        uc_context_free(before);
    if (g1)
        uc_context_free(g1);
    if (i1)
        uc_context_free(i1);
    free(cand);
    return ok;
}

/* ---- the self-test: a ring 3 guest whose interrupts are delivered by
 * patching the context ------------------------------------------------- */

#define ST_RING3 (CAL_CODE + 0x100)
#define ST_H80 (CAL_CODE + 0x200)
#define ST_HGP (CAL_CODE + 0x300)
#define ST_H81 (CAL_CODE + 0x400)

struct selftest {
    struct engine *s;
    int calls;
    uint32_t vector[6];
    uint32_t error[6];
    bool failed;
};

static uint32_t ram_u32(const struct engine *e, uint32_t a)
{
    uint32_t v;
    memcpy(&v, e->ram + a, 4);
    return v;
}

/* A minimal interrupt-gate delivery to flat ring 0 (SDM Vol. 3A 6.12.1):
 * stack from the TSS when coming from ring 3, push SS ESP EFLAGS CS EIP and
 * the error code, clear TF VM RF NT IF. */
static void selftest_hook(uc_engine *uc, uint32_t intno, void *user)
{
    (void)uc;
    struct selftest *t = user;
    struct engine *e = t->s;
    struct cpu_state st;
    uint32_t handler = intno == 0x80 ? ST_H80 : intno == 13 ? ST_HGP : intno == 0x81 ? ST_H81 : 0;
    bool has_error = intno == 13;
    if (t->calls < 6) {
        t->vector[t->calls] = intno;
        t->error[t->calls] = engine_pending_error_code(e);
    }
    t->calls++;
    if (handler == 0 || engine_pending_is_software_int(e) != (intno >= 0x20) ||
        !engine_begin_state(e, &st)) {
        t->failed = true;
        uc_emu_stop(uc);
        return;
    }
    uint32_t esp = st.gpr[GPR_ESP];
    uint32_t frame[6];
    int k = 0;
    if (st.cpl != 0) {
        esp = ram_u32(e, CAL_TSS + 4);
        frame[k++] = st.seg[SEG_SS].selector;
        frame[k++] = st.gpr[GPR_ESP];
    }
    frame[k++] = st.eflags;
    frame[k++] = st.seg[SEG_CS].selector;
    frame[k++] = st.eip;
    if (has_error)
        frame[k++] = engine_pending_error_code(e);
    for (int i = 0; i < k; i++) {
        esp -= 4;
        if (!engine_phys_write(e, esp, &frame[i], 4))
            t->failed = true;
    }
    st.gpr[GPR_ESP] = esp;
    st.seg[SEG_CS] = (struct seg_cache){SEL_CODE0, 0, 0xffffffffu, desc_hi(e->ram + CAL_GDT, 1)};
    st.seg[SEG_SS] = (struct seg_cache){SEL_DATA0, 0, 0xffffffffu, desc_hi(e->ram + CAL_GDT, 2)};
    st.eflags &= ~(EFLAGS_TF | EFLAGS_VM | EFLAGS_RF | EFLAGS_NT | EFLAGS_IF);
    st.eip = handler;
    st.irq_inhibited = false;
    if (!engine_commit_state(e, &st))
        t->failed = true;
}

static bool selftest(struct engine *s, char *err, size_t errlen)
{
    /* Ring 0: DS=ES=ring 3 data, then iretd to ring 3 at ST_RING3. */
    static const uint8_t ring0[] = {
        0x66, 0xb8, SEL_DATA3, 0x00, /* mov ax, 0x23 */
        0x8e, 0xd8,                  /* mov ds, ax */
        0x8e, 0xc0,                  /* mov es, ax */
        0x6a, SEL_DATA3,             /* push 0x23 (SS) */
        0x68, 0x00, 0x80, 0x00, 0x00, /* push 0x8000 (ESP) */
        0x6a, 0x02,                  /* push 2 (EFLAGS) */
        0x6a, SEL_CODE3,             /* push 0x1b (CS) */
        0x68, 0x00, 0x31, 0x00, 0x00, /* push ST_RING3 (EIP) */
        0xcf,                        /* iretd */
    };
    static const uint8_t ring3[] = {
        0xb8, 0x11, 0x11, 0x11, 0x11, /* mov eax, 0x11111111 */
        0xcd, 0x80,                   /* int 0x80 */
        0x66, 0xb8, SEL_BAD1, 0x00,   /* mov ax, 0x70 */
        0x8e, 0xd8,                   /* mov ds, ax: #GP(0x70) */
        0x66, 0xb8, SEL_BAD2, 0x00,   /* mov ax, 0x78 */
        0x8e, 0xd8,                   /* mov ds, ax: #GP(0x78) */
        0xcd, 0x81,                   /* int 0x81 */
        0xf4,
    };
    static const uint8_t h80[] = {0xbb, 0x22, 0x22, 0x22, 0x22, 0xcf}; /* mov ebx,..; iretd */
    /* add esp, 4 (drop the error code); add dword [esp], 2 (skip mov ds,ax); iretd */
    static const uint8_t hgp[] = {0x83, 0xc4, 0x04, 0x83, 0x04, 0x24, 0x02, 0xcf};
    static const uint8_t h81[] = {0xf4}; /* hlt: ends the run at ring 0 */
    const uint32_t ret81 = ST_RING3 + sizeof ring3 - 1;
    struct selftest t = {.s = s};
    uc_hook h = 0;
    bool ok = false;

    memcpy(s->ram + CAL_CODE, ring0, sizeof ring0);
    memcpy(s->ram + ST_RING3, ring3, sizeof ring3);
    memcpy(s->ram + ST_H80, h80, sizeof h80);
    memcpy(s->ram + ST_HGP, hgp, sizeof hgp);
    memcpy(s->ram + ST_H81, h81, sizeof h81);
    if (!cal_flat_ring0(s) ||
        uc_hook_add(s->uc, &h, UC_HOOK_INTR, (void *)selftest_hook, &t, 1, 0) != UC_ERR_OK) {
        set_err(err, errlen, "engine: self-test: cannot prepare the scratch engine");
        return false;
    }
    s->ran = true;
    uc_err r = uc_emu_start(s->uc, CAL_CODE, 0, 0, 0);
    struct cpu_state st;
    if (r != UC_ERR_OK || t.failed || !engine_begin_state(s, &st)) {
        set_err(err, errlen,
                "engine: self-test: the guest did not run through (%s; interrupt %d was %" PRIu32
                ", expected 0x80, 13, 13, 0x81 in turn)",
                uc_strerror(r), t.calls, t.calls > 0 && t.calls <= 6 ? t.vector[t.calls - 1] : 0);
        goto out;
    }
    if (t.calls != 4 || t.vector[0] != 0x80 || t.vector[1] != 13 || t.vector[2] != 13 ||
        t.vector[3] != 0x81) {
        set_err(err, errlen,
                "engine: self-test: saw %d interrupts %" PRIu32 " %" PRIu32 " %" PRIu32 " %" PRIu32
                ", expected 0x80 13 13 0x81",
                t.calls, t.vector[0], t.vector[1], t.vector[2], t.vector[3]);
        goto out;
    }
    if (t.error[1] != SEL_BAD1 || t.error[2] != SEL_BAD2) {
        set_err(err, errlen, "engine: self-test: #GP error codes 0x%" PRIx32 " 0x%" PRIx32, t.error[1],
                t.error[2]);
        goto out;
    }
    uint32_t sp = CAL_STACK0 - 20;
    if (st.eip != ST_H81 + 1 || st.cpl != 0 || st.seg[SEG_CS].selector != SEL_CODE0 ||
        st.seg[SEG_SS].selector != SEL_DATA0 || st.gpr[GPR_ESP] != sp ||
        st.gpr[GPR_EAX] != (0x11110000u | SEL_BAD2) || st.gpr[GPR_EBX] != 0x22222222u ||
        ram_u32(s, sp) != ret81 || ram_u32(s, sp + 4) != SEL_CODE3 ||
        ram_u32(s, sp + 12) != CAL_STACK3 || ram_u32(s, sp + 16) != SEL_DATA3) {
        set_err(err, errlen,
                "engine: self-test: handler state wrong (EIP 0x%" PRIx32 " CPL %u CS 0x%x SS 0x%x ESP 0x%" PRIx32 ")",
                st.eip, st.cpl, st.seg[SEG_CS].selector, st.seg[SEG_SS].selector, st.gpr[GPR_ESP]);
        goto out;
    }
    ok = true;
out:
    s->begun = false;
    uc_hook_del(s->uc, h);
    return ok;
}

/* Calibrate on a scratch engine of its own, then self-test there. */
static bool calibrate(struct ctx_layout *L, char *err, size_t errlen)
{
    uint8_t *ram = aligned_alloc(4096, CAL_RAM_SIZE);
    if (!ram) {
        set_err(err, errlen, "engine: out of memory");
        return false;
    }
    memset(ram, 0, CAL_RAM_SIZE);
    cal_build_gdt(ram);
    bool ok = false;
    struct engine *s = engine_create(ram, CAL_RAM_SIZE, UC_CPU_X86_QEMU32, err, errlen);
    if (s) {
        memset(L, 0, sizeof *L);
        L->ctx_size = s->ctx_size;
        ok = cal_markers(s, L, err, errlen) && (s->lay = *L, cal_exceptions(s, L, err, errlen)) &&
             (s->lay = *L, selftest(s, err, errlen));
        engine_free(s);
    }
    free(ram);
    return ok;
}

/* ---- CPUID of the model ------------------------------------------------ */

/* Ask a scratch engine of the same model every leaf it has (SDM Vol. 2A
 * CPUID: leaf 0 and 0x80000000 give the highest of each range), with
 * subleaves 0..7 for the basic leaves. */
static bool cpuid_measure(int model, struct cpuid_table *t, char *err, size_t errlen)
{
    enum { RAM = 0x1000, CODE = 0x100 };
    static const uint8_t code[] = {0x0f, 0xa2, 0xf4}; /* cpuid; hlt */
    uint8_t *ram = aligned_alloc(4096, RAM);
    if (!ram) {
        set_err(err, errlen, "engine: out of memory");
        return false;
    }
    memset(ram, 0, RAM);
    memcpy(ram + CODE, code, sizeof code);
    struct engine *s = engine_create(ram, RAM, model, err, errlen);
    bool ok = s != NULL;
    if (s)
        s->ran = true;
    for (int range = 0; ok && range < 2; range++) {
        uint32_t first = range ? 0x80000000u : 0, *max = range ? &t->max_ext : &t->max_basic;
        uint32_t last = first;
        for (uint32_t leaf = first; ok && leaf <= last; leaf++) {
            for (uint32_t sub = 0; sub < (range ? 1u : CPUID_SUBLEAVES); sub++) {
                uint32_t regs[4];
                ok = reg_w32(s->uc, UC_X86_REG_EAX, leaf) && reg_w32(s->uc, UC_X86_REG_ECX, sub) &&
                     uc_emu_start(s->uc, CODE, 0, 0, 0) == UC_ERR_OK &&
                     uc_reg_read(s->uc, UC_X86_REG_EAX, &regs[0]) == UC_ERR_OK &&
                     uc_reg_read(s->uc, UC_X86_REG_EBX, &regs[1]) == UC_ERR_OK &&
                     uc_reg_read(s->uc, UC_X86_REG_ECX, &regs[2]) == UC_ERR_OK &&
                     uc_reg_read(s->uc, UC_X86_REG_EDX, &regs[3]) == UC_ERR_OK;
                if (!ok)
                    break;
                if (leaf == first) {
                    uint32_t top = regs[0] - first;
                    last = first + (top > (range ? CPUID_MAX_EXT : CPUID_MAX_BASIC)
                                        ? (range ? CPUID_MAX_EXT : CPUID_MAX_BASIC)
                                        : top);
                    *max = regs[0] < first ? first : regs[0];
                }
                memcpy(range ? t->ext[leaf - first] : t->basic[leaf][sub], regs, sizeof regs);
            }
        }
    }
    if (s && !ok)
        set_err(err, errlen, "engine: cannot ask the CPU model's CPUID");
    engine_free(s);
    free(ram);
    return ok;
}

void engine_model_cpuid(const struct engine *e, uint32_t leaf, uint32_t subleaf,
                        uint32_t regs[4])
{
    const struct cpuid_table *t = e->cpuid;
    /* A leaf above the highest of its range answers as the highest basic
     * leaf does (SDM Vol. 2A CPUID, "If a value entered for CPUID.EAX is
     * higher than the maximum input value..."). */
    bool ext = leaf >= 0x80000000u;
    uint32_t max = ext ? t->max_ext : t->max_basic;
    if (leaf > max || (ext && leaf - 0x80000000u > CPUID_MAX_EXT) ||
        (!ext && leaf > CPUID_MAX_BASIC)) {
        ext = false;
        leaf = t->max_basic > CPUID_MAX_BASIC ? CPUID_MAX_BASIC : t->max_basic;
    }
    if (ext) {
        memcpy(regs, t->ext[leaf - 0x80000000u], 4 * sizeof regs[0]);
        return;
    }
    if (subleaf >= CPUID_SUBLEAVES)
        subleaf = CPUID_SUBLEAVES - 1;
    memcpy(regs, t->basic[leaf][subleaf], 4 * sizeof regs[0]);
}

/* ---- features the model lacks ------------------------------------------ */

static uint32_t reg_r32(struct engine *e, int reg);

#define HF_SMAP (1u << 23) /* the engine's hidden copy of CR4.SMAP */
#define CR4_SMAP_BIT (1u << 21)
/* The feature words lie a few dozen bytes past the saved part of the
 * state; the state goes on for hundreds of bytes beyond them. */
#define FEATURE_SEARCH_BEFORE 64u
#define FEATURE_SEARCH_LEN 512u

bool engine_add_leaf7_features(struct engine *e, uint32_t ebx_bits)
{
    if (!e->live || e->ctx_size < FEATURE_SEARCH_BEFORE)
        return false;
    uint32_t r[4];
    struct feature_words_key key;
    engine_model_cpuid(e, 0, 0, r);
    key.vendor[0] = r[1];
    key.vendor[1] = r[3];
    key.vendor[2] = r[2];
    engine_model_cpuid(e, 1, 0, r);
    key.version = r[0];
    key.ecx1 = r[2];
    key.edx1 = r[3];
    uint8_t *from = e->live + e->ctx_size - FEATURE_SEARCH_BEFORE;
    long off = feature_words_find(from, FEATURE_SEARCH_LEN, &key);
    if (off < 0)
        return false;
    uint8_t *word = from + off + 8 * FEATURE_WORD_7_0_EBX;
    uint64_t old, now;
    memcpy(&old, word, sizeof old);
    now = old | ebx_bits;
    memcpy(word, &now, sizeof now);
    if (ebx_bits & CPUID_7_EBX_SMAP) {
        /* The proof: a CR4 write now keeps SMAP in the hidden flags, which
         * is what the engine's page walk reads. */
        uint32_t cr4 = reg_r32(e, UC_X86_REG_CR4);
        bool ok = reg_w32(e->uc, UC_X86_REG_CR4, cr4 | CR4_SMAP_BIT) &&
                  (ctx_u32((const uc_context *)e->live, e->lay.hflags) & HF_SMAP) != 0;
        ok = reg_w32(e->uc, UC_X86_REG_CR4, cr4) && ok;
        if (!ok) {
            memcpy(word, &old, sizeof old);
            return false;
        }
    }
    /* STAC and CLAC are decoded by what the words say at translation. */
    return uc_ctl_flush_tb(e->uc) == UC_ERR_OK;
}

/* ---- the live state ------------------------------------------------------ */

/* Find the engine's own CPU state (live_state.h) and check that it is: a
 * register written through the API shows there, and one written there
 * shows through the API.  Without it, every read and change of the state
 * goes through whole copies, as before. */
#define CTX_TAIL_UNCOMPARED 64

static void find_live_state(struct engine *e)
{
    const struct ctx_layout *L = &e->lay;
    size_t head = L->gpr[0]; /* the state's first field in a saved copy */
    uint32_t old[8];
    for (int i = 0; i < 8; i++)
        if (uc_reg_read(e->uc, gpr_regs[i], &old[i]) != UC_ERR_OK)
            return;
    /* Markers of this engine and this search, so that no stale copy of an
     * earlier engine's state matches; a few tries, should one still. */
    static uint32_t searches;
    bool ok = true;
    uint8_t *base = NULL;
    for (int attempt = 0; ok && !base && attempt < 3; attempt++) {
        uint32_t salt = (uint32_t)(uintptr_t)e ^ (++searches * 0x9e3779b9u);
        for (int i = 0; ok && i < 8; i++)
            ok = reg_w32(e->uc, gpr_regs[i], MARK_GPR(i) ^ salt);
        if (!ok || head + CTX_TAIL_UNCOMPARED + 1024 > e->ctx_size ||
            uc_context_save(e->uc, e->peek) != UC_ERR_OK)
            break;
        struct live_state_skip skip[] = {
            {e->ctx, e->ctx_size}, {e->peek, e->ctx_size}, {e->ram, e->ram_size}};
        /* The last bytes of a saved context may lie past the state (the
         * context's size counts its header as padded): compare all but them. */
        uint8_t *found = live_state_find((const uint8_t *)e->peek + head,
                                         e->ctx_size - head - CTX_TAIL_UNCOMPARED, skip, 3);
        base = found ? found - head : NULL;
    }
    if (base) {
        uint32_t salt = (uint32_t)(uintptr_t)e ^ (searches * 0x9e3779b9u);
        uint32_t probe = 0x5eed0000u ^ salt, back = 0;
        ok = reg_w32(e->uc, UC_X86_REG_EBX, probe) &&
             ctx_u32((const uc_context *)base, L->gpr[GPR_EBX]) == probe;
        ctx_set_u32((uc_context *)base, L->gpr[GPR_ECX], ~probe);
        ok = ok && uc_reg_read(e->uc, UC_X86_REG_ECX, &back) == UC_ERR_OK && back == ~probe;
        if (!ok)
            base = NULL;
    }
    for (int i = 0; i < 8; i++)
        reg_w32(e->uc, gpr_regs[i], old[i]);
    e->live = base;
}

struct engine *engine_open(uint8_t *ram, size_t ram_size, const char *cpu_model, char *err,
                           size_t errlen)
{
    int model = -1;
    if (!cpu_model)
        cpu_model = "qemu32";
    for (size_t i = 0; i < sizeof cpu_models / sizeof cpu_models[0]; i++)
        if (strcmp(cpu_model, cpu_models[i].name) == 0)
            model = cpu_models[i].model;
    if (model < 0) {
        set_err(err, errlen, "engine: no CPU model called '%s'", cpu_model);
        return NULL;
    }
    struct ctx_layout L;
    if (!calibrate(&L, err, errlen))
        return NULL;
    struct engine *e = engine_create(ram, ram_size, model, err, errlen);
    if (!e)
        return NULL;
    e->cpuid = calloc(1, sizeof *e->cpuid);
    if (!e->cpuid || !cpuid_measure(model, e->cpuid, err, errlen)) {
        if (!e->cpuid)
            set_err(err, errlen, "engine: out of memory");
        engine_free(e);
        return NULL;
    }
    if (e->ctx_size != L.ctx_size) {
        set_err(err, errlen, "engine: the CPU context is not the size calibration saw");
        engine_free(e);
        return NULL;
    }
    e->lay = L;
    find_live_state(e);
    return e;
}

void engine_close(struct engine *e)
{
    engine_free(e);
}

struct uc_struct *engine_uc(struct engine *e)
{
    return e->uc;
}

/* ---- the state ------------------------------------------------------------- */

/* Save the CPU into `c` and read the architectural state out of it. */
static bool save_state(struct engine *e, uc_context *c, struct cpu_state *st)
{
    const struct ctx_layout *L = &e->lay;
    uint32_t eflags;
    /* EFLAGS through the register API: while Unicorn runs, the arithmetic
     * flags are kept lazily and only the engine can assemble them. */
    if (uc_reg_read(e->uc, UC_X86_REG_EFLAGS, &eflags) != UC_ERR_OK)
        return false;
    if (e->live)
        c = (uc_context *)e->live; /* read in place: no copy */
    else if (uc_context_save(e->uc, c) != UC_ERR_OK)
        return false;
    memset(st, 0, sizeof *st);
    for (int i = 0; i < 8; i++)
        st->gpr[i] = ctx_u32(c, L->gpr[i]);
    st->eip = ctx_u32(c, L->eip);
    st->eflags = eflags;
    for (int i = 0; i < SEG_COUNT; i++)
        ctx_read_seg(c, L, L->seg[i], &st->seg[i]);
    ctx_read_seg(c, L, L->ldtr, &st->ldtr);
    ctx_read_seg(c, L, L->tr, &st->tr);
    st->gdtr.base = ctx_u32(c, L->gdtr + L->sc_base);
    st->gdtr.limit = (uint16_t)ctx_u32(c, L->gdtr + L->sc_limit);
    st->idtr.base = ctx_u32(c, L->idtr + L->sc_base);
    st->idtr.limit = (uint16_t)ctx_u32(c, L->idtr + L->sc_limit);
    st->cr0 = ctx_u32(c, L->cr[0]);
    st->cr2 = ctx_u32(c, L->cr[2]);
    st->cr3 = ctx_u32(c, L->cr[3]);
    st->cr4 = ctx_u32(c, L->cr[4]);
    uint32_t hf = ctx_u32(c, L->hflags);
    st->cpl = (uint8_t)(hf & HF_CPL_MASK);
    st->irq_inhibited = (hf & HF_INHIBIT_IRQ) != 0;
    return true;
}

bool engine_read_segments(struct engine *e, struct cpu_state *st)
{
    const struct ctx_layout *L = &e->lay;
    uc_context *c = e->peek;
    if (uc_context_save(e->uc, c) != UC_ERR_OK)
        return false;
    memset(st, 0, sizeof *st);
    st->eflags = ctx_u32(c, L->eflags) & ~(EFLAGS_ARITH | EFLAGS_DF_BIT);
    for (int i = 0; i < SEG_COUNT; i++)
        ctx_read_seg(c, L, L->seg[i], &st->seg[i]);
    ctx_read_seg(c, L, L->ldtr, &st->ldtr);
    ctx_read_seg(c, L, L->tr, &st->tr);
    st->cr0 = ctx_u32(c, L->cr[0]);
    st->cr3 = ctx_u32(c, L->cr[3]);
    st->cr4 = ctx_u32(c, L->cr[4]);
    uint32_t hf = ctx_u32(c, L->hflags);
    st->cpl = (uint8_t)(hf & HF_CPL_MASK);
    return true;
}

bool engine_read_state(struct engine *e, struct cpu_state *st)
{
    return save_state(e, e->peek, st);
}

bool engine_begin_state(struct engine *e, struct cpu_state *st)
{
    if (!save_state(e, e->ctx, st))
        return false;
    e->at_begin = *st;
    e->begun = true;
    return true;
}

/* The hidden flags that follow from the segment caches, as the engine
 * recomputes them on every segment load: CPL is SS.DPL (3 in virtual-8086
 * mode, SDM Vol. 3A 20.2.1), CS32/SS32 are the B bits, and ADDSEG says
 * whether DS, ES or SS may have a nonzero base (always assumed outside
 * 32-bit protected mode). */
static uint32_t hflags_for(uint32_t hf, const struct cpu_state *st)
{
    uint32_t cpl = (st->eflags & EFLAGS_VM) ? 3 : (st->seg[SEG_SS].flags & DESC_DPL_MASK) >> DESC_DPL_SHIFT;
    hf &= ~(HF_CPL_MASK | HF_CS32 | HF_SS32 | HF_ADDSEG | HF_CS64 | HF_INHIBIT_IRQ);
    hf |= cpl;
    if (st->seg[SEG_CS].flags & DESC_B)
        hf |= HF_CS32;
    if (st->seg[SEG_SS].flags & DESC_B)
        hf |= HF_SS32;
    if (!(st->cr0 & CR0_PE) || (st->eflags & EFLAGS_VM) || !(hf & HF_CS32) ||
        (st->seg[SEG_DS].base | st->seg[SEG_ES].base | st->seg[SEG_SS].base) != 0)
        hf |= HF_ADDSEG;
    if (st->irq_inhibited)
        hf |= HF_INHIBIT_IRQ;
    return hf;
}

static bool seg_same(const struct seg_cache *a, const struct seg_cache *b)
{
    return a->selector == b->selector && a->base == b->base && a->limit == b->limit &&
           a->flags == b->flags;
}

bool engine_commit_state(struct engine *e, const struct cpu_state *st)
{
    const struct ctx_layout *L = &e->lay;
    if (!e->begun)
        return false;
    e->begun = false;
    /* Into the engine's state itself when it was found, else into the copy
     * begin_state saved, which is then restored whole. */
    uc_context *c = e->live ? (uc_context *)e->live : e->ctx;
    /* Only what the caller changed: the rest is there already, in the
     * engine's state or in the copy begin_state made of it.  (A delivery
     * changes a dozen fields of the hundred.) */
    const struct cpu_state *b = &e->at_begin;
    for (int i = 0; i < 8; i++)
        if (st->gpr[i] != b->gpr[i])
            ctx_set_u32(c, L->gpr[i], st->gpr[i]);
    ctx_set_u32(c, L->eip, st->eip);
    /* EFLAGS.  Unicorn keeps the arithmetic flags and DF apart while it
     * runs (lazily, as "the last operation and its operands") and folds
     * them into the EFLAGS field between runs.  When the caller left them
     * as begin_state read them, only the other bits are written and the
     * lazy state stays as it is: inside the sysenter and in/out hooks the
     * engine has not yet stored which operation was last, and would store
     * it over a rewritten cc_src afterwards.  When they did change, write
     * the form that is right both inside a run and between runs: the whole
     * value in the EFLAGS field (the engine ignores its arithmetic bits
     * while running), the arithmetic flags again in cc_src with the mode
     * "flags are in cc_src", DF as +1/-1. */
    uint32_t fl = st->eflags | EFLAGS_FIXED1;
    const uint32_t lazy = EFLAGS_ARITH | EFLAGS_DF_BIT;
    if (((fl ^ e->at_begin.eflags) & lazy) == 0) {
        uint32_t field = ctx_u32(c, L->eflags);
        ctx_set_u32(c, L->eflags, (field & lazy) | (fl & ~lazy));
    } else {
        ctx_set_u32(c, L->eflags, fl);
        ctx_set_u32(c, L->cc_src, fl & EFLAGS_ARITH);
        ctx_set_u32(c, L->cc_op, L->cc_op_eflags);
        ctx_set_u32(c, L->df, (fl & EFLAGS_DF_BIT) ? 0xffffffffu : 1u);
    }
    for (int i = 0; i < SEG_COUNT; i++)
        if (!seg_same(&st->seg[i], &b->seg[i]))
            ctx_write_seg(L, c, L->seg[i], &st->seg[i]);
    if (!seg_same(&st->ldtr, &b->ldtr))
        ctx_write_seg(L, c, L->ldtr, &st->ldtr);
    if (!seg_same(&st->tr, &b->tr))
        ctx_write_seg(L, c, L->tr, &st->tr);
    if (st->gdtr.base != b->gdtr.base || st->gdtr.limit != b->gdtr.limit) {
        ctx_set_u32(c, L->gdtr + L->sc_base, st->gdtr.base);
        ctx_set_u32(c, L->gdtr + L->sc_limit, st->gdtr.limit);
    }
    if (st->idtr.base != b->idtr.base || st->idtr.limit != b->idtr.limit) {
        ctx_set_u32(c, L->idtr + L->sc_base, st->idtr.base);
        ctx_set_u32(c, L->idtr + L->sc_limit, st->idtr.limit);
    }
    /* CR2 only here: the register API's CR2 write also changes CR3. */
    if (st->cr2 != b->cr2)
        ctx_set_u32(c, L->cr[2], st->cr2);
    ctx_set_u32(c, L->hflags, hflags_for(ctx_u32(c, L->hflags), st));
    /* No exception in flight: the next fault is not a double fault. */
    ctx_set_u32(c, L->old_exception, 0xffffffffu);
    if (!e->live && uc_context_restore(e->uc, e->ctx) != UC_ERR_OK)
        return false;
    /* Control registers through the register API, which flushes the TLB and
     * updates the hidden flags that follow CR0 and CR4.  CR4 and CR3 first,
     * so that paging is never turned on over stale values. */
    if (st->cr4 != b->cr4 && !reg_w32(e->uc, UC_X86_REG_CR4, st->cr4))
        return false;
    bool flush = e->flush_at_commit;
    e->flush_at_commit = false;
    if ((st->cr3 != b->cr3 || flush) && !reg_w32(e->uc, UC_X86_REG_CR3, st->cr3))
        return false;
    if (st->cr0 != b->cr0 && !reg_w32(e->uc, UC_X86_REG_CR0, st->cr0))
        return false;
    return true;
}

bool engine_goto(struct engine *e, uint32_t eip)
{
    /* A register write of EIP makes Unicorn leave the translated block at
     * its next check and go on at the new EIP without stopping the run. */
    return reg_w32(e->uc, UC_X86_REG_EIP, eip);
}

/* The saved CPU state to read a field from: the copy engine_begin_state
 * took, when one is open (a save copies kilobytes: one per delivery is
 * enough), else a fresh one. */
static const uc_context *current_context(struct engine *e)
{
    if (e->live)
        return (const uc_context *)e->live;
    if (e->begun)
        return e->ctx;
    if (uc_context_save(e->uc, e->peek) != UC_ERR_OK)
        return NULL;
    return e->peek;
}

uint32_t engine_pending_error_code(struct engine *e)
{
    const uc_context *c = current_context(e);
    return c ? ctx_u32(c, e->lay.error_code) : 0;
}

bool engine_pending_is_software_int(struct engine *e)
{
    const uc_context *c = current_context(e);
    return c && ctx_u32(c, e->lay.exception_is_int) != 0;
}

bool engine_read_msr(struct engine *e, uint32_t msr, uint64_t *value)
{
    uc_x86_msr m = {.rid = msr, .value = 0};
    if (uc_reg_read(e->uc, UC_X86_REG_MSR, &m) != UC_ERR_OK)
        return false;
    *value = m.value;
    return true;
}

bool engine_write_msr(struct engine *e, uint32_t msr, uint64_t value)
{
    uc_x86_msr m = {.rid = msr, .value = value};
    return uc_reg_write(e->uc, UC_X86_REG_MSR, &m) == UC_ERR_OK;
}

bool engine_read_fpu(struct engine *e, struct fpu_state *out)
{
    memset(out, 0, sizeof *out);
    uint8_t phys[8][10];
    uint64_t fip = 0, fdp = 0;
    uc_err r = UC_ERR_OK;
    for (int i = 0; i < 8; i++)
        r |= uc_reg_read(e->uc, UC_X86_REG_FP0 + i, phys[i]);
    r |= uc_reg_read(e->uc, UC_X86_REG_FPCW, &out->fctrl);
    r |= uc_reg_read(e->uc, UC_X86_REG_FPSW, &out->fstat);
    r |= uc_reg_read(e->uc, UC_X86_REG_FPTAG, &out->ftag);
    r |= uc_reg_read(e->uc, UC_X86_REG_FCS, &out->fiseg);
    r |= uc_reg_read(e->uc, UC_X86_REG_FDS, &out->foseg);
    r |= uc_reg_read(e->uc, UC_X86_REG_FOP, &out->fop);
    r |= uc_reg_read(e->uc, UC_X86_REG_FIP, &fip);
    r |= uc_reg_read(e->uc, UC_X86_REG_FDP, &fdp);
    out->fioff = (uint32_t)fip;
    out->fooff = (uint32_t)fdp;
    /* The engine names the physical registers; ST(i) is the one i places
     * above TOP, the status word's bits 13..11 (SDM Vol. 1 8.1.2). */
    unsigned top = (out->fstat >> 11) & 7u;
    for (unsigned i = 0; i < 8; i++)
        memcpy(out->st[i], phys[(top + i) & 7u], 10);
    return r == UC_ERR_OK;
}

/* ---- snapshots ------------------------------------------------------------------ */

struct engine_cpu {
    uc_context *ctx;
};

static uint32_t reg_r32(struct engine *e, int reg);

struct engine_cpu *engine_cpu_new(struct engine *e)
{
    struct engine_cpu *c = calloc(1, sizeof *c);
    if (!c)
        return NULL;
    if (uc_context_alloc(e->uc, &c->ctx) != UC_ERR_OK ||
        uc_context_save(e->uc, c->ctx) != UC_ERR_OK) {
        engine_cpu_free(c);
        return NULL;
    }
    return c;
}

void engine_cpu_free(struct engine_cpu *c)
{
    if (!c)
        return;
    if (c->ctx)
        uc_context_free(c->ctx);
    free(c);
}

bool engine_cpu_save(struct engine *e, struct engine_cpu *out)
{
    /* The whole CPU state, the lazily kept flags included. */
    return !e->begun && uc_context_save(e->uc, out->ctx) == UC_ERR_OK;
}

bool engine_cpu_switch(struct engine *e, struct engine_cpu *out, const struct engine_cpu *in)
{
    if (!engine_cpu_save(e, out) || uc_context_restore(e->uc, in->ctx) != UC_ERR_OK)
        return false;
    /* A write of CR3 flushes the TLB (SDM Vol. 3A 4.10.4.1), as the other
     * processor's TLB never held this one's translations. */
    uint32_t cr3 = reg_r32(e, UC_X86_REG_CR3);
    return reg_w32(e->uc, UC_X86_REG_CR3, cr3);
}

/* A visit is two plain copies of the CPU state: Unicorn's context restore
 * flushes neither the TLB nor the translated code, so the CPU that was in
 * the engine comes back exactly as it left. */
static uc_context *visit_away(struct engine *e)
{
    if (!e->away && uc_context_alloc(e->uc, &e->away) != UC_ERR_OK)
        e->away = NULL;
    return e->away;
}

bool engine_cpu_visit_begin(struct engine *e, const struct engine_cpu *c)
{
    uc_context *away = visit_away(e);
    return away && !e->begun && uc_context_save(e->uc, away) == UC_ERR_OK &&
           uc_context_restore(e->uc, c->ctx) == UC_ERR_OK;
}

bool engine_cpu_visit_end(struct engine *e, struct engine_cpu *keep)
{
    uc_context *away = visit_away(e);
    if (!away || e->begun)
        return false;
    bool ok = !keep || uc_context_save(e->uc, keep->ctx) == UC_ERR_OK;
    return uc_context_restore(e->uc, away) == UC_ERR_OK && ok;
}

void engine_cpu_export(const struct engine *e, const struct engine_cpu *c, void *buf)
{
    memcpy(buf, c->ctx, e->ctx_size);
}

void engine_cpu_import(const struct engine *e, struct engine_cpu *c, const void *buf)
{
    memcpy(c->ctx, buf, e->ctx_size);
}

size_t engine_snapshot_size(const struct engine *e)
{
    return e->ctx_size;
}

bool engine_snapshot_save(struct engine *e, void *buf)
{
    if (uc_context_save(e->uc, e->peek) != UC_ERR_OK)
        return false;
    memcpy(buf, e->peek, e->ctx_size);
    return true;
}

void engine_flush_tlb_at_commit(struct engine *e)
{
    e->flush_at_commit = true;
}

bool engine_snapshot_restore(struct engine *e, const void *buf)
{
    memcpy(e->peek, buf, e->ctx_size);
    e->begun = false;
    if (uc_context_restore(e->uc, e->peek) != UC_ERR_OK)
        return false;
    /* The TLB holds translations of the page tables as they were a moment
     * ago, and the translated code was made from RAM as it was: both go. */
    return uc_ctl_flush_tlb(e->uc) == UC_ERR_OK && uc_ctl_flush_tb(e->uc) == UC_ERR_OK;
}

void engine_describe(const struct engine *e, char *buf, size_t len)
{
    const struct ctx_layout *L = &e->lay;
    snprintf(buf, len,
             "context %zu bytes: gpr %zu eip %zu eflags %zu cc_src %zu cc_op %zu (flags mode %" PRIu32
             ") df %zu hflags %zu segs %zu (sel+%zu base+%zu limit+%zu flags+%zu) ldtr %zu tr %zu "
             "gdtr %zu idtr %zu cr0 %zu cr2 %zu cr3 %zu cr4 %zu error_code %zu exception_is_int %zu "
             "old_exception %zu; state %s",
             e->ctx_size, L->gpr[0], L->eip, L->eflags, L->cc_src, L->cc_op, L->cc_op_eflags, L->df,
             L->hflags, L->seg[0], L->sc_sel, L->sc_base, L->sc_limit, L->sc_flags, L->ldtr, L->tr,
             L->gdtr, L->idtr, L->cr[0], L->cr[2], L->cr[3], L->cr[4], L->error_code,
             L->exception_is_int, L->old_exception,
             e->live ? "read and written in place" : "through whole copies");
}

bool engine_state_in_place(const struct engine *e)
{
    return e->live != NULL;
}

uint8_t *engine_ram(struct engine *e)
{
    return e->ram;
}

size_t engine_ram_size(struct engine *e)
{
    return e->ram_size;
}

/* A word of RAM, or of a monitor's memory: the real page tables may be a
 * monitor's shadow ones. */
static uint32_t ram_word(const struct engine *e, uint32_t paddr)
{
    uint32_t v = 0;
    if (paddr <= e->ram_size - 4)
        memcpy(&v, e->ram + paddr, 4);
    else if (e->host_mem && paddr >= e->host_base && paddr - e->host_base <= e->host_size - 4)
        memcpy(&v, e->host_mem + (paddr - e->host_base), 4);
    return v;
}

/* Does the page of `linear` map to RAM now (4 KiB and 4 MiB pages, SDM
 * Vol. 3A 4.3)?  Unicorn can only have translated code from RAM, and
 * asking it to drop code at any other address makes it fetch from there:
 * an access outside RAM that ends the run. */
static bool page_in_ram(struct engine *e, uint32_t linear)
{
    struct paging_regs r = engine_paging_regs(e);
    uint64_t phys = linear;
    if (r.cr0 & CR0_PG) {
        uint32_t pde = ram_word(e, (r.cr3 & 0xfffff000u) + (linear >> 22) * 4);
        if (!(pde & 1))
            return false;
        if ((pde & 0x80) && (r.cr4 & CR4_PSE)) {
            phys = (pde & 0xffc00000u) | (linear & 0x3fffffu);
        } else {
            uint32_t pte = ram_word(e, (pde & 0xfffff000u) + ((linear >> 12) & 0x3ffu) * 4);
            if (!(pte & 1))
                return false;
            phys = (pte & 0xfffff000u) | (linear & 0xfffu);
        }
    }
    return phys < e->ram_size;
}

bool engine_discard_code(struct engine *e, uint32_t linear, size_t len)
{
    if (len == 0)
        return true;
    if (len > 0xffffffffu - linear)
        return false;
    uint32_t cr2 = engine_cr2(e);
    bool ok = true;
    /* Page by page, where there is RAM: nowhere else can code have been translated from. */
    for (uint64_t at = linear, end = (uint64_t)linear + len; at < end;) {
        uint64_t next = (at | 0xfffu) + 1;
        if (next > end)
            next = end;
        if (page_in_ram(e, (uint32_t)at)) {
            ok = uc_ctl_remove_cache(e->uc, at, next) == UC_ERR_OK && ok;
            e->retranslations++;
        }
        at = next;
    }
    if (engine_cr2(e) != cr2) {
        /* Unicorn's walk for an unmapped address set CR2: put it back
         * through the context (the register API's CR2 write also sets CR3). */
        if (uc_context_save(e->uc, e->peek) == UC_ERR_OK) {
            ctx_set_u32(e->peek, e->lay.cr[2], cr2);
            ok = uc_context_restore(e->uc, e->peek) == UC_ERR_OK && ok;
        }
    }
    return ok;
}

bool engine_phys_write(struct engine *e, uint32_t paddr, const void *src, size_t len)
{
    if (len > e->ram_size || paddr > e->ram_size - len)
        return false;
    /* The RAM is the engine's own memory (mapped by pointer): a plain copy
     * is what uc_mem_write would do, at a tenth of the cost.  Neither
     * discards translated code, so do that here.  Unicorn names code by
     * linear address only; with paging off that is the physical one. */
    memcpy(e->ram + paddr, src, len);
    uint32_t cr0;
    if (uc_reg_read(e->uc, UC_X86_REG_CR0, &cr0) != UC_ERR_OK)
        return false;
    if (!(cr0 & CR0_PG))
        return engine_discard_code(e, paddr, len);
    return true;
}

void engine_flush_code(struct engine *e)
{
    /* Unicorn's flush clears its whole code buffer (tens of MiB, touched
     * for the first time at the first boot): not when there is nothing in it. */
    if (!e->ran)
        return;
    uc_ctl_flush_tb(e->uc);
    e->ran = false;
    e->retranslations = 0;
}

/* Before a run: flush while Unicorn's buffer still has room (see
 * ENGINE_RETRANSLATIONS_PER_FLUSH). */
static void flush_before_full(struct engine *e)
{
    if (e->retranslations >= ENGINE_RETRANSLATIONS_PER_FLUSH)
        engine_flush_code(e);
}

/* ---- hooks ------------------------------------------------------------------
 * Unicorn's callbacks, turned into the machine's (engine.h).  Only the
 * block hook goes in directly: it runs before every block. */

static void on_interrupt(uc_engine *uc, uint32_t intno, void *user)
{
    struct engine *e = user;
    (void)uc;
    e->hooks.interrupt(e->hooks_opaque, (int)intno);
}

static uint32_t on_in(uc_engine *uc, uint32_t port, int size, void *user)
{
    struct engine *e = user;
    (void)uc;
    return e->hooks.port_in(e->hooks_opaque, (uint16_t)port, size);
}

static void on_out(uc_engine *uc, uint32_t port, int size, uint32_t value, void *user)
{
    struct engine *e = user;
    (void)uc;
    e->hooks.port_out(e->hooks_opaque, (uint16_t)port, size, value);
}

static void on_sysenter(uc_engine *uc, void *user)
{
    struct engine *e = user;
    (void)uc;
    e->hooks.sysenter(e->hooks_opaque);
}

static void on_syscall(uc_engine *uc, void *user)
{
    struct engine *e = user;
    (void)uc;
    e->hooks.syscall(e->hooks_opaque);
}

/* Returning 1 tells Unicorn the hook has answered: its own CPUID does not run. */
static int on_cpuid(uc_engine *uc, void *user)
{
    struct engine *e = user;
    uint32_t leaf = 0, sub = 0, regs[4];
    uc_reg_read(uc, UC_X86_REG_EAX, &leaf);
    uc_reg_read(uc, UC_X86_REG_ECX, &sub);
    e->hooks.cpuid(e->hooks_opaque, leaf, sub, regs);
    uc_reg_write(uc, UC_X86_REG_EAX, &regs[0]);
    uc_reg_write(uc, UC_X86_REG_EBX, &regs[1]);
    uc_reg_write(uc, UC_X86_REG_ECX, &regs[2]);
    uc_reg_write(uc, UC_X86_REG_EDX, &regs[3]);
    return 1;
}

/* Returning false ends the run with UC_ERR_INSN_INVALID: the machine
 * delivers #UD itself (Unicorn cannot from here). */
static bool on_invalid(uc_engine *uc, void *user)
{
    (void)uc;
    (void)user;
    return false;
}

static bool on_unmapped(uc_engine *uc, uc_mem_type type, uint64_t addr, int size, int64_t value,
                        void *user)
{
    struct engine *e = user;
    (void)uc;
    (void)value;
    char kind = type == UC_MEM_FETCH_UNMAPPED ? 'x' : type == UC_MEM_WRITE_UNMAPPED ? 'w' : 'r';
    e->hooks.unmapped(e->hooks_opaque, kind, addr, size);
    return false;
}

bool engine_set_hooks(struct engine *e, const struct engine_hooks *hooks, void *opaque)
{
    if (e->ninstalled)
        return false;
    e->hooks = *hooks;
    e->hooks_opaque = opaque;
    uc_err r = UC_ERR_OK;
    uc_hook *h = e->installed;
    r |= uc_hook_add(e->uc, h++, UC_HOOK_INTR, (void *)on_interrupt, e, 1, 0);
    r |= uc_hook_add(e->uc, h++, UC_HOOK_BLOCK, (void *)hooks->block, opaque, 1, 0);
    r |= uc_hook_add(e->uc, h++, UC_HOOK_INSN, (void *)on_in, e, 1, 0, UC_X86_INS_IN);
    r |= uc_hook_add(e->uc, h++, UC_HOOK_INSN, (void *)on_out, e, 1, 0, UC_X86_INS_OUT);
    r |= uc_hook_add(e->uc, h++, UC_HOOK_INSN, (void *)on_sysenter, e, 1, 0, UC_X86_INS_SYSENTER);
    r |= uc_hook_add(e->uc, h++, UC_HOOK_INSN, (void *)on_syscall, e, 1, 0, UC_X86_INS_SYSCALL);
    r |= uc_hook_add(e->uc, h++, UC_HOOK_INSN, (void *)on_cpuid, e, 1, 0, UC_X86_INS_CPUID);
    r |= uc_hook_add(e->uc, h++, UC_HOOK_INSN_INVALID, (void *)on_invalid, e, 1, 0);
    e->ninstalled = (int)(h - e->installed);
    uc_hook unmapped;
    r |= uc_hook_add(e->uc, &unmapped, UC_HOOK_MEM_UNMAPPED, (void *)on_unmapped, e, 1, 0);
    /* Exits come from a list (empty but for engine_run_to), never from
     * uc_emu_start's `until`. */
    r |= uc_ctl_exits_enable(e->uc);
    return r == UC_ERR_OK;
}


/* ---- running ---------------------------------------------------------------- */

static enum engine_exit exit_of(struct engine *e, uc_err r)
{
    if (r == UC_ERR_OK)
        return ENGINE_RETURNED;
    if (r == UC_ERR_INSN_INVALID)
        return ENGINE_INVALID;
    snprintf(e->exit_text, sizeof e->exit_text, "%s", uc_strerror(r));
    return ENGINE_FAILED;
}

const char *engine_exit_text(const struct engine *e)
{
    return e->exit_text;
}

enum engine_exit engine_run(struct engine *e, uint32_t eip)
{
    /* In 32-bit mode uc_emu_start's `begin` is EIP itself (CS's base is
     * added by the CPU as usual); `until` stays 0: exits come from the list. */
    flush_before_full(e);
    e->ran = true;
    return exit_of(e, uc_emu_start(e->uc, eip, 0, 0, 0));
}

enum engine_exit engine_run_to(struct engine *e, uint32_t eip, uint32_t until)
{
    uint64_t exit_at = until;
    flush_before_full(e);
    /* The exit must be known when the code before it is translated. */
    engine_discard_code(e, until - 1, 1);
    uc_ctl_set_exits(e->uc, &exit_at, 1);
    e->ran = true;
    uc_err r = uc_emu_start(e->uc, eip, 0, 0, 0);
    uc_ctl_set_exits(e->uc, NULL, 0);
    /* The block translated at the exit only stops the run, and the one
     * before it ends early because of it: drop both. */
    engine_discard_code(e, until - 1, 2);
    enum engine_exit x = exit_of(e, r);
    struct cpu_state st;
    if (x == ENGINE_RETURNED && save_state(e, e->peek, &st) &&
        st.seg[SEG_CS].base + st.eip == until)
        x = ENGINE_AT_EXIT;
    return x;
}

void engine_stop(struct engine *e)
{
    uc_emu_stop(e->uc);
}

/* ---- code and write hooks ----------------------------------------------------- */

/* A hook the machine added: the handle engine_add_*_hook returns. */
struct user_hook {
    uc_hook h;
    uint32_t begin, end; /* a code hook's range */
    engine_code_fn code;
    engine_write_fn write;
    engine_read_fn read;
    void *opaque;
    struct user_hook *next, **prev; /* on engine.user_hooks */
};

static void user_hook_link(struct engine *e, struct user_hook *k)
{
    k->next = e->user_hooks;
    k->prev = &e->user_hooks;
    if (k->next)
        k->next->prev = &k->next;
    e->user_hooks = k;
}

static void user_hook_unlink(struct user_hook *k)
{
    *k->prev = k->next;
    if (k->next)
        k->next->prev = k->prev;
}

/* The hooks still there when the engine goes (uc_close drops Unicorn's side). */
static void engine_free_user_hooks(struct engine *e)
{
    while (e->user_hooks) {
        struct user_hook *k = e->user_hooks;
        user_hook_unlink(k);
        free(k);
    }
}

static void on_code(uc_engine *uc, uint64_t addr, uint32_t size, void *user)
{
    struct user_hook *k = user;
    (void)uc;
    k->code(k->opaque, (uint32_t)addr, size);
}

static bool on_write(uc_engine *uc, uc_mem_type type, uint64_t addr, int size, int64_t value,
                     void *user)
{
    struct user_hook *k = user;
    (void)uc;
    (void)type;
    k->write(k->opaque, addr, size, (uint64_t)value);
    return true;
}

static void on_read(uc_engine *uc, uc_mem_type type, uint64_t addr, int size, int64_t value,
                    void *user)
{
    struct user_hook *k = user;
    (void)uc;
    (void)type;
    (void)value;
    k->read(k->opaque, addr, size);
}

uintptr_t engine_add_code_hook(struct engine *e, engine_code_fn fn, void *opaque, uint32_t begin,
                               uint32_t end)
{
    struct user_hook *k = calloc(1, sizeof *k);
    if (!k)
        return 0;
    k->code = fn;
    k->opaque = opaque;
    k->begin = begin;
    k->end = end;
    if (uc_hook_add(e->uc, &k->h, UC_HOOK_CODE, (void *)on_code, k, begin, end) != UC_ERR_OK) {
        free(k);
        return 0;
    }
    user_hook_link(e, k);
    /* Code translated before the hook existed does not call it. */
    if (begin > end)
        engine_flush_code(e);
    else
        engine_discard_code(e, begin, (size_t)(end - begin) + 1);
    return (uintptr_t)k;
}

uintptr_t engine_add_write_hook(struct engine *e, engine_write_fn fn, void *opaque,
                                uint64_t begin, uint64_t end)
{
    struct user_hook *k = calloc(1, sizeof *k);
    if (!k)
        return 0;
    k->write = fn;
    k->opaque = opaque;
    k->begin = 1; /* everywhere: a flush when it goes */
    if (uc_hook_add(e->uc, &k->h, UC_HOOK_MEM_WRITE, (void *)on_write, k, begin, end) !=
        UC_ERR_OK) {
        free(k);
        return 0;
    }
    user_hook_link(e, k);
    /* Stores already translated go the fast way, past the hook. */
    engine_flush_code(e);
    return (uintptr_t)k;
}

uintptr_t engine_add_read_hook(struct engine *e, engine_read_fn fn, void *opaque, uint64_t begin,
                               uint64_t end)
{
    struct user_hook *k = calloc(1, sizeof *k);
    if (!k)
        return 0;
    k->read = fn;
    k->opaque = opaque;
    k->begin = 1; /* everywhere: a flush when it goes */
    if (uc_hook_add(e->uc, &k->h, UC_HOOK_MEM_READ, (void *)on_read, k, begin, end) != UC_ERR_OK) {
        free(k);
        return 0;
    }
    user_hook_link(e, k);
    /* Loads already translated go the fast way, past the hook. */
    engine_flush_code(e);
    return (uintptr_t)k;
}

void engine_del_hook(struct engine *e, uintptr_t hook)
{
    struct user_hook *k = (struct user_hook *)hook;
    if (!k)
        return;
    uc_hook_del(e->uc, k->h);
    /* Translations made while it existed call it (or take the slow path
     * for stores); they go with it. */
    if (k->begin > k->end)
        engine_flush_code(e);
    else
        engine_discard_code(e, k->begin, (size_t)(k->end - k->begin) + 1);
    user_hook_unlink(k);
    free(k);
}

/* ---- single registers ----------------------------------------------------------- */

static uint32_t reg_r32(struct engine *e, int reg)
{
    uint32_t v = 0;
    uc_reg_read(e->uc, reg, &v);
    return v;
}

uint32_t engine_gpr(struct engine *e, int gpr)
{
    return gpr >= 0 && gpr < 8 ? reg_r32(e, gpr_regs[gpr]) : 0;
}

uint32_t engine_eip(struct engine *e)
{
    return reg_r32(e, UC_X86_REG_EIP);
}

uint32_t engine_eflags(struct engine *e)
{
    return reg_r32(e, UC_X86_REG_EFLAGS);
}

uint16_t engine_cs(struct engine *e)
{
    return (uint16_t)reg_r32(e, UC_X86_REG_CS);
}

uint32_t engine_cr2(struct engine *e)
{
    return reg_r32(e, UC_X86_REG_CR2);
}

struct paging_regs engine_paging_regs(struct engine *e)
{
    struct paging_regs r = {.cr0 = reg_r32(e, UC_X86_REG_CR0),
                            .cr3 = reg_r32(e, UC_X86_REG_CR3),
                            .cr4 = reg_r32(e, UC_X86_REG_CR4)};
    return r;
}

bool engine_code32(struct engine *e)
{
    const uc_context *c = current_context(e);
    return c ? (ctx_u32(c, e->lay.hflags) & HF_CS32) != 0 : true;
}

/* ---- memory outside RAM ------------------------------------------------ */

static uint64_t on_mmio_read(uc_engine *uc, uint64_t offset, unsigned size, void *user)
{
    struct mmio_region *r = user;
    (void)uc;
    return r->read(r->opaque, (uint32_t)offset, (int)size);
}

static void on_mmio_write(uc_engine *uc, uint64_t offset, unsigned size, uint64_t value,
                          void *user)
{
    struct mmio_region *r = user;
    (void)uc;
    r->write(r->opaque, (uint32_t)offset, (int)size, (uint32_t)value);
}

bool engine_map_mmio(struct engine *e, uint32_t base, uint32_t size, engine_mmio_read_fn read,
                     engine_mmio_write_fn write, void *opaque)
{
    if (base % 4096 || size % 4096 || size == 0 || (uint64_t)base < e->ram_size ||
        (uint64_t)base + size > 0x100000000ull)
        return false;
    struct mmio_region *r = NULL;
    for (int i = 0; i < ENGINE_MAX_MMIO && !r; i++)
        if (!e->mmio[i].used)
            r = &e->mmio[i];
    if (!r)
        return false;
    *r = (struct mmio_region){read, write, opaque, base, size, true};
    if (uc_mmio_map(e->uc, base, size, on_mmio_read, r, on_mmio_write, r) != UC_ERR_OK) {
        r->used = false;
        return false;
    }
    return true;
}

bool engine_unmap_mmio(struct engine *e, uint32_t base)
{
    for (int i = 0; i < ENGINE_MAX_MMIO; i++) {
        struct mmio_region *r = &e->mmio[i];
        if (!r->used || r->base != base)
            continue;
        if (uc_mem_unmap(e->uc, r->base, r->size) != UC_ERR_OK)
            return false;
        r->used = false;
        /* Code that ran with the old map may have been translated with it. */
        uc_ctl_flush_tb(e->uc);
        return true;
    }
    return false;
}

bool engine_map_host_memory(struct engine *e, uint32_t base, void *mem, size_t size)
{
    if (e->host_mem || base % 4096 || size % 4096 || size == 0 || (uint64_t)base < e->ram_size ||
        (uint64_t)base + size > 0x100000000ull)
        return false;
    if (uc_mem_map_ptr(e->uc, base, size, UC_PROT_READ | UC_PROT_WRITE, mem) != UC_ERR_OK)
        return false;
    e->host_mem = mem;
    e->host_base = base;
    e->host_size = size;
    return true;
}

bool engine_map_rom(struct engine *e, uint32_t base, const uint8_t *rom, size_t size)
{
    if (base % 4096 || size % 4096 || size == 0 || (uint64_t)base < e->ram_size ||
        (uint64_t)base + size > 0x100000000ull)
        return false;
    /* Read and execute only: a store to the ROM ends the run as any store
     * outside RAM does. */
    if (uc_mem_map(e->uc, base, size, UC_PROT_READ | UC_PROT_EXEC) != UC_ERR_OK)
        return false;
    return uc_mem_write(e->uc, base, rom, size) == UC_ERR_OK;
}

struct seg_cache engine_tr(struct engine *e)
{
    uc_x86_mmr tr;
    memset(&tr, 0, sizeof tr);
    uc_reg_read(e->uc, UC_X86_REG_TR, &tr);
    struct seg_cache s = {tr.selector, (uint32_t)tr.base, tr.limit, tr.flags};
    return s;
}
