/* scene-judge: compare one scene's run under qemu-system-i386 with its run
 * under ringlab, and say whether they agree, differ only where QEMU is
 * known to depart from the SDM, or differ in a way nobody has explained.
 *
 *   scene-judge PREFIX
 *
 * reads PREFIX.meta (from scene-gen), PREFIX.qemu.{log,out,status} and
 * PREFIX.ringlab.{log,out,status,err} (from scene-diff.sh): the -d int
 * event lines, the report the guest printed on COM1, the exit statuses.
 * Prints one line, "PREFIX: VERDICT (details)", and exits 0 when the two
 * agree or every difference is a known one, 1 for a new difference, 2 when
 * a file is missing.
 *
 * The known deviations (README.md, "Faithfulness, measured"; each is a
 * QEMU 7.2 departure from the SDM, ringlab follows the SDM):
 *   ext       an error code for a fault while delivering an event has EXT
 *             (bit 0) set: ringlab's is QEMU's plus 1 (SDM Vol. 3A 6.13)
 *   rf        the EFLAGS image pushed for a fault has RF set: ringlab's
 *             word is QEMU's plus 0x10000 (Vol. 3A 17.3.1.1)
 *   accessed  a code or stack segment loaded by an interrupt delivery gets
 *             its Accessed bit set: a GDT/LDT high dword with bit 8 set in
 *             ringlab's report, clear in QEMU's (Vol. 3A 3.4.5.1)
 *   ss-vs-np  IRET/RETF to an outer ring with its SS not present: #SS in
 *             ringlab, #NP in QEMU (Vol. 2A IRET, RET)
 *   ss-vs-ts  an inner-ring delivery with the TSS's SS not present: #SS in
 *             ringlab, #TS in QEMU (Vol. 2A INT n)
 *   ts-vs-gp  a task gate in the IDT whose TSS selector has TI = 1: #GP(TSS
 *             selector) in ringlab, #TS in QEMU (Vol. 2A INT n, TASK-GATE)
 *   push-user the frame of a delivery to a ring-3 handler is pushed with
 *             user rights, so a supervisor stack page faults (Vol. 3A 4.6);
 *             QEMU pushes with supervisor rights
 *   sysenter-cs  SYSENTER with IA32_SYSENTER_CS = 1..3: #GP(0) in ringlab
 *             (Vol. 2B SYSENTER tests bits 15:2), QEMU enters with CS 0
 *   gate16    a 16-bit interrupt or trap gate with a nonzero high offset
 *             word: ringlab uses IP = the low word, QEMU both words (6.11)
 *   triple    a triple fault under -no-reboot: ringlab exits 6, QEMU 0
 *   ss16-esp  a delivery to an inner ring whose TSS stack segment is
 *             16-bit: ESP is the TSS's ESPn with SP moved by the pushes
 *             (SDM Vol. 2A INT n: "SS:ESP <- newSS:newESP", then 16-bit
 *             pushes); QEMU keeps the interrupted ESP's upper half.  The
 *             handler then reads its stack elsewhere: known-diverges.
 *   ad-on-fault  a page walk of ringlab's own (pushing a frame, reading
 *             the IDT or TSS) that faults sets no Accessed bit; QEMU's
 *             sets the PDE's before it finds the PTE not present or the
 *             access not allowed.  The SDM (Vol. 3A 4.8) sets A in every
 *             entry "used" for a translation; Intel processors update A/D
 *             only once a walk succeeds.
 * and one that scene-gen marks in the meta ("limit"):
 *   limits    QEMU checks no data or stack segment limit, and lets a null
 *             selector in DS, ES, FS or GS be used (nor does it check code
 *             limits on an interrupt's entry point); ringlab raises #GP(0)
 *             or #SS(0) as the SDM says (Vol. 3A 5.3, 3.4.2), so a scene
 *             whose result depends on one is counted apart.
 * and where the SDM leaves the outcome open:
 *   task-eip  a far CALL or JMP that switches tasks and faults past the
 *             commit point: the SDM delivers the fault at the new task's
 *             first instruction (Vol. 3A 7.3), and so does ringlab for the
 *             direct forms; QEMU restores the CALL's or JMP's EIP (with
 *             bits lost), and ringlab does for an indirect CALL or JMP
 *   task-state  a fault loading the new task's LDT, CS or SS during a task
 *             switch through a task gate: the state it is delivered in (7.3,
 *             steps 12-13, "may corrupt architectural state"); QEMU has
 *             empty CS and SS caches then (CPL 0, a 16-bit stack at base 0),
 *             ringlab the old task's CPL and stack.
 * When a known deviation changes which handler runs (ss-vs-np, ss-vs-ts,
 * ts-vs-gp, gate16, task-state), what follows may differ too:
 * "known-diverges". */
#include <ctype.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_LINES 4096

struct lines {
    char **v;
    size_t n;
};

/* The lines of a file; a carriage return ends a line too (QEMU's console
 * output has "...\rscene 12: ..." after the firmware's banner). */
static bool read_lines(const char *path, struct lines *out)
{
    FILE *f = fopen(path, "r");
    out->v = NULL;
    out->n = 0;
    if (f == NULL)
        return false;
    char buf[4096];
    size_t len = 0;
    int c;
    do {
        c = fgetc(f);
        if (c != EOF && c != '\n' && c != '\r') {
            if (len + 1 < sizeof buf)
                buf[len++] = (char)c;
            continue;
        }
        if (len == 0 || out->n >= MAX_LINES)
            continue;
        buf[len] = '\0';
        len = 0;
        char **grown = realloc(out->v, (out->n + 1) * sizeof *grown);
        if (grown == NULL)
            break;
        out->v = grown;
        out->v[out->n++] = strdup(buf);
    } while (c != EOF);
    fclose(f);
    return true;
}

static int read_status(const char *path)
{
    FILE *f = fopen(path, "r");
    int st = -1;
    if (f) {
        if (fscanf(f, "%d", &st) != 1)
            st = -1;
        fclose(f);
    }
    return st;
}

/* ---- the -d int event lines ----------------------------------------------- */

struct event {
    const char *line;
    unsigned v, e;
    char rest[256]; /* everything else, with v= and e= cut out */
    char notes[1024]; /* ringlab: the indented lines after it */
};

static bool is_event(const char *l)
{
    while (*l == ' ')
        l++;
    while (isdigit((unsigned char)*l))
        l++;
    return strncmp(l, ": v=", 4) == 0;
}

static size_t events_of(const struct lines *log, struct event *ev, size_t max)
{
    size_t n = 0;
    for (size_t i = 0; i < log->n && n < max; i++) {
        if (!is_event(log->v[i])) {
            if (n > 0 && strncmp(log->v[i], "        ", 8) == 0) {
                size_t len = strlen(ev[n - 1].notes);
                snprintf(ev[n - 1].notes + len, sizeof ev[n - 1].notes - len, "%s\n", log->v[i] + 8);
            }
            continue;
        }
        struct event *e = &ev[n++];
        memset(e, 0, sizeof *e);
        e->line = log->v[i];
        const char *pv = strstr(e->line, "v="), *pe = strstr(e->line, " e=");
        e->v = (unsigned)strtoul(pv + 2, NULL, 16);
        e->e = pe ? (unsigned)strtoul(pe + 3, NULL, 16) : 0;
        const char *pi = strstr(e->line, " i=");
        snprintf(e->rest, sizeof e->rest, "%s", pi ? pi : "");
    }
    return n;
}

/* ---- the verdict -------------------------------------------------------- */

struct judge {
    char known[256];   /* the known deviations seen, space-separated */
    char problem[512]; /* the first unexplained difference */
    unsigned ext_codes[64];
    int n_ext;
    int subst_from[4], subst_to[4]; /* QEMU's vector -> ringlab's */
    int n_subst;
    bool diverged_known; /* a known deviation changed the path */
    bool tss_switch;     /* ringlab switched to a stack from the TSS */
    bool gate16_path;    /* ringlab went through a 16-bit gate with junk above its offset */
    bool task_state;     /* a task switch faulted loading the new task's LDT, CS or SS */
    bool sysenter_cs;    /* ringlab refused SYSENTER for IA32_SYSENTER_CS[15:2] = 0 */
    bool ss16_seen;      /* ringlab delivered onto a TSS stack below 64 KiB */
    unsigned ss16_sel;
    unsigned long ss16_esp;
    size_t task_state_at; /* at ringlab's event (the attempt that says so) */
    bool limit_dep;
    char gate16[256];  /* " v1 v2 " from the meta */
};

static void note_known(struct judge *j, const char *what)
{
    char key[40];
    snprintf(key, sizeof key, " %s ", what);
    char padded[260];
    snprintf(padded, sizeof padded, " %s ", j->known);
    if (strstr(padded, key))
        return;
    size_t len = strlen(j->known);
    snprintf(j->known + len, sizeof j->known - len, "%s%s", len ? " " : "", what);
}

static void problem(struct judge *j, const char *fmt, const char *a, const char *b)
{
    if (j->problem[0])
        return;
    snprintf(j->problem, sizeof j->problem, fmt, a, b);
}

static bool substituted(const struct judge *j, unsigned q, unsigned r)
{
    for (int k = 0; k < j->n_subst; k++)
        if ((unsigned)j->subst_from[k] == q && (unsigned)j->subst_to[k] == r)
            return true;
    return false;
}

/* The first event where a known deviation changes the path: a 16-bit gate
 * with junk in its high word was used, or a vector was substituted. */
static bool gate16_used(const struct judge *j, const struct event *r, size_t nr, size_t upto)
{
    for (size_t i = 0; i <= upto && i < nr; i++) {
        char key[16];
        snprintf(key, sizeof key, " %u ", r[i].v);
        if (strstr(j->gate16, key) &&
            (strstr(r[i].notes, "via intr16 gate") || strstr(r[i].notes, "via trap16 gate")))
            return true;
    }
    return false;
}

/* ss16-esp in the event lines: ringlab delivered onto a stack from the TSS
 * with an ESP below 64 KiB (ss16_sel:ss16_esp, from its "->" line), and
 * QEMU's event i runs on that stack selector with an ESP whose low half is
 * just below it but whose upper half is not 0. */
static bool ss16_in_events(const struct judge *j, const struct event *q, size_t i)
{
    if (!j->ss16_seen || !q[i].line)
        return false;
    const char *sp = strstr(q[i].line, " SP=");
    if (!sp)
        return false;
    unsigned sel = (unsigned)strtoul(sp + 4, NULL, 16);
    const char *colon = strchr(sp + 4, ':');
    unsigned long esp = colon ? strtoul(colon + 1, NULL, 16) : 0;
    return sel == j->ss16_sel && esp >= 0x10000 && (esp & 0xffff) <= j->ss16_esp &&
           j->ss16_esp - (esp & 0xffff) < 0x1000;
}

/* Two event lines' rests equal but for their IP= and pc= fields. */
static bool strip_ip_equal(const char *a, const char *b)
{
    char x[256], y[256];
    const char *in[2] = {a, b};
    char *out[2] = {x, y};
    for (int k = 0; k < 2; k++) {
        size_t o = 0;
        for (const char *p = in[k]; *p && o + 1 < sizeof x;) {
            if (strncmp(p, " IP=", 4) == 0 || strncmp(p, " pc=", 4) == 0) {
                p += 4;
                while (*p && *p != ' ')
                    p++;
                continue;
            }
            out[k][o++] = *p++;
        }
        out[k][o] = '\0';
    }
    return strcmp(x, y) == 0;
}

static void compare_events(struct judge *j, const struct event *q, size_t nq,
                           const struct event *r, size_t nr)
{
    size_t n = nq < nr ? nq : nr;
    for (size_t i = 0; i < n; i++) {
        if (strcmp(q[i].line, r[i].line) == 0)
            continue;
        bool same_rest = strcmp(q[i].rest, r[i].rest) == 0;
        bool v_ok = q[i].v == r[i].v;
        bool e_ok = q[i].e == r[i].e;
        /* ext: ringlab's error code is QEMU's with bit 0 set */
        if (!e_ok && r[i].e == (q[i].e | 1u) && (r[i].e & 1) && r[i].v >= 10 && r[i].v <= 13) {
            e_ok = true;
            note_known(j, "ext");
            if (j->n_ext < 64)
                j->ext_codes[j->n_ext++] = r[i].e;
        }
        /* task-state: past a fault loading the new task's LDT, CS or SS the
         * SDM leaves the state undefined (Vol. 3A 7.3, steps 12-13: "may
         * corrupt architectural state"): QEMU has empty CS/SS caches (CPL
         * 0, a 16-bit stack), ringlab the old task's CPL and stack */
        if (j->task_state && i >= j->task_state_at) {
            note_known(j, "task-state");
            j->diverged_known = true;
            return;
        }
        /* ss-vs-np and ss-vs-ts: #SS where QEMU raises #NP or #TS */
        if (!v_ok && r[i].v == 12 && q[i].v == 11 && strstr(r[i].notes, "#SS(SS) by the SDM")) {
            v_ok = true;
            note_known(j, "ss-vs-np");
        } else if (!v_ok && r[i].v == 12 && q[i].v == 10 && strstr(r[i].notes, "TSS SS") &&
                   strstr(r[i].notes, "is not present")) {
            v_ok = true;
            note_known(j, "ss-vs-ts");
        }
        /* ts-vs-gp: a task gate in the IDT whose TSS selector names the LDT:
         * #GP in ringlab, #TS in QEMU (Vol. 2A INT n, TASK-GATE) */
        if (!v_ok && r[i].v == 13 && q[i].v == 10 && (r[i].e & 4) &&
            strstr(r[i].notes, "task gate selector") && strstr(r[i].notes, "is not in the GDT")) {
            v_ok = true;
            note_known(j, "ts-vs-gp");
        }
        if (v_ok && q[i].v != r[i].v && j->n_subst < 4) {
            j->subst_from[j->n_subst] = (int)q[i].v;
            j->subst_to[j->n_subst++] = (int)r[i].v;
        }
        if (same_rest && v_ok && e_ok)
            continue;
        /* task-eip: a far CALL or JMP that switches tasks and faults past
         * the commit point: the SDM delivers the fault in the new task, at
         * its first instruction (Vol. 3A 7.3, Table 7-1), as ringlab does
         * for the direct forms; QEMU restores the EIP of the CALL or JMP,
         * even with bits lost, and so does ringlab's engine for the
         * indirect forms. */
        if (v_ok && e_ok && !same_rest && strip_ip_equal(q[i].rest, r[i].rest) &&
            (strstr(r[i].notes, "past the commit point of the far") ||
             strstr(r[i].notes, "raised by `lcall ") || strstr(r[i].notes, "raised by `ljmp "))) {
            note_known(j, "task-eip");
            j->diverged_known = true;
            return;
        }
        /* push-user: the frame of a delivery to a ring-3 handler is pushed
         * with user rights (Vol. 3A 4.6: only descriptor-table, IDT and TSS
         * accesses are implicit supervisor accesses); QEMU pushes every
         * frame with supervisor rights */
        if (strstr(r[i].notes, "pushing the interrupt frame: user ")) {
            note_known(j, "push-user");
            j->diverged_known = true;
            return;
        }
        /* ss16-esp, seen in the events: QEMU's handler runs with the old
         * ESP's upper half and faults on its own stack */
        if (ss16_in_events(j, q, i)) {
            note_known(j, "ss16-esp");
            j->diverged_known = true;
            return;
        }
        /* sysenter-cs: IA32_SYSENTER_CS with only RPL bits set: #GP(0) by the
         * SDM (Vol. 2B SYSENTER: "IF IA32_SYSENTER_CS[15:2] = 0"); QEMU
         * tests the whole MSR against 0 and enters ring 0 with CS 0 */
        if (strstr(r[i].notes, "SYSENTER with IA32_SYSENTER_CS = 0")) {
            note_known(j, "sysenter-cs");
            j->diverged_known = true;
            return;
        }
        /* an unexplained difference: after a known change of path? */
        if (j->n_subst > 0) {
            j->diverged_known = true;
            return;
        }
        if (gate16_used(j, r, nr, i)) {
            note_known(j, "gate16");
            j->diverged_known = true;
            return;
        }
        problem(j, "event lines differ: qemu '%s', ringlab '%s'", q[i].line, r[i].line);
        return;
    }
    if (nq != nr) {
        size_t k = n < nr ? n : nr - 1;
        if (ss16_in_events(j, q, nq > n ? n : (nq ? nq - 1 : 0))) {
            note_known(j, "ss16-esp");
            j->diverged_known = true;
            return;
        }
        if (nr > 0 && strstr(r[k].notes, "pushing the interrupt frame: user ")) {
            note_known(j, "push-user");
            j->diverged_known = true;
            return;
        }
        if (nr > 0 && strstr(r[k].notes, "SYSENTER with IA32_SYSENTER_CS = 0")) {
            note_known(j, "sysenter-cs");
            j->diverged_known = true;
        } else if (j->task_state && n >= j->task_state_at) {
            note_known(j, "task-state");
            j->diverged_known = true;
        } else if (j->n_subst > 0) {
            j->diverged_known = true;
        } else if (gate16_used(j, r, nr, nr)) {
            note_known(j, "gate16");
            j->diverged_known = true;
        } else {
            char a[32], b[32];
            snprintf(a, sizeof a, "%zu", nq);
            snprintf(b, sizeof b, "%zu", nr);
            problem(j, "qemu logged %s events, ringlab %s", a, b);
        }
    }
}

/* The report: from "scene N: " on, in both outputs. */
static size_t report_start(const struct lines *out, char **first)
{
    for (size_t i = 0; i < out->n; i++) {
        char *p = strstr(out->v[i], "scene ");
        if (p && isdigit((unsigned char)p[6])) {
            *first = p;
            return i;
        }
    }
    *first = NULL;
    return out->n;
}

static bool hex_token(const char *t, unsigned long *v)
{
    const char *eq = strchr(t, '=');
    const char *h = eq ? eq + 1 : t;
    char *end;
    if (!isxdigit((unsigned char)*h))
        return false;
    *v = strtoul(h, &end, 16);
    return *end == '\0';
}

static bool ext_code(const struct judge *j, unsigned long v)
{
    for (int k = 0; k < j->n_ext; k++)
        if (j->ext_codes[k] == v)
            return true;
    return false;
}

/* One token of the report that differs: is a known deviation the cause? */
static bool token_known(struct judge *j, const char *line_kind, int index, const char *qt,
                        const char *rt)
{
    unsigned long qv, rv;
    if (!hex_token(qt, &qv) || !hex_token(rt, &rv))
        return false;
    const char *qeq = strchr(qt, '='), *req = strchr(rt, '=');
    if ((qeq ? qeq - qt : 0) != (req ? req - rt : 0) || (qeq && strncmp(qt, rt, (size_t)(qeq - qt))))
        return false;
    if (strcmp(line_kind, "report") == 0 && index == 1 && substituted(j, (unsigned)qv, (unsigned)rv))
        return true;

    if ((qv ^ rv) == 0x10000 && (rv & 0x10000)) {
        note_known(j, "rf");
        return true;
    }
    /* (a 16-bit frame packs the error code in the low word of a dword) */
    if ((qv ^ rv) == 1 && (ext_code(j, rv) || ext_code(j, rv & 0xffff))) {
        note_known(j, "ext");
        return true;
    }
    if ((strcmp(line_kind, "gdt") == 0 || strcmp(line_kind, "ldt") == 0) && (qv ^ rv) == 0x100 &&
        (rv & 0x100) && (rv & 0x1000)) {
        note_known(j, "accessed");
        return true;
    }
    if ((strcmp(line_kind, "pde") == 0 || strcmp(line_kind, "pte") == 0) && (qv ^ rv) == 0x20 &&
        (qv & 0x20)) {
        note_known(j, "ad-on-fault");
        return true;
    }
    return false;
}

static void compare_reports(struct judge *j, const struct lines *qo, const struct lines *ro)
{
    char *qf, *rf;
    size_t qi = report_start(qo, &qf), ri = report_start(ro, &rf);
    if (!qf || !rf) {
        if (j->gate16_path) {
            note_known(j, "gate16");
            j->diverged_known = true;
            return;
        }
        problem(j, "no report from %s%s", !qf ? "qemu " : "", !rf ? "ringlab" : "");
        return;
    }
    size_t nq = qo->n - qi, nr = ro->n - ri;
    size_t n = nq < nr ? nq : nr;
    for (size_t k = 0; k < n; k++) {
        const char *ql = k == 0 ? qf : qo->v[qi + k], *rl = k == 0 ? rf : ro->v[ri + k];
        if (strcmp(ql, rl) == 0)
            continue;
        if (strncmp(ql, "report ", 7) == 0 && j->tss_switch) {
            const char *qe = strstr(ql, " esp="), *re = strstr(rl, " esp=");
            unsigned long qv = qe ? strtoul(qe + 5, NULL, 16) : 0, rv = re ? strtoul(re + 5, NULL, 16) : 0;
            if (qe && re && qv != rv && (qv & 0xffff) == (rv & 0xffff)) {
                /* ss16-esp: the handler's own reads of its stack then differ too */
                note_known(j, "ss16-esp");
                j->diverged_known = true;
                return;
            }
        }
        char qb[4096], rb[4096];
        snprintf(qb, sizeof qb, "%s", ql);
        snprintf(rb, sizeof rb, "%s", rl);
        char *qs, *rs;
        char *qt = strtok_r(qb, " ", &qs), *rt = strtok_r(rb, " ", &rs);
        char kind[32];
        snprintf(kind, sizeof kind, "%s", qt ? qt : "");
        bool ok = true;
        for (int index = 0; qt || rt; index++) {
            if (!qt || !rt || (strcmp(qt, rt) != 0 && !token_known(j, kind, index, qt, rt))) {
                ok = false;
                break;
            }
            qt = strtok_r(NULL, " ", &qs);
            rt = strtok_r(NULL, " ", &rs);
        }
        if (!ok) {
            if (!j->diverged_known && j->gate16_path) {
                note_known(j, "gate16");
                j->diverged_known = true;
            }
            if (!j->diverged_known && j->task_state) {
                note_known(j, "task-state");
                j->diverged_known = true;
            }
            if (!j->diverged_known && j->sysenter_cs) {
                note_known(j, "sysenter-cs");
                j->diverged_known = true;
            }
            /* a substituted vector reached another gate: another handler */
            if (!j->diverged_known && j->n_subst > 0)
                j->diverged_known = true;
            if (j->diverged_known)
                return;
            problem(j, "reports differ: qemu '%s', ringlab '%s'", ql, rl);
            return;
        }
    }
    if (nq != nr && !j->diverged_known && j->gate16_path) {
        note_known(j, "gate16");
        j->diverged_known = true;
    }
    if (nq != nr && !j->diverged_known)
        problem(j, "the reports have %s and %s lines", nq > nr ? "more (qemu)" : "fewer (qemu)",
                "ringlab's");
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: scene-judge PREFIX\n");
        return 2;
    }
    const char *p = argv[1];
    char path[1024];
    struct lines meta, qlog, qout, rlog, rout, rerr;
    static struct event qe[MAX_LINES], re[MAX_LINES];
#define OPEN(var, suffix)                                                                        \
    snprintf(path, sizeof path, "%s%s", p, suffix);                                            \
    if (!read_lines(path, &var)) {                                                             \
        printf("%s: ERROR: cannot read %s\n", p, path);                                        \
        return 2;                                                                              \
    }
    OPEN(meta, ".meta");
    OPEN(qlog, ".qemu.log");
    OPEN(qout, ".qemu.out");
    OPEN(rlog, ".ringlab.log");
    OPEN(rout, ".ringlab.out");
    OPEN(rerr, ".ringlab.err");
    snprintf(path, sizeof path, "%s.qemu.status", p);
    int qst = read_status(path);
    snprintf(path, sizeof path, "%s.ringlab.status", p);
    int rst = read_status(path);

    struct judge j;
    memset(&j, 0, sizeof j);
    snprintf(j.gate16, sizeof j.gate16, " ");
    for (size_t i = 0; i < meta.n; i++) {
        if (strncmp(meta.v[i], "limit ", 6) == 0)
            j.limit_dep = true;
        if (strncmp(meta.v[i], "gate16hi ", 9) == 0) {
            size_t len = strlen(j.gate16);
            snprintf(j.gate16 + len, sizeof j.gate16 - len, "%s ", meta.v[i] + 9);
        }
    }
    for (size_t i = 0; i < rerr.n; i++)
        if (strstr(rerr.v[i], "page walk disagreed"))
            problem(&j, "ringlab's page walk disagreed with the CPU: %s%s", rerr.v[i], "");
    size_t nq = events_of(&qlog, qe, MAX_LINES), nr = events_of(&rlog, re, MAX_LINES);
    for (size_t i = 0; i < nr; i++)
        j.tss_switch = j.tss_switch || strstr(re[i].notes, "stack from TSS") != NULL;
    j.gate16_path = nr > 0 && gate16_used(&j, re, nr, nr - 1);
    for (size_t i = 0; i < nr; i++) {
        j.sysenter_cs = j.sysenter_cs || strstr(re[i].notes, "SYSENTER with IA32_SYSENTER_CS = 0");
        const char *to = strstr(re[i].notes, "-> CS:EIP=");
        const char *ss = to ? strstr(to, " SS:ESP=") : NULL;
        if (!j.ss16_seen && ss && strstr(to, "stack from TSS")) {
            unsigned sel = (unsigned)strtoul(ss + 8, NULL, 16);
            unsigned long esp = strtoul(ss + 13, NULL, 16);
            if (esp < 0x10000) {
                j.ss16_seen = true;
                j.ss16_sel = sel;
                j.ss16_esp = esp;
            }
        }
    }
    for (size_t i = 0; i < nr && !j.task_state; i++)
        if (strstr(re[i].notes, "the new task's LDT") || strstr(re[i].notes, "the new task's CS") ||
            strstr(re[i].notes, "the new task's SS")) {
            j.task_state = true;
            /* the fault is reported by the next attempt; the state is in
             * doubt from the event that switched tasks on */
            j.task_state_at = i > 0 ? i - 1 : 0;
        }
    compare_events(&j, qe, nq, re, nr);
    compare_reports(&j, &qout, &rout);
    /* A run that never ends is a problem, unless a known deviation sent
     * one machine elsewhere (QEMU's 16-bit gate into junk, say). */
    if ((qst == 124 || qst == 137 || rst == 124 || rst == 137) && !j.diverged_known &&
        !(qst == rst && !j.problem[0])) {
        char a[16], b[16];
        snprintf(a, sizeof a, "%d", qst);
        snprintf(b, sizeof b, "%d", rst);
        problem(&j, "a run timed out (qemu status %s, ringlab %s)", a, b);
    }
    if (qst != rst) {
        bool triple = false;
        for (size_t i = 0; i < rerr.n; i++)
            triple = triple || strstr(rerr.v[i], "triple fault") != NULL;
        if (qst == 0 && rst == 6 && triple)
            note_known(&j, "triple");
        else if (!substituted(&j, (unsigned)qst >> 1, (unsigned)rst >> 1) && !j.diverged_known) {
            char a[16], b[16];
            snprintf(a, sizeof a, "%d", qst);
            snprintf(b, sizeof b, "%d", rst);
            problem(&j, "exit status: qemu %s, ringlab %s", a, b);
        }
    }

    const char *verdict;
    int rc = 0;
    if (j.problem[0] && j.limit_dep)
        verdict = "limits";
    else if (j.problem[0]) {
        verdict = "NEW";
        rc = 1;
    } else if (j.diverged_known)
        verdict = "known-diverges";
    else if (j.known[0])
        verdict = "known";
    else
        verdict = "agree";
    printf("%s: %s%s%s%s%s%s\n", p, verdict, j.known[0] ? " (" : "", j.known, j.known[0] ? ")" : "",
           j.problem[0] ? ": " : "", j.problem);
    return rc;
}
