/* Guest RAM write-protected page by page in the host, for whoever needs to
 * know of the first write to a page: the code guard (code_guard.h: a page
 * of translated code was rewritten) and the history's copy-on-write
 * (machine/cow.h: a page must be saved before it changes).
 *
 * Each page records which users protect it; it is read-only in the host
 * while any does.  A store into it -- the guest's, through any mapping, or
 * ringlab's own memcpy -- faults; the fault handler makes the page
 * writable, forgets every user's protection of it, and tells each of those
 * users (in the handler: a user's callback may only touch memory it has
 * allocated beforehand, and call ram_guard_release).  So neither user can
 * undo the other's protection: a page is writable again only when no user
 * protects it.
 *
 * A system call that writes into a protected page fails with EFAULT
 * instead of faulting, so guest RAM is never a system call's buffer
 * (read(2) into a buffer, then copy).
 *
 * The handler is process-wide (SIGSEGV) and serves every guard (machines
 * come and go in tests and front ends); a fault anywhere else goes to the
 * handler that was there before, or kills the process as it would have. */
#ifndef RINGLAB_RAM_GUARD_H
#define RINGLAB_RAM_GUARD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define RAM_GUARD_PAGE 4096u

enum ram_guard_user {
    RAM_GUARD_CODE,    /* code_guard.c */
    RAM_GUARD_HISTORY, /* machine/cow.c */
    RAM_GUARD_USERS
};

/* Passed as the page when the host refused to change a protection (out of
 * mappings): every page is writable now and stays so; treat all as written. */
#define RAM_GUARD_ALL UINT32_MAX

/* A page the user protected was written (or RAM_GUARD_ALL).  Called in the
 * fault handler, after the page was made writable. */
typedef void (*ram_guard_written_fn)(void *opaque, uint32_t page);

struct ram_guard {
    uint8_t *ram;
    size_t size;
    uint32_t pages;
    volatile uint8_t *users; /* per page: bit u set while user u protects it */
    ram_guard_written_fn written[RAM_GUARD_USERS];
    void *opaque[RAM_GUARD_USERS];
    volatile bool broken;    /* a protection failed: nothing is protected any more */
};

/* Watch ram (page aligned, size a multiple of a page) and install the
 * fault handler (once per process).  False if that fails. */
bool ram_guard_init(struct ram_guard *g, uint8_t *ram, size_t size);
/* Every page writable, the guard forgotten. */
void ram_guard_free(struct ram_guard *g);

void ram_guard_set_user(struct ram_guard *g, enum ram_guard_user u, ram_guard_written_fn fn,
                        void *opaque);

/* User u protects pages first .. first+n-1.  False when the guard is
 * broken or the host refused (then nothing changed for those pages). */
bool ram_guard_protect(struct ram_guard *g, enum ram_guard_user u, uint32_t first, uint32_t n);
/* User u no longer protects them; those no user protects become writable. */
void ram_guard_release(struct ram_guard *g, enum ram_guard_user u, uint32_t first, uint32_t n);

static inline bool ram_guard_protects(const struct ram_guard *g, enum ram_guard_user u,
                                      uint32_t page)
{
    return (g->users[page] >> u) & 1;
}

#endif
