/* The last words of a run (see report.h). */
#include "front/report.h"

#include <stdarg.h>
#include <stdio.h>

#include "inspect.h"
#include "status.h"
#include "util/text.h"

void report_say(const char *fmt, ...)
{
    /* A message is one line, whatever file name or argument it quotes. */
    char line[2048], escaped[4 * sizeof line];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    text_escape(escaped, sizeof escaped, line);
    fprintf(stderr, "ringlab: %s\n", escaped);
}

/* How a machine's end becomes an exit status, with its one line. */
static int status_of_end(struct machine *m, struct qemu_log *qlog)
{
    switch (machine_end(m)) {
    case END_NONE:
    case END_POWEROFF:
        return RL_EXIT_POWEROFF;
    case END_HALTED:
        report_say("%s", machine_end_detail(m));
        return RL_EXIT_POWEROFF;
    case END_DEBUG_EXIT:
        return machine_debug_exit_status(m);
    case END_TRIPLE_FAULT:
        if (qlog)
            qemu_log_triple_fault(qlog);
        report_say("%s", machine_end_detail(m));
        return RL_EXIT_TRIPLE_FAULT;
    case END_GUEST_ERROR:
        report_say("%s", machine_end_detail(m));
        return RL_EXIT_GUEST_ERROR;
    case END_REPLAY_END:
        report_say("%s", machine_end_detail(m));
        return RL_EXIT_POWEROFF;
    case END_HOST_ERROR:
        break;
    }
    report_say("%s", machine_end_detail(m));
    return RL_EXIT_HOST;
}

int report_exit(enum runner_stop stop, struct runner *r, struct qemu_log *qlog, double timeout_s)
{
    switch (stop) {
    case RUNNER_END:
        return status_of_end(r->m, qlog);
    case RUNNER_STUCK:
        report_say("the CPU waits for an interrupt that cannot come (no timer, no more input)");
        return RL_EXIT_POWEROFF;
    case RUNNER_TIMEOUT:
        report_say("--timeout reached after %.1f s", timeout_s);
        return RL_EXIT_LIMIT;
    case RUNNER_INSN_LIMIT:
        report_say("--max-insns reached: %llu instructions executed",
                   (unsigned long long)inspect_icount(r->m));
        return RL_EXIT_LIMIT;
    case RUNNER_QUIT:
    case RUNNER_STOP:
    case RUNNER_BREAK:
    case RUNNER_YIELD:
        break;
    }
    return RL_EXIT_POWEROFF;
}
