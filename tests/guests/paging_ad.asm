; paging_ad - the Accessed and Dirty bits, INVLPG and CR3 loads, as a
; kernel sees them through its own page tables.
;
; SDM Vol. 3A 4.8: an access sets A in the PDE and PTE it goes through, a
; write also D in the PTE (in the PDE of a 4 MiB page).  4.10.4.1: INVLPG
; and a MOV to CR3 drop the translations held, so the next access walks
; the tables again.  4.10.4.3: an entry made present from not present needs
; no invalidation.  6.15 (int 14): CR2 changes only at a page fault.
; A monitor that keeps shadow page tables must let the kernel see each of
; these as it would on the processor (tests/vmm/trap.sh runs this guest
; under `pg vmm --strategy trap` and `--strategy bt`).
;
; Identity paging; the pages P1..P6 at 0x301000.. start with A and D clear.
;  1  a read of P1 sets A in its PTE and in the PDE, not D
;  2  a write to P1 sets D
;  3  a write as P2's first access sets A and D
;  4  A and D cleared in P1's PTE, INVLPG: a read sets A again and not D,
;     a write then D
;  5  P1 made read-only, INVLPG, CR0.WP = 1: a write -> #PF(3), CR2 = P1;
;     the memory is unchanged
;  6  P1's PTE names P3's frame, INVLPG: a read of P1 gives P3's data
;  7  a second page directory maps P1 to P4's frame: after MOV CR3 a read
;     gives P4's data; after MOV CR3 back, P3's
;  8  P4 not present, INVLPG: a read -> #PF(0), CR2 = P4; a first read of
;     P5 then leaves CR2 as it was
;  9  P4 made present again without INVLPG: its read gives P4's data
; 10  CR0.WP = 0: a supervisor write to the read-only, clean P6 goes
;     through and sets D
; 11  CR4.PSE, a 4 MiB page at 4 MiB with A and D clear: a write sets A
;     and D in its PDE
;
; Exit values: the step whose check failed.
%include "common.inc"

%define P1 0x301000
%define P2 0x302000
%define P3 0x303000
%define P4 0x304000
%define P5 0x305000
%define P6 0x306000
%define PTE(p) (page_table + ((p) >> 12) * 4)
%define PD2 0x3f0000                ; the second directory and its table
%define PT2 0x3f1000
%define A_BIT 0x20
%define D_BIT 0x40

; CHECK_BITS operand, mask, value, step - (operand & mask) == value
%macro CHECK_BITS 4
        mov eax, %1
        and eax, %2
        CHECK_EQ eax, %3, %4
%endmacro

main:
        mov dword [P1], 0x11111111
        mov dword [P3], 0x33333333
        mov dword [P4], 0x44444444
        call paging_identity
        PAGING_ON

        mov eax, [P1]                               ; step 1
        CHECK_BITS [PTE(P1)], A_BIT | D_BIT, A_BIT, 1
        CHECK_BITS [page_dir], A_BIT, A_BIT, 1

        mov dword [P1], 0x11111112                  ; step 2
        CHECK_BITS [PTE(P1)], A_BIT | D_BIT, A_BIT | D_BIT, 2

        mov dword [P2], 0x22222222                  ; step 3
        CHECK_BITS [PTE(P2)], A_BIT | D_BIT, A_BIT | D_BIT, 3

        and dword [PTE(P1)], ~(A_BIT | D_BIT)       ; step 4
        invlpg [P1]
        mov eax, [P1]
        CHECK_EQ eax, 0x11111112, 4
        CHECK_BITS [PTE(P1)], A_BIT | D_BIT, A_BIT, 4
        mov dword [P1], 0x11111113
        CHECK_BITS [PTE(P1)], A_BIT | D_BIT, A_BIT | D_BIT, 4

        and dword [PTE(P1)], ~2                     ; step 5
        invlpg [P1]
        mov eax, cr0
        or eax, 0x10000                             ; CR0.WP
        mov cr0, eax
        EXPECT 5, 14, 3, P1, .s5
        mov dword [P1], 0x55555555
.s5:    EXPECT_HIT 5
        CHECK_EQ dword [P1], 0x11111113, 5

        mov dword [PTE(P1)], P3 | 7                 ; step 6
        invlpg [P1]
        CHECK_EQ dword [P1], 0x33333333, 6

        mov esi, page_dir                           ; step 7
        mov edi, PD2
        mov ecx, 1024
        rep movsd
        mov esi, page_table
        mov edi, PT2
        mov ecx, 1024
        rep movsd
        mov dword [PT2 + (P1 >> 12) * 4], P4 | 7
        mov dword [PD2], PT2 | 7
        mov eax, PD2
        mov cr3, eax
        CHECK_EQ dword [P1], 0x44444444, 7
        mov eax, page_dir
        mov cr3, eax
        CHECK_EQ dword [P1], 0x33333333, 7

        mov dword [PTE(P4)], 0                      ; step 8
        invlpg [P4]
        EXPECT 8, 14, 0, P4, .s8
        mov eax, [P4]
.s8:    EXPECT_HIT 8
        mov eax, [P5]
        mov eax, cr2
        CHECK_EQ eax, P4, 8

        mov dword [PTE(P4)], P4 | 7                 ; step 9
        CHECK_EQ dword [P4], 0x44444444, 9

        mov dword [PTE(P6)], P6 | 5                 ; step 10: user, read-only
        invlpg [P6]
        mov eax, cr0
        and eax, ~0x10000
        mov cr0, eax
        mov dword [P6], 0x66666666
        CHECK_EQ dword [P6], 0x66666666, 10
        CHECK_BITS [PTE(P6)], A_BIT | D_BIT, A_BIT | D_BIT, 10

        mov eax, cr4                                ; step 11
        or eax, 0x10                                ; CR4.PSE
        mov cr4, eax
        mov dword [page_dir + 4], 0x400000 | 0x87   ; PS, user, writable, present
        mov dword [0x401234], 0x77777777
        CHECK_BITS [page_dir + 4], A_BIT | D_BIT, A_BIT | D_BIT, 11
        CHECK_EQ dword [0x401234], 0x77777777, 11
        PASS
