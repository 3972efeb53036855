; tss_ss_np - the ring-0 stack segment named by TSS.SS0 is not present.
;
; SDM Vol. 2A "INT n" (INTER-PRIVILEGE-LEVEL-INTERRUPT): after the #TS
; checks on NewSS (see tss_stack.asm), "IF NewSS not present THEN
; #SS(error_code(NewSS, 0, EXT))" = #SS(0x38) here for INT n.
;
; As in tss_stack.asm the fault comes through a task gate (vector 12 here)
; to task B, which checks the error code, puts SS0 right and returns.
; Ring 3 sets SS0 = 0x38, a writable ring-0 data segment with P=0, and runs
; int 0x42:
;   1  #SS(0x38)
;   5  SS0 = 0x0010 again: int 0x42 reaches its handler
;
; QEMU 7.2 raises #TS(0x38) instead (do_interrupt_protected checks P with
; the other NewSS checks); #TS is a task gate to task C, which reports an
; unexpected #TS and exits with 0x4a (status 149).
; tests/diff/tss_ss_np.sdm records both.
;
; Exit values: the step whose check failed; 6 task B found a wrong
; back-link; 7 the 0x42 handler ran while SS0 was bad.
%include "common.inc"

%define TSS_B  SPARE0
%define SS_NP  SPARE1
%define TSS_C  SPARE2

main:
        KERNEL_TASK TSS_B, tss_b, task_b, stack_b_top
        SET_DESC SS_NP, 0, 0xfffff, 0x12, 0xc0     ; data, writable, DPL 0, P=0
        ; #TS goes to task C, which reports it: QEMU raises #TS here
        KERNEL_TASK TSS_C, tss_c, task_c, stack_c_top
        SET_GATE 10, 0, TSS_C, GATE_TASK
        SET_GATE 12, 0, TSS_B, GATE_TASK
        SET_GATE 0x42, handler_42, KCODE, GATE_INT3
        ENTER_USER user, user_stack_top, 0x002

user:
        EXPECT 1, 12, SS_NP, 0, .after
        mov dword [tss + 8], SS_NP
        mov eax, 1
.int:   int 0x42
.after: EXPECT_HIT 1
        mov dword [bad_ss0], 0
        mov eax, 5
.int5:  int 0x42
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

task_c:                         ; an unexpected #TS: report it like exc_common
        mov esi, msg_unexp
        call puts
        mov eax, 10
        call puthex
        mov esi, msg_err
        call puts
        pop eax
        call puthex
        mov esi, msg_nl
        call puts
        mov eax, 0x40 + 10
        jmp exit_ring0

section .data
bad_ss0:  dd 1
count_42: dd 0

section .bss
alignb 16
tss_b:          resb 104
alignb 16
stack_b:        resb 1024
stack_b_top:
alignb 16
tss_c:          resb 104
alignb 16
stack_c:        resb 1024
stack_c_top:
