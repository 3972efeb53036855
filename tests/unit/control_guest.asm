; control_guest - the guest the control and history suites drive.
;
; An endless loop in ring 0 with the PIC masked and IF=0, so that nothing
; but its own instructions and its serial input decides what happens.
; Each turn:
;   - loads `rvar` and increments `wvar` (the watchpoint tests),
;   - stores the counter into one of 64 pages of `area` in turn (RAM the
;     snapshots must save),
;   - polls COM1: a byte that arrived is kept in `inbuf` and echoed back,
;     and 'q' ends the guest (isa-debug-exit, status 1),
;   - every 16th turn goes to ring 3 and back: an IRET out, `int 0x41`
;     (a DPL-3 gate) in (the transitions).
%include "common.inc"

%define AREA_PAGES 64

main:
        mov al, 0xFF
        out 0x21, al
        out 0xA1, al
        SET_GATE 0x41, back_in, KCODE, GATE_INT3
loop:
        mov eax, [rvar]
        inc dword [wvar]
        mov ebx, [wvar]
        and ebx, AREA_PAGES - 1
        shl ebx, 12
        mov [area + ebx], eax
        mov dx, 0x3FD                   ; LSR: bit 0, data ready
        in al, dx
        test al, 1
        jz .quiet
        mov dx, 0x3F8
        in al, dx
        movzx ecx, byte [inlen]
        mov [inbuf + ecx], al
        inc byte [inlen]
        out dx, al
        cmp al, 'q'
        jne .quiet
        PASS
.quiet:
        test dword [wvar], 15
        jnz loop
        ENTER_USER user, user_stack_top, 0x002

user:
        mov eax, [rvar]
        int 0x41

back_in:                                ; frame: EIP CS EFLAGS ESP SS
        add esp, 20
        mov ax, KDATA
        mov ds, ax
        mov es, ax
        mov fs, ax
        mov gs, ax
        jmp loop

section .data
global rvar, wvar, inbuf, inlen, area
rvar:   dd 0x1234
wvar:   dd 0
inlen:  db 0

section .bss
alignb 4096
area:   resb AREA_PAGES * 4096
inbuf:  resb 256
