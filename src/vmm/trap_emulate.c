/* The trap-and-emulate monitor's emulation (see vmm_trap.h): each
 * privileged instruction the deprivileged kernel executes raises #GP(0)
 * at real ring 1, and is executed here against the virtual CPU.  The
 * instruction's length and memory operands come from mem_operands.c (one
 * decoder of ModRM, SIB, displacements and segment prefixes); the opcode
 * bytes say which instruction it is. */
#include <stdio.h>
#include <string.h>

#include "cpu/fastsys.h"
#include "cpu/fault.h"
#include "cpu/mem_operands.h"
#include "cpu/seg_limit.h"
#include "vmm/trap_internal.h"

#define MSR_TSC 0x10u    /* IA32_TIME_STAMP_COUNTER (SDM Vol. 4, Table 2-2) */
#define CR4_DE (1u << 3) /* debugging extensions (SDM Vol. 3A 2.5) */

bool trap_decode(struct vmm_trap *t, const struct cpu_state *st, uint8_t *code, size_t size,
                 struct trap_insn *in)
{
    memset(in, 0, sizeof *in);
    in->b = code;
    in->n = machine_monitor_read_code(t->m, st, code, size);
    bool code32 = (st->seg[SEG_CS].flags & DESC_B) != 0;
    in->len = mem_operands_decode(t->dis, code, in->n, st->seg[SEG_CS].base + st->eip, code32,
                                  &in->ops);
    if (in->len <= 0)
        return false;
    /* SDM Vol. 2A 2.1.1: operand size, REP and segment prefixes. */
    for (; in->op < (size_t)in->len; in->op++) {
        uint8_t p = code[in->op];
        if (p == 0x66)
            in->opsize16 = true;
        else if (p == 0xf3 || p == 0xf2)
            in->rep = true;
        else if (p != 0x26 && p != 0x2e && p != 0x36 && p != 0x3e && p != 0x64 && p != 0x65)
            break;
    }
    return in->op < (size_t)in->len;
}

/* The byte after the opcode (`at` 1) or after a two-byte opcode (`at` 2):
 * the ModRM byte, or an immediate. */
static uint8_t byte_after(const struct trap_insn *in, size_t at)
{
    return in->op + at < (size_t)in->len ? in->b[in->op + at] : 0;
}

bool trap_operand_linear(const struct trap_insn *in, const struct cpu_state *st, uint32_t *lin)
{
    for (unsigned i = 0; i < in->ops.count; i++) {
        const struct mem_ref *r = &in->ops.ref[i];
        if (r->stack)
            continue;
        *lin = st->seg[r->seg].base + seg_limit_offset(st, r);
        return true;
    }
    return false;
}

/* A 16-bit operand from the ModRM byte at `at`: a register or memory. */
static bool rm16(struct vmm_trap *t, const struct trap_insn *in, const struct cpu_state *st, size_t at,
                 uint16_t *v)
{
    uint8_t modrm = byte_after(in, at);
    uint32_t lin;
    if ((modrm >> 6) == 3) {
        *v = (uint16_t)st->gpr[modrm & 7];
        return true;
    }
    return trap_operand_linear(in, st, &lin) && machine_monitor_read_linear(t->m, st, lin, v, 2);
}

/* Store `len` bytes at a linear address through the guest's page tables
 * (a supervisor write, as the kernel's own). */
static bool write_linear(struct vmm_trap *t, const struct cpu_state *st, uint32_t lin,
                         const void *buf, size_t len)
{
    const uint8_t *p = buf;
    for (size_t i = 0; i < len; i++) {
        uint32_t pa;
        if (!machine_monitor_translate(t->m, st, lin + (uint32_t)i, &pa) ||
            !machine_monitor_write_phys(t->m, pa, p + i, 1))
            return false;
    }
    return true;
}

static void port_in(struct vmm_trap *t, struct cpu_state *st, uint16_t port, int size)
{
    uint32_t v = machine_monitor_port_in(t->m, port, size);
    uint32_t *eax = &st->gpr[GPR_EAX];
    *eax = size == 1 ? (*eax & ~0xffu) | (v & 0xff)
           : size == 2 ? (*eax & ~0xffffu) | (v & 0xffff) : v;
}

/* INS and OUTS (SDM Vol. 2A INS, Vol. 2B OUTS): one element between the
 * port in DX and ES:EDI (INS; no prefix changes ES) or DS:ESI (OUTS; a
 * segment prefix may), EDI or ESI stepped by the size, down when DF is
 * set; with REP, ECX times.  The whole repetition runs in one trap. */
static int string_io(struct vmm_trap *t, struct cpu_state *st, const struct trap_insn *in)
{
    uint8_t op = in->b[in->op];
    bool out = op >= 0x6e;
    int size = (op & 1) ? (in->opsize16 ? 2 : 4) : 1;
    int32_t step = (st->eflags & EFLAGS_DF) ? -size : size;
    uint16_t port = (uint16_t)st->gpr[GPR_EDX];
    int idx = out ? GPR_ESI : GPR_EDI;
    unsigned seg = SEG_ES;
    if (out)
        seg = in->ops.count ? in->ops.ref[0].seg : SEG_DS;
    uint32_t count = in->rep ? st->gpr[GPR_ECX] : 1;
    for (; count; count--) {
        uint32_t lin = st->seg[seg].base + st->gpr[idx], v = 0;
        if (out) {
            if (!machine_monitor_read_linear(t->m, st, lin, &v, (size_t)size))
                return -1;
            machine_monitor_port_out(t->m, port, v, size);
        } else {
            v = machine_monitor_port_in(t->m, port, size);
            if (!write_linear(t, st, lin, &v, (size_t)size))
                return -1;
        }
        st->gpr[idx] += (uint32_t)step;
        if (in->rep)
            st->gpr[GPR_ECX]--;
    }
    return out ? T_OUTS : T_INS;
}

/* Load SS at ring 1: the CPU refuses a selector whose RPL is not the CPL
 * (SDM Vol. 2A MOV, "If SS is loaded"), and the kernel's says 0: the
 * monitor loads it with RPL 1, and interrupts wait one instruction
 * (SDM Vol. 3A 6.8.3). */
static bool load_ss(struct vmm_trap *t, struct cpu_state *st, uint16_t sel)
{
    if (!trap_load_seg(t, st, SEG_SS, sel | 1))
        return false;
    st->irq_inhibited = true;
    return true;
}

/* MOV Sreg, r/m16 (0x8E). */
static int mov_sreg(struct vmm_trap *t, struct cpu_state *st, const struct trap_insn *in)
{
    static const int sreg[8] = {SEG_ES, SEG_CS, SEG_SS, SEG_DS, SEG_FS, SEG_GS, -1, -1};
    int reg = sreg[(byte_after(in, 1) >> 3) & 7];
    uint16_t sel;
    if (reg < 0 || reg == SEG_CS || !rm16(t, in, st, 1, &sel))
        return -1;
    if (reg == SEG_SS)
        return load_ss(t, st, sel) ? T_MOV_SS : -1;
    return trap_load_seg(t, st, reg, sel) ? T_MOV_SREG : -1;
}

/* POP SS (0x17): the selector from the top of the stack, ESP past it. */
static int pop_ss(struct vmm_trap *t, struct cpu_state *st, const struct trap_insn *in)
{
    uint16_t sel;
    if (!machine_monitor_read_linear(t->m, st, st->seg[SEG_SS].base + st->gpr[GPR_ESP], &sel, 2) ||
        !load_ss(t, st, sel))
        return -1;
    st->gpr[GPR_ESP] += in->opsize16 ? 2 : 4;
    return T_POP_SS;
}

/* LSS r32, m16:32 (0F B2): the offset, then the selector. */
static int lss(struct vmm_trap *t, struct cpu_state *st, const struct trap_insn *in)
{
    uint8_t modrm = byte_after(in, 2);
    uint32_t lin, off = 0;
    uint16_t sel;
    int osz = in->opsize16 ? 2 : 4;
    if ((modrm >> 6) == 3 || !trap_operand_linear(in, st, &lin) ||
        !machine_monitor_read_linear(t->m, st, lin, &off, (size_t)osz) ||
        !machine_monitor_read_linear(t->m, st, lin + (uint32_t)osz, &sel, 2) || !load_ss(t, st, sel))
        return -1;
    uint32_t *r = &st->gpr[(modrm >> 3) & 7];
    *r = in->opsize16 ? (*r & ~0xffffu) | off : off;
    return T_LSS;
}

/* WRMSR, RDMSR (0F 30, 0F 32). */
static int msr(struct vmm_trap *t, struct cpu_state *st, bool write)
{
    uint32_t index = st->gpr[GPR_ECX];
    uint64_t value = (uint64_t)st->gpr[GPR_EDX] << 32 | st->gpr[GPR_EAX];
    uint32_t *virt = index == MSR_SYSENTER_CS    ? &t->v.sysenter_cs
                     : index == MSR_SYSENTER_ESP ? &t->v.sysenter_esp
                     : index == MSR_SYSENTER_EIP ? &t->v.sysenter_eip
                                                 : NULL;
    if (virt) {
        /* The guest's own: the real SYSENTER_CS stays 0, so that SYSENTER
         * faults to the monitor instead of entering the real ring 0
         * (SDM Vol. 2B SYSENTER: #GP(0) when it is 0). */
        if (write)
            *virt = (uint32_t)value;
        else
            value = *virt;
    } else if (!machine_monitor_msr(t->m, index, &value, write)) {
        return -1;
    }
    if (!write) {
        st->gpr[GPR_EAX] = (uint32_t)value;
        st->gpr[GPR_EDX] = (uint32_t)(value >> 32);
    }
    return write ? T_WRMSR : T_RDMSR;
}

/* RDTSC with the guest's CR4.TSD set (SDM Vol. 2B RDTSC): #GP(0) at
 * CPL > 0, a read at CPL 0. */
static int rdtsc(struct vmm_trap *t, struct cpu_state *st)
{
    uint64_t v;
    if (!machine_monitor_msr(t->m, MSR_TSC, &v, false))
        return -1;
    /* Read inside a trap, the counter may not have moved since the last
     * one; it counts up (SDM Vol. 3B 17.17). */
    if (v <= t->last_tsc)
        v = t->last_tsc + 1;
    t->last_tsc = v;
    st->gpr[GPR_EAX] = (uint32_t)v;
    st->gpr[GPR_EDX] = (uint32_t)(v >> 32);
    return T_RDTSC;
}

/* MOV r32, CRn / MOV CRn, r32 (0F 20, 0F 22). */
static int mov_cr(struct vmm_trap *t, struct cpu_state *st, const struct trap_insn *in, bool to_cr)
{
    uint8_t modrm = byte_after(in, 2);
    unsigned reg = (modrm >> 3) & 7, rm = modrm & 7;
    uint32_t *crs[5] = {&t->v.cr0, NULL, &t->v.cr2, &t->v.cr3, &t->v.cr4};
    if (reg > 4 || !crs[reg])
        return -1;
    if (!to_cr) {
        st->gpr[rm] = *crs[reg];
        return T_MOV_FROM_CR;
    }
    uint32_t value = st->gpr[rm];
    *crs[reg] = value;
    /* The real registers stand for the guest's: CR3 names the shadow
     * page tables, which start again empty (trap_paging.c). */
    if (reg == 2)
        st->cr2 = value;
    else
        trap_paging_load(t, st);
    if (reg != 2 && !trap_shadow_place(t, st)) {
        snprintf(t->stopped, sizeof t->stopped,
                 "the new page tables do not map the monitor's page (physical %#x)", SHADOW_PA);
        return -1;
    }
    return reg == 0 ? T_MOV_TO_CR0 : reg == 3 ? T_MOV_TO_CR3 : reg == 4 ? T_MOV_TO_CR4
                                                             : T_MOV_FROM_CR;
}

/* MOV r32, DRn / MOV DRn, r32 (0F 21, 0F 23): #GP(0) at CPL > 0 (SDM
 * Vol. 2A MOV, "Move to/from Debug Registers").  The monitor keeps the
 * guest's debug registers in the virtual CPU; DR4 and DR5 are DR6 and DR7
 * while CR4.DE is clear (SDM Vol. 3A 17.2.2).  The real ones stay
 * unarmed: the guest's hardware breakpoints do not fire. */
static int mov_dr(struct vmm_trap *t, struct cpu_state *st, const struct trap_insn *in, bool to_dr)
{
    uint8_t modrm = byte_after(in, 2);
    unsigned reg = (modrm >> 3) & 7, rm = modrm & 7;
    if (reg == 4 || reg == 5) {
        if (t->v.cr4 & CR4_DE)
            return -1; /* #UD on the CPU: the guest's own handler says so */
        reg += 2;
    }
    if (to_dr)
        t->v.dr[reg] = st->gpr[rm];
    else
        st->gpr[rm] = t->v.dr[reg];
    return T_MOV_DR;
}

/* LLDT, LTR r/m16 (0F 00 /2, /3). */
static int lldt_ltr(struct vmm_trap *t, struct cpu_state *st, const struct trap_insn *in, bool ltr)
{
    uint16_t sel;
    uint64_t d;
    if (!rm16(t, in, st, 2, &sel))
        return -1;
    if (!ltr) {
        /* The LDT descriptor (type 2) of the guest's GDT, its LDT shadowed
         * as its GDT is (SDM Vol. 2A LLDT). */
        if (sel & ~3u) {
            if (!trap_guest_desc(t, st, sel >> 3, &d))
                return -1;
            struct descriptor x = trap_decoded(d);
            if (x.s || x.type != 2 || !x.present)
                return -1;
        }
        return trap_shadow_ldt(t, st, sel) ? T_LLDT : -1;
    }
    if (!trap_guest_desc(t, st, sel >> 3, &d) || !trap_is_tss(d))
        return -1;
    t->v.tr = sel;
    trap_shadow_sync(t, st);
    /* The cache's type as the engine's own LTR leaves it, 9 (its call
     * gates read SSn:ESPn only through a TSS of that type, and abort the
     * process on any other). */
    st->tr = (struct seg_cache){sel, t->shadow_lin + SHADOW_TSS_OFF, TSS_SIZE - 1,
                                DESC_P | (9u << DESC_TYPE_SHIFT)};
    return T_LTR;
}

/* The 0F 01 group: LGDT, LIDT, LMSW, INVLPG. */
static int group7(struct vmm_trap *t, struct cpu_state *st, const struct trap_insn *in)
{
    uint8_t modrm = byte_after(in, 2);
    unsigned reg = (modrm >> 3) & 7;
    if (reg == 6) {
        /* LMSW: CR0's low four bits, PE, MP, EM, TS; PE can be set but
         * not cleared (SDM Vol. 2A LMSW). */
        uint16_t msw;
        if (!rm16(t, in, st, 2, &msw))
            return -1;
        uint32_t cr0 = (t->v.cr0 & ~0xeu) | (msw & 0xfu) | (t->v.cr0 & CR0_PE);
        t->v.cr0 = cr0;
        st->cr0 = trap_real_cr0(t);
        return T_LMSW;
    }
    if ((modrm >> 6) == 3)
        return -1;
    uint32_t lin;
    if (reg == 7) { /* INVLPG m: the shadow's entry for the page (SDM Vol. 2A INVLPG) */
        if (!in->ops.has_named)
            return -1;
        const struct mem_ref *r = &in->ops.named;
        trap_paging_invlpg(t, st->seg[r->seg].base + seg_limit_offset(st, r));
        return T_INVLPG;
    }
    uint8_t pd[6];
    if ((reg != 2 && reg != 3) || !trap_operand_linear(in, st, &lin) ||
        !machine_monitor_read_linear(t->m, st, lin, pd, 6))
        return -1;
    struct table_reg tr;
    memcpy(&tr.limit, pd, 2);
    memcpy(&tr.base, pd + 2, 4);
    if (in->opsize16)
        tr.base &= 0xffffff; /* a 16-bit operand loads 24 bits of base */
    if (reg == 3) {          /* the guest's IDT is the real one */
        t->v.idtr = tr;
        st->idtr = tr;
        return T_LIDT;
    }
    t->v.gdtr = tr;
    return trap_shadow_place(t, st) ? T_LGDT : -1;
}

/* INT n in the kernel through a DPL-0 gate (see trap_internal.h):
 * software interrupts need gate DPL >= CPL (SDM Vol. 3A 6.12.1.1), and the
 * kernel runs at CPL 1, so it would fault.  The monitor delivers it as
 * ring 0 would: the gate's code is the kernel's (shadowed DPL 1, so no
 * stack switch), EFLAGS, CS and the return EIP pushed, TF, NT, RF (and IF
 * for an interrupt gate) cleared (SDM Vol. 3A 6.12.1).  The pushed CS has
 * RPL 1. */
int trap_soft_int(struct vmm_trap *t, struct cpu_state *st, unsigned vector, uint32_t return_eip)
{
    uint32_t raw[2];
    struct gate g;
    if (vector * 8 + 7 > t->v.idtr.limit ||
        !machine_monitor_read_linear(t->m, st, t->v.idtr.base + vector * 8, raw, 8) ||
        !gate_decode(raw[0], raw[1], &g) || !g.present || !g.is32 ||
        (g.kind != GATE_KIND_INTERRUPT && g.kind != GATE_KIND_TRAP) || g.dpl >= st->cpl)
        return -1;
    uint64_t d;
    if (!trap_guest_desc(t, st, g.selector >> 3, &d) || trap_decoded(d).dpl != 0)
        return -1; /* another ring's code: not a call within the kernel */
    uint32_t frame[3] = {return_eip, st->seg[SEG_CS].selector, st->eflags};
    uint32_t esp = st->gpr[GPR_ESP] - 12;
    if (!write_linear(t, st, st->seg[SEG_SS].base + esp, frame, sizeof frame) ||
        !trap_load_seg(t, st, SEG_CS, g.selector | 1))
        return -1;
    st->gpr[GPR_ESP] = esp;
    st->eflags &= ~(EFLAGS_TF | EFLAGS_NT | EFLAGS_RF);
    if (g.kind == GATE_KIND_INTERRUPT) {
        st->eflags &= ~EFLAGS_IF;
        t->v.iflag = false;
    }
    st->eip = g.offset;
    return T_INT;
}

/* SYSEXIT (SDM Vol. 2B): to ring 3 from the MSR's selectors. */
static int sysexit(struct vmm_trap *t, struct cpu_state *st)
{
    uint16_t base = (uint16_t)(t->v.sysenter_cs & 0xfffc);
    if (!trap_load_seg(t, st, SEG_CS, (uint16_t)(base + 16) | 3) ||
        !trap_load_seg(t, st, SEG_SS, (uint16_t)(base + 24) | 3))
        return -1;
    st->cpl = 3;
    st->gpr[GPR_ESP] = st->gpr[GPR_ECX];
    st->eip = st->gpr[GPR_EDX];
    t->v.cpl = 3;
    return T_SYSEXIT;
}

/* The two-byte opcodes. */
static int two_byte(struct vmm_trap *t, struct cpu_state *st, const struct trap_insn *in)
{
    uint8_t op2 = byte_after(in, 1);
    uint8_t reg = (byte_after(in, 2) >> 3) & 7;
    switch (op2) {
    case 0x06: /* CLTS */
        t->v.cr0 &= ~CR0_TS;
        st->cr0 &= ~CR0_TS;
        return T_CLTS;
    case 0x08: case 0x09: /* INVD, WBINVD: no caches to flush */
        return T_CACHE;
    case 0x30: case 0x32:
        return msr(t, st, op2 == 0x30);
    case 0x31:
        return rdtsc(t, st);
    case 0x33: /* RDPMC: ringlab models no performance counters; they read 0 */
        if (st->gpr[GPR_ECX] > 1)
            return -1;
        st->gpr[GPR_EAX] = st->gpr[GPR_EDX] = 0;
        return T_RDPMC;
    case 0x35:
        return sysexit(t, st);
    case 0x20: case 0x22:
        return mov_cr(t, st, in, op2 == 0x22);
    case 0x21: case 0x23:
        return mov_dr(t, st, in, op2 == 0x23);
    case 0x00:
        return reg == 2 || reg == 3 ? lldt_ltr(t, st, in, reg == 3) : -1;
    case 0x01:
        return group7(t, st, in);
    case 0xb2:
        return lss(t, st, in);
    default:
        return -1;
    }
}

int trap_emulate(struct vmm_trap *t, struct cpu_state *st, bool *halted)
{
    uint8_t code[16];
    struct trap_insn in;
    if (!trap_decode(t, st, code, sizeof code, &in))
        return -1;
    uint8_t op = code[in.op];
    int wide = in.opsize16 ? 2 : 4;
    int cause = -1;
    uint16_t dx = (uint16_t)st->gpr[GPR_EDX];
    switch (op) {
    case 0xfa: /* CLI: IF is the virtual CPU's, and the real one follows it */
        t->v.iflag = false;
        st->eflags &= ~EFLAGS_IF;
        cause = T_CLI;
        break;
    case 0xfb: /* STI, with its one-instruction shadow (SDM Vol. 3A 6.8.3) */
        t->v.iflag = true;
        st->eflags |= EFLAGS_IF;
        st->irq_inhibited = true;
        cause = T_STI;
        break;
    case 0xf4:
        *halted = true;
        cause = T_HLT;
        break;
    case 0xe4: case 0xe5: case 0xec: case 0xed:
        port_in(t, st, (op & 8) ? dx : byte_after(&in, 1), (op & 1) ? wide : 1);
        cause = T_IN;
        break;
    case 0xe6: case 0xe7: case 0xee: case 0xef:
        machine_monitor_port_out(t->m, (op & 8) ? dx : byte_after(&in, 1), st->gpr[GPR_EAX],
                                 (op & 1) ? wide : 1);
        cause = T_OUT;
        break;
    case 0x6c: case 0x6d: case 0x6e: case 0x6f:
        cause = string_io(t, st, &in);
        break;
    case 0x8e:
        cause = mov_sreg(t, st, &in);
        break;
    case 0x17:
        cause = pop_ss(t, st, &in);
        break;
    case 0x0f:
        cause = two_byte(t, st, &in);
        if (cause == T_SYSEXIT)
            return cause; /* EIP set */
        break;
    default:
        return -1;
    }
    if (cause < 0)
        return -1;
    st->eip += (uint32_t)in.len;
    return cause;
}
