/* Segment descriptors, gates, TSS images and selectors: decoding, encoding
 * and the words that describe them (SDM Vol. 3A 3.4, 3.5, 5.8.3, 6.11,
 * 6.13, 7.2, 7.6). */
#include "cpu/desc.h"

#include <stdarg.h>
#include <stdio.h>

#include "util/text.h"

/* ---- segment descriptors ---------------------------------------------- */

/* SDM Vol. 3A 3.4.5, Figure 3-8: base 15:0 in lo 31:16, base 23:16 in
 * hi 7:0, base 31:24 in hi 31:24; limit 15:0 in lo 15:0, limit 19:16 in
 * hi 19:16; with G = 1 the limit counts 4 KiB units and the low 12 bits
 * of the effective limit are ones. */
void desc_decode(uint32_t lo, uint32_t hi, struct descriptor *out)
{
    out->lo = lo;
    out->hi = hi;
    out->base = (lo >> 16) | ((hi & 0xffu) << 16) | (hi & 0xff000000u);
    uint32_t limit = (lo & 0xffffu) | (hi & 0x000f0000u);
    out->g = (hi & DESC_G) != 0;
    out->limit = out->g ? (limit << 12) | 0xfffu : limit;
    out->type = (uint8_t)((hi & DESC_TYPE_MASK) >> DESC_TYPE_SHIFT);
    out->s = (hi & DESC_S) != 0;
    out->dpl = (uint8_t)((hi & DESC_DPL_MASK) >> DESC_DPL_SHIFT);
    out->present = (hi & DESC_P) != 0;
    out->avl = (hi & DESC_AVL) != 0;
    out->l = (hi & DESC_L) != 0;
    out->db = (hi & DESC_B) != 0;
}

bool desc_is_system(const struct descriptor *d)
{
    return !d->s;
}

bool desc_is_code(const struct descriptor *d)
{
    return d->s && (d->type & DESC_TYPE_CODE);
}

bool desc_is_data(const struct descriptor *d)
{
    return d->s && !(d->type & DESC_TYPE_CODE);
}

bool desc_is_conforming(const struct descriptor *d)
{
    return desc_is_code(d) && (d->type & DESC_TYPE_CONFORMING);
}

/* SDM Vol. 3A 3.4.5.1: data segments are always readable; code segments
 * only with the R bit. */
bool desc_is_readable(const struct descriptor *d)
{
    return desc_is_data(d) || (desc_is_code(d) && (d->type & DESC_TYPE_READABLE));
}

/* Code segments are never writable through a segment (3.4.5.1). */
bool desc_is_writable(const struct descriptor *d)
{
    return desc_is_data(d) && (d->type & DESC_TYPE_WRITABLE);
}

bool desc_is_expand_down(const struct descriptor *d)
{
    return desc_is_data(d) && (d->type & DESC_TYPE_EXPAND_DOWN);
}

bool desc_is_tss(const struct descriptor *d)
{
    if (d->s)
        return false;
    switch (d->type) {
    case DESC_SYS_TSS16_AVAIL:
    case DESC_SYS_TSS16_BUSY:
    case DESC_SYS_TSS32_AVAIL:
    case DESC_SYS_TSS32_BUSY: return true;
    default: return false;
    }
}

bool desc_is_tss_busy(const struct descriptor *d)
{
    return desc_is_tss(d) && (d->type & DESC_SYS_TSS_BUSY_BIT);
}

bool desc_is_gate(const struct descriptor *d)
{
    if (d->s)
        return false;
    switch (d->type) {
    case DESC_SYS_CALL_GATE16:
    case DESC_SYS_TASK_GATE:
    case DESC_SYS_INTR_GATE16:
    case DESC_SYS_TRAP_GATE16:
    case DESC_SYS_CALL_GATE32:
    case DESC_SYS_INTR_GATE32:
    case DESC_SYS_TRAP_GATE32: return true;
    default: return false;
    }
}

bool desc_set_accessed(struct descriptor *d)
{
    if (!d->s || (d->type & DESC_TYPE_ACCESSED))
        return false;
    d->type |= DESC_TYPE_ACCESSED;
    d->hi |= DESC_TYPE_ACCESSED << DESC_TYPE_SHIFT;
    return true;
}

/* QEMU's cpu_x86_load_seg_cache is handed the descriptor's high dword
 * (e2) unchanged as the cache's flags; Unicorn's saved context holds the
 * same.  Keeping the whole dword keeps the two interchangeable. */
uint32_t desc_cache_flags(const struct descriptor *d)
{
    return d->hi;
}

struct seg_cache desc_to_cache(uint16_t selector, const struct descriptor *d)
{
    struct seg_cache c = {
        .selector = selector,
        .base = d->base,
        .limit = d->limit,
        .flags = desc_cache_flags(d),
    };
    return c;
}

static const char *const sys_type_names[16] = {
    [DESC_SYS_RESERVED_0] = "reserved system type",
    [DESC_SYS_TSS16_AVAIL] = "16-bit TSS (available)",
    [DESC_SYS_LDT] = "LDT",
    [DESC_SYS_TSS16_BUSY] = "16-bit TSS (busy)",
    [DESC_SYS_CALL_GATE16] = "16-bit call gate",
    [DESC_SYS_TASK_GATE] = "task gate",
    [DESC_SYS_INTR_GATE16] = "16-bit interrupt gate",
    [DESC_SYS_TRAP_GATE16] = "16-bit trap gate",
    [DESC_SYS_RESERVED_8] = "reserved system type",
    [DESC_SYS_TSS32_AVAIL] = "32-bit TSS (available)",
    [DESC_SYS_RESERVED_A] = "reserved system type",
    [DESC_SYS_TSS32_BUSY] = "32-bit TSS (busy)",
    [DESC_SYS_CALL_GATE32] = "32-bit call gate",
    [DESC_SYS_RESERVED_D] = "reserved system type",
    [DESC_SYS_INTR_GATE32] = "32-bit interrupt gate",
    [DESC_SYS_TRAP_GATE32] = "32-bit trap gate",
};

/* Code and data types without the Accessed bit (SDM Vol. 3A Table 3-1). */
static const char *const seg_type_names[8] = {
    "data read-only",
    "data read/write",
    "data read-only expand-down",
    "data read/write expand-down",
    "code execute-only",
    "code execute/read",
    "code execute-only conforming",
    "code execute/read conforming",
};

const char *desc_type_name(uint8_t type, bool s)
{
    type &= 0xf;
    return s ? seg_type_names[type >> 1] : sys_type_names[type];
}

/* ---- gates ------------------------------------------------------------- */

static enum gate_kind gate_kind_of(uint8_t type)
{
    switch (type) {
    case DESC_SYS_CALL_GATE16:
    case DESC_SYS_CALL_GATE32: return GATE_KIND_CALL;
    case DESC_SYS_TASK_GATE: return GATE_KIND_TASK;
    case DESC_SYS_INTR_GATE16:
    case DESC_SYS_INTR_GATE32: return GATE_KIND_INTERRUPT;
    case DESC_SYS_TRAP_GATE16:
    case DESC_SYS_TRAP_GATE32: return GATE_KIND_TRAP;
    default: return GATE_KIND_NONE;
    }
}

/* SDM Vol. 3A Figure 5-8 (call gate), Figure 6-2 (task, interrupt and trap
 * gates): selector in lo 31:16, offset 15:0 in lo 15:0 and offset 31:16 in
 * hi 31:16 (32-bit gates only), parameter count in hi 4:0 (call gates). */
bool gate_decode(uint32_t lo, uint32_t hi, struct gate *out)
{
    out->selector = (uint16_t)(lo >> 16);
    out->type = (uint8_t)((hi & DESC_TYPE_MASK) >> DESC_TYPE_SHIFT);
    out->dpl = (uint8_t)((hi & DESC_DPL_MASK) >> DESC_DPL_SHIFT);
    out->present = (hi & DESC_P) != 0;
    out->kind = (hi & DESC_S) ? GATE_KIND_NONE : gate_kind_of(out->type);
    out->is32 = out->kind != GATE_KIND_NONE && out->kind != GATE_KIND_TASK && (out->type & 0x8);
    out->param_count = out->kind == GATE_KIND_CALL ? (uint8_t)(hi & 0x1fu) : 0;
    if (out->kind == GATE_KIND_TASK || out->kind == GATE_KIND_NONE)
        out->offset = 0;
    else if (out->is32)
        out->offset = (hi & 0xffff0000u) | (lo & 0xffffu);
    else
        out->offset = lo & 0xffffu;
    return out->kind != GATE_KIND_NONE;
}

/* ---- task-state segments ---------------------------------------------- */

static uint16_t get16(const uint8_t *p)
{
    return (uint16_t)(p[0] | (p[1] << 8));
}

static uint32_t get32(const uint8_t *p)
{
    return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) |
           ((uint32_t)p[3] << 24);
}

static void put16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
}

static void put32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
    p[2] = (uint8_t)(v >> 16);
    p[3] = (uint8_t)(v >> 24);
}

/* SDM Vol. 3A 7.2.1, Figure 7-2.  Selector fields are the low word of
 * their dword; the upper word is reserved. */
void tss32_decode(const uint8_t raw[TSS32_SIZE], struct tss32 *out)
{
    out->link = get16(raw + TSS32_LINK);
    out->esp0 = get32(raw + TSS32_ESP0);
    out->ss0 = get16(raw + TSS32_SS0);
    out->esp1 = get32(raw + TSS32_ESP1);
    out->ss1 = get16(raw + TSS32_SS1);
    out->esp2 = get32(raw + TSS32_ESP2);
    out->ss2 = get16(raw + TSS32_SS2);
    out->cr3 = get32(raw + TSS32_CR3);
    out->eip = get32(raw + TSS32_EIP);
    out->eflags = get32(raw + TSS32_EFLAGS);
    for (int i = 0; i < 8; i++)
        out->gpr[i] = get32(raw + TSS32_EAX + 4 * i);
    for (int i = 0; i < 6; i++)
        out->seg[i] = get16(raw + TSS32_ES + 4 * i);
    out->ldt = get16(raw + TSS32_LDT);
    out->trap = (raw[TSS32_T] & 1) != 0; /* the T flag is bit 0 of the word at 64H */
    out->iomap_base = get16(raw + TSS32_IOMAP);
}

void tss32_encode(const struct tss32 *in, uint8_t raw[TSS32_SIZE])
{
    put16(raw + TSS32_LINK, in->link);
    put32(raw + TSS32_ESP0, in->esp0);
    put16(raw + TSS32_SS0, in->ss0);
    put32(raw + TSS32_ESP1, in->esp1);
    put16(raw + TSS32_SS1, in->ss1);
    put32(raw + TSS32_ESP2, in->esp2);
    put16(raw + TSS32_SS2, in->ss2);
    put32(raw + TSS32_CR3, in->cr3);
    put32(raw + TSS32_EIP, in->eip);
    put32(raw + TSS32_EFLAGS, in->eflags);
    for (int i = 0; i < 8; i++)
        put32(raw + TSS32_EAX + 4 * i, in->gpr[i]);
    for (int i = 0; i < 6; i++)
        put16(raw + TSS32_ES + 4 * i, in->seg[i]);
    put16(raw + TSS32_LDT, in->ldt);
    raw[TSS32_T] = (uint8_t)((raw[TSS32_T] & ~1u) | (in->trap ? 1u : 0u));
    put16(raw + TSS32_IOMAP, in->iomap_base);
}

/* SDM Vol. 3A 7.6, Figure 7-11: the 286 TSS, all words. */
void tss16_decode(const uint8_t raw[TSS16_SIZE], struct tss16 *out)
{
    out->link = get16(raw + TSS16_LINK);
    out->sp0 = get16(raw + TSS16_SP0);
    out->ss0 = get16(raw + TSS16_SS0);
    out->sp1 = get16(raw + TSS16_SP1);
    out->ss1 = get16(raw + TSS16_SS1);
    out->sp2 = get16(raw + TSS16_SP2);
    out->ss2 = get16(raw + TSS16_SS2);
    out->ip = get16(raw + TSS16_IP);
    out->flags = get16(raw + TSS16_FLAGS);
    for (int i = 0; i < 8; i++)
        out->gpr[i] = get16(raw + TSS16_AX + 2 * i);
    for (int i = 0; i < 4; i++)
        out->seg[i] = get16(raw + TSS16_ES + 2 * i);
    out->ldt = get16(raw + TSS16_LDT);
}

void tss16_encode(const struct tss16 *in, uint8_t raw[TSS16_SIZE])
{
    put16(raw + TSS16_LINK, in->link);
    put16(raw + TSS16_SP0, in->sp0);
    put16(raw + TSS16_SS0, in->ss0);
    put16(raw + TSS16_SP1, in->sp1);
    put16(raw + TSS16_SS1, in->ss1);
    put16(raw + TSS16_SP2, in->sp2);
    put16(raw + TSS16_SS2, in->ss2);
    put16(raw + TSS16_IP, in->ip);
    put16(raw + TSS16_FLAGS, in->flags);
    for (int i = 0; i < 8; i++)
        put16(raw + TSS16_AX + 2 * i, in->gpr[i]);
    for (int i = 0; i < 4; i++)
        put16(raw + TSS16_ES + 2 * i, in->seg[i]);
    put16(raw + TSS16_LDT, in->ldt);
}

/* SDM Vol. 2A, INT n and CALL, MORE-PRIVILEGE: a 32-bit TSS holds ESPn at
 * 8 * n + 4 and SSn 4 bytes on; a 16-bit TSS holds SPn at 4 * n + 2 and
 * SSn 2 bytes on. */
bool tss_stack_slot(bool is32, uint8_t cpl, uint32_t *offset, uint32_t *size)
{
    if (cpl > 2)
        return false;
    if (is32) {
        *offset = 8u * cpl + 4u;
        *size = 8; /* IF (TSSstackAddress + 7) > TSS limit THEN #TS */
    } else {
        *offset = 4u * cpl + 2u;
        *size = 5; /* IF (TSSstackAddress + 4) > TSS limit THEN #TS */
    }
    return true;
}

bool tss_stack_for_cpl(const uint8_t *raw, uint32_t tss_limit, bool is32, uint8_t cpl,
                       uint16_t *ss, uint32_t *esp)
{
    uint32_t off, size;
    if (!tss_stack_slot(is32, cpl, &off, &size))
        return false;
    /* The slot must end within the TSS limit, else #TS(TSS selector). */
    if ((uint64_t)off + size - 1 > tss_limit)
        return false;
    if (is32) {
        *esp = get32(raw + off);
        *ss = get16(raw + off + 4);
    } else {
        *esp = get16(raw + off);
        *ss = get16(raw + off + 2);
    }
    return true;
}

/* ---- selectors --------------------------------------------------------- */

/* SDM Vol. 3A 3.4.2, Figure 3-6: index 15:3, TI 2, RPL 1:0. */
uint16_t selector_index(uint16_t sel)
{
    return sel >> 3;
}

bool selector_ti(uint16_t sel)
{
    return (sel & 0x4u) != 0;
}

uint8_t selector_rpl(uint16_t sel)
{
    return (uint8_t)(sel & 0x3u);
}

/* 3.4.2: selectors 0000H to 0003H are null selectors; an LDT selector
 * with index 0 is not. */
bool selector_is_null(uint16_t sel)
{
    return sel < 4;
}

/* SDM Vol. 3A 6.13, Figure 6-7: EXT bit 0, IDT bit 1, TI bit 2 (only
 * meaningful with IDT = 0), segment selector index in bits 15:3. */
uint32_t selector_error_code(uint16_t sel, bool idt, bool ext)
{
    uint32_t ec = idt ? (sel & 0xfff8u) | ERRCODE_IDT : sel & 0xfffcu;
    return ec | (ext ? ERRCODE_EXT : 0);
}

uint32_t idt_error_code(int vector, bool ext)
{
    return ((uint32_t)(vector & 0xff) << 3) | ERRCODE_IDT | (ext ? ERRCODE_EXT : 0);
}

/* ---- words ------------------------------------------------------------- */

static void add_base_limit(struct text *t, const struct descriptor *d)
{
    text_add(t, ", base 0x%08x, limit 0x%08x", d->base, d->limit);
}

size_t desc_describe(const struct descriptor *d, char *buf, size_t n)
{
    struct text t = text_start(buf, n);
    if (d->lo == 0 && d->hi == 0) {
        text_add(&t, "null descriptor");
        return t.len;
    }
    if (desc_is_code(d)) {
        text_add(&t, "code, ring %u, %s", d->dpl,
                 (d->type & DESC_TYPE_READABLE) ? "execute/read" : "execute-only");
        if (d->type & DESC_TYPE_CONFORMING)
            text_add(&t, ", conforming");
        text_add(&t, ", %s", d->db ? "32-bit" : "16-bit");
        add_base_limit(&t, d);
    } else if (desc_is_data(d)) {
        text_add(&t, "data, ring %u, %s", d->dpl,
                 (d->type & DESC_TYPE_WRITABLE) ? "read/write" : "read-only");
        if (d->type & DESC_TYPE_EXPAND_DOWN)
            text_add(&t, ", expand-down");
        text_add(&t, ", %s", d->db ? "32-bit" : "16-bit");
        add_base_limit(&t, d);
    } else if (desc_is_gate(d)) {
        /* A gate in the GDT or LDT (call and task gates live there). */
        struct gate g;
        gate_decode(d->lo, d->hi, &g);
        return gate_describe(&g, buf, n);
    } else if (desc_is_tss(d)) {
        text_add(&t, "TSS (%s, %s)", (d->type & 0x8) ? "32-bit" : "16-bit",
                 desc_is_tss_busy(d) ? "busy" : "available");
        add_base_limit(&t, d);
    } else if (d->type == DESC_SYS_LDT) {
        text_add(&t, "LDT");
        add_base_limit(&t, d);
    } else {
        text_add(&t, "reserved system type 0x%x", d->type);
    }
    if (d->s && (d->type & DESC_TYPE_ACCESSED))
        text_add(&t, ", accessed");
    if (!d->present)
        text_add(&t, ", not present");
    return t.len;
}

size_t gate_describe(const struct gate *g, char *buf, size_t n)
{
    struct text t = text_start(buf, n);
    const char *size = g->is32 ? "32-bit" : "16-bit";
    switch (g->kind) {
    case GATE_KIND_NONE:
        text_add(&t, "not a gate (type 0x%x)", g->type);
        return t.len;
    case GATE_KIND_TASK:
        text_add(&t, "task gate, DPL %u, TSS %04x", g->dpl, g->selector);
        break;
    case GATE_KIND_CALL:
    case GATE_KIND_INTERRUPT:
    case GATE_KIND_TRAP: {
        const char *what = g->kind == GATE_KIND_CALL        ? "call gate"
                           : g->kind == GATE_KIND_INTERRUPT ? "interrupt gate"
                                                            : "trap gate";
        text_add(&t, "%s (%s), DPL %u, ", what, size, g->dpl);
        if (g->is32)
            text_add(&t, "%04x:%08x", g->selector, g->offset);
        else
            text_add(&t, "%04x:%04x", g->selector, g->offset);
        if (g->kind == GATE_KIND_CALL)
            text_add(&t, ", %u %s", g->param_count,
                     g->is32 ? (g->param_count == 1 ? "dword" : "dwords")
                             : (g->param_count == 1 ? "word" : "words"));
        break;
    }
    }
    if (!g->present)
        text_add(&t, ", not present");
    return t.len;
}

size_t selector_describe(uint16_t sel, char *buf, size_t n)
{
    struct text t = text_start(buf, n);
    if (selector_is_null(sel))
        text_add(&t, "0x%04x (null, RPL %u)", sel, selector_rpl(sel));
    else
        text_add(&t, "0x%04x (%s index %u, RPL %u)", sel, selector_ti(sel) ? "LDT" : "GDT",
                 selector_index(sel), selector_rpl(sel));
    return t.len;
}

size_t error_code_describe(uint32_t ec, char *buf, size_t n)
{
    struct text t = text_start(buf, n);
    uint32_t index = (ec & 0xffffu) >> 3;
    text_add(&t, "0x%04x (", ec);
    if (ec & ERRCODE_IDT)
        text_add(&t, "IDT vector 0x%02x", index & 0xffu);
    else if ((ec & 0xfffcu) == 0)
        text_add(&t, "no selector");
    else
        text_add(&t, "%s index %u", (ec & ERRCODE_TI) ? "LDT" : "GDT", index);
    if (ec & ERRCODE_EXT)
        text_add(&t, ", external");
    text_add(&t, ")");
    return t.len;
}
