; Benchmark workload: a register-only ALU loop in ring 0, then isa-debug-exit.
; Built twice with different ITERATIONS so that start-up time cancels out.
; With -DSTORES, the store-heavy loop instead: two of its seven instructions
; write memory (a buffer on pages of its own, away from the code).
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
