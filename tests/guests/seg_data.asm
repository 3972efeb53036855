; seg_data - data segment limits through ES, FS and GS, in ring 0.
;
; SDM Vol. 3A 5.3: every byte an access touches must lie inside the
; segment, or #GP(0).  Expand-down with B=0 (3.4.5.1): valid offsets are
; limit+1..0xffff.  G=1: the limit counts 4 KiB units.  A string
; instruction's destination is ES:EDI, its source DS:ESI unless a prefix
; names another segment; REP stops at the iteration that faults, with ECX
; and EDI as that iteration found them.  A null selector may be loaded
; into FS but not used (3.4.2).  A 16-bit address wraps at 64 KiB before
; the limit is checked.
;
; GDT: 0x30 expand-down data, B=0, base 0x200000, limit 0xfff (valid
; 0x1000..0xffff); 0x38 expand-up, G=1, limit 1 (0x1fff); 0x40 expand-up,
; byte granular, limit 0xfff.
;   1  ES expand-down B=0: dword at 0xfffc is inside; dword at 0xfffe
;      runs past 0xffff -> #GP(0)
;   2  the same ES, byte at 0xfff (= the limit) -> #GP(0)
;   3  FS, G=1: dword at 0x1ffc is inside, dword at 0x1ffd -> #GP(0)
;   4  ES limit 0xfff: rep stosd from 0xff0, ECX=8 -> #GP(0) at EDI=0x1000
;      after four dwords, ECX=4 left
;   5  lodsb with a GS prefix, ESI=0x1000 past GS's limit -> #GP(0)
;   6  movsd from flat DS to ES:0xffe (crossing the limit) -> #GP(0)
;   7  FS = null selector: loading it is fine, [fs:0] -> #GP(0)
;   8  a16 [es:bx+si] with BX=0xffff: SI=0xffd wraps to 0xffc, inside;
;      SI=0xffe wraps to 0xffd, crossing the limit -> #GP(0)
;   9  every other segment flat again, FS null: [fs:4] -> #GP(0)
;  10  DS null, every other segment flat: mov eax, [ebx] -> #GP(0)
;  11  what the rep stosd left: ECX and EDI (value 11 when wrong)
; (Steps 9 and 10 are the case where only a null selector is not flat:
; ringlab then checks only the blocks that may name it.)
;
; QEMU 7.2 does not check data segment limits in protected mode: no fault
; comes and the guest exits with value 1 (status 3) at step 1.
; tests/diff/seg_data.sdm holds the SDM's events, which ringlab must give.
%include "common.inc"

%define SEG_DOWN16 SPARE0
%define SEG_4K     SPARE1
%define SEG_UP     SPARE2

main:
        SET_DESC SEG_DOWN16, 0x200000, 0xfff, 0x96, 0x00  ; expand-down, B=0
        SET_DESC SEG_4K, 0x200000, 0x1, 0x92, 0xc0        ; G=1: limit 0x1fff
        SET_DESC SEG_UP, 0x200000, 0xfff, 0x92, 0x40
        mov ax, SEG_DOWN16
        mov es, ax
        mov ebx, [es:0xfffc]
        EXPECT 1, 13, 0, 0, .s2
        EXPECT_AT .f1, KCODE
        mov eax, 0x0101
.f1:    mov ebx, [es:0xfffe]
.s2:    EXPECT_HIT 1
        EXPECT 2, 13, 0, 0, .s3
        EXPECT_AT .f2, KCODE
        mov eax, 0x0202
.f2:    mov bl, [es:0xfff]
.s3:    EXPECT_HIT 2
        mov ax, SEG_4K
        mov fs, ax
        mov ebx, [fs:0x1ffc]
        EXPECT 3, 13, 0, 0, .s4
        EXPECT_AT .f3, KCODE
        mov eax, 0x0303
.f3:    mov ebx, [fs:0x1ffd]
.s4:    EXPECT_HIT 3
        mov ax, SEG_UP
        mov es, ax
        cld
        mov edi, 0xff0
        mov ecx, 8
        EXPECT 4, 13, 0, 0, .s5
        EXPECT_AT .f4, KCODE
        mov eax, 0x0404
.f4:    rep stosd
.s5:    EXPECT_HIT 4
        mov [stos_ecx], ecx
        mov [stos_edi], edi
        mov ax, SEG_UP
        mov gs, ax
        mov esi, 0x1000
        EXPECT 5, 13, 0, 0, .s6
        EXPECT_AT .f5, KCODE
        mov eax, 0x0505
.f5:    gs lodsb
.s6:    EXPECT_HIT 5
        mov esi, source
        mov edi, 0xffe
        EXPECT 6, 13, 0, 0, .s7
        EXPECT_AT .f6, KCODE
        mov eax, 0x0606
.f6:    movsd
.s7:    EXPECT_HIT 6
        xor ax, ax
        mov fs, ax
        EXPECT 7, 13, 0, 0, .s8
        EXPECT_AT .f7, KCODE
        mov eax, 0x0707
.f7:    mov ebx, [fs:0]
.s8:    EXPECT_HIT 7
        mov ebx, 0x1234ffff             ; only BX counts in a 16-bit address
        mov esi, 0x5678_0ffd
        mov eax, [es:bx+si]
        inc esi
        EXPECT 8, 13, 0, 0, .s9
        EXPECT_AT .f8, KCODE
        mov eax, 0x0808
.f8:    mov eax, [es:bx+si]
.s9:    EXPECT_HIT 8
        mov ax, KDATA
        mov es, ax
        mov gs, ax
        xor ax, ax
        mov fs, ax
        EXPECT 9, 13, 0, 0, .s10
        EXPECT_AT .f9, KCODE
        mov eax, 0x0909
.f9:    mov ebx, [fs:4]
.s10:   EXPECT_HIT 9
        EXPECT 10, 13, 0, 0, .s11
        EXPECT_AT .f10, KCODE
        mov ebx, source
        mov eax, 0x0a0a
        xor cx, cx
        mov ds, cx
.f10:   mov eax, [ebx]
.s11:   mov ax, KDATA
        mov ds, ax
        EXPECT_HIT 10
        CHECK_EQ dword [stos_ecx], 4, 11
        CHECK_EQ dword [stos_edi], 0x1000, 11
        PASS

section .data
source:   dd 0x11223344
stos_ecx: dd 0
stos_edi: dd 0
