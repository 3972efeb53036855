; nested_faults - a fault raised by a handler's own instructions is an
; ordinary exception, not a double fault.
;
; SDM Vol. 3A 6.15 (interrupt 8): #DF is raised only when a second
; exception occurs *while the processor is delivering* the first (calling
; its handler).  Once the handler runs, its faults are new events: their
; class does not matter.  (Table 6-5 pairs: contributory after contributory,
; page fault after page fault - the pairs used here - would give #DF during
; delivery.)
;
;   #DE (div by 0) -> its handler runs, and in its body:
;     1  mov ds with selector 0x1230    -> #GP(0x1230), not #DF
;     2  read of a not-present page     -> #PF(0), not #DF
;     3  the #DE handler then returns past the DIV
;   #PF (read of a second not-present page) -> its handler runs and in its
;   body reads the first page again:
;     4  a second #PF (error 0, CR2 of that page) reaches the #PF handler
;     5  both #PF handlers return, in order, past their MOVs
;
; Exit values: the step whose check failed; 6 a #DF came.
%include "common.inc"

%define NP1 0x300000
%define NP2 0x301000

main:
        call paging_identity
        mov dword [page_table + (NP1 >> 12) * 4], 0
        mov dword [page_table + (NP2 >> 12) * 4], 0
        PAGING_ON
        SET_GATE 0, de_handler, KCODE, GATE_INT
        SET_GATE 8, df_handler, KCODE, GATE_INT
        mov eax, 0x0d0d
        xor edx, edx
        xor ecx, ecx
.div:   div ecx                         ; 2 bytes
        CHECK_EQ dword [de_count], 1, 3

        SET_GATE 14, pf_handler, KCODE, GATE_INT
        mov eax, 0x0e0e
.pf:    mov eax, [NP2]                  ; A1 imm32: 5 bytes
        CHECK_EQ dword [pf_depth], 0, 5
        CHECK_EQ dword [pf_count], 2, 5
        PASS

de_handler:     ; frame: EIP CS EFLAGS
        EXPECT 1, 13, 0x1230, 0, .s2
        mov bx, 0x1230
        mov ds, bx
.s2:    EXPECT_HIT 1
        EXPECT 2, 14, 0, NP1 + 0x10, .s3
        mov ebx, [NP1 + 0x10]
.s3:    EXPECT_HIT 2
        inc dword [de_count]
        add dword [esp], 2              ; past the DIV
        iretd

pf_handler:     ; frame: error EIP CS EFLAGS
        inc dword [pf_count]
        cmp dword [pf_depth], 0
        jne .inner
        mov dword [pf_depth], 1
        mov eax, [NP1]                  ; a #PF in the handler's body
        CHECK_EQ dword [pf_count], 2, 4
        mov dword [pf_depth], 0
        add dword [esp + 4], 5          ; past main's MOV
        add esp, 4
        iretd
.inner: CHECK_EQ dword [esp], 0, 4
        mov eax, cr2
        CHECK_EQ eax, NP1, 4
        add dword [esp + 4], 5          ; past the handler's MOV
        add esp, 4
        iretd

df_handler:
        FAIL 6

section .data
de_count: dd 0
pf_count: dd 0
pf_depth: dd 0
