/* Recording files (see record.h): writing them as the input arrives, and
 * reading them back strictly, line by line. */
#include "front/record.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#define RECORD_MAGIC "ringlab-record 1"

/* FNV-1a, 64 bits. */
static uint64_t fnv(uint64_t h, const void *data, size_t len)
{
    const uint8_t *p = data;
    for (size_t i = 0; i < len; i++)
        h = (h ^ p[i]) * 0x100000001b3ull;
    return h;
}

static uint64_t fnv_str(uint64_t h, const char *s)
{
    return fnv(h, s ? s : "", s ? strlen(s) + 1 : 1);
}

static uint64_t fnv_u64(uint64_t h, uint64_t v)
{
    return fnv(h, &v, sizeof v);
}

uint64_t record_fingerprint(const struct image_set *images, const struct options *o)
{
    uint64_t h = 0xcbf29ce484222325ull;
    h = fnv(h, images->kernel.data, images->kernel.size);
    for (size_t i = 0; i < images->nmods; i++) {
        h = fnv(h, images->mods[i].data, images->mods[i].size);
        h = fnv_str(h, images->mods[i].cmdline);
    }
    h = fnv_str(h, images->cmdline);
    h = fnv_u64(h, o->ram_bytes);
    h = fnv_str(h, o->cpu_model);
    h = fnv_u64(h, o->no_reboot);
    h = fnv_u64(h, o->debug_exit ? ((uint64_t)o->debug_exit_iobase << 8 | o->debug_exit_iosize) : 0);
    h = fnv_u64(h, o->has_load_addr ? o->load_addr : UINT64_MAX);
    /* Added only when not the default, so that older recordings still match. */
    if (o->cpus != 1)
        h = fnv_u64(h, (uint64_t)o->cpus);
    if (o->cpu_features_on | o->cpu_features_off)
        h = fnv_u64(h, (uint64_t)o->cpu_features_on << 32 | o->cpu_features_off);
    return h;
}

bool record_open(struct recorder *r, const char *path, uint64_t fingerprint, char *err,
                 size_t errlen)
{
    memset(r, 0, sizeof *r);
    snprintf(r->path, sizeof r->path, "%s", path);
    r->f = fopen(path, "w");
    if (!r->f) {
        snprintf(err, errlen, "--record: %s: %s", path, strerror(errno));
        return false;
    }
    fprintf(r->f, "%s\nsetup %016" PRIx64 "\n", RECORD_MAGIC, fingerprint);
    return true;
}

void record_input(void *opaque, const struct input_record *rec)
{
    struct recorder *r = opaque;
    if (fprintf(r->f, "in %" PRIu64 " %" PRIu64 " %02x\n", rec->icount, rec->time_ns,
                rec->byte) < 0)
        r->failed = true;
}

bool record_close(struct recorder *r, const struct machine_pos *end, char *err, size_t errlen)
{
    if (!r->f)
        return true;
    if (fprintf(r->f, "end %" PRIu64 " %" PRIu64 " %" PRIu64 "\n", end->icount, end->time_ns,
                end->deliveries) < 0)
        r->failed = true;
    bool ok = fclose(r->f) == 0 && !r->failed;
    r->f = NULL;
    if (!ok)
        snprintf(err, errlen, "--record: %s: cannot write the recording", r->path);
    return ok;
}

/* ---- reading ------------------------------------------------------------------- */

static bool parse_u64(const char *s, char **end, uint64_t *v)
{
    if (*s < '0' || *s > '9')
        return false;
    errno = 0;
    unsigned long long x = strtoull(s, end, 10);
    if (errno != 0)
        return false;
    *v = x;
    return true;
}

/* One "in" or "end" line's numbers: icount, time, then a hex byte or a
 * decimal count. */
static bool parse_entry(const char *s, bool hex_last, uint64_t v[3])
{
    char *e;
    if (!parse_u64(s, &e, &v[0]) || *e != ' ' || !parse_u64(e + 1, &e, &v[1]) || *e != ' ')
        return false;
    s = e + 1;
    if (hex_last) {
        char *he;
        errno = 0;
        unsigned long x = strtoul(s, &he, 16);
        if (errno || he == s || he - s > 2 || *he != '\0' || x > 0xff)
            return false;
        v[2] = x;
        return true;
    }
    return parse_u64(s, &e, &v[2]) && *e == '\0';
}

bool recording_read(const char *path, struct recording *out, char *err, size_t errlen)
{
    memset(out, 0, sizeof *out);
    FILE *f = fopen(path, "r");
    if (!f) {
        snprintf(err, errlen, "--replay: %s: %s", path, strerror(errno));
        return false;
    }
    char line[256];
    unsigned lineno = 0;
    size_t cap = 0;
    bool ok = true, have_setup = false;
    while (ok && fgets(line, sizeof line, f)) {
        lineno++;
        size_t len = strcspn(line, "\n");
        if (line[len] != '\n' && !feof(f)) {
            snprintf(err, errlen, "--replay: %s:%u: the line is too long", path, lineno);
            ok = false;
            break;
        }
        line[len] = '\0';
        uint64_t v[3];
        if (lineno == 1) {
            if (strcmp(line, RECORD_MAGIC) != 0) {
                snprintf(err, errlen, "--replay: %s:1: not a ringlab recording (it starts '%s')",
                         path, RECORD_MAGIC);
                ok = false;
            }
        } else if (out->has_end) {
            snprintf(err, errlen, "--replay: %s:%u: a line after the end", path, lineno);
            ok = false;
        } else if (strncmp(line, "setup ", 6) == 0 && !have_setup) {
            char *e;
            errno = 0;
            out->fingerprint = strtoull(line + 6, &e, 16);
            have_setup = errno == 0 && e - (line + 6) == 16 && *e == '\0';
            if (!have_setup) {
                snprintf(err, errlen, "--replay: %s:%u: a setup line needs 16 hex digits", path,
                         lineno);
                ok = false;
            }
        } else if (strncmp(line, "in ", 3) == 0 && have_setup && parse_entry(line + 3, true, v)) {
            if (out->n == cap) {
                cap = cap ? 2 * cap : 256;
                struct input_record *n = realloc(out->recs, cap * sizeof *n);
                if (!n) {
                    snprintf(err, errlen, "--replay: out of memory");
                    ok = false;
                    break;
                }
                out->recs = n;
            }
            out->recs[out->n++] = (struct input_record){v[0], v[1], (uint8_t)v[2]};
        } else if (strncmp(line, "end ", 4) == 0 && have_setup && parse_entry(line + 4, false, v)) {
            out->has_end = true;
            out->end = (struct machine_pos){.icount = v[0], .time_ns = v[1], .deliveries = v[2]};
        } else {
            snprintf(err, errlen,
                     "--replay: %s:%u: expected %s, not '%.40s'", path, lineno,
                     have_setup ? "'in ICOUNT TIME BYTE' or 'end ICOUNT TIME DELIVERIES'"
                                : "'setup FINGERPRINT'",
                     line);
            ok = false;
        }
    }
    if (ok && ferror(f)) {
        snprintf(err, errlen, "--replay: %s: cannot read it", path);
        ok = false;
    }
    if (ok && lineno == 0) {
        snprintf(err, errlen, "--replay: %s: the file is empty", path);
        ok = false;
    }
    if (ok && !have_setup) {
        snprintf(err, errlen, "--replay: %s: no setup line", path);
        ok = false;
    }
    fclose(f);
    if (!ok)
        recording_free(out);
    return ok;
}

void recording_free(struct recording *r)
{
    free(r->recs);
    memset(r, 0, sizeof *r);
}
