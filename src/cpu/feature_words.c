/* Finding the CPU model's feature words in the engine's state (see
 * feature_words.h). */
#include "cpu/feature_words.h"

#include <string.h>

/* Leaf 1 bits the CPUID instruction computes from the machine: the local
 * APIC (EDX bit 9) and OSXSAVE (ECX bit 27, CR4.OSXSAVE). */
#define EDX1_DERIVED (1u << 9)
#define ECX1_DERIVED (1u << 27)

static uint32_t u32_at(const uint8_t *p)
{
    uint32_t v;
    memcpy(&v, p, sizeof v);
    return v;
}

static uint64_t u64_at(const uint8_t *p)
{
    uint64_t v;
    memcpy(&v, p, sizeof v);
    return v;
}

/* The vendor and version end just before the words, with at most four
 * bytes of padding to align them. */
static int header_matches(const uint8_t *words, size_t room, const struct feature_words_key *k)
{
    for (size_t pad = 0; pad <= 4; pad += 4) {
        if (room < 16 + pad)
            continue;
        const uint8_t *h = words - pad - 16;
        if (u32_at(h) == k->vendor[0] && u32_at(h + 4) == k->vendor[1] &&
            u32_at(h + 8) == k->vendor[2] && u32_at(h + 12) == k->version)
            return 1;
    }
    return 0;
}

long feature_words_find(const uint8_t *at, size_t len, const struct feature_words_key *key)
{
    long found = -1;
    size_t start = (8 - ((uintptr_t)at & 7)) & 7;
    for (size_t off = start; off + 3 * 8 <= len; off += 8) {
        const uint8_t *w = at + off;
        uint64_t edx = u64_at(w), ecx = u64_at(w + 8);
        if ((edx >> 32) || (ecx >> 32) ||
            ((uint32_t)edx & ~EDX1_DERIVED) != (key->edx1 & ~EDX1_DERIVED) ||
            ((uint32_t)ecx & ~ECX1_DERIVED) != (key->ecx1 & ~ECX1_DERIVED) ||
            !header_matches(w, off, key))
            continue;
        if (found >= 0)
            return -1;
        found = (long)off;
    }
    return found;
}
