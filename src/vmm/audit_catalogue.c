/* The audit's catalogue: the IA-32 system instructions and Robin and
 * Irvine's seventeen, each as the bytes executed and the operands it is
 * given.  The operands are the same in every context, except where a ring
 * can only use its own (POP SS and MOV SS load the ring's own stack
 * selector, JMP FAR goes to the ring's own code): there the experiment
 * asks whether the instruction itself depends on the CPL, not whether a
 * ring may use another ring's selector.  Virtual-8086 mode runs the rows
 * whose outcome there depends on IOPL or CR4.UMIP (16-bit encodings,
 * memory operands at DS:0). */
#include "vmm/audit.h"
#include "vmm/audit_layout.h"

#include "cpu/cpu_state.h"

#define MSR_SYSENTER_CS 0x174u
#define CR4_TSD (1u << 2)
#define CR4_PCE (1u << 8)

static void set_ecx_kcode(struct audit_state_ops *o, enum audit_ctx c)
{
    (void)c;
    o->gpr[GPR_ECX] = SEL_KCODE;
}

static void set_ecx_kdata(struct audit_state_ops *o, enum audit_ctx c)
{
    (void)c;
    o->gpr[GPR_ECX] = SEL_KDATA;
}

static void push_data_sel(struct audit_state_ops *o, enum audit_ctx c)
{
    (void)c;
    o->push(o, SEL_UDATA);
}

static void push_own_ss(struct audit_state_ops *o, enum audit_ctx c)
{
    (void)c;
    o->push(o, o->own_ss);
}

static void set_eax_data_sel(struct audit_state_ops *o, enum audit_ctx c)
{
    (void)c;
    o->gpr[GPR_EAX] = SEL_UDATA;
}

static void set_eax_own_ss(struct audit_state_ops *o, enum audit_ctx c)
{
    (void)c;
    o->gpr[GPR_EAX] = o->own_ss;
}

/* POPF pops IF = 1 and IOPL = 3 (SDM Vol. 2B POPF: IF only when CPL <=
 * IOPL, IOPL only at CPL 0, neither faulting). */
static void push_flags_if_iopl(struct audit_state_ops *o, enum audit_ctx c)
{
    (void)c;
    o->push(o, EFLAGS_FIXED1 | EFLAGS_IF | EFLAGS_IOPL);
}

/* A far return frame to ring 3: EIP, CS, then ESP and SS (SDM Vol. 2B RET,
 * "return to outer privilege level"). */
static void push_return_frame(struct audit_state_ops *o, enum audit_ctx c)
{
    (void)c;
    o->push(o, SEL_UDATA);
    o->push(o, USER_ESP);
    o->push(o, SEL_UCODE);
    o->push(o, TARGET_RETURN);
}

/* An IRET frame to ring 3 with IF set in the EFLAGS image. */
static void push_iret_frame(struct audit_state_ops *o, enum audit_ctx c)
{
    (void)c;
    o->push(o, SEL_UDATA);
    o->push(o, USER_ESP);
    o->push(o, EFLAGS_FIXED1 | EFLAGS_IF);
    o->push(o, SEL_UCODE);
    o->push(o, TARGET_RETURN);
}

static void set_ecx_ldt(struct audit_state_ops *o, enum audit_ctx c)
{
    (void)c;
    o->gpr[GPR_ECX] = SEL_LDT;
}

static void set_ecx_spare_tss(struct audit_state_ops *o, enum audit_ctx c)
{
    (void)c;
    o->gpr[GPR_ECX] = SEL_TSS_SPARE;
}

static void set_eax_msw(struct audit_state_ops *o, enum audit_ctx c)
{
    (void)c;
    o->gpr[GPR_EAX] = o->cr0 & 0xffff;
}

static void set_eax_cr0(struct audit_state_ops *o, enum audit_ctx c)
{
    (void)c;
    o->gpr[GPR_EAX] = o->cr0;
}

static void set_eax_cr4(struct audit_state_ops *o, enum audit_ctx c)
{
    (void)c;
    o->gpr[GPR_EAX] = o->cr4;
}

static void set_eax_dr7(struct audit_state_ops *o, enum audit_ctx c)
{
    (void)c;
    o->gpr[GPR_EAX] = 0x400; /* DR7's reset value */
}

/* HLT with IF set: at CPL 0 the CPU waits for an interrupt instead of
 * ending the machine. */
static void set_if(struct audit_state_ops *o, enum audit_ctx c)
{
    (void)c;
    *o->eflags |= EFLAGS_IF;
}

static void set_string_io(struct audit_state_ops *o, enum audit_ctx c)
{
    o->gpr[GPR_EDX] = 0x80;
    o->gpr[GPR_ESI] = o->gpr[GPR_EDI] = c == CTX_V86 ? 0 : SCRATCH;
}

static void set_msr(struct audit_state_ops *o, enum audit_ctx c)
{
    (void)c;
    o->gpr[GPR_ECX] = MSR_SYSENTER_CS;
    o->gpr[GPR_EAX] = o->gpr[GPR_EDX] = 0;
}

static void set_tsd(struct audit_state_ops *o, enum audit_ctx c)
{
    (void)c;
    o->set_cr4(o, CR4_TSD);
}

static void set_pmc0(struct audit_state_ops *o, enum audit_ctx c)
{
    (void)c;
    o->gpr[GPR_ECX] = 0; /* CR4.PCE stays clear */
}

/* disp32 0x00040000 (SCRATCH) and 0x00041000 (POINTERS), little-endian. */
#define AT_SCRATCH 0x00, 0x00, 0x04, 0x00
#define AT_GDT_PTR 0x00, 0x10, 0x04, 0x00
#define AT_IDT_PTR 0x08, 0x10, 0x04, 0x00
#define AT_FAR_PTR 0x10, 0x10, 0x04, 0x00

#define C32(...) .code32 = {__VA_ARGS__}, .len32 = sizeof((uint8_t[]){__VA_ARGS__})
#define C16(...) .code16 = {__VA_ARGS__}, .len16 = sizeof((uint8_t[]){__VA_ARGS__})

const struct audit_insn audit_catalogue[] = {
    /* Robin and Irvine's sensitive register instructions. */
    {"SGDT", "m (scratch)", C32(0x0f, 0x01, 0x05, AT_SCRATCH), C16(0x0f, 0x01, 0x06, 0, 0),
     NULL, true},
    {"SIDT", "m (scratch)", C32(0x0f, 0x01, 0x0d, AT_SCRATCH), C16(0x0f, 0x01, 0x0e, 0, 0),
     NULL, true},
    {"SLDT", "eax", C32(0x0f, 0x00, 0xc0), .setup = NULL, .robin_irvine = true},
    {"SMSW", "eax", C32(0x0f, 0x01, 0xe0), C16(0x0f, 0x01, 0xe0), NULL, true},
    {"STR", "eax", C32(0x0f, 0x00, 0xc8), .setup = NULL, .robin_irvine = true},
    {"PUSHF", "", C32(0x9c), C16(0x9c), NULL, true},
    {"POPF", "IF=1 IOPL=3 on the stack", C32(0x9d), C16(0x9d), push_flags_if_iopl, true},
    /* Robin and Irvine's protection-system references. */
    {"LAR", "eax, ecx=0x08 (ring-0 code)", C32(0x0f, 0x02, 0xc1), .setup = set_ecx_kcode,
     .robin_irvine = true},
    {"LSL", "eax, ecx=0x08 (ring-0 code)", C32(0x0f, 0x03, 0xc1), .setup = set_ecx_kcode,
     .robin_irvine = true},
    {"VERR", "cx=0x08 (ring-0 code)", C32(0x0f, 0x00, 0xe1), .setup = set_ecx_kcode,
     .robin_irvine = true},
    {"VERW", "cx=0x10 (ring-0 data)", C32(0x0f, 0x00, 0xe9), .setup = set_ecx_kdata,
     .robin_irvine = true},
    {"PUSH CS", "", C32(0x0e), C16(0x0e), NULL, true},
    {"PUSH SS", "", C32(0x16), .setup = NULL, .robin_irvine = true},
    {"PUSH DS", "ds=0x33", C32(0x1e), .setup = NULL, .robin_irvine = true},
    {"PUSH ES", "es=0x33", C32(0x06), .setup = NULL, .robin_irvine = true},
    {"PUSH FS", "fs=0x33", C32(0x0f, 0xa0), .setup = NULL, .robin_irvine = true},
    {"PUSH GS", "gs=0x33", C32(0x0f, 0xa8), .setup = NULL, .robin_irvine = true},
    {"POP DS", "0x33 on the stack", C32(0x1f), .setup = push_data_sel, .robin_irvine = true},
    {"POP ES", "0x33 on the stack", C32(0x07), .setup = push_data_sel, .robin_irvine = true},
    {"POP FS", "0x33 on the stack", C32(0x0f, 0xa1), .setup = push_data_sel,
     .robin_irvine = true},
    {"POP GS", "0x33 on the stack", C32(0x0f, 0xa9), .setup = push_data_sel,
     .robin_irvine = true},
    {"POP SS", "the ring's own SS on the stack", C32(0x17), .setup = push_own_ss,
     .robin_irvine = true},
    {"MOV r, CS", "eax", C32(0x8c, 0xc8), C16(0x8c, 0xc8), NULL, true},
    {"MOV r, SS", "eax", C32(0x8c, 0xd0), .setup = NULL, .robin_irvine = true},
    {"MOV r, DS", "eax", C32(0x8c, 0xd8), .setup = NULL, .robin_irvine = true},
    {"MOV DS, r", "eax=0x33", C32(0x8e, 0xd8), .setup = set_eax_data_sel, .robin_irvine = true},
    {"MOV SS, r", "eax=the ring's own SS", C32(0x8e, 0xd0), .setup = set_eax_own_ss,
     .robin_irvine = true},
    {"CALL FAR", "call gate 0x4b (DPL 3) to ring-0 code", C32(0x9a, 0, 0, 0, 0, 0x4b, 0x00),
     .setup = NULL, .robin_irvine = true},
    {"JMP FAR", "m16:32 naming the ring's own code", C32(0xff, 0x2d, AT_FAR_PTR), .setup = NULL,
     .robin_irvine = true},
    {"RET FAR", "a frame to ring 3 (0x2b, with SS:ESP)", C32(0xcb), .setup = push_return_frame,
     .robin_irvine = true},
    {"INT n", "0x80, a DPL-3 interrupt gate to ring 0", C32(0xcd, 0x80), C16(0xcd, 0x80), NULL,
     true},
    {"IRET", "a frame to ring 3 with IF=1", C32(0xcf), C16(0xcf), push_iret_frame, false},
    /* The privileged system instructions. */
    {"LGDT", "the GDT in force", C32(0x0f, 0x01, 0x15, AT_GDT_PTR), .setup = NULL},
    {"LIDT", "the IDT in force", C32(0x0f, 0x01, 0x1d, AT_IDT_PTR), .setup = NULL},
    {"LLDT", "cx=0x40", C32(0x0f, 0x00, 0xd1), .setup = set_ecx_ldt},
    {"LTR", "cx=0x50 (an available TSS)", C32(0x0f, 0x00, 0xd9), .setup = set_ecx_spare_tss},
    {"LMSW", "ax=CR0's low word", C32(0x0f, 0x01, 0xf0), .setup = set_eax_msw},
    {"CLTS", "", C32(0x0f, 0x06), .setup = NULL},
    {"MOV r, CR0", "eax", C32(0x0f, 0x20, 0xc0), .setup = NULL},
    {"MOV CR0, r", "eax=CR0", C32(0x0f, 0x22, 0xc0), .setup = set_eax_cr0},
    {"MOV r, CR3", "eax", C32(0x0f, 0x20, 0xd8), .setup = NULL},
    {"MOV CR3, r", "eax=0", C32(0x0f, 0x22, 0xd8), .setup = NULL},
    {"MOV r, CR4", "eax", C32(0x0f, 0x20, 0xe0), .setup = NULL},
    {"MOV CR4, r", "eax=CR4", C32(0x0f, 0x22, 0xe0), .setup = set_eax_cr4},
    {"MOV r, DR7", "eax", C32(0x0f, 0x21, 0xf8), .setup = NULL},
    {"MOV DR7, r", "eax=0x400", C32(0x0f, 0x23, 0xf8), .setup = set_eax_dr7},
    {"HLT", "IF=1", C32(0xf4), C16(0xf4), set_if},
    {"CLI", "IOPL=0", C32(0xfa), C16(0xfa), NULL},
    {"STI", "IOPL=0", C32(0xfb), C16(0xfb), NULL},
    {"IN", "al, 0x80 (no I/O bit map)", C32(0xe4, 0x80), C16(0xe4, 0x80), NULL},
    {"OUT", "0x80, al (no I/O bit map)", C32(0xe6, 0x80), C16(0xe6, 0x80), NULL},
    {"INS", "byte, dx=0x80", C32(0x6c), C16(0x6c), set_string_io},
    {"OUTS", "byte, dx=0x80", C32(0x6e), C16(0x6e), set_string_io},
    {"INVLPG", "m (scratch)", C32(0x0f, 0x01, 0x3d, AT_SCRATCH), .setup = NULL},
    {"INVD", "", C32(0x0f, 0x08), .setup = NULL},
    {"WBINVD", "", C32(0x0f, 0x09), .setup = NULL},
    {"RDMSR", "ecx=0x174 (IA32_SYSENTER_CS)", C32(0x0f, 0x32), .setup = set_msr},
    {"WRMSR", "ecx=0x174, edx:eax=0", C32(0x0f, 0x30), .setup = set_msr},
    {"RDTSC", "CR4.TSD=1", C32(0x0f, 0x31), .setup = set_tsd},
    {"RDPMC", "ecx=0, CR4.PCE=0", C32(0x0f, 0x33), .setup = set_pmc0},
};

const size_t audit_catalogue_size = sizeof audit_catalogue / sizeof audit_catalogue[0];
