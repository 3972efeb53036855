; stack_switch - an interrupt from ring 3 to a ring-0 handler.
;
; SDM Vol. 3A 6.12.1 (Figure 6-4): on a privilege change the processor takes
; SS0:ESP0 from the current TSS, pushes the old SS, ESP, EFLAGS, CS, EIP and
; the error code (if any) on the new stack; an interrupt gate clears IF, a
; trap gate leaves it (6.12.1.2).  ESP0 is read at every delivery.
;
; The PIC lines are all masked so that ring 3 can run with IF=1 and nothing
; arrives: the run stays deterministic.
;  int 0x42 (interrupt gate): frame on intr_stack, EIP after the INT, IF=0
;  int 0x43 (trap gate), ESP0 changed to stack2 first: frame on stack2, IF=1
;  hlt in ring 3 -> #GP(0): six words, the error code first, EIP = the HLT
;
; Exit values: 1 wrong ESP in the 0x42 handler; 2..6 its EIP, CS, EFLAGS,
; ESP, SS words; 7 CS not KCODE; 8 SS not TSS.SS0; 10 IF not cleared;
; 11 wrong ESP in the 0x43 handler; 12 its EIP; 13 IF cleared by a trap gate;
; 14 wrong ESP in the #GP handler; 15..20 its error code, EIP, CS, EFLAGS,
; ESP, SS words; 21 ring 3 ESP not restored after iret; 22 #GP did not come.
%include "common.inc"

%define USER_FLAGS 0x202            ; IF=1, bit 1

main:
        mov al, 0xFF                ; mask every PIC line (OCW1)
        out 0x21, al
        out 0xA1, al
        SET_GATE 0x42, h_int, KCODE, GATE_INT3
        SET_GATE 0x43, h_trap, KCODE, GATE_TRAP3
        SET_GATE 13, h_gp, KCODE, GATE_INT
        ENTER_USER user, user_stack_top, USER_FLAGS

user:
        mov eax, 0x4242
        int 0x42
.ret42: CHECK_EQ esp, user_stack_top, 21
        mov eax, 0x4343
        int 0x43
.ret43: CHECK_EQ esp, user_stack_top, 21
        mov eax, 0x0d0d
.hlt:   hlt
        FAIL 22
.after_hlt:
        CHECK_EQ esp, user_stack_top, 21
        PASS

h_int:  ; frame: EIP CS EFLAGS ESP SS
        CHECK_EQ esp, intr_stack_top - 20, 1
        CHECK_EQ dword [esp], user.ret42, 2
        CHECK_EQ dword [esp + 4], UCODE, 3
        CHECK_EQ dword [esp + 8], USER_FLAGS, 4
        CHECK_EQ dword [esp + 12], user_stack_top, 5
        CHECK_EQ dword [esp + 16], UDATA, 6
        mov ax, cs
        CHECK_EQ ax, KCODE, 7
        mov ax, ss
        CHECK_EQ ax, KDATA, 8
        pushfd
        test dword [esp], EFLAGS_IF
        jz .if_ok
        FAIL 10
.if_ok: add esp, 4
        mov dword [tss + 4], stack2_top     ; next delivery uses ESP0 = stack2
        iretd

h_trap:
        CHECK_EQ esp, stack2_top - 20, 11
        CHECK_EQ dword [esp], user.ret43, 12
        pushfd
        test dword [esp], EFLAGS_IF
        jnz .if_ok
        FAIL 13
.if_ok: add esp, 4
        cli
        mov dword [tss + 4], intr_stack_top
        iretd

h_gp:   ; frame: error EIP CS EFLAGS ESP SS
        CHECK_EQ esp, intr_stack_top - 24, 14
        CHECK_EQ dword [esp], 0, 15
        CHECK_EQ dword [esp + 4], user.hlt, 16
        CHECK_EQ dword [esp + 8], UCODE, 17
        ; RF (bit 16) is left out here: the SDM sets it in the image pushed
        ; for a fault and QEMU does not (see rf_flag.asm).  The arithmetic
        ; flags are left by the CHECK_EQ compares.
        mov eax, [esp + 12]
        and eax, ~(0x10000 | 0x8D5)     ; RF and the arithmetic flags
        CHECK_EQ eax, USER_FLAGS, 18
        CHECK_EQ dword [esp + 16], user_stack_top, 19
        CHECK_EQ dword [esp + 20], UDATA, 20
        mov dword [esp + 4], user.after_hlt
        add esp, 4
        iretd

section .bss
stack2:     resb 1024
stack2_top:
