; call_gate - a far call through a call gate from ring 3 to ring 0, and
; the far return.
;
; SDM Vol. 3A 5.8.3-5.8.6: CALL through a call gate needs CPL <= gate DPL
; and RPL <= gate DPL, and target code DPL <= CPL.  Calling a more
; privileged nonconforming segment switches to the TSS stack of the new
; CPL and pushes the caller's SS, ESP, the parameters (count from the
; gate, copied from the caller's stack), CS and EIP (Figure 5-13).  RET n
; to an outer ring pops n bytes from both stacks and returns to the
; caller's SS:ESP (5.8.6).  JMP through a call gate cannot change CPL.
;
; GDT: 0x30 call gate, DPL 3, 2 parameters; 0x38 call gate, DPL 0.
;   1  call 0x33:0 from ring 3 with two parameters pushed
;      in ring 0: 2 ESP = ESP0 - 24; 3..8 EIP, CS, param 0, param 1, ESP, SS;
;      9 CS = KCODE and CPL 0
;   10 after retf 8: back in ring 3, ESP as before the pushes, CS = UCODE
;   11 call 0x3b:0 (gate DPL 0 < CPL 3)        -> #GP(0x38)
;   12 call 0x08:0 (ring-0 code, no gate)      -> #GP(0x08)
;   13 jmp 0x33:0 (gate to a more privileged ring) -> #GP(0x08)
;
; Exit values: the step whose check failed; 14 ring 3 ESP wrong at the end.
%include "common.inc"

%define CG3  (SPARE0 | 3)
%define CG0  (SPARE1 | 3)

main:
        ; SET_GATE writes IDT entries; the call gates go into GDT slots
        mov edi, gdt + SPARE0
        mov ebx, gate_target
        mov ecx, KCODE
        mov dl, GATE_CALL3
        call make_gate
        mov byte [gdt + SPARE0 + 4], 2      ; parameter count
        mov edi, gdt + SPARE1
        mov ebx, gate_target
        mov ecx, KCODE
        mov dl, GATE_CALL0
        call make_gate
        ENTER_USER user, user_stack_top, 0x002

user:
        push dword 0x11111111               ; parameter 1
        push dword 0x22222222               ; parameter 0
        mov eax, 0x0101
        call CG3:0
.ret:   CHECK_EQ esp, user_stack_top, 10
        mov ax, cs
        CHECK_EQ ax, UCODE, 10
        mov ax, ss
        CHECK_EQ ax, UDATA, 10

        EXPECT 11, 13, SPARE1, 0, .s12
        EXPECT_AT .f11, UCODE
        mov eax, 0x0b0b
.f11:   call CG0:0
.s12:   EXPECT_HIT 11
        EXPECT 12, 13, KCODE, 0, .s13
        mov eax, 0x0c0c
        call KCODE:gate_target
.s13:   EXPECT_HIT 12
        EXPECT 13, 13, KCODE, 0, .done
        mov eax, 0x0d0d
        jmp CG3:0
.done:  EXPECT_HIT 13
        CHECK_EQ esp, user_stack_top, 14
        PASS

gate_target:    ; new stack: EIP CS param0 param1 ESP SS
        CHECK_EQ esp, intr_stack_top - 24, 2
        CHECK_EQ dword [esp], user.ret, 3
        CHECK_EQ dword [esp + 4], UCODE, 4
        CHECK_EQ dword [esp + 8], 0x22222222, 5
        CHECK_EQ dword [esp + 12], 0x11111111, 6
        CHECK_EQ dword [esp + 16], user_stack_top - 8, 7
        CHECK_EQ dword [esp + 20], UDATA, 8
        mov ax, cs
        CHECK_EQ ax, KCODE, 9
        retf 8
