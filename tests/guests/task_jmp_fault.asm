; task_jmp_fault - a fault after the commit point of a far JMP to a TSS is
; delivered in the new task, at its first instruction.
;
; SDM Vol. 3A 7.3 and Table 7-1: the checks after the commit point (here:
; "Segment present" for DS, #NP) fault in the context of the new task; the
; CS:EIP saved is the new task's.  Ring 0 jumps to TSS B (ring 0, flat, but
; DS = 0x40, a data segment with P = 0):
;   1 #NP(0x40), with the saved CS:EIP = 0008:task_b
;
; The handler runs in task B, whose DS still holds the selector that did
; not load: it loads DS itself and ends the guest (returning would pop the
; bad DS again).
;
; QEMU 7.2 restores the EIP of the JMP after the fault and the guest exits
; with 1 (status 3); tests/diff/task_jmp_fault.sdm records the SDM's line
; and QEMU's status.  ringlab's far JMP is the engine's, which does the
; same; ringlab corrects the EIP (cpu/sdm_fixup.c).
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
        SET_GATE 11, np_in_task_b, KCODE, 0x8E
        mov eax, 0x4a4a
.jmp:   jmp TSS_B:0
        FAIL 3

task_b:
        FAIL 2

; #NP, same privilege: error code, EIP, CS, EFLAGS on task B's stack
np_in_task_b:
        mov ax, KDATA
        mov ds, ax
        mov es, ax
        cmp dword [esp], DATA_NP
        jne .wrong
        cmp dword [esp + 4], task_b
        jne .wrong
        cmp dword [esp + 8], KCODE
        jne .wrong
        PASS
.wrong: FAIL 1

section .bss
alignb 16
tss_b:          resb 104
alignb 16
stack_b:        resb 1024
stack_b_top:
