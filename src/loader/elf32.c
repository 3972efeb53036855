/* ELF32 reading: decoding and bounds-checking the file header, program
 * headers, section headers and symbol table (see elf32.h).  All offsets and
 * sizes are added in 64-bit arithmetic so that no crafted field can wrap a
 * check. */
#include "loader/elf32.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "util/text.h"

static uint16_t rd16(const uint8_t *p)
{
    return (uint16_t)(p[0] | (p[1] << 8));
}

static uint32_t rd32(const uint8_t *p)
{
    return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) |
           ((uint32_t)p[3] << 24);
}

/* True when [offset, offset + length) lies inside a file of `size` bytes. */
static bool in_file(uint64_t offset, uint64_t length, size_t size)
{
    return offset <= size && length <= (uint64_t)size - offset;
}

bool elf32_is_elf(const uint8_t *image, size_t size)
{
    return size >= 4 && image[0] == 0x7F && image[1] == 'E' && image[2] == 'L' &&
           image[3] == 'F';
}

enum elf32_status elf32_open(struct elf32_file *f, const uint8_t *image, size_t size,
                             const char *name, char *err, size_t errlen)
{
    memset(f, 0, sizeof(*f));
    f->image = image;
    f->size = size;
    f->name = name;

    if (!elf32_is_elf(image, size)) {
        text_file_error(err, errlen, name, "not an ELF file (no \\x7fELF magic at offset 0)");
        return ELF32_NOT_ELF;
    }
    /* The identification bytes come first: a 64-bit header is longer, so
     * the class is judged before the length of the 32-bit header. */
    if (size < 16) {
        text_file_error(err, errlen, name, "ELF header truncated: file is %zu bytes, e_ident needs 16",
                    size);
        return ELF32_TRUNCATED;
    }
    uint8_t cls = image[ELF32_EI_CLASS];
    if (cls != ELF32_CLASS_32) {
        if (cls == ELF32_CLASS_64)
            text_file_error(err, errlen, name, "EI_CLASS is ELFCLASS64: a 32-bit ELF is needed");
        else
            text_file_error(err, errlen, name, "EI_CLASS (%u) is not ELFCLASS32", cls);
        return ELF32_BAD_IDENT;
    }
    uint8_t data = image[ELF32_EI_DATA];
    if (data != ELF32_DATA_LSB) {
        if (data == ELF32_DATA_MSB)
            text_file_error(err, errlen, name,
                        "EI_DATA is ELFDATA2MSB (big-endian): i386 files are little-endian");
        else
            text_file_error(err, errlen, name, "EI_DATA (%u) is not ELFDATA2LSB", data);
        return ELF32_BAD_IDENT;
    }
    if (image[ELF32_EI_VERSION] != ELF32_EV_CURRENT) {
        text_file_error(err, errlen, name, "EI_VERSION (%u) is not EV_CURRENT (1)",
                    image[ELF32_EI_VERSION]);
        return ELF32_BAD_IDENT;
    }
    if (size < ELF32_EHDR_SIZE) {
        text_file_error(err, errlen, name,
                    "ELF header truncated: file is %zu bytes, the header needs %d", size,
                    ELF32_EHDR_SIZE);
        return ELF32_TRUNCATED;
    }

    struct elf32_ehdr *h = &f->ehdr;
    memcpy(h->ident, image, 16);
    h->type = rd16(image + 16);
    h->machine = rd16(image + 18);
    h->version = rd32(image + 20);
    h->entry = rd32(image + 24);
    h->phoff = rd32(image + 28);
    h->shoff = rd32(image + 32);
    h->flags = rd32(image + 36);
    h->ehsize = rd16(image + 40);
    h->phentsize = rd16(image + 42);
    h->phnum = rd16(image + 44);
    h->shentsize = rd16(image + 46);
    h->shnum = rd16(image + 48);
    h->shstrndx = rd16(image + 50);

    if (h->version != ELF32_EV_CURRENT) {
        text_file_error(err, errlen, name, "e_version (%u) is not EV_CURRENT (1)", h->version);
        return ELF32_BAD_IDENT;
    }
    if (h->phnum != 0) {
        if (h->phentsize != ELF32_PHDR_SIZE) {
            text_file_error(err, errlen, name, "e_phentsize (%u) is not %d", h->phentsize,
                        ELF32_PHDR_SIZE);
            return ELF32_BAD_TABLE;
        }
        uint64_t len = (uint64_t)h->phnum * ELF32_PHDR_SIZE;
        if (!in_file(h->phoff, len, size)) {
            text_file_error(err, errlen, name,
                        "program header table (e_phoff 0x%x, %u entries) ends at 0x%llx, past "
                        "the end of the file (0x%zx bytes)",
                        h->phoff, h->phnum, (unsigned long long)(h->phoff + len), size);
            return ELF32_TRUNCATED;
        }
    }
    if (h->shnum != 0) {
        if (h->shentsize != ELF32_SHDR_SIZE) {
            text_file_error(err, errlen, name, "e_shentsize (%u) is not %d", h->shentsize,
                        ELF32_SHDR_SIZE);
            return ELF32_BAD_TABLE;
        }
        uint64_t len = (uint64_t)h->shnum * ELF32_SHDR_SIZE;
        if (!in_file(h->shoff, len, size)) {
            text_file_error(err, errlen, name,
                        "section header table (e_shoff 0x%x, %u entries) ends at 0x%llx, past "
                        "the end of the file (0x%zx bytes)",
                        h->shoff, h->shnum, (unsigned long long)(h->shoff + len), size);
            return ELF32_TRUNCATED;
        }
    }
    return ELF32_OK;
}

enum elf32_status elf32_check_i386_exec(const struct elf32_file *f, char *err, size_t errlen)
{
    const struct elf32_ehdr *h = &f->ehdr;
    if (h->machine != ELF32_EM_386) {
        if (h->machine == ELF32_EM_X86_64)
            text_file_error(err, errlen, f->name,
                        "e_machine is EM_X86_64 (62): an x86-64 image, give a 32-bit one");
        else
            text_file_error(err, errlen, f->name, "e_machine (%u) is not EM_386 (3)", h->machine);
        return ELF32_BAD_MACHINE;
    }
    if (h->type != ELF32_ET_EXEC) {
        text_file_error(err, errlen, f->name, "e_type (%u) is not ET_EXEC (2)%s", h->type,
                    h->type == ELF32_ET_REL   ? ": a relocatable object, not linked"
                    : h->type == ELF32_ET_DYN ? ": a shared object or PIE"
                                              : "");
        return ELF32_BAD_TYPE;
    }
    return ELF32_OK;
}

void elf32_get_phdr(const struct elf32_file *f, unsigned index, struct elf32_phdr *out)
{
    const uint8_t *p = f->image + f->ehdr.phoff + (size_t)index * ELF32_PHDR_SIZE;
    out->type = rd32(p);
    out->offset = rd32(p + 4);
    out->vaddr = rd32(p + 8);
    out->paddr = rd32(p + 12);
    out->filesz = rd32(p + 16);
    out->memsz = rd32(p + 20);
    out->flags = rd32(p + 24);
    out->align = rd32(p + 28);
}

enum elf32_status elf32_check_phdr(const struct elf32_file *f, unsigned index,
                                   const struct elf32_phdr *ph, char *err, size_t errlen)
{
    if (ph->type != ELF32_PT_LOAD)
        return ELF32_OK;
    if (!in_file(ph->offset, ph->filesz, f->size)) {
        text_file_error(err, errlen, f->name,
                    "program header %u: p_offset (0x%x) + p_filesz (0x%x) = 0x%llx is past the "
                    "end of the file (0x%zx bytes)",
                    index, ph->offset, ph->filesz,
                    (unsigned long long)ph->offset + ph->filesz, f->size);
        return ELF32_TRUNCATED;
    }
    if (ph->filesz > ph->memsz) {
        text_file_error(err, errlen, f->name, "program header %u: p_filesz (0x%x) exceeds p_memsz (0x%x)",
                    index, ph->filesz, ph->memsz);
        return ELF32_BAD_SEGMENT;
    }
    if ((uint64_t)ph->paddr + ph->memsz > UINT64_C(0x100000000)) {
        text_file_error(err, errlen, f->name,
                    "program header %u: p_paddr (0x%x) + p_memsz (0x%x) wraps past 4 GiB", index,
                    ph->paddr, ph->memsz);
        return ELF32_BAD_SEGMENT;
    }
    if ((uint64_t)ph->vaddr + ph->memsz > UINT64_C(0x100000000)) {
        text_file_error(err, errlen, f->name,
                    "program header %u: p_vaddr (0x%x) + p_memsz (0x%x) wraps past 4 GiB", index,
                    ph->vaddr, ph->memsz);
        return ELF32_BAD_SEGMENT;
    }
    return ELF32_OK;
}

void elf32_get_shdr(const struct elf32_file *f, unsigned index, struct elf32_shdr *out)
{
    const uint8_t *p = f->image + f->ehdr.shoff + (size_t)index * ELF32_SHDR_SIZE;
    out->name = rd32(p);
    out->type = rd32(p + 4);
    out->flags = rd32(p + 8);
    out->addr = rd32(p + 12);
    out->offset = rd32(p + 16);
    out->size = rd32(p + 20);
    out->link = rd32(p + 24);
    out->info = rd32(p + 28);
    out->addralign = rd32(p + 32);
    out->entsize = rd32(p + 36);
}

enum elf32_status elf32_symtab_open(const struct elf32_file *f, struct elf32_symtab *st,
                                    char *err, size_t errlen)
{
    memset(st, 0, sizeof(*st));
    st->file = f;
    for (unsigned i = 0; i < f->ehdr.shnum; i++) {
        struct elf32_shdr sh;
        elf32_get_shdr(f, i, &sh);
        if (sh.type != ELF32_SHT_SYMTAB)
            continue;
        if (sh.entsize != ELF32_SYM_SIZE) {
            text_file_error(err, errlen, f->name, "section %u (SHT_SYMTAB): sh_entsize (%u) is not %d",
                        i, sh.entsize, ELF32_SYM_SIZE);
            return ELF32_BAD_TABLE;
        }
        if (!in_file(sh.offset, sh.size, f->size)) {
            text_file_error(err, errlen, f->name,
                        "section %u (SHT_SYMTAB): sh_offset (0x%x) + sh_size (0x%x) is past the "
                        "end of the file (0x%zx bytes)",
                        i, sh.offset, sh.size, f->size);
            return ELF32_TRUNCATED;
        }
        if (sh.link >= f->ehdr.shnum) {
            text_file_error(err, errlen, f->name,
                        "section %u (SHT_SYMTAB): sh_link (%u) names no section (e_shnum %u)", i,
                        sh.link, f->ehdr.shnum);
            return ELF32_BAD_TABLE;
        }
        struct elf32_shdr str;
        elf32_get_shdr(f, sh.link, &str);
        if (str.type != ELF32_SHT_STRTAB) {
            text_file_error(err, errlen, f->name,
                        "section %u (SHT_SYMTAB): its string table, section %u, is of type %u, "
                        "not SHT_STRTAB",
                        i, sh.link, str.type);
            return ELF32_BAD_TABLE;
        }
        if (!in_file(str.offset, str.size, f->size)) {
            text_file_error(err, errlen, f->name,
                        "section %u (SHT_STRTAB): sh_offset (0x%x) + sh_size (0x%x) is past the "
                        "end of the file (0x%zx bytes)",
                        sh.link, str.offset, str.size, f->size);
            return ELF32_TRUNCATED;
        }
        st->offset = sh.offset;
        st->count = sh.size / ELF32_SYM_SIZE;
        st->str_offset = str.offset;
        st->str_size = str.size;
        return ELF32_OK;
    }
    text_file_error(err, errlen, f->name, "no symbol table (the file is stripped)");
    return ELF32_NO_SYMTAB;
}

void elf32_symtab_get(const struct elf32_symtab *st, uint32_t index, struct elf32_sym *sym,
                      const char **name)
{
    const uint8_t *p = st->file->image + st->offset + (size_t)index * ELF32_SYM_SIZE;
    sym->name = rd32(p);
    sym->value = rd32(p + 4);
    sym->size = rd32(p + 8);
    sym->info = p[12];
    sym->other = p[13];
    sym->shndx = rd16(p + 14);
    if (name == NULL)
        return;
    *name = "";
    if (sym->name < st->str_size) {
        const char *s = (const char *)st->file->image + st->str_offset + sym->name;
        if (memchr(s, '\0', st->str_size - sym->name) != NULL)
            *name = s;
    }
}

enum elf32_status elf32_symtab_lookup(const struct elf32_symtab *st, uint32_t addr,
                                      const char **name, uint32_t *offset)
{
    bool found = false;
    struct elf32_sym best = {0};
    const char *best_name = "";
    for (uint32_t i = 0; i < st->count; i++) {
        struct elf32_sym sym;
        const char *n;
        elf32_symtab_get(st, i, &sym, &n);
        unsigned t = ELF32_ST_TYPE(sym.info);
        if ((t != ELF32_STT_FUNC && t != ELF32_STT_OBJECT) || sym.shndx == 0 || n[0] == '\0')
            continue;
        if (addr < sym.value)
            continue;
        uint64_t end = (uint64_t)sym.value + (sym.size ? sym.size : 1);
        if (addr >= end)
            continue;
        if (!found || sym.value > best.value) {
            best = sym;
            best_name = n;
            found = true;
        }
    }
    if (!found)
        return ELF32_NOT_FOUND;
    if (name)
        *name = best_name;
    if (offset)
        *offset = addr - best.value;
    return ELF32_OK;
}

const char *elf32_status_name(enum elf32_status s)
{
    switch (s) {
    case ELF32_OK: return "ok";
    case ELF32_NOT_ELF: return "not an ELF file";
    case ELF32_BAD_IDENT: return "not ELF32 little-endian version 1";
    case ELF32_BAD_MACHINE: return "not an i386 file";
    case ELF32_BAD_TYPE: return "not an executable";
    case ELF32_TRUNCATED: return "truncated";
    case ELF32_BAD_TABLE: return "bad header table";
    case ELF32_BAD_SEGMENT: return "bad program header";
    case ELF32_NO_SYMTAB: return "no symbol table";
    case ELF32_NOT_FOUND: return "no symbol";
    }
    return "unknown";
}
