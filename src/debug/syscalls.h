/* The bundled teaching kernel's system calls (guests/kernel/syscall.h):
 * their numbers, names and arguments, and a trace event of a system call
 * entry written as a call, "write(1, "hello from ring 3\n", 18)".  The
 * number is in EAX and the arguments in EBX, ESI and EDI, for both doors
 * (int 0x80 and sysenter).  Used by the debugger's `info events` and the
 * view's timeline. */
#ifndef RINGLAB_SYSCALLS_H
#define RINGLAB_SYSCALLS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "trace/event.h"
#include "util/strbuf.h"

/* The vector of the kernel's "int 0x80" door. */
#define SYSCALLS_VECTOR 0x80

/* The call's name, or NULL for a number the kernel does not have. */
const char *syscalls_name(uint32_t number);

/* The event is a system call entry through one of the kernel's doors:
 * int 0x80 from ring 3, delivered, or sysenter from ring 3. */
bool syscalls_is_entry(const struct trace_event *ev);

/* Read guest memory in the address space of `cr3` (false when it is not
 * mapped); the strings a call points at are read through it. */
typedef bool (*syscalls_read_fn)(void *opaque, uint32_t cr3, uint32_t linear, void *buf,
                                 size_t len);

/* The call as it was made: "write(1, "hello"..., 18)", "exec("ls", ["ls"])",
 * "getpid()"; an unknown number as "syscall 99(0x..., 0x..., 0x...)".
 * Strings longer than a few words are cut with "...". */
void syscalls_describe(const struct trace_event *ev, syscalls_read_fn read, void *opaque,
                       struct strbuf *out);

#endif
