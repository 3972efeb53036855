/* The Popek-Goldberg audit: every instruction of a catalogue executed from
 * fresh machine states at CPL 0, 1 and 3 (and in virtual-8086 mode where
 * IOPL or UMIP decide), and classified by what was seen (Popek and
 * Goldberg, CACM 17(7), 1974; Robin and Irvine, USENIX Security 2000):
 *
 *   privileged    it traps at every CPL > 0 and not at CPL 0;
 *   sensitive     it does not trap at some CPL > 0, and there either its
 *                 effect on privileged state differs from CPL 0's
 *                 (control-sensitive: POPF leaving IF alone) or its result
 *                 differs from CPL 0's, or from the same CPL's run on a
 *                 machine whose privileged configuration was moved
 *                 (behaviour-sensitive: PUSH CS, SGDT);
 *   innocuous     neither.
 *
 * The states, the comparison and the catalogue are described where they
 * are built (audit_rig.c, audit.c, audit_catalogue.c); docs/popek-goldberg.md
 * sets the result beside Robin and Irvine's list. */
#ifndef RINGLAB_AUDIT_H
#define RINGLAB_AUDIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* Where an instruction is executed. */
enum audit_ctx { CTX_CPL0, CTX_CPL1, CTX_CPL3, CTX_V86, CTX_COUNT };

/* The machine as it stands before the instruction: the first set-up, or
 * the same one with its privileged configuration moved the way a monitor
 * moves it (descriptor tables at other addresses, other LDT and TSS
 * selectors, CR0.TS set, EFLAGS.IF set). */
enum audit_config { CONFIG_NATIVE, CONFIG_MOVED };

/* What one execution did. */
#define AUDIT_STACK_BYTES 16
#define AUDIT_SCRATCH_BYTES 16
struct audit_outcome {
    bool measured;  /* false: the row does not run in this context */
    bool trapped;   /* the instruction raised an exception */
    int vector;
    bool has_error_code;
    uint32_t error_code;
    /* Its result, where the program can see it (when not trapped):
     * general registers but ESP (0 when unchanged, gpr_changed says
     * which changed); ESP and EIP as moved (when SS or CS did
     * not change) or as loaded; the selectors (CS and SS as 0 when
     * unchanged); the status flags; the top of the stack and the scratch
     * memory the instruction may store to. */
    uint32_t gpr[8];
    uint8_t gpr_changed;
    uint32_t esp, eip;
    bool esp_loaded, eip_loaded;
    uint16_t cs, ss, ds, es, fs, gs;
    uint32_t flags;
    uint8_t stack[AUDIT_STACK_BYTES];
    uint8_t scratch[AUDIT_SCRATCH_BYTES];
    /* Privileged state before and after. */
    struct audit_priv {
        uint32_t eflags_sys; /* IF, IOPL, VM */
        uint32_t cr0, cr3, cr4;
        uint32_t gdt_base, idt_base;
        uint16_t gdt_limit, idt_limit, ldtr, tr;
    } before, after;
};

/* How a row's set-up changes the fresh state (audit_rig.c). */
struct audit_state_ops {
    void *rig;
    uint32_t *gpr;    /* the state's general registers */
    uint32_t *eflags;
    uint32_t cr0, cr4; /* the state's, for a row that writes them back */
    uint16_t own_cs, own_ss; /* the context's code and stack selectors */
    /* Push a doubleword onto the context's stack before the instruction. */
    void (*push)(struct audit_state_ops *ops, uint32_t value);
    void (*set_cr4)(struct audit_state_ops *ops, uint32_t bits);
};

/* One row of the catalogue. */
struct audit_insn {
    const char *name;    /* "POPF" */
    const char *operand; /* what the experiment gives it, in words */
    uint8_t code32[16], len32;
    uint8_t code16[16], len16; /* virtual-8086 mode; len16 0: not run there */
    /* Set the registers and memory the instruction reads (NULL: none).
     * Virtual-8086 mode runs the code16 bytes. */
    void (*setup)(struct audit_state_ops *ops, enum audit_ctx ctx);
    bool robin_irvine; /* on Robin and Irvine's list of seventeen */
};

enum audit_verdict { VERDICT_PRIVILEGED, VERDICT_SENSITIVE, VERDICT_INNOCUOUS, VERDICT_UNCLEAR };

struct audit_row {
    const struct audit_insn *insn;
    struct audit_outcome out[CTX_COUNT];          /* the native configuration */
    struct audit_outcome moved[CTX_COUNT];        /* the moved one, CPL > 0 */
    enum audit_verdict verdict;
    bool control_sensitive, behaviour_sensitive;
    char evidence[336];
    bool fixed_by_umip; /* with --umip: sensitive without it, privileged with it */
};

extern const struct audit_insn audit_catalogue[];
extern const size_t audit_catalogue_size;

struct audit_rig;
/* A machine to run the experiments on.  NULL after one line in err. */
struct audit_rig *audit_rig_open(char *err, size_t errlen);
void audit_rig_close(struct audit_rig *r);
/* Execute one instruction from a fresh state; false after one line in err
 * when the machine itself failed. */
bool audit_rig_run(struct audit_rig *r, const struct audit_insn *insn, enum audit_ctx ctx,
                   enum audit_config cfg, bool umip, struct audit_outcome *out, char *err,
                   size_t errlen);

/* Run and classify the whole catalogue (rows: audit_catalogue_size of
 * them).  With umip, CR4.UMIP is set in every state, and rows that it
 * turns from sensitive into privileged say so. */
bool audit_run(struct audit_row *rows, bool umip, char *err, size_t errlen);
/* Classify one row from its outcomes (pure). */
void audit_classify(struct audit_row *row);

const char *audit_verdict_name(enum audit_verdict v);
const char *audit_ctx_name(enum audit_ctx c);
/* "ok", "#GP(0x0008)", "#UD", "-" */
void audit_cell(const struct audit_outcome *o, char *buf, size_t n);

enum audit_format { FORMAT_TABLE, FORMAT_CSV, FORMAT_JSON, FORMAT_MARKDOWN };
void audit_print(FILE *f, const struct audit_row *rows, size_t n, bool umip,
                 enum audit_format format);

#endif
