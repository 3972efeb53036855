/* The scene: descriptors in the GDT's and LDT's free slots, IDT gates, the
 * main TSS's stacks, limit and I/O map base, the scene task, page tables,
 * CR0.WP and CR4.PSE, IOPL and the SYSENTER MSRs, each chosen at random
 * among the well-formed values and the interesting wrong ones (see
 * scene.h).  Everything is written as lines of scene_setup. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scene.h"

/* ---- helpers -------------------------------------------------------------- */

static int pick_weighted(struct rng *r, const unsigned *w, int n)
{
    unsigned total = 0;
    for (int i = 0; i < n; i++)
        total += w[i];
    unsigned x = rng_below(r, total);
    for (int i = 0; i < n; i++) {
        if (x < w[i])
            return i;
        x -= w[i];
    }
    return n - 1;
}

void scene_note_limit(struct scene *s, const char *why)
{
    if (!s->limit_dep)
        snprintf(s->limit_why, sizeof s->limit_why, "%s", why);
    s->limit_dep = true;
}

static const uint16_t ring_code[4] = {SEL_KCODE, SEL_R1CODE, SEL_R2CODE, SEL_UCODE};
static const uint16_t ring_data[4] = {SEL_KDATA, SEL_R1DATA, SEL_R2DATA, SEL_UDATA};

void scene_init(struct scene *s, uint64_t seed)
{
    memset(s, 0, sizeof *s);
    s->seed = seed;
    s->rng.state = seed * 0x2545F4914F6CDD1Dull + 1;
    s->gdt_limit = GDT_SLOTS * 8 - 1;
    s->tss_limit = 104 + 8192;
}

/* ---- descriptors ------------------------------------------------------ */

/* Where a slot is written: "SET_DESC 0x70," or "SET_LDESC 3,", and the
 * address of the entry for SET_GATE/SET_RAW. */
static void slot_where(bool in_ldt, int i, char *macro, size_t mn, char *addr, size_t an)
{
    if (in_ldt) {
        snprintf(macro, mn, "SET_LDESC %d,", i);
        snprintf(addr, an, "scene_ldt + %d", i * 8);
    } else {
        snprintf(macro, mn, "SET_DESC 0x%02x,", (FIRST_SLOT + i) * 8);
        snprintf(addr, an, "gdt + 0x%02x", (FIRST_SLOT + i) * 8);
    }
}

/* A code or data access byte (SDM Vol. 3A 3.4.5): P, DPL, S = 1, type. */
static unsigned access_byte(bool present, int dpl, unsigned type)
{
    return (present ? 0x80u : 0u) | ((unsigned)dpl << 5) | 0x10u | (type & 0xfu);
}

static unsigned sys_access(bool present, int dpl, unsigned type)
{
    return (present ? 0x80u : 0u) | ((unsigned)dpl << 5) | (type & 0xfu);
}

/* Make slot i of the GDT (or LDT) a descriptor of the given role. */
static void make_desc(struct scene *s, struct desc *d, bool in_ldt, int i, enum role role)
{
    struct rng *r = &s->rng;
    char macro[32], addr[32];
    slot_where(in_ldt, i, macro, sizeof macro, addr, sizeof addr);
    memset(d, 0, sizeof *d);
    d->role = role;
    d->dpl = (uint8_t)rng_below(r, 4);
    d->present = rng_chance(r, 88);
    d->base_expr = "0";
    unsigned acc = rng_chance(r, 30) ? 1u : 0u; /* Accessed already set */
    switch (role) {
    case ROLE_NONE:
        snprintf(d->text, sizeof d->text, "SET_RAW %s, 0, 0", addr);
        break;
    case ROLE_CODE_FLAT:
    case ROLE_CODE_BASED:
    case ROLE_CODE_SMALL:
    case ROLE_CODE16: {
        unsigned type = 0x8u | (rng_chance(r, 30) ? 4u : 0u) | (rng_chance(r, 80) ? 2u : 0u) | acc;
        d->base_value = role == ROLE_CODE_FLAT ? 0 : CODE_BASE;
        const char *base = role == ROLE_CODE_FLAT ? "0" : "CODE_BASE";
        d->base_expr = base;
        uint32_t limit = 0xfffff;
        unsigned flags = 0xc0; /* G, D */
        if (role == ROLE_CODE_SMALL) {
            limit = 0x100 + rng_below(r, 0x8000);
            flags = 0x40;
            d->limited = true;
        } else if (role == ROLE_CODE16) {
            limit = 0xffff;
            flags = 0x00;
            d->limited = true; /* 64 KiB: a read through it as DS can pass it */
        }
        snprintf(d->text, sizeof d->text, "%s %s, 0x%x, 0x%02x, 0x%02x", macro, base, limit,
                 access_byte(d->present, d->dpl, type), flags);
        break;
    }
    case ROLE_DATA_FLAT:
    case ROLE_DATA_SMALL:
    case ROLE_STACK16: {
        unsigned type = (rng_chance(r, 80) ? 2u : 0u) | acc;
        const char *base = "0";
        uint32_t limit = 0xfffff;
        unsigned flags = 0xc0;
        if (role == ROLE_DATA_SMALL) {
            /* based at a buffer of the guest's, so that an access past the
             * limit (which QEMU does not check) reads the same bytes */
            base = "seg_area";
            if (rng_chance(r, 40))
                type |= 4u; /* expand-down */
            limit = rng_below(r, 0x20000);
            flags = rng_chance(r, 50) ? 0x40 : 0xc0;
            if (flags == 0xc0)
                limit >>= 4;
            d->limited = true;
        } else if (role == ROLE_STACK16) {
            type |= 2u;
            base = "stack16";
            limit = 0xffff;
            flags = 0x00;
            d->limited = true; /* 64 KiB: an access through it can pass it */
        }
        d->base_expr = base;
        snprintf(d->text, sizeof d->text, "%s %s, 0x%x, 0x%02x, 0x%02x", macro, base, limit,
                 access_byte(d->present, d->dpl, type), flags);
        break;
    }
    case ROLE_LDT:
        snprintf(d->text, sizeof d->text, "%s scene_ldt, 0x%x, 0x%02x, 0x00", macro,
                 rng_chance(r, 80) ? LDT_SLOTS * 8 - 1 : rng_below(r, LDT_SLOTS * 8),
                 sys_access(d->present, d->dpl, 0x2));
        break;
    case ROLE_TSS:
    case ROLE_TSS16: {
        bool busy = rng_chance(r, 25);
        unsigned type = role == ROLE_TSS ? (busy ? 0xb : 0x9) : (busy ? 0x3 : 0x1);
        uint32_t limit = role == ROLE_TSS ? 103 : 43;
        if (rng_chance(r, 15))
            limit = rng_below(r, limit); /* too short for a task switch */
        snprintf(d->text, sizeof d->text, "%s scene_tss, 0x%x, 0x%02x, 0x00", macro, limit,
                 sys_access(d->present, d->dpl, type));
        break;
    }
    case ROLE_CALL_GATE:
    case ROLE_TASK_GATE:
    case ROLE_INTR_GATE:
        /* Filled in by the action when it needs one; until then, a gate to
         * a harness segment with a harmless target. */
        if (role == ROLE_TASK_GATE)
            snprintf(d->text, sizeof d->text, "SET_GATE %s, 0, 0x%x, 0x%02x, 0", addr,
                     SEL_SCENE_TSS, sys_access(d->present, d->dpl, 0x5));
        else
            snprintf(d->text, sizeof d->text, "SET_GATE %s, %s, 0x%x, 0x%02x, %u", addr,
                     role == ROLE_CALL_GATE ? "callgate_target" : "far_target",
                     ring_code[rng_below(r, 4)],
                     sys_access(d->present, d->dpl, role == ROLE_CALL_GATE ? 0xc : 0xe),
                     role == ROLE_CALL_GATE ? rng_below(r, 3) : 0);
        break;
    case ROLE_RESERVED: {
        static const unsigned types[4] = {0x0, 0x8, 0xa, 0xd};
        snprintf(d->text, sizeof d->text, "%s 0x%x, 0x%x, 0x%02x, 0x%02x", macro,
                 (unsigned)rng_below(r, 0x1000000), (unsigned)rng_below(r, 0x100000),
                 sys_access(d->present, d->dpl, types[rng_below(r, 4)]),
                 (unsigned)rng_below(r, 16) << 4);
        break;
    }
    case ROLE_RANDOM: {
        /* never present: a random base could put a data segment outside
         * RAM (where ringlab stops the machine and QEMU reads ones), a
         * random gate could send the CPU into any bytes */
        uint32_t lo = (uint32_t)rng_next(r), hi = (uint32_t)rng_next(r) & ~0x8000u;
        snprintf(d->text, sizeof d->text, "SET_RAW %s, 0x%08x, 0x%08x", addr, lo, hi);
        d->present = false;
        break;
    }
    }
}

static enum role random_role(struct rng *r)
{
    static const enum role roles[] = {
        ROLE_NONE,      ROLE_CODE_FLAT, ROLE_CODE_BASED, ROLE_CODE_SMALL, ROLE_CODE16,
        ROLE_DATA_FLAT, ROLE_DATA_SMALL, ROLE_STACK16,   ROLE_LDT,        ROLE_TSS,
        ROLE_TSS16,     ROLE_CALL_GATE, ROLE_TASK_GATE,  ROLE_INTR_GATE,  ROLE_RESERVED,
        ROLE_RANDOM,
    };
    static const unsigned w[] = {3, 14, 12, 4, 2, 16, 6, 5, 3, 5, 1, 8, 4, 2, 3, 2};
    return roles[pick_weighted(r, w, (int)(sizeof w / sizeof w[0]))];
}

/* Find a slot of a role (and DPL, -1 for any) or make one: returns its
 * selector without RPL.  Prefers the GDT. */
static uint16_t slot_of_role(struct scene *s, enum role role, int dpl, bool present)
{
    struct rng *r = &s->rng;
    bool ldt = s->use_ldt && rng_chance(r, 25);
    struct desc *t = ldt ? s->ldt : s->gdt;
    int n = ldt ? LDT_SLOTS : SCENE_SLOTS;
    int start = (int)rng_below(r, (uint32_t)n);
    for (int k = 0; k < n; k++) {
        int i = (start + k) % n;
        if (t[i].role == role && (dpl < 0 || t[i].dpl == dpl) && t[i].present) {
            t[i].pinned = true;
            return ldt ? (uint16_t)(i * 8 + 4) : (uint16_t)((FIRST_SLOT + i) * 8);
        }
    }
    /* none: remake a slot nobody refers to yet (all taken: any slot) */
    int i = start;
    for (int k = 0; k < n; k++)
        if (!t[(start + k) % n].pinned) {
            i = (start + k) % n;
            break;
        }
    do
        make_desc(s, &t[i], ldt, i, role);
    while ((dpl >= 0 && t[i].dpl != dpl) || (present && !t[i].present));
    t[i].pinned = true;
    return ldt ? (uint16_t)(i * 8 + 4) : (uint16_t)((FIRST_SLOT + i) * 8);
}

uint16_t scene_based_code(struct scene *s, int dpl)
{
    return (uint16_t)(slot_of_role(s, ROLE_CODE_BASED, dpl, false) | (unsigned)dpl);
}

uint16_t scene_working_code(struct scene *s, int dpl, bool based)
{
    return (uint16_t)(slot_of_role(s, based ? ROLE_CODE_BASED : ROLE_CODE_FLAT, dpl, true) | (unsigned)dpl);
}

static struct desc *desc_of(struct scene *s, uint16_t sel)
{
    int index = sel >> 3;
    if (sel & 4)
        return index < LDT_SLOTS ? &s->ldt[index] : NULL;
    if (index >= FIRST_SLOT && index < GDT_SLOTS)
        return &s->gdt[index - FIRST_SLOT];
    return NULL;
}

uint32_t scene_selector_base(const struct scene *s, uint16_t sel)
{
    const struct desc *d = desc_of((struct scene *)s, sel);
    return d ? d->base_value : 0;
}

const char *scene_code_base_expr(const struct scene *s, uint16_t sel)
{
    return scene_selector_base(s, sel) == CODE_BASE ? "CODE_BASE" : "0";
}

const char *scene_base_expr(const struct scene *s, uint16_t sel)
{
    const struct desc *d = desc_of((struct scene *)s, sel);
    return d && d->base_expr ? d->base_expr : "0";
}

static bool role_is_code(enum role r)
{
    return r == ROLE_CODE_FLAT || r == ROLE_CODE_BASED || r == ROLE_CODE_SMALL || r == ROLE_CODE16;
}

static bool role_is_data(enum role r)
{
    return r == ROLE_DATA_FLAT || r == ROLE_DATA_SMALL || r == ROLE_STACK16;
}

uint16_t scene_pick_selector(struct scene *s, enum sel_for what, int ring, bool used)
{
    struct rng *r = &s->rng;
    uint16_t sel;
    unsigned x = rng_below(r, 100);
    if (x < 45) {
        /* the harness's own, fitting */
        switch (what) {
        case SEL_FOR_CODE: {
            int t = (int)rng_below(r, 4);
            sel = ring_code[t];
            break;
        }
        case SEL_FOR_DATA: sel = ring_data[rng_chance(r, 70) ? ring : (int)rng_below(r, 4)]; break;
        case SEL_FOR_STACK: sel = ring_data[ring]; break;
        case SEL_FOR_TSS: sel = SEL_SCENE_TSS; break;
        default: sel = rng_chance(r, 50) ? ring_code[rng_below(r, 4)] : ring_data[rng_below(r, 4)];
        }
    } else if (x < 85) {
        /* a scene slot of a fitting role */
        enum role role;
        switch (what) {
        case SEL_FOR_CODE: {
            /* (16-bit code only by chance: a 32-bit stub does not run there) */
            static const enum role code[] = {ROLE_CODE_FLAT, ROLE_CODE_BASED, ROLE_CODE_SMALL};
            static const unsigned w[] = {10, 10, 2};
            role = code[pick_weighted(r, w, 3)];
            break;
        }
        case SEL_FOR_DATA:
        case SEL_FOR_STACK: {
            static const enum role data[] = {ROLE_DATA_FLAT, ROLE_DATA_SMALL, ROLE_STACK16,
                                             ROLE_CODE_FLAT};
            static const unsigned w[] = {10, 3, 3, 1};
            role = data[pick_weighted(r, w, 4)];
            break;
        }
        case SEL_FOR_GATE: role = rng_chance(r, 80) ? ROLE_CALL_GATE : ROLE_TASK_GATE; break;
        case SEL_FOR_TSS: role = rng_chance(r, 70) ? ROLE_TSS : ROLE_TASK_GATE; break;
        default: role = random_role(r);
        }
        int dpl = what == SEL_FOR_STACK && rng_chance(r, 80) ? ring : -1;
        sel = slot_of_role(s, role, dpl, false);
        const struct desc *d = desc_of(s, sel);
        int rpl = what == SEL_FOR_STACK ? ring : (what == SEL_FOR_CODE ? d->dpl : ring);
        if (rng_chance(r, 15))
            rpl = (int)rng_below(r, 4);
        sel |= (uint16_t)rpl;
    } else if (x < 92) {
        /* any slot, as it is */
        sel = rng_chance(r, 70) || !s->use_ldt ? (uint16_t)((FIRST_SLOT + rng_below(r, SCENE_SLOTS)) * 8)
                                               : (uint16_t)(rng_below(r, LDT_SLOTS) * 8 + 4);
        sel |= (uint16_t)rng_below(r, 4);
    } else if (x < 96) {
        sel = (uint16_t)rng_below(r, 4); /* null */
    } else if (x < 98) {
        sel = (uint16_t)((GDT_SLOTS + rng_below(r, 8)) * 8 + rng_below(r, 4)); /* past the GDT */
    } else {
        sel = (uint16_t)(rng_below(r, 16) * 8 + 4 + rng_below(r, 4)); /* the LDT, maybe past it */
    }
    const struct desc *d = desc_of(s, sel);
    /* 16-bit code is never entered: the stubs are 32-bit code, and what a
     * 32-bit stub does as 16-bit code is no protection matter */
    if (d && d->role == ROLE_CODE16 && d->present && what != SEL_FOR_DATA && what != SEL_FOR_STACK) {
        sel = (uint16_t)(ring_code[ring & 3]);
        d = NULL;
    }
    if (used && d && d->limited && d->present && (role_is_data(d->role) || role_is_code(d->role)))
        scene_note_limit(s, "a segment with a small limit is used");
    /* A null selector may be loaded into DS, ES, FS or GS but not used
     * (SDM Vol. 3A 3.4.2): ringlab faults, QEMU reads through it. */
    if (used && (sel & ~3u) == 0 && what != SEL_FOR_STACK && what != SEL_FOR_CODE)
        scene_note_limit(s, "a null selector is used");
    return sel;
}

void scene_pick_stack(struct scene *s, int ring, uint16_t *ss, char *esp, size_t n)
{
    struct rng *r = &s->rng;
    static const char *const tops[4] = {"stack0_top", "stack1_top", "stack2_top", "stack3_top"};
    unsigned x = rng_below(r, 100);
    if (x < 70) {
        *ss = ring_data[ring];
        snprintf(esp, n, "%s", tops[ring]);
    } else if (x < 80 && s->paging) {
        *ss = ring_data[ring];
        snprintf(esp, n, "0x%x", SCENE_LIN + rng_below(r, SCENE_PAGES) * 4096 + 0x800);
    } else if (x < 88) {
        *ss = scene_pick_selector(s, SEL_FOR_STACK, ring, true);
        const struct desc *d = desc_of(s, *ss);
        if (d && d->role == ROLE_STACK16)
            snprintf(esp, n, "0x800");
        else
            snprintf(esp, n, "alt_stack_top");
    } else {
        *ss = scene_pick_selector(s, SEL_FOR_ANY, ring, true);
        snprintf(esp, n, "alt_stack_top");
    }
}

/* ---- IDT gates ---------------------------------------------------------- */

void scene_random_gate(struct scene *s, int v)
{
    struct rng *r = &s->rng;
    char addr[32];
    snprintf(addr, sizeof addr, "idt + 0x%x", v * 8);
    int dpl = (int)rng_below(r, 4);
    bool present = rng_chance(r, 88);
    unsigned x = rng_below(r, 100);
    for (int i = 0; i < s->gate_count; i++)
        if (s->vectors[i] == v)
            return; /* once per vector */
    if (s->gate_count < (int)(sizeof s->vectors / sizeof s->vectors[0]))
        s->vectors[s->gate_count++] = v;
    if (x < 30) {
        /* a gate that works: DPL >= CPL, present, to a present code segment
         * of DPL <= CPL; 16-bit ones to a based segment */
        int t = (int)rng_below(r, (uint32_t)s->ring + 1);
        bool is16 = rng_chance(r, 20);
        uint16_t sel = is16 || rng_chance(r, 40) ? scene_working_code(s, t, true)
                                                 : rng_chance(r, 50) ? ring_code[t]
                                                                     : scene_working_code(s, t, false);
        unsigned type = (is16 ? 0x6 : 0xe) | (rng_chance(r, 40) ? 1u : 0u);
        int gdpl = s->ring + (int)rng_below(r, (uint32_t)(4 - s->ring));
        sbuf_add(&s->setup, "        SET_GATE %s, stub_%d - %s, 0x%x, 0x%02x, 0\n", addr, v,
                 scene_code_base_expr(s, sel), sel, sys_access(true, gdpl, type));
        if (is16)
            sbuf_add(&s->setup, "        SET_GATE_HI %s, 0\n", addr);
    } else if (x < 60) {
        /* a 32-bit interrupt or trap gate to a code segment */
        uint16_t sel = scene_pick_selector(s, SEL_FOR_CODE, 0, true);
        unsigned type = rng_chance(r, 60) ? 0xe : 0xf;
        sbuf_add(&s->setup, "        SET_GATE %s, stub_%d - %s, 0x%x, 0x%02x, 0\n", addr, v,
                 scene_code_base_expr(s, sel), sel, sys_access(present, dpl, type));
    } else if (x < 70) {
        /* a 16-bit gate: its target a based segment, so the offset fits */
        uint16_t sel = scene_based_code(s, (int)rng_below(r, 4));
        unsigned type = rng_chance(r, 60) ? 0x6 : 0x7;
        sbuf_add(&s->setup, "        SET_GATE %s, stub_%d - CODE_BASE, 0x%x, 0x%02x, 0\n", addr, v,
                 sel, sys_access(present, dpl, type));
        unsigned hi = 0;
        if (rng_chance(r, 25)) {
            hi = 1 + rng_below(r, 0xffff);
            sbuf_add(&s->meta, "gate16hi %d\n", v);
        }
        sbuf_add(&s->setup, "        SET_GATE_HI %s, 0x%x\n", addr, hi);
    } else if (x < 82) {
        uint16_t sel = scene_pick_selector(s, SEL_FOR_TSS, 0, true);
        sbuf_add(&s->setup, "        SET_GATE %s, 0, 0x%x, 0x%02x, 0\n", addr, sel,
                 sys_access(present, dpl, 0x5));
    } else if (x < 91) {
        /* not a gate: another system type, or a code or data descriptor */
        static const unsigned types[] = {0x0, 0x1, 0x2, 0x3, 0x4, 0x8, 0x9, 0xa, 0xb, 0xc, 0xd};
        unsigned acc = rng_chance(r, 70) ? sys_access(present, dpl, types[rng_below(r, 11)])
                                         : access_byte(present, dpl, rng_below(r, 16));
        sbuf_add(&s->setup, "        SET_GATE %s, stub_%d, 0x%x, 0x%02x, 0\n", addr, v, SEL_KCODE,
                 acc);
    } else {
        /* a gate with any selector at all */
        uint16_t sel = scene_pick_selector(s, SEL_FOR_ANY, 0, true);
        unsigned type = rng_chance(r, 70) ? 0xe : 0xf;
        sbuf_add(&s->setup, "        SET_GATE %s, stub_%d - %s, 0x%x, 0x%02x, 0\n", addr, v,
                 scene_code_base_expr(s, sel), sel, sys_access(present, dpl, type));
    }
}

/* ---- the whole scene -------------------------------------------------- */

static void build_paging(struct scene *s)
{
    struct rng *r = &s->rng;
    s->paging = rng_chance(r, 70);
    s->wp = rng_chance(r, 50);
    s->pse = rng_chance(r, 50);
    sbuf_add(&s->setup, "        mov dword [scene_cr0], 0x%08x\n",
             (s->paging ? 0x80000000u : 0u) | (s->wp ? 0x10000u : 0u));
    sbuf_add(&s->setup, "        mov dword [scene_cr4], 0x%x\n", s->pse ? 0x10u : 0u);
    /* The scene's page table: 16 pages over scratch frames, U/S, R/W, P,
     * A and D at random (SDM Vol. 3A 4.3, Table 4-6). */
    for (int k = 0; k < SCENE_PAGES; k++) {
        unsigned flags = (rng_chance(r, 80) ? 1u : 0u) | (rng_chance(r, 60) ? 4u : 0u) |
                         (rng_chance(r, 60) ? 2u : 0u) | (rng_chance(r, 30) ? 0x20u : 0u) |
                         (rng_chance(r, 20) ? 0x40u : 0u);
        sbuf_add(&s->setup, "        mov dword [scene_pt + %d], SCRATCH + 0x%x + 0x%x\n", k * 4,
                 rng_below(r, 64) * 4096, flags);
    }
    unsigned pde1 = (rng_chance(r, 95) ? 1u : 0u) | (rng_chance(r, 80) ? 4u : 0u) |
                    (rng_chance(r, 80) ? 2u : 0u);
    sbuf_add(&s->setup, "        mov dword [page_dir + 4], scene_pt + 0x%x\n", pde1);
    /* The next 4 MiB: a 4 MiB page (CR4.PSE, PDE.PS), or the same PDE with
     * PSE off (then a page table made of the frame's bytes), or nothing. */
    unsigned x = rng_below(r, 100);
    if (x < 60) {
        unsigned flags = 0x80u | (rng_chance(r, 90) ? 1u : 0u) | (rng_chance(r, 60) ? 4u : 0u) |
                         (rng_chance(r, 60) ? 2u : 0u) | (rng_chance(r, 20) ? 0x60u : 0u);
        sbuf_add(&s->setup, "        mov dword [page_dir + 8], BIG_FRAME + 0x%x\n", flags);
    } else if (x < 75) {
        sbuf_add(&s->setup, "        mov dword [page_dir + 8], scene_pt + 0x%x\n",
                 1u | (rng_chance(r, 50) ? 4u : 0u) | (rng_chance(r, 50) ? 2u : 0u));
    }
}

static void build_tss(struct scene *s)
{
    struct rng *r = &s->rng;
    unsigned x = rng_below(r, 100);
    if (x < 60)
        s->tss_limit = 104 + 8192;
    else if (x < 72)
        s->tss_limit = 0x67;
    else if (x < 88)
        s->tss_limit = 104 + rng_below(r, 8192);
    else
        s->tss_limit = rng_below(r, 0x67);
    if (s->tss_limit != 104 + 8192)
        sbuf_add(&s->setup, "        SET_DESC MAIN_TSS, main_tss, 0x%x, 0x89, 0x00\n", s->tss_limit);
    /* SS:ESP for rings 0-2 (SDM Vol. 3A 7.2.1) */
    for (int n = 0; n < 3; n++) {
        char esp[48];
        uint16_t ss;
        scene_pick_stack(s, n, &ss, esp, sizeof esp);
        sbuf_add(&s->setup, "        mov dword [main_tss + %d], %s\n", 4 + 8 * n, esp);
        sbuf_add(&s->setup, "        mov dword [main_tss + %d], 0x%x\n", 8 + 8 * n, ss);
        s->tss_ss[n] = ss;
    }
    /* The I/O map base: past the TSS's fixed part, inside it, or past the limit. */
    x = rng_below(r, 100);
    uint32_t base = 104;
    if (x < 12)
        base = 0x68 + rng_below(r, 0x100);
    else if (x < 20)
        base = rng_below(r, 104);
    else if (x < 27)
        base = 0xffff - rng_below(r, 0x100);
    if (base != 104)
        sbuf_add(&s->setup, "        mov word [main_tss + 102], 0x%x\n", base);
    sbuf_add(&s->meta, "iomap %u\n", base);
    /* The scene task, for task gates and far JMP/CALL to a TSS: a ring at
     * random, usually well formed. */
    int tr = (int)rng_below(r, 4);
    /* (its CS limit is checked by both machines alike; its data segments are
     * never used; its stack takes the error code) */
    uint16_t cs = rng_chance(r, 75) ? ring_code[tr] : scene_pick_selector(s, SEL_FOR_CODE, tr, false);
    uint16_t ss = rng_chance(r, 80) ? ring_data[cs & 3] : scene_pick_selector(s, SEL_FOR_STACK, cs & 3, true);
    uint16_t ds = rng_chance(r, 80) ? ring_data[cs & 3] : scene_pick_selector(s, SEL_FOR_DATA, cs & 3, false);
    uint32_t efl = 0x2u | (rng_chance(r, 30) ? 0x200u : 0u) | (rng_below(r, 4) << 12);
    sbuf_add(&s->setup, "        mov dword [scene_tss + 32], stub_task - %s\n", scene_code_base_expr(s, cs));
    sbuf_add(&s->setup, "        mov dword [scene_tss + 36], 0x%x\n", efl);
    sbuf_add(&s->setup, "        mov dword [scene_tss + 76], 0x%x\n", cs);
    sbuf_add(&s->setup, "        mov dword [scene_tss + 80], 0x%x\n", ss);
    for (int k = 0; k < 4; k++) /* ES, DS, FS, GS */
        sbuf_add(&s->setup, "        mov dword [scene_tss + %d], 0x%x\n", k == 0 ? 72 : 80 + 4 * k, ds);
    if (rng_chance(r, 20))
        sbuf_add(&s->setup, "        mov dword [scene_tss + 96], 0x%x\n",
                 rng_chance(r, 50) ? SEL_SCENE_LDT : scene_pick_selector(s, SEL_FOR_ANY, 0, false));
    if (rng_chance(r, 15))
        sbuf_add(&s->setup, "        mov dword [scene_tss + 56], 0x%x\n",
                 SCENE_LIN + rng_below(r, SCENE_PAGES) * 4096 + 0x800);
}

void scene_build_tables(struct scene *s)
{
    struct rng *r = &s->rng;
    static const unsigned ring_w[4] = {25, 15, 15, 45};
    s->ring = pick_weighted(r, ring_w, 4);
    static const unsigned iopl_w[4] = {50, 12, 13, 25};
    s->eflags = 0x2u | ((unsigned)pick_weighted(r, iopl_w, 4) << 12) |
                (rng_chance(r, 30) ? 0x200u : 0u) | (rng_chance(r, 20) ? 0x1u : 0u) |
                (rng_chance(r, 10) ? 0x400u : 0u);
    s->use_ldt = rng_chance(r, 60);
    build_paging(s);
    for (int i = 0; i < SCENE_SLOTS; i++)
        make_desc(s, &s->gdt[i], false, i, random_role(r));
    for (int i = 0; i < LDT_SLOTS; i++)
        make_desc(s, &s->ldt[i], true, i, random_role(r));
    if (rng_chance(r, 12)) {
        s->gdt_limit = (uint16_t)((FIRST_SLOT + rng_below(r, SCENE_SLOTS)) * 8 + rng_below(r, 8) - 1);
        sbuf_add(&s->setup, "        mov word [gdt_ptr], 0x%x\n        lgdt [gdt_ptr]\n",
                 s->gdt_limit);
    }
    build_tss(s);
    /* Now and then a broken gate where a fault or #DF would go. */
    static const int exc[] = {8, 10, 11, 12, 13, 14};
    for (size_t i = 0; i < sizeof exc / sizeof exc[0]; i++)
        if (rng_chance(r, i == 0 ? 12 : 7))
            scene_random_gate(s, exc[i]);
    /* The data segments the action starts with: its ring's, or another
     * that ring 0 can load (the entry loads them before its IRET). */
    s->ds = ring_data[s->ring];
    if (rng_chance(r, 20)) {
        uint16_t sel = rng_chance(r, 50) ? ring_data[rng_below(r, 4)]
                                         : scene_pick_selector(s, SEL_FOR_DATA, s->ring, true);
        const struct desc *d = desc_of(s, sel);
        if (d == NULL ? (sel >> 3) >= 1 && (sel >> 3) < FIRST_SLOT && !(sel & 4)
                      : d->present && role_is_data(d->role) && (!(sel & 4) || s->use_ldt))
            s->ds = sel;
    }
    /* The entry's IRET to an outer ring nulls a data segment whose DPL is
     * below the new CPL (SDM Vol. 2A IRET): the action then runs with DS,
     * ES, FS and GS null, which ringlab lets no access use (QEMU does). */
    const struct desc *dsd = desc_of(s, s->ds);
    int ds_dpl = dsd ? dsd->dpl : -1;
    for (int k = 0; k < 4 && ds_dpl < 0; k++)
        if ((s->ds & ~3u) == (ring_data[k] & ~3u))
            ds_dpl = k;
    if (s->ring > 0 && ds_dpl >= 0 && ds_dpl < s->ring)
        scene_note_limit(s, "the entry's IRET leaves DS, ES, FS and GS null");
    /* SYSENTER's MSRs (SDM Vol. 2B SYSENTER): CS 0 faults, anything else
     * is taken as given, flat. */
    unsigned x = rng_below(r, 100);
    uint32_t sysenter_cs = x < 60 ? SEL_KCODE : x < 80 ? 0 : (uint32_t)rng_below(r, 0x100) & ~7u;
    if (rng_chance(r, 10))
        sysenter_cs |= rng_below(r, 4);
    sbuf_add(&s->setup, "        mov dword [scene_sysenter_cs], 0x%x\n", sysenter_cs);
    sbuf_add(&s->setup, "        mov dword [scene_sysenter_esp], %s\n",
             rng_chance(r, 80) ? "stack0_top" : "alt_stack_top");
    sbuf_add(&s->setup, "        mov dword [scene_sysenter_eip], sysenter_target\n");
}
