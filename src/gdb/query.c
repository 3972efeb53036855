/* The gdb stub's queries (q packets): what it supports, the target
 * description, threads (threads.c: one per CPU), and qRcmd: the
 * `monitor` lines, run by the debugger's interpreter, with the stub's own
 * words (phys, linear, explain) besides. */
#include <stdio.h>
#include <string.h>

#include "control.h"
#include "gdb/regs.h"
#include "gdb/session.h"
#include "inspect.h"
#include "status.h"

static void reply(struct gdb_session *s, const char *text)
{
    gdb_session_reply(s, text);
}

/* ---- queries ------------------------------------------------------------------------------------ */

/* qXfer:features:read:target.xml:OFFSET,LENGTH */
static void cmd_features(struct gdb_session *s, const char *p)
{
    const char *name = "target.xml:";
    uint64_t off, len;
    const char *rest;
    if (strncmp(p, name, strlen(name)) != 0) {
        reply(s, "E00");
        return;
    }
    if (!gdb_addr_len(p + strlen(name), '\0', &off, &len, &rest)) {
        gdb_session_bad(s, "not OFFSET,LENGTH");
        return;
    }
    const char *xml = gdb_target_xml();
    size_t total = strlen(xml);
    if (off >= total) {
        reply(s, "l");
        return;
    }
    size_t n = total - off < len ? total - off : (size_t)len;
    if (n > GDB_PACKET_MAX - 16)
        n = GDB_PACKET_MAX - 16;
    static char chunk[GDB_PACKET_MAX];
    chunk[0] = off + n < total ? 'm' : 'l';
    memcpy(chunk + 1, xml + off, n);
    gdb_conn_send(s->c, chunk, n + 1);
}

/* Text for the client's console: O packets of hex, in pieces. */
static void console_text(struct gdb_session *s, const char *text)
{
    size_t len = strlen(text);
    for (size_t at = 0; at < len;) {
        size_t n = len - at < 1024 ? len - at : 1024;
        char hex[2 * 1024 + 2] = "O";
        gdb_hex_encode(text + at, n, hex + 1);
        reply(s, hex);
        at += n;
    }
}

static const char monitor_help[] =
    "monitor runs ringlab's debugger commands (the same words as --debugger):\n"
    "  info gdt|idt|ldt|tss|tab|events N|ring|pic|pit|uart|msr|break, page ADDR,\n"
    "  r, sreg, creg, x/Nuf ADDR, xp/Nuf ADDR, u ADDR N, back N,\n"
    "  until-back transition|syscall|fault, ... ('monitor help COMMAND')\n"
    "and the stub's own:\n"
    "  phys     memory packets (x, watch, ...) take physical addresses\n"
    "  linear   ... linear ones again, through the current page tables\n"
    "  explain on|off  explain each event in words (info events), which costs\n"
    "           time on every event; off unless -d or --trace asks for them\n"
    "After a monitor command that runs the machine (c, s, back, until-back),\n"
    "'maintenance flush register-cache' makes gdb read the registers again.\n";

static void cmd_monitor(struct gdb_session *s, const char *hex)
{
    size_t n = strlen(hex) / 2;
    char line[512];
    if (strlen(hex) % 2 || n >= sizeof line || !gdb_hex_decode(hex, n, line)) {
        gdb_session_bad(s, "not hex");
        return;
    }
    line[n] = '\0';
    if (strcmp(line, "explain on") == 0 || strcmp(line, "explain off") == 0) {
        control_explain(s->m, line[9] == 'n');
        console_text(s, line[9] == 'n' ? "events are explained in words from now on\n"
                                        : "events are no longer explained (faster)\n");
        reply(s, "OK");
        return;
    }
    if (strcmp(line, "phys") == 0 || strcmp(line, "linear") == 0 || strcmp(line, "virt") == 0) {
        s->physical = line[0] == 'p';
        console_text(s, s->physical ? "memory: physical addresses\n"
                                    : "memory: linear addresses, through the current page tables\n");
        reply(s, "OK");
        return;
    }
    struct strbuf out;
    strbuf_init(&out);
    if (strcmp(line, "help") == 0) {
        strbuf_add(&out, "%s\n", monitor_help);
        debugger_help(&out);
        console_text(s, strbuf_str(&out));
        strbuf_free(&out);
        reply(s, "OK");
        return;
    }
    s->in_monitor = true;
    enum debug_result r = debugger_exec(s->dbg, line, &out);
    s->in_monitor = false;
    if (s->c->closed) {
        strbuf_free(&out);
        return;
    }
    console_text(s, strbuf_str(&out));
    strbuf_free(&out);
    if (machine_end(s->m) != END_NONE && r != DEBUG_ERROR) {
        reply(s, "OK");
        return;
    }
    if (r == DEBUG_QUIT) {
        reply(s, "OK");
        s->status = RL_EXIT_POWEROFF;
        s->finished = true;
        return;
    }
    reply(s, r == DEBUG_ERROR ? "E01" : "OK");
}

void gdb_session_query(struct gdb_session *s, const char *q)
{
    if (strncmp(q, "Supported", 9) == 0)
        reply(s, "PacketSize=4000;qXfer:features:read+;QStartNoAckMode+;swbreak+;hwbreak+;"
                 "vContSupported+;ReverseStep+;ReverseContinue+");
    else if (strncmp(q, "Xfer:features:read:", 19) == 0)
        cmd_features(s, q + 19);
    else if (strcmp(q, "Attached") == 0 || strncmp(q, "Attached:", 9) == 0)
        reply(s, "1");
    else if (strcmp(q, "C") == 0 || strcmp(q, "fThreadInfo") == 0 ||
             strcmp(q, "sThreadInfo") == 0 || strncmp(q, "ThreadExtraInfo,", 16) == 0)
        gdb_threads_query(s, q);
    else if (strncmp(q, "Symbol", 6) == 0)
        reply(s, "OK");
    else if (strncmp(q, "Rcmd,", 5) == 0)
        cmd_monitor(s, q + 5);
    else
        reply(s, "");
}

