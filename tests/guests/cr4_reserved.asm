; cr4_reserved - CR4's SMEP and SMAP bits on a CPU without the features.
;
; SDM Vol. 3A 2.5: CR4 bits of features the processor lacks are reserved,
; and setting one raises #GP(0) (Vol. 2B MOV--Move to/from Control
; Registers: "#GP(0) if an attempt is made to write a 1 to any reserved
; bit in CR4"); CR4 keeps its value.  The default qemu32 model has neither
; SMEP (CPUID.(EAX=07H,ECX=0):EBX bit 7) nor SMAP (bit 20).
;
;   1  MOV CR4 setting SMEP (bit 20) -> #GP(0) at the MOV, CR4 unchanged
;   2  MOV CR4 setting SMAP (bit 21) -> #GP(0) at the MOV, CR4 unchanged
;
; QEMU 7.2 hangs at the first MOV instead (tests/diff/cr4_reserved.sdm),
; so the comparison waits only a few seconds for it.
; qemu-time-limit: 5
;
; Exit values: the step whose check failed.
%include "common.inc"

main:
        mov ebx, cr4
        mov ecx, ebx
        or ecx, 1 << 20
        EXPECT 1, 13, 0, 0, .s2
        EXPECT_AT .f1, KCODE
        mov eax, 0x0101
.f1:    mov cr4, ecx
        FAIL 1
.s2:    EXPECT_HIT 1
        mov eax, cr4
        CHECK_EQ eax, ebx, 1
        mov ecx, ebx
        or ecx, 1 << 21
        EXPECT 2, 13, 0, 0, .done
        EXPECT_AT .f2, KCODE
        mov eax, 0x0202
.f2:    mov cr4, ecx
        FAIL 2
.done:  EXPECT_HIT 2
        mov eax, cr4
        CHECK_EQ eax, ebx, 2
        PASS
