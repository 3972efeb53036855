; tss_ss16 - an interrupt to ring 0 whose TSS stack segment is 16-bit:
; ESP comes whole from the TSS, the pushes move SP only.
;
; SDM Vol. 2A INT n, INTER-PRIVILEGE-LEVEL-INTERRUPT: NewESP is read from
; the TSS, "SS:ESP <- newSS:NewESP", then the frame is pushed with the new
; stack's address size (16 bits for a segment with B = 0: SP).  GDT 0x30:
; a 16-bit ring-0 data segment based at stack16 (limit 0xffff); TSS.SS0 =
; 0x30, ESP0 = 0x00000800.  Ring 3, with ESP = user_stack_top (upper half
; 0x0010), runs `int 0x42`; the handler checks:
;   1 ESP = 0x000007ec (20 bytes pushed below ESP0; the upper half is
;     ESP0's, 0, not the interrupted ESP's)
;   2 SS = 0x30
;   3..7 the EIP, CS, EFLAGS, ESP and SS words of the frame
;
; QEMU 7.2 keeps the upper half of the interrupted ESP (ESP = 0x001007ec)
; and the guest exits with 1 (status 3); tests/diff/tss_ss16.sdm records
; both.
;
; Exit values: the step whose check failed; 8 the INT returned.
%include "common.inc"

%define STACK16 SPARE0

main:
        SET_DESC STACK16, stack16, 0xffff, 0x92, 0x00   ; ring-0 data, B = 0
        SET_GATE 0x42, handler, KCODE, GATE_INT3
        mov dword [tss + 4], 0x800                      ; ESP0
        mov dword [tss + 8], STACK16                    ; SS0
        ENTER_USER user, user_stack_top, 0x002

user:
        mov eax, 0x1616
.int:   int 0x42
        FAIL 8

handler:
        mov ebx, esp
        mov ax, KDATA
        mov ds, ax
        CHECK_EQ ebx, 0x7ec, 1
        mov ax, ss
        CHECK_EQ ax, STACK16, 2
        CHECK_EQ dword [ss:0x7ec], user.int + 2, 3
        CHECK_EQ dword [ss:0x7f0], UCODE, 4
        CHECK_EQ dword [ss:0x7f4], 0x002, 5
        CHECK_EQ dword [ss:0x7f8], user_stack_top, 6
        CHECK_EQ dword [ss:0x7fc], UDATA, 7
        PASS

section .bss
alignb 4096
stack16:        resb 4096
