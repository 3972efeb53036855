; pf_codes - the page-fault error code and CR2 for each kind of access.
;
; SDM Vol. 3A 4.7 (Figure 4-12): bit 0 P (0 = not present, 1 = protection),
; bit 1 W/R (write), bit 2 U/S (CPL 3).  With 32-bit paging and no SMEP or
; NX, bit 4 (I/D) stays 0, so a fetch looks like a read.  CR2 holds the
; linear address (4.7, 6.15 interrupt 14).
;
; Identity paging over 0..4 MiB, user + writable, except four test pages:
;   NP   0x300000  not present
;   SUP  0x301000  supervisor, writable (holds a RET for the fetch test)
;   RO   0x302000  user, read-only
;   NPX  0x303000  not present (fetch target)
;
; step  ring  access             error  CR2
;    1   0    read  NP           0000   0x300010
;    2   0    write NP           0002   0x300020
;    3   0    fetch NPX          0000   0x303000
;    4   3    read  SUP          0005   0x301004
;    5   3    write SUP          0007   0x301008
;    6   3    write RO           0007   0x30200c
;    7   3    read  RO           no fault, reads what ring 0 put there
;    8   3    read  NP           0004   0x300030
;    9   3    write NP           0006   0x300040
;   10   3    fetch NPX          0004   0x303000
;   11   3    fetch SUP          0005   0x301000
;
; Exit values: the step whose check failed; 12 ring 3 ESP wrong at the end
; (only the CALL of step 10 may have pushed).
%include "common.inc"

%define NP   0x300000
%define SUP  0x301000
%define RO   0x302000
%define NPX  0x303000

main:
        call paging_identity
        mov dword [page_table + (NP >> 12) * 4], 0
        mov dword [page_table + (SUP >> 12) * 4], SUP | 3
        mov dword [page_table + (RO >> 12) * 4], RO | 5
        mov dword [page_table + (NPX >> 12) * 4], 0
        mov byte [SUP], 0xC3                ; ret (paging still off)
        mov dword [RO + 0x10], 0x600DF00D   ; CR0.WP=0 later would allow it too
        PAGING_ON

        EXPECT 1, 14, 0, NP + 0x10, .s2
        EXPECT_AT .f1, KCODE
        mov eax, 0x0101
.f1:    mov ebx, [NP + 0x10]
.s2:    EXPECT_HIT 1
        EXPECT 2, 14, 2, NP + 0x20, .s3
        mov eax, 0x0202
        mov dword [NP + 0x20], ebx
.s3:    EXPECT_HIT 2
        EXPECT 3, 14, 0, NPX, .s4
        EXPECT_AT NPX, KCODE
        mov eax, 0x0303
        mov ecx, NPX
        jmp ecx
.s4:    EXPECT_HIT 3
        ENTER_USER user, user_stack_top, 0x002

user:
        EXPECT 4, 14, 5, SUP + 4, .s5
        EXPECT_AT .f4, UCODE
        mov eax, 0x0404
.f4:    mov ebx, [SUP + 4]
.s5:    EXPECT_HIT 4
        EXPECT 5, 14, 7, SUP + 8, .s6
        mov eax, 0x0505
        mov [SUP + 8], ebx
.s6:    EXPECT_HIT 5
        EXPECT 6, 14, 7, RO + 0xc, .s7
        mov eax, 0x0606
        mov [RO + 0xc], ebx
.s7:    EXPECT_HIT 6
        mov eax, [RO + 0x10]
        CHECK_EQ eax, 0x600DF00D, 7
        EXPECT 8, 14, 4, NP + 0x30, .s9
        mov eax, 0x0808
        mov ebx, [NP + 0x30]
.s9:    EXPECT_HIT 8
        EXPECT 9, 14, 6, NP + 0x40, .s10
        mov eax, 0x0909
        mov [NP + 0x40], ebx
.s10:   EXPECT_HIT 9
        EXPECT 10, 14, 4, NPX, .s11
        EXPECT_AT NPX, UCODE
        mov eax, 0x0a0a
        mov ecx, NPX
        call ecx
.s11:   EXPECT_HIT 10
        EXPECT 11, 14, 5, SUP, .done
        EXPECT_AT SUP, UCODE
        mov eax, 0x0b0b
        mov ecx, SUP
        jmp ecx
.done:  EXPECT_HIT 11
        CHECK_EQ esp, user_stack_top - 4, 12   ; the CALL of step 10 pushed
        PASS
