/* The trap-and-emulate monitor's emulation (see vmm_trap.h): each
 * privileged instruction the deprivileged kernel executes raises #GP(0)
 * at real ring 1, and is executed here against the virtual CPU. */
#include <stdio.h>
#include <string.h>

#include "cpu/fastsys.h"
#include "cpu/fault.h"
#include "vmm/trap_internal.h"

/* ---- emulation ------------------------------------------------------------- */

struct insn {
    const uint8_t *b;
    size_t n, at;
    bool opsize16, rep;
};

/* A 32-bit displacement from the instruction's bytes. */
static bool take_u32(struct insn *in, uint32_t *v)
{
    if (in->at + 4 > in->n)
        return false;
    memcpy(v, in->b + in->at, 4);
    in->at += 4;
    return true;
}

/* The effective address of a ModRM memory operand (32-bit addressing,
 * SDM Vol. 2A 2.1.5); false for a register operand or short code. */
static bool modrm_address(struct insn *in, const struct cpu_state *st, uint8_t modrm,
                          uint32_t *ea)
{
    unsigned mod = modrm >> 6, rm = modrm & 7;
    if (mod == 3)
        return false;
    uint32_t a = 0;
    if (rm == 4) {
        if (in->at >= in->n)
            return false;
        uint8_t sib = in->b[in->at++];
        unsigned scale = sib >> 6, index = (sib >> 3) & 7, base = sib & 7;
        if (index != 4)
            a += st->gpr[index] << scale;
        if (base == 5 && mod == 0) {
            uint32_t d32;
            if (!take_u32(in, &d32))
                return false;
            a += d32;
        } else {
            a += st->gpr[base];
        }
    } else if (rm == 5 && mod == 0) {
        if (!take_u32(in, &a))
            return false;
    } else {
        a = st->gpr[rm];
    }
    if (mod == 1) {
        if (in->at >= in->n)
            return false;
        a += (uint32_t)(int32_t)(int8_t)in->b[in->at++];
    } else if (mod == 2) {
        uint32_t d32;
        if (!take_u32(in, &d32))
            return false;
        a += d32;
    }
    *ea = st->seg[SEG_DS].base + a;
    return true;
}

static void port_in(struct vmm_trap *t, struct cpu_state *st, uint16_t port, int size)
{
    uint32_t v = machine_monitor_port_in(t->m, port, size);
    uint32_t *eax = &st->gpr[GPR_EAX];
    *eax = size == 1 ? (*eax & ~0xffu) | (v & 0xff)
           : size == 2 ? (*eax & ~0xffffu) | (v & 0xffff) : v;
}

/* Execute the privileged instruction at st->eip for the virtual ring 0.
 * Returns its cause (T_*), or -1 when it is not one the monitor knows. */
int trap_emulate(struct vmm_trap *t, struct cpu_state *st, bool *halted)
{
    uint8_t code[16];
    struct insn in = {code, machine_monitor_read_code(t->m, st, code, sizeof code), 0, false,
                      false};
    while (in.at < in.n && (code[in.at] == 0x66 || code[in.at] == 0xf3 || code[in.at] == 0x3e)) {
        in.opsize16 |= code[in.at] == 0x66;
        in.rep |= code[in.at] == 0xf3;
        in.at++;
    }
    if (in.at >= in.n)
        return -1;
    uint8_t op = code[in.at++];
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
        if (in.at >= in.n && (op == 0xe4 || op == 0xe5))
            return -1;
        port_in(t, st, (op & 8) ? dx : code[in.at++], (op & 1) ? wide : 1);
        cause = T_IN;
        break;
    case 0xe6: case 0xe7: case 0xee: case 0xef: {
        if (in.at >= in.n && (op == 0xe6 || op == 0xe7))
            return -1;
        uint16_t port = (op & 8) ? dx : code[in.at++];
        machine_monitor_port_out(t->m, port, st->gpr[GPR_EAX], (op & 1) ? wide : 1);
        cause = T_OUT;
        break;
    }
    case 0x8e: { /* MOV Sreg, r16: SS with RPL 0 is refused at CPL 1 */
        if (in.at >= in.n || (code[in.at] >> 6) != 3)
            return -1;
        uint8_t modrm = code[in.at++];
        static const int sreg[8] = {SEG_ES, SEG_CS, SEG_SS, SEG_DS, SEG_FS, SEG_GS, -1, -1};
        int reg = sreg[(modrm >> 3) & 7];
        if (reg < 0 || reg == SEG_CS)
            return -1;
        uint16_t sel = (uint16_t)st->gpr[modrm & 7];
        if (reg == SEG_SS)
            sel |= 1;
        if (!trap_load_seg(t, st, reg, sel))
            return -1;
        if (reg == SEG_SS)
            st->irq_inhibited = true;
        cause = reg == SEG_SS ? T_MOV_SS : T_MOV_SREG;
        break;
    }
    case 0x0f: {
        if (in.at >= in.n)
            return -1;
        uint8_t op2 = code[in.at++];
        if (op2 == 0x06) { /* CLTS */
            t->v.cr0 &= ~CR0_TS;
            st->cr0 &= ~CR0_TS;
            cause = T_CLTS;
            break;
        }
        if (op2 == 0x08 || op2 == 0x09) {
            cause = T_CACHE;
            break;
        }
        if (op2 == 0x30 || op2 == 0x32) {
            uint32_t msr = st->gpr[GPR_ECX];
            uint64_t value = (uint64_t)st->gpr[GPR_EDX] << 32 | st->gpr[GPR_EAX];
            uint32_t *virt = msr == MSR_SYSENTER_CS    ? &t->v.sysenter_cs
                             : msr == MSR_SYSENTER_ESP ? &t->v.sysenter_esp
                             : msr == MSR_SYSENTER_EIP ? &t->v.sysenter_eip
                                                       : NULL;
            if (virt) {
                /* The guest's own: the real SYSENTER_CS stays 0, so that
                 * SYSENTER faults to the monitor instead of entering the
                 * real ring 0 (SDM Vol. 2B SYSENTER: #GP(0) when it is 0). */
                if (op2 == 0x30)
                    *virt = (uint32_t)value;
                else
                    value = *virt;
            } else if (!machine_monitor_msr(t->m, msr, &value, op2 == 0x30)) {
                return -1;
            }
            if (op2 == 0x32) {
                st->gpr[GPR_EAX] = (uint32_t)value;
                st->gpr[GPR_EDX] = (uint32_t)(value >> 32);
            }
            cause = op2 == 0x30 ? T_WRMSR : T_RDMSR;
            break;
        }
        if (op2 == 0x35) { /* SYSEXIT (SDM Vol. 2B): to ring 3 from the MSR's selectors */
            uint16_t base = (uint16_t)(t->v.sysenter_cs & 0xfffc);
            if (!trap_load_seg(t, st, SEG_CS, (uint16_t)(base + 16) | 3) ||
                !trap_load_seg(t, st, SEG_SS, (uint16_t)(base + 24) | 3))
                return -1;
            st->cpl = 3;
            st->gpr[GPR_ESP] = st->gpr[GPR_ECX];
            st->eip = st->gpr[GPR_EDX];
            t->v.cpl = 3;
            return T_SYSEXIT; /* EIP set */
        }
        if (in.at >= in.n)
            return -1;
        uint8_t modrm = code[in.at++];
        unsigned reg = (modrm >> 3) & 7, rm = modrm & 7;
        if (op2 == 0x20 || op2 == 0x22) { /* MOV r32, CRn / MOV CRn, r32 */
            if ((modrm >> 6) != 3)
                return -1;
            uint32_t *crs[5] = {&t->v.cr0, NULL, &st->cr2, &t->v.cr3, &t->v.cr4};
            if (reg > 4 || !crs[reg])
                return -1;
            if (op2 == 0x20) {
                st->gpr[rm] = *crs[reg];
                cause = T_MOV_FROM_CR;
                break;
            }
            uint32_t value = st->gpr[rm];
            *crs[reg] = value;
            /* Ring 1 is a supervisor to the MMU (SDM Vol. 3A 4.6): the
             * guest's own page tables and its CR0.WP serve unchanged. */
            if (reg == 0)
                st->cr0 = value;
            else if (reg == 3) {
                st->cr3 = value;
                machine_monitor_flush_tlb(t->m); /* even when CR3 is the same */
            }
            else if (reg == 4)
                st->cr4 = value;
            if (reg != 2 && !trap_shadow_place(t, st)) {
                snprintf(t->stopped, sizeof t->stopped,
                         "the new page tables do not map the monitor's page (physical %#x)",
                         SHADOW_PA);
                return -1;
            }
            cause = reg == 0 ? T_MOV_TO_CR0 : reg == 3 ? T_MOV_TO_CR3 : reg == 4 ? T_MOV_TO_CR4
                                                                     : T_MOV_FROM_CR;
            break;
        }
        if (op2 == 0x00 && (reg == 2 || reg == 3)) { /* LLDT, LTR r/m16 */
            uint16_t sel;
            uint32_t ea;
            if ((modrm >> 6) == 3)
                sel = (uint16_t)st->gpr[rm];
            else if (!modrm_address(&in, st, modrm, &ea) ||
                     !machine_monitor_read_linear(t->m, st, ea, &sel, 2))
                return -1;
            if (reg == 2) {
                if (sel & ~3u)
                    return -1; /* the bundled kernel has no LDT */
                st->ldtr = (struct seg_cache){0, 0, 0, 0};
                cause = T_LLDT;
                break;
            }
            uint64_t d;
            if (!trap_guest_desc(t, st, sel >> 3, &d) || !trap_is_tss(d))
                return -1;
            t->v.tr = sel;
            trap_shadow_sync(t, st);
            st->tr = (struct seg_cache){sel, t->shadow_lin + SHADOW_TSS_OFF, TSS_SIZE - 1,
                                        DESC_P | (11u << DESC_TYPE_SHIFT)};
            cause = T_LTR;
            break;
        }
        if (op2 == 0x01 && (reg == 2 || reg == 3 || reg == 7)) {
            uint32_t ea;
            if (!modrm_address(&in, st, modrm, &ea))
                return -1;
            if (reg == 7) { /* INVLPG: the whole TLB, which is more than enough */
                machine_monitor_flush_tlb(t->m);
                cause = T_INVLPG;
                break;
            }
            uint8_t pd[6];
            if (!machine_monitor_read_linear(t->m, st, ea, pd, 6))
                return -1;
            struct table_reg tr;
            memcpy(&tr.limit, pd, 2);
            memcpy(&tr.base, pd + 2, 4);
            if (reg == 3) { /* the guest's IDT is the real one */
                t->v.idtr = tr;
                st->idtr = tr;
                cause = T_LIDT;
                break;
            }
            t->v.gdtr = tr;
            if (!trap_shadow_place(t, st))
                return -1;
            cause = T_LGDT;
            break;
        }
        return -1;
    }
    default:
        return -1;
    }
    st->eip += (uint32_t)in.at;
    return cause;
}
