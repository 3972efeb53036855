/* The debugger's insides, shared by the files of its command language
 * (commands.c: the table and most commands; history_cmds.c: going back)
 * and by no one else. */
#ifndef RINGLAB_DEBUG_COMMANDS_H
#define RINGLAB_DEBUG_COMMANDS_H

#include "debug/debugger.h"

#define MAX_WORDS 8

struct debugger {
    struct machine *m;
    struct debug_host host;
    const struct symbols *syms;
    char last_run[64];  /* the last execution command, repeated by an empty line */
    uint32_t next_u;    /* where a bare `u` goes on */
    bool have_next_u;
    bool syscall_names; /* the bundled kernel's system calls by name */
    void (*vmm_info)(void *opaque, struct strbuf *out); /* info vmm; NULL: no monitor */
    void *vmm_opaque;
    int cpu;            /* the CPU the commands refer to (-1: the one that ran last) */
};

/* A command line cut into words; `tail` is the line as written after the
 * first word (for `type`, whose text keeps its spaces). */
struct words {
    char buf[256];
    char *w[MAX_WORDS];
    int n;
    const char *tail;
};

/* A count from 1 to max; false with a line in err. */
bool debug_parse_count(const char *s, uint64_t max, uint64_t *v, const char *what,
                       struct strbuf *err);
/* After a run: why it stopped, the event if one, and where the CPU is. */
enum debug_result debug_report_run(struct debugger *d, enum debug_run r,
                                   const struct run_result *res, struct strbuf *host_text,
                                   struct strbuf *out);

/* history_cmds.c */
enum debug_result debug_cmd_back(struct debugger *d, struct words *ws, struct strbuf *out);
enum debug_result debug_cmd_until_back(struct debugger *d, struct words *ws, struct strbuf *out);
void debug_info_history(struct debugger *d, struct strbuf *out);

/* cpu_cmds.c: `cpu [N]`, `info cpus`; the CPU chosen before each command,
 * and the one a run stopped on chosen after it. */
enum debug_result debug_cmd_cpu(struct debugger *d, struct words *ws, struct strbuf *out);
void debug_info_cpus(struct debugger *d, struct strbuf *out);
void debug_cpu_before(struct debugger *d);
void debug_cpu_after_run(struct debugger *d);

#endif
