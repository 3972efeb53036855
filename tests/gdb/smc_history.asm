; smc_history - code rewritten while the history keeps snapshots.
;
; The history write-protects all of RAM at each snapshot to save what is
; written after it; the code guard write-protects the frames of translated
; code to see them rewritten.  Both watch the same pages: a write that one
; of them lets through must still be seen by the other, or the rewritten
; program below runs its old translation (SDM Vol. 3A 11.6: the write takes
; effect for the next execution of that code).
;
; Sixty-four rounds, a snapshot between each two under --snapshot-every
; 1000: write "mov eax, N; ret" through linear 0x3f1000, call it through
; 0x3f0000 (both map frame 0x200000), check that it returned N, then spin
; some 2,000 instructions.
;   1 the program written in some round returned another value
%include "common.inc"

%define FRAME     0x200000
%define RUN_AT    0x3f0000
%define WRITE_AT  0x3f1000
%define ROUNDS    64

main:
        call paging_identity
        mov dword [page_table + (RUN_AT >> 12) * 4], FRAME | 3
        mov dword [page_table + (WRITE_AT >> 12) * 4], FRAME | 3
        PAGING_ON
        mov ebx, 1
.round:
        mov byte [WRITE_AT], 0xb8
        mov dword [WRITE_AT + 1], ebx
        mov byte [WRITE_AT + 5], 0xc3
        mov eax, RUN_AT
        call eax
        cmp eax, ebx
        jne .wrong
        mov ecx, 1000
.spin:
        dec ecx
        jnz .spin
        inc ebx
        cmp ebx, ROUNDS
        jbe .round
        PASS
.wrong:
        FAIL 1
