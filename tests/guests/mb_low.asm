; mb_low - a kernel loaded over 0x9000-0x9557, where QEMU's boot ROM puts
; the Multiboot memory map and information structure.
;
; Multiboot Specification 0.6.96, 3.3: the boot loader may place the
; information structure and its substructures anywhere in memory except
; over the kernel and the modules.  mb_low.ld links one segment at
; 0x8000-0xA84B (the header, the code, and from 0x9000 a byte pattern) and
; the data and bss from 0xB000: QEMU loads and runs it, and so must ringlab,
; with the kernel whole and the structure somewhere else.
;
; Steps (exit value = step):
;   1  EAX = 0x2BADB002 at entry
;   2  the pattern at 0x9000-0xA84B reads as linked: no byte was overwritten
;   3  the structure at EBX (88 bytes) lies off both segments
;   4  its flags: memory, boot device, cmdline, mods, mmap, loader name
;      (0x24F); mem_lower = 639
;   5  the memory map lies off both segments: its first entry is size 20,
;      base 0, length 0x9FC00, type 1 (SeaBIOS's conventional memory)
;   6  the command line lies off both segments and ends with "mb_low.elf "
;
; QEMU differs: its boot ROM writes the map at 0x9000 and the structure at
; 0x9500, then copies the kernel over them, so EBX = 0x9500 points into the
; pattern and step 3 fails (status 7); see tests/diff/mb_low.sdm.
%include "common.inc"

%define MB_MAGIC 0x2BADB002
%define PATTERN_START 0x9000
%define PATTERN_END 0xA84C
extern low_start, low_end, high_start, kernel_end   ; mb_low.ld

section .text
global mb_entry
mb_entry:                       ; the ELF entry point: keep what the loader passed
        mov [boot_eax], eax
        mov [boot_ebx], ebx
        jmp _start

; off_kernel: EAX = start, ECX = length; ZF=1 when [start, start+length)
; lies off both of the kernel's segments (mb_low.ld: low_start..low_end,
; high_start..kernel_end).
off_kernel:
        push edx
        lea edx, [eax + ecx]
        cmp edx, low_start
        jbe .next               ; ends before the low segment
        cmp eax, low_end
        jb .inside              ; starts before the low segment ends
.next:  cmp edx, high_start
        jbe .off
        cmp eax, kernel_end
        jb .inside
.off:   xor edx, edx            ; ZF = 1
        pop edx
        ret
.inside:
        or edx, 1               ; ZF = 0
        pop edx
        ret

main:
        CHECK_EQ dword [boot_eax], MB_MAGIC, 1

        mov esi, PATTERN_START  ; step 2: byte i of the pattern is (i * 7 + 3) & 0xff
        xor ecx, ecx
.pat:   mov eax, ecx
        imul eax, 7
        add eax, 3
        cmp [esi + ecx], al
        je .pat_ok
        FAIL 2
.pat_ok:
        inc ecx
        cmp ecx, PATTERN_END - PATTERN_START
        jb .pat

        mov ebx, [boot_ebx]     ; step 3
        mov eax, ebx
        mov ecx, 88
        call off_kernel
        je .info_off
        FAIL 3
.info_off:
        CHECK_EQ dword [ebx], 0x24F, 4
        CHECK_EQ dword [ebx + 4], 639, 4

        mov eax, [ebx + 48]     ; step 5: mmap_addr, mmap_length
        mov ecx, [ebx + 44]
        call off_kernel
        je .map_off
        FAIL 5
.map_off:
        mov esi, [ebx + 48]
        CHECK_EQ dword [esi], 20, 5
        CHECK_EQ dword [esi + 4], 0, 5
        CHECK_EQ dword [esi + 12], 0x9FC00, 5
        CHECK_EQ dword [esi + 20], 1, 5

        mov esi, [ebx + 16]     ; step 6: the command line
        mov edi, esi
.len:   cmp byte [edi], 0
        je .len_done
        inc edi
        jmp .len
.len_done:
        mov eax, esi
        mov ecx, edi
        sub ecx, esi
        inc ecx
        call off_kernel
        je .cmd_off
        FAIL 6
.cmd_off:
        mov ecx, edi
        sub ecx, esi
        cmp ecx, cmd_tail_len
        jae .cmd_long
        FAIL 6
.cmd_long:
        sub edi, cmd_tail_len
        mov esi, cmd_tail
        mov ecx, cmd_tail_len
        repe cmpsb
        je .pass
        FAIL 6
.pass:  PASS

section .data
boot_eax:       dd 0
boot_ebx:       dd 0
cmd_tail:       db "mb_low.elf "
cmd_tail_len    equ $ - cmd_tail

; From 0x9000 to the segment's end, a pattern the loader must not touch.
section .pattern progbits alloc noexec nowrite align=1
%assign i 0
%rep PATTERN_END - PATTERN_START
        db (i * 7 + 3) & 0xff
%assign i i + 1
%endrep
