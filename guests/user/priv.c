/* priv — try each privileged instruction in ring 3, one per child process.
 * Each raises #GP(0) and the kernel kills that child:
 *   cli           CPL > IOPL (IOPL is 1)                SDM Vol. 2A, CLI
 *   hlt           CPL != 0                              SDM Vol. 3A 5.9
 *   in, out       CPL > IOPL, and the process's I/O     SDM Vol. 1 19.5
 *                 permission bitmap denies the port
 *   mov cr3, lgdt CPL != 0                              SDM Vol. 3A 5.9 */
#include "user.h"

static void do_cli(void)
{
    __asm__ volatile("cli");
}
static void do_hlt(void)
{
    __asm__ volatile("hlt");
}
static void do_in(void)
{
    uint8_t v;
    __asm__ volatile("inb $0x60, %0" : "=a"(v));
}
static void do_out(void)
{
    __asm__ volatile("outb %0, $0x80" : : "a"((uint8_t)0));
}
static void do_mov_cr3(void)
{
    __asm__ volatile("movl %0, %%cr3" : : "r"(0));
}
static void do_lgdt(void)
{
    static uint16_t desc[3];
    __asm__ volatile("lgdt %0" : : "m"(desc));
}

static const struct {
    const char *name;
    void (*fn)(void);
} tries[] = {
        {"cli", do_cli}, {"hlt", do_hlt},         {"in", do_in},
        {"out", do_out}, {"mov cr3", do_mov_cr3}, {"lgdt", do_lgdt},
};

int main(int argc, char **argv)
{
    for (unsigned i = 0; i < sizeof(tries) / sizeof(tries[0]); i++) {
        printf("priv: trying %s\n", tries[i].name);
        int pid = fork();
        if (pid == 0) {
            tries[i].fn();
            printf("priv: %s did not fault!\n", tries[i].name);
            exit(0);
        }
        int status;
        wait(&status);
    }
    printf("priv: done\n");
    return 0;
}
