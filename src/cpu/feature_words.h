/* Where the engine keeps the CPUID feature words of its CPU model.
 *
 * The engine's translator and its CR4 writes consult the model's feature
 * words, not the CPUID answers ringlab gives the guest: STAC and CLAC
 * decode only when the words have SMAP (else #UD), and a write of
 * CR4.SMAP keeps the bit only then (Unicorn 2.1.1, qemu/target/i386:
 * translate.c, helper.c cpu_x86_update_cr4).  No Unicorn call adds a
 * feature to a model, so ringlab finds the words in the engine's CPU
 * state by what they hold, just past the part a saved context copies: the
 * vendor string and the version (CPUID leaf 0 EBX EDX ECX, leaf 1 EAX),
 * then the feature words as 64-bit numbers, leaf 1 EDX, leaf 1 ECX and
 * leaf 7 EBX first.  engine.c checks the result before it relies on it.
 * Pure functions. */
#ifndef RINGLAB_FEATURE_WORDS_H
#define RINGLAB_FEATURE_WORDS_H

#include <stddef.h>
#include <stdint.h>

/* CPUID.(EAX=07H,ECX=0):EBX (SDM Vol. 2A, Table 3-8). */
#define CPUID_7_EBX_SMEP (1u << 7)
#define CPUID_7_EBX_SMAP (1u << 20)

/* What the model answers, as CPUID gave it on a scratch engine. */
struct feature_words_key {
    uint32_t vendor[3]; /* leaf 0: EBX, EDX, ECX */
    uint32_t version;   /* leaf 1: EAX */
    uint32_t edx1, ecx1; /* leaf 1: EDX, ECX */
};

/* The words in the state, indexed from the first. */
enum feature_word { FEATURE_WORD_1_EDX, FEATURE_WORD_1_ECX, FEATURE_WORD_7_0_EBX };

/* The offset in [at, at + len) of the first feature word (8-byte aligned
 * in memory), found exactly once after the key's vendor and version;
 * -1 when there is no such place or more than one.  CPUID leaf 1 derives
 * some bits from the machine rather than the words (APIC, OSXSAVE), so
 * those are not compared. */
long feature_words_find(const uint8_t *at, size_t len, const struct feature_words_key *key);

#endif
