; ring0_forms - the sensitive unprivileged instructions of ring0_view in
; their other forms: memory operands through segments with a base, a
; segment override, a 16-bit address, and the 16-bit operand size of the
; returns and of POPF.  At CPL 0 each gives what ring 0 sees; under `pg
; vmm --strategy bt` the monitor executes them and must give the same
; (under --strategy trap, step 1's SGDT shows the shadow GDT).
;
; ES and FS are data segments based at BASE (SDM Vol. 3A 3.4.5).
;   1  sgdt [es:store]: this GDT's limit and base at BASE + store
;   2  mov [fs:store], cs: KCODE (RPL 0) at BASE + store (Vol. 2B MOV)
;   3  a16 sidt [gs:bx + si], GS based at store's 64 KiB, BX + SI its
;      offset there: the IDT's base at store (Vol. 2A 2.1.5, Table 2-1)
;   4  lar eax, [es:store] with KCODE stored there: DPL 0, ZF set
;   5  o16 popf of a word with IF and IOPL 3: they load, the high half of
;      EFLAGS (AC set) stays (Vol. 2B POPF)
;   6  iretw to CPL 0 from a frame of words: IP, CS, FLAGS with IF clear,
;      IOPL 0 (Vol. 2A IRET); the CS is a code segment based at the
;      target's 64 KiB, since IRETW loads a 16-bit IP
;   7  o16 retf 2 from a frame of words: IP and CS, two bytes dropped
;      (Vol. 2B RET)
;   8  with IOPL 3 set by POPFD, a far RET to ring 3 (Vol. 2A RET,
;      "RETURN-TO-OUTER-PRIVILEGE-LEVEL"): ring 3 sees CS UCODE and
;      IOPL 3 (RET leaves EFLAGS as the kernel set them)
;
; Exit values: the step whose check failed.
%include "common.inc"

%define BASE 0x10000

main:
        mov al, 0xff                ; the PIC masked: IF set lets nothing in
        out 0x21, al
        out 0xa1, al
        SET_DESC SPARE0, BASE, 0xfffff, 0x92, 0xc0   ; data rw, DPL 0, 4 GiB
        mov ax, SPARE0
        mov es, ax
        mov fs, ax

        sgdt [es:store]                             ; step 1
        CHECK_EQ word [BASE + store], gdt_end - gdt - 1, 1
        CHECK_EQ dword [BASE + store + 2], gdt, 1

        mov word [BASE + store], 0xffff             ; step 2
        mov [fs:store], cs
        CHECK_EQ word [BASE + store], KCODE, 2

        mov eax, store                              ; step 3
        and eax, 0xffff0000
        SET_DESC SPARE1, eax, 0xfffff, 0x92, 0xc0
        mov ax, SPARE1
        mov gs, ax
        mov ebx, store
        and ebx, 0xffff
        mov si, 0
        a16 sidt [gs:bx + si]
        CHECK_EQ dword [store + 2], idt, 3

        mov word [BASE + store], KCODE              ; step 4
        xor eax, eax
        lar eax, [es:store]
        jz .s4_zf
        FAIL 4
.s4_zf: shr eax, 13
        and eax, 3
        CHECK_EQ eax, 0, 4

        push dword 0x00040002       ; step 5: AC, in the high half POPFW keeps
        popfd
        push word EFLAGS_IF | EFLAGS_IOPL3 | 2
        o16 popf
        pushfd
        pop eax
        and eax, 0x00040000 | EFLAGS_IF | EFLAGS_IOPL3
        CHECK_EQ eax, 0x00040000 | EFLAGS_IF | EFLAGS_IOPL3, 5

        mov eax, .s6                ; step 6: IF clear, IOPL 0
        and eax, 0xffff0000
        SET_DESC SPARE2, eax, 0xfffff, 0x9a, 0xc0    ; code r-x, DPL 0, 32-bit
        push word 2
        push word SPARE2
        mov eax, .s6
        push ax
        iretw
.s6:    pushfd
        pop eax
        and eax, EFLAGS_IF | EFLAGS_IOPL3
        CHECK_EQ eax, 0, 6
        mov eax, cs
        CHECK_EQ ax, SPARE2, 6
        jmp KCODE:.s7

.s7:    mov ebp, esp                ; step 7
        push word 0x5555            ; the two bytes RETF 2 drops
        push word SPARE2
        mov eax, .s7b
        push ax
        o16 retf 2
.s7b:   CHECK_EQ esp, ebp, 7
        mov eax, cs
        CHECK_EQ ax, SPARE2, 7
        jmp KCODE:.s8

.s8:    pushfd                      ; step 8
        or dword [esp], EFLAGS_IOPL3
        popfd
        mov ax, UDATA
        mov ds, ax
        mov es, ax
        push dword UDATA
        push dword user_stack_top
        push dword UCODE
        push dword .user
        retf
.user:  pushfd
        pop eax
        and eax, EFLAGS_IOPL3
        CHECK_EQ eax, EFLAGS_IOPL3, 8
        mov eax, cs
        CHECK_EQ ax, UCODE, 8
        PASS

section .data
store:  times 8 db 0
