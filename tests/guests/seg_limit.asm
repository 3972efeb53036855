; seg_limit - data and stack segment limit checks in protected mode.
;
; SDM Vol. 3A 5.3: an access whose bytes are not all inside the segment's
; limit raises #GP(0), or #SS(0) when the segment is SS.  Expand-up: valid
; offsets are 0..limit.  Expand-down (5.3, 3.4.5.1) with B=1: valid offsets
; are limit+1..0xffffffff.
;
; GDT: 0x30 expand-up data, base 0x200000, limit 0xfff (byte granular);
; 0x38 the same expand-down; 0x40 expand-up, DPL 3, limit 0xfff (a stack).
;   1  ring 0: dword at ES:0xffc is inside; ES:0xffd ends at 0x1000 -> #GP(0)
;   2  ring 0: expand-down: ES:0x1000 is inside; ES:0x800 -> #GP(0)
;   3  ring 3: SS = 0x43, ESP = 0x2000: push writes 0x1ffc..0x1fff -> #SS(0)
;
; QEMU 7.2 does not check data or stack segment limits in protected mode:
; no fault comes and the guest exits with value 1 (status 3) at step 1.
; tests/diff/seg_limit.sdm holds the SDM's events, which ringlab must give.
;
; Exit values: the step whose check failed.
%include "common.inc"

%define SEG_UP    SPARE0
%define SEG_DOWN  SPARE1
%define SEG_STACK (SPARE2 | 3)

main:
        SET_DESC SEG_UP, 0x200000, 0xfff, 0x92, 0x40      ; data, writable
        SET_DESC SEG_DOWN, 0x200000, 0xfff, 0x96, 0x40    ; expand-down
        SET_DESC SEG_STACK, 0x200000, 0xfff, 0xf2, 0x40   ; DPL 3
        mov ax, SEG_UP
        mov es, ax
        mov ebx, [es:0xffc]
        EXPECT 1, 13, 0, 0, .s2
        EXPECT_AT .f1, KCODE
        mov eax, 0x0101
.f1:    mov ebx, [es:0xffd]
.s2:    EXPECT_HIT 1
        mov ax, SEG_DOWN
        mov es, ax
        mov ebx, [es:0x1000]
        EXPECT 2, 13, 0, 0, .s3
        EXPECT_AT .f2, KCODE
        mov eax, 0x0202
.f2:    mov ebx, [es:0x800]
.s3:    EXPECT_HIT 2
        ENTER_USER user, user_stack_top, 0x002

user:
        EXPECT 3, 12, 0, 0, .s4
        EXPECT_AT .f3, UCODE
        mov ax, SEG_STACK
        mov ss, ax
        mov esp, 0x2000
        mov eax, 0x0303
.f3:    push eax
.s4:    mov ax, UDATA
        mov ss, ax
        mov esp, user_stack_top
        EXPECT_HIT 3
        PASS
