; sti_shadow - the one-instruction interrupt shadow after STI.
;
; SDM Vol. 2B STI: after STI sets IF, the processor recognizes external
; maskable interrupts only after the next instruction; "if the STI is
; followed by a CLI, external interrupts are not recognized" in between.
; Vol. 3A 6.8.3: the same shadow follows MOV SS and POP SS.
;
; The PIT (mode 0, one terminal count) raises IRQ0 once while IF=0; the
; guest waits until the master 8259A's IRR shows it pending (OCW3 read IRR)
; and then:
;   1  sti; cli          the pending IRQ0 is not taken
;   2  sti; nop; cli     it is taken right after the NOP: the saved EIP is
;                        the CLI, and it is taken once
; The moment of delivery depends on instructions only, so the event lines
; are compared whole.
;
; Exit values: 1 the IRQ was taken inside the STI shadow; 2 it was not
; taken after the NOP; 3 the saved EIP was not the CLI; 4 IRQ0 never
; became pending; 5 it was taken more than once.
%include "common.inc"

main:
        ; 8259A: vectors 0x20-0x27 / 0x28-0x2f, only IRQ0 unmasked
        mov al, 0x11
        out 0x20, al
        out 0xA0, al
        mov al, 0x20
        out 0x21, al
        mov al, 0x28
        out 0xA1, al
        mov al, 4
        out 0x21, al
        mov al, 2
        out 0xA1, al
        mov al, 1
        out 0x21, al
        out 0xA1, al
        mov al, 0xFE
        out 0x21, al
        mov al, 0xFF
        out 0xA1, al
        mov al, 0x0A                ; OCW3: reads of 0x20 return the IRR
        out 0x20, al
        SET_GATE 0x20, irq0, KCODE, GATE_INT

        ; PIT channel 0, mode 0 (interrupt on terminal count), count 100
        mov al, 0x30
        out 0x43, al
        mov al, 100
        out 0x40, al
        xor al, al
        out 0x40, al

        mov ecx, 100000000
.poll:  in al, 0x20
        test al, 1
        jnz .pending
        loop .poll
        FAIL 4
.pending:
        mov eax, 0x0101
        sti
        cli
        CHECK_EQ dword [count], 0, 1
        mov eax, 0x0202
        sti
        nop
.cli2:  cli
        CHECK_EQ dword [count], 1, 2
        CHECK_EQ dword [saved_eip], main.cli2, 3
        mov ecx, 100000
.idle:  loop .idle                  ; no second IRQ0 comes (mode 0, masked)
        CHECK_EQ dword [count], 1, 5
        PASS

irq0:   push eax
        mov eax, [esp + 4]
        mov [saved_eip], eax
        inc dword [count]
        mov al, 0xFF                ; mask it: one is enough
        out 0x21, al
        mov al, 0x20                ; EOI
        out 0x20, al
        pop eax
        iretd

section .data
count:     dd 0
saved_eip: dd 0
