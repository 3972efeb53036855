; bsp_init - INIT of the bootstrap processor and the warm-reset vector.
;
; SDM Vol. 3A 9.1, Table 9-1: INIT puts the processor in its reset state
; (real mode, CS F000 with base FFFF0000, EIP FFF0); the BSP then runs the
; firmware.  The PC/AT firmware reads the shutdown code in CMOS byte 0Fh
; first: 0Ah means "no POST: clear the byte and jump through the far
; pointer at 0040:0067" (the warm-reset vector; MP Specification 1.4,
; B.4).  The guest, a Multiboot kernel, sets both and sends itself an INIT
; (ICR: INIT, level assert, shorthand all including self -- "self" is not
; allowed for INIT, SDM Vol. 3A 10.6.1).
;
;   1  the INIT did not take effect (the loop after it ran out)
;   2  after the jump: CR0.PE clear, CS = 0x0700 (the vector's segment),
;      the shutdown byte back to 0
;
; Under QEMU, SeaBIOS's resume path does the same; without a ROM, ringlab
; does what the firmware would (src/machine/warm_reset.c).
;
; Exit values: the step whose check failed.
%include "common.inc"

main:
        WARM_ARM warm_code, warm_end    ; 0040:0067 = 0700:0000, CMOS 0Fh = 0Ah
        mov dword [0xfee00310], 0   ; ICR high: destination (ignored)
        mov dword [0xfee00300], 0x00084500
        mov ecx, 10000000
.wait:  loop .wait
        FAIL 1

        bits 16
warm_code:
        WARM_CHECK .fail
        mov al, 0                   ; pass: isa-debug-exit status 1
        out 0xf4, al
.fail:  mov al, 2
        out 0xf4, al
        hlt
warm_end:
        bits 32
