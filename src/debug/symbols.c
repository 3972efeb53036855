/* Symbol tables of the kernel and its programs (see symbols.h). */
#include "debug/symbols.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "loader/elf32.h"

/* The bundled kernel's initrd format (guests/kernel/initrd.h). */
#define INITRD_MAGIC "RLRD"
#define INITRD_NAMELEN 24
#define INITRD_ENTRY 32

/* A symbol that names code or data, by address. */
struct sym_entry {
    uint32_t value, size;
    const char *name; /* in the file's string table */
};

struct symfile {
    char name[INITRD_NAMELEN + 1]; /* "" for the kernel */
    uint8_t *image;
    size_t size;
    struct elf32_file elf;
    struct elf32_symtab tab;
    struct sym_entry *by_addr; /* sorted by value */
    size_t nsyms;
};

struct symbols {
    struct symfile *kernel;
    struct symfile **programs;
    size_t nprograms;
};

struct symbols *symbols_create(void)
{
    return calloc(1, sizeof(struct symbols));
}

static void symfile_free(struct symfile *f)
{
    if (f) {
        free(f->image);
        free(f->by_addr);
    }
    free(f);
}

static int by_value(const void *a, const void *b)
{
    const struct sym_entry *x = a, *y = b;
    return x->value < y->value ? -1 : x->value > y->value;
}

/* The symbols that name places: functions, objects and the plain labels
 * assembly code leaves (no type), not files or sections. */
static bool index_symbols(struct symfile *f)
{
    f->by_addr = calloc(f->tab.count ? f->tab.count : 1, sizeof *f->by_addr);
    if (!f->by_addr)
        return false;
    for (uint32_t i = 0; i < f->tab.count; i++) {
        struct elf32_sym sym;
        const char *name;
        elf32_symtab_get(&f->tab, i, &sym, &name);
        unsigned type = ELF32_ST_TYPE(sym.info);
        if (sym.shndx == 0 || !name[0] || name[0] == '.' ||
            (type != ELF32_STT_FUNC && type != ELF32_STT_OBJECT && type != 0))
            continue;
        f->by_addr[f->nsyms++] = (struct sym_entry){sym.value, sym.size, name};
    }
    qsort(f->by_addr, f->nsyms, sizeof *f->by_addr, by_value);
    return true;
}

void symbols_destroy(struct symbols *s)
{
    if (!s)
        return;
    symfile_free(s->kernel);
    for (size_t i = 0; i < s->nprograms; i++)
        symfile_free(s->programs[i]);
    free(s->programs);
    free(s);
}

/* A file's copy, opened: the elf32 structures point into it. */
static struct symfile *symfile_open(const char *program, const uint8_t *image, size_t size,
                                    char *err, size_t errlen)
{
    struct symfile *f = calloc(1, sizeof *f);
    if (f)
        f->image = malloc(size ? size : 1);
    if (!f || !f->image) {
        symfile_free(f);
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    snprintf(f->name, sizeof f->name, "%s", program ? program : "");
    memcpy(f->image, image, size);
    f->size = size;
    if (elf32_open(&f->elf, f->image, f->size, program ? f->name : "the kernel", err, errlen) !=
            ELF32_OK ||
        elf32_symtab_open(&f->elf, &f->tab, err, errlen) != ELF32_OK) {
        symfile_free(f);
        return NULL;
    }
    if (!index_symbols(f)) {
        symfile_free(f);
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    return f;
}

bool symbols_add_elf(struct symbols *s, const char *program, const uint8_t *image, size_t size,
                     char *err, size_t errlen)
{
    if (!program && s->kernel) {
        snprintf(err, errlen, "the kernel's symbols are already loaded");
        return false;
    }
    struct symfile *f = symfile_open(program, image, size, err, errlen);
    if (!f)
        return false;
    if (!program) {
        s->kernel = f;
        return true;
    }
    struct symfile **grown = realloc(s->programs, (s->nprograms + 1) * sizeof *grown);
    if (!grown) {
        symfile_free(f);
        snprintf(err, errlen, "out of memory");
        return false;
    }
    s->programs = grown;
    s->programs[s->nprograms++] = f;
    return true;
}

static uint32_t get32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

int symbols_add_initrd(struct symbols *s, const uint8_t *image, size_t size)
{
    if (size < 8 || memcmp(image, INITRD_MAGIC, 4) != 0)
        return -1;
    uint32_t count = get32(image + 4);
    if (count > (size - 8) / INITRD_ENTRY)
        return -1;
    int added = 0;
    for (uint32_t i = 0; i < count; i++) {
        const uint8_t *e = image + 8 + INITRD_ENTRY * i;
        uint32_t off = get32(e + 24), len = get32(e + 28);
        if (off > size || len > size - off)
            return -1;
        char name[INITRD_NAMELEN + 1];
        memcpy(name, e, INITRD_NAMELEN);
        name[INITRD_NAMELEN] = '\0';
        char err[160];
        if (name[0] && elf32_is_elf(image + off, len) &&
            symbols_add_elf(s, name, image + off, len, err, sizeof err))
            added++;
    }
    return added;
}

size_t symbols_program_count(const struct symbols *s)
{
    return s->nprograms;
}

const char *symbols_program_name(const struct symbols *s, size_t index)
{
    return s->programs[index]->name;
}

/* Does the program's loaded image (its PT_LOAD segments' file bytes that
 * are code) match memory?  Pages not mapped are passed over; at least one
 * must be there and every one there must match. */
static bool program_matches(const struct symfile *f, symbols_read_fn read, void *opaque)
{
    bool seen = false;
    uint8_t buf[4096];
    for (unsigned i = 0; i < f->elf.ehdr.phnum; i++) {
        struct elf32_phdr ph;
        elf32_get_phdr(&f->elf, i, &ph);
        if (ph.type != ELF32_PT_LOAD || !(ph.flags & ELF32_PF_X) || ph.offset > f->size ||
            ph.filesz > f->size - ph.offset)
            continue;
        for (uint32_t done = 0; done < ph.filesz;) {
            uint32_t la = ph.vaddr + done;
            uint32_t n = 4096 - (la & 4095);
            if (n > ph.filesz - done)
                n = ph.filesz - done;
            if (read(opaque, la, buf, n)) {
                if (memcmp(buf, f->image + ph.offset + done, n) != 0)
                    return false;
                seen = true;
            }
            done += n;
        }
    }
    return seen;
}

int symbols_identify(const struct symbols *s, symbols_read_fn read, void *opaque)
{
    for (size_t i = 0; i < s->nprograms; i++)
        if (program_matches(s->programs[i], read, opaque))
            return (int)i;
    return -1;
}

/* The nearest symbol at or below addr; one with a size must hold it. */
static bool name_in(const struct symfile *f, uint32_t addr, char *buf, size_t n)
{
    size_t lo = 0, hi = f->nsyms;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (f->by_addr[mid].value <= addr)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo == 0)
        return false;
    const struct sym_entry *e = &f->by_addr[lo - 1];
    /* Of several at the same address, prefer one that has a size. */
    for (size_t i = lo - 1; i > 0 && f->by_addr[i - 1].value == e->value; i--)
        if (f->by_addr[i - 1].size && !e->size)
            e = &f->by_addr[i - 1];
    uint32_t off = addr - e->value;
    if (e->size && off >= e->size)
        return false;
    if (off)
        snprintf(buf, n, "%s+0x%x", e->name, off);
    else
        snprintf(buf, n, "%s", e->name);
    return true;
}

bool symbols_name(const struct symbols *s, int program, uint32_t addr, char *buf, size_t n)
{
    if (program >= 0 && (size_t)program < s->nprograms &&
        name_in(s->programs[program], addr, buf, n))
        return true;
    return s->kernel && name_in(s->kernel, addr, buf, n);
}

static bool find_in(const struct symfile *f, const char *want, uint32_t *addr)
{
    for (size_t i = 0; i < f->nsyms; i++)
        if (strcmp(f->by_addr[i].name, want) == 0) {
            *addr = f->by_addr[i].value;
            return true;
        }
    return false;
}

bool symbols_find(const struct symbols *s, int program, const char *name, uint32_t *addr)
{
    if (program >= 0 && (size_t)program < s->nprograms &&
        find_in(s->programs[program], name, addr))
        return true;
    return s->kernel && find_in(s->kernel, name, addr);
}

bool symbols_find_in(const struct symbols *s, int program, const char *name, uint32_t *addr)
{
    if (program >= 0)
        return (size_t)program < s->nprograms && find_in(s->programs[program], name, addr);
    return s->kernel && find_in(s->kernel, name, addr);
}

int symbols_program_index(const struct symbols *s, const char *name)
{
    for (size_t i = 0; i < s->nprograms; i++)
        if (strcmp(s->programs[i]->name, name) == 0)
            return (int)i;
    return -1;
}
