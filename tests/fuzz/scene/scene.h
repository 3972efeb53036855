/* The scene generator's model: a random but well-formed protection scene
 * (GDT and LDT descriptors, IDT gates, the TSS stacks, page tables, IOPL
 * and the I/O bitmap, the SYSENTER MSRs) and the one action performed in
 * it, written out as a guest for tests/fuzz/scene/scene.inc.  Everything
 * follows from the seed: the same seed writes the same guest. */
#ifndef RINGLAB_SCENE_H
#define RINGLAB_SCENE_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ---- a deterministic random source (splitmix64) ----------------------- */

struct rng {
    uint64_t state;
};

uint64_t rng_next(struct rng *r);
uint32_t rng_below(struct rng *r, uint32_t n);  /* 0 .. n-1 */
bool rng_chance(struct rng *r, unsigned percent); /* true percent% of the time */

/* ---- growing text ------------------------------------------------------ */

struct sbuf {
    char *text;
    size_t len, cap;
};

void sbuf_add(struct sbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void sbuf_free(struct sbuf *b);

/* ---- the fixed layout of scene.inc ------------------------------------- */

#define SEL_KCODE 0x08
#define SEL_KDATA 0x10
#define SEL_UCODE 0x1b
#define SEL_UDATA 0x23
#define SEL_MAIN_TSS 0x28
#define SEL_R1CODE 0x41
#define SEL_R1DATA 0x49
#define SEL_R2CODE 0x52
#define SEL_R2DATA 0x5a
#define SEL_SCENE_LDT 0x60
#define SEL_SCENE_TSS 0x68
#define FIRST_SLOT 14 /* GDT index of the first scene slot */
#define GDT_SLOTS 30  /* entries in the GDT */
#define SCENE_SLOTS (GDT_SLOTS - FIRST_SLOT)
#define LDT_SLOTS 8
#define CODE_BASE 0x100000u
#define SCENE_LIN 0x00400000u
#define BIG_LIN 0x00800000u
#define SCENE_PAGES 16 /* PTEs of the scene page table the scene uses */

/* What a descriptor is for, so that the action can pick a fitting one. */
enum role {
    ROLE_NONE,       /* all zero */
    ROLE_CODE_FLAT,  /* code, base 0, 4 GiB */
    ROLE_CODE_BASED, /* code, base CODE_BASE, 4 GiB: handler offsets fit 16 bits */
    ROLE_CODE_SMALL, /* code, base CODE_BASE, a small limit */
    ROLE_CODE16,     /* 16-bit code: never run */
    ROLE_DATA_FLAT,  /* data, base 0, 4 GiB */
    ROLE_DATA_SMALL, /* data with a small limit, maybe expand-down */
    ROLE_STACK16,    /* 16-bit writable data at stack16, limit 0xffff */
    ROLE_LDT,
    ROLE_TSS,        /* the scene TSS, available or busy, maybe too short */
    ROLE_TSS16,      /* the scene TSS seen as a 16-bit one */
    ROLE_CALL_GATE,
    ROLE_TASK_GATE,
    ROLE_INTR_GATE,  /* an interrupt or trap gate where none belongs */
    ROLE_RESERVED,   /* a reserved system type */
    ROLE_RANDOM,     /* eight random bytes */
};

struct desc {
    enum role role;
    uint8_t dpl;
    bool present;
    bool limited; /* a data, stack or code limit that an access could hit */
    bool pinned;  /* a selector to it was handed out: keep it as it is */
    uint32_t base_value; /* the base as a number, when known (targets) */
    const char *base_expr; /* the base as the guest's source spells it */
    /* how it is written: SET_DESC/SET_LDESC, SET_GATE or SET_RAW */
    char text[160];
};

/* One action, and what the judge needs to know about it. */
struct scene {
    uint64_t seed;
    struct rng rng;
    int ring;            /* the action's CPL */
    uint32_t eflags;     /* the action's EFLAGS */
    bool paging, wp, pse;
    bool use_ldt;
    uint16_t ds;         /* DS..GS in the action's ring */
    struct desc gdt[SCENE_SLOTS];
    struct desc ldt[LDT_SLOTS];
    uint16_t gdt_limit;
    uint32_t tss_limit;
    uint16_t tss_ss[3];
    uint32_t tss_esp[3];
    int gate_count;      /* IDT gates the scene rewrote */
    int vectors[8];
    struct sbuf setup;   /* the body of scene_setup */
    struct sbuf action;  /* the body of action */
    struct sbuf name;    /* one line for people */
    struct sbuf meta;    /* key value lines for the judge */
    bool limit_dep;      /* the result may depend on a segment limit */
    char limit_why[128];
};

/* scene_gen.c: the tables, stacks, pages and gates */
void scene_init(struct scene *s, uint64_t seed);
void scene_build_tables(struct scene *s);
/* A selector for a purpose (see the SEL_FOR_* kinds), RPL included; marks
 * the scene limit-dependent when the descriptor chosen is limited and
 * `used` says it will be used. */
enum sel_for {
    SEL_FOR_CODE,     /* a code segment to enter (gate, call, IRET target) */
    SEL_FOR_DATA,     /* a data segment to load into DS..GS */
    SEL_FOR_STACK,    /* a stack segment for ring `ring` */
    SEL_FOR_GATE,     /* a call gate (or anything else a far CALL may name) */
    SEL_FOR_TSS,      /* a task-switch target */
    SEL_FOR_ANY,
};
uint16_t scene_pick_selector(struct scene *s, enum sel_for what, int ring, bool used);
/* The base of the segment a selector names (0 when not known): what a
 * handler's offset (or a data offset) must be relative to, as a number
 * and as the guest's source spells it ("0", "CODE_BASE", "seg_area"...). */
uint32_t scene_selector_base(const struct scene *s, uint16_t sel);
const char *scene_base_expr(const struct scene *s, uint16_t sel);
/* The same for a code segment: "CODE_BASE" or "0" (a label minus a data
 * label is no constant to the assembler). */
const char *scene_code_base_expr(const struct scene *s, uint16_t sel);
/* A 32-bit code segment based at CODE_BASE of DPL dpl (usually present), RPL = DPL:
 * a target for 16-bit gates, whose offsets have 16 bits. */
uint16_t scene_based_code(struct scene *s, int dpl);
/* A present code segment of DPL dpl, based at CODE_BASE or flat, RPL = DPL:
 * a target that works. */
uint16_t scene_working_code(struct scene *s, int dpl, bool based);
/* An IDT gate for vector v, at random; target_label is the stub. */
void scene_random_gate(struct scene *s, int vector);
void scene_note_limit(struct scene *s, const char *why);
/* A stack for ring r: selector and ESP, usually the harness's. */
void scene_pick_stack(struct scene *s, int ring, uint16_t *ss, char *esp_expr, size_t n);

/* scene_action.c: the action */
void scene_build_action(struct scene *s);

/* scene_emit.c: the guest and the judge's notes */
bool scene_write(const struct scene *s, const char *asm_path, const char *meta_path);

#endif
