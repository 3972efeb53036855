; ext_bit - the EXT bit in the error code of a fault raised while
; delivering an exception.
;
; SDM Vol. 3A 6.13: EXT (bit 0) is set when the exception occurred during
; delivery of an event external to the program (an exception, an NMI or a
; hardware interrupt) - not for INT n.  #UD (ud2) through a not-present gate
; 6 therefore raises #NP(6 * 8 + 2 + 1) = #NP(0x33).  #UD is benign and #NP
; contributory, so the #NP is delivered, not a #DF (Table 6-5).
;
; QEMU 7.2 departs here: it leaves EXT clear and gives #NP(0x32); the guest
; then exits with value 1 (status 3).  tests/diff/ext_bit.sdm records both.
;
; Exit values: 1 the #NP error code was not 0x33 (or no #NP came);
; 2 the handler of the not-present gate 6 ran.
%include "common.inc"

main:
        SET_GATE 6, never_runs, KCODE, GATE_INT & 0x7F
        EXPECT 1, 11, 6 * 8 + 2 + 1, 0, .after
        EXPECT_AT .ud, KCODE
        mov eax, 0x0606
.ud:    ud2
.after: EXPECT_HIT 1
        PASS

never_runs:
        FAIL 2
