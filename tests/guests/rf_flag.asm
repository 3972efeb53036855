; rf_flag - the RF flag in the EFLAGS image pushed for a fault.
;
; SDM Vol. 3A 17.3.1.1: before calling the handler of any fault-class
; exception other than an instruction-breakpoint #DB, the processor sets RF
; in the EFLAGS image it saves on the stack, so that the faulting
; instruction, when restarted, takes no instruction breakpoint.  RF in the
; live EFLAGS is cleared on delivery (6.12.1).
;
; mov ds, bx with a selector beyond the GDT limit -> #GP(0x1230); the
; handler checks the error code and that RF (bit 16) is set in the pushed
; EFLAGS image.  QEMU 7.2 does not set RF there: the guest exits with value
; 2 (status 5) under QEMU; tests/diff/rf_flag.sdm records both.
;
; Exit values: 1 wrong error code; 2 RF clear in the pushed EFLAGS;
; 3 no #GP; 4 RF set in the handler's own EFLAGS.
%include "common.inc"

main:
        SET_GATE 13, h_gp, KCODE, GATE_INT
        mov eax, 0x0d0d
        mov bx, 0x1230
.fault: mov ds, bx
        FAIL 3
.after: PASS

h_gp:   ; frame: error EIP CS EFLAGS
        CHECK_EQ dword [esp], 0x1230, 1
        pushfd
        test dword [esp], 0x10000
        jz .live_ok
        FAIL 4
.live_ok:
        add esp, 4
        test dword [esp + 12], 0x10000
        jnz .image_ok
        FAIL 2
.image_ok:
        mov dword [esp + 4], main.after
        add esp, 4
        iretd
