; v86_int - INT n in virtual-8086 mode.
;
; SDM Vol. 3A 20.1.1 (entering V86 with IRET, VM in the popped EFLAGS),
; 20.3 and 20.3.1.1 (Table 20-2): with IOPL = 3 a software INT n in V86 mode
; goes through the protected-mode IDT to a ring-0 handler (gate DPL 3,
; target DPL 0); the processor switches to the TSS ring-0 stack, pushes GS,
; FS, DS, ES, SS, ESP, EFLAGS, CS, EIP (the ring-0 stack figure of 20.3.1.1)
; and loads DS, ES, FS, GS with null.  With IOPL < 3, INT n in V86 mode
; raises #GP(0) (20.2.7, 20.3.1.1).
;
; V86 code at 0800:0000 (linear 0x8000): int 0x60; int 0x60.
; The first runs with IOPL 3:
;   1 ESP = ESP0 - 36
;   2..5 DS, ES, FS, GS are 0 in the handler
;   6..14 EIP 2, CS 0x800, EFLAGS 0x23002 (VM, IOPL 3), ESP 0x100, SS 0x900,
;         ES 0x1111, DS 0x2222, FS 0x3333, GS 0x4444
; The handler returns to EIP 0 with IOPL 0, so the same INT runs again:
;   15 #GP handler ESP = ESP0 - 40, 16 error code 0, 17 EIP 0,
;   18 CS 0x800, 19 VM set in the pushed EFLAGS
;
; Exit values: the step whose check failed; 20 the #GP handler ran first.
%include "common.inc"

%define V86_LINEAR 0x8000

main:
        mov dword [V86_LINEAR], 0x60CD60CD          ; int 0x60; int 0x60
        SET_GATE 0x60, h60, KCODE, GATE_INT3
        SET_GATE 13, h_gp, KCODE, GATE_INT
        push dword 0x4444           ; GS
        push dword 0x3333           ; FS
        push dword 0x2222           ; DS
        push dword 0x1111           ; ES
        push dword 0x0900           ; SS
        push dword 0x0100           ; ESP
        push dword EFLAGS_VM | EFLAGS_IOPL3 | 2
        push dword 0x0800           ; CS
        push dword 0                ; EIP
        mov eax, 0x6060
        iretd

h60:    ; frame: EIP CS EFLAGS ESP SS ES DS FS GS
        CHECK_EQ esp, intr_stack_top - 36, 1
        mov ax, ds
        CHECK_EQ ax, 0, 2
        mov ax, es
        CHECK_EQ ax, 0, 3
        mov ax, fs
        CHECK_EQ ax, 0, 4
        mov ax, gs
        CHECK_EQ ax, 0, 5
        CHECK_EQ dword [esp], 2, 6
        CHECK_EQ dword [esp + 4], 0x0800, 7
        CHECK_EQ dword [esp + 8], EFLAGS_VM | EFLAGS_IOPL3 | 2, 8
        CHECK_EQ dword [esp + 12], 0x0100, 9
        CHECK_EQ dword [esp + 16], 0x0900, 10
        CHECK_EQ dword [esp + 20], 0x1111, 11
        CHECK_EQ dword [esp + 24], 0x2222, 12
        CHECK_EQ dword [esp + 28], 0x3333, 13
        CHECK_EQ dword [esp + 32], 0x4444, 14
        mov ax, KDATA
        mov ds, ax
        mov byte [int_done], 1
        mov dword [esp], 0                          ; run the INT again
        mov dword [esp + 8], EFLAGS_VM | 2          ; with IOPL 0
        mov eax, 0x0d0d
        iretd

h_gp:   ; frame: error EIP CS EFLAGS ESP SS ES DS FS GS
        CHECK_EQ byte [ss:int_done], 1, 20
        CHECK_EQ esp, intr_stack_top - 40, 15
        CHECK_EQ dword [esp], 0, 16
        CHECK_EQ dword [esp + 4], 0, 17
        CHECK_EQ dword [esp + 8], 0x0800, 18
        test dword [esp + 12], EFLAGS_VM
        jnz .vm_ok
        FAIL 19
.vm_ok: PASS

section .data
int_done: db 0
