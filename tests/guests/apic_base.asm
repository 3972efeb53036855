; apic_base - IA32_APIC_BASE (MSR 0x1B) moves the local APIC's page.
;
; SDM Vol. 3A 10.4.4, Figure 10-5: IA32_APIC_BASE holds the page's base
; (bits 35:12; ringlab's physical addresses are 32 bits), the global
; enable (bit 11) and the BSP flag (bit 8, set by the hardware, not by a
; write).  10.4.5: writing the base field relocates the APIC's registers
; to the new 4 KiB page, each processor's on its own; their contents stay.
; 10.4.3: clearing bit 11 disables the APIC, and CPUID.01H:EDX.APIC then
; reads 0.
;
;   1  RDMSR: base 0xFEE00000, enabled, BSP (EAX 0xFEE00900, EDX 0)
;   2  the version register at 0xFEE00030 reads 0x14 in its low byte;
;      TPR := 0x20 at 0xFEE00080
;   3  WRMSR base 0xFEF00000: the version register at 0xFEF00030 reads
;      0x14, the TPR at 0xFEF00080 still 0x20
;   4  TPR := 0x30 at the new page; RDMSR gives 0xFEF00900
;   5  WRMSR 0xFEE00800 (BSP clear in the value): RDMSR still has BSP,
;      the page is back at 0xFEE00000 with TPR 0x30
;   6  WRMSR 0xFEE00100 (enable clear): RDMSR 0xFEE00100, CPUID.01H:EDX
;      bit 9 (APIC) clear
;
; QEMU 7.2 keeps every local APIC at 0xFEE00000 whatever the MSR says, so
; step 3 fails there (tests/diff/apic_base.sdm).
;
; Exit values: the step whose check failed.
%include "common.inc"

%define MSR_APIC_BASE 0x1b
%define NEW_BASE 0xfef00000

main:
        mov ecx, MSR_APIC_BASE      ; step 1
        rdmsr
        CHECK_EQ eax, 0xfee00900, 1
        CHECK_EQ edx, 0, 1
        mov eax, [0xfee00030]       ; step 2
        CHECK_EQ al, 0x14, 2
        mov dword [0xfee00080], 0x20
        CHECK_EQ dword [0xfee00080], 0x20, 2

        mov ecx, MSR_APIC_BASE      ; step 3
        mov eax, NEW_BASE | 0x900
        xor edx, edx
        wrmsr
        mov eax, [NEW_BASE + 0x30]
        CHECK_EQ al, 0x14, 3
        CHECK_EQ dword [NEW_BASE + 0x80], 0x20, 3

        mov dword [NEW_BASE + 0x80], 0x30       ; step 4
        CHECK_EQ dword [NEW_BASE + 0x80], 0x30, 4
        mov ecx, MSR_APIC_BASE
        rdmsr
        CHECK_EQ eax, NEW_BASE | 0x900, 4

        mov eax, 0xfee00800         ; step 5
        xor edx, edx
        wrmsr
        rdmsr
        CHECK_EQ eax, 0xfee00900, 5
        CHECK_EQ dword [0xfee00080], 0x30, 5

        mov eax, 0xfee00100         ; step 6
        xor edx, edx
        wrmsr
        rdmsr
        CHECK_EQ eax, 0xfee00100, 6
        mov eax, 1
        cpuid
        test edx, 1 << 9
        jz .done
        FAIL 6
.done:  PASS
