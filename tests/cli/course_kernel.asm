; course_kernel - the kernel tests/cli/course-line.sh boots with the README's
; `make qemu` line, under qemu-system-i386 and under ringlab: it checks that
; the line's -initrd, -append and -m reached it as Multiboot says
; (Multiboot Specification 0.6.96, 3.3), takes one INT through the IDT so
; that -d int has a line to log, and leaves through isa-debug-exit.
;
; The line loads kernel.elf with -initrd "mod1 arg,mod2" -append
; "console=ttyS0" -m 128; the script writes "MOD1" to mod1 and "MOD2" to mod2.
;
; Steps (exit value = step):
;   1  EAX = 0x2BADB002 at entry
;   2  flags 0x24F; mods_count = 2
;   3  module 1: 4 bytes "MOD1", string "mod1 arg"
;   4  module 2: 4 bytes "MOD2", string "mod2"
;   5  the command line is "kernel.elf console=ttyS0"
;   6  mem_upper = 0x1FB80 KiB: 128 MiB, less the first MiB and SeaBIOS's
;      128 KiB at the top
;   7  INT 0x30 reached its handler and came back
; (built with guest.ld and entered at course_entry: ld -e course_entry)
%include "common.inc"

%define MB_MAGIC 0x2BADB002

section .text
global course_entry
course_entry:                   ; keep what the loader passed, then common.inc
        mov [boot_eax], eax
        mov [boot_ebx], ebx
        jmp _start

; streq: ESI, EDI = NUL-terminated strings; ZF=1 when equal
streq:  push eax
.next:  mov al, [esi]
        cmp al, [edi]
        jne .done
        inc esi
        inc edi
        test al, al
        jnz .next
.done:  pop eax
        ret

main:
        CHECK_EQ dword [boot_eax], MB_MAGIC, 1
        mov ebx, [boot_ebx]
        CHECK_EQ dword [ebx], 0x24F, 2
        CHECK_EQ dword [ebx + 20], 2, 2
        mov edx, [ebx + 24]                 ; the module list

        mov eax, [edx + 4]                  ; module 1
        sub eax, [edx]
        CHECK_EQ eax, 4, 3
        mov eax, [edx]
        CHECK_EQ dword [eax], 'MOD1', 3
        mov esi, [edx + 8]
        mov edi, want_mod1
        call streq
        je .m2
        FAIL 3
.m2:    mov eax, [edx + 16 + 4]             ; module 2
        sub eax, [edx + 16]
        CHECK_EQ eax, 4, 4
        mov eax, [edx + 16]
        CHECK_EQ dword [eax], 'MOD2', 4
        mov esi, [edx + 16 + 8]
        mov edi, want_mod2
        call streq
        je .cmd
        FAIL 4
.cmd:   mov esi, [ebx + 16]
        mov edi, want_cmdline
        call streq
        je .mem
        FAIL 5
.mem:   CHECK_EQ dword [ebx + 8], 0x1FB80, 6

        SET_GATE 0x30, int30, KCODE, GATE_INT
        mov eax, 0x30
        int 0x30
        CHECK_EQ dword [int30_ran], 1, 7
        PASS

int30:  mov dword [int30_ran], 1
        iretd

section .data
boot_eax:       dd 0
boot_ebx:       dd 0
int30_ran:      dd 0
want_mod1:      db "mod1 arg", 0
want_mod2:      db "mod2", 0
want_cmdline:   db "kernel.elf console=ttyS0", 0
