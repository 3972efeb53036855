/* exec.c — replace the current program with one from the initrd.
 *
 * Build a whole new address space first; only when nothing can fail any
 * more, switch to it and free the old one. The new stack holds the
 * arguments the way a C function expects them:
 *
 *     USTACKTOP -> +-----------------+
 *                  | argument bytes  |
 *                  | argv[argc] = 0  |
 *                  | argv[0..]       |
 *                  | argv            |  <- second argument of _start
 *                  | argc            |  <- first argument
 *         esp ->   | 0xFFFFFFFF      |  fake return address
 *                  +-----------------+
 */
#include "defs.h"
#include "mmu.h"
#include "x86.h"
#include "elf.h"
#include "trap.h"
#include "proc.h"

#define MAXARG 16

int exec(const char *path, char **argv)
{
    const uint8_t *file;
    uint32_t size;
    struct elfhdr eh;
    pde_t *pgdir = 0;
    uint32_t top = 0;

    if (initrd_find(path, &file, &size) < 0 || size < sizeof(eh))
        return -1;
    memmove(&eh, file, sizeof(eh));
    if (eh.magic != ELF_MAGIC || eh.machine != 3 || eh.type != 2 || eh.phoff > size ||
        eh.phnum > (size - eh.phoff) / sizeof(struct proghdr))
        return -1;
    if (!(pgdir = vm_new_pgdir()))
        return -1;

    /* Load each PT_LOAD segment: fresh frames, the file's bytes, zeros for
     * the rest (.bss). Writable only if the segment says so. */
    for (int i = 0; i < eh.phnum; i++) {
        struct proghdr ph;
        memmove(&ph, file + eh.phoff + i * sizeof(ph), sizeof(ph));
        if (ph.type != ELF_PT_LOAD)
            continue;
        if (ph.memsz < ph.filesz || ph.vaddr + ph.memsz < ph.vaddr ||
            ph.vaddr + ph.memsz > USTACKLIMIT || ph.vaddr < PGSIZE || ph.off > size ||
            ph.filesz > size - ph.off)
            goto bad;
        uint32_t flags = PTE_U | ((ph.flags & ELF_PF_W) ? PTE_W : 0);
        if (vm_alloc_range(pgdir, ph.vaddr, ph.vaddr + ph.memsz, flags) < 0)
            goto bad;
        if (vm_copyout(pgdir, ph.vaddr, file + ph.off, ph.filesz) < 0)
            goto bad;
        if (ph.vaddr + ph.memsz > top)
            top = ph.vaddr + ph.memsz;
    }

    /* One stack page now; the rest appear on demand (vm_fault). */
    if (vm_alloc_range(pgdir, USTACKTOP - PGSIZE, USTACKTOP, PTE_U | PTE_W) < 0)
        goto bad;

    /* Copy the arguments. They are read from the old address space, which
     * is still the one loaded in CR3. */
    uint32_t sp = USTACKTOP;
    uint32_t uargv[MAXARG + 1];
    int argc;
    for (argc = 0; argv[argc]; argc++) {
        if (argc >= MAXARG)
            goto bad;
        uint32_t len = strlen(argv[argc]) + 1;
        sp = (sp - len) & ~3u;
        if (sp < USTACKTOP - PGSIZE + 128 || vm_copyout(pgdir, sp, argv[argc], len) < 0)
            goto bad;
        uargv[argc] = sp;
    }
    uargv[argc] = 0;
    sp -= (argc + 1) * 4;
    if (vm_copyout(pgdir, sp, uargv, (argc + 1) * 4) < 0)
        goto bad;
    uint32_t frame[3] = {0xFFFFFFFF, argc, sp};
    sp -= sizeof(frame);
    if (vm_copyout(pgdir, sp, frame, sizeof(frame)) < 0)
        goto bad;

    /* Commit: the process now is the new program. */
    const char *last = path;
    for (const char *s = path; *s; s++)
        if (*s == '/')
            last = s + 1;
    strlcpy(curproc->name, last, sizeof(curproc->name));
    pde_t *old = curproc->pgdir;
    curproc->pgdir = pgdir;
    curproc->heap_start = curproc->brk = PGROUNDUP(top);
    curproc->tf->eip = eh.entry;
    curproc->tf->esp = sp;
    lcr3(V2P(pgdir));
    vm_free(old);
    return 0;

bad:
    vm_free(pgdir);
    return -1;
}
