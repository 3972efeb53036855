/* The sensitive unprivileged instructions, recognised from their bytes
 * (see sensitive.h).  Opcodes: SDM Vol. 2, Appendix A (the opcode maps). */
#include "vmm/sensitive.h"

static bool set(struct sensitive_insn *out, enum sensitive_kind k, const char *name, size_t op,
                size_t modrm)
{
    *out = (struct sensitive_insn){k, name, op, modrm};
    return true;
}

/* 0F xx: the system group 6 and 7 stores, LAR and LSL, the FS and GS pushes. */
static bool two_byte(const uint8_t *code, size_t n, size_t op, struct sensitive_insn *out)
{
    if (op + 1 >= n)
        return false;
    uint8_t op2 = code[op + 1];
    unsigned reg = op + 2 < n ? (code[op + 2] >> 3) & 7u : 8u;
    bool mem = op + 2 < n && (code[op + 2] >> 6) != 3;
    switch (op2) {
    case 0x00: /* group 6: SLDT /0, STR /1, VERR /4, VERW /5 */
        if (reg == 0 || reg == 1)
            return set(out, SENSITIVE_STORE_SEL, reg ? "STR" : "SLDT", op, op + 2);
        if (reg == 4 || reg == 5)
            return set(out, SENSITIVE_LAR, reg == 4 ? "VERR" : "VERW", op, op + 2);
        return false;
    case 0x01: /* group 7: SGDT /0, SIDT /1 (memory only), SMSW /4 */
        if (reg == 0 && mem)
            return set(out, SENSITIVE_STORE_GDTR, "SGDT", op, op + 2);
        if (reg == 1 && mem)
            return set(out, SENSITIVE_STORE_IDTR, "SIDT", op, op + 2);
        if (reg == 4)
            return set(out, SENSITIVE_SMSW, "SMSW", op, op + 2);
        return false;
    case 0x02: return set(out, SENSITIVE_LAR, "LAR", op, op + 2);
    case 0x03: return set(out, SENSITIVE_LAR, "LSL", op, op + 2);
    case 0xa0: return set(out, SENSITIVE_READ_SEG, "PUSH FS", op, 0);
    case 0xa8: return set(out, SENSITIVE_READ_SEG, "PUSH GS", op, 0);
    case 0xa1: return set(out, SENSITIVE_LOAD_SEG, "POP FS", op, 0);
    case 0xa9: return set(out, SENSITIVE_LOAD_SEG, "POP GS", op, 0);
    default: return false;
    }
}

bool sensitive_classify(const uint8_t *code, size_t n, struct sensitive_insn *out)
{
    size_t op = 0;
    /* Legacy prefixes (SDM Vol. 2A 2.1.1): at most four, in any order. */
    while (op < n && op < 4 &&
           (code[op] == 0x66 || code[op] == 0x67 || code[op] == 0xf0 || code[op] == 0xf2 ||
            code[op] == 0xf3 || code[op] == 0x26 || code[op] == 0x2e || code[op] == 0x36 ||
            code[op] == 0x3e || code[op] == 0x64 || code[op] == 0x65))
        op++;
    if (op >= n)
        return false;
    unsigned reg = op + 1 < n ? (code[op + 1] >> 3) & 7u : 8u;
    bool mem = op + 1 < n && (code[op + 1] >> 6) != 3;
    switch (code[op]) {
    case 0x9c: return set(out, SENSITIVE_PUSHF, "PUSHF", op, 0);
    case 0x9d: return set(out, SENSITIVE_POPF, "POPF", op, 0);
    case 0x0e: return set(out, SENSITIVE_READ_CS, "PUSH CS", op, 0);
    case 0x16: return set(out, SENSITIVE_READ_SS, "PUSH SS", op, 0);
    case 0x06: return set(out, SENSITIVE_READ_SEG, "PUSH ES", op, 0);
    case 0x1e: return set(out, SENSITIVE_READ_SEG, "PUSH DS", op, 0);
    case 0x07: return set(out, SENSITIVE_LOAD_SEG, "POP ES", op, 0);
    case 0x1f: return set(out, SENSITIVE_LOAD_SEG, "POP DS", op, 0);
    case 0x8c: /* MOV r/m16, Sreg: the reg field names the segment register */
        if (reg == 1)
            return set(out, SENSITIVE_READ_CS, "MOV r/m, CS", op, op + 1);
        if (reg == 2)
            return set(out, SENSITIVE_READ_SS, "MOV r/m, SS", op, op + 1);
        if (reg < 6)
            return set(out, SENSITIVE_READ_SEG, "MOV r/m, Sreg", op, op + 1);
        return false;
    case 0x8e:
        if (reg == 0 || reg == 3 || reg == 4 || reg == 5)
            return set(out, SENSITIVE_LOAD_SEG, "MOV Sreg, r/m", op, op + 1);
        return false;
    case 0x9a: return set(out, SENSITIVE_FAR, "CALL FAR", op, 0);
    case 0xea: return set(out, SENSITIVE_FAR, "JMP FAR", op, 0);
    case 0xca: case 0xcb: return set(out, SENSITIVE_FAR, "RET FAR", op, 0);
    case 0xcf: return set(out, SENSITIVE_FAR, "IRET", op, 0);
    case 0xff: /* group 5: CALL FAR m16:32 /3, JMP FAR m16:32 /5 */
        if (mem && (reg == 3 || reg == 5))
            return set(out, SENSITIVE_FAR, reg == 3 ? "CALL FAR" : "JMP FAR", op, op + 1);
        return false;
    case 0x0f:
        return two_byte(code, n, op, out);
    default:
        return false;
    }
}

const char *sensitive_kind_what(enum sensitive_kind k)
{
    static const char *const what[SENSITIVE_KIND_COUNT] = {
        "nothing",
        "reads IF and IOPL",
        "keeps IF and IOPL without a trap",
        "reads the CPL in CS",
        "reads the CPL in SS",
        "reads a segment selector",
        "loads a segment register, checked against the CPL",
        "reads the real GDT's address",
        "reads the real IDT's address",
        "reads the LDT or TSS selector",
        "reads CR0's low word",
        "checks a descriptor against the CPL",
        "checks selectors against the CPL",
    };
    return (unsigned)k < SENSITIVE_KIND_COUNT ? what[k] : "?";
}
