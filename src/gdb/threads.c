/* The gdb stub's threads: one per CPU, as QEMU's gdbstub has them (thread
 * N is CPU N - 1).  qfThreadInfo lists them, qThreadExtraInfo names each
 * with its CPL and state, Hg chooses the CPU whose registers and memory
 * (through its page tables) the g, p, m packets read and G, P, M write,
 * Hc the one that s steps; vCont says which to step in its actions.  A
 * continue runs every CPU; a step steps one, while the others take their
 * turns as the schedule gives them (control_select_cpu).  Stop replies name
 * the CPU that stopped. */
#include <stdio.h>
#include <string.h>

#include "control.h"
#include "gdb/session.h"
#include "inspect.h"

int gdb_thread_of_stop(struct gdb_session *s)
{
    return inspect_running_cpu(s->m) + 1;
}

/* A thread id of the H, T and vCont packets: hex, or -1 (all); "pP.T"
 * (multiprocess) keeps T.  0 means any thread. */
static bool parse_thread(const char *p, const char **end, int *thread)
{
    if (*p == 'p') {
        const char *dot = strchr(p, '.');
        if (!dot)
            return false;
        p = dot + 1;
    }
    if (p[0] == '-' && p[1] == '1') {
        *thread = -1;
        *end = p + 2;
        return true;
    }
    uint64_t v;
    size_t n = strspn(p, "0123456789abcdefABCDEF");
    char digits[17];
    if (n == 0 || n >= sizeof digits)
        return false;
    memcpy(digits, p, n);
    digits[n] = '\0';
    if (!gdb_parse_hex(digits, '\0', &v, NULL) || v > 0x7fffffff)
        return false;
    *thread = (int)v;
    *end = p + n;
    return true;
}

static bool thread_exists(struct gdb_session *s, int thread)
{
    return thread >= 1 && thread <= inspect_cpu_count(s->m);
}

/* The CPU a thread id names: any thread or all of them is the one that
 * stopped. */
static int cpu_of(struct gdb_session *s, int thread)
{
    return thread_exists(s, thread) ? thread - 1 : inspect_running_cpu(s->m);
}

void gdb_threads_select_general(struct gdb_session *s)
{
    int cpu = cpu_of(s, s->g_thread);
    control_select_cpu(s->m, cpu);
    debugger_select_cpu(s->dbg, cpu);
}

void gdb_threads_select_step(struct gdb_session *s, int thread)
{
    control_select_cpu(s->m, cpu_of(s, thread > 0 ? thread : s->c_thread));
}

void gdb_threads_stopped(struct gdb_session *s)
{
    /* gdb takes the thread of the stop reply as its own and says Hg again
     * only when it wants another. */
    s->g_thread = gdb_thread_of_stop(s);
}

/* Hg THREAD, Hc THREAD */
void gdb_threads_set(struct gdb_session *s, const char *p)
{
    char op = p[0];
    const char *end;
    int thread;
    if ((op != 'g' && op != 'c') || !parse_thread(p + 1, &end, &thread) || *end != '\0') {
        gdb_session_bad(s, "not Hg or Hc and a thread");
        return;
    }
    if (thread > 0 && !thread_exists(s, thread)) {
        gdb_session_reply(s, "E22");
        return;
    }
    if (op == 'g')
        s->g_thread = thread;
    else
        s->c_thread = thread;
    gdb_session_reply(s, "OK");
}

/* T THREAD: is it alive?  Every CPU is, from power-on. */
void gdb_threads_alive(struct gdb_session *s, const char *p)
{
    const char *end;
    int thread;
    if (!parse_thread(p, &end, &thread) || *end != '\0') {
        gdb_session_bad(s, "not a thread");
        return;
    }
    gdb_session_reply(s, thread_exists(s, thread) ? "OK" : "E01");
}

bool gdb_vcont_parse(struct gdb_session *s, const char *p, struct gdb_vcont *out)
{
    memset(out, 0, sizeof *out);
    while (*p == ';') {
        char a = p[1];
        if (!a)
            return false;
        p += 2;
        if (a == 'C' || a == 'S')
            p += strspn(p, "0123456789abcdefABCDEF"); /* the signal: nothing to a machine */
        int thread = 0;
        if (*p == ':') {
            const char *end;
            if (!parse_thread(p + 1, &end, &thread))
                return false;
            p = end;
        }
        if (thread > 0 && !thread_exists(s, thread))
            continue; /* no such CPU: nothing for it to do */
        if (a == 's' || a == 'S') {
            /* The first step action counts; only one CPU is stepped. */
            if (!out->step) {
                out->step = true;
                out->thread = thread;
            }
        } else if (a == 't') {
            out->stop = true;
        } else if (a != 'c' && a != 'C') {
            return false;
        }
    }
    return *p == '\0';
}

void gdb_threads_query(struct gdb_session *s, const char *q)
{
    if (strcmp(q, "C") == 0) {
        char text[24];
        snprintf(text, sizeof text, "QC%x", gdb_thread_of_stop(s));
        gdb_session_reply(s, text);
    } else if (strcmp(q, "fThreadInfo") == 0) {
        char text[8 * MACHINE_MAX_CPUS + 2] = "m";
        for (int i = 0; i < inspect_cpu_count(s->m); i++) {
            size_t at = strlen(text);
            snprintf(text + at, sizeof text - at, "%s%x", i ? "," : "", i + 1);
        }
        gdb_session_reply(s, text);
    } else if (strcmp(q, "sThreadInfo") == 0) {
        gdb_session_reply(s, "l");
    } else {
        /* ThreadExtraInfo,THREAD: "CPU 1 [CPL 0, halted]" */
        const char *end;
        int thread;
        if (!parse_thread(q + strlen("ThreadExtraInfo,"), &end, &thread) || *end != '\0' ||
            !thread_exists(s, thread)) {
            gdb_session_reply(s, "E01");
            return;
        }
        struct cpu_summary cpus[MACHINE_MAX_CPUS];
        size_t n = inspect_cpus(s->m, cpus, MACHINE_MAX_CPUS);
        char text[64], hex[2 * sizeof text + 1];
        const struct cpu_summary *c = (size_t)thread <= n ? &cpus[thread - 1] : NULL;
        if (!c)
            snprintf(text, sizeof text, "CPU %d", thread - 1);
        else if (c->state == CPU_WAITING_FOR_SIPI)
            snprintf(text, sizeof text, "CPU %d [%s]", c->index,
                     inspect_cpu_state_name(c->state));
        else
            snprintf(text, sizeof text, "CPU %d [CPL %u, %s]", c->index, c->st.cpl,
                     inspect_cpu_state_name(c->state));
        gdb_hex_encode(text, strlen(text), hex);
        gdb_session_reply(s, hex);
    }
}
