; warm_reset - a machine reset the program comes back from: the PC/AT
; shutdown code and the warm-reset vector.
;
; A reset through the 8042 keyboard controller (command FEh pulses the
; CPU's RESET line; the PC/AT way for a 286 to leave protected mode) starts
; the CPU at the reset vector (SDM Vol. 3A 9.1) and the firmware, which
; reads the shutdown code in CMOS byte 0Fh before anything else: 0Ah
; means "no POST: clear the byte, jump through the far pointer at
; 0040:0067".  The CMOS is battery-backed and RAM keeps its contents, so
; both survive the reset.
;
;   1  the reset did not happen (the loop after the command ran out)
;   2  after the jump: CR0.PE clear, CS = 0x0700, the shutdown byte back
;      to 0, and the marker written before the reset still in RAM
;
; Under QEMU, SeaBIOS's resume path does this; without a ROM, ringlab does
; what the firmware would (src/machine/warm_reset.c).
;
; Exit values: the step whose check failed.
%include "common.inc"

%define MARKER 0x7f00

main:
        mov dword [MARKER], 0x600dc0de
        WARM_ARM warm_code, warm_end    ; 0040:0067 = 0700:0000, CMOS 0Fh = 0Ah
        mov al, 0xfe                ; the 8042 pulses RESET
        out 0x64, al
        mov ecx, 10000000
.wait:  loop .wait
        FAIL 1

        bits 16
warm_code:
        WARM_CHECK .fail
        xor ax, ax
        mov ds, ax
        cmp dword [MARKER], 0x600dc0de
        jne .fail
        mov al, 0                   ; pass: isa-debug-exit status 1
        out 0xf4, al
.fail:  mov al, 2
        out 0xf4, al
        hlt
warm_end:
        bits 32
