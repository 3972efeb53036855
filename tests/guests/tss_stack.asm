; tss_stack - checks on the ring-0 stack taken from the TSS when an
; interrupt raises the privilege level.
;
; SDM Vol. 2A "INT n" (INTER-PRIVILEGE-LEVEL-INTERRUPT) and Vol. 3A 6.12.1:
; with NewSS = TSS.SS0 for a ring-0 handler,
;   NewSS NULL                                  -> #TS(EXT) = #TS(0) for INT n
;   NewSS RPL != new CPL                        -> #TS(NewSS)
;   NewSS DPL != new CPL                        -> #TS(NewSS)
;   NewSS not a writable data segment           -> #TS(NewSS)
; (the error code is the selector with its low two bits clear).
;
; The faults happen while the stack cannot be used, so vector 10 (#TS) is
; a task gate: task B (TSS at GDT 0x30) checks the error code on its own
; stack and the back-link, puts SS0 right again, moves task A's saved EIP
; past the INT and returns with IRET.  Ring 3 of task A breaks SS0 (the
; guest runs without paging, so ring 3 can write the TSS) and runs
; int 0x42 through a DPL-3 gate to ring 0:
;   1  SS0 = 0x0000                       #TS(0)
;   2  SS0 = 0x0011 (RPL 1)               #TS(0x10)
;   3  SS0 = 0x0018 (code segment)        #TS(0x18)
;   4  SS0 = 0x0020 (data, DPL 3)         #TS(0x20)
;   5  SS0 = 0x0010 again: int 0x42 reaches its handler
;
; Exit values: the step whose check failed; 6 task B found a wrong
; back-link; 7 the 0x42 handler ran while SS0 was bad.
%include "common.inc"

%define TSS_B  SPARE0

main:
        KERNEL_TASK TSS_B, tss_b, task_b, stack_b_top
        SET_GATE 10, 0, TSS_B, GATE_TASK
        SET_GATE 0x42, handler_42, KCODE, GATE_INT3
        ENTER_USER user, user_stack_top, 0x002

; TRY step, ss0, error - break SS0, int 0x42, expect #TS(error) in task B
%macro TRY 3
        EXPECT %1, 10, %3, 0, %%after
        mov dword [tss + 8], %2
        mov eax, %1
        int 0x42
%%after:
        EXPECT_HIT %1
%endmacro

user:
        TRY 1, 0x0000, 0
        TRY 2, KDATA | 1, KDATA
        TRY 3, UCODE & ~3, UCODE & ~3
        TRY 4, UDATA & ~3, UDATA & ~3
        mov dword [bad_ss0], 0
        mov eax, 5
        int 0x42
        CHECK_EQ dword [count_42], 1, 5
        PASS

handler_42:
        cmp dword [bad_ss0], 0
        je .ok
        FAIL 7
.ok:    inc dword [count_42]
        iretd

task_b:                         ; stack: error code
        pop eax
        cmp eax, [exp_err]
        je .err_ok
        mov esi, msg_bad_err
        call puts
        call puthex
        mov eax, [exp_step]
        jmp exit_ring0
.err_ok:
        CHECK_EQ word [tss_b], TSS_SEL, 6
        mov dword [tss + 8], KDATA                  ; SS0 right again
        mov eax, [exp_resume]
        mov [tss + 32], eax                         ; task A's EIP
        mov dword [exp_hit], 1
        iretd                                       ; NT=1: back to task A
        jmp task_b

section .data
bad_ss0:  dd 1
count_42: dd 0

section .bss
alignb 16
tss_b:          resb 104
alignb 16
stack_b:        resb 1024
stack_b_top:
