; code_alias - code rewritten through another mapping of its frame.
;
; SDM Vol. 3A 11.6: a write to memory that holds code which has run takes
; effect for the next execution of that code, whatever linear address the
; write used; with paging, two linear pages can map one frame (4.3).  A
; kernel loading a program does exactly this: it writes the program through
; its own mapping of the frame, then runs it through the user's.
;
; Linear 0x3f0000 (run) and 0x3f1000 (write) both map frame 0x200000.
; Four times: a new "mov eax, imm32; ret" program is written through the
; write mapping and called through the run mapping; it must return its own
; value, not the previous program's.
;   1..4 the program written in round N returned another value
;
; Exit values: the step whose check failed.
%include "common.inc"

%define FRAME     0x200000
%define RUN_AT    0x3f0000
%define WRITE_AT  0x3f1000

; ROUND step, value - write "mov eax, value; ret" through WRITE_AT, call RUN_AT
%macro ROUND 2
        mov byte [WRITE_AT], 0xb8
        mov dword [WRITE_AT + 1], %2
        mov byte [WRITE_AT + 5], 0xc3
        mov eax, RUN_AT
        call eax
        CHECK_EQ eax, %2, %1
%endmacro

main:
        call paging_identity
        mov dword [page_table + (RUN_AT >> 12) * 4], FRAME | 3
        mov dword [page_table + (WRITE_AT >> 12) * 4], FRAME | 3
        PAGING_ON
        ROUND 1, 0x1111
        ROUND 2, 0x2222
        ROUND 3, 0x3333
        ROUND 4, 0x4444
        PASS
