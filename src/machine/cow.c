/* RAM copy-on-write (see cow.h).
 *
 * Granules rather than pages: every granule made writable on its own is a
 * separate mapping for the host kernel, which allows some 65,000 per
 * process, so a granule is a page only in guests of up to 64 MiB and grows
 * with RAM so that there are never more than COW_MAX_GRANULES.  The
 * handler runs on the faulting store; it touches only arrays allocated up
 * front and makes two system calls (none for a store outside RAM, which
 * goes on to the handler that was there before).
 *
 * A granule that was all zeros when first written (most of RAM, the
 * first time a kernel uses it) is saved as a mark with no copy: the marks
 * come from a pool of their own, beside the slots that hold copies. */
#include "machine/cow.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#define COW_MAX_GRANULES 16384u

struct cow {
    uint8_t *ram;
    size_t ram_size, gran;
    unsigned shift;
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
    struct sigaction previous;
};

/* The one watched RAM; the handler finds it here. */
static struct cow *active;

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

/* First write to granule g since cow_begin: save it, let the write through. */
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
    if (mprotect(at, c->gran, PROT_READ | PROT_WRITE) != 0) {
        /* Out of mappings or memory: give up watching rather than fault forever. */
        mprotect(c->ram, c->ram_size, PROT_READ | PROT_WRITE);
        memset(c->writable, 1, c->ngran);
        c->all_writable = true;
        c->cur = NULL;
        c->lost = true;
        return;
    }
    c->writable[g] = 1;
    c->dirty[c->ndirty++] = g;
}

static void on_fault(int sig, siginfo_t *si, void *uctx)
{
    struct cow *c = active;
    uintptr_t a = (uintptr_t)si->si_addr, base = c ? (uintptr_t)c->ram : 0;
    if (c && a >= base && a - base < c->ram_size) {
        uint32_t g = (uint32_t)((a - base) >> c->shift);
        if (!c->writable[g]) {
            touch(c, g);
            return;
        }
    }
    /* Not a write to watched RAM: what would have happened without us. */
    const struct sigaction *p = c ? &c->previous : NULL;
    if (p && (p->sa_flags & SA_SIGINFO) && p->sa_sigaction) {
        p->sa_sigaction(sig, si, uctx);
        return;
    }
    if (p && p->sa_handler != SIG_DFL && p->sa_handler != SIG_IGN) {
        p->sa_handler(sig);
        return;
    }
    /* The default action: the store faults again and the process dies. */
    signal(SIGSEGV, SIG_DFL);
}

struct cow *cow_open(uint8_t *ram, size_t ram_size, size_t pool_bytes,
                     bool (*reclaim)(void *opaque), void *opaque, char *err, size_t errlen)
{
    if (active) {
        snprintf(err, errlen, "another machine already keeps a history");
        return NULL;
    }
    struct cow *c = calloc(1, sizeof *c);
    if (!c) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    c->ram = ram;
    c->ram_size = ram_size;
    c->shift = 12;
    while ((ram_size >> c->shift) > COW_MAX_GRANULES)
        c->shift++;
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
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_fault;
    sa.sa_flags = SA_SIGINFO;
    sigemptyset(&sa.sa_mask);
    active = c;
    if (sigaction(SIGSEGV, &sa, &c->previous) != 0) {
        active = NULL;
        snprintf(err, errlen, "cannot catch writes to guest RAM");
        cow_close(c);
        return NULL;
    }
    return c;
}

void cow_close(struct cow *c)
{
    if (!c)
        return;
    if (active == c) {
        mprotect(c->ram, c->ram_size, PROT_READ | PROT_WRITE);
        sigaction(SIGSEGV, &c->previous, NULL);
        active = NULL;
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

/* Protect granules first..first+n-1 (consecutive). */
static void protect_run(struct cow *c, uint32_t first, uint32_t n)
{
    mprotect(c->ram + ((size_t)first << c->shift), (size_t)n << c->shift, PROT_READ);
    memset(c->writable + first, 0, n);
}

void cow_begin(struct cow *c, struct cow_list *list)
{
    if (c->all_writable) {
        protect_run(c, 0, c->ngran);
        c->all_writable = false;
    } else {
        /* The granules written in the interval that ends, in runs of
         * neighbours where they came one after the other. */
        uint32_t i = 0;
        while (i < c->ndirty) {
            uint32_t first = c->dirty[i], n = 1;
            while (i + n < c->ndirty && c->dirty[i + n] == first + n)
                n++;
            protect_run(c, first, n);
            i += n;
        }
    }
    c->ndirty = 0;
    list->head = COW_NONE;
    list->count = 0;
    c->cur = list;
    c->lost = false;
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
    mprotect(c->ram, c->ram_size, PROT_READ | PROT_WRITE);
    memset(c->writable, 1, c->ngran);
    c->ndirty = 0;
    c->all_writable = true;
}
