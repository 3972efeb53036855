/* Where the engine keeps its CPU state in this process's memory.
 *
 * Unicorn's uc_context_save and uc_context_restore copy the whole CPU state
 * (5.5 KB in 2.1.1) each time; a delivery that changes a dozen registers
 * need copy none of it if it can read and write the fields where the engine
 * keeps them.  The engine's own state has no address in Unicorn's API, so
 * it is found by what it holds: right after a save, the live state and the
 * saved copy are the same bytes, and marker values in the registers make
 * that block unlike any other.  engine.c checks what this finds before
 * using it (writes through each side must show on the other). */
#ifndef RINGLAB_LIVE_STATE_H
#define RINGLAB_LIVE_STATE_H

#include <stddef.h>
#include <stdint.h>

/* A place not to look: the copies made by saving (they match too). */
struct live_state_skip {
    const void *at;
    size_t len;
};

/* The one address in the process's anonymous writable memory (the heap and
 * private mappings, those next to each other taken as one) where the `len`
 * bytes at `copy` are found again, aligned to 8 bytes, outside the `nskip`
 * ranges of `skip` (a mapping wholly inside one is not read at all).  NULL
 * when there is none or more than one. */
uint8_t *live_state_find(const uint8_t *copy, size_t len, const struct live_state_skip *skip,
                         size_t nskip);

#endif
