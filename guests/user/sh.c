/* sh — the shell: read a line, split it into words, fork, exec the first
 * word as a program from the initrd with the words as its arguments, and
 * wait for it, unless the line ends with '&'. */
#include "user.h"

#define MAXARGS 16

static int parse(char *line, char **argv, int *background)
{
    int argc = 0;
    *background = 0;
    char *p = line;
    for (;;) {
        while (*p == ' ' || *p == '\t' || *p == '\n')
            *p++ = 0;
        if (!*p)
            break;
        if (*p == '&') {
            *background = 1;
            *p++ = 0;
            continue;
        }
        if (argc < MAXARGS)
            argv[argc++] = p;
        while (*p && *p != ' ' && *p != '\t' && *p != '\n' && *p != '&')
            p++;
    }
    argv[argc] = 0;
    return argc;
}

int main(int argc, char **argv)
{
    static char line[128];
    char *args[MAXARGS + 1];
    int background;

    for (;;) {
        printf("$ ");
        int n = read(0, line, sizeof(line) - 1);
        if (n <= 0)
            exit(0); /* end of input */
        line[n] = 0;
        if (parse(line, args, &background) == 0)
            continue;
        if (strcmp(args[0], "exit") == 0)
            exit(0);
        int pid = fork();
        if (pid < 0) {
            printf("sh: fork failed\n");
            continue;
        }
        if (pid == 0) {
            exec(args[0], args);
            printf("sh: %s: not found\n", args[0]);
            exit(127);
        }
        if (background) {
            printf("[%d]\n", pid);
            continue;
        }
        /* Wait for this job; background jobs that ended meanwhile are
         * reaped quietly on the way. */
        int status, w;
        while ((w = wait(&status)) >= 0 && w != pid)
            ;
    }
}
