; tsc - the time-stamp counter: RDTSC, RDMSR/WRMSR of IA32_TSC, CR4.TSD.
;
; SDM Vol. 2B RDTSC: EDX:EAX = the TSC; with CR4.TSD (bit 2) set, RDTSC at
; CPL > 0 raises #GP(0), at CPL 0 it still reads.  Vol. 3B 17.17: the TSC
; counts up; IA32_TSC (MSR 0x10) reads it and a write sets it (RDMSR and
; WRMSR are CPL 0 instructions).  Vol. 2A CPUID: leaf 1 EDX bit 4 says
; there is a TSC.
;
;   1  CPUID.01H:EDX.TSC is set
;   2  two RDTSCs in a row: the second is larger
;   3  RDMSR 0x10 lies between two RDTSCs
;   4  WRMSR 0x10 to 0x100000000 (EDX=1, EAX=0): the next RDTSC has EDX >= 1
;   5  ring 3, CR4.TSD = 0: RDTSC reads
;   6  ring 3, CR4.TSD = 1: RDTSC -> #GP(0) at the RDTSC
;   7  ring 0, CR4.TSD = 1: RDTSC reads
;
; Exit values: the step whose check failed.
%include "common.inc"

%define MSR_TSC 0x10
%define CR4_TSD 0x4

main:
        mov eax, 1
        cpuid
        test edx, 1 << 4
        jnz .s2
        FAIL 1
.s2:    rdtsc
        mov esi, eax
        mov edi, edx
        rdtsc
        sub eax, esi
        sbb edx, edi                ; EDX:EAX = the second minus the first
        jnz .s2_ok                  ; high half positive: larger
        test eax, eax
        jnz .s2_ok
        FAIL 2
.s2_ok:
        rdtsc
        mov esi, eax                ; the low halves are enough: a few
        mov ecx, MSR_TSC            ; instructions lie between them
        rdmsr
        mov ebx, eax
        rdtsc
        cmp ebx, esi
        jae .s3_low
        FAIL 3
.s3_low:
        cmp eax, ebx
        jae .s3_ok
        FAIL 3
.s3_ok:
        mov ecx, MSR_TSC
        mov edx, 1
        xor eax, eax
        wrmsr
        rdtsc
        cmp edx, 1
        jae .s5
        FAIL 4
.s5:    SET_GATE SYSCALL_VEC + 1, tsd_on, KCODE, GATE_INT3
        SET_GATE SYSCALL_VEC + 2, ring0_read, KCODE, GATE_INT3
        ENTER_USER user, user_stack_top, 0x002

user:
        rdtsc                       ; step 5: TSD clear, CPL 3 reads
        mov [user_tsc], eax
        mov eax, 0x81               ; a known EAX for the event lines
call_tsd_on:
        int SYSCALL_VEC + 1         ; to ring 0: set CR4.TSD, come back
        EXPECT 6, 13, 0, 0, tsd_done
        EXPECT_AT user_rdtsc, UCODE
        mov eax, 6
user_rdtsc:
        rdtsc
        FAIL 6
tsd_done:
        EXPECT_HIT 6
        mov eax, 0x82
call_ring0_read:
        int SYSCALL_VEC + 2         ; step 7, in ring 0

tsd_on:                             ; int 0x81 from ring 3
        mov eax, cr4
        or eax, CR4_TSD
        mov cr4, eax
        iretd

ring0_read:                         ; int 0x82 from ring 3: step 7
        rdtsc
        cmp edx, 1
        jae .ok
        FAIL 7
.ok:    PASS

section .bss
user_tsc:       resd 1
