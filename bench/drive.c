/* drive — run an emulator with its console on pipes, type at it and time
 * how long its answers take, for the benchmark (bench/run).
 *
 *   usage: drive [-t SECONDS] [-s SCRIPT] [-o FILE] -- COMMAND [ARG...]
 *
 * SCRIPT has one step a line:
 *   type TEXT     write TEXT and a carriage return to the command's input
 *   expect TEXT   wait until TEXT appears in its output (standard output and
 *                 standard error) after the last `type` (or the start) and
 *                 after the previous `expect`'s match; print "expect
 *                 SECONDS": the time since that `type` or the start
 * TEXT may hold \n, \r and \\.  Without a script (or once it has run out)
 * drive waits for the command to exit; at a script's end it ends the command
 * (SIGTERM).  Last it prints "end SECONDS" (since the start), "maxrss KB",
 * the command's peak resident memory, and "exit N", its exit status (128 + the
 * signal's number when a signal other than drive's SIGTERM ended it).
 *
 * With -o, everything the command wrote is kept in FILE as well.
 * The times are taken when the output is read, with no polling interval:
 * a read blocks until the emulator writes.
 * Exit status: 0 done; 1 an expected text did not come within -t SECONDS
 * (default 120) or the command exited first; 2 bad usage or script. */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* TEXT with its escapes replaced, in place; returns its length. */
static size_t unescape(char *text)
{
    char *out = text;
    for (const char *in = text; *in; in++) {
        if (*in == '\\' && in[1]) {
            in++;
            *out++ = *in == 'n' ? '\n' : *in == 'r' ? '\r' : *in;
        } else {
            *out++ = *in;
        }
    }
    *out = '\0';
    return (size_t)(out - text);
}

/* Output read since the last `type`, kept only as far back as a match of
 * the text being waited for could reach. */
struct output {
    char buf[65536];
    size_t len;
};

static pid_t child;
static int child_out = -1, child_in = -1;
static FILE *copy_to; /* -o FILE */
static int child_exited;
static int child_status;
static struct rusage child_usage;

static void reap(int options)
{
    if (child_exited)
        return;
    if (wait4(child, &child_status, options, &child_usage) == child)
        child_exited = 1;
}

/* Read what the command has written, waiting at most until DEADLINE;
 * returns 0 at its end of output or the deadline. */
static int read_some(struct output *o, size_t keep, double deadline)
{
    if (child_out < 0)
        return 0;
    double left = deadline - now();
    if (left <= 0)
        return 0;
    struct pollfd p = {.fd = child_out, .events = POLLIN};
    int r = poll(&p, 1, (int)(left * 1000) + 1);
    if (r < 0 && errno == EINTR)
        return 1;
    if (r <= 0)
        return 0;
    if (o->len + 4096 > sizeof o->buf) { /* keep the tail a match needs */
        size_t drop = o->len - keep;
        memmove(o->buf, o->buf + drop, keep);
        o->len = keep;
    }
    ssize_t n = read(child_out, o->buf + o->len, sizeof o->buf - o->len);
    if (n <= 0) {
        close(child_out);
        child_out = -1;
        return 0;
    }
    if (copy_to)
        fwrite(o->buf + o->len, 1, (size_t)n, copy_to);
    o->len += (size_t)n;
    return 1;
}

static int expect(struct output *o, const char *text, size_t len, double since, double timeout)
{
    double deadline = now() + timeout;
    for (;;) {
        char *match = memmem(o->buf, o->len, text, len);
        if (match) {
            printf("expect %.6f\n", now() - since);
            fflush(stdout);
            /* the next `expect` looks at what came after this match */
            size_t used = (size_t)(match - o->buf) + len;
            memmove(o->buf, o->buf + used, o->len - used);
            o->len -= used;
            return 0;
        }
        if (!read_some(o, len, deadline)) {
            fprintf(stderr, "drive: '%s' did not come: %s\n", text,
                    child_out < 0 ? "the command's output ended" : "timed out");
            return 1;
        }
    }
}

static void start(char **argv)
{
    int in[2], out[2];
    if (pipe(in) < 0 || pipe(out) < 0) {
        perror("drive: pipe");
        exit(2);
    }
    child = fork();
    if (child < 0) {
        perror("drive: fork");
        exit(2);
    }
    if (child == 0) {
        dup2(in[0], 0);
        dup2(out[1], 1);
        dup2(out[1], 2);
        close(in[0]);
        close(in[1]);
        close(out[0]);
        close(out[1]);
        execvp(argv[0], argv);
        fprintf(stderr, "drive: cannot run %s: %s\n", argv[0], strerror(errno));
        _exit(127);
    }
    close(in[0]);
    close(out[1]);
    child_in = in[1];
    child_out = out[0];
}

int main(int argc, char **argv)
{
    double timeout = 120;
    const char *script_path = NULL;
    int opt;
    while ((opt = getopt(argc, argv, "+t:s:o:")) != -1) {
        if (opt == 't')
            timeout = atof(optarg);
        else if (opt == 'o') {
            if (!(copy_to = fopen(optarg, "w"))) {
                fprintf(stderr, "drive: cannot write %s: %s\n", optarg, strerror(errno));
                return 2;
            }
        }
        else if (opt == 's')
            script_path = optarg;
        else
            goto usage;
    }
    if (optind >= argc || timeout <= 0)
        goto usage;
    FILE *script = NULL;
    if (script_path && !(script = fopen(script_path, "r"))) {
        fprintf(stderr, "drive: cannot read %s: %s\n", script_path, strerror(errno));
        return 2;
    }
    signal(SIGPIPE, SIG_IGN);
    double t0 = now(), since = t0;
    start(argv + optind);
    static struct output o;
    int status = 0;
    char line[4096];
    while (script && fgets(line, sizeof line, script)) {
        line[strcspn(line, "\n")] = '\0';
        if (line[0] == '\0' || line[0] == '#')
            continue;
        if (strncmp(line, "type ", 5) == 0) {
            size_t n = unescape(line + 5);
            line[5 + n] = '\r';
            o.len = 0;
            since = now();
            if (write(child_in, line + 5, n + 1) != (ssize_t)(n + 1)) {
                fprintf(stderr, "drive: the command stopped reading its input\n");
                status = 1;
                break;
            }
        } else if (strncmp(line, "expect ", 7) == 0) {
            size_t n = unescape(line + 7);
            if (expect(&o, line + 7, n, since, timeout) != 0) {
                status = 1;
                break;
            }
        } else {
            fprintf(stderr, "drive: %s: not a step (type TEXT, expect TEXT): %s\n", script_path,
                    line);
            status = 2;
            break;
        }
    }
    if (script) {
        fclose(script);
        close(child_in);
        kill(child, SIGTERM);
    } else {
        close(child_in);
        while (read_some(&o, 0, now() + timeout))
            o.len = 0;
    }
    double end = now();
    reap(0);
    /* what the command wrote while it ended */
    while (copy_to && read_some(&o, 0, now() + 1))
        o.len = 0;
    if (copy_to)
        fclose(copy_to);
    printf("end %.6f\n", end - t0);
    printf("maxrss %ld\n", child_usage.ru_maxrss);
    if (WIFEXITED(child_status))
        printf("exit %d\n", WEXITSTATUS(child_status));
    else if (WIFSIGNALED(child_status))
        printf("exit %d\n", script && WTERMSIG(child_status) == SIGTERM ? 0
                                                                         : 128 + WTERMSIG(child_status));
    return status;
usage:
    fprintf(stderr, "usage: drive [-t SECONDS] [-s SCRIPT] [-o FILE] -- COMMAND [ARG...]\n");
    return 2;
}
