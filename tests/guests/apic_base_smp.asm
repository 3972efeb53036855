; apic_base_smp - each processor's IA32_APIC_BASE moves its own local
; APIC (SDM Vol. 3A 10.4.5: "each processor's APIC ... relocated" through
; its own MSR; 10.4.6 the local APIC ID register).
;
; machine-args: -smp 2
;
; The bootstrap processor starts the application processor with INIT and
; two start-up IPIs, as smp_start does.  The AP, in protected mode, reads
; its IA32_APIC_BASE (enabled, no BSP flag: 0xFEE00800), moves its APIC
; to 0xFEF00000 and reads its APIC ID there (1), then writes a mark and
; halts.  The BSP checks what the AP saw, and that its own APIC stayed
; where its own MSR says: the ID register at 0xFEE00020 still reads 0.
;
; QEMU 7.2 keeps every local APIC at 0xFEE00000 whatever the MSR says, so
; the AP's read at the new page is not its ID there
; (tests/diff/apic_base_smp.sdm).
;
; Exit values: 1 the BSP's APIC ID is not 0; 2 the ICR stayed busy; 3 the
; AP never wrote its mark; 4 the AP's IA32_APIC_BASE was not 0xFEE00800;
; 5 the AP's ID at its moved page is not 1; 6 the BSP's ID at 0xFEE00020
; is no longer 0 after the AP moved its APIC.
%include "common.inc"
%include "ap_start.inc"

%define MOVED        0xFEF00000
%define MARK         0x6FF0      ; the AP writes 0xA5 here
%define AP_ID        0x6FF4      ; its APIC ID, read at the moved page
%define AP_MSR       0x6FF8      ; its IA32_APIC_BASE before the move

main:
        mov eax, [LAPIC + LAPIC_ID]
        shr eax, 24
        CHECK_EQ eax, 0, 1

        mov dword [MARK], 0
        mov dword [AP_ID], 0xFFFFFFFF
        mov dword [AP_MSR], 0xFFFFFFFF


        START_AP

        mov ecx, 50000000
.wait:  cmp byte [MARK], 0xA5
        je .started
        pause
        loop .wait
        FAIL 3
.started:
        mov eax, [AP_MSR]
        CHECK_EQ eax, 0xFEE00800, 4
        mov eax, [AP_ID]
        CHECK_EQ eax, 1, 5
        mov eax, [LAPIC + LAPIC_ID]
        shr eax, 24
        CHECK_EQ eax, 0, 6
        PASS

; send_ipi: EAX = the ICR's low word, to APIC ID 1; waits for delivery
SEND_IPI 2

; The AP's first instructions, in real mode at 0700:0000.
AP_TRAMPOLINE ap32
ap32:
        mov ax, KDATA
        mov ds, ax
        mov es, ax
        mov ss, ax
        mov ecx, 0x1B               ; IA32_APIC_BASE
        rdmsr
        mov [AP_MSR], eax
        mov eax, MOVED | 0x800      ; the new base, still enabled
        xor edx, edx
        wrmsr
        mov eax, [MOVED + LAPIC_ID]
        shr eax, 24
        mov [AP_ID], eax
        mov byte [MARK], 0xA5
.halt:  cli
        hlt
        jmp .halt
