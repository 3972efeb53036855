; ring1svc.asm — the ring-1 service: code that runs at CPL 1, between the
; kernel (ring 0) and the programs (ring 3), the way OS/2 ran its I/O code
; in ring 2 and 32-bit Xen ran its guest kernels in ring 1.
;
; It is linked at RING1BASE (0xBFC00000, kernel.ld) and mapped there in
; every address space on supervisor pages (ring1.c). Ring 3 enters it with a
; far CALL through the call gate 0x4B (seg.c); the CPU checks the gate, loads
; CS = 0x31 from it and SS:ESP = 0x41:0xC0000000 from the TSS (SS1:ESP1),
; and pushes the caller's SS, ESP, CS and EIP on the new stack
; (SDM Vol. 3A 5.8.5, Figure 5-13). RETF pops them again.
;
; The request: EAX = what to do, EBX = its argument. The answer comes back
; in EAX (and for R1_WHOAMI in EBX, ECX, EDX too). The numbers are in
; syscall.h, for the programs.

R1DATA_SEL equ 0x39
COM1       equ 0x3F8
UART_LSR   equ 5
LSR_THRE   equ 0x20

R1_WHOAMI  equ 0
R1_PEEK    equ 1
R1_PUTS    equ 2

section .ring1 progbits alloc exec nowrite align=16

global ring1_entry
ring1_entry:
	; The stack now holds, from [esp] up: EIP, CS (the caller's, RPL 3),
	; ESP, SS. Keep the caller's DS and ES and use ring 1's own data
	; segment: every address below goes through its limit.
	push ds
	push es
	mov cx, R1DATA_SEL
	mov ds, cx
	mov es, cx
	cmp eax, R1_WHOAMI
	je whoami
	cmp eax, R1_PEEK
	je peek
	cmp eax, R1_PUTS
	je puts
	mov eax, -1
	jmp back

; Where am I? EAX = SS << 16 | CS (the low two bits of CS are the CPL),
; EBX = ESP as the call left it, ECX = EFLAGS (IOPL in bits 12-13),
; EDX = the limit of DS, asked from the CPU with LSL.
whoami:
	xor eax, eax
	mov ax, ss
	shl eax, 16
	mov ax, cs
	lea ebx, [esp + 8]              ; before the two pushes above
	pushfd
	pop ecx
	mov dx, ds
	movzx edx, dx
	lsl edx, dx
	jmp back

; Read the word at EBX, through DS. Paging treats CPL 1 as a supervisor,
; so a kernel page is no obstacle; DS's limit is, when the kernel has cut
; ring 1's segments off below KERNBASE: #GP(0) (SDM Vol. 3A 5.3).
peek:
global ring1_peek_load
ring1_peek_load:
	mov eax, [ebx]
	jmp back

; Write the string at EBX to COM1 with IN and OUT. CPL 1 <= IOPL 1, so the
; CPU allows every port without looking at the TSS bitmap (SDM Vol. 1
; 19.5.1). EAX = how many bytes went out.
puts:
	push esi
	mov esi, ebx
	xor ecx, ecx
.next:
	mov al, [esi + ecx]
	test al, al
	jz .done
	cmp al, 10                      ; a terminal wants CR before LF
	jne .send
	mov al, 13
	call com1_putc
	mov al, 10
.send:
	call com1_putc
	inc ecx
	jmp .next
.done:
	mov eax, ecx
	pop esi
	jmp back

; AL to the transmit register, once the UART says it is empty.
com1_putc:
	push edx
	push eax
	mov dx, COM1 + UART_LSR
.wait:
	in al, dx
	test al, LSR_THRE
	jz .wait
	pop eax
	mov dx, COM1
	out dx, al
	pop edx
	ret

back:
	pop es
	pop ds
	retf                            ; to ring 3: pops EIP, CS, then ESP, SS

; no executable stack wanted (keeps the linker quiet)
section .note.GNU-stack noalloc noexec nowrite progbits
