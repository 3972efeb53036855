/* elf.h — the parts of the ELF32 format exec.c needs to load a program
 * (System V ABI, i386 supplement). */
#ifndef ELF_H
#define ELF_H

#define ELF_MAGIC 0x464C457Fu /* "\x7FELF" read as a little-endian word */

struct elfhdr {
    uint32_t magic;
    uint8_t ident[12];
    uint16_t type;    /* 2: executable */
    uint16_t machine; /* 3: i386 */
    uint32_t version;
    uint32_t entry; /* where execution starts */
    uint32_t phoff; /* program header table offset */
    uint32_t shoff;
    uint32_t flags;
    uint16_t ehsize;
    uint16_t phentsize;
    uint16_t phnum;
    uint16_t shentsize;
    uint16_t shnum;
    uint16_t shstrndx;
};

/* A program header: one segment to put in memory. */
struct proghdr {
    uint32_t type;  /* 1: PT_LOAD */
    uint32_t off;   /* where its bytes are in the file */
    uint32_t vaddr; /* where they go in memory */
    uint32_t paddr;
    uint32_t filesz; /* bytes to copy */
    uint32_t memsz;  /* bytes to occupy; the rest is zero (.bss) */
    uint32_t flags;  /* PF_X 1, PF_W 2, PF_R 4 */
    uint32_t align;
};

#define ELF_PT_LOAD 1
#define ELF_PF_W    2

#endif
