; Benchmark workload: a register-only ALU loop in ring 0, then isa-debug-exit.
; Built twice with different ITERATIONS so that start-up time cancels out.
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
.loop:                       ; 7 instructions per iteration
    add eax, ebx
    xor ebx, eax
    rol eax, 3
    sub ebx, ecx
    and eax, 0x7fffffff
    dec ecx
    jnz .loop
    mov dx, 0xf4
    xor eax, eax
    out dx, al               ; isa-debug-exit: status 1
.hang:
    hlt
    jmp .hang
