; sysenter_cs_rpl - SYSENTER tests bits 15:2 of IA32_SYSENTER_CS.
;
; SDM Vol. 2B SYSENTER: "IF CR0.PE = 0 OR IA32_SYSENTER_CS[15:2] = 0 THEN
; #GP(0)": an MSR holding only RPL bits (here 3) names no code segment.
;   1 ring 3 `sysenter` with IA32_SYSENTER_CS = 3: #GP(0) at the SYSENTER,
;     its target not run
;
; QEMU 7.2 tests the whole MSR against 0 and enters ring 0 with CS = 0;
; the target exits with 2 (status 5).  tests/diff/sysenter_cs_rpl.sdm
; records both.
;
; Exit values: 1 the #GP did not come or was wrong; 2 SYSENTER went
; through; 3 SYSENTER fell through to the next instruction.
%include "common.inc"

main:
        mov ecx, 0x174                  ; IA32_SYSENTER_CS
        mov eax, 3
        xor edx, edx
        wrmsr
        inc ecx                         ; IA32_SYSENTER_ESP
        mov eax, intr_stack_top
        wrmsr
        inc ecx                         ; IA32_SYSENTER_EIP
        mov eax, entered
        wrmsr
        ENTER_USER user, user_stack_top, 0x002

user:
        EXPECT 1, 13, 0, 0, .done
        EXPECT_AT .sys, UCODE
        mov eax, 0x5353
.sys:   sysenter
        FAIL 3
.done:  EXPECT_HIT 1
        PASS

entered:
        FAIL 2
