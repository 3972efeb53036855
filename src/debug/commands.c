/* The debugger's command language (see debugger.h): the table of commands,
 * their arguments, and what each one does.  Execution commands run the
 * machine through the host and say where it stopped; the rest read it
 * through inspect.h and show it with show.c. */
#include "debug/debugger.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "debug/commands.h"
#include "debug/show.h"
#include "inspect.h"


struct debugger *debugger_create(struct machine *m, const struct debug_host *host,
                                 const struct symbols *symbols)
{
    struct debugger *d = calloc(1, sizeof *d);
    if (!d)
        return NULL;
    d->m = m;
    d->host = *host;
    d->syms = symbols;
    d->cpu = -1;
    return d;
}

void debugger_destroy(struct debugger *d)
{
    free(d);
}

void debugger_name_syscalls(struct debugger *d, bool on)
{
    d->syscall_names = on;
}

void debugger_set_vmm(struct debugger *d, void (*info)(void *opaque, struct strbuf *out),
                      void *opaque)
{
    d->vmm_info = info;
    d->vmm_opaque = opaque;
}

/* ---- words and numbers ------------------------------------------------------ */


static bool split(const char *line, struct words *ws)
{
    snprintf(ws->buf, sizeof ws->buf, "%s", line);
    ws->n = 0;
    ws->tail = line + strcspn(line, " \t");
    while (isspace((unsigned char)*ws->tail))
        ws->tail++;
    for (char *p = ws->buf; *p;) {
        while (*p && isspace((unsigned char)*p))
            *p++ = '\0';
        if (!*p || *p == '#')
            break;
        if (ws->n == MAX_WORDS)
            return ws->w[0] && !strcmp(ws->w[0], "type");
        ws->w[ws->n++] = p;
        while (*p && !isspace((unsigned char)*p))
            p++;
    }
    return true;
}

static bool parse_number(const char *s, uint64_t *v)
{
    char *end;
    if (!*s || *s == '-')
        return false;
    *v = strtoull(s, &end, 0);
    return *end == '\0';
}

/* A register by name: the general registers, eip (as a linear address:
 * CS's base added), the control registers. */
static bool register_value(struct debugger *d, const char *name, uint32_t *v)
{
    static const char *const gprs[8] = {"eax", "ecx", "edx", "ebx", "esp", "ebp", "esi", "edi"};
    struct cpu_state st;
    if (!inspect_cpu(d->m, &st))
        return false;
    for (int i = 0; i < 8; i++)
        if (!strcmp(name, gprs[i])) {
            *v = st.gpr[i];
            return true;
        }
    if (!strcmp(name, "eip") || !strcmp(name, "pc")) {
        *v = st.seg[SEG_CS].base + st.eip;
        return true;
    }
    const struct {
        const char *name;
        uint32_t value;
    } others[] = {{"cr0", st.cr0}, {"cr2", st.cr2}, {"cr3", st.cr3}, {"cr4", st.cr4},
                  {"eflags", st.eflags}};
    for (size_t i = 0; i < sizeof others / sizeof others[0]; i++)
        if (!strcmp(name, others[i].name)) {
            *v = others[i].value;
            return true;
        }
    return false;
}

static int current_program(struct debugger *d);

/* An address: a number, a register ($eax or eax), a symbol, each with an
 * optional +N or -N.  On failure `err` says what was wrong. */
static bool parse_address(struct debugger *d, const char *text, uint32_t *out, struct strbuf *err)
{
    char term[128];
    const char *op = NULL;
    for (const char *p = text + 1; *p; p++)
        if (*p == '+' || *p == '-')
            op = p;
    size_t len = op ? (size_t)(op - text) : strlen(text);
    if (len == 0 || len >= sizeof term) {
        strbuf_add(err, "'%s' is not an address\n", text);
        return false;
    }
    memcpy(term, text, len);
    term[len] = '\0';
    const char *t = term[0] == '$' ? term + 1 : term;
    uint64_t v;
    uint32_t base;
    if (parse_number(t, &v)) {
        if (v > 0xffffffffull) {
            strbuf_add(err, "'%s' is more than 32 bits\n", text);
            return false;
        }
        base = (uint32_t)v;
    } else if (register_value(d, t, &base)) {
    } else if (d->syms && strchr(t, ':')) {
        /* kernel:NAME or PROGRAM:NAME: the symbol of that file only. */
        char file[64];
        const char *name = strchr(t, ':') + 1;
        snprintf(file, sizeof file, "%.*s", (int)(name - 1 - t), t);
        bool kernel = !strcmp(file, "kernel");
        int prog = kernel ? -1 : symbols_program_index(d->syms, file);
        if (!kernel && prog < 0) {
            strbuf_add(err, "'%s': no program called '%s' (kernel:NAME for the kernel's)\n", term,
                       file);
            return false;
        }
        if (!symbols_find_in(d->syms, prog, name, &base)) {
            strbuf_add(err, "'%s': %s has no symbol '%s'\n", term, file, name);
            return false;
        }
    } else if (d->syms && symbols_find(d->syms, current_program(d), t, &base)) {
    } else {
        strbuf_add(err, "'%s' is not a number, a register or a known symbol\n", term);
        return false;
    }
    if (op) {
        uint64_t off;
        if (!parse_number(op + 1, &off) || off > 0xffffffffull) {
            strbuf_add(err, "'%s' is not an offset\n", op + 1);
            return false;
        }
        base = *op == '+' ? base + (uint32_t)off : base - (uint32_t)off;
    }
    *out = base;
    return true;
}

bool debug_parse_count(const char *s, uint64_t max, uint64_t *v, const char *what,
                        struct strbuf *err)
{
    if (!parse_number(s, v) || *v == 0 || *v > max) {
        strbuf_add(err, "%s must be a number from 1 to %llu, not '%s'\n", what,
                   (unsigned long long)max, s);
        return false;
    }
    return true;
}

/* ---- where the CPU is ------------------------------------------------------------ */

static bool read_now(void *opaque, uint32_t linear, void *buf, size_t len)
{
    return inspect_linear(opaque, NULL, linear, buf, len, NULL);
}

static int current_program(struct debugger *d)
{
    return d->syms ? symbols_identify(d->syms, read_now, d->m) : -1;
}

void debugger_where(struct debugger *d, struct strbuf *out)
{
    struct cpu_state st;
    if (!inspect_cpu(d->m, &st)) {
        strbuf_add(out, "the CPU state cannot be read\n");
        return;
    }
    if (inspect_cpu_count(d->m) > 1)
        strbuf_add(out, "[CPU %d, CPL %u] %04x:%08x", inspect_selected_cpu(d->m), st.cpl,
                   st.seg[SEG_CS].selector, st.eip);
    else
        strbuf_add(out, "[CPL %u] %04x:%08x", st.cpl, st.seg[SEG_CS].selector, st.eip);
    uint32_t pc = st.seg[SEG_CS].base + st.eip;
    strbuf_add(out, " ");
    struct strbuf line;
    strbuf_init(&line);
    show_disasm(d->m, d->syms, pc, 1, &line);
    /* "=> 0x...: <sym> bytes  text": keep what follows the address. */
    const char *s = strbuf_str(&line), *colon = strchr(s, ':');
    strbuf_add(out, "%s", colon ? colon + 2 : s);
    if (!colon)
        strbuf_add(out, "\n");
    strbuf_free(&line);
}

/* ---- execution ------------------------------------------------------------------- */

static const char *stop_words(enum run_stop s)
{
    switch (s) {
    case RUN_INSNS: return "done";
    case RUN_EVENT: return "stopped after an event";
    case RUN_BREAKPOINT: return "breakpoint";
    case RUN_WATCHPOINT: return "watchpoint";
    case RUN_SLICE: return "time slice over";
    case RUN_PAUSED: return "paused";
    case RUN_IDLE: return "the CPU is idle";
    case RUN_END: return "the machine has ended";
    case RUN_HISTORY_START: return "the oldest state kept (no earlier history)";
    }
    return "stopped";
}

/* After a run: why it stopped, the event if one, and where the CPU is. */
enum debug_result debug_report_run(struct debugger *d, enum debug_run r,
                                    const struct run_result *res, struct strbuf *host_text,
                                    struct strbuf *out)
{
    enum debug_result result = DEBUG_OK;
    debug_cpu_after_run(d); /* the CPU it stopped on, as gdb chooses the thread */
    control_select_cpu(d->m, d->cpu);
    switch (r) {
    case DEBUG_RUN_STOPPED:
        if (res->stop == RUN_EVENT) {
            strbuf_add(out, "stopped after ");
            show_event(d->m, &res->event, out);
            if (d->syscall_names)
                show_syscall(d->m, &res->event, out);
        } else if (res->stop == RUN_BREAKPOINT) {
            strbuf_add(out, "breakpoint %d\n", res->id);
        } else if (res->stop == RUN_WATCHPOINT) {
            strbuf_add(out, "watchpoint %d: 0x%08x written\n", res->id, res->watch_addr);
        } else if (res->stop == RUN_HISTORY_START) {
            strbuf_add(out, "at the oldest state kept: no history before it\n");
        } else if (res->stop != RUN_INSNS) {
            strbuf_add(out, "%s\n", stop_words(res->stop));
        }
        break;
    case DEBUG_RUN_ENDED:
        strbuf_add(out, "the guest ended the machine: %s\n",
                   machine_end_detail(d->m)[0] ? machine_end_detail(d->m) : "powered off");
        break;
    case DEBUG_RUN_BROKEN:
        strbuf_add(out, "stopped (Ctrl-A c)\n");
        break;
    case DEBUG_RUN_HOST:
        if (host_text)
            strbuf_add(out, "%s", strbuf_str(host_text));
        break;
    case DEBUG_RUN_QUIT:
        result = DEBUG_QUIT;
        break;
    }
    if (machine_end(d->m) == END_NONE && result != DEBUG_QUIT)
        debugger_where(d, out);
    d->have_next_u = false;
    return result;
}

static enum debug_result run(struct debugger *d, const struct run_request *req, struct strbuf *out)
{
    struct run_result res;
    struct strbuf text;
    strbuf_init(&text);
    enum debug_run r = d->host.run(d->host.opaque, req, &res, &text);
    enum debug_result result = debug_report_run(d, r, &res, &text, out);
    strbuf_free(&text);
    return result;
}

static enum debug_result step(struct debugger *d, uint64_t n, bool over, struct strbuf *out)
{
    struct run_result res;
    struct strbuf text;
    strbuf_init(&text);
    enum debug_run r = d->host.step(d->host.opaque, n, over, &res, &text);
    enum debug_result result = debug_report_run(d, r, &res, &text, out);
    strbuf_free(&text);
    return result;
}

static enum debug_result cmd_continue(struct debugger *d, struct words *ws, struct strbuf *out)
{
    (void)ws;
    struct run_request req = {0};
    return run(d, &req, out);
}

static enum debug_result cmd_step(struct debugger *d, struct words *ws, struct strbuf *out)
{
    uint64_t n = 1;
    if (ws->n > 1 && !debug_parse_count(ws->w[1], 1000000000ull, &n, "the count", out))
        return DEBUG_ERROR;
    return step(d, n, false, out);
}

static enum debug_result cmd_next(struct debugger *d, struct words *ws, struct strbuf *out)
{
    uint64_t n = 1;
    if (ws->n > 1 && !debug_parse_count(ws->w[1], 1000000ull, &n, "the count", out))
        return DEBUG_ERROR;
    return step(d, n, true, out);
}

static enum debug_result cmd_until(struct debugger *d, struct words *ws, struct strbuf *out)
{
    static const struct {
        const char *word;
        unsigned bits;
    } kinds[] = {
        {"syscall", STOP_ON_SYSCALL}, {"sysret", STOP_ON_SYSRET},
        {"transition", STOP_ON_TRANSITION}, {"fault", STOP_ON_FAULT},
        {"irq", STOP_ON_IRQ}, {"reset", STOP_ON_RESET},
    };
    struct run_request req = {0};
    if (ws->n < 2) {
        strbuf_add(out, "until needs what to run until: syscall, sysret, transition, fault, irq, "
                        "reset, vector N, eip ADDR or insns N\n");
        return DEBUG_ERROR;
    }
    /* One or more kinds of event: the run stops at the first of any. */
    int w = 1;
    for (; w < ws->n; w++) {
        size_t i = 0;
        while (i < sizeof kinds / sizeof kinds[0] && strcmp(ws->w[w], kinds[i].word))
            i++;
        if (i == sizeof kinds / sizeof kinds[0])
            break;
        req.stop_on |= kinds[i].bits;
    }
    if (req.stop_on) {
        if (w < ws->n) {
            strbuf_add(out, "until: '%s' cannot be combined (kinds: syscall sysret transition "
                            "fault irq reset)\n",
                       ws->w[w]);
            return DEBUG_ERROR;
        }
        return run(d, &req, out);
    }
    const char *k = ws->w[1];
    if (strcmp(k, "vector") && strcmp(k, "insns") && strcmp(k, "eip")) {
        strbuf_add(out, "until: '%s' is not something to run until (see help until)\n", k);
        return DEBUG_ERROR;
    }
    if (ws->n != 3) {
        strbuf_add(out, "until %s needs one argument\n", k);
        return DEBUG_ERROR;
    }
    uint64_t n;
    if (!strcmp(k, "vector")) {
        if (!parse_number(ws->w[2], &n) || n > 255) {
            strbuf_add(out, "a vector is a number from 0 to 255, not '%s'\n", ws->w[2]);
            return DEBUG_ERROR;
        }
        req.stop_on = STOP_ON_VECTOR;
        req.vector = (int)n;
        return run(d, &req, out);
    }
    if (!strcmp(k, "insns")) {
        if (!debug_parse_count(ws->w[2], UINT64_MAX / 2, &n, "the count", out))
            return DEBUG_ERROR;
        req.max_insns = n;
        return run(d, &req, out);
    }
    /* eip ADDR: a breakpoint of its own for the run. */
    uint32_t addr;
    if (!parse_address(d, ws->w[2], &addr, out))
        return DEBUG_ERROR;
    int id = control_break_add(d->m, addr, false, 0);
    if (id < 0) {
        strbuf_add(out, "no room for another breakpoint\n");
        return DEBUG_ERROR;
    }
    enum debug_result r = run(d, &req, out);
    control_break_del(d->m, id);
    return r;
}

static enum debug_result cmd_reset(struct debugger *d, struct words *ws, struct strbuf *out)
{
    (void)ws;
    if (!control_reset(d->m)) {
        strbuf_add(out, "the reset failed: %s\n", machine_end_detail(d->m));
        return DEBUG_ERROR;
    }
    strbuf_add(out, "reset\n");
    debugger_where(d, out);
    return DEBUG_OK;
}

static enum debug_result cmd_quit(struct debugger *d, struct words *ws, struct strbuf *out)
{
    (void)d;
    (void)ws;
    (void)out;
    return DEBUG_QUIT;
}

/* ---- breakpoints ----------------------------------------------------------------- */

static enum debug_result cmd_break(struct debugger *d, struct words *ws, struct strbuf *out)
{
    uint32_t addr, cr3 = 0;
    bool has_cr3 = false;
    if (ws->n != 2 && !(ws->n == 4 && !strcmp(ws->w[2], "cr3"))) {
        strbuf_add(out, "usage: b ADDR [cr3 VALUE]\n");
        return DEBUG_ERROR;
    }
    if (!parse_address(d, ws->w[1], &addr, out))
        return DEBUG_ERROR;
    if (ws->n == 4) {
        has_cr3 = true;
        if (!parse_address(d, ws->w[3], &cr3, out))
            return DEBUG_ERROR;
    }
    /* Not mapped is fine (it may be later), and so is an address past RAM
     * while paging is off (a kernel linked high maps itself there); one
     * that the page tables send outside RAM is not. */
    struct paging_walk w;
    uint8_t byte;
    bool mapped = inspect_walk(d->m, has_cr3 ? &cr3 : NULL, addr, PAGING_READ, false, &w);
    bool no_ram = mapped && !inspect_phys(d->m, w.paddr, &byte, 1);
    if (no_ram && w.paging) {
        strbuf_add(out, "0x%08x is mapped to physical 0x%08x, outside RAM\n", addr, w.paddr);
        return DEBUG_ERROR;
    }
    int id = control_break_add(d->m, addr, has_cr3, cr3);
    if (id < 0) {
        strbuf_add(out, "no room for another breakpoint\n");
        return DEBUG_ERROR;
    }
    strbuf_add(out, "breakpoint %d at 0x%08x", id, addr);
    show_symbol(d->m, d->syms, addr, out);
    if (has_cr3)
        strbuf_add(out, " (CR3 0x%08x)", cr3);
    if (no_ram)
        strbuf_add(out, " (not RAM while paging is off: it stops once the page tables map it)");
    strbuf_add(out, "\n");
    return DEBUG_OK;
}

static enum debug_result cmd_watch(struct debugger *d, struct words *ws, struct strbuf *out)
{
    int at = 1;
    bool physical = ws->n > 1 && !strcmp(ws->w[1], "phys");
    if (physical)
        at++;
    if (ws->n < at + 1 || ws->n > at + 2) {
        strbuf_add(out, "usage: watch [phys] ADDR [LEN]\n");
        return DEBUG_ERROR;
    }
    uint32_t addr;
    uint64_t len = 4;
    if (!parse_address(d, ws->w[at], &addr, out) ||
        (ws->n == at + 2 && !debug_parse_count(ws->w[at + 1], 0x100000, &len, "the length", out)))
        return DEBUG_ERROR;
    if (physical && !inspect_phys(d->m, addr, (uint8_t[1]){0}, 1)) {
        strbuf_add(out, "physical 0x%08x is not RAM\n", addr);
        return DEBUG_ERROR;
    }
    int id = control_watch_add(d->m, physical, addr, (uint32_t)len);
    if (id < 0) {
        strbuf_add(out, "no room for another watchpoint\n");
        return DEBUG_ERROR;
    }
    strbuf_add(out, "watchpoint %d: writes to %s 0x%08x-0x%08x (the guest runs slower while it is set)\n",
               id, physical ? "physical" : "linear", addr, addr + (uint32_t)len - 1);
    return DEBUG_OK;
}

static enum debug_result cmd_delete(struct debugger *d, struct words *ws, struct strbuf *out)
{
    uint64_t id;
    if (ws->n != 2 || !parse_number(ws->w[1], &id) || id > 1000000) {
        strbuf_add(out, "usage: d N (the number info break shows)\n");
        return DEBUG_ERROR;
    }
    if (!control_break_del(d->m, (int)id) && !control_watch_del(d->m, (int)id)) {
        strbuf_add(out, "there is no breakpoint or watchpoint %llu\n", (unsigned long long)id);
        return DEBUG_ERROR;
    }
    strbuf_add(out, "deleted %llu\n", (unsigned long long)id);
    return DEBUG_OK;
}

static void info_break(struct debugger *d, struct strbuf *out)
{
    struct breakpoint_info b[64];
    size_t n = control_break_list(d->m, b, 64);
    if (n == 0)
        strbuf_add(out, "no breakpoints or watchpoints\n");
    for (size_t i = 0; i < n && i < 64; i++) {
        if (b[i].is_watch)
            strbuf_add(out, "%d  watch %s 0x%08x-0x%08x", b[i].id, b[i].physical ? "phys" : "linear",
                       b[i].addr, b[i].addr + b[i].len - 1);
        else {
            strbuf_add(out, "%d  break 0x%08x", b[i].id, b[i].addr);
            show_symbol(d->m, d->syms, b[i].addr, out);
            if (b[i].has_cr3)
                strbuf_add(out, " CR3 0x%08x", b[i].cr3);
        }
        strbuf_add(out, "  hit %llu time%s\n", (unsigned long long)b[i].hits,
                   b[i].hits == 1 ? "" : "s");
    }
}

/* ---- looking -------------------------------------------------------------------- */

static enum debug_result cmd_regs(struct debugger *d, struct words *ws, struct strbuf *out)
{
    (void)ws;
    show_registers(d->m, d->syms, out);
    return DEBUG_OK;
}

static enum debug_result cmd_sreg(struct debugger *d, struct words *ws, struct strbuf *out)
{
    (void)ws;
    show_segments(d->m, out);
    return DEBUG_OK;
}

static enum debug_result cmd_creg(struct debugger *d, struct words *ws, struct strbuf *out)
{
    (void)ws;
    show_control(d->m, out);
    return DEBUG_OK;
}

static enum debug_result cmd_page(struct debugger *d, struct words *ws, struct strbuf *out)
{
    uint32_t addr;
    if (ws->n != 2) {
        strbuf_add(out, "usage: page ADDR\n");
        return DEBUG_ERROR;
    }
    if (!parse_address(d, ws->w[1], &addr, out))
        return DEBUG_ERROR;
    show_page(d->m, addr, out);
    return DEBUG_OK;
}

/* x/Nuf ADDR, xp/Nuf ADDR (also with a space before the slash). */
static enum debug_result examine(struct debugger *d, struct words *ws, bool physical,
                                 struct strbuf *out)
{
    const char *fmt = strchr(ws->w[0], '/');
    int at = 1;
    if (!fmt && ws->n > 1 && ws->w[1][0] == '/') {
        fmt = ws->w[1];
        at = 2;
    }
    uint64_t count = 1;
    unsigned unit = 4;
    char format = 'x';
    if (fmt) {
        const char *p = fmt + 1;
        char *end;
        if (isdigit((unsigned char)*p)) {
            count = strtoull(p, &end, 10);
            p = end;
        }
        for (; *p; p++) {
            switch (*p) {
            case 'b': unit = 1; break;
            case 'h': unit = 2; break;
            case 'w': unit = 4; break;
            case 'g': unit = 8; break;
            case 'x': case 'd': case 'u': case 'c': format = *p; break;
            default:
                strbuf_add(out, "'%c' is not a unit (b h w g) or a format (x d u c)\n", *p);
                return DEBUG_ERROR;
            }
        }
        if (count == 0 || count > 4096) {
            strbuf_add(out, "the count must be from 1 to 4096\n");
            return DEBUG_ERROR;
        }
    }
    if (format == 'c')
        unit = 1;
    if (ws->n != at + 1) {
        strbuf_add(out, "usage: %s/Nf ADDR (N a count, f: b h w g and x d u c)\n",
                   physical ? "xp" : "x");
        return DEBUG_ERROR;
    }
    uint32_t addr;
    if (!parse_address(d, ws->w[at], &addr, out))
        return DEBUG_ERROR;
    show_memory(d->m, physical, addr, (unsigned)count, unit, format, out);
    return DEBUG_OK;
}

static enum debug_result cmd_x(struct debugger *d, struct words *ws, struct strbuf *out)
{
    return examine(d, ws, false, out);
}

static enum debug_result cmd_xp(struct debugger *d, struct words *ws, struct strbuf *out)
{
    return examine(d, ws, true, out);
}

/* u [ADDR] [N], also Bochs's u /N [ADDR]. */
static enum debug_result cmd_u(struct debugger *d, struct words *ws, struct strbuf *out)
{
    uint64_t n = 8;
    uint32_t addr;
    int at = 1;
    if (ws->n > 1 && ws->w[1][0] == '/') {
        if (!debug_parse_count(ws->w[1] + 1, 1000, &n, "the count", out))
            return DEBUG_ERROR;
        at = 2;
    }
    if (ws->n > at) {
        if (!parse_address(d, ws->w[at], &addr, out))
            return DEBUG_ERROR;
        if (ws->n > at + 1 && !debug_parse_count(ws->w[at + 1], 1000, &n, "the count", out))
            return DEBUG_ERROR;
        if (ws->n > at + 2) {
            strbuf_add(out, "usage: u [ADDR] [N]\n");
            return DEBUG_ERROR;
        }
    } else if (d->have_next_u) {
        addr = d->next_u;
    } else if (!register_value(d, "eip", &addr)) {
        strbuf_add(out, "the CPU state cannot be read\n");
        return DEBUG_ERROR;
    }
    d->next_u = show_disasm(d->m, d->syms, addr, (unsigned)n, out);
    d->have_next_u = true;
    return DEBUG_OK;
}

/* info gdt|idt|ldt [FIRST [LAST]] */
static bool table_range(struct words *ws, unsigned *first, unsigned *last, struct strbuf *out)
{
    uint64_t a = 0, b = 0xffff;
    if (ws->n > 2 && (!parse_number(ws->w[2], &a) || a > 0xffff)) {
        strbuf_add(out, "'%s' is not an entry number\n", ws->w[2]);
        return false;
    }
    b = ws->n > 2 ? a : b;
    if (ws->n > 3 && (!parse_number(ws->w[3], &b) || b > 0xffff || b < a)) {
        strbuf_add(out, "'%s' is not an entry number from %llu on\n", ws->w[3],
                   (unsigned long long)a);
        return false;
    }
    *first = (unsigned)a;
    *last = (unsigned)b;
    return true;
}

static enum debug_result cmd_info(struct debugger *d, struct words *ws, struct strbuf *out)
{
    if (ws->n < 2) {
        strbuf_add(out, "info what? (break, registers, gdt, idt, ldt, tss, tab, events, pic, pit, "
                        "uart, msr, ring, cpus, history, vmm)\n");
        return DEBUG_ERROR;
    }
    const char *what = ws->w[1];
    unsigned first, last;
    if (!strcmp(what, "gdt") || !strcmp(what, "idt") || !strcmp(what, "ldt")) {
        if (!table_range(ws, &first, &last, out))
            return DEBUG_ERROR;
        if (what[0] == 'g')
            show_gdt(d->m, first, last, out);
        else if (what[0] == 'i')
            show_idt(d->m, first, last, out);
        else
            show_ldt(d->m, first, last, out);
        return DEBUG_OK;
    }
    if (ws->n > 2 && strcmp(what, "events") != 0) {
        strbuf_add(out, "info %s takes nothing more\n", what);
        return DEBUG_ERROR;
    }
    if (!strcmp(what, "break") || !strcmp(what, "breakpoints") || !strcmp(what, "watch"))
        info_break(d, out);
    else if (!strcmp(what, "registers") || !strcmp(what, "regs") || !strcmp(what, "cpu"))
        show_registers(d->m, d->syms, out);
    else if (!strcmp(what, "tss"))
        show_tss(d->m, out);
    else if (!strcmp(what, "tab"))
        show_page_tables(d->m, out);
    else if (!strcmp(what, "pic"))
        show_pic(d->m, out);
    else if (!strcmp(what, "pit"))
        show_pit(d->m, out);
    else if (!strcmp(what, "uart"))
        show_uart(d->m, out);
    else if (!strcmp(what, "msr"))
        show_msrs(d->m, out);
    else if (!strcmp(what, "ring"))
        show_ring(d->m, out);
    else if (!strcmp(what, "cpus"))
        debug_info_cpus(d, out);
    else if (!strcmp(what, "history"))
        debug_info_history(d, out);
    else if (!strcmp(what, "vmm")) {
        if (d->vmm_info)
            d->vmm_info(d->vmm_opaque, out);
        else
            strbuf_add(out, "no monitor: the guest runs natively (run it under `ringlab pg vmm "
                            "--strategy hw --debugger` for one)\n");
    }
    else if (!strcmp(what, "events")) {
        uint64_t n = 10;
        if (ws->n > 3 || (ws->n == 3 && !debug_parse_count(ws->w[2], 64, &n, "the count", out)))
            return DEBUG_ERROR;
        show_events(d->m, (unsigned)n, d->syscall_names, out);
    } else {
        strbuf_add(out, "info: '%s' is not something to show (see help info)\n", what);
        return DEBUG_ERROR;
    }
    return DEBUG_OK;
}

/* type TEXT: bytes for the guest's serial input; \r, \n, \t, \\ and \xHH. */
static enum debug_result cmd_type(struct debugger *d, struct words *ws, struct strbuf *out)
{
    const char *rest = ws->tail;
    char bytes[256];
    size_t n = 0;
    for (const char *p = rest; *p && n < sizeof bytes; p++) {
        if (*p != '\\') {
            bytes[n++] = *p;
            continue;
        }
        p++;
        switch (*p) {
        case 'r': bytes[n++] = '\r'; break;
        case 'n': bytes[n++] = '\n'; break;
        case 't': bytes[n++] = '\t'; break;
        case '\\': bytes[n++] = '\\'; break;
        case 'x':
            if (isxdigit((unsigned char)p[1]) && isxdigit((unsigned char)p[2])) {
                char hex[3] = {p[1], p[2], 0};
                bytes[n++] = (char)strtol(hex, NULL, 16);
                p += 2;
                break;
            }
            /* fall through */
        default:
            strbuf_add(out, "type: unknown escape '\\%c' (use \\r \\n \\t \\\\ \\xHH)\n",
                       *p ? *p : ' ');
            return DEBUG_ERROR;
        }
    }
    if (n == 0) {
        strbuf_add(out, "usage: type TEXT (\\r for Enter)\n");
        return DEBUG_ERROR;
    }
    if (!d->host.type) {
        strbuf_add(out, "type: this front end takes no typed input\n");
        return DEBUG_ERROR;
    }
    d->host.type(d->host.opaque, bytes, n);
    return DEBUG_OK;
}

/* ---- the table --------------------------------------------------------------------- */

typedef enum debug_result (*command_fn)(struct debugger *d, struct words *ws, struct strbuf *out);

static enum debug_result cmd_help(struct debugger *d, struct words *ws, struct strbuf *out);

static const struct command {
    const char *names; /* space-separated: the name, then its aliases */
    const char *usage;
    const char *help;
    command_fn fn;
    bool runs; /* an execution command: an empty line repeats it */
} commands[] = {
    {"c continue", "c", "run until a breakpoint, a watchpoint, Ctrl-A c or the guest's end",
     cmd_continue, true},
    {"s step stepi si", "s [N]",
     "take N steps (1): a step ends where the CPU goes next, at the handler's first "
     "instruction after an INT n, SYSENTER or fault", cmd_step,
     true},
    {"n next nexti ni", "n [N]", "like s, but a CALL or INT n runs until it returns", cmd_next,
     true},
    {"until", "until KIND...",
     "run until: syscall (a system call entry), sysret (a return to an outer ring), transition "
     "(any change of CPL), fault, irq, reset (several: the first of any), or vector N, eip ADDR, "
     "insns N",
     cmd_until, true},
    {"back", "back [N]",
     "go back N instructions (1) in the history, to the state a run reached there",
     debug_cmd_back, true},
    {"until-back", "until-back KIND",
     "go back across the last transition, syscall, sysret, fault or irq, to the state just "
     "before it",
     debug_cmd_until_back, true},
    {"b break", "b ADDR [cr3 VALUE]",
     "stop before the instruction at linear ADDR (only where CR3 is VALUE)", cmd_break, false},
    {"watch", "watch [phys] ADDR [LEN]",
     "stop after an instruction writes to [ADDR, ADDR+LEN) (LEN 4), linear or physical",
     cmd_watch, false},
    {"d delete", "d N", "delete breakpoint or watchpoint N", cmd_delete, false},
    {"reset", "reset", "power-cycle the guest (breakpoints stay)", cmd_reset, false},
    {"q quit exit", "q", "leave ringlab", cmd_quit, false},
    {"r regs registers", "r",
     "the registers: EFLAGS decoded, each selector with its descriptor cache, CR0-CR4", cmd_regs,
     false},
    {"sreg", "sreg", "the segment registers and their caches, GDTR, IDTR, LDTR, TR", cmd_sreg,
     false},
    {"creg", "creg", "the control registers, decoded", cmd_creg, false},
    {"page", "page ADDR", "the page walk of linear ADDR, and what each kind of access would do",
     cmd_page, false},
    {"x", "x/Nuf ADDR", "N units (b h w g) of linear memory as x d u or c", cmd_x, false},
    {"xp", "xp/Nuf ADDR", "the same for physical memory", cmd_xp, false},
    {"u disasm", "u [ADDR] [N]", "disassemble N (8) instructions from ADDR (EIP, then on)",
     cmd_u, false},
    {"info", "info WHAT",
     "break, registers, gdt [N [M]], idt [N [M]], ldt [N [M]], tss, tab (the page tables), "
     "events [N], pic, pit, uart, msr, ring, cpus (each CPU's state, CPL and CS:EIP), "
     "history (the snapshots kept), vmm (the "
     "monitor's exit controls, the virtual CPU beside the real one, the exits)",
     cmd_info, false},
    {"cpu", "cpu [N]",
     "with -smp: choose the CPU that r, x, u, page, info gdt/tss/tab/msr... show and s, n "
     "step (the others run their turns meanwhile); a stop chooses the CPU that stopped",
     debug_cmd_cpu, false},
    {"type", "type TEXT", "queue TEXT for the guest's serial input (\\r is Enter)", cmd_type, false},
    {"help h ?", "help [COMMAND]", "this list, or one command's", cmd_help, false},
};

static const struct command *find_command(const char *word)
{
    size_t len = strlen(word);
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++) {
        const char *n = commands[i].names;
        while (*n) {
            size_t l = strcspn(n, " ");
            if (l == len && !strncmp(n, word, len))
                return &commands[i];
            n += l;
            while (*n == ' ')
                n++;
        }
    }
    return NULL;
}

void debugger_help(struct strbuf *out)
{
    strbuf_add(out, "Commands (an empty line repeats the last of c, s, n, until, back, "
                    "until-back):\n");
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        strbuf_add(out, "  %-22s %s\n", commands[i].usage, commands[i].help);
    strbuf_add(out, "ADDR: a number (0x... hex), a register (eax, $esp, eip = CS base + EIP, cr2),\n"
                    "a symbol of the running program or the kernel, or FILE:SYMBOL (kernel:exec,\n"
                    "hello:main), each with +N or -N.\n");
}

static enum debug_result cmd_help(struct debugger *d, struct words *ws, struct strbuf *out)
{
    (void)d;
    if (ws->n < 2) {
        debugger_help(out);
        return DEBUG_OK;
    }
    const struct command *c = find_command(ws->w[1]);
    if (!c) {
        strbuf_add(out, "help: no command '%s'\n", ws->w[1]);
        return DEBUG_ERROR;
    }
    strbuf_add(out, "%s\n  %s\n", c->usage, c->help);
    return DEBUG_OK;
}

enum debug_result debugger_exec(struct debugger *d, const char *line, struct strbuf *out)
{
    while (isspace((unsigned char)*line))
        line++;
    char repeat[64];
    if (*line == '\0') {
        if (!d->last_run[0])
            return DEBUG_OK;
        snprintf(repeat, sizeof repeat, "%s", d->last_run);
        line = repeat;
    }
    struct words ws;
    if (!split(line, &ws)) {
        strbuf_add(out, "too many words in '%s'\n", line);
        return DEBUG_ERROR;
    }
    if (ws.n == 0)
        return DEBUG_OK; /* a comment */
    /* x/4w and xp/16b carry their format in the command word. */
    char word[32];
    snprintf(word, sizeof word, "%.*s", (int)strcspn(ws.w[0], "/"), ws.w[0]);
    const struct command *c = find_command(word);
    if (!c) {
        strbuf_add(out, "unknown command '%s' (help lists them)\n", ws.w[0]);
        return DEBUG_ERROR;
    }
    if (c->runs && strlen(line) < sizeof d->last_run)
        snprintf(d->last_run, sizeof d->last_run, "%s", line);
    debug_cpu_before(d);
    return c->fn(d, &ws, out);
}
