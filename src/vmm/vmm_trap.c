/* The trap-and-emulate monitor (see vmm_trap.h): the shadow tables, the
 * emulation of each privileged instruction against the virtual CPU, and
 * the report of what it emulated, what it passed on, and where the
 * deprivileged guest could tell. */
#include "vmm/vmm_trap.h"

#include <stdio.h>
#include <string.h>

#include "control.h"
#include "cpu/desc.h"
#include "cpu/fastsys.h"
#include "cpu/fault.h"
#include "cpu/intr.h"
#include "front/report.h"
#include "inspect.h"
#include "machine/clock.h"
#include "status.h"
#include "trace/event.h"
#include "vmm/vmm_hw.h"

/* The monitor's own page of guest-physical memory, below the EBDA, which
 * a Multiboot kernel is not given (it lies under mem_lower's 640 KiB but
 * the bundled kernel allocates from 1 MiB up): the shadow GDT, then the
 * shadow TSS. */
#define SHADOW_PA 0x9f000u
#define SHADOW_GDT_MAX 0x800u
#define SHADOW_TSS_OFF 0x800u
#define TSS_SIZE 0x68u /* a 32-bit TSS (SDM Vol. 3A 7.2.1), no I/O map */

enum trap_cause {
    T_CLI, T_STI, T_HLT, T_IN, T_OUT, T_LGDT, T_LIDT, T_LTR, T_LLDT, T_MOV_FROM_CR,
    T_MOV_TO_CR0, T_MOV_TO_CR3, T_MOV_TO_CR4, T_INVLPG, T_WRMSR, T_RDMSR, T_CLTS, T_CACHE,
    T_MOV_SS, T_MOV_SREG, T_SYSENTER, T_SYSEXIT, T_CAUSE_COUNT
};
static const char *const cause_name[T_CAUSE_COUNT] = {
    "CLI", "STI", "HLT", "IN", "OUT", "LGDT", "LIDT", "LTR", "LLDT", "MOV r, CRn",
    "MOV CR0, r", "MOV CR3, r", "MOV CR4, r", "INVLPG", "WRMSR", "RDMSR", "CLTS",
    "WBINVD/INVD", "MOV SS, r", "MOV Sreg, r", "SYSENTER", "SYSEXIT"};

/* ---- descriptors ------------------------------------------------------------ */

static struct descriptor decoded(uint64_t d)
{
    struct descriptor x;
    desc_decode((uint32_t)d, (uint32_t)(d >> 32), &x);
    return x;
}

static bool is_tss(uint64_t d)
{
    struct descriptor x = decoded(d);
    return desc_is_tss(&x);
}

static uint64_t desc_set_base_limit(uint64_t d, uint32_t base, uint32_t limit)
{
    d &= ~0xff0f00ffffffffffull; /* base and limit, the G bit below */
    d |= limit & 0xffff;
    d |= (uint64_t)(base & 0xffffff) << 16;
    d |= (uint64_t)((limit >> 16) & 0xf) << 48;
    d |= (uint64_t)(base >> 24) << 56;
    return d & ~(1ull << 55); /* byte granular */
}

/* The guest's descriptor `index`, from its own GDT. */
static bool guest_desc(struct vmm_trap *t, const struct cpu_state *st, unsigned index,
                       uint64_t *d)
{
    if (index * 8 + 7 > t->v.gdtr.limit)
        return false;
    return machine_monitor_read_linear(t->m, st, t->v.gdtr.base + index * 8, d, 8);
}

static bool shadow_desc(struct vmm_trap *t, unsigned index, uint64_t *d)
{
    return index * 8 < SHADOW_GDT_MAX &&
           machine_monitor_read_phys(t->m, SHADOW_PA + index * 8, d, 8);
}

/* A segment register's cache as the CPU loads it from descriptor d. */
static struct seg_cache cache_from(uint16_t sel, uint64_t d)
{
    struct seg_cache c = {sel, decoded(d).base, decoded(d).limit, (uint32_t)(d >> 32) & 0x00f0ff00u};
    return c;
}

/* The virtual CPL: the guest's own DPL of the code segment running.  Ring
 * 0 and the guest's own ring 1 both run at real ring 1 (ring compression);
 * the guest's descriptor tells them apart. */
static uint8_t virtual_cpl(struct vmm_trap *t, const struct cpu_state *st)
{
    if (st->cpl != 1)
        return st->cpl;
    uint64_t d;
    if (!guest_desc(t, st, st->seg[SEG_CS].selector >> 3, &d))
        return t->v.gdtr.limit == 0 ? 0 : 1; /* the loader's caches, before any GDT */
    return (uint8_t)decoded(d).dpl;
}

/* ---- the shadow tables ------------------------------------------------------- */

/* Where the shadow page is seen through the guest's page tables now: at
 * its physical address (paging off, or an identity mapping), or at the
 * offset the guest's own GDT is mapped at.  0 when nowhere. */
static uint32_t shadow_linear(struct vmm_trap *t, const struct cpu_state *st)
{
    if (!(st->cr0 & CR0_PG))
        return SHADOW_PA;
    /* The kernel maps physical memory at one offset: try the one its GDT
     * is seen at, and the one its code is. */
    uint32_t pa, seen[2] = {t->v.gdtr.base, st->seg[SEG_CS].base + st->eip};
    for (int i = 0; i < 2; i++) {
        uint32_t at;
        if (!machine_monitor_translate(t->m, st, seen[i], &at))
            continue;
        uint32_t lin = SHADOW_PA + (seen[i] - at);
        if (machine_monitor_translate(t->m, st, lin, &pa) && pa == SHADOW_PA)
            return lin;
    }
    if (machine_monitor_translate(t->m, st, SHADOW_PA, &pa) && pa == SHADOW_PA)
        return SHADOW_PA;
    return 0;
}

/* Copy the guest's GDT into the shadow, its DPL-0 code and data
 * descriptors made DPL 1 and its TSS descriptors pointing at the shadow
 * TSS; and the guest's SS0:ESP0 into the shadow TSS's SS1:ESP1.  A real
 * monitor write-protects the guest's tables to learn of each change; this
 * one sees every event first and copies them again at each (the kernel
 * rewrites descriptors and ESP0 with plain stores). */
static void shadow_sync(struct vmm_trap *t, const struct cpu_state *st)
{
    uint32_t n = (uint32_t)t->v.gdtr.limit + 1;
    if (n > SHADOW_GDT_MAX)
        n = SHADOW_GDT_MAX;
    uint64_t gdt[SHADOW_GDT_MAX / 8];
    memset(gdt, 0, sizeof gdt);
    if (!machine_monitor_read_linear(t->m, st, t->v.gdtr.base, gdt, n))
        return;
    uint32_t guest_tss = 0;
    for (uint32_t i = 0; i < n / 8; i++) {
        uint64_t d = gdt[i];
        if (!(d & (1ull << 47)))
            continue;
        if (d & (1ull << 44)) { /* code or data (S = 1) */
            if (decoded(d).dpl == 0)
                d |= 1ull << 45; /* DPL 1 */
        } else if (is_tss(d)) {
            if (i == (uint32_t)(t->v.tr >> 3))
                guest_tss = decoded(d).base;
            d = desc_set_base_limit(d, t->shadow_lin + SHADOW_TSS_OFF, TSS_SIZE - 1);
        }
        gdt[i] = d;
    }
    machine_monitor_write_phys(t->m, SHADOW_PA, gdt, n);
    uint8_t tss[TSS_SIZE];
    memset(tss, 0, sizeof tss);
    if (guest_tss) {
        uint32_t esp0 = 0, ss0 = 0;
        machine_monitor_read_linear(t->m, st, guest_tss + 4, &esp0, 4);
        machine_monitor_read_linear(t->m, st, guest_tss + 8, &ss0, 2);
        ss0 = (ss0 & 0xffff) | 1; /* SS's RPL is the CPL it is used at */
        memcpy(tss + 12, &esp0, 4); /* ESP1 */
        memcpy(tss + 16, &ss0, 4);  /* SS1 */
    }
    uint16_t iomb = TSS_SIZE; /* past the limit: no bit map, every port traps */
    memcpy(tss + 0x66, &iomb, 2);
    machine_monitor_write_phys(t->m, SHADOW_PA + SHADOW_TSS_OFF, tss, sizeof tss);
}

/* The real GDTR and TR follow the shadow page, wherever it is seen. */
static bool shadow_place(struct vmm_trap *t, struct cpu_state *st)
{
    uint32_t lin = shadow_linear(t, st);
    if (!lin)
        return false;
    t->shadow_lin = lin;
    shadow_sync(t, st);
    st->gdtr.base = lin;
    st->gdtr.limit = t->v.gdtr.limit;
    if (st->tr.selector) {
        st->tr.base = lin + SHADOW_TSS_OFF;
        st->tr.limit = TSS_SIZE - 1;
    }
    return true;
}

/* Load a segment register from the shadow GDT, as the CPU would at ring 1. */
static bool load_seg(struct vmm_trap *t, struct cpu_state *st, int reg, uint16_t sel)
{
    uint64_t d = 0;
    if ((sel & ~3u) && !shadow_desc(t, sel >> 3, &d))
        return false;
    st->seg[reg] = (sel & ~3u) ? cache_from(sel, d) : (struct seg_cache){sel, 0, 0, 0};
    return true;
}

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
static int emulate(struct vmm_trap *t, struct cpu_state *st, bool *halted)
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
        if (!load_seg(t, st, reg, sel))
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
            if (!load_seg(t, st, SEG_CS, (uint16_t)(base + 16) | 3) ||
                !load_seg(t, st, SEG_SS, (uint16_t)(base + 24) | 3))
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
            if (reg != 2 && !shadow_place(t, st)) {
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
            if (!guest_desc(t, st, sel >> 3, &d) || !is_tss(d))
                return -1;
            t->v.tr = sel;
            shadow_sync(t, st);
            /* The cache's type as the engine's own LTR leaves it, 9 (its
             * call gates read SSn:ESPn only through a TSS of that type,
             * and abort the process on any other). */
            st->tr = (struct seg_cache){sel, t->shadow_lin + SHADOW_TSS_OFF, TSS_SIZE - 1,
                                        DESC_P | (9u << DESC_TYPE_SHIFT)};
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
            if (!shadow_place(t, st))
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

/* SYSENTER from ring 3 faulted (the real SYSENTER_CS is 0): enter the
 * guest's handler as the instruction would, at ring 1. */
static bool enter_sysenter(struct vmm_trap *t, struct cpu_state *st)
{
    uint16_t cs = (uint16_t)(t->v.sysenter_cs & 0xfffc);
    uint32_t esp = t->v.sysenter_esp, eip = t->v.sysenter_eip;
    if (!cs || !load_seg(t, st, SEG_CS, cs | 1) || !load_seg(t, st, SEG_SS, (uint16_t)(cs + 8) | 1))
        return false;
    st->cpl = 1;
    st->eflags &= ~(EFLAGS_VM | EFLAGS_IF | EFLAGS_RF);
    t->v.iflag = false;
    st->gpr[GPR_ESP] = esp;
    st->eip = eip;
    return true;
}

static void note_failure(struct vmm_trap *t, enum trap_failure f, uint64_t icount, uint16_t cs,
                         uint32_t eip, uint32_t detail)
{
    struct trap_failure_seen *s = &t->fail[f];
    if (!s->count++) {
        s->first_icount = icount;
        s->first_cs = cs;
        s->first_eip = eip;
        s->detail = detail;
    }
}

static enum monitor_verdict intercept(void *opaque, struct machine *m, struct cpu_state *st,
                                      const struct intr_request *req)
{
    struct vmm_trap *t = opaque;
    (void)m;
    shadow_sync(t, st);
    if (req->source == INTR_HARDWARE) {
        t->irqs++;
        return MONITOR_DELIVER;
    }
    if (req->source == INTR_SOFTWARE) {
        t->syscalls++;
        return MONITOR_DELIVER;
    }
    uint8_t vcpl = virtual_cpl(t, st);
    struct machine_pos pos;
    control_position(t->m, &pos);
    if (req->vector == VEC_GP && st->cpl == 3) {
        uint8_t code[2];
        if (machine_monitor_read_code(t->m, st, code, 2) == 2 && code[0] == 0x0f &&
            code[1] == 0x34 && enter_sysenter(t, st)) {
            t->traps[T_SYSENTER]++;
            t->v.cpl = 0;
            return MONITOR_EMULATED;
        }
    }
    if (req->vector == VEC_GP && st->cpl == 1 && vcpl == 0) {
        bool halted = false;
        int cause = emulate(t, st, &halted);
        if (cause >= 0) {
            t->traps[cause]++;
            return halted ? MONITOR_HALTED : MONITOR_EMULATED;
        }
        if (!t->stopped[0]) {
            uint8_t code[4] = {0};
            machine_monitor_read_code(t->m, st, code, sizeof code);
            snprintf(t->stopped, sizeof t->stopped,
                     "#GP(0) at %04x:%08x (bytes %02x %02x %02x %02x) is no instruction the "
                     "monitor emulates: passed to the guest",
                     st->seg[SEG_CS].selector, st->eip, code[0], code[1], code[2], code[3]);
        }
    }
    if (req->vector == VEC_GP && st->cpl == 1 && vcpl == 1)
        note_failure(t, FAIL_REFLECTED_GP, pos.icount, st->seg[SEG_CS].selector, st->eip,
                     (st->eflags & EFLAGS_IOPL) >> EFLAGS_IOPL_SHIFT);
    if (req->vector >= 0 && req->vector < 32)
        t->reflected[req->vector]++;
    if (st->cpl == 1 && vcpl == 0)
        /* The CPU pushes CS as it is: RPL 1, where the kernel's frame
         * should say 0 (SDM Vol. 3A 6.12.1). */
        note_failure(t, FAIL_PUSHED_CS, pos.icount, st->seg[SEG_CS].selector, st->eip,
                     st->seg[SEG_CS].selector);
    return MONITOR_DELIVER;
}

/* Returns from ring 1 to ring 3: the frame the kernel built against what
 * the CPU loaded.  IRET changes IF only when CPL <= IOPL and IOPL only at
 * CPL 0 (SDM Vol. 2A IRET), without a fault: the monitor is never told. */
static void note_return(void *opaque, const struct trace_event *ev)
{
    struct vmm_trap *t = opaque;
    if (ev->kind != TRACE_RETURN || ev->before.cpl != 1 || ev->after.cpl != 3)
        return;
    /* The page tables are the guest's own: read the frame through them. */
    struct cpu_state st = {.cr0 = t->v.cr0, .cr3 = t->v.cr3, .cr4 = t->v.cr4};
    /* The event's ESP is the one its block started with: the IRET's frame
     * is the first place above it that holds the EIP and CS it loaded. */
    uint32_t w[24];
    size_t len = 4096 - (ev->before.esp & 4095); /* the stack's page may be its last */
    int nw = (int)(len < sizeof w ? len : sizeof w) / 4;
    if (!machine_monitor_read_linear(t->m, &st, ev->before.esp, w, (size_t)nw * 4))
        return;
    int at = -1;
    for (int i = 0; i + 2 < nw && at < 0; i++)
        if (w[i] == ev->after.eip && (w[i + 1] & 0xffff) == ev->after.cs)
            at = i;
    if (at < 0)
        return;
    uint32_t want = w[at + 2], got = ev->after.eflags;
    t->v.cpl = 3;
    if ((want & EFLAGS_IF) && !(got & EFLAGS_IF))
        note_failure(t, FAIL_IRET_IF, ev->icount, ev->before.cs, ev->before.eip, want);
    if ((want & EFLAGS_IOPL) != (got & EFLAGS_IOPL))
        note_failure(t, FAIL_IRET_IOPL, ev->icount, ev->before.cs, ev->before.eip, want);
}

void vmm_deprivilege(struct cpu_state *st)
{
    /* The loader left the segment caches loaded (its GDT may be empty);
     * each DPL-0 one becomes DPL 1, CS and SS with RPL 1. */
    for (int r = 0; r < SEG_COUNT; r++) {
        struct seg_cache *c = &st->seg[r];
        if (!(c->flags & DESC_P))
            continue;
        if (((c->flags & DESC_DPL_MASK) >> DESC_DPL_SHIFT) == 0)
            c->flags = (c->flags & ~DESC_DPL_MASK) | (1u << DESC_DPL_SHIFT);
        if (r == SEG_CS || r == SEG_SS)
            c->selector |= 1;
    }
}

bool vmm_trap_attach(struct vmm_trap *t, struct machine *m, char *err, size_t errlen)
{
    memset(t, 0, sizeof *t);
    t->m = m;
    struct cpu_state st;
    if (!inspect_cpu(m, &st)) {
        snprintf(err, errlen, "cannot read the CPU");
        return false;
    }
    t->v = (struct vcpu){0, (st.eflags & EFLAGS_IF) != 0, st.cr0, st.cr3, st.cr4,
                         st.gdtr, st.idtr, st.tr.selector, 0, 0, 0};
    if (!shadow_place(t, &st)) {
        snprintf(err, errlen, "the monitor's page (physical %#x) is not mapped", SHADOW_PA);
        return false;
    }
    vmm_deprivilege(&st);
    if (!control_write_cpu(m, &st)) {
        snprintf(err, errlen, "cannot load the deprivileged state");
        return false;
    }
    t->active = true;
    machine_set_intercept(m, intercept, t);
    if (!machine_add_sink(m, (struct trace_sink){note_return, t})) {
        snprintf(err, errlen, "no room for the monitor's sink");
        return false;
    }
    return true;
}

/* ---- the report ------------------------------------------------------------ */

static void traps_by_cause(const struct vmm_trap *t, struct strbuf *out)
{
    uint64_t total = 0;
    for (int c = 0; c < T_CAUSE_COUNT; c++)
        total += t->traps[c];
    strbuf_add(out, "%llu traps emulated", (unsigned long long)total);
    const char *sep = ": ";
    for (int c = 0; c < T_CAUSE_COUNT; c++)
        if (t->traps[c]) {
            strbuf_add(out, "%s%s %llu", sep, cause_name[c], (unsigned long long)t->traps[c]);
            sep = ", ";
        }
    strbuf_add(out, "\n");
}

static void passed_on(const struct vmm_trap *t, struct strbuf *out)
{
    strbuf_add(out, "reflected into the guest's IDT: external interrupt %llu, INT n %llu",
               (unsigned long long)t->irqs, (unsigned long long)t->syscalls);
    vmm_vector_counts(out, t->reflected);
    strbuf_add(out, "\n");
}

static void failures(const struct vmm_trap *t, const char *prefix, struct strbuf *out)
{
    const struct trap_failure_seen *f = t->fail;
    if (f[FAIL_IRET_IF].count)
        strbuf_add(out,
                   "%sFAILED: IRET at ring 1 left IF clear (%llu times, first at instruction "
                   "%llu, %04x:%08x): the kernel's frame had EFLAGS %08x, IF set, and IRET, like "
                   "POPF, changes "
                   "IF only at CPL <= IOPL, without a trap: the monitor never learns, and the "
                   "process runs with interrupts off\n",
                   prefix, (unsigned long long)f[FAIL_IRET_IF].count,
                   (unsigned long long)f[FAIL_IRET_IF].first_icount, f[FAIL_IRET_IF].first_cs,
                   f[FAIL_IRET_IF].first_eip, f[FAIL_IRET_IF].detail);
    if (f[FAIL_IRET_IOPL].count)
        strbuf_add(out,
                   "%sFAILED: IRET at ring 1 did not load IOPL %u (%llu times, first at "
                   "instruction %llu, %04x:%08x): IRET loads IOPL only at CPL 0, without a trap; "
                   "the process kept IOPL %u\n",
                   prefix, (f[FAIL_IRET_IOPL].detail & EFLAGS_IOPL) >> EFLAGS_IOPL_SHIFT,
                   (unsigned long long)f[FAIL_IRET_IOPL].count,
                   (unsigned long long)f[FAIL_IRET_IOPL].first_icount, f[FAIL_IRET_IOPL].first_cs,
                   f[FAIL_IRET_IOPL].first_eip, 0u);
    if (f[FAIL_PUSHED_CS].count)
        strbuf_add(out,
                   "%sFAILED: %llu exceptions in the kernel itself pushed CS %04x (RPL 1), first "
                   "at instruction %llu, %04x:%08x: the kernel's trap frame says ring 1, as PUSH "
                   "CS and MOV r, CS do\n",
                   prefix, (unsigned long long)f[FAIL_PUSHED_CS].count, f[FAIL_PUSHED_CS].detail,
                   (unsigned long long)f[FAIL_PUSHED_CS].first_icount, f[FAIL_PUSHED_CS].first_cs,
                   f[FAIL_PUSHED_CS].first_eip);
    if (f[FAIL_REFLECTED_GP].count)
        strbuf_add(out,
                   "%sFAILED: the guest's own ring 1 faulted on a privileged instruction %llu "
                   "times (first at instruction %llu, %04x:%08x, real IOPL %u): passed to the "
                   "guest, which granted it IOPL 1\n",
                   prefix, (unsigned long long)f[FAIL_REFLECTED_GP].count,
                   (unsigned long long)f[FAIL_REFLECTED_GP].first_icount,
                   f[FAIL_REFLECTED_GP].first_cs, f[FAIL_REFLECTED_GP].first_eip,
                   f[FAIL_REFLECTED_GP].detail);
    if (t->stopped[0])
        strbuf_add(out, "%sFAILED: %s\n", prefix, t->stopped);
}

static void cpu_table(struct vmm_trap *t, struct strbuf *out)
{
    struct cpu_state st;
    if (inspect_cpu(t->m, &st)) {
        strbuf_add(out, "             virtual CPU (the guest's)  real CPU\n");
        strbuf_add(out, "  CPL        %-26u %u\n", virtual_cpl(t, &st), st.cpl);
        strbuf_add(out, "  EFLAGS.IF  %-26u %u\n", t->v.iflag, (st.eflags & EFLAGS_IF) != 0);
        strbuf_add(out, "  CR0        %08x                   %08x\n", t->v.cr0, st.cr0);
        strbuf_add(out, "  CR3        %08x                   %08x\n", t->v.cr3, st.cr3);
        strbuf_add(out, "  GDTR       %08x/%04x              %08x/%04x (the shadow)\n",
                   t->v.gdtr.base, t->v.gdtr.limit, st.gdtr.base, st.gdtr.limit);
        strbuf_add(out, "  IDTR       %08x/%04x              %08x/%04x\n", t->v.idtr.base,
                   t->v.idtr.limit, st.idtr.base, st.idtr.limit);
        strbuf_add(out, "  TR         %04x                       %04x (the shadow TSS at %08x)\n",
                   t->v.tr, st.tr.selector, st.tr.base);
    }
}

void vmm_trap_info(void *opaque, struct strbuf *out)
{
    struct vmm_trap *t = opaque;
    strbuf_add(out, "monitor: trap, trap-and-emulate: the guest kernel runs at real ring 1\n");
    cpu_table(t, out);
    traps_by_cause(t, out);
    passed_on(t, out);
    failures(t, "", out);
}

int vmm_run_trap(struct runner *r, struct vmm_trap *t, struct qemu_log *qlog, double timeout_s)
{
    struct run_request run = {0};
    struct run_result res;
    double t0 = clock_wall_seconds();
    for (;;) {
        enum runner_stop s = runner_run(r, &run, &res);
        if (s == RUNNER_STOP || s == RUNNER_BREAK || s == RUNNER_YIELD)
            continue;
        const char *how = vmm_how_it_ended(s);
        double seconds = clock_wall_seconds() - t0;
        fflush(stdout);
        struct machine_pos pos;
        control_position(r->m, &pos);
        struct strbuf o;
        strbuf_init(&o);
        strbuf_add(&o, "\nvmm trap: the guest kernel ran at ring 1 under the monitor; %s\n", how);
        strbuf_add(&o, "vmm trap: ");
        traps_by_cause(t, &o);
        strbuf_add(&o, "vmm trap: ");
        passed_on(t, &o);
        strbuf_add(&o, "vmm trap: %llu guest instructions, %.2f s\n",
                   (unsigned long long)pos.icount, seconds);
        failures(t, "vmm trap: ", &o);
        bool any = t->stopped[0];
        for (int f = 0; f < FAIL_COUNT; f++)
            any |= t->fail[f].count != 0;
        if (!any)
            strbuf_add(&o, "vmm trap: no failure of the deception was seen\n");
        fputs(strbuf_str(&o), stderr);
        strbuf_free(&o);
        return report_exit(s, r, qlog, timeout_s);
    }
}

/* ---- for the translating monitor (vmm_bt.c) --------------------------------- */

enum monitor_verdict vmm_trap_intercept(void *opaque, struct machine *m, struct cpu_state *st,
                                        const struct intr_request *req)
{
    return intercept(opaque, m, st, req);
}

uint8_t vmm_trap_virtual_cpl(struct vmm_trap *t, const struct cpu_state *st)
{
    return virtual_cpl(t, st);
}

bool vmm_trap_guest_desc(struct vmm_trap *t, const struct cpu_state *st, unsigned index,
                         uint64_t *d)
{
    return guest_desc(t, st, index, d);
}

bool vmm_trap_load_seg(struct vmm_trap *t, struct cpu_state *st, int reg, uint16_t sel)
{
    return load_seg(t, st, reg, sel);
}

bool vmm_trap_modrm_address(const uint8_t *code, size_t n, size_t *at, const struct cpu_state *st,
                            uint8_t modrm, uint32_t *ea)
{
    struct insn in = {.b = code, .n = n, .at = *at};
    bool ok = modrm_address(&in, st, modrm, ea);
    *at = in.at;
    return ok;
}

void vmm_trap_counts(const struct vmm_trap *t, const char *prefix, struct strbuf *out)
{
    strbuf_add(out, "%s", prefix);
    traps_by_cause(t, out);
    strbuf_add(out, "%s", prefix);
    passed_on(t, out);
}

void vmm_trap_failures(const struct vmm_trap *t, const char *prefix, struct strbuf *out)
{
    failures(t, prefix, out);
}

void vmm_trap_cpu_table(struct vmm_trap *t, struct strbuf *out)
{
    cpu_table(t, out);
}

void vmm_trap_set_shadow_stack1(struct vmm_trap *t, uint16_t ss, uint32_t esp)
{
    uint32_t ss32 = ss;
    machine_monitor_write_phys(t->m, SHADOW_PA + SHADOW_TSS_OFF + 12, &esp, 4);
    machine_monitor_write_phys(t->m, SHADOW_PA + SHADOW_TSS_OFF + 16, &ss32, 4);
}

int vmm_trap_emulate(struct vmm_trap *t, struct cpu_state *st, bool *halted)
{
    return emulate(t, st, halted);
}
