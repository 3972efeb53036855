/* Finding the engine's CPU state in memory (see live_state.h). */
#include "cpu/live_state.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

/* Larger mappings are guest RAM or the translation buffer, not the state. */
#define LIVE_STATE_MAX_MAPPING (64u << 20)

static bool skipped(uintptr_t a, size_t len, const struct live_state_skip *skip, size_t nskip)
{
    for (size_t i = 0; i < nskip; i++) {
        uintptr_t s = (uintptr_t)skip[i].at;
        if (a < s + skip[i].len && s < a + len)
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
    uint64_t first;
    memcpy(&first, copy, sizeof first);
    uint8_t *found = NULL;
    int matches = 0;
    char line[512];
    while (fgets(line, sizeof line, maps)) {
        unsigned long lo, hi;
        char perms[8] = "";
        int path_at = 0;
        if (sscanf(line, "%lx-%lx %7s %*s %*s %*s %n", &lo, &hi, perms, &path_at) < 3)
            continue;
        /* Readable and writable, private; anonymous or the heap. */
        const char *path = line + path_at;
        bool anonymous = path_at == 0 || *path == '\n' || *path == '\0' ||
                         strncmp(path, "[heap]", 6) == 0;
        if (strncmp(perms, "rw-p", 4) != 0 || !anonymous || hi - lo > LIVE_STATE_MAX_MAPPING ||
            hi - lo < len)
            continue;
        for (uintptr_t a = lo; a + len <= hi; a += 8) {
            uint64_t v;
            memcpy(&v, (const void *)a, sizeof v);
            if (v != first || skipped(a, len, skip, nskip) ||
                memcmp((const void *)a, copy, len) != 0)
                continue;
            found = (uint8_t *)a;
            matches++;
        }
    }
    fclose(maps);
    return matches == 1 ? found : NULL;
}
