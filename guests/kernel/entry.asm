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

; Built with -DPV the kernel starts at ring 1 under the monitor and asks it
; for what ring 1 may not do (hypercall.h, whose numbers these repeat).
%ifdef PV
HC_VECTOR   equ 0x82
HC_HALT     equ 3
HC_READ_CR  equ 9
HC_WRITE_CR equ 10
%endif

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
%ifdef PV
	mov ebp, ebx                    ; the hypercalls take EBX: keep the info's address
%endif

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
%ifdef PV
	mov eax, HC_WRITE_CR
	mov ebx, 3
	mov ecx, boot_pgdir - KERNBASE
	int HC_VECTOR
	mov eax, HC_READ_CR
	xor ebx, ebx
	int HC_VECTOR
	or eax, CR0_PG | CR0_WP
	mov ecx, eax
	mov eax, HC_WRITE_CR
	int HC_VECTOR                   ; EBX is still 0: CR0
	mov ebx, ebp
%else
	mov eax, boot_pgdir - KERNBASE
	mov cr3, eax
	mov eax, cr0
	or eax, CR0_PG | CR0_WP
	mov cr0, eax
%endif

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
%ifdef PV
	mov eax, HC_HALT
	int HC_VECTOR
%else
	cli
	hlt
%endif
	jmp .hang

section .bss
align 4096
global boot_pgdir
boot_pgdir:   resb 4096
boot_pgtable: resb 4096
boot_stack:   resb KSTACK

; no executable stack wanted (keeps the linker quiet)
section .note.GNU-stack noalloc noexec nowrite progbits
