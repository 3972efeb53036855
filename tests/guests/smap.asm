; smap - Supervisor-Mode Access Prevention: CR4.SMAP (bit 21), EFLAGS.AC,
; STAC and CLAC.
;
; SDM Vol. 3A 4.6.1: with CR4.SMAP = 1 a supervisor-mode data read or
; write of a user-mode page is refused when EFLAGS.AC = 0 (or the access
; is implicit) and judged as without SMAP when AC = 1 and the access is
; explicit; a refusal is a #PF with P = 1 (4.7).  SMAP does not concern
; instruction fetches (that is SMEP's business).  Vol. 2B STAC/CLAC: set
; and clear AC; #UD at CPL > 0 and where CPUID.(EAX=07H,ECX=0):EBX.SMAP
; is 0.  Vol. 2A CPUID: EBX bit 20 says the processor has SMAP.
;
; Identity paging, the guest's own pages supervisor (PTE = address | 3),
; USERPG a user data page and UCODEPG a user page holding `ret`.
;
;   1  CPUID leaf 7 EBX has SMAP (bit 20), and not SMEP (bit 7)
;   2  SMAP clear: a supervisor read and a write of the user page work
;   3  CR4.SMAP set (it reads back), AC = 0: read -> #PF(1), CR2
;   4  AC = 0: write -> #PF(3), the value unchanged
;   5  STAC: read and write work; CLAC: the read -> #PF(1) again
;   6  AC set with POPFD: the read works
;   7  SMAP does not stop a fetch: a call into the user code page returns
;   8  SMAP clear again: the read works with AC = 0
;   9  ring 3 (paging off): STAC -> #UD at the STAC
;  10  ring 3: CLAC -> #UD at the CLAC
;
; QEMU's default qemu32 model has no SMAP; both machines run
; -cpu qemu32,+smap.
; machine-args: -cpu qemu32,+smap
;
; Exit values: the step whose check failed.
%include "common.inc"

%define USERPG  0x300000
%define UCODEPG 0x301000
%define CR4_SMAP (1 << 21)
%define EFLAGS_AC (1 << 18)

main:
        mov eax, 7                  ; step 1
        xor ecx, ecx
        cpuid
        test ebx, 1 << 20
        jnz .s1b
        FAIL 1
.s1b:   test ebx, 1 << 7
        jz .s2
        FAIL 1
.s2:    PAGING_SUPERVISOR           ; step 2
        mov dword [page_table + (USERPG >> 12) * 4], USERPG | 7
        mov dword [page_table + (UCODEPG >> 12) * 4], UCODEPG | 7
        mov byte [UCODEPG], 0xc3    ; ret
        PAGING_ON
        mov dword [USERPG], 0x11111111
        CHECK_EQ dword [USERPG], 0x11111111, 2

        mov eax, cr4                ; step 3
        or eax, CR4_SMAP
        mov cr4, eax
        mov eax, cr4
        test eax, CR4_SMAP
        jnz .s3
        FAIL 3
.s3:    EXPECT 3, 14, 1, USERPG, .s4
        EXPECT_AT .f3, KCODE
        mov eax, 0x0303
.f3:    mov ebx, [USERPG]
        FAIL 3
.s4:    EXPECT_HIT 3
        EXPECT 4, 14, 3, USERPG, .s4b   ; step 4
        EXPECT_AT .f4, KCODE
        mov eax, 0x0404
.f4:    mov dword [USERPG], 0x22222222
        FAIL 4
.s4b:   EXPECT_HIT 4
        clac
        stac                        ; step 5
        CHECK_EQ dword [USERPG], 0x11111111, 5
        mov dword [USERPG], 0x33333333
        CHECK_EQ dword [USERPG], 0x33333333, 5
        clac
        EXPECT 5, 14, 1, USERPG, .s6
        EXPECT_AT .f5, KCODE
        mov eax, 0x0505
.f5:    mov ebx, [USERPG]
        FAIL 5
.s6:    EXPECT_HIT 5
        pushfd                      ; step 6
        or dword [esp], EFLAGS_AC
        popfd
        CHECK_EQ dword [USERPG], 0x33333333, 6
        pushfd
        and dword [esp], ~EFLAGS_AC
        popfd
        mov eax, UCODEPG            ; step 7
        call eax
        mov eax, cr4                ; step 8
        and eax, ~CR4_SMAP
        mov cr4, eax
        CHECK_EQ dword [USERPG], 0x33333333, 8

        mov eax, cr0                ; steps 9, 10 in ring 3, paging off
        and eax, 0x7fffffff
        mov cr0, eax
        ENTER_USER user, user_stack_top, 0x002

user:
        EXPECT 9, 6, 0, 0, .s10
        EXPECT_AT .f9, UCODE
        mov eax, 0x0909
.f9:    stac
        FAIL 9
.s10:   EXPECT_HIT 9
        EXPECT 10, 6, 0, 0, .done
        EXPECT_AT .f10, UCODE
        mov eax, 0x0a0a
.f10:   clac
        FAIL 10
.done:  EXPECT_HIT 10
        PASS
