; int6 - INT 6 is a software interrupt, not an invalid opcode.
;
; SDM Vol. 2A INT n: `int 6` (CD 06) goes through IDT entry 6 like any
; INT n: the gate's DPL is checked against the CPL (6.12.1.1), and the
; return address pushed is the instruction after the INT.  (A #UD raised by
; an invalid opcode ignores the DPL and pushes the faulting instruction.)
;   2 ring 0 `int 6` reaches gate 6's handler with the saved EIP after the
;     INT (checked first)
;   1 ring 3 `int 6` through the DPL-0 gate 6: #GP(0x32), saved EIP = the
;     INT, gate 6's handler not run
;
; Unicorn ends its run for vector 6 whether an invalid opcode raised it or
; `int 6` asked for it; ringlab tells them apart by the engine's
; software-interrupt flag and the CD 06 at EIP (machine/run.c).
;
; Exit values: the step whose check failed.
%include "common.inc"

main:
        EXPECT 2, 6, 0, 0, .back
        EXPECT_AT .int0 + 2, KCODE
.int0:  int 6
        FAIL 2
.back:  EXPECT_HIT 2
        ENTER_USER user, user_stack_top, 0x002

user:
        EXPECT 1, 13, 0x32, 0, .done
        EXPECT_AT .int3, UCODE
.int3:  int 6
        FAIL 1
.done:  EXPECT_HIT 1
        PASS
