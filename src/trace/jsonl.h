/* The --trace log: every trace event as one JSON object on one line, with
 * every field of struct trace_event (see doc/ringlab.1, TRACE FORMATS).
 * Kinds and gates are written as names, all numbers (addresses, selectors,
 * flags) as JSON numbers, the explanation as an escaped UTF-8 string.
 * Write errors are remembered and reported when the log is closed. */
#ifndef RINGLAB_JSONL_H
#define RINGLAB_JSONL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "trace/event.h"

struct jsonl {
    FILE *f;
    int error;      /* the first write error (errno), 0 if none */
    char path[256]; /* for messages */
    char msg[320];  /* the error message jsonl_close reports */
};

/* Create (truncate) path; false with a one-line message in err. */
bool jsonl_open(struct jsonl *j, const char *path, char *err, size_t errlen);

/* A trace_sink.emit: one line per event. */
void jsonl_event(void *opaque, const struct trace_event *ev);

/* Format one event as a JSON object, without the newline, into buf
 * (NUL-terminated).  Returns the length it needed, as snprintf does. */
size_t jsonl_format(const struct trace_event *ev, char *buf, size_t size);

/* Flush and close; false if any write failed, with jsonl_error() saying
 * which file and why. */
bool jsonl_close(struct jsonl *j);
const char *jsonl_error(const struct jsonl *j);

#endif
