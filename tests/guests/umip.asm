; umip - User-Mode Instruction Prevention: CR4.UMIP (bit 11).
;
; SDM Vol. 3A 2.5: with CR4.UMIP = 1, SGDT, SIDT, SLDT, SMSW and STR
; cannot be executed at CPL > 0: each raises #GP(0) (Vol. 2B, each
; instruction's "Protected Mode Exceptions") and stores nothing.  Vol. 2A
; CPUID: CPUID.(EAX=07H,ECX=0):ECX bit 2 says the processor has UMIP.
;
;   1  CPUID leaf 0 reaches leaf 7, and CPUID.07H:ECX.UMIP is set
;   2  ring 3, UMIP clear: SGDT stores the GDT's base, SMSW reads CR0's
;      low word, SIDT, SLDT and STR run (STR gives the TSS selector)
;   3  ring 3, UMIP set: SGDT -> #GP(0) at the SGDT, nothing stored
;   4  SIDT -> #GP(0)
;   5  SLDT -> #GP(0)
;   6  SMSW to a register -> #GP(0), the register unchanged
;   7  SMSW to memory -> #GP(0)
;   8  STR -> #GP(0)
;   9  ring 0, UMIP set: SGDT, SMSW and STR work
;
; QEMU's default qemu32 model has no UMIP (and QEMU 7.2 hangs when the bit
; is written there): the reference run uses -cpu max, which has it.
; qemu-cpu: max
;
; Exit values: the step whose check failed.
%include "common.inc"

%define CR4_UMIP (1 << 11)

main:
        xor eax, eax
        cpuid
        cmp eax, 7
        jae .leaf7
        FAIL 1
.leaf7: mov eax, 7
        xor ecx, ecx
        cpuid
        test ecx, 1 << 2
        jnz .s2
        FAIL 1
.s2:    SET_GATE SYSCALL_VEC + 1, umip_on, KCODE, GATE_INT3
        SET_GATE SYSCALL_VEC + 2, ring0_stores, KCODE, GATE_INT3
        ENTER_USER user, user_stack_top, 0x002

user:
        sgdt [store]                ; step 2: UMIP clear, CPL 3 stores
        CHECK_EQ dword [store + 2], gdt, 2
        smsw ax
        test al, 1                  ; PE
        jnz .s2_sidt
        FAIL 2
.s2_sidt:
        sidt [store]
        CHECK_EQ dword [store + 2], idt, 2
        sldt ax
        str ax
        CHECK_EQ ax, TSS_SEL, 2
        mov eax, 0x81
call_umip_on:
        int SYSCALL_VEC + 1         ; to ring 0: set CR4.UMIP, come back

        mov dword [store + 2], 0x5a5a5a5a
        EXPECT 3, 13, 0, 0, after_s4
        EXPECT_AT user_sgdt, UCODE
        mov eax, 3
user_sgdt:
        sgdt [store]
        FAIL 3
after_s4:    EXPECT_HIT 3
        CHECK_EQ dword [store + 2], 0x5a5a5a5a, 3
        EXPECT 4, 13, 0, 0, after_s5
        EXPECT_AT user_sidt, UCODE
        mov eax, 4
user_sidt:
        sidt [store]
        FAIL 4
after_s5:    EXPECT_HIT 4
        CHECK_EQ dword [store + 2], 0x5a5a5a5a, 4
        EXPECT 5, 13, 0, 0, after_s6
        EXPECT_AT user_sldt, UCODE
        mov eax, 5
user_sldt:
        sldt ax
        FAIL 5
after_s6:    EXPECT_HIT 5
        EXPECT 6, 13, 0, 0, after_s7
        EXPECT_AT user_smsw, UCODE
        mov eax, 0x66666666
user_smsw:
        smsw ax
        FAIL 6
after_s7:    EXPECT_HIT 6
        CHECK_EQ eax, 0x66666666, 6
        mov word [store], 0x7777
        EXPECT 7, 13, 0, 0, after_s8
        EXPECT_AT user_smsw_mem, UCODE
        mov eax, 7
user_smsw_mem:
        smsw [store]
        FAIL 7
after_s8:    EXPECT_HIT 7
        CHECK_EQ word [store], 0x7777, 7
        EXPECT 8, 13, 0, 0, after_s9
        EXPECT_AT user_str, UCODE
        mov eax, 8
user_str:
        str ax
        FAIL 8
after_s9:    EXPECT_HIT 8
        mov eax, 0x82
call_ring0_stores:
        int SYSCALL_VEC + 2         ; step 9, in ring 0

umip_on:                            ; int 0x81 from ring 3
        mov eax, cr4
        or eax, CR4_UMIP
        mov cr4, eax
        iretd

ring0_stores:                       ; int 0x82 from ring 3: step 9
        mov ax, KDATA
        mov ds, ax
        sgdt [store]
        CHECK_EQ dword [store + 2], gdt, 9
        smsw ax
        test al, 1
        jnz .str
        FAIL 9
.str:   str ax
        CHECK_EQ ax, TSS_SEL, 9
        PASS

section .bss
store:          resb 8
