; Benchmark workload: ITERATIONS round trips ring 3 -> int 0x80 -> ring 0 ->
; iretd -> ring 3, with a flat GDT, a TSS for the stack switch and paging off.
; With -DSYSENTER, the round trips go by sysenter and sysexit instead
; (the SYSENTER MSRs name the ring-0 entry and stack; SDM Vol. 3A 5.8.7).
bits 32
%ifndef ITERATIONS
%define ITERATIONS 1000000
%endif
section .multiboot
align 4
    dd 0x1BADB002, 0x00000000, -(0x1BADB002 + 0x00000000)
section .text
global _start
_start:
    ; TSS: SS0 = 0x10, ESP0 = top of the kernel stack
    mov dword [tss + 4], kstack_top
    mov dword [tss + 8], 0x10
    mov eax, tss
    mov [gdt + 0x28 + 2], ax
    shr eax, 16
    mov [gdt + 0x28 + 4], al
    mov [gdt + 0x28 + 7], ah
    lgdt [gdt_ptr]
    jmp 0x08:.cs_loaded
.cs_loaded:
    mov ax, 0x10
    mov ds, ax
    mov es, ax
    mov ss, ax
    mov esp, kstack_top
    mov ax, 0x28
    ltr ax
    ; IDT entry 0x80: 32-bit trap gate, DPL 3, handler at 0x08:syscall_entry
    mov eax, syscall_entry
    mov [idt + 0x80 * 8], ax
    mov word [idt + 0x80 * 8 + 2], 0x08
    mov word [idt + 0x80 * 8 + 4], 0xef00
    shr eax, 16
    mov [idt + 0x80 * 8 + 6], ax
    lidt [idt_ptr]
%ifdef SYSENTER
    ; IA32_SYSENTER_CS, _ESP, _EIP; SYSEXIT returns to CS + 16 and SS + 24
    ; (0x1b, 0x23), the GDT's ring-3 descriptors
    xor edx, edx
    mov ecx, 0x174
    mov eax, 0x08
    wrmsr
    mov ecx, 0x175
    mov eax, kstack_top
    wrmsr
    mov ecx, 0x176
    mov eax, sysenter_entry
    wrmsr
%endif
    ; to ring 3
    push dword 0x23
    push dword ustack_top
    push dword 0x2
    push dword 0x1b
    push dword user
    iretd
%ifdef SYSENTER
user:
    xor eax, eax
    mov edi, ITERATIONS
.loop:
    mov ecx, esp              ; SYSEXIT: ESP from ECX, EIP from EDX
    mov edx, .back
    sysenter
.back:
    dec edi
    jnz .loop
    mov eax, 1                ; ask the kernel to exit
    sysenter
sysenter_entry:
    cmp eax, 1
    je syscall_entry.exit
    sysexit
%else
user:
    mov ecx, ITERATIONS
.loop:
    int 0x80
    dec ecx
    jnz .loop
    mov eax, 1                ; ask the kernel to exit
    int 0x80
%endif
syscall_entry:
    cmp eax, 1
    je .exit
    iretd
.exit:
    mov dx, 0xf4
    xor eax, eax
    out dx, al
.hang:
    hlt
    jmp .hang

section .data
align 8
gdt:
    dq 0
    dq 0x00cf9a000000ffff     ; 0x08 ring 0 code
    dq 0x00cf92000000ffff     ; 0x10 ring 0 data
    dq 0x00cffa000000ffff     ; 0x18 ring 3 code
    dq 0x00cff2000000ffff     ; 0x20 ring 3 data
    dq 0x0000890000000067     ; 0x28 TSS (base patched at start)
gdt_end:
gdt_ptr:
    dw gdt_end - gdt - 1
    dd gdt
idt_ptr:
    dw 256 * 8 - 1
    dd idt
section .bss
alignb 16
idt: resb 256 * 8
tss: resb 104
    resb 4096
kstack_top:
    resb 4096
ustack_top:
