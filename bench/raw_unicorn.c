/* The compute workload's loop on bare Unicorn, no hooks and no ringlab:
 * the ceiling for ringlab's normal run.  Prints seconds for N iterations. */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unicorn/unicorn.h>

int main(int argc, char **argv)
{
    unsigned long iterations = argc > 1 ? strtoul(argv[1], NULL, 0) : 100000000ul;
    /* mov ecx, N; xor eax, eax; mov ebx, 1; loop: add eax, ebx; xor ebx, eax;
     * rol eax, 3; sub ebx, ecx; and eax, 0x7fffffff; dec ecx; jnz loop; hlt */
    unsigned char code[] = {0xb9, 0, 0, 0, 0, 0x31, 0xc0, 0xbb, 1, 0, 0, 0, 0x01, 0xd8, 0x31,
                            0xc3, 0xc1, 0xc0, 0x03, 0x29, 0xcb, 0x25, 0xff, 0xff, 0xff, 0x7f,
                            0x49, 0x75, 0xef, 0xf4};
    for (int i = 0; i < 4; i++)
        code[1 + i] = (unsigned char)(iterations >> (8 * i));
    uc_engine *uc;
    if (uc_open(UC_ARCH_X86, UC_MODE_32, &uc) != UC_ERR_OK ||
        uc_mem_map(uc, 0x100000, 0x10000, UC_PROT_ALL) != UC_ERR_OK ||
        uc_mem_write(uc, 0x100000, code, sizeof code) != UC_ERR_OK) {
        fprintf(stderr, "raw_unicorn: cannot set up the engine\n");
        return 1;
    }
    struct timespec a, b;
    clock_gettime(CLOCK_MONOTONIC, &a);
    uc_err e = uc_emu_start(uc, 0x100000, 0x100000 + sizeof code, 0, 0);
    clock_gettime(CLOCK_MONOTONIC, &b);
    if (e != UC_ERR_OK) {
        fprintf(stderr, "raw_unicorn: %s\n", uc_strerror(e));
        return 1;
    }
    printf("%.6f\n", (double)(b.tv_sec - a.tv_sec) + (double)(b.tv_nsec - a.tv_nsec) / 1e9);
    uc_close(uc);
    return 0;
}
