/* `ringlab pg audit [--umip] [--format table|csv|json|markdown]`: its
 * arguments, its help and its exit status. */
#include "vmm/pg_command.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "front/report.h"
#include "status.h"
#include "vmm/audit.h"

static void pg_help(FILE *f)
{
    fputs("Usage: ringlab pg audit [--umip] [--format table|csv|json|markdown]\n"
          "       ringlab pg vmm --strategy trap|bt [ringlab options]\n"
          "       ringlab pg vmm --strategy pv [ringlab options]\n"
          "       ringlab pg vmm --strategy hw [--vmcs] [--exit-on LIST] [ringlab options]\n"
          "\n"
          "The Popek-Goldberg audit: each instruction of the catalogue (the IA-32 system\n"
          "instructions and Robin and Irvine's sensitive ones) is executed from fresh\n"
          "machine states at CPL 0, 1 and 3, and in virtual-8086 mode where IOPL or\n"
          "UMIP decide, with IOPL 0; then again at CPL 1 and 3 on a machine whose\n"
          "descriptor tables, LDT and TSS selectors, CR0.TS and EFLAGS.IF were moved.\n"
          "Each row is classified by what was seen:\n"
          "  privileged   traps at every CPL > 0, not at CPL 0\n"
          "  sensitive    runs without a trap at a CPL > 0 and there changes the\n"
          "               privileged state otherwise than at CPL 0 (control), or gives\n"
          "               another result than at CPL 0 or on the moved machine (behaviour)\n"
          "  innocuous    neither\n"
          "with the trap or the two differing results as evidence.\n"
          "\n"
          "  --umip         set CR4.UMIP in every state, and mark the rows it makes privileged\n"
          "  --format F     table (aligned columns, the default), csv, json or markdown\n"
          "  -h, --help     this text\n"
          "\n"
          "Exit status: 0 the audit ran, 2 a wrong argument, 10 the machine failed.\n"
          "\n"
          "pg vmm runs the guest (the bundled kernel unless ringlab's options name\n"
          "another) under a monitor in ringlab's host code, ring -1:\n"
          "  --strategy trap  trap-and-emulate: the guest kernel runs deprivileged at\n"
          "                 real ring 1 (a shadow GDT with its ring-0 descriptors made\n"
          "                 DPL 1, its own IDT, a shadow TSS without an I/O bit map,\n"
          "                 shadow page tables filled from the kernel's by hidden\n"
          "                 page faults, which keep its Accessed and Dirty bits);\n"
          "                 each privileged instruction traps and is emulated against\n"
          "                 a virtual CPU; the sensitive instructions that do not trap\n"
          "                 (POPF, MOV from CS, SGDT, LAR, ...) are found by a scan of\n"
          "                 the kernel's functions and watched; the report names where\n"
          "                 the guest could tell (POPF or IRET leaving IF alone at\n"
          "                 ring 1, CS's RPL 1, the shadow GDT, ...) with the place\n"
          "  --strategy bt  binary translation over the trap monitor: before a block of\n"
          "                 the kernel's code first runs it is scanned (Capstone) for\n"
          "                 the sensitive instructions that do not trap (POPF, PUSHF,\n"
          "                 IRET, PUSH CS, LAR, SGDT, ...), and each is executed\n"
          "                 against the virtual CPU; the report adds the blocks\n"
          "                 scanned, the intercepts by kind and a native run; an\n"
          "                 IRET with NT set or to virtual-8086 mode stops the run\n"
          "                 (status 12), named in the report\n"
          "  --strategy pv  paravirtualization, as 32-bit Xen ran its guests at ring 1:\n"
          "                 the kernel built with -DPV (kernel-pv.elf, the default image)\n"
          "                 runs at real ring 1 and makes a hypercall (int $0x82, EAX\n"
          "                 the number, EBX/ECX/EDX the arguments) for each privileged\n"
          "                 instruction; the report counts them, names what still\n"
          "                 trapped, and runs the same session on the native kernel\n"
          "  --strategy hw  hardware assistance in the style of VT-x: the guest kernel runs\n"
          "                 unmodified at ring 0 in non-root mode; the events the exit\n"
          "                 controls name leave it for the monitor, which counts them\n"
          "                 and resumes it\n"
          "  --vmcs         print the exit controls first\n"
          "  --exit-on LIST the exceptions that exit (pf, gp, ud, ...) and irq for\n"
          "                 external interrupts, comma-separated; none: no exits\n"
          "                 (default: pf,irq, a monitor that shadows the page tables)\n"
          "The run ends with a report on stderr: how the guest ended, the traps or exits\n"
          "by cause, the instructions and the time, for trap and bt the failures of the\n"
          "deception seen, for pv the privileged instructions left (lines with FAILED),\n"
          "for bt and hw a native run of the same session beside.  The exit status is\n"
          "the plain run's.  With -display sdl the view shows a monitor panel for each\n"
          "strategy: ring -1 above ring 0, the virtual CPU beside the real one, the\n"
          "traps, exits, intercepts (bt) or hypercalls (pv) by cause, the latest; the\n"
          "view's run and the debugger's have no native run beside.  `info vmm` answers\n"
          "under --debugger, in the view's script and through the gdb stub's `monitor`.\n"
          "trap, bt and pv keep one virtual CPU: with -smp 2 or more they refuse to\n"
          "start (status 2); hw runs any number of CPUs.\n",
          f);
}

static int pg_audit(int argc, char **argv)
{
    bool umip = false;
    enum audit_format format = FORMAT_TABLE;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *value = NULL;
        if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            pg_help(stdout);
            return RL_EXIT_POWEROFF;
        } else if (strcmp(a, "--umip") == 0) {
            umip = true;
            continue;
        } else if (strncmp(a, "--format=", 9) == 0) {
            value = a + 9;
        } else if (strcmp(a, "--format") == 0) {
            if (i + 1 >= argc) {
                report_say("pg audit: --format needs a value: table, csv, json or markdown "
                           "(try 'ringlab pg --help')");
                return RL_EXIT_USAGE;
            }
            value = argv[++i];
        } else {
            report_say("pg audit: unknown argument '%s' (try 'ringlab pg --help')", a);
            return RL_EXIT_USAGE;
        }
        static const char *const names[] = {"table", "csv", "json", "markdown"};
        bool found = false;
        for (int f = 0; f < 4; f++)
            if (strcmp(value, names[f]) == 0) {
                format = (enum audit_format)f;
                found = true;
            }
        if (!found) {
            report_say("pg audit: --format '%s': use table, csv, json or markdown", value);
            return RL_EXIT_USAGE;
        }
    }
    struct audit_row *rows = calloc(audit_catalogue_size, sizeof *rows);
    char err[256] = "";
    if (!rows) {
        report_say("pg audit: out of memory");
        return RL_EXIT_HOST;
    }
    if (!audit_run(rows, umip, err, sizeof err)) {
        report_say("pg audit: %s", err);
        free(rows);
        return RL_EXIT_HOST;
    }
    audit_print(stdout, rows, audit_catalogue_size, umip, format);
    free(rows);
    return fflush(stdout) == 0 ? RL_EXIT_POWEROFF : RL_EXIT_HOST;
}

int pg_command(int argc, char **argv)
{
    if (argc < 2) {
        report_say("pg: name a subcommand: audit or vmm (try 'ringlab pg --help')");
        return RL_EXIT_USAGE;
    }
    if (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0) {
        pg_help(stdout);
        return RL_EXIT_POWEROFF;
    }
    if (strcmp(argv[1], "audit") == 0)
        return pg_audit(argc - 1, argv + 1);
    report_say("pg: unknown subcommand '%s': audit or vmm (try 'ringlab pg --help')", argv[1]);
    return RL_EXIT_USAGE;
}
