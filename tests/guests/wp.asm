; wp - CR0.WP and supervisor writes to read-only pages.
;
; SDM Vol. 3A 4.6.1: with CR0.WP=0 a supervisor-mode write may go to any
; page, read-only or not; with CR0.WP=1 a supervisor write to a read-only
; page raises #PF with error code 3 (present, write, supervisor).
;
; Identity paging, the page RO at 0x302000 supervisor read-only (PTE = 1).
; 1. WP=0: write 0x5a5a5a5a to RO+4, read it back
; 2. WP=1: write RO+4 -> #PF(3), CR2 = RO+4
; 3. the value is unchanged
; 4. WP=0 again (and no TLB flush needed): the write goes through
;
; Exit values: the step whose check failed.
%include "common.inc"

%define RO 0x302000

main:
        call paging_identity
        mov dword [page_table + (RO >> 12) * 4], RO | 1
        PAGING_ON
        mov dword [RO + 4], 0x5a5a5a5a
        CHECK_EQ dword [RO + 4], 0x5a5a5a5a, 1

        mov eax, cr0
        or eax, 0x10000                     ; CR0.WP
        mov cr0, eax
        EXPECT 2, 14, 3, RO + 4, .s3
        EXPECT_AT .f2, KCODE
        mov eax, 0x0202
.f2:    mov dword [RO + 4], 0xdeadbeef
.s3:    EXPECT_HIT 2
        CHECK_EQ dword [RO + 4], 0x5a5a5a5a, 3

        mov eax, cr0
        and eax, ~0x10000
        mov cr0, eax
        mov dword [RO + 4], 0x12345678
        CHECK_EQ dword [RO + 4], 0x12345678, 4
        PASS
