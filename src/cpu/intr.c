/* Exception and interrupt delivery through the guest's IDT.
 *
 * The checks follow the order of the INT n pseudo-code (SDM Vol. 2A,
 * "INT n/INTO/INT3/INT1") and chapter 6 of Vol. 3A; each is preceded by the
 * rule in one line.  A check that fails does not change the CPU state: the
 * new state is built in a copy and written back only when the whole
 * delivery has succeeded. */
#include "cpu/intr.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "cpu/desc.h"
#include "cpu/fault.h"
#include "cpu/intr_real.h"
#include "cpu/task.h"
#include "mmu/linear.h"
#include "util/text.h"

/* Gate types in an IDT descriptor (SDM Vol. 3A 6.11, Table 3-2). */
enum {
    TYPE_TASK_GATE = 5,
    TYPE_INTR_GATE16 = 6,
    TYPE_TRAP_GATE16 = 7,
    TYPE_INTR_GATE32 = 14,
    TYPE_TRAP_GATE32 = 15,
};


bool intr_vector_has_error_code(int vector)
{
    /* SDM Vol. 3A Table 6-1: #DF, #TS, #NP, #SS, #GP, #PF, #AC. */
    return vector == VEC_DF || (vector >= VEC_TS && vector <= VEC_PF) || vector == VEC_AC;
}

/* Fault-class exceptions, whose handler may restart the instruction
 * (SDM Vol. 3A Table 6-1).  #DB is left out: only its instruction
 * breakpoints are faults, and those are the exception to the RF rule. */
static bool is_fault(const struct intr_request *req)
{
    if (req->source != INTR_EXCEPTION)
        return false;
    switch (req->vector) {
    case 0: case 5: case 6: case 7: case 10: case 11: case 12: case 13: case 14:
    case 16: case 17: case 19: case 20:
        return true;
    default:
        return false;
    }
}

/* Exception classes for the double-fault rules (SDM Vol. 3A Table 6-4). */
enum exc_class { CLASS_BENIGN, CLASS_CONTRIBUTORY, CLASS_PAGE_FAULT, CLASS_DOUBLE_FAULT };

static enum exc_class class_of(const struct intr_request *req)
{
    if (req->source != INTR_EXCEPTION)
        return CLASS_BENIGN;
    switch (req->vector) {
    case 0: case 10: case 11: case 12: case 13:
        return CLASS_CONTRIBUTORY;
    case 14:
        return CLASS_PAGE_FAULT;
    case 8:
        return CLASS_DOUBLE_FAULT;
    default:
        return CLASS_BENIGN;
    }
}

static bool page_fault(struct cpu_fault *f, const struct linear_fault *lf, const char *what)
{
    char walk[PAGING_EXPLAIN_MAX];
    paging_explain(&lf->walk, walk, sizeof walk);
    f->cr2 = lf->cr2;
    return cpu_fault_raise(f, VEC_PF, lf->error_code, "%s: %s", what, walk);
}

/* Everything one delivery attempt works with. */
struct delivery {
    const struct intr_env *env;
    const struct intr_request *req;
    struct linear_mem mem;
    uint32_t ext; /* error-code bit 0: the event came from outside the program (6.13) */
    struct trace_event *ev;
};

static struct linear_mem linear_for(const struct intr_env *env, const struct cpu_state *st)
{
    /* Every access of a delivery -- the IDT, GDT and TSS, and the frame it
     * pushes -- is the processor's own: for SMAP an implicit one. */
    struct linear_mem lm = {.phys = env->phys,
                            .regs = {st->cr0, st->cr3, st->cr4, st->eflags, PAGING_IMPLICIT}};
    if (env->shadowed) {
        lm.regs.cr0 = env->guest_paging.cr0;
        lm.regs.cr3 = env->guest_paging.cr3;
        lm.regs.cr4 = env->guest_paging.cr4;
    }
    return lm;
}

/* Read the descriptor `sel` names from the GDT or LDT.  Returns false with
 * *in_limits = false when the index lies beyond the table's limit. */
static bool read_descriptor(struct delivery *d, const struct cpu_state *st, uint16_t sel,
                            struct descriptor *out, uint32_t *addr, bool *in_limits,
                            struct cpu_fault *f)
{
    uint32_t base, limit;
    if (sel & 4) {
        base = st->ldtr.base;
        limit = st->ldtr.limit;
        if ((st->ldtr.selector & ~3u) == 0 || !(st->ldtr.flags & DESC_P)) {
            *in_limits = false;
            return false;
        }
    } else {
        base = st->gdtr.base;
        limit = st->gdtr.limit;
    }
    uint32_t offset = sel & ~7u;
    *in_limits = offset + 7 <= limit;
    if (!*in_limits)
        return false;
    uint32_t raw[2];
    struct linear_fault lf;
    /* Descriptor-table reads are implicit supervisor accesses (4.6). */
    if (!linear_read(&d->mem, base + offset, raw, 8, false, &lf)) {
        page_fault(f, &lf, "reading a segment descriptor");
        *in_limits = true;
        return false;
    }
    desc_decode(raw[0], raw[1], out);
    *addr = base + offset;
    return true;
}

/* The processor sets a segment descriptor's Accessed bit when it loads it
 * (SDM Vol. 3A 3.4.5.1). */
static void set_accessed(struct delivery *d, uint32_t desc_addr, struct descriptor *desc)
{
    if (desc->type & 1)
        return;
    desc->type |= 1;
    desc->hi |= 1u << DESC_TYPE_SHIFT;
    linear_write(&d->mem, desc_addr + 4, &desc->hi, 4, false, NULL);
}

/* Push `n` values of `width` bytes (2 or 4) below SS:ESP of `st`.  The
 * processor pushes values[0] first, at the highest address; so a page fault
 * reports (in CR2) the first push that cannot be written, and nothing is
 * written when any push would fault. */
static bool push_frame(struct delivery *d, struct cpu_state *st, const uint32_t *values, int n,
                       int width, bool user, struct cpu_fault *f)
{
    uint8_t bytes[64];
    uint32_t size = (uint32_t)(n * width);
    bool stack32 = (st->seg[SEG_SS].flags & DESC_B) != 0;
    uint32_t esp = st->gpr[GPR_ESP];
    uint32_t new_esp = stack32 ? esp - size : ((esp & 0xffff0000u) | ((esp - size) & 0xffffu));
    uint32_t bottom = st->seg[SEG_SS].base + (stack32 ? new_esp : (new_esp & 0xffffu));
    for (int i = 0; i < n; i++) {
        uint32_t at = size - (uint32_t)((i + 1) * width);
        for (int b = 0; b < width; b++)
            bytes[at + (uint32_t)b] = (uint8_t)(values[i] >> (8 * b));
        struct linear_fault lf;
        struct paging_walk w;
        /* Each push in turn: its first byte, and its last if on another page. */
        uint32_t la = bottom + at;
        if (!linear_translate(&d->mem, la, PAGING_WRITE, user, &w) ||
            (((la ^ (la + (uint32_t)width - 1)) & ~4095u) &&
             !linear_translate(&d->mem, la + (uint32_t)width - 1, PAGING_WRITE, user, &w))) {
            /* Let the write report the fault with its error code and CR2. */
            linear_write(&d->mem, la, bytes + at, (size_t)width, user, &lf);
            return page_fault(f, &lf, "pushing the interrupt frame");
        }
    }
    struct linear_fault lf;
    if (!linear_write(&d->mem, bottom, bytes, size, user, &lf))
        return page_fault(f, &lf, "pushing the interrupt frame");
    st->gpr[GPR_ESP] = new_esp;
    return true;
}

/* Does the stack segment have room for `size` bytes below ESP?  (SDM: "IF
 * new stack does not have room for 24 bytes ... #SS".)  An expand-down
 * segment's valid offsets lie above its limit (Vol. 3A 3.4.5.1). */
static bool stack_has_room(const struct cpu_state *st, uint32_t size)
{
    const struct seg_cache *ss = &st->seg[SEG_SS];
    uint32_t mask = (ss->flags & DESC_B) ? 0xffffffffu : 0xffffu;
    uint32_t highest = (st->gpr[GPR_ESP] - 1) & mask;
    uint32_t lowest = (st->gpr[GPR_ESP] - size) & mask;
    if (lowest > highest)
        return false; /* the frame would wrap around the segment */
    bool expand_down = (ss->flags & DESC_S) && ((ss->flags >> DESC_TYPE_SHIFT) & 0xc) == 0x4;
    return expand_down ? lowest > ss->limit : highest <= ss->limit;
}

/* Read SS:ESP for privilege level `dpl` from the current TSS (6.12.1 and
 * the INTER-PRIVILEGE-LEVEL-INTERRUPT steps). */
static bool tss_inner_stack(struct delivery *d, const struct cpu_state *st, int dpl,
                            uint16_t *new_ss, uint32_t *new_esp, struct cpu_fault *f)
{
    const struct seg_cache *tr = &st->tr;
    bool tss32 = ((tr->flags >> DESC_TYPE_SHIFT) & 8) != 0;
    uint32_t at, size;
    tss_stack_slot(tss32, (uint8_t)dpl, &at, &size);
    uint32_t tss_error = (tr->selector & ~3u) | d->ext;
    /* The TSS must hold the stack fields for the new ring, else #TS(TSS). */
    if (!(tr->flags & DESC_P) || at + size - 1 > tr->limit)
        return cpu_fault_raise(f, VEC_TS, tss_error,
                           "the TSS (limit 0x%x) does not hold the ring %d stack", tr->limit, dpl);
    /* The processor reads just the slot: SS:ESP, or SS:SP. */
    uint8_t image[TSS32_SIZE] = {0};
    struct linear_fault lf;
    if (!linear_read(&d->mem, tr->base + at, image + at, tss32 ? 6 : 4, false, &lf))
        return page_fault(f, &lf, "reading the TSS stack pointer");
    tss_stack_for_cpl(image, tr->limit, tss32, (uint8_t)dpl, new_ss, new_esp);
    return true;
}

/* Load the new stack for ring `dpl` into `st` (selector checks of the
 * INTER-PRIVILEGE-LEVEL-INTERRUPT and virtual-8086 steps). */
static bool load_inner_stack(struct delivery *d, struct cpu_state *st, int dpl, struct cpu_fault *f)
{
    uint16_t new_ss = 0;
    uint32_t new_esp = 0;
    if (!tss_inner_stack(d, st, dpl, &new_ss, &new_esp, f))
        return false;
    if (d->ev) {
        d->ev->stack_switched = true;
        d->ev->tss_selector = st->tr.selector;
    }
    /* A null stack selector in the TSS: #TS(EXT). */
    if ((new_ss & ~3u) == 0)
        return cpu_fault_raise(f, VEC_TS, d->ext, "the TSS gives a null SS for ring %d", dpl);
    /* Its RPL must be the new CPL: #TS(SS). */
    uint32_t ss_error = (new_ss & ~3u) | d->ext;
    if ((new_ss & 3) != dpl)
        return cpu_fault_raise(f, VEC_TS, ss_error, "TSS SS 0x%04x has RPL %d, not %d", new_ss,
                           new_ss & 3, dpl);
    struct descriptor ssd;
    uint32_t ss_addr;
    bool in_limits;
    if (!read_descriptor(d, st, new_ss, &ssd, &ss_addr, &in_limits, f)) {
        if (!in_limits)
            return cpu_fault_raise(f, VEC_TS, ss_error, "TSS SS 0x%04x is beyond its table", new_ss);
        return false;
    }
    /* It must be a writable data segment of DPL = new CPL: #TS(SS). */
    if (!desc_is_data(&ssd) || !desc_is_writable(&ssd) || ssd.dpl != dpl)
        return cpu_fault_raise(f, VEC_TS, ss_error,
                           "TSS SS 0x%04x is not a writable data segment of DPL %d", new_ss, dpl);
    /* And present: #SS(SS). */
    if (!ssd.present)
        return cpu_fault_raise(f, VEC_SS, ss_error, "TSS SS 0x%04x is not present", new_ss);
    set_accessed(d, ss_addr, &ssd);
    st->seg[SEG_SS] = desc_to_cache(new_ss, &ssd);
    st->gpr[GPR_ESP] = new_esp;
    return true;
}

/* A trap or interrupt gate: the TRAP-OR-INTERRUPT-GATE steps. */
static bool through_gate(struct delivery *d, struct cpu_state *st, const struct gate *g,
                         struct cpu_fault *f)
{
    const struct intr_request *req = d->req;
    struct cpu_state old = *st;
    bool vm86 = (st->eflags & EFLAGS_VM) != 0;
    uint8_t cpl = st->cpl;
    uint16_t sel = g->selector;
    uint32_t sel_error = (sel & ~3u) | d->ext;

    /* A null code selector in the gate: #GP(EXT). */
    if ((sel & ~3u) == 0)
        return cpu_fault_raise(f, VEC_GP, d->ext, "the gate's code selector is null");
    struct descriptor cs;
    uint32_t cs_addr;
    bool in_limits;
    if (!read_descriptor(d, st, sel, &cs, &cs_addr, &in_limits, f)) {
        if (!in_limits)
            return cpu_fault_raise(f, VEC_GP, sel_error, "code selector 0x%04x is beyond its table",
                               sel);
        return false;
    }
    /* It must name a code segment with DPL <= CPL: #GP(selector). */
    if (!desc_is_code(&cs))
        return cpu_fault_raise(f, VEC_GP, sel_error, "selector 0x%04x is not a code segment", sel);
    if (cs.dpl > cpl)
        return cpu_fault_raise(f, VEC_GP, sel_error,
                           "code segment 0x%04x has DPL %d, more than CPL %d", sel, cs.dpl, cpl);
    /* Not present: #NP(selector). */
    if (!cs.present)
        return cpu_fault_raise(f, VEC_NP, sel_error, "code segment 0x%04x is not present", sel);

    bool conforming = desc_is_conforming(&cs);
    bool inner = !conforming && cs.dpl < cpl;
    if (vm86 && !(inner && cs.dpl == 0))
        /* From virtual-8086 mode only a ring-0 non-conforming handler will do. */
        return cpu_fault_raise(f, VEC_GP, sel_error,
                           "from virtual-8086 mode the handler must be ring 0, non-conforming");
    if (!inner && !conforming && cs.dpl != cpl)
        return cpu_fault_raise(f, VEC_GP, sel_error, "code segment 0x%04x: DPL %d > CPL %d", sel,
                           cs.dpl, cpl);

    int new_cpl = inner ? cs.dpl : cpl;
    int width = g->is32 ? 4 : 2;
    int nframe = 0;
    uint32_t frame[10];
    if (inner) {
        if (!load_inner_stack(d, st, new_cpl, f))
            return false;
        if (vm86) {
            /* The virtual-8086 frame (SDM Vol. 3A 20.3.1.1, Figure 20-4). */
            frame[nframe++] = old.seg[SEG_GS].selector;
            frame[nframe++] = old.seg[SEG_FS].selector;
            frame[nframe++] = old.seg[SEG_DS].selector;
            frame[nframe++] = old.seg[SEG_ES].selector;
        }
        frame[nframe++] = old.seg[SEG_SS].selector;
        frame[nframe++] = old.gpr[GPR_ESP];
    }
    /* For a fault the pushed image has RF set, so that the restarted
     * instruction takes no instruction breakpoint (17.3.1.1). */
    frame[nframe++] = is_fault(req) ? (old.eflags | EFLAGS_RF) : old.eflags;
    frame[nframe++] = old.seg[SEG_CS].selector;
    frame[nframe++] = req->return_eip;
    if (req->has_error_code)
        frame[nframe++] = req->error_code;

    /* The new stack must have room for the frame: #SS(EXT), or #SS(SS). */
    uint32_t frame_size = (uint32_t)(nframe * width);
    if (!stack_has_room(st, frame_size))
        return cpu_fault_raise(f, VEC_SS, inner ? ((st->seg[SEG_SS].selector & ~3u) | d->ext) : d->ext,
                           "the stack has no room for the %u-byte frame", frame_size);
    /* The handler's offset must lie within the new code segment: #GP(EXT). */
    uint32_t new_eip = g->is32 ? g->offset : (g->offset & 0xffffu);
    if (new_eip > cs.limit)
        return cpu_fault_raise(f, VEC_GP, d->ext, "handler offset 0x%x is beyond CS limit 0x%x",
                           new_eip, cs.limit);
    if (!push_frame(d, st, frame, nframe, width, new_cpl == 3, f))
        return false;

    set_accessed(d, cs_addr, &cs);
    st->seg[SEG_CS] = desc_to_cache((uint16_t)((sel & ~3u) | (unsigned)new_cpl), &cs);
    st->eip = new_eip;
    st->cpl = (uint8_t)new_cpl;
    if (vm86) {
        /* Data segment registers become null, unusable in protected mode. */
        static const enum seg_reg cleared[] = {SEG_GS, SEG_FS, SEG_DS, SEG_ES};
        for (size_t i = 0; i < sizeof cleared / sizeof cleared[0]; i++)
            memset(&st->seg[cleared[i]], 0, sizeof st->seg[0]);
    }
    /* An interrupt gate clears IF; both kinds clear TF, VM, RF and NT (6.12.1.3). */
    if (g->type == TYPE_INTR_GATE16 || g->type == TYPE_INTR_GATE32)
        st->eflags &= ~EFLAGS_IF;
    st->eflags &= ~(EFLAGS_TF | EFLAGS_VM | EFLAGS_RF | EFLAGS_NT);
    return true;
}

/* A task gate: the TASK-GATE steps, then the task switch (chapter 7). */
static bool through_task_gate(struct delivery *d, struct cpu_state *st, const struct gate *g,
                              struct cpu_fault *f)
{
    struct task_env tenv = {.mem = &d->mem, .ext = d->ext};
    if (!task_switch(&tenv, st, g->selector, TASK_SWITCH_INTERRUPT, d->req->return_eip, f))
        return false;
    if (d->ev)
        d->ev->tss_selector = g->selector;
    d->mem = linear_for(d->env, st); /* the new task may have another CR3 */
    if (d->req->has_error_code) {
        int width = (st->tr.flags & (8u << DESC_TYPE_SHIFT)) ? 4 : 2;
        /* Room for the error code on the new task's stack: #SS(EXT). */
        if (!stack_has_room(st, (uint32_t)width))
            return cpu_fault_raise(f, VEC_SS, d->ext, "no room for the error code on the new stack");
        uint32_t code = d->req->error_code;
        if (!push_frame(d, st, &code, 1, width, st->cpl == 3, f))
            return false;
    }
    /* The new task's EIP must lie within its code segment: #GP(EXT). */
    if (st->eip > st->seg[SEG_CS].limit)
        return cpu_fault_raise(f, VEC_GP, d->ext, "the new task's EIP is beyond its CS limit");
    return true;
}

static enum trace_gate gate_kind(uint8_t type)
{
    switch (type) {
    case TYPE_TASK_GATE: return GATE_TASK;
    case TYPE_INTR_GATE16: return GATE_INTR16;
    case TYPE_TRAP_GATE16: return GATE_TRAP16;
    case TYPE_INTR_GATE32: return GATE_INTR32;
    case TYPE_TRAP_GATE32: return GATE_TRAP32;
    default: return GATE_NONE;
    }
}

/* One delivery attempt: the PROTECTED-MODE steps of INT n (or the real-mode ones). */
static bool deliver_once(struct delivery *d, struct cpu_state *st, struct cpu_fault *f)
{
    const struct intr_request *req = d->req;
    uint32_t vec_error = (uint32_t)(req->vector << 3) + 2 + d->ext;

    if (!(st->cr0 & CR0_PE))
        return intr_real_deliver(&d->mem, st, req, d->ev, f);

    /* The gate must lie within the IDT: #GP(vector * 8 + 2 + EXT). */
    if ((uint32_t)(req->vector << 3) + 7 > st->idtr.limit)
        return cpu_fault_raise(f, VEC_GP, vec_error, "vector 0x%02x is beyond the IDT limit 0x%x",
                           req->vector, st->idtr.limit);
    uint32_t raw[2];
    struct linear_fault lf;
    if (!linear_read(&d->mem, st->idtr.base + (uint32_t)(req->vector << 3), raw, 8, false, &lf))
        return page_fault(f, &lf, "reading the IDT");
    struct gate g;
    gate_decode(raw[0], raw[1], &g);
    if (d->ev) {
        d->ev->gate_lo = raw[0];
        d->ev->gate_hi = raw[1];
        d->ev->gate = gate_kind(g.type);
    }
    /* It must be an interrupt, trap or task gate: #GP(vector * 8 + 2 + EXT). */
    if ((raw[1] & DESC_S) || gate_kind(g.type) == GATE_NONE)
        return cpu_fault_raise(f, VEC_GP, vec_error, "IDT entry 0x%02x is not a gate", req->vector);
    /* INT n, INT3, INTO: the gate's DPL must be >= CPL: #GP(vector * 8 + 2). */
    if (req->source == INTR_SOFTWARE && g.dpl < st->cpl)
        return cpu_fault_raise(f, VEC_GP, vec_error, "INT 0x%02x at CPL %d through a DPL %d gate",
                           req->vector, st->cpl, g.dpl);
    /* The gate must be present: #NP(vector * 8 + 2 + EXT). */
    if (!g.present)
        return cpu_fault_raise(f, VEC_NP, vec_error, "the gate for vector 0x%02x is not present",
                           req->vector);
    if (g.type == TYPE_TASK_GATE)
        return through_task_gate(d, st, &g, f);
    return through_gate(d, st, &g, f);
}

struct trace_point intr_trace_point(const struct cpu_state *st, uint32_t eip)
{
    struct trace_point p = {st->cpl, st->seg[SEG_CS].selector, st->seg[SEG_SS].selector, eip,
                            st->gpr[GPR_ESP], st->eflags};
    return p;
}

void intr_event_init(struct trace_event *ev, enum trace_kind kind, const struct cpu_state *st,
                     uint32_t insn_eip)
{
    /* All but the explanation, which is a string: the one byte that ends
     * it empty is enough (it is 672 bytes, most of the event). */
    memset(ev, 0, offsetof(struct trace_event, explain));
    ev->explain[0] = '\0';
    ev->kind = kind;
    ev->vector = -1;
    ev->before = intr_trace_point(st, insn_eip);
    ev->after = ev->before;
    ev->pc = st->seg[SEG_CS].base + insn_eip;
    ev->cr2 = st->cr2;
    ev->cr3 = st->cr3;
    ev->eax = st->gpr[GPR_EAX];
    ev->real_mode = !(st->cr0 & CR0_PE);
    memcpy(ev->gpr, st->gpr, sizeof ev->gpr);
}

/* The event in words, for explanations: "#GP", "vector 0x0f", "an IRQ", "INT n". */
static const char *event_name(const struct intr_request *r, char *buf, size_t n)
{
    if (r->source == INTR_HARDWARE)
        return "an IRQ";
    if (r->source == INTR_SOFTWARE)
        return "INT n";
    const char *mn = trace_vector_mnemonic(r->vector);
    if (mn)
        return mn;
    snprintf(buf, n, "vector 0x%02x", r->vector & 0xff);
    return buf;
}

static enum trace_kind kind_of(enum intr_source source)
{
    switch (source) {
    case INTR_SOFTWARE: return TRACE_SOFTWARE_INT;
    case INTR_HARDWARE: return TRACE_HARDWARE_INT;
    default: return TRACE_EXCEPTION;
    }
}

/* The texts of the chain below are sized so that none is ever cut short: a
 * fault's reason (at most CPU_FAULT_WHY_MAX, a whole page walk included)
 * with the two events around it makes `why`; a triple fault's explanation
 * quotes one reason and one `why`, whole. */
#define EVENT_NAME_MAX 16
#define INTR_WHY_MAX (CPU_FAULT_WHY_MAX + 2 * EVENT_NAME_MAX + 32)
_Static_assert(TRACE_EXPLAIN_MAX >= 16 + EVENT_NAME_MAX + CPU_FAULT_WHY_MAX + 40 + INTR_WHY_MAX,
               "a triple fault's explanation does not fit in a trace event");

enum intr_result intr_deliver(const struct intr_env *env, struct cpu_state *st,
                              const struct intr_request *first)
{
    struct intr_request req = *first;
    char why[INTR_WHY_MAX] = "the event the CPU reported";
    bool nested = false;

    for (;;) {
        struct trace_event ev;
        intr_event_init(&ev, kind_of(req.source), st, req.insn_eip);
        ev.vector = req.vector;
        ev.has_error_code = req.has_error_code;
        ev.error_code = req.error_code;
        if (req.why && env->explain)
            snprintf(ev.explain, sizeof ev.explain, "%s", req.why);

        struct delivery d = {
            .env = env,
            .req = &req,
            .mem = linear_for(env, st),
            /* EXT (6.13): set for faults while delivering an external event
             * or an exception; clear for INT n, INT3 and INTO. */
            .ext = req.source == INTR_SOFTWARE ? 0u : 1u,
            .ev = &ev,
        };
        struct cpu_state next = *st;
        struct cpu_fault f = {0};
        bool ok = deliver_once(&d, &next, &f);
        ev.delivered = ok;
        if (ok || f.committed) {
            *st = next;
            ev.after = intr_trace_point(st, st->eip);
        }
        env->emit(env->opaque, &ev);
        if (ok)
            return INTR_DELIVERED;

        /* The delivery faulted: Table 6-5 decides what comes next. */
        struct intr_request second = {
            .vector = f.vector,
            .source = INTR_EXCEPTION,
            /* No error codes in real-address mode (SDM Vol. 3A 20.1.4). */
            .has_error_code = intr_vector_has_error_code(f.vector) && (st->cr0 & CR0_PE),
            .error_code = f.error_code,
            .return_eip = req.return_eip,
            .insn_eip = req.insn_eip,
        };
        /* A fault before the frame is pushed restarts the interrupted
         * instruction: software INT n is reported at the INT itself. */
        if (req.source == INTR_SOFTWARE)
            second.return_eip = req.insn_eip;
        /* After a task switch the fault belongs to the new task (Table 7-1). */
        if (f.committed)
            second.return_eip = second.insn_eip = st->eip;
        if (f.vector == VEC_PF)
            st->cr2 = f.cr2;
        enum exc_class first_class = class_of(&req);
        enum exc_class second_class = class_of(&second);
        if (first_class == CLASS_DOUBLE_FAULT) {
            /* A contributory fault or page fault while delivering #DF: shutdown. */
            intr_event_init(&ev, TRACE_TRIPLE_FAULT, st, req.insn_eip);
            ev.vector = f.vector;
            ev.has_error_code = true;
            ev.error_code = f.error_code;
            char name[EVENT_NAME_MAX];
            struct intr_request fault = {.vector = f.vector, .source = INTR_EXCEPTION};
            struct text t = text_start(ev.explain, sizeof ev.explain);
            text_add(&t, "triple fault: %s %s while delivering #DF, which came from %s",
                     event_name(&fault, name, sizeof name), f.why, why);
            env->emit(env->opaque, &ev);
            return INTR_TRIPLE_FAULT;
        }
        bool to_double =
            (first_class == CLASS_CONTRIBUTORY && second_class == CLASS_CONTRIBUTORY) ||
            (first_class == CLASS_PAGE_FAULT &&
             (second_class == CLASS_CONTRIBUTORY || second_class == CLASS_PAGE_FAULT));
        char name1[EVENT_NAME_MAX], name2[EVENT_NAME_MAX];
        struct text t = text_start(why, sizeof why);
        text_add(&t, "%s while delivering %s%s: %s", event_name(&second, name1, sizeof name1),
                 nested ? "a nested " : "", event_name(&req, name2, sizeof name2), f.why);
        if (to_double) {
            /* SDM Vol. 3A 6.15, Interrupt 8: error code 0. */
            second.vector = VEC_DF;
            second.has_error_code = true;
            second.error_code = 0;
        }
        nested = true;
        second.why = why;
        req = second;
    }
}
