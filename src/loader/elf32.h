/* ELF32 reading: the file header, program headers, section headers and the
 * symbol table of a 32-bit little-endian ELF file held in a host buffer.
 * Pure functions over bytes: nothing here touches guest memory, so the
 * Multiboot loader uses it to load a kernel and the debugger to name
 * addresses.  Every field that points into the file is bounds-checked before
 * it is followed; a function that fails says why in one line, prefixed with
 * the file's name (System V ABI, "Object Files" and the Intel386 supplement). */
#ifndef RINGLAB_ELF32_H
#define RINGLAB_ELF32_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* e_ident indexes and values */
#define ELF32_EI_CLASS 4
#define ELF32_EI_DATA 5
#define ELF32_EI_VERSION 6
#define ELF32_CLASS_32 1
#define ELF32_CLASS_64 2
#define ELF32_DATA_LSB 1
#define ELF32_DATA_MSB 2
#define ELF32_EV_CURRENT 1

/* e_type */
#define ELF32_ET_REL 1
#define ELF32_ET_EXEC 2
#define ELF32_ET_DYN 3

/* e_machine */
#define ELF32_EM_386 3
#define ELF32_EM_X86_64 62

/* p_type and p_flags */
#define ELF32_PT_NULL 0
#define ELF32_PT_LOAD 1
#define ELF32_PF_X 1
#define ELF32_PF_W 2
#define ELF32_PF_R 4

/* sh_type */
#define ELF32_SHT_SYMTAB 2
#define ELF32_SHT_STRTAB 3
#define ELF32_SHT_NOBITS 8

/* st_info */
#define ELF32_ST_TYPE(info) ((info) & 0xF)
#define ELF32_STT_OBJECT 1
#define ELF32_STT_FUNC 2

#define ELF32_EHDR_SIZE 52
#define ELF32_PHDR_SIZE 32
#define ELF32_SHDR_SIZE 40
#define ELF32_SYM_SIZE 16

enum elf32_status {
    ELF32_OK = 0,
    ELF32_NOT_ELF,     /* no \x7fELF magic */
    ELF32_BAD_IDENT,   /* class, data encoding or version is not ELF32 LSB v1 */
    ELF32_BAD_MACHINE, /* e_machine is not EM_386 */
    ELF32_BAD_TYPE,    /* e_type is not ET_EXEC */
    ELF32_TRUNCATED,   /* a header, table or segment lies past the end of the file */
    ELF32_BAD_TABLE,   /* a table's entry size or count is wrong */
    ELF32_BAD_SEGMENT, /* a program header contradicts itself (p_filesz > p_memsz, wrap) */
    ELF32_NO_SYMTAB,   /* no SHT_SYMTAB section */
    ELF32_NOT_FOUND,   /* no symbol covers the address */
};

struct elf32_ehdr {
    uint8_t ident[16];
    uint16_t type;
    uint16_t machine;
    uint32_t version;
    uint32_t entry;
    uint32_t phoff;
    uint32_t shoff;
    uint32_t flags;
    uint16_t ehsize;
    uint16_t phentsize;
    uint16_t phnum;
    uint16_t shentsize;
    uint16_t shnum;
    uint16_t shstrndx;
};

struct elf32_phdr {
    uint32_t type;
    uint32_t offset;
    uint32_t vaddr;
    uint32_t paddr;
    uint32_t filesz;
    uint32_t memsz;
    uint32_t flags;
    uint32_t align;
};

struct elf32_shdr {
    uint32_t name;
    uint32_t type;
    uint32_t flags;
    uint32_t addr;
    uint32_t offset;
    uint32_t size;
    uint32_t link;
    uint32_t info;
    uint32_t addralign;
    uint32_t entsize;
};

struct elf32_sym {
    uint32_t name;
    uint32_t value;
    uint32_t size;
    uint8_t info;
    uint8_t other;
    uint16_t shndx;
};

/* An opened file: the bytes (borrowed, not copied), its name for messages,
 * and the decoded file header. */
struct elf32_file {
    const uint8_t *image;
    size_t size;
    const char *name;
    struct elf32_ehdr ehdr;
};

/* The symbol table and its string table, both checked to lie in the file. */
struct elf32_symtab {
    const struct elf32_file *file;
    uint32_t offset; /* of the first entry */
    uint32_t count;
    uint32_t str_offset;
    uint32_t str_size;
};

/* True when the buffer starts with the ELF magic \x7fELF. */
bool elf32_is_elf(const uint8_t *image, size_t size);

/* Decodes the file header and checks what any ELF32 consumer needs: the
 * magic, class 32, little-endian data, version 1, and that the program and
 * section header tables, if present, have the right entry size and lie inside
 * the file.  `name` is borrowed for messages and must outlive `f`. */
enum elf32_status elf32_open(struct elf32_file *f, const uint8_t *image, size_t size,
                             const char *name, char *err, size_t errlen);

/* On top of elf32_open: an i386 (EM_386) executable (ET_EXEC). */
enum elf32_status elf32_check_i386_exec(const struct elf32_file *f, char *err, size_t errlen);

/* Program header `index` (0-based, < e_phnum), decoded without judgement. */
void elf32_get_phdr(const struct elf32_file *f, unsigned index, struct elf32_phdr *out);

/* Checks one program header on its own: its file range lies inside the file,
 * p_filesz <= p_memsz, and neither p_vaddr + p_memsz nor p_paddr + p_memsz
 * wraps past 4 GiB.  Only PT_LOAD headers are judged; others pass. */
enum elf32_status elf32_check_phdr(const struct elf32_file *f, unsigned index,
                                   const struct elf32_phdr *ph, char *err, size_t errlen);

/* Section header `index` (< e_shnum), decoded without judgement. */
void elf32_get_shdr(const struct elf32_file *f, unsigned index, struct elf32_shdr *out);

/* Finds the SHT_SYMTAB section and its linked string table and checks both
 * lie in the file.  ELF32_NO_SYMTAB for a stripped file. */
enum elf32_status elf32_symtab_open(const struct elf32_file *f, struct elf32_symtab *st,
                                    char *err, size_t errlen);

/* Symbol `index` (< st->count) and its name ("" when the name offset lies
 * outside the string table or is not terminated inside it). */
void elf32_symtab_get(const struct elf32_symtab *st, uint32_t index, struct elf32_sym *sym,
                      const char **name);

/* The function or object symbol whose [value, value + size) holds addr
 * (a symbol of size 0 holds only its own address); with several, the one
 * starting nearest below addr.  *offset = addr - value. */
enum elf32_status elf32_symtab_lookup(const struct elf32_symtab *st, uint32_t addr,
                                      const char **name, uint32_t *offset);

const char *elf32_status_name(enum elf32_status s);

#endif
