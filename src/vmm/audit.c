/* The audit's verdicts: each row judged by what was seen in every context
 * (the rules in audit.h).  The evidence is the first difference found, in
 * words: the trap seen, or the two results that differ.  Pure: the
 * experiments are audit_rig.c's. */
#include "vmm/audit.h"

#include <stdio.h>
#include <string.h>

#include "cpu/cpu_state.h"
#include "trace/event.h"

const char *audit_verdict_name(enum audit_verdict v)
{
    switch (v) {
    case VERDICT_PRIVILEGED:
        return "privileged";
    case VERDICT_SENSITIVE:
        return "sensitive";
    case VERDICT_INNOCUOUS:
        return "innocuous";
    case VERDICT_UNCLEAR:
        break;
    }
    return "unclear";
}

const char *audit_ctx_name(enum audit_ctx c)
{
    static const char *const names[] = {"CPL 0", "CPL 1", "CPL 3", "V86"};
    return c < CTX_COUNT ? names[c] : "?";
}

void audit_cell(const struct audit_outcome *o, char *buf, size_t n)
{
    if (!o->measured) {
        snprintf(buf, n, "-");
        return;
    }
    if (!o->trapped) {
        snprintf(buf, n, "ok");
        return;
    }
    const char *name = trace_vector_mnemonic(o->vector);
    char vec[16];
    if (!name) {
        snprintf(vec, sizeof vec, "vector %d", o->vector);
        name = vec;
    }
    if (o->has_error_code)
        snprintf(buf, n, "%s(%#x)", name, o->error_code);
    else
        snprintf(buf, n, "%s", name);
}

/* ---- comparing two outcomes -------------------------------------------------- */

/* The first field of the result in which a and b differ, described with
 * both values; false when they agree. */
static bool result_differs(const struct audit_outcome *a, const struct audit_outcome *b,
                           char *what, size_t n)
{
    static const char *const regs[] = {"eax", "ecx", "edx", "ebx", "esp", "ebp", "esi", "edi"};
    for (int i = 0; i < 8; i++)
        if (a->gpr[i] != b->gpr[i] || ((a->gpr_changed ^ b->gpr_changed) & (1u << i))) {
            char va[16] = "unchanged", vb[16] = "unchanged";
            if (a->gpr_changed & (1u << i))
                snprintf(va, sizeof va, "%#x", a->gpr[i]);
            if (b->gpr_changed & (1u << i))
                snprintf(vb, sizeof vb, "%#x", b->gpr[i]);
            snprintf(what, n, "%s %s / %s", regs[i], va, vb);
            return true;
        }
    if (a->flags != b->flags) {
        uint32_t d = a->flags ^ b->flags;
        const char *flag = (d & 0x40) ? "ZF" : (d & 1) ? "CF" : "flags";
        snprintf(what, n, "%s %u / %u", flag, (a->flags & d) != 0, (b->flags & d) != 0);
        return true;
    }
    if (a->cs != b->cs || a->eip_loaded != b->eip_loaded || a->eip != b->eip) {
        char ca[24] = "CS kept", cb[24] = "CS kept";
        if (a->cs)
            snprintf(ca, sizeof ca, "CS %#x loaded", a->cs);
        if (b->cs)
            snprintf(cb, sizeof cb, "CS %#x loaded", b->cs);
        snprintf(what, n, "%s, EIP %#x / %s, EIP %#x", ca, a->eip, cb, b->eip);
        return true;
    }
    if (a->ss != b->ss || a->esp_loaded != b->esp_loaded || a->esp != b->esp) {
        if (!a->esp_loaded && !b->esp_loaded)
            snprintf(what, n, "ESP moved by %d / %d", (int)a->esp, (int)b->esp);
        else
            snprintf(what, n, "SS:ESP %s / %s", a->esp_loaded ? "switched" : "kept",
                     b->esp_loaded ? "switched" : "kept");
        return true;
    }
    const uint16_t sa[] = {a->ds, a->es, a->fs, a->gs}, sb[] = {b->ds, b->es, b->fs, b->gs};
    static const char *const segs[] = {"ds", "es", "fs", "gs"};
    for (int i = 0; i < 4; i++)
        if (sa[i] != sb[i]) {
            snprintf(what, n, "%s %#x / %#x", segs[i], sa[i], sb[i]);
            return true;
        }
    for (int i = 0; i < AUDIT_STACK_BYTES; i += 4) {
        uint32_t va, vb;
        memcpy(&va, a->stack + i, 4);
        memcpy(&vb, b->stack + i, 4);
        if (va != vb) {
            snprintf(what, n, "[esp+%d] %#x / %#x", i, va, vb);
            return true;
        }
    }
    for (int i = 0; i < AUDIT_SCRATCH_BYTES; i += 2) {
        uint32_t va = 0, vb = 0;
        memcpy(&va, a->scratch + i, i + 4 <= AUDIT_SCRATCH_BYTES ? 4 : 2);
        memcpy(&vb, b->scratch + i, i + 4 <= AUDIT_SCRATCH_BYTES ? 4 : 2);
        if (a->scratch[i] != b->scratch[i] || a->scratch[i + 1] != b->scratch[i + 1]) {
            snprintf(what, n, "stores %#x / %#x at +%d", va, vb, i);
            return true;
        }
    }
    return false;
}

/* What the instruction did to the privileged state, as "IF 0->1" for the
 * first field that moved; "" when none did. */
static void priv_change(const struct audit_outcome *o, char *buf, size_t n)
{
    const struct audit_priv *b = &o->before, *a = &o->after;
    buf[0] = 0;
    if ((a->eflags_sys ^ b->eflags_sys) & EFLAGS_IF)
        snprintf(buf, n, "IF %u->%u", (b->eflags_sys & EFLAGS_IF) != 0,
                 (a->eflags_sys & EFLAGS_IF) != 0);
    else if ((a->eflags_sys ^ b->eflags_sys) & EFLAGS_IOPL)
        snprintf(buf, n, "IOPL %u->%u", (b->eflags_sys & EFLAGS_IOPL) >> EFLAGS_IOPL_SHIFT,
                 (a->eflags_sys & EFLAGS_IOPL) >> EFLAGS_IOPL_SHIFT);
    else if (a->cr0 != b->cr0)
        snprintf(buf, n, "CR0 %#x->%#x", b->cr0, a->cr0);
    else if (a->cr3 != b->cr3)
        snprintf(buf, n, "CR3 %#x->%#x", b->cr3, a->cr3);
    else if (a->cr4 != b->cr4)
        snprintf(buf, n, "CR4 %#x->%#x", b->cr4, a->cr4);
    else if (a->gdt_base != b->gdt_base || a->gdt_limit != b->gdt_limit)
        snprintf(buf, n, "GDTR %#x->%#x", b->gdt_base, a->gdt_base);
    else if (a->idt_base != b->idt_base || a->idt_limit != b->idt_limit)
        snprintf(buf, n, "IDTR %#x->%#x", b->idt_base, a->idt_base);
    else if (a->ldtr != b->ldtr)
        snprintf(buf, n, "LDTR %#x->%#x", b->ldtr, a->ldtr);
    else if (a->tr != b->tr)
        snprintf(buf, n, "TR %#x->%#x", b->tr, a->tr);
}

/* ---- the verdict ----------------------------------------------------------------- */

static const enum audit_ctx outer[] = {CTX_CPL1, CTX_CPL3, CTX_V86};

void audit_classify(struct audit_row *row)
{
    const struct audit_outcome *o = row->out;
    row->control_sensitive = row->behaviour_sensitive = false;
    row->evidence[0] = 0;
    char cell0[32], cell[32];
    audit_cell(&o[CTX_CPL0], cell0, sizeof cell0);

    /* Privileged: a trap in every outer context measured, and none at
     * CPL 0 (or another one: RDPMC's #UD where the model has no
     * counters). */
    bool all_trap = true;
    for (size_t i = 0; i < sizeof outer / sizeof outer[0]; i++)
        if (o[outer[i]].measured && !o[outer[i]].trapped)
            all_trap = false;
    if (all_trap) {
        audit_cell(&o[CTX_CPL3], cell, sizeof cell);
        if (!o[CTX_CPL0].trapped || o[CTX_CPL0].vector != o[CTX_CPL3].vector) {
            row->verdict = VERDICT_PRIVILEGED;
            snprintf(row->evidence, sizeof row->evidence, "%s at CPL 1 and 3%s, %s at CPL 0", cell,
                     o[CTX_V86].measured ? " and in V86 mode" : "",
                     o[CTX_CPL0].trapped ? cell0 : "runs");
        } else {
            row->verdict = VERDICT_UNCLEAR;
            snprintf(row->evidence, sizeof row->evidence, "%s in every context", cell);
        }
        return;
    }

    /* Unprivileged: judge it where it ran without a trap. */
    char ctrl[160] = "", beh[160] = "";
    for (size_t i = 0; i < sizeof outer / sizeof outer[0]; i++) {
        enum audit_ctx c = outer[i];
        if (!o[c].measured || o[c].trapped)
            continue;
        char what[80], p0[40], pc[40];
        if (c != CTX_V86 && !o[CTX_CPL0].trapped) {
            priv_change(&o[CTX_CPL0], p0, sizeof p0);
            priv_change(&o[c], pc, sizeof pc);
            if (strcmp(p0, pc) != 0 && !row->control_sensitive) {
                row->control_sensitive = true;
                snprintf(ctrl, sizeof ctrl, "%s at CPL 0, %s at %s without a trap",
                         *p0 ? p0 : "nothing changes", *pc ? pc : "unchanged",
                         audit_ctx_name(c));
            }
            if (!row->behaviour_sensitive && result_differs(&o[CTX_CPL0], &o[c], what,
                                                            sizeof what)) {
                row->behaviour_sensitive = true;
                snprintf(beh, sizeof beh, "%s (CPL 0 / %s)", what, audit_ctx_name(c));
            }
        }
        if (!row->behaviour_sensitive && row->moved[c].measured && !row->moved[c].trapped &&
            result_differs(&o[c], &row->moved[c], what, sizeof what)) {
            row->behaviour_sensitive = true;
            snprintf(beh, sizeof beh, "%s (native / moved machine, %s)", what,
                     audit_ctx_name(c));
        }
    }
    if (row->control_sensitive || row->behaviour_sensitive) {
        row->verdict = VERDICT_SENSITIVE;
        snprintf(row->evidence, sizeof row->evidence, "%s%s%s", ctrl,
                 *ctrl && *beh ? "; " : "", beh);
    } else {
        row->verdict = VERDICT_INNOCUOUS;
        snprintf(row->evidence, sizeof row->evidence,
                 "same result at CPL 0, 1 and 3, and with the tables moved");
    }
}
