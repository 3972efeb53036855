/* Write-protected guest RAM shared by its users (see ram_guard.h). */
#include "cpu/ram_guard.h"

#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#define MAX_GUARDS 64

/* Every guard in the process, for the fault handler. */
static struct ram_guard *volatile guards[MAX_GUARDS];
static struct sigaction previous;
static bool installed;

static uint8_t *page_at(const struct ram_guard *g, uint32_t page)
{
    return g->ram + (size_t)page * RAM_GUARD_PAGE;
}

/* The host would not change a protection: make everything writable for
 * good and tell every user that all of RAM may have changed. */
static void give_up(struct ram_guard *g)
{
    mprotect(g->ram, g->size, PROT_READ | PROT_WRITE);
    g->broken = true;
    for (uint32_t p = 0; p < g->pages; p++)
        g->users[p] = 0;
    for (int u = 0; u < RAM_GUARD_USERS; u++)
        if (g->written[u])
            g->written[u](g->opaque[u], RAM_GUARD_ALL);
}

/* A store into a protected page: let it through and tell the page's users.
 * Anything else is not ours: the handler from before takes it (or the
 * default action, which ends the process as the fault would have). */
static void on_fault(int sig, siginfo_t *info, void *context)
{
    uint8_t *addr = info->si_addr;
    for (int i = 0; i < MAX_GUARDS; i++) {
        struct ram_guard *g = guards[i];
        if (!g || addr < g->ram || addr >= g->ram + g->size)
            continue;
        uint32_t page = (uint32_t)((size_t)(addr - g->ram) / RAM_GUARD_PAGE);
        uint8_t users = g->users[page];
        if (!users)
            break;
        g->users[page] = 0;
        if (mprotect(page_at(g, page), RAM_GUARD_PAGE, PROT_READ | PROT_WRITE) != 0) {
            give_up(g);
            return;
        }
        for (int u = 0; u < RAM_GUARD_USERS; u++)
            if ((users >> u) & 1 && g->written[u])
                g->written[u](g->opaque[u], page);
        return;
    }
    if (previous.sa_flags & SA_SIGINFO) {
        if (previous.sa_sigaction) {
            previous.sa_sigaction(sig, info, context);
            return;
        }
    } else if (previous.sa_handler != SIG_DFL && previous.sa_handler != SIG_IGN) {
        previous.sa_handler(sig);
        return;
    }
    signal(sig, SIG_DFL);
    raise(sig);
}

static bool install_handler(void)
{
    if (installed)
        return true;
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_fault;
    /* NODEFER: a user's callback may itself store into a protected page
     * (restoring a snapshot over a page of code). */
    sa.sa_flags = SA_SIGINFO | SA_NODEFER;
    sigemptyset(&sa.sa_mask);
    if (sigaction(SIGSEGV, &sa, &previous) != 0)
        return false;
    installed = true;
    return true;
}

bool ram_guard_init(struct ram_guard *g, uint8_t *ram, size_t size)
{
    memset(g, 0, sizeof *g);
    g->ram = ram;
    g->size = size;
    g->pages = (uint32_t)(size / RAM_GUARD_PAGE);
    g->users = calloc(g->pages ? g->pages : 1, 1);
    if (!g->users || !install_handler())
        goto fail;
    for (int i = 0; i < MAX_GUARDS; i++)
        if (!guards[i]) {
            guards[i] = g;
            return true;
        }
fail:
    ram_guard_free(g);
    return false;
}

void ram_guard_free(struct ram_guard *g)
{
    for (int i = 0; i < MAX_GUARDS; i++)
        if (guards[i] == g)
            guards[i] = NULL;
    if (g->ram && g->users)
        mprotect(g->ram, g->size, PROT_READ | PROT_WRITE);
    free((void *)g->users);
    memset(g, 0, sizeof *g);
}

void ram_guard_set_user(struct ram_guard *g, enum ram_guard_user u, ram_guard_written_fn fn,
                        void *opaque)
{
    g->written[u] = fn;
    g->opaque[u] = opaque;
}

static bool in_range(const struct ram_guard *g, uint32_t first, uint32_t n)
{
    return first <= g->pages && n <= g->pages - first;
}

bool ram_guard_protect(struct ram_guard *g, enum ram_guard_user u, uint32_t first, uint32_t n)
{
    if (g->broken || !in_range(g, first, n))
        return false;
    /* Pages another user protects already are read-only. */
    bool all_protected = true;
    for (uint32_t p = first; p < first + n && all_protected; p++)
        all_protected = g->users[p] != 0;
    if (!all_protected &&
        mprotect(page_at(g, first), (size_t)n * RAM_GUARD_PAGE, PROT_READ) != 0) {
        give_up(g);
        return false;
    }
    for (uint32_t p = first; p < first + n; p++)
        g->users[p] |= (uint8_t)(1u << u);
    return true;
}

void ram_guard_release(struct ram_guard *g, enum ram_guard_user u, uint32_t first, uint32_t n)
{
    if (g->broken || !in_range(g, first, n))
        return;
    uint8_t bit = (uint8_t)(1u << u);
    uint32_t run = 0, run_len = 0; /* pages that become writable, one after the other */
    for (uint32_t p = first; p <= first + n; p++) {
        bool opens = false;
        if (p < first + n && (g->users[p] & bit)) {
            g->users[p] &= (uint8_t)~bit;
            opens = g->users[p] == 0;
        }
        if (opens) {
            if (!run_len)
                run = p;
            run_len++;
            continue;
        }
        if (run_len &&
            mprotect(page_at(g, run), (size_t)run_len * RAM_GUARD_PAGE, PROT_READ | PROT_WRITE) != 0) {
            give_up(g);
            return;
        }
        run_len = 0;
    }
}
