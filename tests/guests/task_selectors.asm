; task_selectors - a fault after the commit point of a task switch finds
; every segment register holding the new task's selector.
;
; SDM Vol. 3A 7.3, steps 12 and 13: the new task's segment selectors are
; loaded, then their descriptors are loaded and qualified; errors in the
; qualification occur in the context of the new task (Table 7-1).
; INT 0x42 is a task gate to task B (TSS B, GDT 0x38): ring 3, ES = the
; ring-3 data segment, DS = FS = 0x30, a ring-0 data segment that CPL 3
; may not use -> #TS(0x30) in task B's context.  Vector 10 is a task gate
; to task C (GDT 0x40), so the switch to C saves task B's state in TSS B,
; and task C checks:
;   1 the error code 0x30 on its stack
;   2 TSS B's saved DS = 0x30 (the new selector, not task A's 0x10)
;   3 TSS B's saved FS = 0x30      4 its ES = 0x23      5 its GS = 0
;   6 its CS = 0x1b                7 its SS = 0x23
;
; Exit values: the step whose check failed; 8 the INT returned.
%include "common.inc"

%define BAD_DATA SPARE0         ; ring-0 data, DPL 0
%define TSS_B    SPARE1
%define TSS_C    SPARE2

main:
        SET_DESC BAD_DATA, 0, 0xfffff, 0x92, 0xC0
        ; task B: ring 3, its DS and FS out of its reach
        mov dword [tss_b + 32], task_b          ; EIP (never reached)
        mov dword [tss_b + 36], 0x002           ; EFLAGS
        mov dword [tss_b + 56], user_stack_top  ; ESP
        mov dword [tss_b + 72], UDATA           ; ES
        mov dword [tss_b + 76], UCODE           ; CS
        mov dword [tss_b + 80], UDATA           ; SS
        mov dword [tss_b + 84], BAD_DATA        ; DS
        mov dword [tss_b + 88], BAD_DATA        ; FS
        mov dword [tss_b + 92], 0               ; GS
        mov word [tss_b + 102], 104
        SET_DESC TSS_B, tss_b, 103, 0x89, 0x00
        KERNEL_TASK TSS_C, tss_c, task_c, stack_c_top
        SET_GATE 0x42, 0, TSS_B, GATE_TASK
        SET_GATE 10, 0, TSS_C, GATE_TASK
        int 0x42
        FAIL 8

task_b:
        FAIL 8

task_c:
        CHECK_EQ dword [esp], BAD_DATA, 1
        CHECK_EQ word [tss_b + 84], BAD_DATA, 2
        CHECK_EQ word [tss_b + 88], BAD_DATA, 3
        CHECK_EQ word [tss_b + 72], UDATA, 4
        CHECK_EQ word [tss_b + 92], 0, 5
        CHECK_EQ word [tss_b + 76], UCODE, 6
        CHECK_EQ word [tss_b + 80], UDATA, 7
        PASS

section .bss
alignb 16
tss_b:          resb 104
alignb 16
tss_c:          resb 104
alignb 16
stack_c:        resb 1024
stack_c_top:
