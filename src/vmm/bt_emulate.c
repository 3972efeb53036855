/* The sensitive instructions the translating monitor executes itself (see
 * bt_emulate.h).  Each works on a copy of the state and writes it back
 * only when the whole instruction succeeded, so a fallback to the engine
 * starts from the state before it. */
#include "vmm/bt_emulate.h"

#include <stdio.h>
#include <string.h>

#include "cpu/desc.h"
#include "vmm/trap_internal.h"

/* The flags POPF and IRET load at CPL 0 (SDM Vol. 2B POPF, Vol. 2A IRET):
 * CF PF AF ZF SF TF IF DF OF IOPL NT AC ID; IRET also RF, VIF, VIP. */
#define POPF_FLAGS 0x00247fd5u
#define IRET_FLAGS (POPF_FLAGS | EFLAGS_RF | (3u << 19))

static bool stack_read(struct vmm_bt *b, const struct cpu_state *st, uint32_t esp, void *v,
                       size_t len)
{
    return machine_monitor_read_linear(b->trap.m, st, st->seg[SEG_SS].base + esp, v, len);
}

static bool push(struct vmm_bt *b, struct cpu_state *st, uint32_t v, int size)
{
    uint32_t esp = st->gpr[GPR_ESP] - (uint32_t)size;
    if (!machine_monitor_write_linear(b->trap.m, st, st->seg[SEG_SS].base + esp, &v,
                                      (size_t)size))
        return false;
    st->gpr[GPR_ESP] = esp;
    return true;
}

static void set_reg(struct cpu_state *st, unsigned r, uint32_t v, int size)
{
    st->gpr[r] = size == 2 ? (st->gpr[r] & 0xffff0000u) | (v & 0xffff) : v;
}

/* The virtual EFLAGS: the real one with the virtual IF and IOPL. */
static uint32_t virtual_eflags(const struct vmm_bt *b, uint32_t real)
{
    return (real & ~(EFLAGS_IF | EFLAGS_IOPL)) | (b->trap.v.iflag ? EFLAGS_IF : 0) |
           ((uint32_t)b->iopl << EFLAGS_IOPL_SHIFT);
}

/* Load the virtual IF and IOPL from `fl`: the real IF follows the virtual
 * one (the kernel's CLI and STI trap and keep them so), the real IOPL
 * stays 0 while the kernel runs, so its I/O and CLI still trap. */
static uint32_t load_virtual_flags(struct vmm_bt *b, uint32_t fl, bool to_kernel)
{
    b->trap.v.iflag = (fl & EFLAGS_IF) != 0;
    b->iopl = (uint8_t)((fl & EFLAGS_IOPL) >> EFLAGS_IOPL_SHIFT);
    return to_kernel ? fl & ~EFLAGS_IOPL : fl;
}

/* A register operand (of reg_size bytes) or a 16-bit memory one, written:
 * a selector or SMSW's word (SDM Vol. 2B MOV, SLDT, STR, SMSW). */
static bool store_rm(struct vmm_bt *b, const struct trap_insn *in, struct cpu_state *st,
                     uint8_t modrm, uint32_t v, int reg_size)
{
    if ((modrm >> 6) == 3) {
        set_reg(st, modrm & 7, v, reg_size);
        return true;
    }
    uint32_t ea;
    uint16_t v16 = (uint16_t)v;
    return trap_operand_linear(in, st, &ea) &&
           machine_monitor_write_linear(b->trap.m, st, ea, &v16, 2);
}

/* IRET and far RET at virtual CPL 0 (SDM Vol. 2A IRET, RET): pop EIP and
 * CS (and EFLAGS), words of `size` bytes (IRETW and a 16-bit RETF pop
 * 16-bit ones, and load only FLAGS' low half); to an outer ring also ESP
 * and SS.  The frame's RPL 0 is the kernel's ring, which runs at real
 * ring 1.  A far RET to an outer ring is executed here too: at real ring
 * 1 the engine would leave the real IOPL 0 that the kernel runs with,
 * where the outer ring must get the virtual one. */
static bool do_return(struct vmm_bt *b, struct cpu_state *st, bool iret, uint16_t imm, int size)
{
    uint32_t w[3] = {0, 0, 0}, esp = st->gpr[GPR_ESP];
    int nw = iret ? 3 : 2;
    for (int i = 0; i < nw; i++)
        if (!stack_read(b, st, esp + (uint32_t)(i * size), &w[i], (size_t)size))
            return false;
    esp += (uint32_t)(nw * size);
    uint32_t fl = iret ? w[2] : 0;
    if (iret && size == 2)
        fl |= st->eflags & 0xffff0000u;
    uint16_t cs = (uint16_t)w[1];
    unsigned rpl = cs & 3;
    /* A task return (EFLAGS.NT, SDM Vol. 2A IRET, "TASK-RETURN"; the NT
     * tested is the current EFLAGS', not the frame's) or a return to
     * virtual-8086 mode: the shadow TSS has no back link to follow and the
     * monitor keeps no virtual-8086 state, and run at ring 1 either would
     * go wrong.  The run stops, the report naming the instruction. */
    bool task = iret && (st->eflags & EFLAGS_NT);
    if (task || (iret && (fl & EFLAGS_VM))) {
        if (!b->trap.stopped[0])
            snprintf(b->trap.stopped, sizeof b->trap.stopped,
                     "IRET%s with %s at %04x:%08x is not emulated: the run stopped there",
                     size == 2 ? "W" : "",
                     task ? "NT set (a task return)" : "VM set (to virtual-8086 mode)",
                     st->seg[SEG_CS].selector, st->eip);
        b->stop = true;
        return false;
    }
    struct cpu_state n = *st;
    esp += imm;
    /* The descriptors as the guest's GDT has them now (it may have
     * written one since the last event copied it). */
    trap_shadow_sync(&b->trap, st);
    if (!trap_load_seg(&b->trap, &n, SEG_CS, rpl == 0 ? (uint16_t)(cs | 1) : cs))
        return false;
    if (rpl > 0) {
        /* To an outer ring: its stack, and no data segment register left
         * that the new CPL may not use (the guest's DPLs decide). */
        uint32_t outer[2] = {0, 0};
        if (!stack_read(b, st, esp, &outer[0], (size_t)size) ||
            !stack_read(b, st, esp + (uint32_t)size, &outer[1], (size_t)size) ||
            !trap_load_seg(&b->trap, &n, SEG_SS, (uint16_t)outer[1]))
            return false;
        /* RET imm16 releases the parameters on the outer stack too
         * (SDM Vol. 2A RET, "RETURN-TO-OUTER-PRIVILEGE-LEVEL"). */
        n.gpr[GPR_ESP] = outer[0] + imm;
        static const int data[] = {SEG_ES, SEG_DS, SEG_FS, SEG_GS};
        for (int i = 0; i < 4; i++) {
            uint16_t sel = n.seg[data[i]].selector;
            uint64_t d;
            if (!(sel & ~3u) || !trap_guest_desc(&b->trap, st, sel >> 3, &d))
                continue;
            struct descriptor x;
            desc_decode((uint32_t)d, (uint32_t)(d >> 32), &x);
            if (x.dpl < rpl && !desc_is_conforming(&x))
                n.seg[data[i]] = (struct seg_cache){0, 0, 0, 0};
        }
        n.cpl = (uint8_t)rpl;
    } else if (!(st->seg[SEG_SS].flags & DESC_B)) {
        /* A 16-bit stack moves SP only (SDM Vol. 3A 3.4.5, the B flag). */
        n.gpr[GPR_ESP] = (st->gpr[GPR_ESP] & 0xffff0000u) | (esp & 0xffff);
    } else {
        n.gpr[GPR_ESP] = esp;
    }
    if (iret)
        n.eflags = load_virtual_flags(b, (fl & IRET_FLAGS) | EFLAGS_FIXED1, rpl == 0);
    else if (rpl > 0) /* RET leaves EFLAGS; the outer ring uses the virtual IOPL */
        n.eflags = (n.eflags & ~EFLAGS_IOPL) | ((uint32_t)b->iopl << EFLAGS_IOPL_SHIFT);
    n.eip = w[0];
    b->trap.v.cpl = (uint8_t)rpl;
    *st = n;
    return true;
}

/* LAR and LSL against the guest's GDT at CPL 0 (SDM Vol. 2A LAR, LSL):
 * ZF says whether the selector's descriptor is visible. */
static bool lar_lsl(struct vmm_bt *b, const struct trap_insn *in, struct cpu_state *st, bool lsl)
{
    uint8_t modrm = in->b[in->op + 2];
    uint16_t sel;
    uint32_t ea;
    if ((modrm >> 6) == 3)
        sel = (uint16_t)st->gpr[modrm & 7];
    else if (!trap_operand_linear(in, st, &ea) ||
             !machine_monitor_read_linear(b->trap.m, st, ea, &sel, 2))
        return false;
    if (sel & 4)
        return false; /* an LDT's: the bundled kernel has none, the engine answers */
    uint64_t d;
    bool ok = (sel & ~3u) && trap_guest_desc(&b->trap, st, sel >> 3, &d);
    struct descriptor x = {0};
    if (ok) {
        desc_decode((uint32_t)d, (uint32_t)(d >> 32), &x);
        /* System types LAR accepts: TSSs, LDT, call and task gates; LSL
         * only those with a limit (Vol. 2A Tables 3-52, 3-63). */
        unsigned t = x.type;
        ok = x.s || (lsl ? t == 1 || t == 2 || t == 3 || t == 9 || t == 11
                         : (t >= 1 && t <= 5) || t == 9 || t == 11 || t == 12);
        /* Not conforming code: DPL >= CPL (0) and DPL >= RPL. */
        if (ok && !(x.s && desc_is_conforming(&x)))
            ok = x.dpl >= (sel & 3u);
    }
    st->eflags &= ~0x40u; /* ZF */
    if (ok) {
        st->eflags |= 0x40u;
        set_reg(st, (modrm >> 3) & 7, lsl ? x.limit : (uint32_t)(d >> 32) & 0x00f0ff00u,
                in->opsize16 ? 2 : 4);
    }
    return true;
}

/* Group 6 and 7 stores: SLDT, STR, SMSW, SGDT, SIDT from the virtual CPU. */
static bool table_store(struct vmm_bt *b, const struct trap_insn *in, struct cpu_state *st,
                        enum bt_kind k)
{
    uint8_t modrm = in->b[in->op + 2];
    int size = in->opsize16 ? 2 : 4;
    if (k == BT_SLDT)
        return store_rm(b, in, st, modrm, st->ldtr.selector, size);
    if (k == BT_STR)
        return store_rm(b, in, st, modrm, b->trap.v.tr, size);
    if (k == BT_SMSW)
        return store_rm(b, in, st, modrm, b->trap.v.cr0, size);
    /* SGDT, SIDT m: the limit, then the base (SDM Vol. 2B SGDT). */
    const struct table_reg *tr = k == BT_SGDT ? &b->trap.v.gdtr : &b->trap.v.idtr;
    uint8_t image[6];
    uint32_t ea;
    memcpy(image, &tr->limit, 2);
    memcpy(image + 2, &tr->base, 4);
    return trap_operand_linear(in, st, &ea) &&
           machine_monitor_write_linear(b->trap.m, st, ea, image, 6);
}

bool bt_emulate(struct vmm_bt *b, struct cpu_state *st, enum bt_kind *kind)
{
    uint8_t code[16];
    struct trap_insn in;
    *kind = BT_NONE;
    if (!trap_decode(&b->trap, st, code, sizeof code, &in))
        return false;
    *kind = bt_classify(code, in.n);
    /* LOCK and REP: not forms these instructions take; the engine's. */
    if (*kind == BT_NONE || in.rep || memchr(code, 0xf0, in.op))
        return false;
    uint8_t op = code[in.op];
    int size = in.opsize16 ? 2 : 4;
    struct cpu_state n = *st;
    bool done = false;
    switch (*kind) {
    case BT_PUSHF: /* the virtual IF and IOPL; VM and RF read as 0 (Vol. 2B PUSHF) */
        done = push(b, &n, virtual_eflags(b, st->eflags) & ~(EFLAGS_VM | EFLAGS_RF), size);
        break;
    case BT_POPF: {
        uint32_t v = 0;
        uint32_t mask = in.opsize16 ? POPF_FLAGS & 0xffff : POPF_FLAGS;
        if (!stack_read(b, st, st->gpr[GPR_ESP], &v, (size_t)size))
            break;
        n.gpr[GPR_ESP] += (uint32_t)size;
        n.eflags = load_virtual_flags(b, ((st->eflags & ~mask) | (v & mask)) & ~EFLAGS_RF, true);
        done = true;
        break;
    }
    case BT_IRET:
    case BT_RETF: {
        uint16_t imm = 0;
        if (op == 0xca)
            memcpy(&imm, code + in.op + 1, 2);
        done = do_return(b, &n, *kind == BT_IRET, imm, size);
        break;
    }
    case BT_PUSH_SREG: /* the selector with the virtual CPL as its RPL */
        done = push(b, &n, n.seg[op == 0x0e ? SEG_CS : SEG_SS].selector & ~3u, size);
        break;
    case BT_MOV_SREG: {
        uint8_t modrm = code[in.op + 1];
        int reg = ((modrm >> 3) & 7) == 1 ? SEG_CS : SEG_SS;
        done = store_rm(b, &in, &n, modrm, n.seg[reg].selector & ~3u, size);
        break;
    }
    case BT_SGDT: case BT_SIDT: case BT_SLDT: case BT_STR: case BT_SMSW:
        done = table_store(b, &in, &n, *kind);
        break;
    case BT_LAR: case BT_LSL:
        done = lar_lsl(b, &in, &n, *kind == BT_LSL);
        break;
    default:
        /* VERR, VERW, far JMP and CALL: the shadow's DPL 1 descriptors at
         * real CPL 1 give the answers the guest's DPL 0 ones give at CPL
         * 0, and the CS loaded takes RPL 1 either way: the engine's. */
        break;
    }
    if (!done)
        return false;
    if (*kind != BT_IRET && *kind != BT_RETF)
        n.eip = st->eip + (uint32_t)in.len;
    *st = n;
    return true;
}
