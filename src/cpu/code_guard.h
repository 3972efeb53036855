/* Which frames of guest RAM hold code the engine has translated, and
 * whether anything has written to one since.
 *
 * A guarded frame is write-protected (ram_guard.h), so the first write to
 * it -- a guest store through any mapping, or ringlab's own memcpy -- is
 * seen, and bumps the frame's generation.  A block whose frame still has
 * the generation it had when the block was checked is unchanged, with no
 * byte compared.  A frame that is written again and again (code and busy
 * data on one page) stops being guarded: it is "volatile", and the blocks
 * in it are compared byte for byte each time they run.
 *
 * Unicorn 2.1.1 needs this: code rewritten through another mapping of its
 * frame keeps running the old translation (see tests/guests/code_alias). */
#ifndef RINGLAB_CODE_GUARD_H
#define RINGLAB_CODE_GUARD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cpu/ram_guard.h"

/* A frame is made volatile after this many writes let through. */
#define CODE_GUARD_VOLATILE_AFTER 32

struct code_guard {
    struct ram_guard *ram;
    uint32_t frames;
    volatile uint32_t *gen; /* per frame: bumped by each write let through */
    volatile uint8_t *state; /* CODE_GUARD_* */
    volatile uint16_t *writes;
    volatile uint64_t faults; /* writes let through, all frames */
};

enum { CODE_GUARD_OPEN, CODE_GUARD_GUARDED, CODE_GUARD_VOLATILE };

/* Set up the guard over the RAM ram watches.  False if out of memory. */
bool code_guard_init(struct code_guard *g, struct ram_guard *ram);
/* Unprotect every frame it guards and stop watching. */
void code_guard_free(struct code_guard *g);

/* The frame holds checked code: write-protect it (unless it is volatile).
 * Returns the frame's generation to compare later. */
uint32_t code_guard_protect(struct code_guard *g, uint32_t frame);
/* Forget every frame (after a reset rewrote RAM): all open and writable,
 * every generation moved on, no frame volatile. */
void code_guard_reset(struct code_guard *g);

static inline uint32_t code_guard_gen(const struct code_guard *g, uint32_t frame)
{
    return g->gen[frame];
}

static inline bool code_guard_is_volatile(const struct code_guard *g, uint32_t frame)
{
    return g->state[frame] == CODE_GUARD_VOLATILE;
}

#endif
