/* Unit tests for the command line (src/options.c): every option, QEMU's
 * size syntax, -initrd splitting with ",,", the short form, conflicts, and
 * the one-line messages for bad values. */
#include <check.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "options.h"

static struct options o;
static char err[256];

/* Parse the NULL-terminated argument list after the program name. */
static enum options_result parse(const char *first, ...)
{
    char *argv[64];
    int argc = 0;
    va_list ap;
    argv[argc++] = "ringlab";
    va_start(ap, first);
    for (const char *a = first; a != NULL; a = va_arg(ap, const char *))
        argv[argc++] = (char *)a;
    va_end(ap);
    argv[argc] = NULL;
    options_free(&o);
    memset(err, 0, sizeof err);
    return options_parse(argc, argv, &o, err, sizeof err);
}

static void teardown(void)
{
    options_free(&o);
}

/* The parse fails and the message is exactly `msg`. */
#define ck_fails_with(msg, ...)                                                            \
    do {                                                                                   \
        ck_assert_int_eq(parse(__VA_ARGS__, NULL), OPTIONS_ERROR);                         \
        ck_assert_str_eq(err, msg);                                                        \
    } while (0)

START_TEST(defaults)
{
    ck_assert_int_eq(parse(NULL), OPTIONS_OK);
    ck_assert_ptr_null(o.image);
    ck_assert_uint_eq(o.ram_bytes, 128ull << 20);
    ck_assert_uint_eq(o.module_count, 0);
    ck_assert_ptr_null(o.append);
    ck_assert_int_eq(o.serial.kind, CHARDEV_STDIO);
    ck_assert_int_eq(o.debugcon.kind, CHARDEV_NONE);
    ck_assert_int_eq(o.display, DISPLAY_DEFAULT);
    ck_assert_uint_eq(o.log_items, 0);
    ck_assert_ptr_null(o.log_file);
    ck_assert(!o.no_reboot && !o.debug_exit && !o.nographic);
    ck_assert_uint_eq(o.max_insns, 0);
    ck_assert(o.timeout_sec == 0);
    ck_assert(!o.has_load_addr && !o.realtime && !o.vga_dump);
    ck_assert_str_eq(err, "");
}
END_TEST

/* The OS-course line of the README and the man page, word for word. */
START_TEST(course_line)
{
    ck_assert_int_eq(parse("-kernel", "kernel.elf", "-initrd", "mod1 arg,mod2", "-append",
                           "console=ttyS0", "-m", "128", "-nographic", "-d", "int", "-D",
                           "int.log", "-no-reboot", "-device",
                           "isa-debug-exit,iobase=0xf4,iosize=0x04", NULL),
                     OPTIONS_OK);
    ck_assert_str_eq(o.image, "kernel.elf");
    ck_assert(o.image_is_kernel); /* -kernel: Multiboot only, as QEMU */
    ck_assert_uint_eq(o.module_count, 2);
    ck_assert_str_eq(o.modules[0].path, "mod1");
    ck_assert_str_eq(o.modules[0].cmdline, "mod1 arg");
    ck_assert_str_eq(o.modules[1].path, "mod2");
    ck_assert_str_eq(o.modules[1].cmdline, "mod2");
    ck_assert_str_eq(o.append, "console=ttyS0");
    ck_assert_uint_eq(o.ram_bytes, 128ull << 20);
    ck_assert(o.nographic);
    ck_assert_int_eq(o.display, DISPLAY_NONE);
    ck_assert_int_eq(o.serial.kind, CHARDEV_STDIO);
    ck_assert_uint_eq(o.log_items, OPTIONS_LOG_INT);
    ck_assert_str_eq(o.log_file, "int.log");
    ck_assert(o.no_reboot);
    ck_assert(o.debug_exit);
    ck_assert_uint_eq(o.debug_exit_iobase, 0xf4);
    ck_assert_uint_eq(o.debug_exit_iosize, 4);
}
END_TEST

START_TEST(short_form)
{
    ck_assert_int_eq(parse("kernel.elf", NULL), OPTIONS_OK);
    ck_assert_str_eq(o.image, "kernel.elf");
    ck_assert(!o.image_is_kernel); /* the short form may be a flat binary */
    ck_assert_int_eq(parse("-m", "64", "k.elf", "-nographic", NULL), OPTIONS_OK);
    ck_assert_str_eq(o.image, "k.elf");
    ck_assert_uint_eq(o.ram_bytes, 64ull << 20);
    /* after --, a name that starts with a dash is the image */
    ck_assert_int_eq(parse("--", "-odd.elf", NULL), OPTIONS_OK);
    ck_assert_str_eq(o.image, "-odd.elf");
}
END_TEST

START_TEST(image_conflicts)
{
    ck_fails_with("'b.elf': an IMAGE and -kernel 'a.elf' were both given; use one", "-kernel",
                  "a.elf", "b.elf");
    ck_fails_with("'b.elf': only one IMAGE may be given (already have 'a.elf')", "a.elf",
                  "b.elf");
    ck_fails_with("-initrd: needs a kernel (-kernel FILE)", "-initrd", "m1");
    ck_fails_with("-append: needs a kernel (-kernel FILE)", "-append", "x");
    /* the short form counts as a kernel */
    ck_assert_int_eq(parse("k.elf", "-append", "a b", NULL), OPTIONS_OK);
    ck_assert_str_eq(o.append, "a b");
}
END_TEST

START_TEST(size_syntax)
{
    static const struct {
        const char *arg;
        unsigned long long bytes;
    } ok[] = {
        {"128", 128ull << 20},       {"128M", 128ull << 20},     {"128m", 128ull << 20},
        {"1G", 1ull << 30},          {"1g", 1ull << 30},         {"3G", 3ull << 30},
        {"2M", 2ull << 20},          {"65536K", 64ull << 20},    {"65536k", 64ull << 20},
        {"size=256M", 256ull << 20}, {"size=32", 32ull << 20},   {"1.5G", 3ull << 29},
        {"2.5", 5ull << 19},         {"4194304B", 4ull << 20},   {"4194305b", (4ull << 20) + 4096},
    };
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
        ck_assert_msg(parse("-m", ok[i].arg, NULL) == OPTIONS_OK, "-m %s: %s", ok[i].arg, err);
        ck_assert_msg(o.ram_bytes == ok[i].bytes, "-m %s gave %llu", ok[i].arg,
                      (unsigned long long)o.ram_bytes);
    }
    /* two dashes, and --opt=value, work for QEMU's options as they do in QEMU */
    ck_assert_int_eq(parse("--m=64", NULL), OPTIONS_OK);
    ck_assert_uint_eq(o.ram_bytes, 64ull << 20);
}
END_TEST

START_TEST(size_errors)
{
    ck_fails_with("-m: '12X' is not a size (use e.g. 128, 128M or 1G)", "-m", "12X");
    ck_fails_with("-m: '' is not a size (use e.g. 128, 128M or 1G)", "-m", "");
    ck_fails_with("-m: 'M' is not a size (use e.g. 128, 128M or 1G)", "-m", "M");
    ck_fails_with("-m: '-5' is not a size (use e.g. 128, 128M or 1G)", "-m", "-5");
    ck_fails_with("-m: '1.' is not a size (use e.g. 128, 128M or 1G)", "-m", "1.");
    ck_fails_with("-m: '12MB' is not a size (use e.g. 128, 128M or 1G)", "-m", "12MB");
    ck_fails_with("-m: '1M' is too small (ringlab needs at least 2M)", "-m", "1M");
    ck_fails_with("-m: '0' is too small (ringlab needs at least 2M)", "-m", "0");
    ck_fails_with("-m: '4G' is too large for a 32-bit machine (at most 3G)", "-m", "4G");
    ck_fails_with("-m: '3073' is too large for a 32-bit machine (at most 3G)", "-m", "3073");
    ck_fails_with("-m: '99999999999999999999' is not a size (use e.g. 128, 128M or 1G)", "-m",
                  "99999999999999999999");
    ck_fails_with("-m: '128,slots=2': only the size is supported (no slots= or maxmem=)", "-m",
                  "128,slots=2");
    ck_fails_with("-m: needs an argument (a size, e.g. 128M)", "-m");
}
END_TEST

START_TEST(initrd_splitting)
{
    ck_assert_int_eq(parse("-kernel", "k", "-initrd", "a,b c d,e", NULL), OPTIONS_OK);
    ck_assert_uint_eq(o.module_count, 3);
    ck_assert_str_eq(o.modules[0].path, "a");
    ck_assert_str_eq(o.modules[0].cmdline, "a");
    ck_assert_str_eq(o.modules[1].path, "b");
    ck_assert_str_eq(o.modules[1].cmdline, "b c d");
    ck_assert_str_eq(o.modules[2].path, "e");

    /* ",," is a literal comma, in arguments and in file names */
    ck_assert_int_eq(parse("-kernel", "k", "-initrd", "m1 x=1,,2,m,,2 y", NULL), OPTIONS_OK);
    ck_assert_uint_eq(o.module_count, 2);
    ck_assert_str_eq(o.modules[0].cmdline, "m1 x=1,2");
    ck_assert_str_eq(o.modules[0].path, "m1");
    ck_assert_str_eq(o.modules[1].path, "m,2");
    ck_assert_str_eq(o.modules[1].cmdline, "m,2 y");

    /* ",,," is a comma followed by a separator */
    ck_assert_int_eq(parse("-kernel", "k", "-initrd", "a,,,b", NULL), OPTIONS_OK);
    ck_assert_uint_eq(o.module_count, 2);
    ck_assert_str_eq(o.modules[0].path, "a,");
    ck_assert_str_eq(o.modules[1].path, "b");

    /* a second -initrd replaces the first, as in QEMU */
    ck_assert_int_eq(parse("-kernel", "k", "-initrd", "a,b", "-initrd", "c", NULL), OPTIONS_OK);
    ck_assert_uint_eq(o.module_count, 1);
    ck_assert_str_eq(o.modules[0].path, "c");

    ck_fails_with("-initrd: module 2 has no file name (modules are \"file [args]\", separated "
                  "by commas)",
                  "-kernel", "k", "-initrd", "a,");
    ck_fails_with("-initrd: module 1 has no file name (modules are \"file [args]\", separated "
                  "by commas)",
                  "-kernel", "k", "-initrd", " x");
}
END_TEST

START_TEST(chardevs)
{
    ck_assert_int_eq(parse("-serial", "file:out.txt", NULL), OPTIONS_OK);
    ck_assert_int_eq(o.serial.kind, CHARDEV_FILE);
    ck_assert_str_eq(o.serial.path, "out.txt");
    ck_assert_int_eq(parse("-serial", "none", NULL), OPTIONS_OK);
    ck_assert_int_eq(o.serial.kind, CHARDEV_NONE);
    ck_assert_int_eq(parse("-serial", "null", NULL), OPTIONS_OK);
    ck_assert_int_eq(o.serial.kind, CHARDEV_NULL);
    ck_assert_int_eq(parse("-serial", "mon:stdio", NULL), OPTIONS_OK);
    ck_assert_int_eq(o.serial.kind, CHARDEV_STDIO);
    ck_assert_int_eq(parse("-nographic", NULL), OPTIONS_OK);
    ck_assert_int_eq(o.serial.kind, CHARDEV_STDIO);
    ck_fails_with("-serial: 'pty' is not supported (use stdio, file:PATH, null or none)",
                  "-serial", "pty");
    ck_fails_with("-serial: 'file:' needs a path (file:PATH)", "-serial", "file:");
    ck_fails_with("-serial: given twice; ringlab has one serial port (COM1)", "-serial",
                  "stdio", "-serial", "null");

    ck_assert_int_eq(parse("-debugcon", "stdio", NULL), OPTIONS_OK);
    ck_assert_int_eq(o.debugcon.kind, CHARDEV_STDIO);
    ck_assert_int_eq(parse("-debugcon", "file:e9.log", NULL), OPTIONS_OK);
    ck_assert_int_eq(o.debugcon.kind, CHARDEV_FILE);
    ck_assert_str_eq(o.debugcon.path, "e9.log");
    ck_assert_int_eq(parse("-debugcon", "none", NULL), OPTIONS_OK);
    ck_assert_int_eq(o.debugcon.kind, CHARDEV_NONE);
    ck_fails_with("-debugcon: 'tcp::4444' is not supported (use stdio, file:PATH, null or "
                  "none)",
                  "-debugcon", "tcp::4444");
}
END_TEST

START_TEST(display_and_monitor)
{
    ck_assert_int_eq(parse("-display", "none", NULL), OPTIONS_OK);
    ck_assert_int_eq(o.display, DISPLAY_NONE);
    ck_assert_int_eq(parse("-display", "sdl", NULL), OPTIONS_OK);
    ck_assert_int_eq(o.display, DISPLAY_SDL);
    ck_fails_with("-display: 'gtk' is not available (use sdl or none)", "-display", "gtk");
    ck_fails_with("-nographic: cannot be used with -display", "-nographic", "-display", "sdl");
    ck_assert_int_eq(parse("-monitor", "none", NULL), OPTIONS_OK);
    ck_fails_with("-monitor: 'stdio': ringlab has no QEMU monitor (only -monitor none is "
                  "accepted)",
                  "-monitor", "stdio");
}
END_TEST

START_TEST(log_items)
{
    ck_assert_int_eq(parse("-d", "int,unimp,cpu_reset,guest_errors", NULL), OPTIONS_OK);
    ck_assert_uint_eq(o.log_items, OPTIONS_LOG_INT | OPTIONS_LOG_UNIMP | OPTIONS_LOG_CPU_RESET |
                                       OPTIONS_LOG_GUEST_ERRORS);
    ck_assert_int_eq(parse("-d", "cpu_reset", "-d", "int", NULL), OPTIONS_OK);
    ck_assert_uint_eq(o.log_items, OPTIONS_LOG_INT | OPTIONS_LOG_CPU_RESET);
    ck_fails_with("-d: unknown log item 'bogus' (use -d help)", "-d", "int,bogus");
    ck_fails_with("-d: QEMU's log item 'in_asm' is not supported by ringlab (supported: int, "
                  "unimp, cpu_reset, guest_errors)",
                  "-d", "in_asm");
    ck_fails_with("-d: empty log item in 'int,' (use -d help)", "-d", "int,");
    ck_assert_int_eq(parse("-d", "help", NULL), OPTIONS_HELP);
    ck_assert_int_eq(o.help_topic, HELP_LOG_ITEMS);
    ck_assert_int_eq(parse("-D", "q.log", NULL), OPTIONS_OK);
    ck_assert_str_eq(o.log_file, "q.log");
    ck_fails_with("-D: needs an argument (a log file)", "-D");
}
END_TEST

START_TEST(devices)
{
    ck_assert_int_eq(parse("-device", "isa-debug-exit", NULL), OPTIONS_OK);
    ck_assert(o.debug_exit);
    ck_assert_uint_eq(o.debug_exit_iobase, 0x501);
    ck_assert_uint_eq(o.debug_exit_iosize, 2);
    ck_assert_int_eq(parse("-device", "isa-debug-exit,iosize=1,iobase=244", NULL), OPTIONS_OK);
    ck_assert_uint_eq(o.debug_exit_iobase, 0xf4);
    ck_assert_uint_eq(o.debug_exit_iosize, 1);
    ck_fails_with("-device: ringlab has no device 'e1000' (it knows: isa-debug-exit, isa-debugcon)",
                  "-device", "e1000,netdev=n0");
    ck_fails_with("-device: isa-debug-exit has no property 'foo' (it has: iobase, iosize)",
                  "-device", "isa-debug-exit,foo=1");
    ck_fails_with("-device: isa-debug-exit: iobase='0xzz' is not a number", "-device",
                  "isa-debug-exit,iobase=0xzz");
    ck_fails_with("-device: isa-debug-exit: iosize=8 must be 1 to 4", "-device",
                  "isa-debug-exit,iosize=8");
    ck_fails_with("-device: isa-debug-exit: iobase=0xffff is outside the I/O space", "-device",
                  "isa-debug-exit,iobase=0xffff,iosize=2");
    ck_fails_with("-device: isa-debug-exit: 'iobase' is not NAME=VALUE", "-device",
                  "isa-debug-exit,iobase");
    ck_fails_with("-device: isa-debug-exit given twice", "-device", "isa-debug-exit",
                  "-device", "isa-debug-exit");
    ck_assert_int_eq(parse("-device", "help", NULL), OPTIONS_HELP);
    ck_assert_int_eq(o.help_topic, HELP_DEVICES);
}
END_TEST

START_TEST(accepted_qemu_options)
{
    ck_assert_int_eq(parse("-no-shutdown", "-machine", "pc", "-M", "pc-i440fx-7.2", "-smp",
                           "1", "-cpu", "pentium", "-accel", "tcg", "-net", "none",
                           "-nodefaults", "-machine", "pc,accel=tcg", NULL),
                     OPTIONS_OK);
    ck_assert(o.no_shutdown);
    ck_assert_str_eq(o.cpu_model, "pentium");
    ck_assert_int_eq(o.cpus, 1);
    ck_assert_int_eq(parse("-smp", "2", NULL), OPTIONS_OK);
    ck_assert_int_eq(o.cpus, 2);
    ck_assert_int_eq(parse("-smp", "cpus=4,sockets=2,cores=2", NULL), OPTIONS_OK);
    ck_assert_int_eq(o.cpus, 4);
    ck_assert_int_eq(parse("-smp", "sockets=2,cores=2,threads=2", NULL), OPTIONS_OK);
    ck_assert_int_eq(o.cpus, 8);
    ck_fails_with("-smp: '9': at most 8 CPUs", "-smp", "9");
    ck_fails_with("-smp: '0': cpus=0 is not a number of at least 1", "-smp", "0");
    ck_fails_with("-smp: '2,maxcpus=4': ringlab has no CPU hot-plug (cpus and maxcpus must "
                  "agree)", "-smp", "2,maxcpus=4");
    ck_fails_with("-smp: '4,sockets=3': sockets, cores and threads make 3 CPUs, not 4", "-smp",
                  "4,sockets=3");
    ck_fails_with("-smp: '2,bogus=1': no property 'bogus' (cpus, maxcpus, sockets, cores, "
                  "threads)", "-smp", "2,bogus=1");
    ck_fails_with("-cpu: 'host' is not a 32-bit CPU model ringlab knows (use -cpu help)",
                  "-cpu", "host");
    ck_fails_with("-cpu: 'qemu32,+pae': ringlab does not model the feature 'pae' (it can turn: "
                  "apic, sep, tsc, smep, smap, pse, umip)", "-cpu", "qemu32,+pae");
    ck_fails_with("-cpu: 'max,-pge': ringlab does not model the feature 'pge' (it can turn: "
                  "apic, sep, tsc, smep, smap, pse, umip)", "-cpu", "max,-pge");
    ck_assert_int_eq(parse("-cpu", "qemu32,+smep,smap=on", NULL), OPTIONS_OK);
    ck_assert_uint_eq(o.cpu_features_on, OPTIONS_CPU_SMEP | OPTIONS_CPU_SMAP);
    ck_assert_int_eq(parse("-cpu", "qemu32,-pse,umip=off", NULL), OPTIONS_OK);
    ck_assert_uint_eq(o.cpu_features_off, OPTIONS_CPU_PSE | OPTIONS_CPU_UMIP);
    ck_assert_int_eq(parse("-cpu", "486,+apic,-tsc,sep=off,tsc=on", NULL), OPTIONS_OK);
    ck_assert_str_eq(o.cpu_model, "486");
    ck_assert_uint_eq(o.cpu_features_on, OPTIONS_CPU_APIC | OPTIONS_CPU_TSC);
    ck_assert_uint_eq(o.cpu_features_off, OPTIONS_CPU_SEP);
    ck_assert_int_eq(parse("-cpu", "max", NULL), OPTIONS_OK);
    ck_assert_str_eq(o.cpu_model, "qemu32");
    ck_assert_uint_eq(o.cpu_features_on, OPTIONS_CPU_APIC | OPTIONS_CPU_SEP | OPTIONS_CPU_TSC |
                                             OPTIONS_CPU_SMEP | OPTIONS_CPU_SMAP |
                                             OPTIONS_CPU_PSE | OPTIONS_CPU_UMIP);
    ck_assert_int_eq(parse("-cpu", "max,-apic", NULL), OPTIONS_OK);
    ck_assert_uint_eq(o.cpu_features_off, OPTIONS_CPU_APIC);
    ck_fails_with("-cpu: 'apic': write +FEATURE, -FEATURE or FEATURE=on|off", "-cpu",
                  "qemu32,apic");
    ck_assert_int_eq(parse("-cpu", "help", NULL), OPTIONS_HELP);
    ck_assert_int_eq(o.help_topic, HELP_CPUS);
}
END_TEST

/* -machine as QEMU 7.2 reads it: [type=]TYPE first, then NAME=VALUE
 * properties; the machine is pc whatever it is called, and each property
 * is accepted only when ringlab's pc is what it asks for. */
START_TEST(machine_syntax)
{
    static const char *const good[] = {
        "pc",
        "pc-i440fx-7.2",
        "pc-i440fx-2.0",
        "accel=tcg",
        "type=pc,accel=tcg",
        "pc,accel=tcg",
        "pc,type=pc-i440fx-7.2",
        "accel=kvm:tcg", /* QEMU tries each in turn; ringlab's is tcg */
        "pc,hpet=off,usb=off,sata=no,smbus=false,smm=off,vmport=off,pic=on,pit=on,i8042=on",
        "pc,smm=auto,vmport=auto,pic=auto,pit=auto,hpet=n,i8042=yes",
        "pc,",
        "",
    };
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
        ck_assert_msg(parse("-machine", good[i], NULL) == OPTIONS_OK, "-machine %s: %s", good[i],
                      err);
        ck_assert_msg(parse("-M", good[i], NULL) == OPTIONS_OK, "-M %s: %s", good[i], err);
    }
    ck_fails_with("-machine: 'q35' is not available: ringlab has one machine, 'pc'", "-machine",
                  "q35");
    ck_fails_with("-M: 'isapc' is not available: ringlab has one machine, 'pc'", "-M",
                  "type=isapc");
    ck_fails_with("-machine: 'q35' is not available: ringlab has one machine, 'pc'", "-machine",
                  "pc,type=q35,accel=tcg");
    ck_fails_with("-machine: 'pc-i440fx-x' is not available: ringlab has one machine, 'pc'",
                  "-machine", "pc-i440fx-x");
    ck_fails_with("-machine: accel=kvm is not available: ringlab is an emulator (use accel=tcg)",
                  "-machine", "accel=kvm");
    ck_fails_with("-M: accel=kvm:hvf is not available: ringlab is an emulator (use accel=tcg)",
                  "-M", "pc,accel=kvm:hvf");
    ck_fails_with("-machine: accel= names no accelerator (use accel=tcg)", "-machine",
                  "pc,accel=");
    ck_fails_with("-machine: hpet=on: ringlab's pc has no HPET (hpet=off is accepted)",
                  "-machine", "pc,accel=tcg,hpet=on");
    ck_fails_with("-machine: usb=yes: ringlab's pc has no USB controller (usb=off is accepted)",
                  "-machine", "usb=yes");
    ck_fails_with("-machine: pic=off: ringlab's pc always has its 8259A PICs", "-machine",
                  "pc,pic=off");
    ck_fails_with("-machine: i8042=off: ringlab's pc always has its PS/2 controller",
                  "-machine", "pc,i8042=off");
    ck_fails_with("-machine: hpet='maybe' is not on or off", "-machine", "pc,hpet=maybe");
    ck_fails_with("-machine: pic='no' is not on, off or auto", "-machine", "pc,pic=no");
    ck_fails_with("-machine: QEMU's machine property 'acpi' is not supported by ringlab "
                  "(supported: accel, hpet, usb, sata, smbus, smm, vmport, pic, pit, i8042)",
                  "-machine", "pc,acpi=off");
    ck_fails_with("-M: the pc machine has no property 'bogus' (supported: accel, hpet, usb, "
                  "sata, smbus, smm, vmport, pic, pit, i8042)",
                  "-M", "pc,bogus=1");
    ck_fails_with("-machine: 'pc' is not NAME=VALUE (only the machine type, first, may come "
                  "without a name)",
                  "-machine", "accel=tcg,pc");
    ck_fails_with("-machine: 'hpet' is not NAME=VALUE (only the machine type, first, may come "
                  "without a name)",
                  "-machine", "pc,hpet");
    ck_fails_with("-machine: an empty property in 'pc,,hpet=off'", "-machine", "pc,,hpet=off");
    ck_assert_int_eq(parse("-machine", "help", NULL), OPTIONS_HELP);
    ck_assert_int_eq(o.help_topic, HELP_MACHINES);
    ck_assert_int_eq(parse("-M", "pc,help", NULL), OPTIONS_HELP);
    ck_assert_int_eq(o.help_topic, HELP_MACHINE_PROPERTIES);
}
END_TEST

START_TEST(disks)
{
    /* xv6's make qemu-nox line: the slave first, then the master. */
    ck_assert_int_eq(parse("-drive", "file=fs.img,index=1,media=disk,format=raw", "-drive",
                           "file=xv6.img,index=0,media=disk,format=raw", NULL),
                     OPTIONS_OK);
    ck_assert_str_eq(o.drives[0].path, "xv6.img");
    ck_assert_str_eq(o.drives[1].path, "fs.img");
    ck_assert(!o.drives[0].snapshot && !o.drives[1].snapshot);
    /* No index: the first free one; ",," is a comma in the name. */
    ck_assert_int_eq(parse("-hdb", "b.img", "-drive", "file=a,,b.img,snapshot=on", NULL),
                     OPTIONS_OK);
    ck_assert_str_eq(o.drives[0].path, "a,b.img");
    ck_assert(o.drives[0].snapshot);
    ck_assert_str_eq(o.drives[1].path, "b.img");
    ck_assert_int_eq(parse("-bios", "rom.bin", NULL), OPTIONS_OK);
    ck_assert_str_eq(o.bios, "rom.bin");
    ck_fails_with("-drive: format=qcow2: ringlab reads raw images only (format=raw)", "-drive",
                  "file=x,format=qcow2");
    ck_fails_with("-drive: media=cdrom: ringlab has hard disks only (media=disk)", "-drive",
                  "file=x,media=cdrom");
    ck_fails_with("-drive: if=virtio: ringlab's disks are on IDE only (if=ide)", "-drive",
                  "file=x,if=virtio");
    ck_fails_with("-drive: index=2: ringlab has the primary IDE channel only (index 0 and 1)",
                  "-drive", "file=x,index=2");
    ck_fails_with("-drive: 'index=0,media=disk': no file=", "-drive", "index=0,media=disk");
    ck_fails_with("-drive: 'bogus' is not a property ringlab's disks have", "-drive",
                  "file=x,bogus=1");
    ck_fails_with("-drive: snapshot=maybe: use on or off", "-drive", "file=x,snapshot=maybe");
    ck_fails_with("-hda: index=0 is given twice", "-drive", "file=x,index=0", "-hda", "y");
    ck_fails_with("-drive: ringlab's IDE channel has room for 2 disks", "-hda", "x", "-hdb", "y",
                  "-drive", "file=z");
    ck_fails_with("-hda: the file name is empty", "-hda", "");
    ck_fails_with("-bios: the file name is empty", "-bios", "");
}
END_TEST

START_TEST(debugcon_device)
{
    /* The line test harnesses use for POST codes; -chardev may come after. */
    ck_assert_int_eq(parse("-device", "isa-debugcon,iobase=0x190,chardev=post", "-chardev",
                           "file,id=post,path=post.txt", NULL),
                     OPTIONS_OK);
    ck_assert_int_eq(o.debugcon_port, 0x190);
    ck_assert_int_eq(o.debugcon.kind, CHARDEV_FILE);
    ck_assert_str_eq(o.debugcon.path, "post.txt");
    ck_assert_int_eq(parse("-chardev", "stdio,id=c", "-device", "isa-debugcon,chardev=c", NULL),
                     OPTIONS_OK);
    ck_assert_int_eq(o.debugcon_port, 0xE9);
    ck_assert_int_eq(o.debugcon.kind, CHARDEV_STDIO);
    ck_assert_int_eq(parse("-device", "isa-debugcon", NULL), OPTIONS_OK);
    ck_assert_int_eq(o.debugcon.kind, CHARDEV_NULL);
    ck_assert_int_eq(parse("-debugcon", "stdio", NULL), OPTIONS_OK);
    ck_assert_int_eq(o.debugcon_port, 0xE9);
    ck_fails_with("-device isa-debugcon: chardev=x: no -chardev has id=x", "-device",
                  "isa-debugcon,chardev=x");
    ck_fails_with("-device: isa-debugcon: iobase=0x10000 is not a port (0 to 0xffff)", "-device",
                  "isa-debugcon,iobase=0x10000");
    ck_fails_with("-device: isa-debugcon has no property 'bogus' (it has: iobase, chardev)",
                  "-device", "isa-debugcon,bogus=1");
    ck_fails_with("-device isa-debugcon and -debugcon both given; ringlab has one debug console",
                  "-debugcon", "stdio", "-device", "isa-debugcon");
    ck_fails_with("-chardev: file,id=f: needs path=FILE", "-chardev", "file,id=f");
    ck_fails_with("-chardev: 'file,path=x': no id=", "-chardev", "file,path=x");
    ck_fails_with("-chardev: 'socket': ringlab's backends are file, stdio and null", "-chardev",
                  "socket,id=s");
    ck_fails_with("-chardev: id=a is given twice", "-chardev", "null,id=a", "-chardev",
                  "stdio,id=a");
}
END_TEST

START_TEST(refused_qemu_options)
{
    ck_fails_with("-enable-kvm: KVM is not available: ringlab is an emulator", "-enable-kvm");
    ck_fails_with("-accel: 'kvm' is not available: ringlab is an emulator (no KVM, HVF or WHPX)",
                  "-accel", "kvm");
    ck_fails_with("-cdrom: ringlab has hard disks only (use -drive or -hda)", "-cdrom", "x.iso");
    ck_fails_with("-bogus: unknown option", "-bogus");
    ck_fails_with("--bogus: unknown option", "--bogus=1");
    ck_fails_with("--no-reboot: takes no argument", "--no-reboot=1");
    ck_fails_with("-kernel: needs an argument (a kernel file)", "-kernel");
    ck_fails_with("-kernel: the file name is empty", "-kernel", "");
}
END_TEST

START_TEST(own_options)
{
    ck_assert_int_eq(parse("--trace", "t.jsonl", "--max-insns", "1000000", "--timeout", "2.5",
                           "--realtime", "--vga-dump", "--load-addr", "0x100000", NULL),
                     OPTIONS_OK);
    ck_assert_str_eq(o.trace_file, "t.jsonl");
    ck_assert_uint_eq(o.max_insns, 1000000);
    ck_assert(o.timeout_sec > 2.4999 && o.timeout_sec < 2.5001);
    ck_assert(o.realtime && o.vga_dump);
    ck_assert(o.has_load_addr);
    ck_assert_uint_eq(o.load_addr, 0x100000);

    ck_assert_int_eq(parse("--trace=x.jsonl", "--max-insns=0x10", "--timeout=10",
                           "--load-addr=0", NULL),
                     OPTIONS_OK);
    ck_assert_str_eq(o.trace_file, "x.jsonl");
    ck_assert_uint_eq(o.max_insns, 16);
    ck_assert(o.timeout_sec == 10.0);
    ck_assert(o.has_load_addr);
    ck_assert_uint_eq(o.load_addr, 0);
    ck_assert_int_eq(parse("--timeout", ".25", NULL), OPTIONS_OK);
    ck_assert(o.timeout_sec == 0.25);

    ck_fails_with("--max-insns: '0' is not a positive whole number of instructions",
                  "--max-insns", "0");
    ck_fails_with("--max-insns: '12k' is not a positive whole number of instructions",
                  "--max-insns", "12k");
    ck_fails_with("--max-insns: '-3' is not a positive whole number of instructions",
                  "--max-insns", "-3");
    ck_fails_with("--timeout: 'soon' is not a number of seconds (use e.g. 10 or 2.5)",
                  "--timeout", "soon");
    ck_fails_with("--timeout: '1e3' is not a number of seconds (use e.g. 10 or 2.5)",
                  "--timeout", "1e3");
    ck_fails_with("--timeout: '0' must be more than 0 and at most 10000000 seconds",
                  "--timeout", "0");
    ck_fails_with("--load-addr: '0x100000000' is not a 32-bit address (use e.g. 0x100000)",
                  "--load-addr", "0x100000000");
    ck_fails_with("--trace: needs an argument (a file for JSON lines)", "--trace");
    ck_fails_with("-trace: ringlab's own options take two dashes (--trace)", "-trace", "x");
}
END_TEST

/* The gdb stub as QEMU spells it: an OS course's `make qemu-gdb` line. */
START_TEST(gdb_stub)
{
    ck_assert_int_eq(parse("-kernel", "k.elf", "-s", "-S", NULL), OPTIONS_OK);
    ck_assert(o.gdb && o.start_stopped);
    ck_assert_uint_eq(o.gdb_port, 1234);
    ck_assert_ptr_null(o.gdb_host);
    ck_assert_int_eq(parse("-S", "-gdb", "tcp::26000", NULL), OPTIONS_OK);
    ck_assert(o.gdb && o.start_stopped);
    ck_assert_uint_eq(o.gdb_port, 26000);
    ck_assert_int_eq(parse("-gdb", "tcp:127.0.0.1:4321,server,nowait", NULL), OPTIONS_OK);
    ck_assert_str_eq(o.gdb_host, "127.0.0.1");
    ck_assert_uint_eq(o.gdb_port, 4321);
    ck_assert(!o.start_stopped);
    ck_assert_int_eq(parse("-s", "-gdb", "none", NULL), OPTIONS_OK);
    ck_assert(!o.gdb);
    ck_fails_with("-gdb: 'unix:/tmp/s' is not something ringlab's stub listens on (tcp::PORT or "
                  "tcp:HOST:PORT)", "-gdb", "unix:/tmp/s");
    ck_fails_with("-gdb: 'tcp:1234' has no port (use tcp::1234)", "-gdb", "tcp:1234");
    ck_fails_with("-gdb: '70000' is not a TCP port (1 to 65535)", "-gdb", "tcp::70000");
    ck_fails_with("-gdb: 'reconnect=1' is not a switch ringlab's stub takes (server, nowait, "
                  "ipv4, nodelay)", "-gdb", "tcp::1234,reconnect=1");
    ck_fails_with("-S: the CPU would wait for a debugger: give -s or -gdb tcp::PORT too (or use "
                  "--debugger)", "-S");
    ck_fails_with("--debugger: one debugger at a time: the gdb stub or the text debugger", "-s",
                  "--debugger");
}
END_TEST

START_TEST(record_and_history)
{
    ck_assert_int_eq(parse(NULL), OPTIONS_OK);
    ck_assert_uint_eq(o.snapshot_every, OPTIONS_SNAPSHOT_EVERY_DEFAULT);
    ck_assert_uint_eq(o.snapshot_budget, OPTIONS_SNAPSHOT_BUDGET_DEFAULT);
    ck_assert_int_eq(parse("--record", "in.rec", "--snapshot-every", "5000", "--snapshot-budget",
                           "64M", NULL),
                     OPTIONS_OK);
    ck_assert_str_eq(o.record_file, "in.rec");
    ck_assert_uint_eq(o.snapshot_every, 5000);
    ck_assert_uint_eq(o.snapshot_budget, 64u << 20);
    ck_assert_int_eq(parse("--replay=in.rec", "--snapshot-budget=0", NULL), OPTIONS_OK);
    ck_assert_str_eq(o.replay_file, "in.rec");
    ck_assert_uint_eq(o.snapshot_budget, 0);
    ck_fails_with("--replay: cannot be used with --record", "--record", "a", "--replay", "b");
    ck_fails_with("--record: a recording needs the virtual clock, not --realtime", "--record",
                  "a", "--realtime");
    ck_fails_with("--snapshot-every: '10' is not a number of instructions of at least 1000",
                  "--snapshot-every", "10");
    ck_fails_with("--snapshot-budget: '100K' is too small for snapshots (at least 1M; 0 keeps "
                  "none)", "--snapshot-budget", "100K");
    ck_fails_with("--snapshot-budget: 'lots' is not a size (use e.g. 64M or 1G; 0 keeps no "
                  "history)", "--snapshot-budget", "lots");
    ck_fails_with("--record: the file name is empty", "--record", "");
}
END_TEST

START_TEST(help_and_version)
{
    ck_assert_int_eq(parse("-h", NULL), OPTIONS_HELP);
    ck_assert_int_eq(o.help_topic, HELP_USAGE);
    ck_assert_int_eq(parse("--help", NULL), OPTIONS_HELP);
    ck_assert_int_eq(parse("-help", NULL), OPTIONS_HELP);
    ck_assert_int_eq(parse("--version", NULL), OPTIONS_VERSION);
    ck_assert_int_eq(parse("-version", NULL), OPTIONS_VERSION);
    /* help wins over a bad value that comes after it is read */
    ck_assert_int_eq(parse("k.elf", "--help", NULL), OPTIONS_HELP);
}
END_TEST

/* The help text lists every option and every exit status. */
START_TEST(help_text)
{
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    ck_assert_ptr_nonnull(f);
    options_print_help(f);
    fclose(f);
    static const char *const must[] = {
        "-kernel",   "-initrd",      "-append",    "-m SIZE",     "-nographic", "-display",
        "-serial",   "-monitor",     "-d ITEMS",   "-D FILE",     "-no-reboot", "-no-shutdown",
        "-device isa-debug-exit",    "-debugcon",  "-cpu",        "-machine",   "-smp",
        "-enable-kvm", "-gdb tcp:",  "-s ",       "-S ",        "--record",   "--replay",
        "--snapshot-every",          "--snapshot-budget",        "--trace",    "--max-insns", "--timeout",  "--realtime",
        "--vga-dump", "--load-addr", "--help",     "--version",   "(V << 1) | 1",
        "\n  0 ",    "\n  2 ",       "\n  4 ",     "\n  6 ",      "\n  8 ",     "\n  10 ",    "\n  12 ",
    };
    for (size_t i = 0; i < sizeof must / sizeof must[0]; i++)
        ck_assert_msg(strstr(text, must[i]) != NULL, "--help lacks '%s'", must[i]);
    free(text);

    text = NULL;
    f = open_memstream(&text, &len);
    options_print_help_topic(f, HELP_LOG_ITEMS);
    fclose(f);
    ck_assert_ptr_nonnull(strstr(text, "int "));
    ck_assert_ptr_nonnull(strstr(text, "cpu_reset"));
    ck_assert_ptr_nonnull(strstr(text, "unimp"));
    free(text);

    text = NULL;
    f = open_memstream(&text, &len);
    options_print_help_topic(f, HELP_MACHINES);
    options_print_help_topic(f, HELP_MACHINE_PROPERTIES);
    fclose(f);
    ck_assert_ptr_nonnull(strstr(text, "\npc "));
    ck_assert_ptr_nonnull(strstr(text, "  accel "));
    ck_assert_ptr_nonnull(strstr(text, "  i8042 "));
    free(text);
}
END_TEST

static Suite *options_suite(void)
{
    Suite *s = suite_create("options");
    TCase *tc = tcase_create("parse");
    tcase_add_checked_fixture(tc, NULL, teardown);
    tcase_add_test(tc, defaults);
    tcase_add_test(tc, course_line);
    tcase_add_test(tc, short_form);
    tcase_add_test(tc, image_conflicts);
    tcase_add_test(tc, size_syntax);
    tcase_add_test(tc, size_errors);
    tcase_add_test(tc, initrd_splitting);
    tcase_add_test(tc, chardevs);
    tcase_add_test(tc, display_and_monitor);
    tcase_add_test(tc, log_items);
    tcase_add_test(tc, devices);
    tcase_add_test(tc, accepted_qemu_options);
    tcase_add_test(tc, machine_syntax);
    tcase_add_test(tc, disks);
    tcase_add_test(tc, debugcon_device);
    tcase_add_test(tc, refused_qemu_options);
    tcase_add_test(tc, own_options);
    tcase_add_test(tc, gdb_stub);
    tcase_add_test(tc, record_and_history);
    tcase_add_test(tc, help_and_version);
    tcase_add_test(tc, help_text);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(options_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
