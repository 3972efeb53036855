/* -chardev and -device isa-debugcon (see options_chardev.h). */
#include "options_chardev.h"

#include <stdlib.h>
#include <string.h>

#include "util/text.h"


/* The next comma-separated element of *s into out; false at the end. */
static bool next_element(const char **s, char *out, size_t n)
{
    if (**s == '\0')
        return false;
    size_t len = strcspn(*s, ",");
    snprintf(out, n, "%.*s", (int)len, *s);
    *s += len + ((*s)[len] == ',');
    return true;
}

bool options_chardev_parse(struct chardev_table *t, const char *arg, char *err, size_t errlen)
{
    char backend[32], elem[4096], id[OPTIONS_CHARDEV_ID_MAX] = "", path[4096] = "";
    bool has_path = false;
    const char *s = arg;
    if (!next_element(&s, backend, sizeof backend))
        return text_error(err, errlen, "needs a backend (file, stdio or null) and id=ID");
    enum chardev_kind kind;
    if (strcmp(backend, "file") == 0)
        kind = CHARDEV_FILE;
    else if (strcmp(backend, "stdio") == 0)
        kind = CHARDEV_STDIO;
    else if (strcmp(backend, "null") == 0)
        kind = CHARDEV_NULL;
    else
        return text_error(err, errlen, "'%s': ringlab's backends are file, stdio and null", backend);
    while (next_element(&s, elem, sizeof elem)) {
        char *eq = strchr(elem, '=');
        if (!eq)
            return text_error(err, errlen, "'%s': expected NAME=VALUE", elem);
        *eq = '\0';
        if (strcmp(elem, "id") == 0) {
            if (strlen(eq + 1) >= sizeof id || eq[1] == '\0')
                return text_error(err, errlen, "id='%s': an id of 1 to %zu characters", eq + 1,
                           sizeof id - 1);
            snprintf(id, sizeof id, "%s", eq + 1);
        } else if (strcmp(elem, "path") == 0 && kind == CHARDEV_FILE) {
            snprintf(path, sizeof path, "%s", eq + 1);
            has_path = true;
        } else if (strcmp(elem, "signal") == 0 || strcmp(elem, "mux") == 0 ||
                   strcmp(elem, "logfile") == 0 || strcmp(elem, "append") == 0) {
            return text_error(err, errlen, "%s=: ringlab's %s backend has no such property", elem,
                       backend);
        } else {
            return text_error(err, errlen, "'%s' is not a property of the %s backend", elem, backend);
        }
    }
    if (id[0] == '\0')
        return text_error(err, errlen, "'%s': no id=", arg);
    if (kind == CHARDEV_FILE && (!has_path || path[0] == '\0'))
        return text_error(err, errlen, "file,id=%s: needs path=FILE", id);
    if (options_chardev_find(t, id))
        return text_error(err, errlen, "id=%s is given twice", id);
    if (t->n == OPTIONS_MAX_CHARDEVS)
        return text_error(err, errlen, "more than %d character devices", OPTIONS_MAX_CHARDEVS);
    struct chardev_def *d = &t->defs[t->n];
    snprintf(d->id, sizeof d->id, "%s", id);
    d->spec.kind = kind;
    d->spec.path = NULL;
    if (kind == CHARDEV_FILE && !(d->spec.path = strdup(path)))
        return text_error(err, errlen, "out of memory");
    t->n++;
    return true;
}

const struct chardev_spec *options_chardev_find(const struct chardev_table *t, const char *id)
{
    for (int i = 0; i < t->n; i++)
        if (strcmp(t->defs[i].id, id) == 0)
            return &t->defs[i].spec;
    return NULL;
}

void options_chardev_free(struct chardev_table *t)
{
    for (int i = 0; i < t->n; i++)
        free(t->defs[i].spec.path);
    t->n = 0;
}

bool options_debugcon_device_parse(const char *props, uint16_t *iobase, char *chardev,
                                   size_t chardev_len, char *err, size_t errlen)
{
    char elem[256];
    const char *s = props;
    *iobase = 0xE9;
    chardev[0] = '\0';
    while (next_element(&s, elem, sizeof elem)) {
        char *eq = strchr(elem, '=');
        if (!eq)
            return text_error(err, errlen, "isa-debugcon: '%s' is not NAME=VALUE", elem);
        *eq = '\0';
        const char *v = eq + 1;
        if (strcmp(elem, "iobase") == 0) {
            char *end;
            unsigned long n = strtoul(v, &end, 0);
            if (*v == '\0' || *end || n > 0xFFFF)
                return text_error(err, errlen, "isa-debugcon: iobase=%s is not a port (0 to 0xffff)",
                           v);
            *iobase = (uint16_t)n;
        } else if (strcmp(elem, "chardev") == 0) {
            if (strlen(v) >= chardev_len)
                return text_error(err, errlen, "isa-debugcon: chardev=%s: no such character device",
                           v);
            snprintf(chardev, chardev_len, "%s", v);
        } else {
            return text_error(err, errlen,
                       "isa-debugcon has no property '%s' (it has: iobase, chardev)", elem);
        }
    }
    return true;
}
