/* -drive, -hda, -hdb (see options_drive.h).
 *
 * As QEMU 7.2 reads -drive: comma-separated NAME=VALUE properties, a comma
 * inside a value written twice (",,").  The properties ringlab's IDE disks
 * honour are file, index, media=disk, format=raw, if=ide, snapshot; the
 * ones that change nothing for a raw disk in memory are accepted
 * (cache, aio, discard, detect-zeroes, werror, rerror). */
#include "options_drive.h"

#include <stdlib.h>
#include <string.h>

#include "util/text.h"


/* The next element of `s` into out (",," taken as ","); returns where the
 * one after starts, or NULL at the end. */
static const char *next_element(const char *s, char *out, size_t n)
{
    size_t k = 0;
    while (*s) {
        if (*s == ',') {
            if (s[1] != ',')
                break;
            s++;
        }
        if (k + 1 < n)
            out[k++] = *s;
        s++;
    }
    out[k] = '\0';
    return *s == ',' ? s + 1 : NULL;
}

static bool set_drive(struct drive_spec *drives, int index, const char *path, bool snapshot,
                      char *err, size_t errlen)
{
    if (index < 0) {
        for (index = 0; index < OPTIONS_MAX_DRIVES && drives[index].path; index++)
            ;
        if (index == OPTIONS_MAX_DRIVES)
            return text_error(err, errlen, "ringlab's IDE channel has room for %d disks",
                       OPTIONS_MAX_DRIVES);
    }
    if (index >= OPTIONS_MAX_DRIVES)
        return text_error(err, errlen,
                   "index=%d: ringlab has the primary IDE channel only (index 0 and 1)", index);
    if (drives[index].path)
        return text_error(err, errlen, "index=%d is given twice", index);
    char *copy = strdup(path);
    if (!copy)
        return text_error(err, errlen, "out of memory");
    drives[index].path = copy;
    drives[index].snapshot = snapshot;
    return true;
}

bool options_drive_index(const char *path, int index, struct drive_spec *drives, char *err,
                         size_t errlen)
{
    if (path[0] == '\0')
        return text_error(err, errlen, "the file name is empty");
    return set_drive(drives, index, path, false, err, errlen);
}

static bool on_off(const char *v, bool *out)
{
    if (strcmp(v, "on") == 0 || strcmp(v, "yes") == 0 || strcmp(v, "true") == 0)
        *out = true;
    else if (strcmp(v, "off") == 0 || strcmp(v, "no") == 0 || strcmp(v, "false") == 0)
        *out = false;
    else
        return false;
    return true;
}

bool options_drive_parse(const char *arg, struct drive_spec *drives, char *err, size_t errlen)
{
    static const char *const harmless[] = {"cache", "aio", "discard", "detect-zeroes",
                                           "werror", "rerror", "id"};
    char file[4096] = "", elem[4096];
    bool have_file = false, snapshot = false;
    int index = -1;
    for (const char *s = arg; s;) {
        s = next_element(s, elem, sizeof elem);
        if (elem[0] == '\0')
            continue;
        char *eq = strchr(elem, '=');
        if (!eq)
            return text_error(err, errlen, "'%s': expected NAME=VALUE", elem);
        *eq = '\0';
        const char *name = elem, *v = eq + 1;
        if (strcmp(name, "file") == 0) {
            snprintf(file, sizeof file, "%s", v);
            have_file = true;
        } else if (strcmp(name, "index") == 0) {
            char *end;
            long n = strtol(v, &end, 10);
            if (*v == '\0' || *end || n < 0)
                return text_error(err, errlen, "index=%s is not a number", v);
            index = n > 1000 ? 1000 : (int)n;
        } else if (strcmp(name, "media") == 0) {
            if (strcmp(v, "disk") != 0)
                return text_error(err, errlen, "media=%s: ringlab has hard disks only (media=disk)", v);
        } else if (strcmp(name, "format") == 0) {
            if (strcmp(v, "raw") != 0)
                return text_error(err, errlen, "format=%s: ringlab reads raw images only (format=raw)",
                           v);
        } else if (strcmp(name, "if") == 0) {
            if (strcmp(v, "ide") != 0)
                return text_error(err, errlen, "if=%s: ringlab's disks are on IDE only (if=ide)", v);
        } else if (strcmp(name, "snapshot") == 0) {
            if (!on_off(v, &snapshot))
                return text_error(err, errlen, "snapshot=%s: use on or off", v);
        } else {
            bool ok = false;
            for (size_t i = 0; i < sizeof harmless / sizeof harmless[0]; i++)
                ok |= strcmp(name, harmless[i]) == 0;
            if (!ok)
                return text_error(err, errlen, "'%s' is not a property ringlab's disks have", name);
        }
    }
    if (!have_file || file[0] == '\0')
        return text_error(err, errlen, "'%s': no file=", arg);
    return set_drive(drives, index, file, snapshot, err, errlen);
}
