/* What ringlab tells the user when a run is over: one line on stderr
 * ("ringlab: ...") and the exit status it stands for (status.h). */
#ifndef RINGLAB_REPORT_H
#define RINGLAB_REPORT_H

#include "front/runner.h"
#include "trace/qemu_log.h"

void report_say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* The line (if any) and the exit status for how a run ended.  qlog, when
 * given, gets the -d cpu_reset line of a triple fault. */
int report_exit(enum runner_stop stop, struct runner *r, struct qemu_log *qlog, double timeout_s);

#endif
