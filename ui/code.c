/* The code panel: the instructions around EIP, disassembled with Capstone
 * (show_disasm, the debugger's `u`), named with the symbols of the kernel
 * and of the running program, EIP's line marked, breakpoints shown. */
#include <stdlib.h>
#include <string.h>

#include "debug/show.h"
#include "ui.h"

/* How far back from EIP the listing may start: the function's start when
 * EIP is at most this far into it. */
#define BACK_MAX 0x40
#define LINES 24

void code_model(struct view *v, struct ui_text *t)
{
    if (!v->cpu_ok) {
        uitext_add(t, ST_DIM, "the CPU state cannot be read\n");
        return;
    }
    uint32_t pc = v->cpu.seg[SEG_CS].base + v->cpu.eip;
    const char *prog = v->program >= 0 ? symbols_program_name(v->syms, (size_t)v->program) : NULL;
    uitext_add(t, ST_LABEL, "running: ");
    if (v->cpu.cpl == 0)
        uitext_add(t, ST_KERNEL, "the kernel%s%s%s\n", prog ? " (for " : "", prog ? prog : "",
                 prog ? ")" : "");
    else
        uitext_add(t, ST_USER, "%s\n", prog ? prog : "a program without symbols");
    uint32_t start = pc;
    char sym[96];
    if (v->syms && symbols_name(v->syms, v->program, pc, sym, sizeof sym)) {
        const char *plus = strrchr(sym, '+');
        unsigned long off = plus ? strtoul(plus + 1, NULL, 16) : 0;
        if (off <= BACK_MAX)
            start = pc - (uint32_t)off;
    }
    struct strbuf sb;
    strbuf_init(&sb);
    show_disasm(v->m, v->syms, start, LINES, &sb);
    /* Keep a few lines before EIP's. */
    const char *s = strbuf_str(&sb);
    const char *here = strstr(s, "=> ");
    int before = 0;
    for (const char *p = s; here && p < here; p++)
        before += *p == '\n';
    int skip = before > 6 ? before - 6 : 0;
    struct breakpoint_info bps[64];
    size_t nb = control_break_list(v->m, bps, 64);
    for (const char *line = s; *line;) {
        size_t len = strcspn(line, "\n");
        if (skip > 0) {
            skip--;
        } else {
            /* "=> 0xc0100216: <sym+0x2> 6a23  push 0x23": shown without the bytes. */
            uint32_t addr = (uint32_t)strtoul(line + 3, NULL, 16);
            const char *rest = memchr(line, ':', len);
            const char *sym = rest ? memchr(rest, '<', len - (size_t)(rest - line)) : NULL;
            const char *sym_end = sym ? memchr(sym, '>', len - (size_t)(sym - line)) : NULL;
            const char *after = sym_end ? sym_end + 1 : (rest ? rest + 1 : line + len);
            const char *text = strstr(after, "  ");
            if (!text || text > line + len)
                text = after;
            while (*text == ' ')
                text++;
            bool bp = false;
            for (size_t i = 0; i < nb && i < 64; i++)
                bp |= !bps[i].is_watch && bps[i].addr == addr;
            bool at = !strncmp(line, "=> ", 3);
            enum ui_style st = at ? ST_CURRENT : ST_TEXT;
            uitext_add(t, bp ? ST_FAULT : ST_TEXT, "%s", bp ? "B" : " ");
            uitext_add(t, st, "%s%08x ", at ? ">" : " ", addr);
            if (sym && sym_end)
                uitext_add(t, at ? st : ST_DIM, "%-22.*s ", (int)(sym_end - sym + 1), sym);
            uitext_add(t, at ? st : ST_VALUE, "%.*s", (int)(line + len - text), text);
            uitext_add(t, ST_TEXT, "\n");
        }
        line += len;
        if (*line)
            line++;
    }
    strbuf_free(&sb);
}
