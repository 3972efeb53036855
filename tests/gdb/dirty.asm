; dirty - a guest whose history costs memory: pass after pass it writes the
; pass number into every page of a 2 MiB window of RAM, and every 64 passes
; the window moves on by 2 MiB, over 32 MiB from 8 MiB up.  Each interval
; between two snapshots writes some 2 to 4 MiB that must be saved.  It
; never ends; tests/gdb/budget.sh stops it after a number of instructions.
%include "common.inc"

main:
        xor ebx, ebx                    ; the pass
.pass:
        mov eax, ebx
        shr eax, 6
        and eax, 15                     ; the window, 0..15
        shl eax, 21                     ; times 2 MiB
        lea edi, [eax + 0x800000]
        lea esi, [edi + 0x200000]
.page:
        mov [edi], ebx
        add edi, 4096
        cmp edi, esi
        jb .page
        inc ebx
        jmp .pass
