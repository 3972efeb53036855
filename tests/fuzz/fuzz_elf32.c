/* Fuzz harness: the ELF32 reader (src/loader/elf32.c) on any file.  The
 * input is the file.  Every function runs over it as its callers use it
 * (the Multiboot loader: open, check, program headers; the debugger: the
 * symbol table and address lookups), and what elf32.h promises is checked:
 * an accepted table or segment lies inside the file, a name points into the
 * string table and ends there, a refusal comes with one line of text that
 * names the file. */
#include <string.h>

#include "fuzz.h"
#include "loader/elf32.h"

#define NAME "fuzz.elf"

static void check_error(enum elf32_status s, const char *err)
{
    if (s == ELF32_OK || s == ELF32_NOT_FOUND)
        return;
    /* A refusal: "fuzz.elf: why", one line. */
    FUZZ_CHECK(strncmp(err, NAME ": ", strlen(NAME) + 2) == 0);
    FUZZ_CHECK(strlen(err) > strlen(NAME) + 2);
    FUZZ_CHECK(fuzz_one_line(err));
    FUZZ_CHECK(strcmp(elf32_status_name(s), "unknown") != 0);
}

/* A symbol name must lie inside the string table and end there. */
static void check_name(const struct elf32_symtab *st, const uint8_t *image, const char *name)
{
    if (name[0] == '\0')
        return;
    const char *lo = (const char *)image + st->str_offset;
    FUZZ_CHECK(name >= lo && name < lo + st->str_size);
    FUZZ_CHECK(memchr(name, '\0', (size_t)(lo + st->str_size - name)) != NULL);
}

static void symbols(const struct elf32_file *f, const uint8_t *image, size_t size)
{
    char err[256] = "";
    struct elf32_symtab st;
    enum elf32_status s = elf32_symtab_open(f, &st, err, sizeof err);
    check_error(s, err);
    if (s != ELF32_OK)
        return;
    FUZZ_CHECK((uint64_t)st.offset + (uint64_t)st.count * ELF32_SYM_SIZE <= size);
    FUZZ_CHECK((uint64_t)st.str_offset + st.str_size <= size);
    /* Look up the entry point and, for the first symbols, the first and
     * last address each one covers and the one past it. */
    uint32_t probes[1 + 3 * 16];
    size_t np = 0;
    probes[np++] = f->ehdr.entry;
    for (uint32_t i = 0; i < st.count && i < 16; i++) {
        struct elf32_sym sym;
        const char *name;
        elf32_symtab_get(&st, i, &sym, &name);
        check_name(&st, image, name);
        probes[np++] = sym.value;
        probes[np++] = sym.value + (sym.size ? sym.size - 1 : 0);
        probes[np++] = sym.value + (sym.size ? sym.size : 1);
    }
    for (size_t i = 0; i < np; i++) {
        const char *name = NULL;
        uint32_t offset = 0;
        s = elf32_symtab_lookup(&st, probes[i], &name, &offset);
        FUZZ_CHECK(s == ELF32_OK || s == ELF32_NOT_FOUND);
        if (s == ELF32_OK) {
            FUZZ_CHECK(name != NULL && name[0] != '\0');
            check_name(&st, image, name);
        }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char err[256] = "";
    struct elf32_file f;
    (void)elf32_is_elf(data, size);
    enum elf32_status s = elf32_open(&f, data, size, NAME, err, sizeof err);
    check_error(s, err);
    if (s != ELF32_OK)
        return 0;
    const struct elf32_ehdr *h = &f.ehdr;
    if (h->phnum)
        FUZZ_CHECK((uint64_t)h->phoff + (uint64_t)h->phnum * ELF32_PHDR_SIZE <= size);
    if (h->shnum)
        FUZZ_CHECK((uint64_t)h->shoff + (uint64_t)h->shnum * ELF32_SHDR_SIZE <= size);

    err[0] = '\0';
    check_error(elf32_check_i386_exec(&f, err, sizeof err), err);

    for (unsigned i = 0; i < h->phnum; i++) {
        struct elf32_phdr ph;
        elf32_get_phdr(&f, i, &ph);
        err[0] = '\0';
        s = elf32_check_phdr(&f, i, &ph, err, sizeof err);
        check_error(s, err);
        if (s == ELF32_OK && ph.type == ELF32_PT_LOAD) {
            /* An accepted PT_LOAD segment: its bytes are in the file, its
             * memory image holds them, and neither address wraps. */
            FUZZ_CHECK((uint64_t)ph.offset + ph.filesz <= size);
            FUZZ_CHECK(ph.filesz <= ph.memsz);
            FUZZ_CHECK((uint64_t)ph.paddr + ph.memsz <= UINT64_C(0x100000000));
            FUZZ_CHECK((uint64_t)ph.vaddr + ph.memsz <= UINT64_C(0x100000000));
        }
    }
    for (unsigned i = 0; i < h->shnum; i++) {
        struct elf32_shdr sh;
        elf32_get_shdr(&f, i, &sh);
    }
    symbols(&f, data, size);
    return 0;
}
