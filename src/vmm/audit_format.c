/* The audit's table, as aligned text, CSV, JSON or Markdown.  Every format
 * carries the same columns: the instruction and its operands, the outcome
 * in each context, the verdict (with the kind of sensitivity), whether
 * Robin and Irvine list it, the evidence, and with --umip whether UMIP
 * made it privileged. */
#include "vmm/audit.h"

#include <stdio.h>
#include <string.h>

/* "privileged", "sensitive (control)", "sensitive (behaviour)",
 * "sensitive (control, behaviour)", "innocuous" */
static void verdict_text(const struct audit_row *r, char *buf, size_t n)
{
    if (r->verdict != VERDICT_SENSITIVE) {
        snprintf(buf, n, "%s", audit_verdict_name(r->verdict));
        return;
    }
    snprintf(buf, n, "sensitive (%s%s%s)", r->control_sensitive ? "control" : "",
             r->control_sensitive && r->behaviour_sensitive ? ", " : "",
             r->behaviour_sensitive ? "behaviour" : "");
}

enum { COL_INSN, COL_OPERAND, COL_CPL0, COL_CPL1, COL_CPL3, COL_V86, COL_VERDICT, COL_RI,
       COL_UMIP, COL_EVIDENCE, COL_COUNT };
static const char *const headers[COL_COUNT] = {
    "instruction", "operands", "CPL 0", "CPL 1", "CPL 3", "V86", "verdict", "Robin-Irvine",
    "UMIP", "evidence"};

struct cells {
    char c[COL_COUNT][344];
};

static void row_cells(const struct audit_row *r, bool umip, struct cells *out)
{
    snprintf(out->c[COL_INSN], sizeof out->c[0], "%s", r->insn->name);
    snprintf(out->c[COL_OPERAND], sizeof out->c[0], "%s", r->insn->operand);
    for (int c = 0; c < CTX_COUNT; c++)
        audit_cell(&r->out[c], out->c[COL_CPL0 + c], sizeof out->c[0]);
    verdict_text(r, out->c[COL_VERDICT], sizeof out->c[0]);
    snprintf(out->c[COL_RI], sizeof out->c[0], "%s", r->insn->robin_irvine ? "listed" : "-");
    snprintf(out->c[COL_UMIP], sizeof out->c[0], "%s",
             !umip ? "" : r->fixed_by_umip ? "fixed" : "-");
    snprintf(out->c[COL_EVIDENCE], sizeof out->c[0], "%s", r->evidence);
}

static bool column_shown(int col, bool umip)
{
    return col != COL_UMIP || umip;
}

static void print_csv_field(FILE *f, const char *s)
{
    if (!strpbrk(s, ",\"\n")) {
        fputs(s, f);
        return;
    }
    fputc('"', f);
    for (; *s; s++) {
        if (*s == '"')
            fputc('"', f);
        fputc(*s, f);
    }
    fputc('"', f);
}

static void print_json_string(FILE *f, const char *s)
{
    fputc('"', f);
    for (; *s; s++) {
        if (*s == '"' || *s == '\\')
            fprintf(f, "\\%c", *s);
        else if ((unsigned char)*s < 0x20)
            fprintf(f, "\\u%04x", *s);
        else
            fputc(*s, f);
    }
    fputc('"', f);
}

static const char *const json_keys[COL_COUNT] = {
    "instruction", "operands", "cpl0", "cpl1", "cpl3", "v86", "verdict", "robin_irvine",
    "umip", "evidence"};

void audit_print(FILE *f, const struct audit_row *rows, size_t n, bool umip,
                 enum audit_format format)
{
    struct cells cl;
    if (format == FORMAT_JSON) {
        fputs("[\n", f);
        for (size_t i = 0; i < n; i++) {
            row_cells(&rows[i], umip, &cl);
            fputs("  {", f);
            bool first = true;
            for (int c = 0; c < COL_COUNT; c++) {
                if (!column_shown(c, umip))
                    continue;
                fprintf(f, "%s\"%s\": ", first ? "" : ", ", json_keys[c]);
                first = false;
                if (c == COL_RI)
                    fputs(rows[i].insn->robin_irvine ? "true" : "false", f);
                else if (c == COL_UMIP)
                    fputs(rows[i].fixed_by_umip ? "\"fixed\"" : "null", f);
                else
                    print_json_string(f, cl.c[c]);
            }
            fprintf(f, "}%s\n", i + 1 < n ? "," : "");
        }
        fputs("]\n", f);
        return;
    }
    if (format == FORMAT_CSV || format == FORMAT_MARKDOWN) {
        bool md = format == FORMAT_MARKDOWN;
        const char *sep = md ? " | " : ",";
        for (int pass = -2; pass < (int)n; pass++) {
            if (pass == -1 && !md)
                continue;
            if (pass >= 0)
                row_cells(&rows[pass], umip, &cl);
            if (md)
                fputs("| ", f);
            bool first = true;
            for (int c = 0; c < COL_COUNT; c++) {
                if (!column_shown(c, umip))
                    continue;
                if (!first)
                    fputs(sep, f);
                first = false;
                const char *text = pass == -2 ? headers[c] : pass == -1 ? "---" : cl.c[c];
                if (md)
                    fputs(text, f); /* no cell holds a '|' */
                else
                    print_csv_field(f, text);
            }
            fputs(md ? " |\n" : "\n", f);
        }
        return;
    }
    /* The aligned table: every column as wide as its widest cell. */
    size_t width[COL_COUNT];
    for (int c = 0; c < COL_COUNT; c++)
        width[c] = strlen(headers[c]);
    for (size_t i = 0; i < n; i++) {
        row_cells(&rows[i], umip, &cl);
        for (int c = 0; c < COL_COUNT; c++)
            if (strlen(cl.c[c]) > width[c])
                width[c] = strlen(cl.c[c]);
    }
    for (int pass = -1; pass < (int)n; pass++) {
        if (pass >= 0)
            row_cells(&rows[pass], umip, &cl);
        bool first = true;
        for (int c = 0; c < COL_COUNT; c++) {
            if (!column_shown(c, umip))
                continue;
            const char *text = pass < 0 ? headers[c] : cl.c[c];
            if (c == COL_EVIDENCE)
                fprintf(f, "%s%s", first ? "" : "  ", text);
            else
                fprintf(f, "%s%-*s", first ? "" : "  ", (int)width[c], text);
            first = false;
        }
        fputc('\n', f);
    }
}
