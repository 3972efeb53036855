; pc_boot_real - the real-mode part of the pc_boot disk image (see
; pc_boot.asm): sector 0, the boot sector a PC firmware loads at 0000:7C00
; and enters with DL = the boot drive, and sectors 1-4, a second stage it
; loads behind itself at 0000:7E00.  The second stage checks the
; firmware's services, loads the 32 KiB payload (sectors 5-68) to 0x10000
; and enters it in flat protected mode (SDM Vol. 3A 9.9.1: LGDT, CR0.PE, a
; far jump to flush the real-mode CS).
;
; Exit values (to isa-debug-exit at 0xf4, from real mode):
;   1  DL is not 80h
;   2  int 13h 41h: no EDD extensions (BX not AA55h, or CX bit 0 clear)
;   3  int 13h 02h: reading the second stage by CHS (C0 H0 S2-5) failed
;   4  the second stage does not start with its signature
;   5  int 13h 42h: reading the payload by LBA failed, or a short count
;   6  the payload lacks its signature or its end mark
;   7  int 13h 08h: not one disk with 16 heads and 63 sectors a track,
;      or 15h: not a fixed disk of 1008 sectors (the PC/AT BIOS keeps the
;      last of the 2 cylinders back)
;   8  int 15h E820: an error, no "SMAP" answer, or more than 16 ranges
;  10  int 15h 2401h/2402h: A20 not reported on after enabling it
;  11  A20 on, yet 0000:0500 and FFFF:0510 are the same byte
;  12  int 1Ah 00h failed
;  13  int 12h is not 639 KiB, or int 11h lacks 80x25 colour (bits 4-5)
;  14  int 10h 03h: two teletype characters did not move the cursor by two
;  15  int 16h 01h: a key reported with none typed (ZF clear)
;  16  int 1Ah 02h/04h: an error, or a field that is not BCD
;  17  int 15h E801h/88h: AX != CX or BX != DX, not 15 MiB below 16 MiB,
;      or 88h not 63 MiB (the guest runs with 128 MiB)
; The E820 ranges are left at 0x0600 (their count at 0x05F0) for the
; payload to check (its step 28).

bits 16
org 0x7C00

%define STAGE2_SECTORS 4
%define STAGE2_MAGIC 'ST2!'
%define PAYLOAD_SEG 0x1000       ; linear 0x10000
%define PAYLOAD_LBA 5
%define PAYLOAD_SECTORS 64
%define PAYLOAD_MAGIC 'RLPC'     ; at payload + 8 (see pc_boot.asm)
%define PAYLOAD_END_MAGIC 'TAIL' ; the payload's last dword
%define E820_COUNT 0x05F0
%define E820_TABLE 0x0600
%define E820_MAX 16
%define SMAP 0x534D4150          ; "SMAP" as the E820 interface spells it

; ------------------------------------------------------------ sector 0

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
        ; The second stage by cylinder/head/sector: C0 H0 S2, 4 sectors.
        mov ax, 0x0200 | STAGE2_SECTORS
        mov cx, 0x0002
        xor dh, dh
        mov bx, stage2
        int 0x13
        jc .chs_bad
        cmp al, STAGE2_SECTORS
        je .chs_ok
.chs_bad:
        mov al, 3
        jmp fail
.chs_ok:
        mov al, 4
        cmp dword [stage2], STAGE2_MAGIC
        jne fail
        jmp stage2 + 4

; AL = the failed step: say so through the firmware, then exit.
fail:
        push ax
        mov si, msg_fail
.puts:  lodsb
        test al, al
        jz .num
        mov ah, 0x0E
        int 0x10
        jmp .puts
.num:   pop ax
        push ax
        add al, '@'
        mov ah, 0x0E
        int 0x10
        pop ax
        out 0xF4, al
.stop:  cli
        hlt
        jmp .stop

drive:  db 0
msg_fail:
        db "pc_boot: FAIL ", 0

        times 510 - ($ - $$) db 0
        dw 0xAA55

; ------------------------------------------------ sectors 1-4: stage 2

stage2:
        dd STAGE2_MAGIC

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

        ; The payload by LBA, through a disk address packet.
        mov si, dap
        mov ah, 0x42
        mov dl, [drive]
        int 0x13
        mov al, 5
        jc fail
        cmp word [dap + 2], PAYLOAD_SECTORS
        jne fail
        mov al, 6
        push ds
        mov bx, PAYLOAD_SEG
        mov ds, bx
        cmp dword [8], PAYLOAD_MAGIC
        pop ds
        jne fail
        push ds
        mov bx, PAYLOAD_SEG + PAYLOAD_SECTORS * 32 - 1
        mov ds, bx
        cmp dword [12], PAYLOAD_END_MAGIC
        pop ds
        jne fail

        ; The drive: 16 heads, 63 sectors a track; a fixed disk of 1 MiB.
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
        mov ah, 0x15
        mov dl, [drive]
        int 0x13
        mov al, 7
        jc fail
        cmp ah, 3
        jne fail
        cmp cx, 0                    ; (2 - 1) cylinders x 16 x 63
        jne fail
        cmp dx, 1008
        jne fail

        ; The memory map (ACPI 6.4 15.1).
        xor ax, ax
        mov es, ax
        xor ebx, ebx
        mov di, E820_TABLE
        mov word [E820_COUNT], 0
.e820:  mov eax, 0xE820
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

        ; Memory sizes: E801h (KiB to 16 MiB, 64 KiB blocks above), 88h.
        mov ax, 0xE801
        int 0x15
        jc .sizes_bad
        cmp ax, cx
        jne .sizes_bad
        cmp bx, dx
        jne .sizes_bad
        cmp ax, 15 * 1024
        jne .sizes_bad
        test bx, bx
        jz .sizes_bad
        mov ah, 0x88
        int 0x15
        jc .sizes_bad
        cmp ax, 63 * 1024
        je .sizes_ok
.sizes_bad:
        mov al, 17
        jmp fail
.sizes_ok:

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

        ; The clock: ticks, then the CMOS time and date in BCD.
        xor ah, ah
        int 0x1A
        mov al, 12
        jc fail
        mov ah, 0x02
        int 0x1A
        jc .bcd_bad
        mov ax, cx
        call is_bcd
        jc .bcd_bad
        mov ax, dx
        call is_bcd
        jc .bcd_bad
        mov ah, 0x04
        int 0x1A
        jc .bcd_bad
        mov ax, cx
        call is_bcd
        jc .bcd_bad
        mov ax, dx
        call is_bcd
        jc .bcd_bad
        cmp ch, 0x19
        je .bcd_ok
        cmp ch, 0x20
        je .bcd_ok
.bcd_bad:
        mov al, 16
        jmp fail
.bcd_ok:

        ; Base memory and the equipment word.
        int 0x12
        cmp ax, 639
        jne .equip_bad
        int 0x11
        and ax, 0x30
        cmp ax, 0x20
        je .equip_ok
.equip_bad:
        mov al, 13
        jmp fail
.equip_ok:

        ; The teletype moves the cursor.
        mov ah, 0x03
        xor bh, bh
        int 0x10
        push dx
        mov ax, 0x0E00 | 'o'
        int 0x10
        mov ax, 0x0E00 | 'k'
        int 0x10
        mov ah, 0x03
        xor bh, bh
        int 0x10
        pop cx
        add cl, 2
        cmp dx, cx
        mov al, 14
        jne fail
        mov ax, 0x0E00 | 13
        int 0x10
        mov ax, 0x0E00 | 10
        int 0x10

        ; No key has been typed.
        mov ah, 0x01
        int 0x16
        mov al, 15
        jnz fail

        ; Protected mode, flat, at the payload's first byte.
        cli
        lgdt [gdtr]
        mov eax, cr0
        or al, 1
        mov cr0, eax
        jmp 0x08:pm32

; CF clear when both nibbles of AH and of AL are decimal digits.
is_bcd:
        push ax
        push bx
        push cx
        mov cx, 4
.nibble:
        mov bl, al
        and bl, 0x0F
        cmp bl, 9
        ja .no
        shr ax, 4
        loop .nibble
        clc
        jmp .out
.no:    stc
.out:   pop cx
        pop bx
        pop ax
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
align 4
dap:    db 0x10, 0
        dw PAYLOAD_SECTORS
        dw 0, PAYLOAD_SEG            ; offset, segment
        dd PAYLOAD_LBA, 0

align 8
gdt:    dq 0
        dq 0x00CF9A000000FFFF        ; 0x08: code, flat, 32-bit
        dq 0x00CF92000000FFFF        ; 0x10: data, flat
gdtr:   dw 23
        dd gdt

        times 512 * (1 + STAGE2_SECTORS) - ($ - $$) db 0
