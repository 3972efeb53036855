; pc_boot - a PC booted from a disk: the firmware's services in real mode,
; then the local APIC timer and I/O APIC-routed IRQs in protected mode.
; diff-mode: vectors
;
; The disk image is pc_boot_real.asm (sectors 0-4: the boot sector and a
; second stage) and this payload (sectors 5-68), built by make as
; tests/guests/pc_boot.img and started as
;     qemu-system-i386 -drive file=pc_boot.img,format=raw,index=0,media=disk
; The real-mode part checks int 10h, 11h, 12h, 13h (CHS and LBA), 15h
; (E820, E801h, 88h, A20), 16h and 1Ah, then jumps here in flat protected
; mode.
;
; SDM Vol. 3A chapter 10 (the local APIC: IA32_APIC_BASE 10.4.4, the
; timer 10.5.4, EOI 10.8.5), the 82093AA I/O APIC datasheet (redirection
; entries, 3.2.4), MP specification 1.4 Table 5-1 (ISA IRQ 0 on I/O APIC
; input 2, IRQ 14 on input 14).  The 8259s are masked, so every IRQ here
; comes through the APICs.  Where the interrupts land varies run to run
; under QEMU, so only the vector sequence is compared: five 0x40 (the
; LAPIC timer), one 0x4e (IDE, I/O APIC pin 14), three 0x50 (the PIT on
; pin 2).
;
; Exit values (the real-mode part's are 1-17, see pc_boot_real.asm):
;  20  CPUID.1:EDX does not report an APIC
;  21  IA32_APIC_BASE is not 0xFEE00000 with the BSP and enable bits
;  22  the LAPIC's ID is not 0, or its version not 0x1x with 4+ LVT entries
;  23  the timer's current count did not go down
;  24  more than five timer interrupts arrived
;  25  the I/O APIC's version register does not say 24 entries
;  26  the IDE read did not interrupt exactly once, or its data is not
;      sector 0 (the boot sector's 55AA)
;  27  more than three PIT interrupts arrived
;  28  the E820 map the second stage left (ACPI 6.4 15.1) lacks usable RAM
;      at 0 (at least 639 KiB) or at 1 MiB (at least 1 MiB)
%include "common.inc"

%define LAPIC 0xFEE00000
%define LAPIC_ID 0x20
%define LAPIC_VER 0x30
%define LAPIC_TPR 0x80
%define LAPIC_EOI 0xB0
%define LAPIC_SVR 0xF0
%define LAPIC_LVT_TIMER 0x320
%define LAPIC_TIMER_INIT 0x380
%define LAPIC_TIMER_CUR 0x390
%define LAPIC_TIMER_DIV 0x3E0
%define IOAPIC 0xFEC00000
%define IOREGSEL 0x00
%define IOWIN 0x10
%define TIMER_VEC 0x40
%define IDE_VEC 0x4E
%define PIT_VEC 0x50

; The payload's first bytes: a jump to common.inc's _start, and the
; signature the second stage checks at offset 8.
section .entry progbits alloc exec nowrite align=4
        jmp _start
        align 8, db 0
        dd 'RLPC'

; Its last dword, at payload + 32 KiB - 4 (pc_boot.ld puts it there).
section .tail progbits alloc noexec nowrite align=4
        dd 'TAIL'

section .text

%macro IOAPIC_WRITE 2               ; register, value
        mov dword [IOAPIC + IOREGSEL], %1
        mov dword [IOAPIC + IOWIN], %2
%endmacro

main:
        ; The second stage's E820 ranges: base, length (64 bits), type.
        movzx ecx, word [0x05F0]
        mov esi, 0x0600
        xor edx, edx                ; DL: RAM at 0 seen, DH: RAM at 1 MiB
        jecxz .map_checked
.range: cmp dword [esi + 16], 1
        jne .next_range
        cmp dword [esi + 4], 0
        jne .next_range
        cmp dword [esi], 0
        jne .high
        cmp dword [esi + 8], 639 * 1024
        jb .next_range
        mov dl, 1
.high:  cmp dword [esi], 0x100000
        jne .next_range
        cmp dword [esi + 8], 0x100000
        jb .next_range
        mov dh, 1
.next_range:
        add esi, 20
        loop .range
.map_checked:
        CHECK_EQ dx, 0x0101, 28
        ; The 8259s masked: only the APICs deliver.
        mov al, 0xFF
        out 0x21, al
        out 0xA1, al

        mov eax, 1
        cpuid
        test edx, 1 << 9
        jnz .has_apic
        FAIL 20
.has_apic:
        mov ecx, 0x1B
        rdmsr
        and eax, 0xFFFFF900
        CHECK_EQ eax, 0xFEE00900, 21
        mov eax, [LAPIC + LAPIC_ID]
        shr eax, 24
        CHECK_EQ eax, 0, 22
        mov eax, [LAPIC + LAPIC_VER]
        mov ebx, eax
        and eax, 0xF0
        CHECK_EQ eax, 0x10, 22
        shr ebx, 16
        and ebx, 0xFF
        cmp ebx, 3
        ja .lvt_ok
        FAIL 22
.lvt_ok:
        ; Software-enable it, spurious vector 0xFF, accept every class.
        mov dword [LAPIC + LAPIC_SVR], 0x1FF
        mov dword [LAPIC + LAPIC_TPR], 0

        ; --- the LAPIC timer: periodic, divide by 16, 62500 counts ----
        SET_GATE TIMER_VEC, lapic_timer, KCODE, GATE_INT
        mov dword [LAPIC + LAPIC_TIMER_DIV], 0x3
        mov dword [LAPIC + LAPIC_LVT_TIMER], 0x20000 | TIMER_VEC
        mov dword [LAPIC + LAPIC_TIMER_INIT], 62500
        mov eax, [LAPIC + LAPIC_TIMER_CUR]
        cmp eax, 62500
        jbe .counting
        FAIL 23
.counting:
        sti
.wait_timer:
        hlt
        cmp dword [timer_ticks], 5
        jb .wait_timer
        cli
        mov dword [LAPIC + LAPIC_LVT_TIMER], 0x10000 | TIMER_VEC   ; masked
        mov dword [LAPIC + LAPIC_TIMER_INIT], 0                    ; stopped
        CHECK_EQ dword [timer_ticks], 5, 24

        ; --- the I/O APIC --------------------------------------------
        mov dword [IOAPIC + IOREGSEL], 1
        mov eax, [IOAPIC + IOWIN]
        shr eax, 16
        and eax, 0xFF
        CHECK_EQ eax, 23, 25

        ; IRQ 14 on pin 14: edge, active high, fixed, to APIC 0.
        SET_GATE IDE_VEC, ide_irq, KCODE, GATE_INT
        IOAPIC_WRITE 0x10 + 2 * 14 + 1, 0
        IOAPIC_WRITE 0x10 + 2 * 14, IDE_VEC
        ; Read sector 0 of the disk with interrupts on (nIEN clear).
        mov dx, 0x1F7
.idle:  in al, dx
        test al, 0x80
        jnz .idle
        mov dx, 0x3F6
        mov al, 0
        out dx, al
        mov dx, 0x1F2
        mov al, 1
        out dx, al
        inc dx
        mov al, 0
        out dx, al                  ; LBA 0
        inc dx
        out dx, al
        inc dx
        out dx, al
        inc dx
        mov al, 0xE0
        out dx, al
        inc dx
        mov al, 0x20                ; READ SECTORS
        out dx, al
        sti
.wait_ide:
        hlt
        cmp dword [ide_irqs], 1
        jb .wait_ide
        cli
        IOAPIC_WRITE 0x10 + 2 * 14, 0x10000 | IDE_VEC   ; masked again
        CHECK_EQ dword [ide_irqs], 1, 26
        CHECK_EQ word [sector + 510], 0xAA55, 26

        ; The PIT: ISA IRQ 0 arrives on pin 2, about 1 kHz.
        SET_GATE PIT_VEC, pit_irq, KCODE, GATE_INT
        IOAPIC_WRITE 0x10 + 2 * 2 + 1, 0
        IOAPIC_WRITE 0x10 + 2 * 2, PIT_VEC
        mov al, 0x34
        out 0x43, al
        mov al, 1193 & 0xFF
        out 0x40, al
        mov al, 1193 >> 8
        out 0x40, al
        sti
.wait_pit:
        hlt
        cmp dword [pit_irqs], 3
        jb .wait_pit
        cli
        IOAPIC_WRITE 0x10 + 2 * 2, 0x10000 | PIT_VEC
        CHECK_EQ dword [pit_irqs], 3, 27
        PASS

lapic_timer:
        inc dword [timer_ticks]
        mov dword [LAPIC + LAPIC_EOI], 0
        iret

ide_irq:
        pushad
        inc dword [ide_irqs]
        mov dx, 0x1F7
        in al, dx                   ; acknowledges the device's interrupt
        mov dx, 0x1F0
        mov edi, sector
        mov ecx, 128
        rep insd
        mov dword [LAPIC + LAPIC_EOI], 0
        popad
        iret

pit_irq:
        inc dword [pit_irqs]
        mov dword [LAPIC + LAPIC_EOI], 0
        iret

section .data
timer_ticks:    dd 0
ide_irqs:       dd 0
pit_irqs:       dd 0

section .bss
sector:         resb 512
