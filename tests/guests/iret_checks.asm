; iret_checks - the protection checks of IRET to a code segment.
;
; SDM Vol. 3A, IRET pseudo-code (Vol. 2A "IRET/IRETD", PROTECTED-MODE and
; RETURN-TO-OUTER-PRIVILEGE-LEVEL), in its order:
;   return CS null                             -> #GP(0)
;   return CS outside the descriptor table     -> #GP(CS selector)
;   return CS RPL < CPL                        -> #GP(CS selector)
;   nonconforming CS with DPL != RPL           -> #GP(CS selector)
;   outer return: SS RPL != CS RPL             -> #GP(SS selector)
;   outer return: SS not a writable data seg   -> #GP(SS selector)
; The error code is the selector with the low two bits clear (EXT, IDT).
;
;   1  ring 0: iret to CS 0x0000                       #GP(0)
;   2  ring 0: iret to CS 0x01fb (beyond GDT limit)    #GP(0x1f8)
;   3  ring 0: iret to CS 0x000b (ring-0 code, RPL 3)  #GP(0x08)
;   4  ring 0: iret to CS 0x1b, SS 0x10 (RPL 0)        #GP(0x10)
;   5  ring 0: iret to CS 0x1b, SS 0x1b (code)         #GP(0x18)
;   6  ring 3: iret to CS 0x08 (RPL 0 < CPL 3)         #GP(0x08)
; A faulting IRET pops nothing: the handler resumes after it with the five
; words still on the stack.
;
; Exit values: the step whose check failed; 7 ESP moved by a faulting IRET;
; 8 an IRET did not fault.
%include "common.inc"

; IRET_TO step, cs, ss, error - push an outer-ring frame and expect #GP(error)
%macro IRET_TO 4
        EXPECT %1, 13, %4, 0, %%resume
        EXPECT_AT %%iret, KCODE
        mov ebx, esp
        push dword %3
        push dword user_stack_top
        push dword 0x002
        push dword %2
        push dword never_runs
        mov eax, %1
%%iret: iretd
%%resume:
        EXPECT_HIT %1
        add esp, 20
        CHECK_EQ esp, ebx, 7
%endmacro

main:
        IRET_TO 1, 0x0000, UDATA, 0
        IRET_TO 2, 0x01fb, UDATA, 0x1f8
        IRET_TO 3, KCODE | 3, UDATA, KCODE
        IRET_TO 4, UCODE, KDATA, KDATA
        IRET_TO 5, UCODE, UCODE, UCODE & ~3
        ENTER_USER user, user_stack_top, 0x002

user:
        EXPECT 6, 13, KCODE, 0, .resume
        EXPECT_AT .iret, UCODE
        push dword 0x002
        push dword KCODE
        push dword never_runs
        mov eax, 6
.iret:  iretd
.resume:
        EXPECT_HIT 6
        PASS

never_runs:
        FAIL 8
