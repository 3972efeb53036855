; trapasm.asm — the ways into and out of the kernel, and the context switch.
;
; Every vector the IDT uses has a tiny stub here that makes the stack look
; the same for all of them (struct trapframe in trap.h) and jumps to
; alltraps, which saves the registers and calls trap(tf) in trap.c.

%ifdef PV
KDATA_SEL equ 0x11                  ; the kernel runs at ring 1 (mmu.h)
HC_VECTOR equ 0x82                  ; hypercall.h
HC_IRET   equ 13
%else
KDATA_SEL equ 0x10
%endif
UDATA_SEL equ 0x23
UCODE_SEL equ 0x1B

extern trap

; Back to the interrupted code from an IRET frame at [esp]. At ring 1 IRET
; would leave IF and IOPL as they are (SDM Vol. 2A IRET): the ring-1 build
; asks the monitor to return instead, with its EAX on top of the frame.
%macro IRET_FRAME 0
%ifdef PV
	push eax
	mov eax, HC_IRET
	int HC_VECTOR
%else
	iretd
%endif
%endmacro

section .text

; For these vectors the CPU pushes an error code itself (SDM Vol. 3A 6.13,
; Table 6-1); for the others the stub pushes a 0 so the frame is the same.
%macro VECTOR 1
vector%1:
%if %1 = 8 || (%1 >= 10 && %1 <= 14) || %1 = 17
%else
	push dword 0
%endif
	push dword %1
	jmp alltraps
%endmacro

%assign i 0
%rep 48
VECTOR i
%assign i i+1
%endrep
VECTOR 128

; The table idt_init() reads: vectors[n] for n in 0..47, and the int 0x80 stub.
section .rodata
global vectors
global vector_syscall
vectors:
%assign i 0
%rep 48
	dd vector %+ i
%assign i i+1
%endrep
vector_syscall:
	dd vector128

section .text
alltraps:
	push ds
	push es
	push fs
	push gs
	pushad
	mov ax, KDATA_SEL               ; the kernel's own data segment
	mov ds, ax
	mov es, ax
	mov fs, ax
	mov gs, ax
	push esp                        ; trap(struct trapframe *tf)
	call trap
	add esp, 4
	; fall through: go back to where the trap came from

global trapret
trapret:
	popad
	pop gs
	pop fs
	pop es
	pop ds
	add esp, 8                      ; drop trapno and err
	IRET_FRAME                      ; SDM Vol. 2A IRET: pops eip, cs, eflags (and esp, ss if going to ring 3)

; sysenter: the fast way in (SDM Vol. 3A 5.8.7). The CPU loads CS from the
; SYSENTER_CS MSR, SS = CS + 8, ESP and EIP from the SYSENTER_ESP/EIP MSRs,
; clears IF, and saves nothing at all: it does not know where it came from.
; The user library put its stack pointer in ECX and its return address in
; EDX (usys.c), so this builds the same frame "int 0x80" would have.
global sysenter_entry
sysenter_entry:
	push dword UDATA_SEL            ; ss
	push ecx                        ; esp
	pushfd                          ; eflags: the user's, except IF which
	or dword [esp], 0x200           ;   sysenter cleared; it was set in ring 3
	push dword UCODE_SEL            ; cs
	push edx                        ; eip
	push dword 0                    ; err
	push dword 0x80                 ; trapno: a system call, like int 0x80
	push ds
	push es
	push fs
	push gs
	pushad
	mov ax, KDATA_SEL
	mov ds, ax
	mov es, ax
	mov fs, ax
	mov gs, ax
	push esp
	call trap
	add esp, 4
	; sysexit (SDM Vol. 2B): CS = SYSENTER_CS + 16 | 3, SS = SYSENTER_CS + 24 | 3,
	; EIP = EDX, ESP = ECX. Take them from the frame, which exec() may
	; have changed. EFLAGS is not restored, so set IF here: "sti" waits one
	; instruction, and the next interrupt arrives after sysexit, in ring 3.
	popad
	pop gs
	pop fs
	pop es
	pop ds
	add esp, 8                      ; trapno, err
%ifdef PV
	IRET_FRAME                      ; no SYSEXIT at ring 1: the frame is an IRET's
%else
	mov edx, [esp]                  ; eip
	mov ecx, [esp + 12]             ; esp
	sti
	sysexit
%endif

; void swtch(struct context **old, struct context *new);
; Save the callee-saved registers on this stack, store the stack pointer in
; *old, load new as the stack pointer, restore its registers and return into
; whatever called swtch() on that stack (or into forkret for a new process).
global swtch
swtch:
	mov eax, [esp + 4]
	mov edx, [esp + 8]
	push ebp
	push ebx
	push esi
	push edi
	mov [eax], esp
	mov esp, edx
	pop edi
	pop esi
	pop ebx
	pop ebp
	ret

; no executable stack wanted (keeps the linker quiet)
section .note.GNU-stack noalloc noexec nowrite progbits
