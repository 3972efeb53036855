; triple_fault - a fault while delivering #DF shuts the processor down.
;
; SDM Vol. 3A 6.15 (interrupt 8): if another exception occurs while the
; processor attempts to call the #DF handler, it enters shutdown mode
; (a triple fault).  #DE through not-present gate 0 -> #NP -> #DF (Table
; 6-5), and gate 8 is not present either -> shutdown.
;
; Under -no-reboot QEMU then exits with status 0 and ringlab with its own
; status 6 (triple fault), see tests/diff/triple_fault.sdm.  Nothing in the
; guest runs after the shutdown.
;
; Exit values: 1 divide did not fault; 2 a handler ran.
%include "common.inc"

main:
        SET_GATE 0, never_runs, KCODE, GATE_INT & 0x7F
        SET_GATE 8, never_runs, KCODE, GATE_INT & 0x7F
        SET_GATE 11, never_runs, KCODE, GATE_INT
        SET_GATE 13, never_runs, KCODE, GATE_INT
        mov eax, 0x3f3f
        xor edx, edx
        xor ecx, ecx
.div:   div ecx
        FAIL 1

never_runs:
        FAIL 2
