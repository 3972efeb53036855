/* Memory operands of an instruction, by segment (see mem_operands.h). */
#include "cpu/mem_operands.h"

#include <capstone/capstone.h>

#include "cpu/cpu_state.h"
#include "debug/disasm.h"

/* A Capstone register as a GPR number, and whether it is the 16-bit one. */
static int gpr_of(x86_reg r, bool *is16)
{
    static const struct {
        x86_reg r32, r16;
    } map[8] = {
        [GPR_EAX] = {X86_REG_EAX, X86_REG_AX}, [GPR_ECX] = {X86_REG_ECX, X86_REG_CX},
        [GPR_EDX] = {X86_REG_EDX, X86_REG_DX}, [GPR_EBX] = {X86_REG_EBX, X86_REG_BX},
        [GPR_ESP] = {X86_REG_ESP, X86_REG_SP}, [GPR_EBP] = {X86_REG_EBP, X86_REG_BP},
        [GPR_ESI] = {X86_REG_ESI, X86_REG_SI}, [GPR_EDI] = {X86_REG_EDI, X86_REG_DI},
    };
    for (int i = 0; i < 8; i++) {
        if (map[i].r32 == r)
            return i;
        if (map[i].r16 == r) {
            *is16 = true;
            return i;
        }
    }
    return -1;
}

static int seg_of(x86_reg r)
{
    switch (r) {
    case X86_REG_ES: return SEG_ES;
    case X86_REG_CS: return SEG_CS;
    case X86_REG_SS: return SEG_SS;
    case X86_REG_DS: return SEG_DS;
    case X86_REG_FS: return SEG_FS;
    case X86_REG_GS: return SEG_GS;
    default: return -1;
    }
}

static void add(struct mem_operands *out, struct mem_ref r)
{
    if (r.size == 0)
        r.size = 1;
    if (out->count < MEM_OPERANDS_MAX)
        out->ref[out->count++] = r;
}

/* An access to the stack at (E)SP + disp, or (E)BP + disp (LEAVE). */
static void add_stack(struct mem_operands *out, int base, int32_t disp, uint32_t size, bool write)
{
    struct mem_ref r = {.seg = SEG_SS, .base = (int8_t)base, .index = -1, .scale = 1,
                        .stack = true, .write = write, .disp = disp, .size = size};
    add(out, r);
}

/* An explicit memory operand.  The default segment is SS when the base is
 * ESP or EBP (SP or BP), DS otherwise (SDM Vol. 1 3.7.4, Table 3-5). */
static void add_operand(struct mem_operands *out, const cs_x86_op *op, int32_t extra_disp)
{
    bool is16 = false;
    int base = op->mem.base == X86_REG_INVALID ? -1 : gpr_of(op->mem.base, &is16);
    int index = op->mem.index == X86_REG_INVALID ? -1 : gpr_of(op->mem.index, &is16);
    int seg = seg_of(op->mem.segment);
    if (seg < 0)
        seg = (base == GPR_ESP || base == GPR_EBP) ? SEG_SS : SEG_DS;
    struct mem_ref r = {.seg = (uint8_t)seg, .base = (int8_t)base, .index = (int8_t)index,
                        .scale = (uint8_t)(op->mem.scale > 0 ? op->mem.scale : 1),
                        .addr16 = is16, .write = (op->access & CS_AC_WRITE) != 0,
                        .disp = (int32_t)op->mem.disp + extra_disp, .size = op->size};
    add(out, r);
}

static bool is_string(unsigned id)
{
    switch (id) {
    case X86_INS_MOVSB: case X86_INS_MOVSW: case X86_INS_MOVSD:
    case X86_INS_STOSB: case X86_INS_STOSW: case X86_INS_STOSD:
    case X86_INS_LODSB: case X86_INS_LODSW: case X86_INS_LODSD:
    case X86_INS_CMPSB: case X86_INS_CMPSW: case X86_INS_CMPSD:
    case X86_INS_SCASB: case X86_INS_SCASW: case X86_INS_SCASD:
    case X86_INS_INSB: case X86_INS_INSW: case X86_INS_INSD:
    case X86_INS_OUTSB: case X86_INS_OUTSW: case X86_INS_OUTSD:
        return true;
    default:
        return false;
    }
}

/* Operands that name memory without accessing it. */
static bool touches_no_memory(unsigned id)
{
    switch (id) {
    case X86_INS_LEA: case X86_INS_NOP: case X86_INS_INVLPG:
    case X86_INS_PREFETCH: case X86_INS_PREFETCHNTA: case X86_INS_PREFETCHT0:
    case X86_INS_PREFETCHT1: case X86_INS_PREFETCHT2: case X86_INS_PREFETCHW:
        return true;
    default:
        return false;
    }
}

int mem_operands_decode(struct disasm *d, const uint8_t *code, size_t n, uint32_t addr,
                        bool code32, struct mem_operands *out)
{
    out->count = 0;
    out->rep = false;
    out->rep_count16 = false;
    out->reloads = false;
    out->has_named = false;
    const cs_insn *insn = disasm_detailed(d, code, n, addr, code32);
    if (!insn)
        return 0;
    const cs_x86 *x = &insn->detail->x86;
    /* The operand size of the implicit stack accesses: the code segment's
     * default, switched by a 0x66 prefix. */
    uint32_t os = (code32 != (x->prefix[2] == X86_PREFIX_OPSIZE)) ? 4 : 2;
    unsigned id = insn->id;

    if (touches_no_memory(id)) {
        for (int i = 0; i < x->op_count && !out->has_named; i++)
            if (x->operands[i].type == X86_OP_MEM) {
                struct mem_operands tmp = {0};
                add_operand(&tmp, &x->operands[i], 0);
                out->named = tmp.ref[0];
                out->has_named = true;
            }
    } else {
        for (int i = 0; i < x->op_count; i++) {
            const cs_x86_op *op = &x->operands[i];
            if (op->type != X86_OP_MEM)
                continue;
            struct mem_operands tmp = {0};
            /* POP to memory addressed by ESP: the address is computed
             * after ESP has moved up (SDM Vol. 2B POP). */
            bool after_pop = id == X86_INS_POP && op->mem.base == X86_REG_ESP;
            add_operand(&tmp, op, after_pop ? (int32_t)os : 0);
            struct mem_ref r = tmp.ref[0];
            switch (id) {
            case X86_INS_LDS: case X86_INS_LES: case X86_INS_LFS: case X86_INS_LGS:
            case X86_INS_LSS:
                r.size = os + 2; /* offset and selector */
                break;
            case X86_INS_INSB: case X86_INS_INSW: case X86_INS_INSD:
                r.write = true;
                break;
            default:
                break;
            }
            add(out, r);
        }
    }
    if (is_string(id) && (x->prefix[0] == X86_PREFIX_REP || x->prefix[0] == X86_PREFIX_REPNE)) {
        out->rep = true;
        out->rep_count16 = out->count > 0 && out->ref[0].addr16;
    }

    switch (id) {
    case X86_INS_MOV: case X86_INS_POP:
        out->reloads = x->op_count > 0 && x->operands[0].type == X86_OP_REG &&
                       (seg_of(x->operands[0].reg) >= 0 || x->operands[0].reg == X86_REG_CR0);
        break;
    case X86_INS_LDS: case X86_INS_LES: case X86_INS_LFS: case X86_INS_LGS: case X86_INS_LSS:
        out->reloads = true;
        break;
    default:
        break;
    }

    switch (id) {
    case X86_INS_PUSH: case X86_INS_CALL:
        add_stack(out, GPR_ESP, -(int32_t)os, os, true);
        break;
    case X86_INS_PUSHF: case X86_INS_PUSHFD:
        add_stack(out, GPR_ESP, id == X86_INS_PUSHFD ? -4 : -2, id == X86_INS_PUSHFD ? 4 : 2,
                  true);
        break;
    case X86_INS_PUSHAW: case X86_INS_PUSHAL: {
        uint32_t w = id == X86_INS_PUSHAL ? 4 : 2;
        add_stack(out, GPR_ESP, -(int32_t)(8 * w), 8 * w, true);
        break;
    }
    case X86_INS_POP: case X86_INS_RET:
        add_stack(out, GPR_ESP, 0, os, false);
        break;
    case X86_INS_POPF: case X86_INS_POPFD:
        add_stack(out, GPR_ESP, 0, id == X86_INS_POPFD ? 4 : 2, false);
        break;
    case X86_INS_POPAW: case X86_INS_POPAL:
        add_stack(out, GPR_ESP, 0, 8 * (id == X86_INS_POPAL ? 4u : 2u), false);
        break;
    case X86_INS_RETF:
        add_stack(out, GPR_ESP, 0, 2 * os, false); /* EIP, CS */
        break;
    case X86_INS_IRET: case X86_INS_IRETD:
        add_stack(out, GPR_ESP, 0, 3 * (id == X86_INS_IRETD ? 4u : 2u), false); /* EIP CS EFLAGS */
        break;
    case X86_INS_LEAVE:
        add_stack(out, GPR_EBP, 0, os, false); /* ESP = EBP, then POP EBP */
        break;
    case X86_INS_ENTER:
        /* The frame pointer and the level's copies pushed, the locals
         * allocated: the new ESP must lie in the segment (SDM Vol. 2A
         * ENTER), and so must everything pushed. */
        if (x->op_count == 2) {
            uint32_t level = (uint32_t)x->operands[1].imm & 31u;
            uint32_t total = os * (1 + level) + (uint32_t)(x->operands[0].imm & 0xffff);
            add_stack(out, GPR_ESP, -(int32_t)total, total, true);
        }
        break;
    default:
        break;
    }
    return (int)insn->size;
}
