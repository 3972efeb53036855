; seg_stack - stack segment limits, in ring 3.
;
; SDM Vol. 3A 5.3: an access through SS whose bytes are not all inside
; the segment raises #SS(0): PUSH, POP, RET, LEAVE, PUSHAD, ENTER, and any
; operand addressed through EBP.  Expand-down stacks (3.4.5.1) are valid
; from limit+1 up to 0xffffffff (B=1) or 0xffff (B=0); with B=0 the stack
; pointer is SP, and it wraps at 64 KiB.  The faulting instruction does
; nothing: ESP is what it was.
;
; GDT, every segment DPL 3, writable, base 0x200000, limit 0xfff:
; 0x33 expand-up (B=1), 0x3b expand-down B=1 (valid 0x1000..0xffffffff),
; 0x43 expand-down B=0 (valid 0x1000..0xffff).
;   1  SS 0x33, ESP 0x1000: push/pop at 0xffc are inside; [ebp] with
;      EBP 0xffe crosses the limit -> #SS(0)
;   2  ESP 0xffe: pop eax reads 0xffe..0x1001 -> #SS(0)
;   3  ESP 0x1000: ret reads 0x1000 -> #SS(0)
;   4  EBP 0xffd: leave reads 0xffd..0x1000 -> #SS(0)
;   5  ESP 0x80: enter 0x100, 0 would leave ESP below 0 -> #SS(0)
;   6  SS 0x3b, ESP 0x1004: push is inside; the next push, at 0xffc, is at
;      or below the limit -> #SS(0)
;   7  ESP 0x1020: pushad fills 0x1000..0x101f; a second pushad -> #SS(0)
;   8  SS 0x43 (B=0), ESP 0xabcd0000: push ax wraps SP to 0xfffe, inside;
;      push eax at SP 0xfffe writes 0xfffa..0xfffd, inside; with SP 2 the
;      push writes 0xfffe..0x10001, past 0xffff -> #SS(0)
;   9  ESP is unchanged by each fault (value 9 when not; after step 8
;      only SP, since IRET to a 16-bit SS loads only SP)
;
; QEMU 7.2 does not check stack segment limits in protected mode: no fault
; comes and the guest exits with value 1 through int 0x80 at step 1.
; tests/diff/seg_stack.sdm holds the SDM's events, which ringlab must give.
%include "common.inc"

%define STK_UP     (SPARE0 | 3)
%define STK_DOWN   (SPARE1 | 3)
%define STK_DOWN16 (SPARE2 | 3)

; ESP_IS value: ESP must still be `value` after the fault
%macro ESP_IS 1
        cmp esp, %1
        je %%ok
        mov dword [esp_bad], 1
%%ok:
%endmacro
; SP_IS value: the same for SP.  An IRET to a 16-bit stack segment loads
; only SP: ESP's upper half is left as the handler's stack had it (the
; reason for Linux's "espfix").
%macro SP_IS 1
        cmp sp, %1
        je %%ok
        mov dword [esp_bad], 1
%%ok:
%endmacro

main:
        SET_DESC STK_UP, 0x200000, 0xfff, 0xf2, 0x40
        SET_DESC STK_DOWN, 0x200000, 0xfff, 0xf6, 0x40
        SET_DESC STK_DOWN16, 0x200000, 0xfff, 0xf6, 0x00
        ENTER_USER user, user_stack_top, 0x002

user:
        mov ax, STK_UP
        mov ss, ax
        mov esp, 0x1000
        push eax
        pop eax
        mov ebp, 0xffe
        EXPECT 1, 12, 0, 0, .s2
        EXPECT_AT .f1, UCODE
        mov eax, 0x0101
.f1:    mov eax, [ebp]
.s2:    EXPECT_HIT 1
        mov esp, 0xffe
        EXPECT 2, 12, 0, 0, .s3
        EXPECT_AT .f2, UCODE
        mov eax, 0x0202
.f2:    pop eax
.s3:    EXPECT_HIT 2
        ESP_IS 0xffe
        mov esp, 0x1000
        EXPECT 3, 12, 0, 0, .s4
        EXPECT_AT .f3, UCODE
        mov eax, 0x0303
.f3:    ret
.s4:    EXPECT_HIT 3
        ESP_IS 0x1000
        mov ebp, 0xffd
        EXPECT 4, 12, 0, 0, .s5
        EXPECT_AT .f4, UCODE
        mov eax, 0x0404
.f4:    leave
.s5:    EXPECT_HIT 4
        ESP_IS 0x1000
        mov esp, 0x80
        EXPECT 5, 12, 0, 0, .s6
        EXPECT_AT .f5, UCODE
        mov eax, 0x0505
.f5:    enter 0x100, 0
.s6:    EXPECT_HIT 5
        ESP_IS 0x80
        mov ax, STK_DOWN
        mov ss, ax
        mov esp, 0x1004
        push eax
        EXPECT 6, 12, 0, 0, .s7
        EXPECT_AT .f6, UCODE
        mov eax, 0x0606
.f6:    push eax
.s7:    EXPECT_HIT 6
        ESP_IS 0x1000
        mov esp, 0x1020
        pushad
        EXPECT 7, 12, 0, 0, .s8
        EXPECT_AT .f7, UCODE
        mov eax, 0x0707
.f7:    pushad
.s8:    EXPECT_HIT 7
        ESP_IS 0x1000
        mov ax, STK_DOWN16
        mov ss, ax
        mov esp, 0xabcd0000
        push ax
        push eax
        mov esp, 0xabcd0002
        EXPECT 8, 12, 0, 0, .s9
        EXPECT_AT .f8, UCODE
        mov eax, 0x0808
.f8:    push eax
.s9:    EXPECT_HIT 8
        SP_IS 0x0002
        mov ax, UDATA
        mov ss, ax
        mov esp, user_stack_top
        CHECK_EQ dword [esp_bad], 0, 9
        PASS

section .data
esp_bad: dd 0
