; push_user - the frame of a delivery to a ring-3 handler is pushed with
; user rights.
;
; SDM Vol. 3A 4.6: accesses to the GDT, LDT, IDT and TSS are implicit
; supervisor-mode accesses whatever the CPL; any other access made at CPL 3
; is a user-mode access.  Ring 3 points ESP into a supervisor page (PTE
; U = 0) and runs `int 0x42`, whose DPL-3 gate leads to ring-3 code (no
; stack switch).  Pushing the frame is a user write to a supervisor page:
;   1 #PF(7) with CR2 = the first push (ESP - 4), the INT as the saved
;     CS:EIP, the ring-3 handler not run
;
; QEMU 7.2 pushes every interrupt frame with supervisor rights: the push
; succeeds, the ring-3 handler runs and exits with 2 (status 5).
; tests/diff/push_user.sdm records both.
;
; Exit values: 1 the #PF did not come or was wrong; 2 the ring-3 handler
; ran; 3 the INT returned.
%include "common.inc"

main:
        call paging_identity
        mov eax, sup_page
        shr eax, 12
        and dword [page_table + eax * 4], ~4            ; U/S = 0
        PAGING_ON
        SET_GATE 0x42, handler3, UCODE, GATE_INT3
        ENTER_USER user, user_stack_top, 0x002

user:
        EXPECT 1, 14, 7, sup_page + 0x7fc, .resume
        EXPECT_AT .int, UCODE
        mov esp, sup_page + 0x800
        mov eax, 0x4242
.int:   int 0x42
        FAIL 3
.resume:
        mov esp, user_stack_top
        EXPECT_HIT 1
        PASS

handler3:
        FAIL 2

section .bss
alignb 4096
sup_page:       resb 4096
