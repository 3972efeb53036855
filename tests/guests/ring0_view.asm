; ring0_view - what ring 0 sees of itself through the instructions that
; are sensitive but not privileged (Robin and Irvine's list; the rows of
; `ringlab pg audit`).  At CPL 0 each one shows ring 0 and the real
; tables; a kernel deprivileged to ring 1 by a monitor sees otherwise
; unless the monitor executes them for it (`pg vmm --strategy bt` does;
; --strategy trap fails at step 1).
;
;   1  PUSH CS pushes KCODE with RPL 0 (SDM Vol. 2B PUSH)
;   2  MOV r, CS and MOV r, SS give the selectors with RPL 0 (Vol. 2B MOV)
;   3  SGDT stores this GDT's limit and base (Vol. 2B SGDT); SIDT the IDT's
;   4  LAR of KCODE: its access rights, DPL 0, ZF set (Vol. 2A LAR)
;   5  LSL of the TSS selector: its limit, ZF set (Vol. 2A LSL)
;   6  STR gives TSS_SEL; SMSW shows CR0.PE (Vol. 2B STR, SMSW)
;   7  POPF at CPL 0 loads IF and IOPL (Vol. 2B POPF), PUSHF shows them
;   8  IRET to CPL 0 loads IF and IOPL from its frame (Vol. 2A IRET)
;
; The PIC is masked first, so that IF set lets no interrupt in.
;
; Exit values: the step whose check failed.
%include "common.inc"

main:
        mov al, 0xff
        out 0x21, al
        out 0xa1, al

        push cs                     ; step 1
        pop eax
        CHECK_EQ eax, KCODE, 1

        mov eax, 0xffffffff         ; step 2
        mov eax, cs
        CHECK_EQ ax, KCODE, 2
        mov eax, ss
        CHECK_EQ ax, KDATA, 2

        sgdt [store]                ; step 3
        CHECK_EQ word [store], gdt_end - gdt - 1, 3
        CHECK_EQ dword [store + 2], gdt, 3
        sidt [store]
        CHECK_EQ dword [store + 2], idt, 3

        mov ecx, KCODE              ; step 4
        xor eax, eax
        lar eax, ecx
        jz .s4_zf
        FAIL 4
.s4_zf: shr eax, 13
        and eax, 3
        CHECK_EQ eax, 0, 4

        mov ecx, TSS_SEL            ; step 5
        xor eax, eax
        lsl eax, ecx
        jz .s5_zf
        FAIL 5
.s5_zf: CHECK_EQ eax, 103, 5        ; the limit tss_init gives it

        xor eax, eax                ; step 6
        str ax
        CHECK_EQ eax, TSS_SEL, 6
        smsw eax
        test al, 1
        jnz .s7
        FAIL 6

.s7:    push dword EFLAGS_IF | EFLAGS_IOPL3 | 2   ; step 7
        popfd
        pushfd
        pop eax
        and eax, EFLAGS_IF | EFLAGS_IOPL3
        CHECK_EQ eax, EFLAGS_IF | EFLAGS_IOPL3, 7
        push dword 2                ; back to IF 0, IOPL 0
        popfd
        pushfd
        pop eax
        and eax, EFLAGS_IF | EFLAGS_IOPL3
        CHECK_EQ eax, 0, 7

        push dword EFLAGS_IF | EFLAGS_IOPL3 | 2   ; step 8: a frame to CPL 0
        push dword KCODE
        push dword .s8
        iretd
.s8:    pushfd
        pop eax
        and eax, EFLAGS_IF | EFLAGS_IOPL3
        CHECK_EQ eax, EFLAGS_IF | EFLAGS_IOPL3, 8
        mov eax, cs
        CHECK_EQ ax, KCODE, 8
        cli
        PASS

section .data
store:  times 8 db 0
