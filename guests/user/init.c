/* init — the first process (pid 1). It starts the shell, starts it again if
 * it ever exits, and collects every orphan the kernel hands it. */
#include "user.h"

int main(int argc, char **argv)
{
    char *sh_argv[] = {"sh", 0};
    for (;;) {
        int pid = fork();
        if (pid < 0) {
            printf("init: fork failed\n");
            exit(1);
        }
        if (pid == 0) {
            exec("sh", sh_argv);
            printf("init: cannot run sh\n");
            exit(1);
        }
        /* Reap: our own shell, or any orphan re-parented to us. */
        int status, w;
        while ((w = wait(&status)) >= 0 && w != pid)
            ;
        printf("init: sh exited (status %d), starting a new one\n", status);
    }
}
