/* -machine [type=]TYPE[,NAME=VALUE...] (see options_machine.h).
 *
 * As QEMU 7.2 reads it: the first element may be the type without its
 * name; every other element must be NAME=VALUE; an empty argument or a
 * trailing comma asks for nothing.  ringlab has one machine, QEMU's pc
 * (i440FX + PIIX).  A property is accepted when ringlab's pc is what it
 * asks for: accel lists tcg; a device ringlab does not have is asked to be
 * off (auto lets the machine choose, and ringlab's chooses off); one it
 * always has is asked to be on (or auto). */
#include "options_machine.h"

#include <ctype.h>
#include <string.h>

#include "util/text.h"

enum machine_prop_kind { PROP_ACCEL, PROP_BOOL, PROP_ON_OFF_AUTO };

static const struct machine_prop {
    const char *name;
    enum machine_prop_kind kind;
    bool present;     /* ringlab's pc has the device */
    const char *what; /* the device, for messages */
} machine_props[] = {
    {"accel", PROP_ACCEL, true, "the accelerators to try, colon-separated: tcg"},
    {"hpet", PROP_BOOL, false, "HPET"},
    {"usb", PROP_BOOL, false, "USB controller"},
    {"sata", PROP_BOOL, false, "SATA controller"},
    {"smbus", PROP_BOOL, false, "SMBus"},
    {"smm", PROP_ON_OFF_AUTO, false, "system management mode"},
    {"vmport", PROP_ON_OFF_AUTO, false, "VMware I/O port"},
    {"pic", PROP_ON_OFF_AUTO, true, "8259A PICs"},
    {"pit", PROP_ON_OFF_AUTO, true, "8254 PIT"},
    {"i8042", PROP_BOOL, true, "PS/2 controller"},
};

#define N_PROPS (sizeof machine_props / sizeof machine_props[0])

/* QEMU 7.2's other properties of pc (`qemu-system-i386 -machine pc,help`)
 * and the accelerator's, known so that the message can say they are QEMU's. */
static const char *const qemu_only_props[] = {
    "acpi", "append", "boot", "bus-lock-ratelimit", "confidential-guest-support",
    "default-bus-bypass-iommu", "dt-compatible", "dtb", "dump-guest-core", "dumpdtb",
    "firmware", "graphics", "initrd", "kernel", "max-fw-size", "max-ram-below-4g",
    "mem-merge", "memory-backend", "memory-encryption", "memory", "phandle-start", "sgx-epc",
    "smbios-entry-point-type", "smp", "suppress-vmdesc", "x-oem-id", "x-oem-table-id",
    "kernel-irqchip", "kernel_irqchip", "kvm-shadow-mem", "kvm_shadow_mem",
};

/* QEMU's accelerator names; tcg is ringlab's. */
static const char *const accel_names[] = {"tcg", "kvm", "xen", "hvf", "whpx", "nvmm", "hax",
                                          "qtest"};


static bool word_is(const char *s, size_t len, const char *word)
{
    return strlen(word) == len && strncmp(s, word, len) == 0;
}

/* pc, or pc-i440fx-MAJOR.MINOR: QEMU's versioned names for the same machine. */
static bool name_is_pc(const char *s, size_t len)
{
    static const char i440fx[] = "pc-i440fx-";
    const size_t plen = sizeof i440fx - 1;
    if (word_is(s, len, "pc"))
        return true;
    if (len <= plen || strncmp(s, i440fx, plen) != 0)
        return false;
    size_t dots = 0, digits = 0;
    for (size_t i = plen; i < len; i++) {
        if (s[i] == '.' && digits > 0 && dots == 0) {
            dots++;
            digits = 0;
        } else if (isdigit((unsigned char)s[i])) {
            digits++;
        } else {
            return false;
        }
    }
    return dots == 1 && digits > 0;
}

static bool not_pc(char *err, size_t errlen, const char *s, size_t len)
{
    return text_error(err, errlen, "'%.*s' is not available: ringlab has one machine, 'pc'", (int)len,
               s);
}

static void list_props(char *buf, size_t n)
{
    size_t used = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < N_PROPS; i++) {
        int w = snprintf(buf + used, n - used, "%s%s", i ? ", " : "", machine_props[i].name);
        if (w < 0 || (size_t)w >= n - used)
            return;
        used += (size_t)w;
    }
}

/* accel=A[:B...]: QEMU tries each in turn; accepted when one is tcg. */
static bool check_accel(const char *v, char *err, size_t errlen)
{
    if (*v == '\0')
        return text_error(err, errlen, "accel= names no accelerator (use accel=tcg)");
    bool tcg = false;
    for (const char *s = v;;) {
        size_t len = strcspn(s, ":");
        bool known = false;
        for (size_t i = 0; i < sizeof accel_names / sizeof accel_names[0]; i++)
            known = known || word_is(s, len, accel_names[i]);
        if (!known)
            return text_error(err, errlen, "accel=%s: '%.*s' is not an accelerator (use accel=tcg)", v,
                       (int)len, s);
        tcg = tcg || word_is(s, len, "tcg");
        if (s[len] == '\0')
            break;
        s += len + 1;
    }
    if (!tcg)
        return text_error(err, errlen, "accel=%s is not available: ringlab is an emulator (use accel=tcg)",
                   v);
    return true;
}

/* One NAME=VALUE element of len bytes; eq points at its '='. */
static bool check_property(const char *prop, size_t len, const char *eq, char *err,
                           size_t errlen)
{
    size_t nlen = (size_t)(eq - prop);
    size_t vlen = len - nlen - 1;
    char value[64];
    if (vlen >= sizeof value)
        return text_error(err, errlen, "the value of '%.*s' is too long", (int)nlen, prop);
    memcpy(value, eq + 1, vlen);
    value[vlen] = '\0';

    if (word_is(prop, nlen, "type"))
        return name_is_pc(value, vlen) || not_pc(err, errlen, value, vlen);
    const struct machine_prop *mp = NULL;
    for (size_t i = 0; i < N_PROPS; i++)
        if (word_is(prop, nlen, machine_props[i].name))
            mp = &machine_props[i];
    if (mp == NULL) {
        char list[128];
        list_props(list, sizeof list);
        for (size_t i = 0; i < sizeof qemu_only_props / sizeof qemu_only_props[0]; i++)
            if (word_is(prop, nlen, qemu_only_props[i]))
                return text_error(err, errlen,
                           "QEMU's machine property '%.*s' is not supported by ringlab "
                           "(supported: %s)",
                           (int)nlen, prop, list);
        return text_error(err, errlen, "the pc machine has no property '%.*s' (supported: %s)",
                   (int)nlen, prop, list);
    }
    if (mp->kind == PROP_ACCEL)
        return check_accel(value, err, errlen);

    /* QEMU's spellings: a bool takes on/yes/true/y and off/no/false/n;
     * an OnOffAuto takes on, off and auto. */
    bool on, off;
    if (mp->kind == PROP_BOOL) {
        on = !strcmp(value, "on") || !strcmp(value, "yes") || !strcmp(value, "true") ||
             !strcmp(value, "y");
        off = !strcmp(value, "off") || !strcmp(value, "no") || !strcmp(value, "false") ||
              !strcmp(value, "n");
        if (!on && !off)
            return text_error(err, errlen, "%s='%s' is not on or off", mp->name, value);
    } else {
        on = !strcmp(value, "on");
        off = !strcmp(value, "off");
        if (!on && !off && strcmp(value, "auto") != 0)
            return text_error(err, errlen, "%s='%s' is not on, off or auto", mp->name, value);
    }
    if (mp->present && off)
        return text_error(err, errlen, "%s=%s: ringlab's pc always has its %s", mp->name, value,
                   mp->what);
    if (!mp->present && on)
        return text_error(err, errlen, "%s=%s: ringlab's pc has no %s (%s=off is accepted)", mp->name,
                   value, mp->what, mp->name);
    return true;
}

bool options_machine_parse(const char *arg, enum options_help_topic *help_topic, char *err,
                           size_t errlen)
{
    for (const char *s = arg; *s != '\0';) {
        size_t len = strcspn(s, ",");
        const char *eq = memchr(s, '=', len);
        if (len == 0)
            return text_error(err, errlen, "an empty property in '%s'", arg);
        if (word_is(s, len, "help"))
            *help_topic = s == arg ? HELP_MACHINES : HELP_MACHINE_PROPERTIES;
        else if (eq == NULL && s == arg) {
            if (!name_is_pc(s, len))
                return not_pc(err, errlen, s, len);
        } else if (eq == NULL)
            return text_error(err, errlen,
                       "'%.*s' is not NAME=VALUE (only the machine type, first, may come "
                       "without a name)",
                       (int)len, s);
        else if (!check_property(s, len, eq, err, errlen))
            return false;
        s += len;
        if (*s == ',')
            s++;
    }
    return true;
}

void options_machine_print_help(FILE *f, enum options_help_topic topic)
{
    if (topic == HELP_MACHINES) {
        fputs("Supported machines are:\n"
              "pc                   Standard PC (i440FX + PIIX, 1996), the only one\n"
              "pc-i440fx-X.Y        the same machine, by QEMU's versioned names\n",
              f);
        return;
    }
    fputs("pc machine properties ringlab accepts (-machine pc,NAME=VALUE):\n", f);
    for (size_t i = 0; i < N_PROPS; i++) {
        const struct machine_prop *mp = &machine_props[i];
        const char *or_auto = mp->kind == PROP_ON_OFF_AUTO ? " or auto" : "";
        if (mp->kind == PROP_ACCEL)
            fprintf(f, "  %-8s %s\n", mp->name, mp->what);
        else if (mp->present)
            fprintf(f, "  %-8s on%s: the %s\n", mp->name, or_auto, mp->what);
        else
            fprintf(f, "  %-8s off%s: no %s\n", mp->name, or_auto, mp->what);
    }
}
