; entry.asm — the kernel's first instructions.
;
; The boot loader (QEMU's -kernel, GRUB, ringlab) finds the Multiboot header
; below, copies the kernel to physical 1 MiB and jumps to `start` in 32-bit
; protected mode with paging off, EAX = 0x2BADB002 and EBX = the physical
; address of the Multiboot information block.
;
; The kernel is linked at 0xC0100000 but sits at 0x00100000, so until paging
; is on, every address this code uses must have KERNBASE taken off. The boot
; page directory maps the first 4 MiB of physical memory twice: at 0 (so the
; instruction after "mov cr0" can still be fetched) and at 0xC0000000 (where
; the kernel is linked). After the jump to the high address the low mapping
; is no longer needed; main.c replaces the whole directory.

KERNBASE  equ 0xC0000000
MB_MAGIC  equ 0x1BADB002
MB_FLAGS  equ 0x00000003        ; bit 0: modules page-aligned, bit 1: memory info
PTE_P     equ 0x001
PTE_W     equ 0x002
CR0_PG    equ 0x80000000
CR0_WP    equ 0x00010000
KSTACK    equ 4096

section .multiboot
align 4
	dd MB_MAGIC
	dd MB_FLAGS
	dd -(MB_MAGIC + MB_FLAGS)       ; the three words must sum to zero

section .text
global start
extern kmain
start:
	mov esi, eax                    ; keep the boot loader's magic

	; Clear the boot page directory (physical address: symbol - KERNBASE).
	mov edi, boot_pgdir - KERNBASE
	xor eax, eax
	mov ecx, 1024
	rep stosd

	; One page table mapping physical 0..4 MiB, 1024 entries of 4 KiB.
	mov edi, boot_pgtable - KERNBASE
	mov eax, PTE_P | PTE_W
	mov ecx, 1024
.fill:
	stosd
	add eax, 4096
	loop .fill

	; Use it for linear 0..4 MiB (entry 0) and 0xC0000000..+4 MiB (entry 768).
	mov eax, (boot_pgtable - KERNBASE) + (PTE_P | PTE_W)
	mov [boot_pgdir - KERNBASE], eax
	mov [boot_pgdir - KERNBASE + (KERNBASE >> 22) * 4], eax

	; SDM Vol. 3A 4.3: CR3 holds the page directory's physical address;
	; setting CR0.PG turns paging on. WP makes ring 0 respect read-only
	; pages too, which copy-on-write relies on.
	mov eax, boot_pgdir - KERNBASE
	mov cr3, eax
	mov eax, cr0
	or eax, CR0_PG | CR0_WP
	mov cr0, eax

	; Still running at the low address; jump to the linked (high) one.
	mov eax, .high
	jmp eax
.high:
	mov esp, boot_stack + KSTACK
	xor ebp, ebp                    ; end of the frame-pointer chain
	push ebx                        ; kmain(magic, multiboot info phys)
	push esi
	call kmain
.hang:
	cli
	hlt
	jmp .hang

section .bss
align 4096
global boot_pgdir
boot_pgdir:   resb 4096
boot_pgtable: resb 4096
boot_stack:   resb KSTACK

; no executable stack wanted (keeps the linker quiet)
section .note.GNU-stack noalloc noexec nowrite progbits
