/* syscall.h — system call numbers, shared by the kernel and the user
 * library. A program puts the number in EAX and the arguments in EBX, ESI
 * and EDI, then enters the kernel with "int 0x80" or "sysenter"; the result
 * comes back in EAX. (ECX and EDX are not used for arguments: sysenter needs
 * them to tell the kernel where to come back to.) */
#ifndef SYSCALL_H
#define SYSCALL_H

#define SYS_exit      1
#define SYS_write     2
#define SYS_read      3
#define SYS_getpid    4
#define SYS_fork      5
#define SYS_exec      6
#define SYS_wait      7
#define SYS_sbrk      8
#define SYS_sleep     9
#define SYS_uptime    10
#define SYS_yield     11
#define SYS_kill      12
#define SYS_pipe      13
#define SYS_close     14
#define SYS_dirent    15
#define SYS_ring1     16 /* ring1_limit(on): ring 1's segments end below the kernel */
#define SYS_ioperm    17 /* ioperm(from, n): I/O ports for ring 3 (COM1 only) */
#define SYS_console   18 /* console(pid): COM1's output goes through the caller while pid lives */
#define SYS_cons_take 19 /* cons_take(buf, n): the console's driver takes queued output */
#define SYS_ptrace    20 /* ptrace(req, pid, &word) */
#define SYS_shm       21 /* shm(key, va): map shared frame `key` at va; returns the PTE */
#define SYS_clock     22 /* clock(): microseconds since boot, from the PIT */

#define T_SYSCALL 0x80 /* the interrupt vector for "int 0x80" */

/* ptrace's requests. The address and the word travel in a struct
 * ptrace_word in the caller's memory. Errors are negative. */
#define PT_ATTACH       1
#define PT_PEEK         2
#define PT_POKE         3
#define PT_DETACH       4
#define PT_ENOPROC      (-1) /* no such process */
#define PT_ENOTCHILD    (-2) /* only the parent may attach */
#define PT_EBUSY        (-3) /* someone else is attached */
#define PT_ENOTATTACHED (-4) /* attach first */
#define PT_EFAULT       (-5) /* the address is not a word the process may use */

struct ptrace_word {
    uint32_t addr;
    uint32_t value;
};

/* The other door: the ring-1 service (ring1svc.asm), entered with a far CALL
 * through this call gate. EAX = what to do, EBX = its argument; the answer
 * comes back in EAX (R1_WHOAMI: also EBX, ECX, EDX). */
#define R1_GATE   0x4B
#define R1_WHOAMI 0 /* EAX = SS << 16 | CS, EBX = ESP, ECX = EFLAGS, EDX = DS's limit */
#define R1_PEEK   1 /* EAX = the word at [ds:EBX] */
#define R1_PUTS   2 /* write the string at EBX to COM1 with OUT; EAX = its length */

/* What SYS_dirent fills in: one file of the initrd. */
struct dirent {
    char name[24];
    uint32_t size;
};

#endif
