/* Segment descriptors, gates, task-state segments and selectors: decoding
 * the eight-byte table entries and the TSS images the processor reads, and
 * saying in words what they hold.  Pure functions over plain values; the
 * callers read guest memory (SDM Vol. 3A 3.4, 3.5, 5.8.3, 6.11, 6.13, 7.2). */
#ifndef RINGLAB_DESC_H
#define RINGLAB_DESC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cpu/cpu_state.h"

/* A code, data or system segment descriptor, taken apart (SDM Vol. 3A
 * 3.4.5, Figure 3-8).  lo and hi are the raw dwords; limit is already
 * scaled by G (4 KiB units, low 12 bits set). */
struct descriptor {
    uint32_t lo, hi;
    uint32_t base;
    uint32_t limit;
    uint8_t type; /* the 4-bit type field */
    bool s;       /* 1: code or data, 0: system */
    bool present;
    bool avl, l, db, g;
    uint8_t dpl;
};

/* Type field bits of code and data descriptors (SDM Vol. 3A 3.4.5.1). */
#define DESC_TYPE_ACCESSED 0x1u
#define DESC_TYPE_WRITABLE 0x2u    /* data */
#define DESC_TYPE_READABLE 0x2u    /* code */
#define DESC_TYPE_EXPAND_DOWN 0x4u /* data */
#define DESC_TYPE_CONFORMING 0x4u  /* code */
#define DESC_TYPE_CODE 0x8u

/* System descriptor types (S = 0; SDM Vol. 3A 3.5, Table 3-2). */
enum desc_sys_type {
    DESC_SYS_RESERVED_0 = 0x0,
    DESC_SYS_TSS16_AVAIL = 0x1,
    DESC_SYS_LDT = 0x2,
    DESC_SYS_TSS16_BUSY = 0x3,
    DESC_SYS_CALL_GATE16 = 0x4,
    DESC_SYS_TASK_GATE = 0x5,
    DESC_SYS_INTR_GATE16 = 0x6,
    DESC_SYS_TRAP_GATE16 = 0x7,
    DESC_SYS_RESERVED_8 = 0x8,
    DESC_SYS_TSS32_AVAIL = 0x9,
    DESC_SYS_RESERVED_A = 0xa,
    DESC_SYS_TSS32_BUSY = 0xb,
    DESC_SYS_CALL_GATE32 = 0xc,
    DESC_SYS_RESERVED_D = 0xd,
    DESC_SYS_INTR_GATE32 = 0xe,
    DESC_SYS_TRAP_GATE32 = 0xf,
};
/* The busy bit that tells a busy TSS from an available one (SDM Vol. 3A 7.2.2). */
#define DESC_SYS_TSS_BUSY_BIT 0x2u

void desc_decode(uint32_t lo, uint32_t hi, struct descriptor *out);

bool desc_is_system(const struct descriptor *d);
bool desc_is_code(const struct descriptor *d);
bool desc_is_data(const struct descriptor *d);
bool desc_is_conforming(const struct descriptor *d);  /* conforming code */
bool desc_is_readable(const struct descriptor *d);    /* data, or readable code */
bool desc_is_writable(const struct descriptor *d);    /* writable data */
bool desc_is_expand_down(const struct descriptor *d); /* expand-down data */
bool desc_is_tss(const struct descriptor *d);         /* 16- or 32-bit TSS, either state */
bool desc_is_tss_busy(const struct descriptor *d);
bool desc_is_gate(const struct descriptor *d);

/* Set the Accessed bit in a decoded code or data descriptor (type and hi),
 * as the processor does in memory when it loads one (SDM Vol. 3A 3.4.5.1).
 * The caller writes hi back to the table.  Returns true when the bit was
 * clear, i.e. when the table needs the write. */
bool desc_set_accessed(struct descriptor *d);

/* What a segment load keeps in the hidden part of a segment register:
 * the whole high dword, as QEMU's SegmentCache.flags does, so that type,
 * S, DPL, P, AVL, L, D/B and G sit at the DESC_* positions of cpu_state.h.
 * The descriptor is taken as given: a caller that sets Accessed (or a TSS's
 * busy bit) in memory decides whether the cache sees it.  QEMU 7.2 keeps
 * TR's flags with the busy bit clear (LTR and task switches store
 * e2 & ~busy) and its I/O check wants type 9 there. */
uint32_t desc_cache_flags(const struct descriptor *d);
struct seg_cache desc_to_cache(uint16_t selector, const struct descriptor *d);

/* "code execute/read", "32-bit TSS (busy)", "reserved system type" ... */
const char *desc_type_name(uint8_t type, bool s);

/* ---- gates (SDM Vol. 3A 5.8.3 call gates, 6.11 IDT gates, 7.2.5 task gates) */

enum gate_kind { GATE_KIND_NONE, GATE_KIND_CALL, GATE_KIND_TASK, GATE_KIND_INTERRUPT, GATE_KIND_TRAP };

struct gate {
    uint16_t selector; /* code segment; for a task gate the TSS selector */
    uint32_t offset;   /* entry point; 0 for a task gate; 16 bits for a 16-bit gate */
    uint8_t type;
    uint8_t dpl;
    bool present;
    uint8_t param_count; /* call gates only: words or dwords copied to the new stack */
    enum gate_kind kind; /* GATE_KIND_NONE when the entry is not a gate */
    bool is32;           /* a 32-bit call, interrupt or trap gate */
};

/* Decode an eight-byte gate.  Returns false (kind = GATE_KIND_NONE) when
 * the entry is a code or data descriptor or a system type that is not a
 * gate.  A 16-bit gate's offset is the low word only: SDM Vol. 3A 6.11 and
 * 5.8.3 give it no upper half.  (QEMU 7.2 takes the high word of a 286
 * interrupt gate as well; ringlab follows the SDM.) */
bool gate_decode(uint32_t lo, uint32_t hi, struct gate *out);

/* ---- task-state segments (SDM Vol. 3A 7.2.1, Figure 7-2; 7.6, Figure 7-11) */

#define TSS32_SIZE 104u
#define TSS16_SIZE 44u
/* The smallest limits a TSS descriptor may have for a task switch
 * (SDM Vol. 3A 7.2.2: 67H for a 32-bit TSS, 2BH for a 16-bit one). */
#define TSS32_MIN_LIMIT 0x67u
#define TSS16_MIN_LIMIT 0x2bu

/* Byte offsets of the 32-bit TSS fields. */
enum tss32_offset {
    TSS32_LINK = 0x00,
    TSS32_ESP0 = 0x04,
    TSS32_SS0 = 0x08,
    TSS32_ESP1 = 0x0c,
    TSS32_SS1 = 0x10,
    TSS32_ESP2 = 0x14,
    TSS32_SS2 = 0x18,
    TSS32_CR3 = 0x1c,
    TSS32_EIP = 0x20,
    TSS32_EFLAGS = 0x24,
    TSS32_EAX = 0x28, /* then ECX EDX EBX ESP EBP ESI EDI, 4 bytes apart */
    TSS32_ES = 0x48,  /* then CS SS DS FS GS, 4 bytes apart */
    TSS32_LDT = 0x60,
    TSS32_T = 0x64,
    TSS32_IOMAP = 0x66,
};

/* Byte offsets of the 16-bit TSS fields. */
enum tss16_offset {
    TSS16_LINK = 0x00,
    TSS16_SP0 = 0x02,
    TSS16_SS0 = 0x04,
    TSS16_SP1 = 0x06,
    TSS16_SS1 = 0x08,
    TSS16_SP2 = 0x0a,
    TSS16_SS2 = 0x0c,
    TSS16_IP = 0x0e,
    TSS16_FLAGS = 0x10,
    TSS16_AX = 0x12, /* then CX DX BX SP BP SI DI, 2 bytes apart */
    TSS16_ES = 0x22, /* then CS SS DS, 2 bytes apart */
    TSS16_LDT = 0x2a,
};

struct tss32 {
    uint16_t link;
    uint32_t esp0;
    uint16_t ss0;
    uint32_t esp1;
    uint16_t ss1;
    uint32_t esp2;
    uint16_t ss2;
    uint32_t cr3;
    uint32_t eip;
    uint32_t eflags;
    uint32_t gpr[8];  /* indexed by enum gpr: EAX ECX EDX EBX ESP EBP ESI EDI */
    uint16_t seg[6];  /* indexed by enum seg_reg: ES CS SS DS FS GS */
    uint16_t ldt;
    bool trap;        /* the T bit: #DB on a switch to this task */
    uint16_t iomap_base;
};

struct tss16 {
    uint16_t link;
    uint16_t sp0, ss0, sp1, ss1, sp2, ss2;
    uint16_t ip;
    uint16_t flags;
    uint16_t gpr[8]; /* AX CX DX BX SP BP SI DI */
    uint16_t seg[4]; /* ES CS SS DS */
    uint16_t ldt;
};

/* raw is the TSS image, little-endian.  encode writes the defined fields
 * and leaves the reserved bits of raw as they were, so decode, change,
 * encode over the same buffer keeps whatever the guest stored there. */
void tss32_decode(const uint8_t raw[TSS32_SIZE], struct tss32 *out);
void tss32_encode(const struct tss32 *in, uint8_t raw[TSS32_SIZE]);
void tss16_decode(const uint8_t raw[TSS16_SIZE], struct tss16 *out);
void tss16_encode(const struct tss16 *in, uint8_t raw[TSS16_SIZE]);

/* Where the stack pointer for privilege level cpl (0..2) sits in a TSS:
 * offset of ESPn/SPn, and how many bytes from there must lie within the
 * TSS limit.  The SDM's INT n and CALL pseudo-code (Vol. 2A) checks
 * "TSSstackAddress + 7 > limit" for a 32-bit TSS and "TSSstackAddress + 4
 * > limit" for a 16-bit one, so 8 and 5 bytes.  (QEMU 7.2 checks 8 and 4;
 * the two differ only for a 16-bit TSS below its minimum limit.)  Returns
 * false for cpl > 2. */
bool tss_stack_slot(bool is32, uint8_t cpl, uint32_t *offset, uint32_t *size);

/* SS:ESP for a transfer to privilege level cpl, from a TSS image whose
 * first min(tss_limit + 1, TSS32_SIZE or TSS16_SIZE) bytes are in raw.
 * Returns false when cpl > 2 or the slot is not within tss_limit (the
 * processor raises #TS(TSS selector) then).  A 16-bit TSS gives SP
 * zero-extended into *esp. */
bool tss_stack_for_cpl(const uint8_t *raw, uint32_t tss_limit, bool is32, uint8_t cpl,
                       uint16_t *ss, uint32_t *esp);

/* ---- selectors and selector error codes (SDM Vol. 3A 3.4.2, 6.13) */

uint16_t selector_index(uint16_t sel);
bool selector_ti(uint16_t sel); /* true: LDT */
uint8_t selector_rpl(uint16_t sel);
bool selector_is_null(uint16_t sel); /* 0..3: a GDT selector with index 0 */

/* Error code bits (SDM Vol. 3A 6.13, Figure 6-7). */
#define ERRCODE_EXT 0x1u /* an event external to the program caused it */
#define ERRCODE_IDT 0x2u /* the index refers to the IDT */
#define ERRCODE_TI 0x4u  /* with IDT = 0: the index refers to the LDT */

/* The error code for a fault that names sel: index and TI from sel, the
 * RPL bits replaced by EXT and IDT.  With idt, sel's index is an IDT
 * vector and TI is cleared. */
uint32_t selector_error_code(uint16_t sel, bool idt, bool ext);
/* The error code that names IDT entry vector: vector * 8 + 2 + EXT. */
uint32_t idt_error_code(int vector, bool ext);

/* ---- words for people.  Each returns the length of the whole text, as
 * snprintf does; the text is cut to fit n bytes including the NUL. */

/* "code, ring 0, execute/read, 32-bit, base 0x00000000, limit 0xffffffff"
 * "TSS (32-bit, busy), base 0x00106000, limit 0x00000067" */
size_t desc_describe(const struct descriptor *d, char *buf, size_t n);
/* "interrupt gate (32-bit), DPL 3, 0008:c0101234" */
size_t gate_describe(const struct gate *g, char *buf, size_t n);
/* "0x001b (GDT index 3, RPL 3)" */
size_t selector_describe(uint16_t sel, char *buf, size_t n);
/* "0x0042 (IDT vector 0x08)", "0x0029 (GDT index 5, external)" */
size_t error_code_describe(uint32_t error_code, char *buf, size_t n);

#endif
