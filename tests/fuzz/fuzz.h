/* What every fuzz harness under tests/fuzz shares: the libFuzzer entry
 * point each one defines, the check that turns a broken promise of the code
 * under test into a crash the fuzzer reports, and the splitting of one input
 * into the parts a harness needs (an image, a command line, modules).
 *
 * A harness is built twice: with clang's -fsanitize=fuzzer for `make fuzz`,
 * where libFuzzer supplies main(), and with the ordinary compiler for
 * `make check`, where tests/fuzz/driver.c feeds it every file of its seed
 * corpus once. */
#ifndef RINGLAB_FUZZ_H
#define RINGLAB_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

/* The harness: run the code under test on one input.  Returns 0. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A promise of the code under test failed: say which, and abort, so that
 * libFuzzer keeps the input as a crash and the driver's test fails. */
#define FUZZ_CHECK(cond)                                                                        \
    do {                                                                                        \
        if (!(cond))                                                                            \
            fuzz_fail(__FILE__, __LINE__, #cond);                                               \
    } while (0)

_Noreturn void fuzz_fail(const char *file, int line, const char *what);

/* The separator between the parts of a multi-part input (see fuzz_split).
 * Eight bytes no real image holds by chance. */
#define FUZZ_PART_SEP "\n%part%\n"
#define FUZZ_PART_SEP_LEN 8

struct fuzz_part {
    const uint8_t *data;
    size_t size;
};

/* Split data at every FUZZ_PART_SEP into at most max parts (the last part
 * keeps any further separators).  Returns the number of parts, at least 1. */
size_t fuzz_split(const uint8_t *data, size_t size, struct fuzz_part *parts, size_t max);

/* A NUL-terminated heap copy of a part (a part may hold NULs: the string
 * ends at the first).  Never NULL: out of memory aborts. */
char *fuzz_strdup(const struct fuzz_part *p);

/* A heap copy of exactly size bytes (malloc(1) for 0), so that AddressSanitizer
 * sees a read past the end of the input as one. */
uint8_t *fuzz_copy(const uint8_t *data, size_t size);

/* True when text is one line: no '\n' or '\r' in it. */
int fuzz_one_line(const char *text);

/* What a Multiboot load wrote into ram (given the boot_info's kernel_start,
 * image_end and ebx, the information structure's address, which the
 * caller has checked lies in RAM): [lo, hi) the kernel, its boot data and
 * its modules (the boot data may lie below the kernel), and [info_lo,
 * info_hi) the memory map and the structure after it (at QEMU's 0x9000,
 * or moved in among the boot data). */
struct fuzz_mb_written {
    size_t lo, hi, info_lo, info_hi;
};
struct fuzz_mb_written fuzz_mb_written(const uint8_t *ram, uint32_t kernel_start,
                                       uint32_t image_end, uint32_t ebx);

#endif
