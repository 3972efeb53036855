; smc - self-modifying code and a code page reused for a new program.
;
; SDM Vol. 3A 8.1.3 and 11.6: a write to a code location that has already
; run (or is already prefetched) takes effect for the next execution of it;
; the processor detects it (for code in the same page and even the next
; instruction on P6 and later).  After a page-table change, INVLPG makes the
; new translation, and so the new code, visible (4.10.4).
;
;   1 patched immediate: fn returns 1, its immediate is rewritten, it returns 2
;   2 (same as 1, after the write)
;   3 the instruction right after the store is patched before it runs
;   4 a frame at 0x200000 holds program A (returns 0xaaaa), runs it
;   5 the same frame is overwritten with program B (returns 0xbbbb), runs it
;   6 paging: linear 0x3f0000 -> frame 0x201000 (program C), runs it
;   7 the PTE is switched to frame 0x202000 (program D), INVLPG, runs it
;
; Exit values: the step whose check failed.
%include "common.inc"

%define FRAME  0x200000
%define LINEAR 0x3f0000

; COPY_PROG dst, src - copy one 6-byte "mov eax, imm32; ret" program
%macro COPY_PROG 2
        mov esi, %2
        mov edi, %1
        mov ecx, 6
        rep movsb
%endmacro

main:
        call patch_me
        CHECK_EQ eax, 1, 1
        mov dword [patch_me + 1], 2
        call patch_me
        CHECK_EQ eax, 2, 2

        mov byte [.next + 1], 0x77
.next:  mov al, 0x11
        CHECK_EQ al, 0x77, 3

        COPY_PROG FRAME, prog_a
        mov eax, FRAME
        call eax
        CHECK_EQ eax, 0xaaaa, 4
        COPY_PROG FRAME, prog_b
        mov eax, FRAME
        call eax
        CHECK_EQ eax, 0xbbbb, 5

        COPY_PROG FRAME + 0x1000, prog_c
        COPY_PROG FRAME + 0x2000, prog_d
        call paging_identity
        mov dword [page_table + (LINEAR >> 12) * 4], (FRAME + 0x1000) | 3
        PAGING_ON
        mov eax, LINEAR
        call eax
        CHECK_EQ eax, 0xcccc, 6
        mov dword [page_table + (LINEAR >> 12) * 4], (FRAME + 0x2000) | 3
        invlpg [LINEAR]
        mov eax, LINEAR
        call eax
        CHECK_EQ eax, 0xdddd, 7
        PASS

patch_me:
        mov eax, 1
        ret

prog_a: mov eax, 0xaaaa
        ret
prog_b: mov eax, 0xbbbb
        ret
prog_c: mov eax, 0xcccc
        ret
prog_d: mov eax, 0xdddd
        ret
