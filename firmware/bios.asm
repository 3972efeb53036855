; ringlab's PC firmware: the ROM a PC starts at F000:FFF0 in real mode.
;
; It does what a boot sector expects a PC BIOS to have done, and no more:
;   - the interrupt vector table, and handlers for the PIC's IRQs;
;   - the BIOS data area its services use (base memory, the EBDA, COM
;     ports, the equipment word, the keyboard buffer, the screen);
;   - the 8259s at vectors 08h and 70h, the 8254 at 18.2 Hz, the BSP's
;     local APIC in virtual wire mode, all as SeaBIOS leaves them;
;   - the services: int 10h (screen, teletype mirrored to COM1), 11h, 12h,
;     13h (hard disks through the IDE ports: CHS and the LBA extensions),
;     15h (E820 memory map, A20, memory sizes), 16h (keyboard, and COM1),
;     1Ah (clock);
;   - int 19h: sector 0 of the first hard disk to 0000:7C00, checked for
;     55AA, entered with DL = 80h;
;   - a warm start: with CMOS byte 0Fh at 05h or 0Ah, no POST but a jump
;     through the pointer at 0040:0067.
; It does not enable A20 (the boot code does that itself, through the
; 8042) and does not start the other CPUs.  The MP and ACPI tables are not
; its work: ringlab's machine writes them (src/loader/pc_tables.c) into the
; 4 KiB this ROM leaves empty at F000:0000, as QEMU hands its firmware the
; ACPI tables it built.
;
; The image is 64 KiB, mapped at F0000-FFFFF (and below 4 GiB); code and
; constants only: everything it writes lives in the BDA (0040:0000) and the
; EBDA (9FC0:0000).  Build: nasm -f bin -o bios.bin bios.asm
; Try it under QEMU: qemu-system-i386 -bios bios.bin -drive
; file=disk.img,format=raw,index=0,media=disk -nographic
;
; Sources: IBM PC/AT Technical Reference (BDA, BIOS interfaces); Ralf
; Brown's Interrupt List (function numbers, registers); Phoenix BIOS
; Enhanced Disk Drive Specification 3.0 (int 13h 41h-48h); ACPI 6.4
; chapter 15 (E820); ATA/ATAPI-6 (the IDE commands).

bits 16
cpu 686

%define ROM_SEG 0xF000
%define EBDA_SEG 0x9FC0          ; 639 KiB of base memory, 1 KiB of EBDA
%define STACK_TOP 0x7C00         ; the POST stack, 0000:7C00 down

; ringlab's fields in the EBDA (offsets from 9FC0:0000).  The first 512
; bytes stay free for tables; the size word at 0 is the EBDA's own.
%define EBDA_RAM_BELOW_4G 0x200  ; dword: bytes of RAM from 0
%define EBDA_DRIVES 0x210        ; 2 x DRIVE_SIZE: the IDE disks
%define DRIVE_SIZE 16
%define DRIVE_PRESENT 0          ; byte
%define DRIVE_CYLINDERS 2        ; word
%define DRIVE_HEADS 4            ; word
%define DRIVE_SPT 6              ; word
%define DRIVE_SECTORS 8          ; dword (LBA28)

; BDA fields (offsets from 0000:0400 written as absolute addresses).
%define BDA_COM1 0x400
%define BDA_EBDA_SEG 0x40E
%define BDA_EQUIPMENT 0x410
%define BDA_BASE_MEM 0x413
%define BDA_KBD_FLAGS 0x417
%define BDA_KBD_HEAD 0x41A
%define BDA_KBD_TAIL 0x41C
%define BDA_VIDEO_MODE 0x449
%define BDA_COLUMNS 0x44A
%define BDA_PAGE_SIZE 0x44C
%define BDA_CURSOR 0x450         ; column, row of page 0
%define BDA_CURSOR_SHAPE 0x460
%define BDA_CRTC 0x463
%define BDA_TICKS 0x46C          ; dword
%define BDA_MIDNIGHT 0x470
%define BDA_DISK_STATUS 0x474
%define BDA_HARD_DISKS 0x475
%define BDA_KBD_START 0x480
%define BDA_KBD_END 0x482
%define BDA_ROWS 0x484           ; rows - 1
%define BDA_CHAR_HEIGHT 0x485
%define BDA_KBD_TYPE 0x496

org 0

; F000:0000-F000:0FFF: left empty for the machine's MP and ACPI tables.
tables_area:
    times 0x1000 db 0

; ------------------------------------------------------------------ POST

post:
    cli
    cld
    ; The PC/AT shutdown byte (CMOS 0Fh): 05h and 0Ah mean "no POST,
    ; resume at the far pointer at 0040:0067", 05h with an EOI first.
    ; Software sets it before a reset it means to come back from (a 286
    ; leaving protected mode, an MP kernel starting a CPU with INIT only).
    mov al, 0x0F
    out 0x70, al
    in al, 0x71
    cmp al, 0x0A
    je warm_start
    cmp al, 0x05
    je warm_start_eoi
    xor ax, ax
    mov ss, ax
    mov sp, STACK_TOP
    mov ds, ax
    mov es, ax
    call setup_ivt
    call setup_bda
    call setup_pic_pit
    call setup_keyboard
    call probe_memory
    call probe_disks
    call setup_lapic
    mov si, banner
    call print_string
    sti
    int 0x19                     ; does not come back

warm_start_eoi:
    mov al, 0x20
    out 0x20, al
warm_start:
    mov al, 0x0F                 ; the shutdown byte back to 0 (a cold start)
    out 0x70, al
    xor al, al
    out 0x71, al
    xor ax, ax
    mov ds, ax
    jmp far [0x467]

; The IVT: every vector to an IRET, then those this BIOS serves.
setup_ivt:
    xor di, di
    mov cx, 256
.all:
    mov word [di], default_handler
    mov word [di + 2], ROM_SEG
    add di, 4
    loop .all
    mov si, vectors
.one:
    mov bx, [cs:si]
    cmp bx, 0xFFFF
    je .done
    shl bx, 2
    mov ax, [cs:si + 2]
    mov [bx], ax
    mov word [bx + 2], ROM_SEG
    add si, 4
    jmp .one
.done:
    ret

vectors:
    dw 0x08, irq0_timer
    dw 0x09, irq1_keyboard
    dw 0x0A, irq_master, 0x0B, irq_master, 0x0C, irq_master
    dw 0x0D, irq_master, 0x0E, irq_master, 0x0F, irq_master
    dw 0x10, int10_video
    dw 0x11, int11_equipment
    dw 0x12, int12_memory
    dw 0x13, int13_disk
    dw 0x15, int15_system
    dw 0x16, int16_keyboard
    dw 0x18, int18_no_boot
    dw 0x19, int19_boot
    dw 0x1A, int1a_time
    dw 0x70, irq_slave, 0x71, irq_slave, 0x72, irq_slave, 0x73, irq_slave
    dw 0x74, irq_slave, 0x75, irq_slave, 0x76, irq14_disk, 0x77, irq_slave
    dw 0xFFFF

; The BDA and the EBDA header (the layout of the IBM PC/AT BIOS).
setup_bda:
    mov di, 0x400
    xor ax, ax
    mov cx, 0x80
    rep stosw
    ; Base memory from CMOS 15h-16h (640 KiB), less the EBDA's 1 KiB.
    mov al, 0x16
    call cmos_read
    mov ah, al
    mov al, 0x15
    call cmos_read
    dec ax
    mov [BDA_BASE_MEM], ax
    shl ax, 6
    mov [BDA_EBDA_SEG], ax
    push es
    mov es, ax
    mov word [es:0], 1           ; the EBDA's size in KiB
    pop es
    ; Serial ports: a UART answers its line status register.
    xor bx, bx
    mov si, com_bases
.com:
    mov dx, [cs:si]
    test dx, dx
    jz .com_done
    add dx, 5
    in al, dx
    cmp al, 0xFF
    je .com_next
    mov dx, [cs:si]
    mov [BDA_COM1 + bx], dx
    add bx, 2
.com_next:
    add si, 2
    jmp .com
.com_done:
    ; Equipment word: serial ports in bits 9-11, 80x25 colour (bits 4-5 =
    ; 10), and bit 1 if an FPU answers FNSTSW.
    shl bx, 8                    ; ports * 2 << 8 = ports << 9
    or bx, 0x0020
    fninit
    mov word [0x500], 0x5A5A
    fnstsw [0x500]
    cmp byte [0x500], 0
    jne .no_fpu
    or bx, 0x0002
.no_fpu:
    mov word [0x500], 0
    mov [BDA_EQUIPMENT], bx
    ; The keyboard buffer: 16 words from 0040:001E.
    mov word [BDA_KBD_HEAD], 0x1E
    mov word [BDA_KBD_TAIL], 0x1E
    mov word [BDA_KBD_START], 0x1E
    mov word [BDA_KBD_END], 0x3E
    mov byte [BDA_KBD_TYPE], 0x10
    ; The screen: mode 3, 80x25, page 0.  A VGA comes up with its CRTC
    ; at the monochrome ports 3B4h/3B5h; the miscellaneous output
    ; register (3C2h) moves it to 3D4h/3D5h, where colour text mode has
    ; it (a VGA BIOS does this; there is none here).
    mov dx, 0x3C2
    mov al, 0x67
    out dx, al
    mov byte [BDA_VIDEO_MODE], 3
    mov word [BDA_COLUMNS], 80
    mov word [BDA_PAGE_SIZE], 0x1000
    mov word [BDA_CURSOR_SHAPE], 0x0607
    mov word [BDA_CRTC], 0x3D4
    mov byte [BDA_ROWS], 24
    mov byte [BDA_CHAR_HEIGHT], 16
    call video_clear
    ret

com_bases:
    dw 0x3F8, 0x2F8, 0x3E8, 0x2E8, 0

; The 8259s at vectors 08h and 70h, IRQ 0, 1, 2, 6, 8, 12, 13 and 14
; unmasked; the 8254's channel 0 in mode 2 at 65536 (18.2 Hz).  Both as
; SeaBIOS leaves them (ringlab's pic_bios_setup and pit_bios_setup).
setup_pic_pit:
    mov al, 0x11                 ; ICW1: edge, cascade, ICW4
    out 0x20, al
    out 0xA0, al
    mov al, 0x08                 ; ICW2: vector bases
    out 0x21, al
    mov al, 0x70
    out 0xA1, al
    mov al, 0x04                 ; ICW3: the slave on IRQ 2
    out 0x21, al
    mov al, 0x02
    out 0xA1, al
    mov al, 0x01                 ; ICW4: 8086 mode
    out 0x21, al
    out 0xA1, al
    mov al, 0xB8
    out 0x21, al
    mov al, 0x8E
    out 0xA1, al
    mov al, 0x34                 ; channel 0, LSB then MSB, mode 2
    out 0x43, al
    xor al, al
    out 0x40, al
    out 0x40, al
    ret

; The 8042's command byte: keyboard interrupt on, system flag, the mouse
; port off, and translation to scan code set 1 (bit 6), which the IRQ 1
; handler reads; a keyboard controller fresh from reset may leave it off.
setup_keyboard:
    call kbc_wait
    mov al, 0x60                 ; write the command byte
    out 0x64, al
    call kbc_wait
    mov al, 0x65
    out 0x60, al
    ret

; AL = CMOS register -> AL = its value (NMI left enabled).
cmos_read:
    out 0x70, al
    in al, 0x71
    ret

%include "video.inc"
%include "memory.inc"
%include "disk.inc"
%include "keyboard.inc"
%include "clock.inc"
%include "apic.inc"

; ------------------------------------------------------------ the boot

; int 19h: the bootstrap loader.
int19_boot:
    sti
    xor ax, ax
    mov ds, ax
    mov es, ax
    mov ax, 0x0201               ; read one sector
    mov cx, 0x0001               ; cylinder 0, sector 1
    mov dx, 0x0080               ; head 0, the first hard disk
    mov bx, 0x7C00
    int 0x13
    jc .fail
    cmp word [0x7DFE], 0xAA55
    jne .fail
    xor ax, ax
    xor bx, bx
    xor cx, cx
    xor si, si
    xor di, di
    xor bp, bp
    mov ss, ax
    mov sp, STACK_TOP
    mov dx, 0x0080
    jmp 0x0000:0x7C00
.fail:
    int 0x18

; int 18h: nothing to boot.
int18_no_boot:
    mov si, no_boot
    call print_string
.halt:
    cli
    hlt
    jmp .halt

; The vectors nobody serves.
default_handler:
    iret

; IRQ 2-7 and 8-15: end of interrupt at the 8259s.
irq_master:
    push ax
    mov al, 0x20
    out 0x20, al
    pop ax
    iret

irq_slave:
    push ax
    mov al, 0x20
    out 0xA0, al
    out 0x20, al
    pop ax
    iret

int11_equipment:
    push ds
    push word 0
    pop ds
    mov ax, [BDA_EQUIPMENT]
    pop ds
    iret

int12_memory:
    push ds
    push word 0
    pop ds
    mov ax, [BDA_BASE_MEM]
    pop ds
    iret

banner:
    db "ringlab BIOS", 13, 10, 0
no_boot:
    db "No bootable disk (sector 0 of disk 80h lacks 55AA)", 13, 10, 0

; --------------------------------------------------- the reset vector

    times 0xFFF0 - ($ - $$) db 0xFF
reset_vector:                    ; F000:FFF0, where the CPU starts
    jmp ROM_SEG:post
    db "12/01/25"                ; F000:FFF5: the BIOS date
    db 0
    db 0xFC                      ; F000:FFFE: model byte, PC/AT
    db 0
