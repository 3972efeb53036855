; pse - 4 MiB pages (CR4.PSE, PDE.PS) and a fault on one.
;
; SDM Vol. 3A 4.3 (Figure 4-2, Table 4-4): with CR4.PSE=1 a PDE with PS=1
; maps a 4 MiB page: bits 31..22 of the PDE give the frame, bits 21..0 of
; the linear address the offset.  Its R/W and U/S bits are the only ones
; checked; a not-present PDE faults with P=0.
;
; page_dir: 0 -> 0 (4 MiB, writable), 1 -> 4 MiB (writable), 2 (0x800000)
; -> 4 MiB read-only: an alias of the same frame, 3 not present.
; 1. a value written at 0x400100 is read at 0x800100
; 2. the offset uses all 22 bits: 0x9ffffc reads what 0x5ffffc holds
; 3. CR0.WP=1, write 0x800200 -> #PF(3), CR2 = 0x800200
; 4. read 0xc00300 -> #PF(0), CR2 = 0xc00300
;
; Exit values: the step whose check failed.
%include "common.inc"

main:
        mov dword [page_dir + 0 * 4], 0x00000083     ; PS | W | P
        mov dword [page_dir + 1 * 4], 0x00400083
        mov dword [page_dir + 2 * 4], 0x00400081     ; PS | P, read-only
        mov dword [page_dir + 3 * 4], 0
        mov eax, cr4
        or eax, 0x10                                 ; CR4.PSE
        mov cr4, eax
        PAGING_ON

        mov dword [0x400100], 0xCAFEF00D
        CHECK_EQ dword [0x800100], 0xCAFEF00D, 1
        mov dword [0x5ffffc], 0x0BADCAFE
        CHECK_EQ dword [0x9ffffc], 0x0BADCAFE, 2

        mov eax, cr0
        or eax, 0x10000                              ; CR0.WP
        mov cr0, eax
        EXPECT 3, 14, 3, 0x800200, .s4
        EXPECT_AT .f3, KCODE
        mov eax, 0x0303
.f3:    mov dword [0x800200], eax
.s4:    EXPECT_HIT 3
        EXPECT 4, 14, 0, 0xc00300, .done
        mov eax, 0x0404
        mov ebx, [0xc00300]
.done:  EXPECT_HIT 4
        PASS
