/* Finding the engine's CPU state in memory (see live_state.h). */
#include "cpu/live_state.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#define LIVE_STATE_MAX_MAPPING (1ul << 30)

static bool skipped(uintptr_t a, size_t len, const struct live_state_skip *skip, size_t nskip)
{
    for (size_t i = 0; i < nskip; i++) {
        uintptr_t s = (uintptr_t)skip[i].at;
        if (a < s + skip[i].len && s < a + len)
            return true;
    }
    return false;
}

/* Do the `len` bytes at `a` equal those at `b`?  A loop of its own, not
 * memcmp: the scan reads memory no object of this program owns (free heap,
 * an allocator's padding), which an address sanitizer's memcmp would
 * report. */
__attribute__((no_sanitize_address)) static bool same(const uint8_t *a, const uint8_t *b,
                                                       size_t len)
{
    for (size_t i = 0; i < len; i++)
        if (a[i] != b[i])
            return false;
    return true;
}

struct search {
    const uint8_t *copy;
    size_t len;
    uint64_t first;
    const struct live_state_skip *skip;
    size_t nskip;
    uint8_t *found;
    int matches;
};

/* Look through [lo, hi): mappings that follow one another are one span,
 * so that a state across the line between two of them is found too. */
__attribute__((no_sanitize_address)) static void scan(struct search *s, uintptr_t lo, uintptr_t hi)
{
    for (uintptr_t a = lo; a + s->len <= hi; a += 8) {
        if (*(const uint64_t *)a != s->first || skipped(a, s->len, s->skip, s->nskip) ||
            !same((const uint8_t *)a, s->copy, s->len))
            continue;
        s->found = (uint8_t *)a;
        s->matches++;
    }
}

static bool inside_skip(uintptr_t lo, uintptr_t hi, const struct live_state_skip *skip,
                        size_t nskip)
{
    for (size_t i = 0; i < nskip; i++) {
        uintptr_t s = (uintptr_t)skip[i].at;
        if (lo >= s && hi <= s + skip[i].len)
            return true;
    }
    return false;
}

uint8_t *live_state_find(const uint8_t *copy, size_t len, const struct live_state_skip *skip,
                         size_t nskip)
{
    if (len < 16)
        return NULL;
    FILE *maps = fopen("/proc/self/maps", "r");
    if (!maps)
        return NULL;
    struct search s = {.copy = copy, .len = len, .skip = skip, .nskip = nskip};
    memcpy(&s.first, copy, sizeof s.first);
    uintptr_t span_lo = 0, span_hi = 0;
    char line[512];
    while (fgets(line, sizeof line, maps)) {
        unsigned long lo, hi;
        char perms[8] = "";
        int path_at = 0;
        if (sscanf(line, "%lx-%lx %7s %*s %*s %*s %n", &lo, &hi, perms, &path_at) < 3)
            continue;
        /* Readable and writable, private; anonymous or the heap; not a
         * range the caller named whole (guest RAM). */
        const char *path = line + path_at;
        bool anonymous = path_at == 0 || *path == '\n' || *path == '\0' ||
                         strncmp(path, "[heap]", 6) == 0;
        /* Nor a mapping of more than LIVE_STATE_MAX_MAPPING: the engine
         * allocates its state on the heap, and a sanitizer's shadow memory
         * (terabytes, reserved) would take for ever to read. */
        bool wanted = strncmp(perms, "rw-p", 4) == 0 && anonymous &&
                      hi - lo <= LIVE_STATE_MAX_MAPPING && !inside_skip(lo, hi, skip, nskip);
        if (wanted && lo == span_hi) {
            span_hi = hi;
            continue;
        }
        scan(&s, span_lo, span_hi);
        span_lo = span_hi = 0;
        if (wanted) {
            span_lo = lo;
            span_hi = hi;
        }
    }
    scan(&s, span_lo, span_hi);
    fclose(maps);
    return s.matches == 1 ? s.found : NULL;
}
