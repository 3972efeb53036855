; Benchmark workload: a register-only ALU loop in ring 0, then isa-debug-exit.
; Built twice with different ITERATIONS so that start-up time cancels out.
; With -DSTORES, the store-heavy loop instead: two of its seven instructions
; write memory (a buffer on pages of its own, away from the code).
; With LIMITED, FS holds a data segment with a 1 MiB limit during the loop
; (which never uses FS): what ringlab's segment limit checks cost while a
; segment is not flat.
bits 32
%ifndef ITERATIONS
%define ITERATIONS 100000000
%endif
section .multiboot
align 4
    dd 0x1BADB002, 0x00000000, -(0x1BADB002 + 0x00000000)
section .text
global _start
_start:
%ifdef LIMITED
    lgdt [gdt_ptr]
    jmp 0x08:.cs_loaded
.cs_loaded:
    mov ax, 0x10
    mov ds, ax
    mov es, ax
    mov ss, ax
    mov ax, 0x18
    mov fs, ax
%endif
    mov ecx, ITERATIONS
    xor eax, eax
    mov ebx, 1
%ifdef STORES
    mov esi, buffer
    xor ebx, ebx
.loop:                       ; 7 instructions per iteration, 2 of them stores
    mov [esi + ebx * 4], eax
    add eax, ecx
    inc ebx
    mov [esi + ebx * 4 + 4096], eax
    and ebx, 1023
    dec ecx
    jnz .loop
%else
.loop:                       ; 7 instructions per iteration
    add eax, ebx
    xor ebx, eax
    rol eax, 3
    sub ebx, ecx
    and eax, 0x7fffffff
    dec ecx
    jnz .loop
%endif
    mov dx, 0xf4
    xor eax, eax
    out dx, al               ; isa-debug-exit: status 1
.hang:
    hlt
    jmp .hang

%ifdef STORES
section .bss
alignb 4096
buffer: resb 8192 + 4096
%endif

%ifdef LIMITED
section .data
align 8
gdt:
    dq 0
    dq 0x00CF9A000000FFFF    ; 0x08 code, flat
    dq 0x00CF92000000FFFF    ; 0x10 data, flat
    dq 0x004F92000000FFFF    ; 0x18 data, limit 0xfffff bytes (G = 0)
gdt_ptr:
    dw gdt_ptr - gdt - 1
    dd gdt
%endif
