/* The translating monitor's scanner (see bt_scan.h). */
#include "vmm/bt_scan.h"

#include "vmm/sensitive.h"

static const char *const kind_name[BT_KIND_COUNT] = {
    "none",  "PUSHF", "POPF", "IRET", "far RET", "PUSH CS/SS", "MOV r, CS/SS", "SGDT", "SIDT",
    "SLDT",  "STR",   "SMSW", "LAR",  "LSL",     "VERR/VERW",  "far JMP",      "far CALL"};

const char *bt_kind_name(enum bt_kind k)
{
    return k < BT_KIND_COUNT ? kind_name[k] : "?";
}

/* The recogniser of the sensitive instructions is the trap monitor's
 * (sensitive.c, which reads the prefixes and opcodes once); here its
 * kinds are told apart as the translator executes them, by the opcode it
 * found.  PUSH and MOV of the data segment registers, and their loads,
 * give the same result at ring 1 as at ring 0 under the shadow GDT (its
 * DPL-1 descriptors admit RPL-0 selectors): the engine runs them. */
enum bt_kind bt_classify(const uint8_t *code, size_t n)
{
    struct sensitive_insn s;
    if (!sensitive_classify(code, n, &s))
        return BT_NONE;
    uint8_t op = code[s.opcode_at];
    uint8_t op2 = s.opcode_at + 1 < n ? code[s.opcode_at + 1] : 0;
    unsigned reg = s.modrm_at ? (code[s.modrm_at] >> 3) & 7u : 0;
    switch (s.kind) {
    case SENSITIVE_PUSHF: return BT_PUSHF;
    case SENSITIVE_POPF: return BT_POPF;
    case SENSITIVE_READ_CS:
    case SENSITIVE_READ_SS: return s.modrm_at ? BT_MOV_SREG : BT_PUSH_SREG;
    case SENSITIVE_STORE_GDTR: return BT_SGDT;
    case SENSITIVE_STORE_IDTR: return BT_SIDT;
    case SENSITIVE_STORE_SEL: return reg == 0 ? BT_SLDT : BT_STR; /* 0F 00 /0, /1 */
    case SENSITIVE_SMSW: return BT_SMSW;
    case SENSITIVE_LAR: return op2 == 0x02 ? BT_LAR : op2 == 0x03 ? BT_LSL : BT_VERR;
    case SENSITIVE_FAR:
        if (op == 0xcf)
            return BT_IRET;
        if (op == 0xca || op == 0xcb)
            return BT_RETF;
        return op == 0xea || (op == 0xff && reg == 5) ? BT_FAR_JMP : BT_FAR_CALL;
    default:
        return BT_NONE;
    }
}

int bt_scan_block(struct disasm *d, const uint8_t *code, size_t size, uint32_t addr, bool code32,
                  enum bt_kind *kind)
{
    *kind = BT_NONE;
    size_t at = 0;
    while (at < size) {
        char text[8];
        int len = disasm_one(d, code + at, size - at, addr + (uint32_t)at, code32, text,
                             sizeof text);
        if (len <= 0)
            return -1;
        enum bt_kind k = bt_classify(code + at, size - at);
        if (k != BT_NONE) {
            *kind = k;
            return (int)at;
        }
        at += (size_t)len;
    }
    return -1;
}
