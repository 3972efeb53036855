; smep - Supervisor-Mode Execution Prevention: CR4.SMEP (bit 20), and
; STAC/CLAC on a processor without SMAP.
;
; SDM Vol. 3A 4.6.1: with CR4.SMEP = 1 a supervisor-mode instruction fetch
; from a user-mode page (U/S = 1 at every level) is refused: #PF with P = 1
; and I/D = 1 (4.7: with 32-bit paging, I/D is reported only with SMEP),
; CR2 and the saved EIP the address fetched.  SMEP says nothing about data
; reads and writes.  Vol. 2B STAC/CLAC: #UD where
; CPUID.(EAX=07H,ECX=0):EBX.SMAP = 0, at any CPL.  Vol. 2A CPUID: EBX bit 7
; says the processor has SMEP.
;
; Identity paging, the guest's own pages supervisor (PTE = address | 3),
; UCODEPG a user page holding `ret`.
;
;   1  CPUID leaf 7 EBX has SMEP (bit 7), and not SMAP (bit 20)
;   2  SMEP clear: a call into the user code page returns
;   3  CR4.SMEP set (it reads back): the call -> #PF(0x11) at the user
;      page, CR2 the same
;   4  SMEP set: a supervisor read and a write of the user page work
;   5  SMEP clear again: the call returns
;   6  ring 0 without SMAP: STAC -> #UD at the STAC
;   7  ring 0 without SMAP: CLAC -> #UD at the CLAC
;
; QEMU's default qemu32 model has no SMEP; both machines run
; -cpu qemu32,+smep.
; machine-args: -cpu qemu32,+smep
;
; Exit values: the step whose check failed.
%include "common.inc"

%define UCODEPG 0x301000
%define CR4_SMEP (1 << 20)

main:
        mov eax, 7                  ; step 1
        xor ecx, ecx
        cpuid
        test ebx, 1 << 7
        jnz .s1b
        FAIL 1
.s1b:   test ebx, 1 << 20
        jz .s2
        FAIL 1
.s2:    PAGING_SUPERVISOR           ; step 2
        mov dword [page_table + (UCODEPG >> 12) * 4], UCODEPG | 7
        mov byte [UCODEPG], 0xc3    ; ret
        PAGING_ON
        mov eax, UCODEPG
        call eax

        mov eax, cr4                ; step 3
        or eax, CR4_SMEP
        mov cr4, eax
        mov eax, cr4
        test eax, CR4_SMEP
        jnz .s3
        FAIL 3
.s3:    EXPECT 3, 14, 0x11, UCODEPG, .s4
        EXPECT_AT UCODEPG, KCODE
        mov eax, UCODEPG
        call eax
        FAIL 3
.s4:    EXPECT_HIT 3
        add esp, 4                  ; the return address the call pushed
        mov dword [UCODEPG + 4], 0x44444444     ; step 4
        CHECK_EQ dword [UCODEPG + 4], 0x44444444, 4
        mov eax, cr4                ; step 5
        and eax, ~CR4_SMEP
        mov cr4, eax
        mov eax, UCODEPG
        call eax

        EXPECT 6, 6, 0, 0, .s7      ; step 6
        EXPECT_AT .f6, KCODE
        mov eax, 0x0606
.f6:    stac
        FAIL 6
.s7:    EXPECT_HIT 6
        EXPECT 7, 6, 0, 0, .done
        EXPECT_AT .f7, KCODE
        mov eax, 0x0707
.f7:    clac
        FAIL 7
.done:  EXPECT_HIT 7
        PASS
