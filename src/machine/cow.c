/* RAM copy-on-write (see cow.h).
 *
 * Granules rather than pages: every granule made writable on its own is a
 * separate mapping for the host kernel, which allows some 65,000 per
 * process, so a granule is a page only in guests of up to 64 MiB and grows
 * with RAM so that there are never more than COW_MAX_GRANULES.  The
 * first write to a granule is seen in the fault handler (ram_guard.c); what
 * runs there touches only arrays allocated up front.
 *
 * A granule that was all zeros when first written (most of RAM, the
 * first time a kernel uses it) is saved as a mark with no copy: the marks
 * come from a pool of their own, beside the slots that hold copies. */
#include "machine/cow.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#define COW_MAX_GRANULES 16384u

struct cow {
    struct ram_guard *guard;
    uint8_t *ram;
    size_t ram_size, gran;
    unsigned shift;       /* log2 of the granule's bytes */
    unsigned page_shift;  /* log2 of its pages */
    uint32_t ngran;
    uint8_t *writable;    /* per granule: written since cow_begin (or never protected) */
    uint32_t *dirty;      /* the granules made writable one by one, to protect again */
    uint32_t ndirty;
    bool all_writable;    /* cow_unprotect: every granule must be protected again */

    uint8_t *pool;        /* nslots granule-sized slots */
    uint32_t nslots, used;
    uint32_t nzero;       /* entries nslots .. nslots + nzero - 1: zero marks, no copy */
    uint32_t *next;       /* per entry: the next one in its list (or a free list) */
    uint32_t *gran_of;    /* per entry: the granule it holds */
    uint32_t free_head;   /* free slots */
    uint32_t zero_head;   /* free zero marks */
    size_t limit;         /* bytes of slots that may be in use */

    struct cow_list *cur; /* the list being filled, NULL when not saving */
    bool lost;
    bool (*reclaim)(void *opaque);
    void *reclaim_opaque;
};

static uint32_t take_slot(struct cow *c)
{
    for (;;) {
        if (c->free_head != COW_NONE && (size_t)(c->used + 1) * c->gran <= c->limit) {
            uint32_t s = c->free_head;
            c->free_head = c->next[s];
            c->used++;
            return s;
        }
        if (!c->reclaim || !c->reclaim(c->reclaim_opaque))
            return COW_NONE;
    }
}

static uint32_t take_zero_mark(struct cow *c)
{
    for (;;) {
        if (c->zero_head != COW_NONE) {
            uint32_t s = c->zero_head;
            c->zero_head = c->next[s];
            return s;
        }
        if (!c->reclaim || !c->reclaim(c->reclaim_opaque))
            return COW_NONE;
    }
}

static bool all_zero(const uint8_t *p, size_t n)
{
    const uint64_t *w = (const uint64_t *)(const void *)p;
    for (size_t i = 0; i < n / 8; i++)
        if (w[i])
            return false;
    return true;
}

/* Nothing is protected any more: every granule counts as written, and the
 * list being filled is incomplete. */
static void lose_all(struct cow *c)
{
    memset(c->writable, 1, c->ngran);
    c->all_writable = true;
    c->cur = NULL;
    c->lost = true;
}

/* First write to granule g since cow_begin: save it, let the write through
 * (the rest of the granule's pages too). */
static void touch(struct cow *c, uint32_t g)
{
    uint8_t *at = c->ram + ((size_t)g << c->shift);
    if (c->cur) {
        bool zero = all_zero(at, c->gran);
        uint32_t s = zero ? take_zero_mark(c) : COW_NONE;
        if (s == COW_NONE)
            s = take_slot(c);
        if (s == COW_NONE) {
            c->cur = NULL;
            c->lost = true;
        } else {
            if (s < c->nslots)
                memcpy(c->pool + ((size_t)s << c->shift), at, c->gran);
            c->gran_of[s] = g;
            c->next[s] = c->cur->head;
            c->cur->head = s;
            c->cur->count++;
        }
    }
    c->writable[g] = 1;
    c->dirty[c->ndirty++] = g;
    uint32_t first = g << c->page_shift, n = 1u << c->page_shift;
    if (n > c->guard->pages - first)
        n = c->guard->pages - first; /* the last granule may be short */
    ram_guard_release(c->guard, RAM_GUARD_HISTORY, first, n);
}

/* From the fault handler: a page this history protected was written. */
static void on_written(void *opaque, uint32_t page)
{
    struct cow *c = opaque;
    if (page == RAM_GUARD_ALL) {
        lose_all(c);
        return;
    }
    uint32_t g = page >> c->page_shift;
    if (!c->writable[g])
        touch(c, g);
}

struct cow *cow_open(struct ram_guard *ram_guard, size_t pool_bytes,
                     bool (*reclaim)(void *opaque), void *opaque, char *err, size_t errlen)
{
    size_t ram_size = ram_guard->size;
    struct cow *c = calloc(1, sizeof *c);
    if (!c) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    c->guard = ram_guard;
    c->ram = ram_guard->ram;
    c->ram_size = ram_size;
    c->shift = 12;
    while ((ram_size >> c->shift) > COW_MAX_GRANULES)
        c->shift++;
    c->page_shift = c->shift - 12;
    c->gran = (size_t)1 << c->shift;
    c->ngran = (uint32_t)((ram_size + c->gran - 1) >> c->shift);
    c->nslots = (uint32_t)(pool_bytes >> c->shift);
    c->nzero = 4 * c->ngran;
    c->limit = pool_bytes;
    c->reclaim = reclaim;
    c->reclaim_opaque = opaque;
    c->writable = malloc(c->ngran);
    c->dirty = malloc((size_t)c->ngran * sizeof *c->dirty);
    c->next = malloc(((size_t)c->nslots + c->nzero) * sizeof *c->next);
    c->gran_of = malloc(((size_t)c->nslots + c->nzero) * sizeof *c->gran_of);
    c->pool = c->nslots ? mmap(NULL, (size_t)c->nslots << c->shift, PROT_READ | PROT_WRITE,
                               MAP_PRIVATE | MAP_ANONYMOUS, -1, 0)
                        : NULL;
    if (!c->writable || !c->dirty || !c->next || !c->gran_of || c->pool == MAP_FAILED) {
        if (c->pool == MAP_FAILED)
            c->pool = NULL;
        snprintf(err, errlen, "cannot reserve %zu MiB for snapshots", pool_bytes >> 20);
        cow_close(c);
        return NULL;
    }
    memset(c->writable, 1, c->ngran);
    c->all_writable = true;
    /* Slots are taken from the front first, so the pool's pages that the
     * host commits are the ones the history has needed. */
    c->free_head = c->nslots ? 0 : COW_NONE;
    for (uint32_t i = 0; i < c->nslots; i++)
        c->next[i] = i + 1 < c->nslots ? i + 1 : COW_NONE;
    c->zero_head = c->nslots;
    for (uint32_t i = c->nslots; i < c->nslots + c->nzero; i++)
        c->next[i] = i + 1 < c->nslots + c->nzero ? i + 1 : COW_NONE;
    ram_guard_set_user(ram_guard, RAM_GUARD_HISTORY, on_written, c);
    return c;
}

void cow_close(struct cow *c)
{
    if (!c)
        return;
    if (c->guard->written[RAM_GUARD_HISTORY] == on_written) {
        ram_guard_release(c->guard, RAM_GUARD_HISTORY, 0, c->guard->pages);
        ram_guard_set_user(c->guard, RAM_GUARD_HISTORY, NULL, NULL);
    }
    if (c->pool)
        munmap(c->pool, (size_t)c->nslots << c->shift);
    free(c->writable);
    free(c->dirty);
    free(c->next);
    free(c->gran_of);
    free(c);
}

size_t cow_granule(const struct cow *c)
{
    return c->gran;
}

size_t cow_used_bytes(const struct cow *c)
{
    return (size_t)c->used * c->gran;
}

size_t cow_fixed_bytes(const struct cow *c)
{
    return (size_t)c->ngran * (1 + sizeof *c->dirty) +
           ((size_t)c->nslots + c->nzero) * (sizeof *c->next + sizeof *c->gran_of);
}

void cow_set_limit(struct cow *c, size_t bytes)
{
    size_t pool = (size_t)c->nslots << c->shift;
    c->limit = bytes < pool ? bytes : pool;
}

/* Protect granules first..first+n-1 (consecutive).  False when the host
 * would not: nothing is protected any more. */
static bool protect_run(struct cow *c, uint32_t first, uint32_t n)
{
    uint32_t page = first << c->page_shift;
    uint32_t end = (first + n) << c->page_shift;
    if (end > c->guard->pages)
        end = c->guard->pages;
    if (!ram_guard_protect(c->guard, RAM_GUARD_HISTORY, page, end - page))
        return false;
    memset(c->writable + first, 0, n);
    return true;
}

void cow_begin(struct cow *c, struct cow_list *list)
{
    bool ok = true;
    if (c->all_writable) {
        ok = protect_run(c, 0, c->ngran);
        c->all_writable = !ok;
    } else {
        /* The granules written in the interval that ends, in runs of
         * neighbours where they came one after the other. */
        uint32_t i = 0;
        while (i < c->ndirty) {
            uint32_t first = c->dirty[i], n = 1;
            while (i + n < c->ndirty && c->dirty[i + n] == first + n)
                n++;
            ok = ok && protect_run(c, first, n);
            i += n;
        }
    }
    c->ndirty = 0;
    list->head = COW_NONE;
    list->count = 0;
    c->cur = list;
    c->lost = false;
    if (!ok)
        lose_all(c);
}

void cow_end(struct cow *c)
{
    c->cur = NULL;
}

bool cow_lost(const struct cow *c)
{
    return c->lost;
}

void cow_list_free(struct cow *c, struct cow_list *list)
{
    uint32_t s = list->head;
    while (s != COW_NONE) {
        uint32_t n = c->next[s];
        if (s < c->nslots) {
            c->next[s] = c->free_head;
            c->free_head = s;
            c->used--;
        } else {
            c->next[s] = c->zero_head;
            c->zero_head = s;
        }
        s = n;
    }
    list->head = COW_NONE;
    list->count = 0;
}

void cow_list_restore(struct cow *c, struct cow_list *list)
{
    for (uint32_t s = list->head; s != COW_NONE; s = c->next[s]) {
        uint8_t *at = c->ram + ((size_t)c->gran_of[s] << c->shift);
        if (s < c->nslots)
            memcpy(at, c->pool + ((size_t)s << c->shift), c->gran);
        else
            memset(at, 0, c->gran);
    }
    cow_list_free(c, list);
}

void cow_unprotect(struct cow *c)
{
    c->cur = NULL;
    ram_guard_release(c->guard, RAM_GUARD_HISTORY, 0, c->guard->pages);
    memset(c->writable, 1, c->ngran);
    c->ndirty = 0;
    c->all_writable = true;
}
