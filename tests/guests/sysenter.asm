; sysenter - SYSENTER/SYSEXIT and their MSRs.
;
; SDM Vol. 2B SYSENTER, SYSEXIT; Vol. 3A 5.8.7: SYSENTER loads CS from
; IA32_SYSENTER_CS (MSR 0x174), SS = CS + 8, ESP from IA32_SYSENTER_ESP
; (0x175), EIP from IA32_SYSENTER_EIP (0x176), CPL 0, and clears VM, IF
; and RF; nothing is pushed.  SYSENTER_CS[15:2] = 0 -> #GP(0).  SYSEXIT
; (CPL 0 only, else #GP(0)) loads CS = (SYSENTER_CS + 16) | 3,
; SS = (SYSENTER_CS + 24) | 3, EIP = EDX, ESP = ECX.
;
;   1  SYSENTER_CS = 0: sysenter (ring 0)       -> #GP(0)
;   ring 3 (IF=1, PIC lines masked) sysenter with ECX, EDX set:
;   2..4 CS = 0x08, SS = 0x10, ESP = the MSR's
;   5  IF clear
;   6  the user stack was not touched
;   sysexit: 7 CS = 0x1b, 8 SS = 0x23, 9 ESP = ECX, back at EDX
;   10 sysexit in ring 3                        -> #GP(0)
;
; Exit values: the step whose check failed; 11 SYSENTER fell through to the
; next instruction.
%include "common.inc"

%define MSR_CS  0x174
%define MSR_ESP 0x175
%define MSR_EIP 0x176

main:
        mov al, 0xFF                ; mask every PIC line
        out 0x21, al
        out 0xA1, al
        xor edx, edx
        xor eax, eax
        mov ecx, MSR_CS
        wrmsr
        EXPECT 1, 13, 0, 0, .s2
        EXPECT_AT .f1, KCODE
        mov eax, 0x0101
.f1:    sysenter
.s2:    EXPECT_HIT 1
        xor edx, edx
        mov ecx, MSR_CS
        mov eax, KCODE
        wrmsr
        mov ecx, MSR_ESP
        mov eax, sys_stack_top
        wrmsr
        mov ecx, MSR_EIP
        mov eax, sys_entry
        wrmsr
        mov dword [user_stack_top - 4], 0x5a5a5a5a
        ENTER_USER user, user_stack_top - 4, 0x202

user:
        mov ecx, user_stack_top - 16
        mov edx, .back
        mov eax, 0x0202
        sysenter
        FAIL 11
.back:  mov ax, cs
        CHECK_EQ ax, UCODE, 7
        mov ax, ss
        CHECK_EQ ax, UDATA, 8
        CHECK_EQ esp, user_stack_top - 16, 9
        CHECK_EQ dword [user_stack_top - 4], 0x5a5a5a5a, 6
        EXPECT 10, 13, 0, 0, .done
        EXPECT_AT .f10, UCODE
        mov eax, 0x0a0a
.f10:   sysexit
.done:  EXPECT_HIT 10
        PASS

sys_entry:
        mov ax, cs
        CHECK_EQ ax, KCODE, 2
        mov ax, ss
        CHECK_EQ ax, KDATA, 3
        CHECK_EQ esp, sys_stack_top, 4
        pushfd
        test dword [esp], EFLAGS_IF
        jz .if_ok
        FAIL 5
.if_ok: add esp, 4
        sysexit                     ; to EDX with ESP = ECX

section .bss
sys_stack:      resb 1024
sys_stack_top:
