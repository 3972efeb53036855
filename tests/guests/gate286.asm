; gate286 - an interrupt through a 16-bit (286) interrupt gate.
;
; SDM Vol. 3A 6.11 (Figure 6-2): a 16-bit gate holds a 16-bit offset; the
; upper word of the descriptor is not part of it.  6.12.1 (Figure 6-4 and
; the INT pseudo-code, "IF 16-bit gate ... EIP <- offset AND 0000FFFFH"):
; the handler starts at the 16-bit offset, and the frame is pushed with
; 16-bit words (IP, CS, FLAGS).
;
; Gate 0x40: type 6 (16-bit interrupt gate), selector 0x08, offset 0x7000,
; and 0x0002 in the descriptor's upper word.  The SDM's target is 0x7000,
; where the guest has put `jmp 0x08:handler`; the handler checks the
; 16-bit frame.  QEMU 7.2 takes the upper word as part of the offset and
; jumps to 0x27000, where the guest has put an exit with value 2 (status
; 5).  tests/diff/gate286.sdm records both.  (This is also why test386.asm
; hangs at POST 0x20 under QEMU.)
;
; Exit values: 1 the handler did not run; 2 the upper word was used as
; offset; 3..5 the 16-bit IP, CS, FLAGS words; 6 ESP not 6 bytes lower.
%include "common.inc"

%define SDM_TARGET  0x7000
%define QEMU_TARGET 0x27000

main:
        ; at 0x7000: jmp far KCODE:handler (EA ptr16:32)
        mov byte [SDM_TARGET], 0xEA
        mov dword [SDM_TARGET + 1], handler
        mov word [SDM_TARGET + 5], KCODE
        ; at 0x27000: mov al, 2; out 0xf4, al; hlt
        mov dword [QEMU_TARGET], 0xF4E602B0
        mov byte [QEMU_TARGET + 4], 0xF4
        mov edi, idt + 0x40 * 8
        mov word [edi], SDM_TARGET & 0xffff
        mov word [edi + 2], KCODE
        mov byte [edi + 4], 0
        mov byte [edi + 5], 0x86            ; P, DPL 0, 16-bit interrupt gate
        mov word [edi + 6], QEMU_TARGET >> 16
        mov [saved_esp], esp
        mov eax, 0x4040
.int:   int 0x40
.ret:   FAIL 1

handler:        ; 16-bit frame: IP CS FLAGS
        movzx eax, word [esp]
        mov ebx, main.ret
        and ebx, 0xffff
        CHECK_EQ eax, ebx, 3
        CHECK_EQ word [esp + 2], KCODE, 4
        movzx eax, word [esp + 4]
        and eax, ~0x8D5                     ; arithmetic flags
        CHECK_EQ eax, 0x002, 5
        mov eax, [saved_esp]
        sub eax, 6
        CHECK_EQ esp, eax, 6
        PASS

section .data
saved_esp: dd 0
