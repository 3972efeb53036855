; pit_irq - PIT channel 0 interrupts through the remapped 8259A, with EOI.
; diff-mode: vectors
;
; 8254 datasheet (mode 2, rate generator); 8259A datasheet (ICW1-4, OCW1
; mask, OCW2 non-specific EOI, OCW3 read ISR); SDM Vol. 3A 6.8.1 (IF masks
; maskable interrupts).  The master PIC is remapped to vectors 0x20-0x27
; with only IRQ0 unmasked, the PIT runs at about 100 Hz, the guest waits
; with IF=1 in HLT for five IRQ0s.  In the handler IF is clear (interrupt
; gate) and ISR bit 0 is set until the EOI.  Where the interrupts land
; varies from run to run under QEMU, so only the vector sequence is
; compared (five times 0x20).
;
; Exit values: 1 IF set in the handler; 2 ISR bit 0 not set before the EOI;
; 3 ISR bit 0 still set after it; 4 more than five interrupts arrived.
%include "common.inc"

%define TICKS 5

main:
        ; ICW1: edge, cascade, ICW4 needed; ICW2: vector base; ICW3; ICW4: 8086
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
        mov al, 0xFE                ; OCW1: only IRQ0
        out 0x21, al
        mov al, 0xFF
        out 0xA1, al
        mov al, 0x0B                ; OCW3: reads of 0x20 return the ISR
        out 0x20, al

        ; channel 0, lobyte/hibyte, mode 2, divisor 11932 (about 100 Hz)
        mov al, 0x34
        out 0x43, al
        mov al, 11932 & 0xFF
        out 0x40, al
        mov al, 11932 >> 8
        out 0x40, al

        SET_GATE 0x20, irq0, KCODE, GATE_INT
        sti
.wait:  hlt
        cmp dword [ticks], TICKS
        jb .wait
        cli
        CHECK_EQ dword [ticks], TICKS, 4
        PASS

irq0:   push eax
        pushfd
        test dword [esp], EFLAGS_IF
        jz .if_ok
        FAIL 1
.if_ok: add esp, 4
        in al, 0x20                 ; ISR
        test al, 1
        jnz .isr_ok
        FAIL 2
.isr_ok:
        inc dword [ticks]
        mov al, 0x20                ; OCW2: non-specific EOI
        out 0x20, al
        in al, 0x20
        test al, 1
        jz .eoi_ok
        FAIL 3
.eoi_ok:
        cmp dword [ticks], TICKS
        jb .more
        mov al, 0xFF                ; enough: mask IRQ0 again
        out 0x21, al
.more:  pop eax
        iretd

section .data
ticks:  dd 0
