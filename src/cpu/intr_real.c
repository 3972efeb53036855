/* Exception and interrupt delivery in real-address mode (CR0.PE clear):
 * through the interrupt vector table, as the REAL-ADDRESS-MODE steps of
 * INT n in SDM Vol. 2A and Vol. 3A 20.1.4 describe it.  intr.c calls this
 * for each delivery attempt and applies Table 6-5 around it, as in
 * protected mode. */
#include "cpu/intr_real.h"


/* Real-address mode: the REAL-ADDRESS-MODE steps of INT n (SDM Vol. 2A)
 * and Vol. 3A 20.1.4.  The IDT is the interrupt vector table, 4 bytes a
 * vector (IP, then CS) from IDTR.base; there are no gates, privilege
 * checks or error codes.  The frame, 2 bytes a word, drawn from SS:SP down:
 *
 *     SP+4  FLAGS
 *     SP+2  CS
 *     SP+0  IP      <- new SP
 */
bool intr_real_deliver(const struct linear_mem *mem, struct cpu_state *st,
                       const struct intr_request *req, struct trace_event *ev, struct cpu_fault *f)
{
    uint32_t at = (uint32_t)req->vector << 2;
    /* The vector's entry must lie within the IDT limit: #GP. */
    if (at + 3 > st->idtr.limit)
        return cpu_fault_raise(f, VEC_GP, 0, "vector 0x%02x is beyond the IVT limit 0x%x",
                               req->vector, st->idtr.limit);
    /* Paging is off: an entry outside RAM reads as the bus floats. */
    uint8_t raw[4] = {0xff, 0xff, 0xff, 0xff};
    linear_read(mem, st->idtr.base + at, raw, 4, false, NULL);
    uint16_t new_ip = (uint16_t)(raw[0] | raw[1] << 8);
    uint16_t new_cs = (uint16_t)(raw[2] | raw[3] << 8);
    if (ev) {
        ev->gate = GATE_IVT;
        ev->gate_lo = (uint32_t)new_ip | (uint32_t)new_cs << 16;
    }
    /* The stack must hold the 6-byte frame: #SS.  Each word goes below SP,
     * which wraps within the segment (B=0: 16 bits); a word that would
     * straddle the segment's limit does not fit. */
    const struct seg_cache *ss = &st->seg[SEG_SS];
    uint32_t mask = (ss->flags & DESC_B) ? 0xffffffffu : 0xffffu;
    uint32_t sp = st->gpr[GPR_ESP];
    const uint16_t words[3] = {(uint16_t)st->eflags, st->seg[SEG_CS].selector,
                               (uint16_t)req->return_eip};
    uint32_t offsets[3];
    for (int i = 0; i < 3; i++) {
        sp = (sp - 2) & mask;
        if (sp >= ss->limit)
            return cpu_fault_raise(f, VEC_SS, 0, "SP 0x%x leaves no room for the 6-byte frame",
                                   st->gpr[GPR_ESP] & mask);
        offsets[i] = sp;
    }
    for (int i = 0; i < 3; i++) {
        uint8_t b[2] = {(uint8_t)words[i], (uint8_t)(words[i] >> 8)};
        linear_write(mem, ss->base + offsets[i], b, 2, false, NULL);
    }
    st->gpr[GPR_ESP] = (st->gpr[GPR_ESP] & ~mask) | sp;
    /* IF, TF and AC are cleared; CS takes the selector and its base. */
    st->eflags &= ~(EFLAGS_IF | EFLAGS_TF | EFLAGS_AC);
    st->seg[SEG_CS].selector = new_cs;
    st->seg[SEG_CS].base = (uint32_t)new_cs << 4;
    st->eip = new_ip;
    return true;
}
