; pc_boot_sector - sector 0 of the pc_boot disk image (see pc_boot.asm):
; the boot sector a PC firmware loads at 0000:7C00 and enters in real mode
; with DL = the boot drive.  It checks the firmware's services, loads the
; 32 KiB payload behind it to 0x10000, and enters it in protected mode.
;
; Steps (exit values, written to isa-debug-exit at 0xf4 from real mode):
;   1  DL is not 80h
;   2  int 13h 41h: no EDD extensions (BX not AA55h, or CX bit 0 clear)
;   3  int 13h 02h: reading LBA 1 by CHS (C0 H0 S2) failed, or AL != 1
;   4  the payload's first sector does not start with its signature
;   5  int 13h 42h: reading LBA 2-64 by the extensions failed
;   6  the payload's last dword is not its end mark
;   7  int 13h 08h: not one disk with 16 heads and 63 sectors a track
;   8  int 15h E820: an error, no "SMAP" answer, or more than 16 ranges
;  10  int 15h 2401h/2402h: A20 not reported on after enabling it
;  11  A20 on, yet 0000:0500 and FFFF:0510 are the same byte
;  12  int 1Ah 00h failed
; The E820 ranges are left at 0x0600 (their count at 0x05F0) for the
; payload to check (its step 28).  SDM Vol. 3A 9.9.1: the switch to protected mode (LGDT, CR0.PE,
; a far jump to flush the real-mode CS).

bits 16
org 0x7C00

%define PAYLOAD_SEG 0x1000       ; linear 0x10000
%define PAYLOAD_SECTORS 64
%define PAYLOAD_MAGIC 'RLPC'     ; at payload + 8 (see pc_boot.asm)
%define PAYLOAD_END_MAGIC 'TAIL' ; the payload's last dword
%define E820_COUNT 0x05F0
%define E820_TABLE 0x0600
%define E820_MAX 16
%define SMAP 0x534D4150            ; "SMAP" as the E820 interface spells it

start:
        cli
        xor ax, ax
        mov ds, ax
        mov es, ax
        mov ss, ax
        mov sp, 0x7C00
        sti
        mov [drive], dl
        mov al, 1
        cmp dl, 0x80
        jne fail

        ; EDD 3.0 4.1: installation check.
        mov ah, 0x41
        mov bx, 0x55AA
        mov dl, [drive]
        int 0x13
        mov al, 2
        jc fail
        cmp bx, 0xAA55
        jne fail
        test cx, 1
        jz fail

        ; The payload's first sector by cylinder/head/sector.
        mov ax, PAYLOAD_SEG
        mov es, ax
        xor bx, bx
        mov ax, 0x0201
        mov cx, 0x0002
        xor dh, dh
        mov dl, [drive]
        int 0x13
        jc .chs_bad
        cmp al, 1
        je .chs_ok
.chs_bad:
        mov al, 3
        jmp fail
.chs_ok:
        mov al, 4
        cmp dword [es:8], PAYLOAD_MAGIC
        jne fail

        ; The rest by LBA, through a disk address packet.
        xor ax, ax
        mov es, ax
        mov si, dap
        mov ah, 0x42
        mov dl, [drive]
        int 0x13
        mov al, 5
        jc fail
        cmp word [dap + 2], PAYLOAD_SECTORS - 1
        jne fail
        mov ax, PAYLOAD_SEG + PAYLOAD_SECTORS * 32 - 1
        mov es, ax
        mov al, 6
        cmp dword [es:12], PAYLOAD_END_MAGIC
        jne fail

        ; The drive's translation: 16 heads, 63 sectors a track.
        mov ah, 0x08
        mov dl, [drive]
        int 0x13
        mov al, 7
        jc fail
        cmp dl, 1
        jb fail
        cmp dh, 15
        jne fail
        and cl, 0x3F
        cmp cl, 63
        jne fail

        ; The memory map (ACPI 6.4 15.1).
        xor ax, ax
        mov es, ax
        xor ebx, ebx
        mov di, E820_TABLE
        mov word [E820_COUNT], 0
.e820:
        mov eax, 0xE820
        mov ecx, 20
        mov edx, SMAP
        int 0x15
        jc .e820_bad
        cmp eax, SMAP
        jne .e820_bad
        inc word [E820_COUNT]
        cmp word [E820_COUNT], E820_MAX
        ja .e820_bad
        add di, 20
        test ebx, ebx
        jnz .e820
        jmp .e820_done
.e820_bad:
        mov al, 8
        jmp fail
.e820_done:

        ; A20 through the firmware, then checked by hand.
        mov ax, 0x2401
        int 0x15
        mov ax, 0x2402
        int 0x15
        jc .a20_bad
        cmp al, 1
        je .a20_ok
.a20_bad:
        mov al, 10
        jmp fail
.a20_ok:
        push ds
        mov ax, 0xFFFF
        mov ds, ax
        mov byte [0x0510], 0x5A
        xor ax, ax
        mov ds, ax
        mov byte [0x0500], 0xA5
        mov ax, 0xFFFF
        mov ds, ax
        mov al, [0x0510]
        pop ds
        cmp al, 0x5A
        mov al, 11
        jne fail

        ; The clock.
        xor ah, ah
        int 0x1A
        mov al, 12
        jc fail

        ; Protected mode, flat, at the payload's first byte.
        cli
        lgdt [gdtr]
        mov eax, cr0
        or al, 1
        mov cr0, eax
        jmp 0x08:pm32

; AL = the failed step: say so through the firmware, then exit.
fail:
        push ax
        mov si, msg_fail
        call puts
        pop ax
        push ax
        add al, '@'
        mov ah, 0x0E
        int 0x10
        pop ax
        out 0xF4, al
.stop:
        cli
        hlt
        jmp .stop

puts:
        lodsb
        test al, al
        jz .done
        mov ah, 0x0E
        int 0x10
        jmp puts
.done:
        ret

bits 32
pm32:
        mov ax, 0x10
        mov ds, ax
        mov es, ax
        mov ss, ax
        mov esp, 0x7C00
        ; The payload's .bss (0x18000 on) is not in the image: zero it.
        mov edi, 0x18000
        mov ecx, (0x40000 - 0x18000) / 4
        xor eax, eax
        rep stosd
        jmp 0x08:PAYLOAD_SEG * 16

bits 16
drive:  db 0
msg_fail:
        db "boot sector: FAIL ", 0

align 4
dap:    db 0x10, 0
        dw PAYLOAD_SECTORS - 1
        dw 0x0200, PAYLOAD_SEG       ; offset, segment
        dd 2, 0                      ; LBA 2

align 8
gdt:    dq 0
        dq 0x00CF9A000000FFFF        ; 0x08: code, flat, 32-bit
        dq 0x00CF92000000FFFF        ; 0x10: data, flat
gdtr:   dw 23
        dd gdt

        times 510 - ($ - $$) db 0
        dw 0xAA55
