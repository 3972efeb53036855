; double_fault - a contributory exception raised while delivering a
; contributory exception becomes #DF.
;
; SDM Vol. 3A 6.15, Table 6-5: first #DE (contributory), second #NP
; (contributory, gate 0 is not present) -> #DF, error code 0, through gate 8.
; #DF is an abort (the saved EIP is undefined; QEMU saves the faulting
; instruction's), so the handler checks and exits without returning.
;
; Exit values: 1 the #DF error code was not 0; 2 the #NP was delivered
; instead of #DF; 3 divide did not fault; 4 the #DF frame's CS was wrong;
; 5 the handler of the not-present gate 0 ran.
%include "common.inc"

main:
        SET_GATE 0, never_runs, KCODE, GATE_INT & 0x7F  ; not present
        SET_GATE 8, df_handler, KCODE, GATE_INT
        SET_GATE 11, np_handler, KCODE, GATE_INT
        mov eax, 0x1234
        xor edx, edx
        xor ecx, ecx
        div ecx
        FAIL 3

df_handler:
        CHECK_EQ dword [esp], 0, 1        ; error code
        CHECK_EQ dword [esp + 8], KCODE, 4
        PASS

np_handler:
        FAIL 2

never_runs:
        FAIL 5
