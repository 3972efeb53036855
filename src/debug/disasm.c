/* Capstone wrapper (see disasm.h). */
#include "debug/disasm.h"

#include <capstone/capstone.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Two pairs of handles: the plain ones for text and scans, and ones with
 * Capstone's operand details (slower), for disasm_detailed. */
struct disasm {
    csh cs32, cs16;
    csh det32, det16;
    cs_insn *insn, *detailed;
};

struct disasm *disasm_open(void)
{
    struct disasm *d = calloc(1, sizeof *d);
    if (!d)
        return NULL;
    if (cs_open(CS_ARCH_X86, CS_MODE_32, &d->cs32) != CS_ERR_OK ||
        cs_open(CS_ARCH_X86, CS_MODE_16, &d->cs16) != CS_ERR_OK ||
        cs_open(CS_ARCH_X86, CS_MODE_32, &d->det32) != CS_ERR_OK ||
        cs_open(CS_ARCH_X86, CS_MODE_16, &d->det16) != CS_ERR_OK ||
        cs_option(d->det32, CS_OPT_DETAIL, CS_OPT_ON) != CS_ERR_OK ||
        cs_option(d->det16, CS_OPT_DETAIL, CS_OPT_ON) != CS_ERR_OK ||
        !(d->insn = cs_malloc(d->cs32)) || !(d->detailed = cs_malloc(d->det32))) {
        disasm_close(d);
        return NULL;
    }
    return d;
}

void disasm_close(struct disasm *d)
{
    if (!d)
        return;
    if (d->insn)
        cs_free(d->insn, 1);
    if (d->detailed)
        cs_free(d->detailed, 1);
    /* cs_close of a handle never opened (0) only returns an error. */
    cs_close(&d->cs32);
    cs_close(&d->cs16);
    cs_close(&d->det32);
    cs_close(&d->det16);
    free(d);
}

const struct cs_insn *disasm_detailed(struct disasm *d, const uint8_t *code, size_t size,
                                      uint32_t addr, bool code32)
{
    uint64_t a = addr;
    if (!cs_disasm_iter(code32 ? d->det32 : d->det16, &code, &size, &a, d->detailed))
        return NULL;
    return d->detailed;
}

/* MOV CR4, r32: 0F 22 with ModRM.reg = 4 (SDM Vol. 2B MOV--Move to/from
 * Control Registers), after any prefixes. */
static bool writes_cr4(const cs_insn *insn)
{
    for (int k = 0; k + 2 < insn->size; k++)
        if (insn->bytes[k] == 0x0f && insn->bytes[k + 1] == 0x22)
            return ((insn->bytes[k + 2] >> 3) & 7) == 4;
    return false;
}

static unsigned special_kind(const cs_insn *insn)
{
    switch (insn->id) {
    case X86_INS_MOV:
        return writes_cr4(insn) ? DISASM_SPECIAL_CR4 : 0;
    case X86_INS_IN: case X86_INS_OUT:
    case X86_INS_INSB: case X86_INS_INSW: case X86_INS_INSD:
    case X86_INS_OUTSB: case X86_INS_OUTSW: case X86_INS_OUTSD:
        return DISASM_SPECIAL_IO;
    case X86_INS_RDTSC: case X86_INS_RDTSCP:
        return DISASM_SPECIAL_TSC;
    case X86_INS_RDMSR: case X86_INS_WRMSR:
        return DISASM_SPECIAL_MSR;
    case X86_INS_SGDT: case X86_INS_SIDT: case X86_INS_SLDT: case X86_INS_SMSW:
    case X86_INS_STR:
        return DISASM_SPECIAL_UMIP;
    case X86_INS_RDPMC:
        return DISASM_SPECIAL_PMC;
    default:
        return 0;
    }
}

/* Instructions after which the page tables in force may be others: a
 * write to a control register, and the ones that can switch tasks. */
static bool flushes_tlb(const cs_insn *insn)
{
    if (insn->id == X86_INS_INVLPG)
        return true;
    return insn->id == X86_INS_MOV && insn->op_str[0] == 'c' && insn->op_str[1] == 'r';
}

static bool may_remap(const cs_insn *insn)
{
    switch (insn->id) {
    case X86_INS_IRET: case X86_INS_IRETD: case X86_INS_LJMP: case X86_INS_LCALL:
    case X86_INS_SYSEXIT: case X86_INS_RETF:
        return true;
    default:
        return flushes_tlb(insn);
    }
}

/* Instructions after which EFLAGS.IF may be set: STI, POPF, IRET, and a
 * far JMP or CALL that switches tasks (EFLAGS comes from the new TSS). */
static bool may_set_if(const cs_insn *insn)
{
    switch (insn->id) {
    case X86_INS_STI: case X86_INS_POPF: case X86_INS_POPFD: case X86_INS_IRET:
    case X86_INS_IRETD: case X86_INS_LJMP: case X86_INS_LCALL:
        return true;
    default:
        return false;
    }
}

/* ECX as far as the block itself shows it: set by MOV ECX, imm32 and kept
 * by instructions that write only their first operand (and the flags)
 * when that operand is not ECX or a part of it; anything else forgets it.
 * -1: not known. */
static int64_t ecx_after(const cs_insn *insn, int64_t ecx)
{
    const char *ops = insn->op_str;
    bool to_ecx = (ops[0] == 'e' && ops[1] == 'c' && ops[2] == 'x') ||
                  (ops[0] == 'c' && (ops[1] == 'x' || ops[1] == 'l' || ops[1] == 'h'));
    switch (insn->id) {
    case X86_INS_MOV:
        if (to_ecx) {
            /* "ecx, 0x175" or "ecx, 7": an immediate (B9 id); else unknown */
            char *end;
            if (insn->size == 5 && insn->bytes[0] == 0xb9 && strncmp(ops, "ecx, ", 5) == 0) {
                unsigned long v = strtoul(ops + 5, &end, 0);
                return *end == '\0' ? (int64_t)(uint32_t)v : -1;
            }
            return -1;
        }
        return ecx;
    case X86_INS_XOR: case X86_INS_AND: case X86_INS_OR: case X86_INS_ADD: case X86_INS_SUB:
    case X86_INS_LEA: case X86_INS_MOVZX: case X86_INS_MOVSX: case X86_INS_CMP:
    case X86_INS_TEST:
        return to_ecx ? -1 : ecx;
    default:
        return -1;
    }
}

static enum disasm_return return_kind(const cs_insn *insn)
{
    switch (insn->id) {
    case X86_INS_IRET: case X86_INS_IRETD: case X86_INS_RETF:
        return RETURN_IRET_RETF;
    case X86_INS_SYSEXIT:
        return RETURN_SYSEXIT;
    case X86_INS_SYSRET:
        return RETURN_SYSRET;
    default:
        return RETURN_NONE;
    }
}

/* Segment registers, as bits 1 << (ES 0, CS 1, SS 2, DS 3, FS 4, GS 5),
 * the numbering of cpu_state.h. */
enum { SEGBIT_ES = 1, SEGBIT_CS = 2, SEGBIT_SS = 4, SEGBIT_DS = 8, SEGBIT_FS = 16, SEGBIT_GS = 32 };

static unsigned seg_named(const char *s)
{
    if (s[0] == '\0' || s[1] != 's')
        return 0;
    switch (s[0]) {
    case 'e': return SEGBIT_ES;
    case 'c': return SEGBIT_CS;
    case 's': return SEGBIT_SS;
    case 'd': return SEGBIT_DS;
    case 'f': return SEGBIT_FS;
    case 'g': return SEGBIT_GS;
    default: return 0;
    }
}

/* The data or stack segment register an instruction in the middle of a
 * block loads: MOV Sreg, POP Sreg, LDS, LES, LFS, LGS, LSS. */
static unsigned seg_loaded(const cs_insn *insn)
{
    const char *ops = insn->op_str;
    switch (insn->id) {
    case X86_INS_MOV:
        return ops[0] && ops[1] == 's' && ops[2] == ',' ? seg_named(ops) : 0;
    case X86_INS_POP:
        return ops[0] && ops[1] == 's' && ops[2] == '\0' ? seg_named(ops) : 0;
    case X86_INS_LDS: return SEGBIT_DS;
    case X86_INS_LES: return SEGBIT_ES;
    case X86_INS_LFS: return SEGBIT_FS;
    case X86_INS_LGS: return SEGBIT_GS;
    case X86_INS_LSS: return SEGBIT_SS;
    default: return 0;
    }
}

/* Far transfers load CS and maybe SS (and an IRET or RETF to an outer
 * ring may null DS, ES, FS, GS), SYSENTER and SYSCALL CS and SS; each
 * ends its block. */
static bool far_transfer(const cs_insn *insn)
{
    switch (insn->id) {
    case X86_INS_LJMP: case X86_INS_LCALL: case X86_INS_RETF: case X86_INS_IRET:
    case X86_INS_IRETD: case X86_INS_SYSEXIT: case X86_INS_SYSRET: case X86_INS_SYSENTER:
    case X86_INS_SYSCALL:
        return true;
    default:
        return false;
    }
}

/* The segment registers an instruction may access memory through, from
 * its text, erring on the side of too many: a prefix it names, DS and SS
 * for any other memory operand, SS for the stack instructions. */
static unsigned seg_used(const cs_insn *insn)
{
    unsigned used = 0;
    const char *ops = insn->op_str;
    for (const char *p = ops; *p; p++) {
        if (p[0] == 's' && p[1] == ':' && p > ops)
            used |= seg_named(p - 1);
        else if (p[0] == '[')
            used |= SEGBIT_DS | SEGBIT_SS;
    }
    switch (insn->id) {
    case X86_INS_PUSH: case X86_INS_POP: case X86_INS_CALL: case X86_INS_RET:
    case X86_INS_ENTER: case X86_INS_LEAVE: case X86_INS_PUSHF: case X86_INS_PUSHFD:
    case X86_INS_POPF: case X86_INS_POPFD: case X86_INS_PUSHAW: case X86_INS_PUSHAL:
    case X86_INS_POPAW: case X86_INS_POPAL: case X86_INS_RETF: case X86_INS_IRET:
    case X86_INS_IRETD: case X86_INS_LCALL:
        used |= SEGBIT_SS;
        break;
    case X86_INS_XLATB: /* [EBX + AL], shown without an operand */
        used |= SEGBIT_DS | SEGBIT_ES | SEGBIT_FS | SEGBIT_GS | SEGBIT_CS | SEGBIT_SS;
        break;
    default:
        break;
    }
    return used;
}

void disasm_scan(struct disasm *d, const uint8_t *code, size_t size, uint32_t addr, bool code32,
                 struct disasm_block *out)
{
    csh h = code32 ? d->cs32 : d->cs16;
    const uint8_t *start = code;
    uint64_t a = addr;
    out->count = 0;
    out->first_special = -1;
    out->special = 0;
    out->nio = 0;
    out->may_remap = false;
    out->flushes_tlb = false;
    out->may_set_if = false;
    out->returns = RETURN_NONE;
    out->last_insn = 0;
    int64_t ecx = -1;
    out->loads_seg = false;
    out->seg_reload_end = -1;
    out->seg_uses = 0;
    unsigned loaded = 0;    /* segment registers loaded so far in the block */
    int first_load_end = -1;
    while (size > 0) {
        const uint8_t *at = code;
        out->last_insn = (int)(at - start);
        if (!cs_disasm_iter(h, &code, &size, &a, d->insn)) {
            code++;
            size--;
            a++;
            out->seg_uses = 0x3f; /* who knows: any segment */
        } else {
            unsigned kind = special_kind(d->insn);
            /* RDMSR/WRMSR of an MSR the block names itself, and not one
             * of ringlab's: the engine's own, nothing for ringlab to do. */
            if (kind == DISASM_SPECIAL_MSR && ecx >= 0 && ecx != DISASM_MSR_TSC &&
                ecx != DISASM_MSR_APIC_BASE)
                kind = 0;
            ecx = ecx_after(d->insn, ecx);
            if (kind && out->first_special < 0)
                out->first_special = (int)(at - start);
            out->special |= kind;
            if (kind == DISASM_SPECIAL_IO && out->nio < DISASM_IO_MAX && out->count < 256)
                out->io_index[out->nio++] = (uint8_t)out->count;
            out->may_remap |= may_remap(d->insn);
            out->flushes_tlb |= flushes_tlb(d->insn);
            out->may_set_if |= may_set_if(d->insn);
            out->returns = return_kind(d->insn);
            unsigned used = seg_used(d->insn);
            out->seg_uses |= used;
            if (loaded && out->seg_reload_end < 0 && (used & loaded))
                out->seg_reload_end = first_load_end;
            unsigned load = seg_loaded(d->insn);
            if (load && first_load_end < 0)
                first_load_end = (int)(code - start);
            loaded |= load;
            out->loads_seg |= load != 0 || far_transfer(d->insn);
        }
        out->count++;
    }
}

int disasm_one(struct disasm *d, const uint8_t *code, size_t size, uint32_t addr, bool code32,
               char *text, size_t textlen)
{
    uint64_t a = addr;
    csh h = code32 ? d->cs32 : d->cs16;
    if (!cs_disasm_iter(h, &code, &size, &a, d->insn)) {
        snprintf(text, textlen, "(undecodable)");
        return 0;
    }
    if (d->insn->op_str[0])
        snprintf(text, textlen, "%s %s", d->insn->mnemonic, d->insn->op_str);
    else
        snprintf(text, textlen, "%s", d->insn->mnemonic);
    return d->insn->size;
}

/* Walk straight-line code instruction by instruction, as disasm_scan
 * counts (an undecodable byte is one instruction), until `stop` says so. */
static unsigned walk(struct disasm *d, const uint8_t *code, size_t size, uint32_t addr,
                     bool code32, uint32_t until_offset, unsigned until_index, uint32_t *offset)
{
    csh h = code32 ? d->cs32 : d->cs16;
    const uint8_t *start = code;
    uint64_t a = addr;
    unsigned index = 0;
    while (size > 0 && (uint32_t)(code - start) < until_offset && index < until_index) {
        if (!cs_disasm_iter(h, &code, &size, &a, d->insn)) {
            code++;
            size--;
            a++;
        }
        index++;
    }
    *offset = (uint32_t)(code - start);
    return index;
}

unsigned disasm_index_of(struct disasm *d, const uint8_t *code, size_t size, uint32_t addr,
                         bool code32, uint32_t offset)
{
    uint32_t at;
    return walk(d, code, size, addr, code32, offset, UINT32_MAX, &at);
}

uint32_t disasm_offset_of(struct disasm *d, const uint8_t *code, size_t size, uint32_t addr,
                          bool code32, unsigned index)
{
    uint32_t at;
    walk(d, code, size, addr, code32, UINT32_MAX, index, &at);
    return at;
}

enum disasm_kind disasm_kind_of(struct disasm *d, const uint8_t *code, size_t size, uint32_t addr,
                                bool code32, int *len)
{
    uint64_t a = addr;
    *len = 0;
    if (!cs_disasm_iter(code32 ? d->cs32 : d->cs16, &code, &size, &a, d->insn))
        return DISASM_OTHER;
    *len = d->insn->size;
    switch (d->insn->id) {
    case X86_INS_CALL: case X86_INS_LCALL:
        return DISASM_CALL;
    case X86_INS_INT: case X86_INS_INT3: case X86_INS_INTO:
        return DISASM_INT;
    default:
        return special_kind(d->insn) ? DISASM_SPECIAL_INSN : DISASM_OTHER;
    }
}

unsigned disasm_special(struct disasm *d, const uint8_t *code, size_t size, uint32_t addr,
                        bool code32, int *len, const char **name)
{
    uint64_t a = addr;
    *len = 0;
    *name = "";
    if (!cs_disasm_iter(code32 ? d->cs32 : d->cs16, &code, &size, &a, d->insn))
        return 0;
    *len = d->insn->size;
    *name = cs_insn_name(code32 ? d->cs32 : d->cs16, d->insn->id);
    return special_kind(d->insn);
}
