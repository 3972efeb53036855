; gate_target - checks on the code segment an interrupt gate points to.
;
; SDM Vol. 3A 6.12.1.1 and the INT pseudo-code (Vol. 2A "INT n"):
;   gate selector NULL                         -> #GP(EXT) = #GP(0) for INT n
;   selector outside the descriptor table      -> #GP(selector)
;   descriptor not a code segment              -> #GP(selector)
;   code segment DPL > CPL                     -> #GP(selector)
;   code segment not present                   -> #NP(selector)
; The error code is the selector with the low two bits (EXT, IDT) clear.
;
; All from ring 0 through DPL-3 gates 0x44..0x48:
;   1  selector 0x0000                          #GP(0)
;   2  selector 0x01f8 (beyond the GDT limit)   #GP(0x1f8)
;   3  selector 0x0010 (a data segment)         #GP(0x10)
;   4  selector 0x0018 (ring-3 code, DPL 3 > 0) #GP(0x18)
;   5  selector 0x0030 (code, P=0)              #NP(0x30)
;
; Exit values: the step whose check failed; 6 a gate's handler ran.
%include "common.inc"

; TRY step, vector, selector, fault vector, error
%macro TRY 5
        SET_GATE %2, never_runs, %3, GATE_INT3
        EXPECT %1, %4, %5, 0, %%after
        EXPECT_AT %%int, KCODE
        mov eax, %1
%%int:  int %2
%%after:
        EXPECT_HIT %1
%endmacro

main:
        SET_DESC SPARE0, 0, 0xfffff, 0x1a, 0xc0     ; code, DPL 0, P=0
        TRY 1, 0x44, 0x0000, 13, 0
        TRY 2, 0x45, 0x01f8, 13, 0x1f8
        TRY 3, 0x46, KDATA, 13, KDATA
        TRY 4, 0x47, UCODE & ~3, 13, UCODE & ~3
        TRY 5, 0x48, SPARE0, 11, SPARE0
        PASS

never_runs:
        FAIL 6
