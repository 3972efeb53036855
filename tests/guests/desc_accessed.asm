; desc_accessed - an interrupt delivery sets the Accessed bit of the code
; segment it loads into CS and of the stack segment it loads into SS.
;
; SDM Vol. 3A 3.4.5.1: the processor sets a code or data descriptor's
; accessed bit "whenever it loads a segment selector for the segment into
; a segment register".  GDT 0x30: ring-0 code, 0x38: ring-0 data, both with
; A = 0.  Gate 0x42 (DPL 3) leads to 0x30, TSS.SS0 is 0x38; ring 3 runs
; `int 0x42`, and the handler checks:
;   1 the accessed bit of 0x30 (CS) is set
;   2 the accessed bit of 0x38 (SS) is set
;   3 CS = 0x30, SS = 0x38 (the handler runs where the gate and TSS say)
;
; QEMU 7.2 loads CS and SS for a delivery without writing the descriptors;
; the guest exits with 1 there (status 3).  tests/diff/desc_accessed.sdm
; records both.
;
; Exit values: the step whose check failed; 4 the INT returned.
%include "common.inc"

%define CODE_A  SPARE0
%define STACK_A SPARE1

main:
        SET_DESC CODE_A, 0, 0xfffff, 0x9A, 0xC0     ; ring-0 code, A = 0
        SET_DESC STACK_A, 0, 0xfffff, 0x92, 0xC0    ; ring-0 data, A = 0
        SET_GATE 0x42, handler, CODE_A, GATE_INT3
        mov dword [tss + 8], STACK_A                ; SS0
        ENTER_USER user, user_stack_top, 0x002

user:
        mov eax, 0x4242
.int:   int 0x42
        FAIL 4

handler:
        mov ax, KDATA
        mov ds, ax
        test byte [gdt + CODE_A + 5], 1
        jnz .cs_ok
        FAIL 1
.cs_ok: test byte [gdt + STACK_A + 5], 1
        jnz .ss_ok
        FAIL 2
.ss_ok: mov ax, cs
        CHECK_EQ ax, CODE_A, 3
        mov ax, ss
        CHECK_EQ ax, STACK_A, 3
        PASS
