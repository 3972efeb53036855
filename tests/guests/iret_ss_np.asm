; iret_ss_np - IRET to an outer ring whose stack segment is not present.
;
; SDM Vol. 2A IRET, RETURN-TO-OUTER-PRIVILEGE-LEVEL: after the SS selector
; and descriptor checks, "IF stack segment is not present THEN
; #SS(SS selector)".  (A not-present *code* segment gives #NP instead.)
;
; GDT 0x30: a ring-3 writable data segment with P=0.  Ring 0 IRETs to
; CS 0x1b, SS 0x33 -> #SS(0x30), saved CS:EIP = the IRET, nothing popped.
;
; QEMU 7.2 raises #NP(0x30) here; the guest then finds vector 11 where it
; expects 12 and exits with 0x4b (unexpected #NP: status 151).
; tests/diff/iret_ss_np.sdm records both.
;
; Exit values: 1 no fault came; 2 ESP moved; 0x4b an #NP came instead;
; 3 the IRET went through.
%include "common.inc"

%define SS_NP (SPARE0 | 3)

main:
        SET_DESC SS_NP, 0, 0xfffff, 0x72, 0xc0      ; P=0, DPL 3, data, writable
        EXPECT 1, 12, SPARE0, 0, .resume
        EXPECT_AT .iret, KCODE
        mov ebx, esp
        push dword SS_NP
        push dword user_stack_top
        push dword 0x002
        push dword UCODE
        push dword never_runs
        mov eax, 0x0c0c
.iret:  iretd
.resume:
        EXPECT_HIT 1
        add esp, 20
        CHECK_EQ esp, ebx, 2
        PASS

never_runs:
        FAIL 3
