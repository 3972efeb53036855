; gate_dpl - a software interrupt through a gate whose DPL is below CPL.
;
; SDM Vol. 3A 6.12.1.1: for INT n, INT3 and INTO the processor checks the
; gate's DPL against the CPL; DPL < CPL raises #GP with the error code
; (vector * 8 + 2): IDT bit set, EXT clear (a software interrupt is not an
; external event).
;
; 1. ring 0: int 0x40 through a DPL-0 gate is allowed, the handler runs
; 2. ring 3: int 0x40 -> #GP(0x202), saved CS:EIP = the INT instruction,
;    the 0x40 handler does not run
;
; Exit values: 1 the handler did not run in ring 0; 2 the #GP did not come or
; was wrong; 3 the 0x40 handler ran from ring 3.
%include "common.inc"

main:
        SET_GATE 0x40, handler_40, KCODE, GATE_INT
        int 0x40
        CHECK_EQ dword [count_40], 1, 1
        ENTER_USER user, user_stack_top, 0x002

user:
        EXPECT 2, 13, 0x40 * 8 + 2, 0, .after
        EXPECT_AT .int, UCODE
        mov eax, 0x1234
.int:   int 0x40
.after: EXPECT_HIT 2
        CHECK_EQ dword [count_40], 1, 3
        PASS

handler_40:
        inc dword [count_40]
        iretd

section .data
count_40: dd 0
