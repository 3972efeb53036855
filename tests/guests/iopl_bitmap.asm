; iopl_bitmap - I/O permission from ring 3: IOPL and the TSS I/O bitmap.
;
; SDM Vol. 1 19.5 and 19.5.2; Vol. 3A 8.2.1: with CPL > IOPL, IN/OUT consult
; the I/O permission bitmap at TSS + I/O map base; the access is allowed
; only if the bits of every port it touches are 0 and the bytes read lie
; inside the TSS limit, else #GP(0).  With CPL <= IOPL the bitmap is not
; consulted.  CLI needs CPL <= IOPL too (#GP(0)).
;
; The bitmap covers ports 0..0x1ff (64 bytes, then the 0xff byte that must
; follow it); only port 0x80 is allowed.
; IOPL 0, ring 3:
;   1  out 0x80, al      allowed
;   2  out 0x81, al      #GP(0): bit set
;   3  out 0x80, ax      #GP(0): port 0x81's bit is set
;   4  in  al, 0x80      allowed
;   5  out dx, al (dx = 0x300)   #GP(0): beyond the TSS limit
;   6  cli               #GP(0)
; then int 0x81 asks ring 0 for IOPL 3; ring 3 again:
;   7  out 0x81, al and out dx, al (0x300) and cli/sti allowed
;
; Exit values: the step whose check failed.
%include "common.inc"

%define BITMAP_BYTES 64

main:
        ; the bitmap: all denied, then port 0x80 allowed, then the 0xff byte
        mov edi, tss + 104
        mov al, 0xff
        mov ecx, BITMAP_BYTES + 1
        rep stosb
        and byte [tss + 104 + 0x80 / 8], ~(1 << (0x80 % 8))
        ; a new limit needs a fresh descriptor and LTR (TR caches the limit)
        SET_DESC TSS_SEL, tss, 104 + BITMAP_BYTES, 0x89, 0x00
        mov ax, TSS_SEL
        ltr ax
        SET_GATE 0x81, raise_iopl, KCODE, GATE_INT3
        ENTER_USER user, user_stack_top, 0x002

user:
        mov eax, 0x0101
        out 0x80, al
        EXPECT 2, 13, 0, 0, .s3
        EXPECT_AT .f2, UCODE
        mov eax, 0x0202
.f2:    out 0x81, al
.s3:    EXPECT_HIT 2
        EXPECT 3, 13, 0, 0, .s4
        mov eax, 0x0303
        out 0x80, ax
.s4:    EXPECT_HIT 3
        in al, 0x80
        mov eax, 0x0505
        mov dx, 0x300
        EXPECT 5, 13, 0, 0, .s6
        out dx, al
.s6:    EXPECT_HIT 5
        EXPECT 6, 13, 0, 0, .s7
        mov eax, 0x0606
        cli
.s7:    EXPECT_HIT 6
        mov eax, 0x0707
        int 0x81                    ; IOPL := 3
        pushfd
        pop eax
        and eax, 0x3000
        CHECK_EQ eax, 0x3000, 7
        mov eax, 0x0808
        out 0x81, al
        mov dx, 0x300
        out dx, al
        cli
        PASS

raise_iopl:                         ; frame: EIP CS EFLAGS ESP SS
        or dword [esp + 8], EFLAGS_IOPL3
        iretd
