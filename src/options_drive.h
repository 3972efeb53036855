/* The disk options, read with QEMU 7.2's syntax: -drive with its
 * NAME=VALUE properties, and -hda / -hdb.  ringlab's pc has the primary
 * IDE channel with two raw disks (index 0, the master, and 1, the slave). */
#ifndef RINGLAB_OPTIONS_DRIVE_H
#define RINGLAB_OPTIONS_DRIVE_H

#include <stdbool.h>
#include <stddef.h>

#include "options.h"

/* Reads -drive's argument into drives[] (OPTIONS_MAX_DRIVES entries, an
 * index without one takes the first free).  false with one line in err
 * (without the option's name): no file, a format other than raw, a medium
 * other than a disk, an interface other than IDE, an index out of range
 * or taken, a property ringlab does not know. */
bool options_drive_parse(const char *arg, struct drive_spec *drives, char *err, size_t errlen);

/* -hda (index 0) and -hdb (index 1): the file as a raw disk. */
bool options_drive_index(const char *path, int index, struct drive_spec *drives, char *err,
                         size_t errlen);

#endif
