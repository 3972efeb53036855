/* Changes made from outside the guest, as a debugger makes them: writes to
 * memory and to the registers.  Nothing in the input log says they
 * happened, so the history starts again from the changed state. */
#include <string.h>

#include "cpu/engine.h"
#include "machine/internal.h"

bool control_write_phys(struct machine *m, uint32_t paddr, const void *buf, size_t len)
{
    if (len == 0)
        return true;
    if (len > m->ram_size || paddr > m->ram_size - len)
        return false;
    if (!engine_phys_write(m->engine, paddr, buf, len))
        return false;
    /* The bytes may be code the engine translated under any linear
     * address: drop it all, and the blocks ringlab knows. */
    engine_flush_code(m->engine);
    block_cache_clear(&m->blocks);
    history_restart(m);
    return true;
}

bool control_write_linear(struct machine *m, uint32_t laddr, const void *buf, size_t len)
{
    struct linear_mem lm = {.phys = &m->phys, .regs = engine_paging_regs(m->engine)};
    const uint8_t *src = buf;
    size_t done = 0;
    /* Translate every page first: a write that cannot be made whole is
     * not made at all. */
    for (int pass = 0; pass < 2; pass++) {
        for (done = 0; done < len;) {
            uint32_t la = laddr + (uint32_t)done;
            size_t n = 4096 - (la & 4095u);
            if (n > len - done)
                n = len - done;
            struct paging_walk w;
            if (!linear_translate(&lm, la, PAGING_READ, false, &w) || w.paddr > m->ram_size ||
                n > m->ram_size - w.paddr)
                return false;
            if (pass == 1 && !engine_phys_write(m->engine, w.paddr, src + done, n))
                return false;
            done += n;
        }
    }
    engine_flush_code(m->engine);
    block_cache_clear(&m->blocks);
    history_restart(m);
    return true;
}

void control_explain(struct machine *m, bool on)
{
    m->explain = on || m->nsinks > 0;
}

bool control_set_registers(struct machine *m, const struct cpu_state *st)
{
    struct cpu_state now;
    if (!engine_begin_state(m->engine, &now))
        return false;
    memcpy(now.gpr, st->gpr, sizeof now.gpr);
    now.eip = st->eip;
    /* Bit 1 is always set; VM changes the meaning of every segment
     * register and is left as it is. */
    now.eflags = (st->eflags & ~EFLAGS_VM) | (now.eflags & EFLAGS_VM) | EFLAGS_FIXED1;
    if (!engine_commit_state(m->engine, &now))
        return false;
    history_restart(m);
    return true;
}
