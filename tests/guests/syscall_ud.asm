; syscall_ud - SYSCALL and SYSRET while IA32_EFER.SCE = 0.
;
; SDM Vol. 2B SYSCALL and SYSRET: "#UD If IA32_EFER.SCE = 0" (checked
; before anything else; Intel processors also refuse SYSCALL outside 64-bit
; mode, AMD ones run it in legacy mode when SCE = 1).  EFER.SCE is 0 after
; reset and the guest leaves it so: both are invalid opcodes here, in any
; ring.
;
;   1  syscall in ring 0   -> #UD, saved CS:EIP = the SYSCALL
;   2  sysret in ring 0    -> #UD
;   3  syscall in ring 3   -> #UD, delivered to ring 0 through the TSS
;
; Exit values: the step whose check failed.
%include "common.inc"

main:
        EXPECT 1, 6, 0, 0, .s2
        EXPECT_AT .f1, KCODE
        mov eax, 0x0101
.f1:    syscall
.s2:    EXPECT_HIT 1
        EXPECT 2, 6, 0, 0, .s3
        EXPECT_AT .f2, KCODE
        mov eax, 0x0202
.f2:    sysret
.s3:    EXPECT_HIT 2
        ENTER_USER user, user_stack_top, 0x002

user:
        EXPECT 3, 6, 0, 0, .done
        EXPECT_AT .f3, UCODE
        mov eax, 0x0303
.f3:    syscall
.done:  EXPECT_HIT 3
        PASS
