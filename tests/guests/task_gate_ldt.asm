; task_gate_ldt - a task gate in the IDT whose TSS selector names the LDT.
;
; SDM Vol. 2A INT n, TASK-GATE: "IF TSS segment selector local/global bit
; is set to local or index not within GDT limits THEN #GP(TSS selector)"
; (a TSS descriptor lives in the GDT only, Vol. 3A 7.2.2).  Gate 0x42 is a
; present DPL-0 task gate with selector 0x000c (LDT index 1); ring 0 runs
; `int 0x42`:
;   1 #GP(0x000c) at the INT (no EXT: a software interrupt)
;
; QEMU 7.2 raises #TS(0x000c) instead; the guest sees vector 10 and exits
; with 0x4a (status 149).  tests/diff/task_gate_ldt.sdm records both.
;
; Exit values: 1 the #GP did not come or was wrong; 2 the INT returned.
%include "common.inc"

main:
        SET_GATE 0x42, 0, 0x000c, GATE_TASK
        EXPECT 1, 13, 0x000c, 0, .resume
        EXPECT_AT .int, KCODE
        mov eax, 0x4242
.int:   int 0x42
        FAIL 2
.resume:
        EXPECT_HIT 1
        PASS
