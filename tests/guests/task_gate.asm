; task_gate - an exception delivered through a task gate: a hardware task
; switch, the back-link, NT, and IRET back to the interrupted task.
;
; SDM Vol. 3A 7.3 (task switching), 7.4 (back-link, NT, busy flag), 6.12.2
; (interrupt tasks: the error code is pushed on the new task's stack).
; Vector 13 is a task gate to TSS B (GDT 0x30).  Task A (the boot task,
; TR = 0x28) loads DS with a selector beyond the GDT limit -> #GP(0x1230)
; -> switch to task B, which checks:
;   1 ESP = its stack top - 4      2 the error code 0x1230 on it
;   3 TR = 0x30                    4 TSS B's back-link = 0x28
;   5 NT set                       6 TSS A still busy (type 0xb)
;   7 TSS B busy                   8 TSS A's saved EIP = the faulting MOV
; then moves TSS A's EIP past the MOV and IRETs (NT=1: task return).
; Back in task A:
;   9 TR = 0x28                    10 NT clear (restored from TSS A)
;   11 TSS B no longer busy        12 TSS A busy
;   13 EAX as task A left it (task B changes its own)
;
; Exit values: the step whose check failed; 14 the MOV did not fault.
%include "common.inc"

%define TSS_B  SPARE0

main:
        KERNEL_TASK TSS_B, tss_b, task_b, stack_b_top
        SET_GATE 13, 0, TSS_B, GATE_TASK
        mov eax, 0xAAAA
        mov bx, 0x1230
.fault: mov ds, bx
        FAIL 14
.after: CHECK_EQ eax, 0xAAAA, 13
        str ax
        CHECK_EQ ax, TSS_SEL, 9
        pushfd
        pop eax
        test eax, EFLAGS_NT
        jz .nt_ok
        FAIL 10
.nt_ok: mov al, [gdt + TSS_B + 5]
        CHECK_EQ al, 0x89, 11
        mov al, [gdt + TSS_SEL + 5]
        CHECK_EQ al, 0x8B, 12
        PASS

task_b:
        CHECK_EQ esp, stack_b_top - 4, 1
        CHECK_EQ dword [esp], 0x1230, 2
        str ax
        CHECK_EQ ax, TSS_B, 3
        CHECK_EQ word [tss_b], TSS_SEL, 4
        pushfd
        pop eax
        test eax, EFLAGS_NT
        jnz .nt_ok
        FAIL 5
.nt_ok: mov al, [gdt + TSS_SEL + 5]
        CHECK_EQ al, 0x8B, 6
        mov al, [gdt + TSS_B + 5]
        CHECK_EQ al, 0x8B, 7
        CHECK_EQ dword [tss + 32], main.fault, 8
        mov dword [tss + 32], main.after
        mov eax, 0xBBBB
        add esp, 4                  ; drop the error code
        iretd                       ; NT=1: back to task A
        jmp task_b                  ; a later switch to B would resume here

section .bss
alignb 16
tss_b:          resb 104
alignb 16
stack_b:        resb 1024
stack_b_top:
