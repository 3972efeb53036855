/* The -machine (-M) option, read with QEMU 7.2's syntax: the machine type
 * first, then NAME=VALUE properties; ringlab has one machine, QEMU's pc,
 * and accepts a property only when its pc is what the property asks for. */
#ifndef RINGLAB_OPTIONS_MACHINE_H
#define RINGLAB_OPTIONS_MACHINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "options.h"

/* Reads -machine's argument.  Returns false with one line in err (without
 * the option's name) when it asks for another machine or for something
 * ringlab's pc does not have or cannot leave out.  A `help` element sets
 * *help_topic to HELP_MACHINES (first) or HELP_MACHINE_PROPERTIES. */
bool options_machine_parse(const char *arg, enum options_help_topic *help_topic, char *err,
                           size_t errlen);

/* The text of `-machine help` or `-machine pc,help`. */
void options_machine_print_help(FILE *f, enum options_help_topic topic);

#endif
