; smp_start - the bootstrap processor starts the application processor
; with INIT and start-up IPIs (SDM Vol. 3A 8.4.4.1, the "INIT-SIPI-SIPI"
; sequence; 10.6.1 the ICR), as xv6's startothers() does.
;
; machine-args: -smp 2
; diff-mode: vectors
;
; The AP begins in real mode at VV00:0000 for start-up vector VV (0x07:
; 0000:7000 here), where a trampoline copied there loads the BSP's GDT,
; enters protected mode, and in its 32-bit code loads the shared IDT,
; takes INT 0x31 three times on a stack of its own, writes its local APIC
; ID and a mark, then halts for good.  The BSP checks its own side:
; IA32_APIC_BASE has the BSP flag and the enable bit, its APIC ID is 0, the
; ICR's delivery-status bit reads 0 after each send; it takes INT 0x31
; three times too; then it checks the AP's side.  Each CPU's interrupts are
; its own, so the six deliveries are counted once each (the order in which
; the two CPUs' events mix differs between QEMU's threads and ringlab's
; turns: compared by vector sequence).
;
; Exit values: 1 IA32_APIC_BASE lacks BSP or enable; 2 the BSP's APIC ID is
; not 0; 3 the ICR stayed busy; 4 the AP never wrote its mark; 5 the AP's
; APIC ID is not 1; 6 INT 0x31 was not taken six times.
%include "common.inc"
%include "ap_start.inc"

%define MARK         0x6FF0      ; the AP writes 0xA5 here
%define AP_ID        0x6FF4      ; and its APIC ID here

%define VEC          0x31

main:
        SET_GATE VEC, count_int, KCODE, GATE_INT
        mov ecx, 0x1B               ; IA32_APIC_BASE
        rdmsr
        and eax, 0x900              ; BSP (bit 8), global enable (bit 11)
        CHECK_EQ eax, 0x900, 1
        mov eax, [LAPIC + LAPIC_ID]
        shr eax, 24
        CHECK_EQ eax, 0, 2

        ; the mark cleared, then the AP started at 0000:7000
        mov dword [MARK], 0
        mov dword [AP_ID], 0xFFFFFFFF

        START_AP
        int VEC
        int VEC
        int VEC

        mov ecx, 50000000
.wait:  cmp byte [MARK], 0xA5
        je .started
        pause
        loop .wait
        FAIL 4
.started:
        mov eax, [AP_ID]
        CHECK_EQ eax, 1, 5
        mov eax, [ints]
        CHECK_EQ eax, 6, 6
        PASS

; INT 0x31 on either CPU: one more, counted atomically
count_int:
        lock inc dword [ints]
        iret

; send_ipi: EAX = the ICR's low word, to APIC ID 1; waits for delivery
SEND_IPI 3

; The AP's first instructions, in real mode at 0700:0000: only absolute
; addresses, so they run where they are copied.
AP_TRAMPOLINE ap32
ap32:
        mov ax, KDATA
        mov ds, ax
        mov es, ax
        mov ss, ax
        mov esp, ap_stack_top
        lidt [idt_ptr]
        int VEC
        int VEC
        int VEC
        mov eax, [LAPIC + LAPIC_ID]
        shr eax, 24
        mov [AP_ID], eax
        mov byte [MARK], 0xA5
.halt:  cli
        hlt
        jmp .halt

section .data
ints:   dd 0

section .bss
        resb 1024
ap_stack_top:
