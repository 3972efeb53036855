; iret_nt - IRET with EFLAGS.NT set at CPL 0: a task return (SDM Vol. 2A
; IRET, "TASK-RETURN"), here to the null selector of the boot task's
; back link, which names no busy TSS: #TS with error code 0.
;   1  the #TS(0), at the IRET; then exit passed
; Under `pg vmm --strategy bt` the monitor does not emulate a task return
; and stops the run at this IRET, naming it (tests/vmm/bt-session.sh).
;
; Exit values: 1 no #TS or another one; 2 the IRET returned.
%include "common.inc"

main:
        EXPECT 1, 10, 0, 0, .ts
        pushfd
        or dword [esp], EFLAGS_NT
        popfd
        pushfd                      ; the frame: back here, NT clear
        and dword [esp], ~EFLAGS_NT
        push dword KCODE
        push dword .back
.iret:  iretd
.back:  FAIL 2
.ts:    EXPECT_HIT 1
        PASS
