/* syscall.h — system call numbers, shared by the kernel and the user
 * library. A program puts the number in EAX and the arguments in EBX, ESI
 * and EDI, then enters the kernel with "int 0x80" or "sysenter"; the result
 * comes back in EAX. (ECX and EDX are not used for arguments: sysenter needs
 * them to tell the kernel where to come back to.) */
#ifndef SYSCALL_H
#define SYSCALL_H

#define SYS_exit   1
#define SYS_write  2
#define SYS_read   3
#define SYS_getpid 4
#define SYS_fork   5
#define SYS_exec   6
#define SYS_wait   7
#define SYS_sbrk   8
#define SYS_sleep  9
#define SYS_uptime 10
#define SYS_yield  11
#define SYS_kill   12
#define SYS_pipe   13
#define SYS_close  14
#define SYS_dirent 15

#define T_SYSCALL 0x80 /* the interrupt vector for "int 0x80" */

/* What SYS_dirent fills in: one file of the initrd. */
struct dirent {
    char name[24];
    uint32_t size;
};

#endif
