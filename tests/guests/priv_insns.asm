; priv_insns - privileged instructions at CPL 0, with their operand forms:
; string I/O with REP, sizes and the direction flag, SS loaded by POP, by
; MOV from memory and by LSS, LLDT from memory, LMSW, the debug
; registers, RDTSC under CR4.TSD and LGDT through a based address.  Each is
; privileged at CPL > 0 (SDM Vol. 3A 2.8), so under `pg vmm --strategy
; trap` every one traps and the monitor must give the result CPL 0 gets.
;
; Port 0x21 is the master 8259A's interrupt mask register: what is written
; there reads back (8259A datasheet, OCW1); port 0x80 takes any write.
;   1  rep outsb of 3 bytes to 0x21: ESI + 3, ECX 0, the mask is the third
;   2  insb from 0x21: the mask stored at ES:EDI, EDI + 1
;   3  std; rep outsb of 2 bytes from the second: ESI - 2, the mask is the
;      first of the two written last (the lower address)
;   4  outsw to 0x80, rep insd of 2 from 0x21: ESI + 2, EDI + 8, ECX 0
;      (SDM Vol. 2A INS, Vol. 2B OUTS)
;   5  pop ss of KDATA pushed: SS names KDATA, ESP where it was
;   6  mov ss, [m16]: SS names KDATA
;   7  lss esp, [m16:32]: ESP and SS from memory
;   8  lldt [m16] with an LDT descriptor: SLDT reads it back, and ES
;      loads the LDT's DPL-0 data descriptor (selector 4: TI = 1) and
;      writes through it; lldt of a null selector from a register: SLDT
;      reads 0 (SDM Vol. 2A LLDT, Vol. 3A 3.4.2)
;   9  lmsw with TS set: CR0.TS set, clts clears it; lmsw 0 leaves PE set
;      (SDM Vol. 2A LMSW)
;  10  mov dr0 and dr3, read back (SDM Vol. 2A MOV to/from DRn)
;  11  CR4.TSD set: RDTSC at CPL 0 still reads, and counts up
;  12  lgdt [ebx + 8] and lidt [ebx + ecx*4 + disp]: the tables still serve
;      (an int 0x81 through a DPL-0 gate returns)
;
; Exit values: the step whose check failed.
%include "common.inc"

%define PIC1_DATA 0x21
%define CR4_TSD 0x4
%define CR0_TS 0x8

main:
        SET_GATE 0x81, just_return, KCODE, GATE_INT
        ; 1: rep outsb
        cld
        mov esi, bytes_out
        mov ecx, 3
        mov dx, PIC1_DATA
        rep outsb
        CHECK_EQ esi, bytes_out + 3, 1
        CHECK_EQ ecx, 0, 1
        in al, PIC1_DATA
        CHECK_EQ al, 0xfb, 1
        ; 2: insb
        mov edi, bytes_in
        insb
        CHECK_EQ edi, bytes_in + 1, 2
        CHECK_EQ byte [bytes_in], 0xfb, 2
        ; 3: backwards
        std
        mov esi, bytes_out + 1
        mov ecx, 2
        rep outsb
        cld
        CHECK_EQ esi, bytes_out - 1, 3
        in al, PIC1_DATA
        CHECK_EQ al, 0xf1, 3
        ; 4: word and dword elements
        mov esi, bytes_out
        mov dx, 0x80
        outsw
        CHECK_EQ esi, bytes_out + 2, 4
        mov dx, PIC1_DATA
        mov edi, bytes_in
        mov ecx, 2
        rep insd
        CHECK_EQ edi, bytes_in + 8, 4
        CHECK_EQ ecx, 0, 4
        mov al, 0xff                ; every IRQ masked again
        out PIC1_DATA, al
        ; 5: pop ss
        mov ebx, esp
        push dword KDATA
        pop ss
        CHECK_EQ esp, ebx, 5
        mov eax, ss
        and eax, 0xfffc
        CHECK_EQ eax, KDATA, 5
        ; 6: mov ss from memory
        mov word [sel], KDATA
        mov ss, [sel]
        mov eax, ss
        and eax, 0xfffc
        CHECK_EQ eax, KDATA, 6
        ; 7: lss
        mov [far_stack], esp
        mov word [far_stack + 4], KDATA
        sub esp, 16
        lss esp, [far_stack]
        CHECK_EQ esp, ebx, 7
        mov eax, ss
        and eax, 0xfffc
        CHECK_EQ eax, KDATA, 7
        ; 8: lldt
        SET_DESC SPARE0, ldt, 15, 0x82, 0x00
        mov word [sel], SPARE0
        lldt [sel]
        sldt eax
        CHECK_EQ ax, SPARE0, 8
        mov ax, 4
        mov es, ax
        mov dword [es:far_stack], 0x5a5a5a5a
        CHECK_EQ dword [far_stack], 0x5a5a5a5a, 8
        mov ax, KDATA
        mov es, ax
        xor eax, eax
        lldt ax
        mov eax, 0x1234
        sldt eax
        CHECK_EQ ax, 0, 8
        ; 9: lmsw
        smsw eax
        or eax, CR0_TS
        lmsw ax
        mov eax, cr0
        test eax, CR0_TS
        jnz .s9b
        FAIL 9
.s9b:   clts
        mov eax, cr0
        test eax, CR0_TS
        jz .s9c
        FAIL 9
.s9c:   xor eax, eax
        lmsw ax
        mov eax, cr0
        test eax, 1
        jnz .s10
        FAIL 9
        ; 10: debug registers
.s10:   mov eax, 0x12345678
        mov dr0, eax
        mov eax, 0x00abcdef
        mov dr3, eax
        mov ebx, dr0
        CHECK_EQ ebx, 0x12345678, 10
        mov ebx, dr3
        CHECK_EQ ebx, 0x00abcdef, 10
        ; 11: RDTSC under CR4.TSD
        mov eax, cr4
        or eax, CR4_TSD
        mov cr4, eax
        rdtsc
        mov esi, eax
        mov edi, edx
        rdtsc
        sub eax, esi
        sbb edx, edi
        jnz .s12                    ; a carry into the high half: later
        cmp eax, 0
        ja .s12
        FAIL 11
        ; 12: the table loads through based addresses
.s12:   mov ebx, gdt_ptr - 8
        lgdt [ebx + 8]
        mov ecx, 2
        lea ebx, [idt_ptr - 24]
        lidt [ebx + ecx * 4 + 16]
        mov eax, 0x81
        int 0x81
        CHECK_EQ eax, 0x181, 12
        PASS

just_return:
        add eax, 0x100
        iretd

section .data
bytes_out:  db 0xf1, 0xfa, 0xfb, 0x00
bytes_in:   times 8 db 0
sel:        dw 0
far_stack:  dd 0
            dw 0
align 8
ldt:        dq 0x00CF92000000FFFF, 0
