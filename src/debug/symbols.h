/* Names for addresses, for the debugger and the views: the symbol table of
 * the kernel's ELF and, for the bundled kernel, of each ring-3 program in
 * its initrd (an "RLRD" archive of ELF files).  Which program is running is
 * found by looking at memory: the program whose code is what the current
 * address space holds at its addresses. */
#ifndef RINGLAB_SYMBOLS_H
#define RINGLAB_SYMBOLS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct symbols;

struct symbols *symbols_create(void);
void symbols_destroy(struct symbols *s);

/* Add an ELF file's symbols: the kernel (program = NULL), or a program
 * named `program`.  The bytes are copied.  False (with one line in err)
 * when the file is no ELF32 or has no symbol table. */
bool symbols_add_elf(struct symbols *s, const char *program, const uint8_t *image, size_t size,
                     char *err, size_t errlen);
/* Add every ELF file of an initrd archive as a program.  Returns how many
 * were added (files that are not ELF are passed over); -1 when the archive
 * itself is malformed. */
int symbols_add_initrd(struct symbols *s, const uint8_t *image, size_t size);

size_t symbols_program_count(const struct symbols *s);
const char *symbols_program_name(const struct symbols *s, size_t index);

/* Read linear memory of the current address space (false when not mapped). */
typedef bool (*symbols_read_fn)(void *opaque, uint32_t linear, void *buf, size_t len);
/* The program whose loaded code matches memory now, or -1. */
int symbols_identify(const struct symbols *s, symbols_read_fn read, void *opaque);

/* "name+0x12" for an address: the program's symbols first (program >= 0),
 * then the kernel's.  False when no symbol holds it. */
bool symbols_name(const struct symbols *s, int program, uint32_t addr, char *buf, size_t n);
/* The address of a symbol by name (program's first, then the kernel's;
 * program -1: the kernel's only). */
bool symbols_find(const struct symbols *s, int program, const char *name, uint32_t *addr);
/* The same in one file only: the program's (program >= 0), or the kernel's. */
bool symbols_find_in(const struct symbols *s, int program, const char *name, uint32_t *addr);
/* The program called `name`, or -1. */
int symbols_program_index(const struct symbols *s, const char *name);

#endif
