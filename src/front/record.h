/* --record and --replay: the serial input of a run, each byte with the
 * instruction count and guest time at which it reached the UART, and where
 * the run stopped, in a text file:
 *
 *   ringlab-record 1
 *   setup 9f3c0a1b22e4d5f6      fingerprint of the images and options
 *   in 10513872 10513872 68     icount, guest time (ns), byte (hex)
 *   ...
 *   end 51224077 61224077 5012  icount, guest time, deliveries
 *
 * The machine being deterministic but for that input, a replay of the
 * same images with the same options is the same run. */
#ifndef RINGLAB_RECORD_H
#define RINGLAB_RECORD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "control.h"
#include "front/images.h"
#include "options.h"

/* What a recording must be replayed with: the images' bytes and the
 * options that change what the guest sees. */
uint64_t record_fingerprint(const struct image_set *images, const struct options *o);

struct recorder {
    FILE *f;
    char path[512];
    bool failed;
};

bool record_open(struct recorder *r, const char *path, uint64_t fingerprint, char *err,
                 size_t errlen);
/* control_input_observe's callback. */
void record_input(void *opaque, const struct input_record *rec);
/* Write where the run stopped and close; false (one line in err) when
 * anything could not be written. */
bool record_close(struct recorder *r, const struct machine_pos *end, char *err, size_t errlen);

struct recording {
    uint64_t fingerprint;
    struct input_record *recs;
    size_t n;
    bool has_end;
    struct machine_pos end;
};

/* Read a recording; false with "FILE:LINE: what is wrong" in err. */
bool recording_read(const char *path, struct recording *out, char *err, size_t errlen);
void recording_free(struct recording *r);

#endif
