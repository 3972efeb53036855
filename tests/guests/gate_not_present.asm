; gate_not_present - a software interrupt through a gate with P=0.
;
; SDM Vol. 3A 6.12.1.1 and 6.13 (Table 6-3 note): a not-present gate raises
; #NP with the error code (vector * 8 + 2): IDT bit set, EXT clear for a
; software interrupt.  The gate's DPL (3 here) passes first.
;
; 1. ring 0: int 0x41 -> #NP(0x20a), saved CS:EIP = the INT instruction
; 2. ring 3: int 0x41 -> #NP(0x20a), delivered on the TSS ring-0 stack
;
; Exit values: 1 / 2 the #NP of step 1 / 2 did not come or was wrong;
; 3 the handler of the not-present gate ran.
%include "common.inc"

main:
        ; present bit clear, DPL 3, 32-bit interrupt gate
        SET_GATE 0x41, never_runs, KCODE, GATE_INT3 & 0x7F
        EXPECT 1, 11, 0x41 * 8 + 2, 0, .r0_after
        EXPECT_AT .r0_int, KCODE
        mov eax, 0x1111
.r0_int:
        int 0x41
.r0_after:
        EXPECT_HIT 1
        ENTER_USER user, user_stack_top, 0x002

user:
        EXPECT 2, 11, 0x41 * 8 + 2, 0, .after
        EXPECT_AT .int, UCODE
        mov eax, 0x2222
.int:   int 0x41
.after: EXPECT_HIT 2
        PASS

never_runs:
        FAIL 3
