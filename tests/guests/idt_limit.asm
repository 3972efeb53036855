; idt_limit - a vector whose gate lies beyond the IDT limit.
;
; SDM Vol. 3A 6.10 and 6.12.1.1: if the 8-byte gate of a vector is not
; inside IDTR.limit the processor raises #GP with the error code
; (vector * 8 + 2).
;
; The IDT is reloaded with limit 0x1ff (vectors 0..0x3f).
; 1. int 0x3f (the last vector inside) reaches its handler
; 2. int 0x40 (the first outside) -> #GP(0x202)
; 3. int 0x80 is outside too: the exit is done from ring 0, never through it
;
; Exit values: 1 vector 0x3f did not reach its handler; 2 the #GP of step 2
; did not come or was wrong.
%include "common.inc"

main:
        SET_GATE 0x3f, handler_3f, KCODE, GATE_INT
        lidt [small_idt_ptr]
        mov eax, 0x3f3f
        int 0x3f
        CHECK_EQ dword [count_3f], 1, 1
        EXPECT 2, 13, 0x40 * 8 + 2, 0, .after
        EXPECT_AT .int, KCODE
        mov eax, 0x4040
.int:   int 0x40
.after: EXPECT_HIT 2
        PASS

handler_3f:
        inc dword [count_3f]
        iretd

section .data
align 4
        dw 0
small_idt_ptr:
        dw 0x40 * 8 - 1
        dd idt
count_3f: dd 0
