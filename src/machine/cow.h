/* RAM copy-on-write for the machine's history (history.c): after a
 * snapshot, the first write to each granule of guest RAM saves the
 * granule's old contents in a pool of fixed size, so that the snapshot can
 * be restored by copying the saved granules back.  The saved copies of one
 * interval between snapshots form a list; history.c owns the lists, cow.c
 * their slots.
 *
 * The write is caught by the host's memory protection (cpu/ram_guard.h,
 * shared with the code guard): the granules are read-only between
 * snapshots until first written, and the fault saves the granule and lets
 * the write through.  That covers every store into RAM, the engine's and
 * ringlab's own (loaders, exception frames). */
#ifndef RINGLAB_COW_H
#define RINGLAB_COW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cpu/ram_guard.h"

#define COW_NONE UINT32_MAX

/* One interval's saved granules. */
struct cow_list {
    uint32_t head;
    uint32_t count;
};

struct cow;

/* Watch the RAM of ram_guard, saving old contents in a pool of
 * pool_bytes.  reclaim is called when the pool is full (possibly from the
 * fault handler: it may only give back lists with cow_list_free): it
 * returns false when it has nothing to give.  On failure: NULL, one line
 * in err. */
struct cow *cow_open(struct ram_guard *ram_guard, size_t pool_bytes,
                     bool (*reclaim)(void *opaque), void *opaque, char *err, size_t errlen);
void cow_close(struct cow *c);

size_t cow_granule(const struct cow *c);
/* Bytes of the pool in use, and the most it may use (the budget's share). */
size_t cow_used_bytes(const struct cow *c);
void cow_set_limit(struct cow *c, size_t bytes);
/* What the bookkeeping takes whatever is saved (the per-granule and
 * per-slot arrays). */
size_t cow_fixed_bytes(const struct cow *c);

/* A snapshot was taken: from now on the first write to each granule saves
 * its contents into `list` (emptied first). */
void cow_begin(struct cow *c, struct cow_list *list);
/* No more saving (the granules stay as they are until the next cow_begin). */
void cow_end(struct cow *c);
/* True once a write could not be saved (the pool full, nothing to reclaim):
 * the list being filled is incomplete.  Cleared by cow_begin. */
bool cow_lost(const struct cow *c);

/* Give a list's slots back. */
void cow_list_free(struct cow *c, struct cow_list *list);
/* Copy a list's saved contents back into RAM and give its slots back.
 * Call cow_unprotect first. */
void cow_list_restore(struct cow *c, struct cow_list *list);
/* Make all of RAM writable without saving anything (before restoring). */
void cow_unprotect(struct cow *c);

#endif
