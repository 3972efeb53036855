; gate_dpl - software interrupts through gates whose DPL is below CPL.
;
; SDM Vol. 3A 6.12.1.1: for INT n, INT3 and INTO the processor checks the
; gate's DPL against the CPL; DPL < CPL raises #GP with the error code
; (vector * 8 + 2): IDT bit set, EXT clear (a software interrupt is not an
; external event).  Exceptions raised by the processor and hardware
; interrupts ignore the gate DPL.
;
; Gates 0x40, 3 (#BP) and 4 (#OF) have DPL 0.
;   1  ring 0: int 0x40 is allowed, its handler runs
;   2  ring 3: int 0x40 -> #GP(0x202), saved CS:EIP = the INT instruction
;   3  the 0x40 handler did not run for step 2
;   4  ring 3: int3 -> #GP(0x1a)
;   5  ring 3: into with OF=1 -> #GP(0x22)
;   6  ring 3: ud2 -> #UD through the DPL-0 gate 6 (the DPL is not checked)
;
; Exit values: the step whose check failed.
%include "common.inc"

main:
        SET_GATE 0x40, handler_40, KCODE, GATE_INT
        int 0x40
        CHECK_EQ dword [count_40], 1, 1
        ENTER_USER user, user_stack_top, 0x002

user:
        EXPECT 2, 13, 0x40 * 8 + 2, 0, .s3
        EXPECT_AT .int, UCODE
        mov eax, 0x1234
.int:   int 0x40
.s3:    EXPECT_HIT 2
        CHECK_EQ dword [count_40], 1, 3
        EXPECT 4, 13, 3 * 8 + 2, 0, .s5
        EXPECT_AT .int3, UCODE
        mov eax, 0x0404
.int3:  int3
.s5:    EXPECT_HIT 4
        EXPECT 5, 13, 4 * 8 + 2, 0, .s6
        EXPECT_AT .into, UCODE
        mov eax, 0x0505
        mov bl, 0x7f
        add bl, 1                   ; OF = 1
.into:  into
.s6:    EXPECT_HIT 5
        EXPECT 6, 6, 0, 0, .done
        EXPECT_AT .ud, UCODE
        mov eax, 0x0606
.ud:    ud2
.done:  EXPECT_HIT 6
        PASS

handler_40:
        inc dword [count_40]
        iretd

section .data
count_40: dd 0
