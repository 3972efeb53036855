/* Character devices as QEMU 7.2 names them: -chardev BACKEND,id=ID[,...]
 * defines one, and a device's chardev=ID property connects it.  ringlab
 * connects the debug console (-device isa-debugcon,iobase=P,chardev=ID)
 * this way, beside -debugcon DEV. */
#ifndef RINGLAB_OPTIONS_CHARDEV_H
#define RINGLAB_OPTIONS_CHARDEV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "options.h"

/* -chardev file,id=ID,path=P | stdio,id=ID | null,id=ID: false with one
 * line in err (without the option's name). */
bool options_chardev_parse(struct chardev_table *t, const char *arg, char *err, size_t errlen);
/* The backend named id, or NULL. */
const struct chardev_spec *options_chardev_find(const struct chardev_table *t, const char *id);
void options_chardev_free(struct chardev_table *t);

/* -device isa-debugcon[,iobase=P][,chardev=ID]: the port (default 0xE9)
 * and the chardev's id ("" when none: output is dropped, as QEMU's
 * device without a chardev does). */
bool options_debugcon_device_parse(const char *props, uint16_t *iobase, char *chardev,
                                   size_t chardev_len, char *err, size_t errlen);

#endif
