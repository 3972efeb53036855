/* The translating monitor (see vmm_bt.h): its scan of each block, its
 * stops before the sensitive instructions, its corrections of what the
 * deprivileged CPU pushes, and its report. */
#include "vmm/vmm_bt.h"

#include <stdio.h>
#include <string.h>

#include "control.h"
#include "cpu/desc.h"
#include "cpu/fault.h"
#include "cpu/intr.h"
#include "cpu/ioperm.h"
#include "front/report.h"
#include "inspect.h"
#include "vmm/bt_emulate.h"
#include "vmm/trap_internal.h"
#include "vmm/vmm_status.h"

/* ---- the scan: before a block first runs ------------------------------------ */

static int scan(void *opaque, const uint8_t *code, uint32_t size, uint32_t addr, bool code32)
{
    struct vmm_bt *b = opaque;
    struct cpu_state st;
    /* Only the kernel's code is translated; the guest's ring 1 and ring 3
     * run at their own rings and need nothing. */
    if (!inspect_cpu(b->trap.m, &st) || trap_virtual_cpl(&b->trap, &st) != 0)
        return -1;
    b->scanned++;
    enum bt_kind kind;
    int at = bt_scan_block(b->disasm, code, size, addr, code32, &kind);
    if (at >= 0)
        b->with_sensitive++;
    return at;
}

static void log_intercept(struct vmm_bt *b, const struct cpu_state *st, enum bt_kind kind,
                          bool native)
{
    struct machine_pos pos;
    control_position(b->trap.m, &pos);
    b->log[b->total % BT_LOG] =
        (struct bt_intercept){pos.icount, kind, native, st->seg[SEG_CS].selector, st->eip};
    b->total++;
    (native ? b->native : b->emulated)[kind]++;
}

/* ---- the stop before a sensitive instruction -------------------------------- */

static enum monitor_verdict step(void *opaque, struct machine *m, struct cpu_state *st)
{
    struct vmm_bt *b = opaque;
    (void)m;
    if (trap_virtual_cpl(&b->trap, st) != 0)
        return MONITOR_DELIVER; /* a block scanned in the kernel, met elsewhere */
    struct cpu_state before = *st;
    enum bt_kind kind = BT_NONE;
    bool done = bt_emulate(b, st, &kind);
    if (kind != BT_NONE)
        log_intercept(b, &before, kind, !done);
    if (b->stop)
        return MONITOR_STOPPED;
    return done ? MONITOR_EMULATED : MONITOR_DELIVER;
}

/* ---- events: the trap monitor's, with the real IOPL kept right ------------- */

/* The real IOPL is the virtual one outside the kernel (the guest's ring 1
 * and ring 3 use it as the guest set it) and 0 inside, where every I/O
 * instruction, CLI and STI must trap to the monitor. */
static void real_iopl(struct vmm_bt *b, struct cpu_state *st)
{
    st->eflags &= ~EFLAGS_IOPL;
    if (trap_virtual_cpl(&b->trap, st) != 0)
        st->eflags |= (uint32_t)b->iopl << EFLAGS_IOPL_SHIFT;
}

/* The guest's SSn:ESPn, from its own TSS (SDM Vol. 3A 7.2.1: ESP0 at 4,
 * SS0 at 8, ESP1 at 12, SS1 at 16). */
static bool guest_stack(struct vmm_bt *b, const struct cpu_state *st, int ring, uint16_t *ss,
                        uint32_t *esp)
{
    uint64_t d;
    if (!b->trap.v.tr || !trap_guest_desc(&b->trap, st, b->trap.v.tr >> 3, &d))
        return false;
    struct descriptor x;
    desc_decode((uint32_t)d, (uint32_t)(d >> 32), &x);
    uint32_t at = x.base + 4 + 8 * (uint32_t)ring, sel = 0;
    return machine_monitor_read_linear(b->trap.m, st, at, esp, 4) &&
           machine_monitor_read_linear(b->trap.m, st, at + 4, &sel, 2) &&
           (*ss = (uint16_t)sel) != 0;
}

/* Between events the shadow TSS's ring-1 stack is the guest's own ring
 * 1's, for the call gates of ring 3 into it; the trap monitor makes it the
 * kernel's for the events (which all enter the kernel) as each comes. */
static void ring1_stack_back(struct vmm_bt *b, const struct cpu_state *st)
{
    uint16_t ss1;
    uint32_t esp1;
    if (guest_stack(b, st, 1, &ss1, &esp1))
        trap_set_shadow_stack1(&b->trap, ss1, esp1);
}

static bool tss_read8(void *opaque, uint32_t linear, uint8_t *value)
{
    struct vmm_bt *b = opaque;
    struct cpu_state st = {.cr0 = b->trap.v.cr0, .cr3 = b->trap.v.cr3, .cr4 = b->trap.v.cr4};
    return machine_monitor_read_linear(b->trap.m, &st, linear, value, 1);
}

/* IN or OUT at ring 3 faulted: the shadow TSS has no I/O bit map.  Does
 * the guest's own TSS's allow the port (SDM Vol. 1 19.5.2)? */
static bool guest_bitmap_allows(struct vmm_bt *b, const struct cpu_state *st)
{
    uint8_t code[3];
    size_t n = machine_monitor_read_code(b->trap.m, st, code, sizeof code), at = 0;
    bool opsize16 = n > 0 && code[0] == 0x66;
    at += opsize16;
    if (at >= n)
        return false;
    uint8_t op = code[at];
    bool imm = op >= 0xe4 && op <= 0xe7, dx = op >= 0xec && op <= 0xef;
    if ((!imm && !dx) || (imm && at + 1 >= n))
        return false;
    uint16_t port = imm ? code[at + 1] : (uint16_t)st->gpr[GPR_EDX];
    int size = (op & 1) ? (opsize16 ? 2 : 4) : 1;
    uint64_t d;
    if (!b->trap.v.tr || !trap_guest_desc(&b->trap, st, b->trap.v.tr >> 3, &d))
        return false;
    struct descriptor x;
    desc_decode((uint32_t)d, (uint32_t)(d >> 32), &x);
    struct ioperm_mem mem = {tss_read8, b};
    struct ioperm_result r;
    return ioperm_check(&mem, x.base, x.limit, (x.type & 8) != 0, port, size, &r) ==
           IOPERM_ALLOW;
}

static enum monitor_verdict intercept(void *opaque, struct machine *m, struct cpu_state *st,
                                      const struct intr_request *req)
{
    struct vmm_bt *b = opaque;
    if (req->source == INTR_EXCEPTION && req->vector == VEC_GP && st->cpl == 3 &&
        ioperm_uses_bitmap(3, st->eflags) && guest_bitmap_allows(b, st)) {
        bool halted = false;
        int cause = trap_emulate(&b->trap, st, &halted);
        if (cause >= 0) {
            b->trap.traps[cause]++;
            b->guest_bitmap_io++;
            return MONITOR_EMULATED;
        }
    }
    b->before = *st;
    b->before_valid = true;
    enum monitor_verdict v = trap_intercept(&b->trap, m, st, req);
    /* What the trap monitor names as failures does not happen here: the
     * frames an event in the kernel pushes are corrected (delivered,
     * below), and a #GP in the guest's own ring 1 is the one it would get
     * at its ring 1, with the IOPL it set. */
    b->trap.fail[FAIL_PUSHED_CS] = (struct trap_failure_seen){0};
    b->trap.fail[FAIL_REFLECTED_GP] = (struct trap_failure_seen){0};
    if (v != MONITOR_DELIVER) {
        b->before_valid = false;
        real_iopl(b, st); /* SYSENTER went in, SYSEXIT came out */
        ring1_stack_back(b, st);
    }
    return v;
}

/* A delivery into the kernel, its frame pushed by the deprivileged CPU:
 * made what the guest's ring 0 would have got (SDM Vol. 3A 6.12.1). */
static void delivered(void *opaque, struct machine *m, struct cpu_state *st,
                      const struct intr_request *req)
{
    struct vmm_bt *b = opaque;
    (void)m;
    if (!b->before_valid || trap_virtual_cpl(&b->trap, st) != 0) {
        ring1_stack_back(b, st);
        return;
    }
    b->before_valid = false;
    const struct cpu_state *from = &b->before;
    uint8_t from_vcpl = trap_virtual_cpl(&b->trap, from);
    int nw = (req->source == INTR_EXCEPTION && req->has_error_code) ? 4 : 3;
    uint32_t w[4];
    uint32_t esp = st->gpr[GPR_ESP];
    if (from->cpl == 1 && machine_monitor_read_linear(m, st, st->seg[SEG_SS].base + esp, w,
                                                      (size_t)nw * 4)) {
        uint32_t *cs = &w[nw - 2], *fl = &w[nw - 1];
        if (from_vcpl == 0) {
            /* From the kernel itself: CS with RPL 0, the virtual IOPL. */
            *cs &= ~3u;
            *fl = (*fl & ~EFLAGS_IOPL) | ((uint32_t)b->iopl << EFLAGS_IOPL_SHIFT);
            if (machine_monitor_write_linear(m, st, st->seg[SEG_SS].base + esp, w,
                                             (size_t)nw * 4))
                b->frames_fixed++;
        } else {
            /* From the guest's ring 1 to its ring 0, which both are real
             * ring 1: the CPU stayed on ring 1's stack.  Switch to the
             * guest's SS0:ESP0 and push ring 1's SS and ESP beneath the
             * frame, as an inward delivery does. */
            uint16_t ss0;
            uint32_t esp0, frame[6];
            struct cpu_state n = *st;
            memcpy(frame, w, (size_t)nw * 4);
            frame[nw] = from->gpr[GPR_ESP];
            frame[nw + 1] = from->seg[SEG_SS].selector;
            if (guest_stack(b, from, 0, &ss0, &esp0) &&
                trap_load_seg(&b->trap, &n, SEG_SS, (uint16_t)(ss0 | 1))) {
                n.gpr[GPR_ESP] = esp0 - (uint32_t)(nw + 2) * 4;
                if (machine_monitor_write_linear(m, &n, n.seg[SEG_SS].base + n.gpr[GPR_ESP],
                                                 frame, (size_t)(nw + 2) * 4)) {
                    *st = n;
                    b->stack_switches++;
                }
            }
        }
    }
    b->trap.v.iflag = (st->eflags & EFLAGS_IF) != 0;
    b->trap.v.cpl = 0;
    real_iopl(b, st);
    ring1_stack_back(b, st);
}

/* The translator in the machine's history: all of it as it was, over the
 * trap monitor's own (trap_history.c); the scans were of blocks the
 * history's restore drops, and are made again. */
static void history_save(void *opaque, void *buf)
{
    memcpy(buf, opaque, sizeof(struct vmm_bt));
}

static void history_restore(void *opaque, struct machine *m, const void *buf)
{
    struct vmm_bt *b = opaque;
    const struct vmm_bt *then = buf;
    (void)m;
    struct disasm *disasm = b->disasm;
    struct vmm_trap trap = b->trap;
    memcpy(b, then, sizeof *b);
    b->disasm = disasm;
    struct vmm_trap *trap_then = &b->trap;
    struct vmm_trap kept = *trap_then;
    b->trap = trap;
    trap_history_restored(&b->trap, &kept);
}

bool vmm_bt_attach(struct vmm_bt *b, struct machine *m, char *err, size_t errlen)
{
    memset(b, 0, sizeof *b);
    if (!vmm_trap_attach(&b->trap, m, err, errlen))
        return false;
    struct cpu_state st;
    if (!inspect_cpu(m, &st)) {
        snprintf(err, errlen, "cannot read the CPU");
        return false;
    }
    b->iopl = (uint8_t)((st.eflags & EFLAGS_IOPL) >> EFLAGS_IOPL_SHIFT);
    b->trap.returns_executed = true; /* bt_emulate.c's, with the virtual IF and IOPL */
    b->disasm = disasm_open();
    if (!b->disasm) {
        snprintf(err, errlen, "cannot open the disassembler");
        return false;
    }
    machine_set_intercept(m, intercept, b);
    machine_set_translator(m, scan, step, delivered, b);
    struct machine_history_client c = {sizeof *b, history_save, history_restore, b};
    machine_set_history_client(m, &c);
    return true;
}

void vmm_bt_detach(struct vmm_bt *b)
{
    disasm_close(b->disasm);
    b->disasm = NULL;
}

/* ---- the report -------------------------------------------------------------- */

/* "412 blocks scanned at virtual CPL 0, 9 with a sensitive instruction;
 *  7030 intercepted: IRET 3000, PUSHF 1000, far JMP 1 (run natively)" */
static void intercepts(const struct vmm_bt *b, const char *prefix, struct strbuf *out)
{
    strbuf_add(out, "%s%llu blocks scanned at virtual CPL 0, %llu with a sensitive instruction\n",
               prefix, (unsigned long long)b->scanned, (unsigned long long)b->with_sensitive);
    strbuf_add(out, "%s%llu sensitive instructions intercepted", prefix,
               (unsigned long long)b->total);
    const char *sep = ": ";
    for (int k = 1; k < BT_KIND_COUNT; k++) {
        if (b->emulated[k]) {
            strbuf_add(out, "%s%s %llu", sep, bt_kind_name((enum bt_kind)k),
                       (unsigned long long)b->emulated[k]);
            sep = ", ";
        }
        if (b->native[k]) {
            strbuf_add(out, "%s%s %llu (run natively)", sep, bt_kind_name((enum bt_kind)k),
                       (unsigned long long)b->native[k]);
            sep = ", ";
        }
    }
    strbuf_add(out, "\n%sI/O at ring 3 the guest's I/O bit map allows: %llu\n", prefix,
               (unsigned long long)b->guest_bitmap_io);
    strbuf_add(out, "%sevent frames corrected: %llu pushed in the kernel (CS RPL 0, the "
                    "virtual IOPL), %llu moved from ring 1's stack to the kernel's\n",
               prefix, (unsigned long long)b->frames_fixed,
               (unsigned long long)b->stack_switches);
}

void vmm_bt_info(void *opaque, struct strbuf *out)
{
    struct vmm_bt *b = opaque;
    strbuf_add(out, "monitor: bt, binary translation: the guest kernel runs at real ring 1, its "
                    "sensitive instructions executed by the monitor\n");
    trap_report_cpu_table(&b->trap, out);
    struct cpu_state st;
    if (inspect_cpu(b->trap.m, &st))
        strbuf_add(out, "  EFLAGS.IOPL %-25u %u\n", b->iopl,
                   (st.eflags & EFLAGS_IOPL) >> EFLAGS_IOPL_SHIFT);
    trap_report_counts(&b->trap, "", out);
    intercepts(b, "", out);
    uint64_t first = b->total > BT_LOG ? b->total - BT_LOG : 0;
    if (b->total)
        strbuf_add(out, "the last %llu intercepts:\n", (unsigned long long)(b->total - first));
    for (uint64_t i = first; i < b->total; i++) {
        const struct bt_intercept *e = &b->log[i % BT_LOG];
        strbuf_add(out, "  at instruction %llu: %s at %04x:%08x%s\n",
                   (unsigned long long)e->icount, bt_kind_name(e->kind), e->cs, e->eip,
                   e->native ? ", run natively" : ", emulated");
    }
    trap_report_failures(&b->trap, "", out);
}

/* The view's account: the trap monitor's virtual CPU and failures (bt
 * runs over it), bt's own intercepts by kind as the causes, and the
 * blocks scanned and the traps still taken as notes. */
void vmm_bt_status(void *opaque, struct vmm_status *out)
{
    struct vmm_bt *b = opaque;
    struct vmm_status trap;
    vmm_trap_status(&b->trap, &trap);
    vmm_status_init(out, "bt", "the kernel at real ring 1, translated", "intercepts");
    out->have_cpu = trap.have_cpu;
    out->virt = trap.virt;
    out->real = trap.real;
    out->total = b->total;
    for (int k = 1; k < BT_KIND_COUNT; k++)
        vmm_status_add_cause(out, bt_kind_name((enum bt_kind)k), b->emulated[k] + b->native[k]);
    if (b->total) {
        const struct bt_intercept *e = &b->log[(b->total - 1) % BT_LOG];
        snprintf(out->latest, sizeof out->latest, "%s at %04x:%08x, instruction %llu, %s",
                 bt_kind_name(e->kind), e->cs, e->eip, (unsigned long long)e->icount,
                 e->native ? "run natively" : "emulated");
    }
    vmm_status_add_note(out, "blocks scanned %llu, %llu with a sensitive instruction",
                        (unsigned long long)b->scanned, (unsigned long long)b->with_sensitive);
    char causes[80] = "";
    for (int i = 0, n = 0; i < trap.ncauses && i < 4; i++)
        n += snprintf(causes + n, sizeof causes - (size_t)n, "%s%s %llu", i ? ", " : ": ",
                      trap.causes[i].name, (unsigned long long)trap.causes[i].count);
    vmm_status_add_note(out, "traps %llu%s", (unsigned long long)trap.total, causes);
    out->nfailures = trap.nfailures;
    memcpy(out->failure, trap.failure, sizeof out->failure);
}

int vmm_run_bt(struct runner *r, const struct vmm_request *req, struct vmm_bt *b,
               struct qemu_log *qlog, double timeout_s)
{
    struct vmm_input_log in = {0};
    vmm_input_observe(r->m, &in);
    struct run_request run = {0};
    double seconds;
    enum runner_stop s = vmm_run_to_end(r, &run, &seconds);
    fflush(stdout); /* the report on lines of its own */
    struct machine_pos end;
    control_position(r->m, &end);
    struct strbuf o;
    strbuf_init(&o);
    strbuf_add(&o, "\nvmm bt: the guest kernel ran at ring 1 under the monitor; %s\n",
               vmm_how_it_ended(s));
    intercepts(b, "vmm bt: ", &o);
    trap_report_counts(&b->trap, "vmm bt: ", &o);
    strbuf_add(&o, "vmm bt: under the monitor: %llu guest instructions, %.2f s\n",
               (unsigned long long)end.icount, seconds);
    size_t before = strlen(strbuf_str(&o));
    trap_report_failures(&b->trap, "vmm bt: ", &o);
    if (strlen(strbuf_str(&o)) == before)
        strbuf_add(&o, "vmm bt: no failure of the deception was seen\n");
    fputs(strbuf_str(&o), stderr);
    strbuf_free(&o);
    int status = report_exit(s, r, qlog, timeout_s);
    vmm_compare_native("bt", r, req, &in, seconds);
    return status;
}
