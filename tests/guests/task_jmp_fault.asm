; task_jmp_fault - a fault after the commit point of a far JMP to a TSS is
; delivered in the new task, at its first instruction.
;
; SDM Vol. 3A 7.3 and Table 7-1: the checks after the commit point (here:
; "Segment present" for DS, #NP) fault in the context of the new task; the
; CS:EIP saved is the new task's.  Ring 0 jumps to TSS B (ring 0, flat, but
; DS = 0x40, a data segment with P = 0):
;   1 #NP(0x40), with the saved CS:EIP = 0008:task_b
;
; Known failure, on both machines: QEMU 7.2 and ringlab's engine (a far
; JMP's task switch is the engine's) restore the EIP of the JMP after the
; fault, QEMU with bits lost; the guest exits with 1 (status 3) on both.
; tests/diff/task_jmp_fault.sdm records the SDM's lines and QEMU's
; status; guests.mk lists the test in XFAIL_TESTS until ringlab delivers
; the fault at the new task's EIP.
;
; Exit values: 1 the #NP did not come or was wrong; 2 task B ran its code;
; 3 the JMP returned.
%include "common.inc"

%define TSS_B   SPARE0
%define DATA_NP SPARE1

main:
        SET_DESC DATA_NP, 0, 0xfffff, 0x12, 0xC0        ; ring-0 data, P = 0
        KERNEL_TASK TSS_B, tss_b, task_b, stack_b_top
        mov dword [tss_b + 84], DATA_NP                 ; DS
        EXPECT 1, 11, DATA_NP, 0, .resume
        EXPECT_AT task_b, KCODE
        mov eax, 0x4a4a
.jmp:   jmp TSS_B:0
        FAIL 3
.resume:
        EXPECT_HIT 1
        PASS

task_b:
        FAIL 2

section .bss
alignb 16
tss_b:          resb 104
alignb 16
stack_b:        resb 1024
stack_b_top:
