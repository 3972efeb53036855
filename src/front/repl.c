/* The text debugger's front end (see repl.h): the prompt or the script,
 * the host callbacks through which the interpreter runs the machine, and
 * the symbols it names addresses with. */
#include "front/repl.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <editline/readline.h>

#include "debug/debugger.h"
#include "front/report.h"
#include "inspect.h"
#include "status.h"

#define PROMPT "<ringlab> "

bool repl_script_open(struct repl_script *s, const char *path, char *err, size_t errlen)
{
    memset(s, 0, sizeof *s);
    snprintf(s->path, sizeof s->path, "%s", path);
    struct stat sb;
    s->f = fopen(path, "r");
    if (!s->f || fstat(fileno(s->f), &sb) != 0 || !S_ISREG(sb.st_mode)) {
        snprintf(err, errlen, "--debugger-script: %s: %s", path,
                 s->f ? "not a regular file" : strerror(errno));
        if (s->f)
            fclose(s->f);
        s->f = NULL;
        return false;
    }
    return true;
}

void repl_script_close(struct repl_script *s)
{
    if (s && s->f)
        fclose(s->f);
    if (s)
        s->f = NULL;
}

/* ---- the host: running for the interpreter ---------------------------------- */

struct session {
    const struct repl_config *cfg;
    struct runner *r;
    enum runner_stop last; /* how the last run ended, for the exit status */
    bool ended;
};

static enum debug_run host_result(struct session *s, enum runner_stop stop, struct strbuf *text)
{
    s->last = stop;
    switch (stop) {
    case RUNNER_STOP:
        return DEBUG_RUN_STOPPED;
    case RUNNER_END:
        s->ended = true;
        return DEBUG_RUN_ENDED;
    case RUNNER_BREAK:
    case RUNNER_YIELD: /* the console never asks for it */
        return DEBUG_RUN_BROKEN;
    case RUNNER_QUIT:
        return DEBUG_RUN_QUIT;
    case RUNNER_STUCK:
        strbuf_add(text, "the CPU waits for an interrupt that cannot come (no timer, no more input)\n");
        return DEBUG_RUN_HOST;
    case RUNNER_TIMEOUT:
        strbuf_add(text, "--timeout reached after %.1f s\n", s->cfg->timeout_s);
        return DEBUG_RUN_HOST;
    case RUNNER_INSN_LIMIT:
        strbuf_add(text, "--max-insns reached: %llu instructions executed\n",
                   (unsigned long long)inspect_icount(s->r->m));
        return DEBUG_RUN_HOST;
    }
    return DEBUG_RUN_STOPPED;
}

static enum debug_run host_run(void *opaque, const struct run_request *req, struct run_result *res,
                               struct strbuf *text)
{
    struct session *s = opaque;
    console_raw(s->cfg->console, true);
    enum runner_stop stop = runner_run(s->r, req, res);
    console_raw(s->cfg->console, false);
    return host_result(s, stop, text);
}

static enum debug_run host_step(void *opaque, uint64_t n, bool over, struct run_result *res,
                                struct strbuf *text)
{
    struct session *s = opaque;
    console_raw(s->cfg->console, true);
    enum runner_stop stop = runner_step(s->r, n, over, res);
    console_raw(s->cfg->console, false);
    return host_result(s, stop, text);
}

static void host_type(void *opaque, const char *bytes, size_t len)
{
    struct session *s = opaque;
    console_queue(s->cfg->console, bytes, len);
}

/* ---- symbols ------------------------------------------------------------------- */

static bool read_file(const char *path, uint8_t **data, size_t *size)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return false;
    bool ok = fseek(f, 0, SEEK_END) == 0;
    long n = ok ? ftell(f) : -1;
    ok = n >= 0 && fseek(f, 0, SEEK_SET) == 0 && (*data = malloc(n ? (size_t)n : 1)) != NULL;
    ok = ok && fread(*data, 1, (size_t)n, f) == (size_t)n;
    fclose(f);
    if (!ok)
        return false;
    *size = (size_t)n;
    return true;
}

struct symbols *repl_load_symbols(const char *kernel_path, const char *initrd_path, FILE *note)
{
    struct symbols *syms = symbols_create();
    uint8_t *data = NULL;
    size_t size = 0;
    char err[200];
    if (!syms)
        return NULL;
    if (kernel_path && read_file(kernel_path, &data, &size)) {
        if (!symbols_add_elf(syms, NULL, data, size, err, sizeof err))
            if (note)
                fprintf(note, "(no symbols: %s)\n", err);
        free(data);
    }
    if (initrd_path && read_file(initrd_path, &data, &size)) {
        symbols_add_initrd(syms, data, size);
        free(data);
    }
    return syms;
}

/* ---- the session ------------------------------------------------------------------ */

/* The next command line: from the script, or the terminal's prompt.  NULL
 * at the end. */
static char *next_line(struct session *s, bool *from_script)
{
    struct repl_script *sc = s->cfg->script;
    *from_script = sc != NULL;
    if (!sc)
        return readline(PROMPT);
    char *line = NULL;
    size_t cap = 0;
    ssize_t n = getline(&line, &cap, sc->f);
    if (n < 0) {
        free(line);
        return NULL;
    }
    sc->line++;
    while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
        line[--n] = '\0';
    return line;
}

int repl_main(const struct repl_config *cfg)
{
    struct session s = {.cfg = cfg, .r = cfg->runner, .last = RUNNER_STOP};
    struct debug_host host = {host_run, host_step, host_type, &s};
    struct symbols *syms = repl_load_symbols(cfg->kernel_path, cfg->initrd_path, stdout);
    struct debugger *d = debugger_create(cfg->runner->m, &host, syms);
    if (!d) {
        report_say("out of memory");
        symbols_destroy(syms);
        return RL_EXIT_HOST;
    }
    /* The bundled kernel's programs come with it: its system calls have names. */
    debugger_name_syscalls(d, cfg->initrd_path != NULL);
    debugger_set_vmm(d, cfg->vmm_info, cfg->vmm_opaque);
    struct strbuf out;
    strbuf_init(&out);
    if (!cfg->script)
        printf("ringlab debugger: the guest is stopped at its first instruction; "
               "'help' lists the commands, 'c' runs it (Ctrl-A c comes back here).\n");
    debugger_where(d, &out);
    fputs(strbuf_str(&out), stdout);
    int status = RL_EXIT_POWEROFF;
    bool quit = false;
    for (;;) {
        bool from_script;
        char *line = next_line(&s, &from_script);
        if (!line)
            break;
        if (from_script)
            printf(PROMPT "%s\n", line);
        else if (*line)
            add_history(line);
        fflush(stdout);
        strbuf_clear(&out);
        enum debug_result r = debugger_exec(d, line, &out);
        free(line);
        /* The guest's output and the answer share the terminal: the
         * answer starts on a line of its own. */
        if (s.cfg->console->mid_line && s.cfg->console->out == stdout && out.len) {
            putchar('\n');
            s.cfg->console->mid_line = false;
        }
        fputs(strbuf_str(&out), stdout);
        fflush(stdout);
        if (r == DEBUG_QUIT) {
            quit = true;
            break;
        }
        if (r == DEBUG_ERROR && from_script) {
            /* A script stops at its first bad line. */
            report_say("%s:%u: %.*s", cfg->script->path, cfg->script->line,
                       (int)strcspn(strbuf_str(&out), "\n"), strbuf_str(&out));
            status = RL_EXIT_USAGE;
            goto done;
        }
    }
    if (!cfg->script && !quit)
        putchar('\n'); /* the prompt that saw the end of input */
    status = s.ended || s.last != RUNNER_STOP ? report_exit(s.last, cfg->runner, cfg->qlog,
                                                             cfg->timeout_s)
                                              : RL_EXIT_POWEROFF;
done:
    strbuf_free(&out);
    debugger_destroy(d);
    symbols_destroy(syms);
    return status;
}
