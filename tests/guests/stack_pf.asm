; stack_pf - a page fault on the ring-0 stack while an interrupt from ring 3
; is being delivered.
;
; SDM Vol. 3A 6.12.1: the frame is pushed on the stack from TSS.SS0:ESP0
; with supervisor-mode accesses; a fault while pushing is raised with the
; INT as the faulting instruction (nothing is delivered, so the INT is
; restarted after the handler).  4.7: error code 2 (not present, write,
; supervisor: the push is an implicit supervisor access even from ring 3),
; CR2 = the address of the first push: the INT pseudo-code pushes SS first,
; at ESP0 - 4 (QEMU and Bochs fault there too, on the first write).
;
; Paging on; ESP0 = 0x381000, the top of the not-present page 0x380000.
; The #PF cannot use that stack either, so vector 14 is a task gate to task
; B (its own stack; CR3 from its TSS).  Task B checks and maps the page:
;   1  error code 2 on task B's stack
;   2  CR2 = 0x380ffc
;   3  back-link = 0x28 and task A's saved EIP = the INT
; and returns; task A runs the INT again, which now reaches its handler:
;   4  ESP = ESP0 - 20 in the 0x42 handler
; Both TSSs hold CR3 = page_dir: a task switch loads CR3 from the new TSS.
;
; Exit values: the step whose check failed; 5 a second #PF reached task B.
%include "common.inc"

%define TSS_B    SPARE0
%define STK_PAGE 0x380000

main:
        call paging_identity
        mov dword [page_table + (STK_PAGE >> 12) * 4], 0        ; not present
        mov dword [tss + 4], STK_PAGE + 0x1000                  ; ESP0
        mov dword [tss + 28], page_dir                          ; CR3 of task A
        mov dword [tss_b + 28], page_dir                        ; CR3 of task B
        mov dword [tss_b + 32], task_b                          ; EIP
        mov dword [tss_b + 36], 0x002                           ; EFLAGS
        mov dword [tss_b + 56], stack_b_top                     ; ESP
        mov dword [tss_b + 72], KDATA
        mov dword [tss_b + 76], KCODE
        mov dword [tss_b + 80], KDATA
        mov dword [tss_b + 84], KDATA
        mov dword [tss_b + 88], KDATA
        mov dword [tss_b + 92], KDATA
        mov word [tss_b + 102], 104
        SET_DESC TSS_B, tss_b, 103, 0x89, 0x00
        SET_GATE 14, 0, TSS_B, GATE_TASK
        SET_GATE 0x42, handler_42, KCODE, GATE_INT3
        PAGING_ON
        ENTER_USER user, user_stack_top, 0x002

user:
        mov eax, 0x4242
.int:   int 0x42
        PASS

handler_42:
        CHECK_EQ esp, STK_PAGE + 0x1000 - 20, 4
        iretd

task_b:                         ; stack: error code
        CHECK_EQ dword [esp], 2, 1
        mov eax, cr2
        CHECK_EQ eax, STK_PAGE + 0x1000 - 4, 2
        CHECK_EQ word [tss_b], TSS_SEL, 3
        CHECK_EQ dword [tss + 32], user.int, 3
        mov dword [page_table + (STK_PAGE >> 12) * 4], STK_PAGE | 3
        invlpg [STK_PAGE]
        add esp, 4
        iretd                   ; back to task A, which runs the INT again
        FAIL 5                  ; a second #PF

section .bss
alignb 16
tss_b:          resb 104
alignb 16
stack_b:        resb 1024
stack_b_top:
