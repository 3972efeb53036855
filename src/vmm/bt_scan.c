/* The translating monitor's scanner (see bt_scan.h). */
#include "vmm/bt_scan.h"

static const char *const kind_name[BT_KIND_COUNT] = {
    "none",  "PUSHF", "POPF", "IRET", "far RET", "PUSH CS/SS", "MOV r, CS/SS", "SGDT", "SIDT",
    "SLDT",  "STR",   "SMSW", "LAR",  "LSL",     "VERR/VERW",  "far JMP",      "far CALL"};

const char *bt_kind_name(enum bt_kind k)
{
    return k < BT_KIND_COUNT ? kind_name[k] : "?";
}

static bool is_prefix(uint8_t b)
{
    switch (b) {
    case 0x26: case 0x2e: case 0x36: case 0x3e: case 0x64: case 0x65: /* segment overrides */
    case 0x66: case 0x67: case 0xf0: case 0xf2: case 0xf3:
        return true;
    default:
        return false;
    }
}

enum bt_kind bt_classify(const uint8_t *code, size_t n)
{
    size_t at = 0;
    while (at < n && is_prefix(code[at]))
        at++;
    if (at >= n)
        return BT_NONE;
    uint8_t op = code[at++];
    /* The ModRM byte's reg field, where the opcode needs one. */
    int reg = at < n ? (code[at] >> 3) & 7 : -1;
    bool mem = at < n && (code[at] >> 6) != 3;
    switch (op) {
    case 0x9c: return BT_PUSHF;
    case 0x9d: return BT_POPF;
    case 0xcf: return BT_IRET;
    case 0xca: case 0xcb: return BT_RETF;
    case 0x0e: case 0x16: return BT_PUSH_SREG; /* PUSH CS, PUSH SS (Vol. 2B PUSH) */
    case 0x8c: return reg == 1 || reg == 2 ? BT_MOV_SREG : BT_NONE; /* MOV r/m16, Sreg */
    case 0xea: return BT_FAR_JMP;
    case 0x9a: return BT_FAR_CALL;
    case 0xff: /* FF /3 CALL m16:32, FF /5 JMP m16:32; the register forms are #UD */
        return reg == 3 && mem ? BT_FAR_CALL : reg == 5 && mem ? BT_FAR_JMP : BT_NONE;
    case 0x0f:
        break;
    default:
        return BT_NONE;
    }
    if (at >= n)
        return BT_NONE;
    uint8_t op2 = code[at++];
    reg = at < n ? (code[at] >> 3) & 7 : -1;
    mem = at < n && (code[at] >> 6) != 3;
    switch (op2) {
    case 0x00: /* group 6 (Vol. 2A Table A-6): /0 SLDT /1 STR /4 VERR /5 VERW */
        return reg == 0 ? BT_SLDT : reg == 1 ? BT_STR : reg == 4 || reg == 5 ? BT_VERR : BT_NONE;
    case 0x01: /* group 7: /0 SGDT /1 SIDT (memory only) /4 SMSW */
        return reg == 0 && mem ? BT_SGDT : reg == 1 && mem ? BT_SIDT : reg == 4 ? BT_SMSW
                                                                         : BT_NONE;
    case 0x02: return BT_LAR;
    case 0x03: return BT_LSL;
    default: return BT_NONE;
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
