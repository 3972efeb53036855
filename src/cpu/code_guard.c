/* Write-protected code frames (see code_guard.h). */
#include "cpu/code_guard.h"

#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#define FRAME 4096u
#define MAX_GUARDS 64

/* Every guard in the process, for the fault handler (machines in tests and
 * in the debugger's front ends come and go). */
static struct code_guard *volatile guards[MAX_GUARDS];
static struct sigaction previous;
static bool installed;

/* A fault on a guarded frame: let the write through and say the frame was
 * written.  Anything else is not ours: the handler from before takes it (or
 * the default action, which ends the process as a fault would have). */
static void on_fault(int sig, siginfo_t *info, void *context)
{
    uint8_t *addr = info->si_addr;
    for (int i = 0; i < MAX_GUARDS; i++) {
        struct code_guard *g = guards[i];
        if (!g || addr < g->ram || addr >= g->ram + g->size)
            continue;
        uint32_t frame = (uint32_t)((size_t)(addr - g->ram) / FRAME);
        if (g->state[frame] != CODE_GUARD_GUARDED)
            break;
        mprotect(g->ram + (size_t)frame * FRAME, FRAME, PROT_READ | PROT_WRITE);
        g->gen[frame]++;
        g->faults++;
        g->state[frame] = ++g->writes[frame] >= CODE_GUARD_VOLATILE_AFTER ? CODE_GUARD_VOLATILE
                                                                          : CODE_GUARD_OPEN;
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
    /* The default action: die of the fault, as without the guard. */
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
    sa.sa_flags = SA_SIGINFO | SA_NODEFER;
    sigemptyset(&sa.sa_mask);
    if (sigaction(SIGSEGV, &sa, &previous) != 0)
        return false;
    installed = true;
    return true;
}

bool code_guard_init(struct code_guard *g, uint8_t *ram, size_t size)
{
    memset(g, 0, sizeof *g);
    g->ram = ram;
    g->size = size;
    g->frames = (uint32_t)(size / FRAME);
    g->gen = calloc(g->frames, sizeof *g->gen);
    g->state = calloc(g->frames, sizeof *g->state);
    g->writes = calloc(g->frames, sizeof *g->writes);
    if (!g->gen || !g->state || !g->writes || !install_handler())
        goto fail;
    for (int i = 0; i < MAX_GUARDS; i++)
        if (!guards[i]) {
            guards[i] = g;
            return true;
        }
fail:
    code_guard_free(g);
    return false;
}

void code_guard_free(struct code_guard *g)
{
    for (int i = 0; i < MAX_GUARDS; i++)
        if (guards[i] == g)
            guards[i] = NULL;
    if (g->ram && g->state)
        code_guard_reset(g);
    free((void *)g->gen);
    free((void *)g->state);
    free((void *)g->writes);
    memset(g, 0, sizeof *g);
}

uint32_t code_guard_protect(struct code_guard *g, uint32_t frame)
{
    if (frame < g->frames && g->state[frame] == CODE_GUARD_OPEN &&
        mprotect(g->ram + (size_t)frame * FRAME, FRAME, PROT_READ) == 0)
        g->state[frame] = CODE_GUARD_GUARDED;
    return frame < g->frames ? g->gen[frame] : 0;
}

void code_guard_reset(struct code_guard *g)
{
    mprotect(g->ram, g->size, PROT_READ | PROT_WRITE);
    for (uint32_t f = 0; f < g->frames; f++) {
        g->state[f] = CODE_GUARD_OPEN;
        g->writes[f] = 0;
        g->gen[f]++;
    }
}
