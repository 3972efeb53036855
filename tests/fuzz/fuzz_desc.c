/* Fuzz harness: the descriptor, gate, selector and TSS decoders and the
 * words that describe them (src/cpu/desc.c).  The input, little-endian:
 *
 *   bytes 0-7    an 8-byte GDT/LDT/IDT entry
 *   bytes 8-9    a selector
 *   bytes 10-13  an error code
 *   bytes 14-17  a TSS limit
 *   byte 18      a privilege level (low 2 bits) and TSS size (bit 2: 32-bit)
 *   the rest     a TSS image (up to 104 bytes; shorter ones are padded)
 *
 * Each decoder is checked against the SDM's drawing of the entry, read
 * here byte by byte (Vol. 3A Figure 3-8 for segment descriptors, Figures
 * 5-8 and 6-2 for gates); a TSS image survives decode and encode unchanged;
 * the stack-slot reader touches only the bytes within the TSS limit (the
 * image is handed over in a buffer of exactly that size); and every
 * describe function returns the length of its whole text, writes a
 * NUL-terminated prefix of it into a short buffer, and writes one line. */
#include <string.h>

#include "cpu/desc.h"
#include "fuzz.h"

static uint32_t le32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

typedef size_t (*describe_fn)(const void *what, char *buf, size_t n);

/* The text of fn(what) is one line, its length what fn returns, and every
 * shorter buffer gets a NUL-terminated prefix of it. */
static void check_words(describe_fn fn, const void *what)
{
    char full[512], cut[512];
    size_t len = fn(what, full, sizeof full);
    FUZZ_CHECK(len < sizeof full && strlen(full) == len && len > 0);
    FUZZ_CHECK(fuzz_one_line(full));
    static const size_t sizes[] = {1, 2, 7, 16, 33};
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        size_t n = sizes[i];
        memset(cut, 'x', sizeof cut);
        FUZZ_CHECK(fn(what, cut, n) == len);
        size_t got = strlen(cut);
        FUZZ_CHECK(got == (len < n ? len : n - 1));
        FUZZ_CHECK(memcmp(cut, full, got) == 0);
        FUZZ_CHECK(cut[n] == 'x');
    }
    FUZZ_CHECK(fn(what, NULL, 0) == len);
}

static size_t words_desc(const void *w, char *b, size_t n) { return desc_describe(w, b, n); }
static size_t words_gate(const void *w, char *b, size_t n) { return gate_describe(w, b, n); }
static size_t words_sel(const void *w, char *b, size_t n)
{
    return selector_describe(*(const uint16_t *)w, b, n);
}
static size_t words_ec(const void *w, char *b, size_t n)
{
    return error_code_describe(*(const uint32_t *)w, b, n);
}

static void check_descriptor(const uint8_t e[8])
{
    uint32_t lo = le32(e), hi = le32(e + 4);
    struct descriptor d;
    desc_decode(lo, hi, &d);
    /* SDM Vol. 3A Figure 3-8, byte by byte. */
    uint32_t base = e[2] | (uint32_t)e[3] << 8 | (uint32_t)e[4] << 16 | (uint32_t)e[7] << 24;
    uint32_t limit = e[0] | (uint32_t)e[1] << 8 | (uint32_t)(e[6] & 0x0f) << 16;
    bool g = (e[6] & 0x80) != 0;
    FUZZ_CHECK(d.base == base);
    FUZZ_CHECK(d.limit == (g ? limit * 4096 + 4095 : limit));
    FUZZ_CHECK(d.type == (e[5] & 0x0f) && d.s == ((e[5] & 0x10) != 0));
    FUZZ_CHECK(d.dpl == ((e[5] >> 5) & 3) && d.present == ((e[5] & 0x80) != 0));
    FUZZ_CHECK(d.avl == ((e[6] & 0x10) != 0) && d.l == ((e[6] & 0x20) != 0));
    FUZZ_CHECK(d.db == ((e[6] & 0x40) != 0) && d.g == g);
    /* The kinds are exclusive and cover what S and the type say. */
    FUZZ_CHECK(desc_is_system(&d) != (desc_is_code(&d) || desc_is_data(&d)));
    FUZZ_CHECK(!(desc_is_code(&d) && desc_is_data(&d)));
    FUZZ_CHECK(!(desc_is_tss(&d) && desc_is_gate(&d)));
    FUZZ_CHECK(!desc_is_tss_busy(&d) || desc_is_tss(&d));
    FUZZ_CHECK(!desc_is_conforming(&d) || desc_is_code(&d));
    FUZZ_CHECK(!desc_is_writable(&d) || (desc_is_data(&d) && desc_is_readable(&d)));
    FUZZ_CHECK(!desc_is_expand_down(&d) || desc_is_data(&d));
    FUZZ_CHECK(desc_type_name(d.type, d.s) != NULL);
    check_words(words_desc, &d);

    struct seg_cache c = desc_to_cache(0x1234, &d);
    FUZZ_CHECK(c.selector == 0x1234 && c.base == d.base && c.limit == d.limit && c.flags == hi);
    struct descriptor a = d;
    bool changed = desc_set_accessed(&a);
    FUZZ_CHECK(changed == (d.s && !(d.type & DESC_TYPE_ACCESSED)));
    FUZZ_CHECK(a.hi == (d.s ? hi | (1u << 8) : hi) && a.lo == lo);

    struct gate gt;
    bool is_gate = gate_decode(lo, hi, &gt);
    FUZZ_CHECK(is_gate == desc_is_gate(&d) && (gt.kind != GATE_KIND_NONE) == is_gate);
    FUZZ_CHECK(gt.selector == (uint16_t)(e[2] | e[3] << 8));
    FUZZ_CHECK(gt.dpl == d.dpl && gt.present == d.present && gt.type == d.type);
    /* Figures 5-8 and 6-2: offset 15:0 in bytes 0-1, 31:16 in bytes 6-7
     * (32-bit gates only); a task gate has none; parameter count in byte 4
     * bits 4:0 (call gates only). */
    uint32_t off_lo = e[0] | (uint32_t)e[1] << 8, off_hi = e[6] | (uint32_t)e[7] << 8;
    if (gt.kind == GATE_KIND_NONE || gt.kind == GATE_KIND_TASK)
        FUZZ_CHECK(gt.offset == 0 && !gt.is32);
    else if (gt.is32)
        FUZZ_CHECK(gt.offset == (off_hi << 16 | off_lo));
    else
        FUZZ_CHECK(gt.offset == off_lo);
    FUZZ_CHECK(gt.param_count == (gt.kind == GATE_KIND_CALL ? (e[4] & 0x1f) : 0));
    FUZZ_CHECK(!gt.is32 || (gt.type & 8));
    check_words(words_gate, &gt);
}

static void check_selector(uint16_t sel, uint32_t ec)
{
    FUZZ_CHECK(selector_index(sel) == sel >> 3 && selector_rpl(sel) == (sel & 3));
    FUZZ_CHECK(selector_ti(sel) == ((sel & 4) != 0) && selector_is_null(sel) == (sel < 4));
    for (int idt = 0; idt < 2; idt++)
        for (int ext = 0; ext < 2; ext++) {
            uint32_t code = selector_error_code(sel, idt, ext);
            FUZZ_CHECK((code & 1) == (uint32_t)ext && ((code >> 1) & 1) == (uint32_t)idt);
            FUZZ_CHECK((code & ~7u) == (sel & ~7u) && code <= 0xffff);
            FUZZ_CHECK(idt || (code & 4) == (sel & 4u));
        }
    FUZZ_CHECK(idt_error_code(sel & 0xff, ec & 1) == ((sel & 0xffu) << 3 | 2 | (ec & 1)));
    check_words(words_sel, &sel);
    check_words(words_ec, &ec);
}

static void check_tss(const uint8_t *raw_in, size_t len, uint32_t limit, uint8_t cpl, bool is32)
{
    uint8_t raw[TSS32_SIZE] = {0}, again[TSS32_SIZE];
    memcpy(raw, raw_in, len < sizeof raw ? len : sizeof raw);

    /* Decoding and encoding over the same bytes changes nothing. */
    struct tss32 t32, t32b;
    tss32_decode(raw, &t32);
    memcpy(again, raw, sizeof again);
    tss32_encode(&t32, again);
    FUZZ_CHECK(memcmp(again, raw, TSS32_SIZE) == 0);
    tss32_decode(again, &t32b);
    FUZZ_CHECK(t32b.esp0 == t32.esp0 && t32b.ss2 == t32.ss2 && t32b.cr3 == t32.cr3 &&
               t32b.gpr[7] == t32.gpr[7] && t32b.seg[5] == t32.seg[5] && t32b.ldt == t32.ldt &&
               t32b.trap == t32.trap && t32b.iomap_base == t32.iomap_base);
    FUZZ_CHECK(t32.esp0 == le32(raw + 4) && t32.ss0 == (raw[8] | raw[9] << 8));
    FUZZ_CHECK(t32.iomap_base == (raw[0x66] | raw[0x67] << 8) && t32.trap == (raw[0x64] & 1));
    struct tss16 t16;
    tss16_decode(raw, &t16);
    memcpy(again, raw, sizeof again);
    tss16_encode(&t16, again);
    FUZZ_CHECK(memcmp(again, raw, TSS32_SIZE) == 0);

    /* The stack slot: only bytes within the limit are read (the buffer
     * ends where the limit does), and the slot is refused when it does
     * not fit: SDM Vol. 2A INT n, "TSSstackAddress + 7 (or + 4) > limit". */
    size_t full = is32 ? TSS32_SIZE : TSS16_SIZE;
    size_t have = (uint64_t)limit + 1 < full ? (size_t)limit + 1 : full;
    uint8_t *exact = fuzz_copy(raw, have);
    uint16_t ss = 0;
    uint32_t esp = 0, off = 0, slot = 0;
    bool ok = tss_stack_for_cpl(exact, limit, is32, cpl, &ss, &esp);
    bool has_slot = tss_stack_slot(is32, cpl, &off, &slot);
    FUZZ_CHECK(has_slot == (cpl <= 2));
    FUZZ_CHECK(ok == (has_slot && (uint64_t)off + slot - 1 <= limit));
    if (ok && is32)
        FUZZ_CHECK(esp == le32(raw + 8 * cpl + 4) && ss == (raw[8 * cpl + 8] | raw[8 * cpl + 9] << 8));
    if (ok && !is32)
        FUZZ_CHECK(esp == (uint32_t)(raw[4 * cpl + 2] | raw[4 * cpl + 3] << 8) &&
                   ss == (raw[4 * cpl + 4] | raw[4 * cpl + 5] << 8));
    free(exact);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint8_t head[19] = {0};
    memcpy(head, data, size < sizeof head ? size : sizeof head);
    check_descriptor(head);
    check_selector((uint16_t)(head[8] | head[9] << 8), le32(head + 10));
    check_tss(size > sizeof head ? data + sizeof head : head, size > sizeof head ? size - sizeof head : 0,
              le32(head + 14), head[18] & 3, (head[18] & 4) != 0);
    return 0;
}
