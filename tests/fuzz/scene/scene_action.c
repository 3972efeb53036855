/* The one action of a scene: INT n, an exception, a far CALL or JMP
 * through a call gate (or to anything else), IRET or RET to an outer ring,
 * a segment load, a memory access through the scene's pages, port I/O or
 * an IOPL-sensitive instruction, SYSENTER or SYSEXIT.  Written as the
 * body of `action`, in the scene's ring; what it leaves in EAX..EDX goes
 * into the report when it completes (`done`). */
#include <stdio.h>
#include <string.h>

#include "scene.h"

static const uint16_t ring_code[4] = {SEL_KCODE, SEL_R1CODE, SEL_R2CODE, SEL_UCODE};
static const uint16_t ring_data[4] = {SEL_KDATA, SEL_R1DATA, SEL_R2DATA, SEL_UDATA};
static const char *const stack_tops[4] = {"stack0_top", "stack1_top", "stack2_top", "stack3_top"};

#define A(...) sbuf_add(&s->action, "        " __VA_ARGS__)

static void name(struct scene *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void name(struct scene *s, const char *fmt, ...)
{
    char text[200];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    sbuf_add(&s->name, "%s", text);
}

/* ---- INT n, INT3, INTO ---------------------------------------------------- */

static void act_int(struct scene *s)
{
    struct rng *r = &s->rng;
    unsigned x = rng_below(r, 100);
    int v;
    if (x < 55)
        v = 0x20 + (int)rng_below(r, 0xe0);
    else if (x < 80)
        v = (int)rng_below(r, 32);
    else
        v = x < 90 ? 3 : 4;
    if (rng_chance(r, 85))
        scene_random_gate(s, v);
    A("mov eax, 0x%x\n", 0xa0000000u | (unsigned)v);
    if (x >= 80 && v == 3) {
        A("int3\n");
        name(s, "ring %d: INT3", s->ring);
    } else if (x >= 80) {
        /* INTO with OF set (ADD overflows; POPF is not needed) */
        A("mov bl, 0x7f\n");
        A("add bl, 1\n");
        A("into\n");
        name(s, "ring %d: INTO with OF=1", s->ring);
    } else {
        A("int 0x%x\n", v);
        name(s, "ring %d: INT 0x%02x", s->ring, v);
    }
}

/* ---- an exception raised by an instruction -------------------------------- */

static void act_exception(struct scene *s)
{
    struct rng *r = &s->rng;
    unsigned x = rng_below(r, 9);
    int v = 13;
    A("mov eax, 0xe0000000\n");
    switch (x) {
    case 0:
        A("ud2\n");
        v = 6;
        name(s, "ring %d: UD2", s->ring);
        break;
    case 1:
        A("xor edx, edx\n");
        A("xor ecx, ecx\n");
        A("div ecx\n");
        v = 0;
        name(s, "ring %d: DIV by 0", s->ring);
        break;
    case 2:
        A("mov eax, 30\n");
        A("bound eax, [bound_pair]\n");
        sbuf_add(&s->action, "section .data\nbound_pair: dd 10, 20\nsection .text\n");
        v = 5;
        name(s, "ring %d: BOUND out of range", s->ring);
        break;
    case 3:
        A("mov eax, cr0\n");
        name(s, "ring %d: MOV EAX, CR0", s->ring);
        break;
    case 4:
        A("cli\n");
        name(s, "ring %d: CLI with IOPL %u", s->ring, (s->eflags >> 12) & 3);
        break;
    case 5:
        if (s->ring == 0) {
            A("sti\n");
            name(s, "ring 0: STI");
        } else {
            A("hlt\n");
            name(s, "ring %d: HLT", s->ring);
        }
        break;
    case 6:
        A("xor ebx, ebx\n");
        A("mov es, bx\n");
        A("mov eax, [es:0x1000]\n");
        name(s, "ring %d: read through a null ES", s->ring);
        /* #GP(0) by the SDM (Vol. 3A 3.4.2); QEMU reads through it */
        scene_note_limit(s, "a read through a null ES");
        break;
    case 7:
        A("lgdt [gdt_ptr]\n");
        name(s, "ring %d: LGDT", s->ring);
        break;
    default:
        A("mov ebx, 0x1234\n");
        A("mov dr0, ebx\n");
        name(s, "ring %d: MOV DR0", s->ring);
        break;
    }
    if (rng_chance(r, 70))
        scene_random_gate(s, v);
}

/* ---- far CALL and JMP -------------------------------------------------------- */

static void act_far(struct scene *s)
{
    struct rng *r = &s->rng;
    uint16_t sel;
    const char *target = "far_target";
    bool via_gate = rng_chance(r, 70);
    char what[96];
    if (via_gate) {
        /* A call gate (SDM Vol. 3A 5.8.3): to a code segment of any DPL,
         * 16- or 32-bit, copying up to a few parameters. */
        sel = scene_pick_selector(s, SEL_FOR_GATE, s->ring, false);
        int gate_index = (sel >> 3) - (sel & 4 ? 0 : FIRST_SLOT);
        bool in_ldt = (sel & 4) != 0;
        bool gdt_slot = !in_ldt && (sel >> 3) >= FIRST_SLOT && (sel >> 3) < GDT_SLOTS;
        if ((in_ldt && gate_index < LDT_SLOTS) || gdt_slot) {
            struct desc *d = in_ldt ? &s->ldt[gate_index] : &s->gdt[gate_index];
            if (d->role == ROLE_CALL_GATE) {
                /* a 16-bit gate's offset has 16 bits: its target is based;
                 * a third of the gates work: DPL >= CPL, present, to a
                 * present code segment of DPL <= CPL */
                bool is32 = rng_chance(r, 75);
                bool works = rng_chance(r, 35);
                int t = (int)rng_below(r, (uint32_t)s->ring + 1);
                uint16_t cs = works ? scene_working_code(s, t, !is32 || rng_chance(r, 50))
                              : is32 ? scene_pick_selector(s, SEL_FOR_CODE, s->ring, false)
                                     : scene_based_code(s, (int)rng_below(r, 4));
                if (works) {
                    d->present = true;
                    d->dpl = (uint8_t)(s->ring + (int)rng_below(r, (uint32_t)(4 - s->ring)));
                }
                unsigned params = rng_chance(r, 80) ? rng_below(r, 4) : rng_below(r, 32);
                char addr[32];
                if (in_ldt)
                    snprintf(addr, sizeof addr, "scene_ldt + %d", gate_index * 8);
                else
                    snprintf(addr, sizeof addr, "gdt + 0x%02x", (unsigned)(sel & ~7u));
                unsigned acc = (d->present ? 0x80u : 0u) | ((unsigned)d->dpl << 5) | (is32 ? 0xcu : 0x4u);
                snprintf(d->text, sizeof d->text, "SET_GATE %s, callgate_target - %s, 0x%x, 0x%02x, %u",
                         addr, scene_code_base_expr(s, cs), cs, acc, params);
                snprintf(what, sizeof what, "%s-bit call gate DPL %u%s, %u params, to %04x",
                         is32 ? "32" : "16", d->dpl, d->present ? "" : " not present", params, cs);
            } else {
                snprintf(what, sizeof what, "selector %04x (not a call gate)", sel);
            }
        } else {
            snprintf(what, sizeof what, "selector %04x", sel);
        }
        target = "callgate_target";
    } else {
        sel = scene_pick_selector(s, rng_chance(r, 50) ? SEL_FOR_CODE : SEL_FOR_ANY, s->ring, false);
        snprintf(what, sizeof what, "selector %04x", sel);
    }
    /* parameters the gate may copy, then the transfer */
    for (int i = 0; i < 4; i++)
        A("push dword 0x%08x\n", 0xaa000000u + (unsigned)i);
    A("mov eax, 0xc0000000\n");
    bool call = rng_chance(r, 75);
    /* The offset counts only if the selector is a code segment after all;
     * then it must be the target's, never low memory (whose bytes differ:
     * QEMU's firmware leaves its tables there). */
    A("%s 0x%x:(%s - %s)\n", call ? "call" : "jmp", sel, target, scene_code_base_expr(s, sel));
    name(s, "ring %d: far %s through %s", s->ring, call ? "CALL" : "JMP", what);
}

/* ---- IRET and far RET to an outer ring --------------------------------------- */

static void act_return(struct scene *s)
{
    struct rng *r = &s->rng;
    if (s->ring == 3)
        s->ring = (int)rng_below(r, 3);
    int t = rng_chance(r, 75) ? s->ring + 1 + (int)rng_below(r, (uint32_t)(3 - s->ring))
                              : (int)rng_below(r, 4);
    /* (a far transfer's CS limit is checked by both machines alike) */
    uint16_t cs = rng_chance(r, 70) ? ring_code[t] : scene_pick_selector(s, SEL_FOR_CODE, t, false);
    uint16_t ss = rng_chance(r, 70) ? ring_data[t] : scene_pick_selector(s, SEL_FOR_STACK, t, true);
    char esp[40];
    if (rng_chance(r, 85) || !s->paging)
        snprintf(esp, sizeof esp, "%s - 64", stack_tops[t]);
    else
        snprintf(esp, sizeof esp, "0x%x", SCENE_LIN + rng_below(r, SCENE_PAGES) * 4096 + 0x800);
    /* Data segments the return may null (DPL below the new CPL). */
    for (int k = 0; k < 4; k++) {
        static const char *const regs[4] = {"ds", "es", "fs", "gs"};
        int dr = s->ring + (int)rng_below(r, (uint32_t)(4 - s->ring));
        A("mov bx, 0x%x\n", ring_data[dr]);
        A("mov %s, bx\n", regs[k]);
    }
    uint32_t efl = 0x2u | (rng_below(r, 4) << 12) | (rng_chance(r, 30) ? 0x200u : 0u) |
                   (rng_chance(r, 5) ? 0x4000u : 0u) | (rng_chance(r, 30) ? 0x0d5u : 0u);
    unsigned x = rng_below(r, 100);
    A("mov eax, 0xb0000000\n");
    if (ss == ring_data[t] && rng_chance(r, 8))
        ss = (uint16_t)(ss ^ (1u + rng_below(r, 3))); /* the wrong RPL */
    A("push dword 0x%x\n", ss);
    A("push dword %s\n", esp);
    if (x < 55) {
        A("push dword 0x%x\n", efl);
        A("push dword 0x%x\n", cs);
        A("push dword outer_target - %s\n", scene_code_base_expr(s, cs));
        A("iretd\n");
        name(s, "ring %d: IRET to %04x:outer_target, SS:ESP %04x:%s, EFLAGS %08x", s->ring, cs,
             ss, esp, efl);
    } else {
        unsigned skip = x < 80 ? 0 : 4 * rng_below(r, 4);
        for (unsigned i = 0; i < skip / 4; i++)
            A("push dword 0x%08x\n", 0xbb000000u + i);
        A("push dword 0x%x\n", cs);
        A("push dword outer_target - %s\n", scene_code_base_expr(s, cs));
        if (skip)
            A("retf %u\n", skip);
        else
            A("retf\n");
        name(s, "ring %d: RETF %u to %04x:outer_target, SS:ESP %04x:%s", s->ring, skip, cs, ss, esp);
    }
}

/* ---- segment loads -------------------------------------------------------------- */

static void act_segment(struct scene *s)
{
    struct rng *r = &s->rng;
    static const char *const regs[5] = {"ds", "es", "fs", "gs", "ss"};
    uint16_t sel = scene_pick_selector(s, rng_chance(r, 60) ? SEL_FOR_DATA : SEL_FOR_ANY, s->ring, true);
    unsigned x = rng_below(r, 100);
    A("mov eax, 0xd0000000\n");
    if (x < 15) {
        /* LAR, LSL, VERR, VERW: no fault, only flags and values */
        A("mov si, 0x%x\n", sel);
        A("xor ebx, ebx\n");
        A("xor edx, edx\n");
        A("lar eax, si\n");
        A("setz bl\n");
        A("lsl edx, si\n");
        A("setz bh\n");
        A("verr si\n");
        A("setz cl\n");
        A("verw si\n");
        A("setz ch\n");
        name(s, "ring %d: LAR, LSL, VERR, VERW %04x", s->ring, sel);
        return;
    }
    if (x < 25 && s->ring == 0) {
        bool ltr = rng_chance(r, 50);
        A("mov bx, 0x%x\n", sel);
        A("%s bx\n", ltr ? "ltr" : "lldt");
        name(s, "ring 0: %s %04x", ltr ? "LTR" : "LLDT", sel);
        return;
    }
    int reg = rng_chance(r, 80) ? (int)rng_below(r, 4) : 4;
    unsigned how = rng_below(r, 3);
    if (how == 0) {
        A("mov bx, 0x%x\n", sel);
        A("mov %s, bx\n", regs[reg]);
    } else if (how == 1) {
        A("push dword 0x%x\n", sel);
        A("pop %s\n", regs[reg]);
    } else {
        sbuf_add(&s->action, "section .data\nfar_pointer: dd 0x1000\n dw 0x%x\nsection .text\n", sel);
        A("l%s ebx, [far_pointer]\n", regs[reg]);
    }
    /* then an access through it, near its limit or far from it, in a
     * buffer of the guest's whatever the segment's base */
    uint32_t off = rng_chance(r, 50) ? rng_below(r, 0x100) * 4 : rng_below(r, 0x20000);
    const char *base = scene_base_expr(s, sel);
    if (reg == 4) {
        A("mov ebx, 0x%x\n", 0x5a000000u);
        A("push ebx\n");
        A("pop ecx\n");
    } else if (rng_chance(r, 60)) {
        A("mov eax, [%s:seg_area - %s + 0x%x]\n", regs[reg], base, off);
    } else {
        A("mov ebx, 0x55aa55aa\n");
        A("mov [%s:seg_area - %s + 0x%x], ebx\n", regs[reg], base, off);
    }
    name(s, "ring %d: load %s with %04x (%s), then use it", s->ring, regs[reg], sel,
         how == 0 ? "MOV" : how == 1 ? "POP" : "LxS");
}

/* ---- memory through the scene's pages -------------------------------------------- */

static void act_memory(struct scene *s)
{
    struct rng *r = &s->rng;
    uint32_t lin;
    unsigned x = rng_below(r, 100);
    uint32_t off = rng_below(r, 256) * 16;
    if (!s->paging)
        lin = 0x01000000u + rng_below(r, 64) * 4096 + off; /* the scratch frames themselves */
    else if (x < 70)
        lin = SCENE_LIN + rng_below(r, SCENE_PAGES) * 4096 + off;
    else if (x < 88)
        lin = BIG_LIN + rng_below(r, 4) * 4096 + off;
    else
        lin = 0x00c00000u + off;
    unsigned op = rng_below(r, 100);
    A("mov eax, 0xf0000000\n");
    const char *what;
    if (op < 30) {
        A("mov eax, [0x%x]\n", lin + 4);
        what = "read";
    } else if (op < 52) {
        A("mov dword [0x%x], 0x12345678\n", lin + 8);
        what = "write";
    } else if (op < 62) {
        A("mov ebx, 1\n");
        A("add [0x%x], ebx\n", lin + 12);
        what = "read-modify-write";
    } else if (op < 78) {
        A("mov ebx, 0x%x\n", lin);
        A("call ebx\n");
        what = "call (fetch)";
    } else if (op < 90) {
        lin = (lin & ~0xfffu) + 0xffe;
        if (rng_chance(r, 50)) {
            A("mov eax, [0x%x]\n", lin);
            what = "read across a page boundary";
        } else {
            A("mov dword [0x%x], 0x87654321\n", lin);
            what = "write across a page boundary";
        }
    } else {
        A("mov esp, 0x%x\n", lin + 0x10);
        A("push dword 0x11223344\n");
        A("pop ebx\n");
        what = "push and pop";
    }
    name(s, "ring %d: %s at 0x%08x, paging %s, CR0.WP=%d, CR4.PSE=%d", s->ring, what, lin,
         s->paging ? "on" : "off", s->wp, s->pse);
}

/* ---- port I/O and the IOPL-sensitive instructions ------------------------------ */

static void act_io(struct scene *s)
{
    struct rng *r = &s->rng;
    unsigned x = rng_below(r, 100);
    A("mov eax, 0x90000000\n");
    if (x < 15) {
        static const char *const ins[4] = {"cli", "sti", "popfd", "pushfd"};
        int k = (int)rng_below(r, 4);
        if (k == 2) {
            A("push dword 0x%x\n", 0x3202u);
            A("popfd\n");
            A("pushfd\n");
            A("pop ebx\n");
        } else if (k == 3) {
            A("pushfd\n");
            A("pop ebx\n");
        } else {
            A("%s\n", ins[k]);
        }
        name(s, "ring %d: %s with IOPL %u", s->ring, ins[k], (s->eflags >> 12) & 3);
        return;
    }
    uint32_t port;
    unsigned px = rng_below(r, 100);
    if (px < 55)
        port = 0x2a0 + rng_below(r, 0x20);
    else if (px < 80)
        port = 0x4000 + rng_below(r, 0x4000);
    else
        port = 0xf4;
    int size = 1 << rng_below(r, 3);
    bool out = port == 0xf4 || rng_chance(r, 50);
    /* QEMU answers an unaligned 16- or 32-bit IN from a port nothing claims
     * with zeros, ringlab (like an ISA bus) with ones: not a protection
     * matter, so reads stay aligned. */
    if (!out)
        port &= ~(uint32_t)(size - 1);
    /* The bitmap bits for the port and its neighbours (SDM Vol. 1 19.5.2). */
    for (uint32_t p = port > 2 ? port - 2 : 0; p < port + (uint32_t)size + 2; p++)
        if (rng_chance(r, 25))
            sbuf_add(&s->setup,
                     "        movzx ebx, word [main_tss + 102]\n"
                     "        cmp ebx, 104 + 8192 - 0x%x\n"
                     "        ja .iomap_%u\n"
                     "        or byte [main_tss + ebx + 0x%x], 0x%x\n"
                     ".iomap_%u:\n",
                     p >> 3, p, p >> 3, 1u << (p & 7), p);
    const char *reg = size == 1 ? "al" : size == 2 ? "ax" : "eax";
    unsigned form = rng_below(r, 100);
    A("mov edx, 0x%x\n", port);
    if (out)
        A("mov eax, 0x3e3e3e3e\n");
    if (form < 25 && port < 0x100 && out)
        A("out 0x%x, %s\n", port, reg);
    else if (form < 25 && port < 0x100)
        A("in %s, 0x%x\n", reg, port);
    else if (form < 80 && out)
        A("out dx, %s\n", reg);
    else if (form < 80)
        A("in %s, dx\n", reg);
    else {
        A("mov esi, io_buffer\n");
        A("mov edi, io_buffer\n");
        A("%s%s\n", out ? "outs" : "ins", size == 1 ? "b" : size == 2 ? "w" : "d");
        sbuf_add(&s->action, "section .data\nio_buffer: times 8 db 0x3e\nsection .text\n");
    }
    name(s, "ring %d: %s %d byte(s) at port 0x%04x, IOPL %u, TSS limit 0x%x", s->ring,
         out ? "OUT" : "IN", size, port, (s->eflags >> 12) & 3, s->tss_limit);
}

/* ---- SYSENTER and SYSEXIT -------------------------------------------------------- */

static void act_fast(struct scene *s)
{
    struct rng *r = &s->rng;
    A("mov eax, 0x80000000\n");
    if (rng_chance(r, 60)) {
        A("mov ecx, esp\n");
        A("mov edx, done\n");
        A("sysenter\n");
        name(s, "ring %d: SYSENTER", s->ring);
    } else {
        if (rng_chance(r, 70))
            s->ring = 0;
        A("mov ecx, stack3_top - 64\n");
        A("mov edx, sysexit_target\n");
        A("sysexit\n");
        name(s, "ring %d: SYSEXIT", s->ring);
    }
}

void scene_build_action(struct scene *s)
{
    static const unsigned w[] = {22, 14, 14, 12, 12, 12, 9, 5};
    void (*const acts[])(struct scene *) = {act_int,    act_exception, act_far, act_return,
                                            act_segment, act_memory,   act_io,  act_fast};
    unsigned total = 0, n = sizeof w / sizeof w[0];
    for (unsigned i = 0; i < n; i++)
        total += w[i];
    unsigned x = rng_below(&s->rng, total), i = 0;
    while (x >= w[i]) {
        x -= w[i];
        i++;
    }
    sbuf_add(&s->name, "scene %llu: ", (unsigned long long)s->seed);
    acts[i](s);
    sbuf_add(&s->action, "        jmp done\n");
}
