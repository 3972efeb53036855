/* main.c — the boot sequence, in the order the pieces depend on each other.
 * entry.asm has turned paging on with a temporary page directory and called
 * kmain() on a small boot stack. */
#include "defs.h"
#include "mmu.h"
#include "x86.h"
#include "multiboot.h"

extern char kernel_end[]; /* kernel.ld: first address after the kernel */

void kmain(uint32_t magic, uint32_t mbinfo_pa)
{
    struct multiboot_info *mb = P2V(mbinfo_pa);
    uint32_t free_start = V2P(kernel_end);
    uint32_t mem_end = 16u << 20;

    vga_init(); /* the screen first: then every message shows */
    uart_init();
    kprintf("ringlab teaching kernel\n");
    if (magic != MULTIBOOT_BOOTLOADER_MAGIC)
        panic("not started by a Multiboot boot loader");
    /* Until kvm_init only the boot mapping exists: the information block
     * and the module list must lie in the first 4 MiB to be readable. */
    if (mbinfo_pa + sizeof(*mb) > BOOTMAP_END ||
        ((mb->flags & MB_INFO_MODS) &&
         mb->mods_addr + sizeof(struct multiboot_module) > BOOTMAP_END))
        panic("Multiboot information above 4 MiB");

    /* Multiboot: mem_upper counts KiB from 1 MiB up. */
    if (mb->flags & MB_INFO_MEMORY)
        mem_end = (mb->mem_upper + 1024) * 1024;
    if (mem_end > PHYSTOP_MAX)
        mem_end = PHYSTOP_MAX;

    /* The initrd is the first module. Its bytes must not be handed out as
     * free frames, and they must be mapped: the boot page table covers only
     * 4 MiB, so read the module list now but its contents after kvm_init. */
    uint32_t initrd_pa = 0, initrd_size = 0;
    if ((mb->flags & MB_INFO_MODS) && mb->mods_count > 0) {
        struct multiboot_module *mod = P2V(mb->mods_addr);
        initrd_pa = mod->mod_start;
        initrd_size = mod->mod_end - mod->mod_start;
        if (PGROUNDUP(mod->mod_end) > free_start)
            free_start = PGROUNDUP(mod->mod_end);
    }

    kalloc_init(free_start, mem_end); /* physical frames in the first 4 MiB */
    kvm_init(mem_end);                /* kernel page tables for all RAM */
    if (mem_end > BOOTMAP_END)
        kalloc_add(BOOTMAP_END, mem_end); /* now the rest is reachable */
    seg_init();                           /* GDT with user segments, TSS */
    idt_init();                           /* exception and interrupt gates */
    pic_init();                           /* IRQ 0-15 -> vectors 32-47 */
    timer_init();                         /* PIT channel 0 at 100 Hz */
#ifndef PV /* a paravirtual kernel asks the monitor for IF: it cannot lose it */
    timer_check();                        /* and its interrupts arrive */
#endif
    console_init();                       /* COM1 receive interrupts */
    sysenter_init();                      /* MSRs for the fast system call */
    kprintf("memory: %u KiB free\n", kalloc_free_pages() * 4);

    if (initrd_size == 0)
        panic("no initrd: boot with -initrd initrd.img");
    initrd_init(P2V(initrd_pa), initrd_size);

    proc_init();
    proc_userinit(); /* pid 1: /init */
    scheduler();     /* never returns */
}
