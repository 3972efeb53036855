/* syscalls — make each system call once and print what came back. Every
 * line is the same on every run (no times, no addresses). */
#include "user.h"

int main(int argc, char **argv)
{
    int status, pid, r;
    char buf[64];

    printf("syscalls: entering the kernel by %s\n", using_sysenter() ? "sysenter" : "int 0x80");

    r = write(1, "write: hello\n", 13);
    printf("write(1, \"write: hello\\n\", 13) = %d\n", r);

    pid = getpid();
    printf("getpid() = %d\n", pid);

    printf("read(0, buf, 63): type a line> ");
    r = read(0, buf, sizeof(buf) - 1);
    if (r > 0 && buf[r - 1] == '\n')
        buf[--r] = 0;
    else if (r >= 0)
        buf[r] = 0;
    printf("read = %d, \"%s\"\n", r, r >= 0 ? buf : "");

    /* fork + exit + wait: the child's exit status arrives in the parent. */
    pid = fork();
    if (pid == 0)
        exit(42);
    r = wait(&status);
    printf("fork() = child; wait(&status) = child: %s, status = %d\n", r == pid ? "yes" : "no",
           status);

    /* exec: a name that is not in the initrd fails; a real one replaces
     * the child with hello. */
    char *bad[] = {"nosuch", 0};
    printf("exec(\"nosuch\") = %d\n", exec("nosuch", bad));
    pid = fork();
    if (pid == 0) {
        char *args[] = {"hello", 0};
        exec("hello", args);
        exit(1);
    }
    wait(&status);
    printf("exec(\"hello\") in a child: status = %d\n", status);

    /* sbrk: grow by a page and shrink back. */
    char *a = sbrk(4096);
    char *b = sbrk(0);
    printf("sbrk(4096) then sbrk(0): grew by %d\n", (int)(b - a));
    a[0] = 'x';
    sbrk(-4096);
    printf("sbrk(-4096): heap back to %s size\n", sbrk(0) == a ? "its old" : "a wrong");

    /* sleep + uptime: at least the ticks asked for pass. */
    int t0 = uptime();
    r = sleep(5);
    int t1 = uptime();
    printf("sleep(5) = %d, uptime() advanced by at least 5: %s\n", r, t1 - t0 >= 5 ? "yes" : "no");

    r = yield();
    printf("yield() = %d\n", r);

    /* kill: a child that would sleep for a long time is killed. */
    pid = fork();
    if (pid == 0) {
        sleep(100000);
        exit(0);
    }
    r = kill(pid);
    int w = wait(&status);
    printf("kill(child) = %d; wait: child %s, status = %d\n", r, w == pid ? "reaped" : "missing",
           status);
    printf("kill(9999) = %d\n", kill(9999));

    /* pipe + close */
    int fds[2];
    r = pipe(fds);
    write(fds[1], "through a pipe", 14);
    close(fds[1]);
    int n = read(fds[0], buf, sizeof(buf) - 1);
    buf[n > 0 ? n : 0] = 0;
    printf("pipe() = %d; read back %d bytes: \"%s\"\n", r, n, buf);
    printf("read after close of the write end = %d\n", read(fds[0], buf, 1));
    r = close(fds[0]);
    printf("close(fds[0]) = %d, close again = %d\n", r, close(fds[0]));

    struct dirent d;
    r = dirent(0, &d);
    printf("dirent(0) = %d: %s\n", r, d.name);

    printf("syscalls: exit(0)\n");
    exit(0);
}
