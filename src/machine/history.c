/* The machine's history: snapshots of the whole machine, taken every N
 * instructions at the top of the run loop, kept within a memory budget,
 * and restored.
 *
 * A snapshot holds the CPU as the engine keeps it (with more than one, the
 * others as they wait and where the schedule is: smp_history.c), the
 * devices and the machine's own run state, and the positions in the input log and the
 * output counters.  RAM is not copied: cow.c saves the old contents of
 * each granule at its first write after the snapshot, so restoring
 * snapshot k copies back the granules saved in every interval from the
 * newest down to k.  The snapshots after k are gone then; running forward
 * again takes new ones.  The budget covers the snapshot records and the
 * saved granules; when it is reached the oldest snapshot goes (its saved
 * granules are needed only to restore it). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cpu/engine.h"
#include "machine/cow.h"
#include "machine/internal.h"

#define HISTORY_MAX 1024
/* The run stops for a snapshot before the block that would cross the
 * snapshot's count, at most a block's instructions early (Unicorn's blocks
 * have at most 512). */
#define HISTORY_EARLY 1024

/* The machine's state apart from the CPU and RAM. */
struct saved_state {
    struct clock clock;
    struct pic_pair pic;
    struct pit pit;
    struct uart com1;
    struct cmos cmos;
    struct ps2 ps2;
    struct vga_text vga;
    struct debug_ports debug;
    /* The disk controller's registers and buffers, apart (16 KiB; only
     * with disks: see history_has_disks), not the disks (their writes are
     * not taken back); the APICs; where fw_cfg's reader is. */
    struct ide_channel *ide;
    struct lapic lapic[PC_TABLES_MAX_CPUS];
    struct ioapic ioapic;
    uint16_t fw_cfg_selector;
    const struct fw_cfg_item *fw_cfg_current;
    uint32_t fw_cfg_offset;
    uint64_t tsc_offset;
    uint64_t seq, deliveries, last_delivery_icount, ring_count;
    bool halted, irq_poll, irq_recheck, irq_poll_skip, return_pending;
    uint8_t return_kind;
    struct trace_point return_from;
    uint32_t special_pass;
    uint64_t irq_hold_until;
    enum machine_end end;
    bool reset_pending;
    int debug_exit_status;
    char detail[256];
    uint64_t walker_disagreements;
    size_t input_pos;
    bool replay_has_end;
    uint64_t serial_out, debugcon_out;
};

struct snapshot {
    struct machine_pos pos;
    bool canonical;        /* the first state with its icount (no delivery at it yet) */
    void *cpu;             /* engine_snapshot_size bytes, kept for reuse */
    struct saved_state st;
    struct smp_saved *smp; /* with more than one CPU: the others, the schedule */
    void *client;          /* the monitor's state (machine_set_history_client) */
    struct cow_list undo;  /* granules written after it, as they were */
};

struct history {
    struct history_config cfg;
    struct cow *cow;
    struct snapshot snaps[HISTORY_MAX];
    unsigned first, count; /* a ring: snaps[first] is the oldest */
    uint64_t next_at;
    size_t record_bytes;   /* what one snapshot record costs */
    size_t peak;
    uint64_t dropped;
};

static struct snapshot *snap(struct history *h, unsigned i)
{
    return &h->snaps[(h->first + i) % HISTORY_MAX];
}

static size_t bytes_used(const struct history *h)
{
    return h->count * h->record_bytes + cow_used_bytes(h->cow) + cow_fixed_bytes(h->cow);
}

static void note_peak(struct history *h)
{
    size_t used = bytes_used(h);
    if (used > h->peak)
        h->peak = used;
}

/* The saved granules may use what the records leave of the budget, with
 * room for the next record. */
static void update_limit(struct history *h)
{
    size_t records = (h->count + 1) * h->record_bytes + cow_fixed_bytes(h->cow);
    cow_set_limit(h->cow, h->cfg.budget > records ? h->cfg.budget - records : 0);
    note_peak(h);
}

/* Drop the oldest snapshot.  Called from cow.c's signal handler too: it
 * only moves indices and gives slots back. */
static void drop_oldest(struct history *h)
{
    struct snapshot *s = snap(h, 0);
    cow_list_free(h->cow, &s->undo);
    h->first = (h->first + 1) % HISTORY_MAX;
    h->count--;
    h->dropped++;
}

static bool reclaim(void *opaque)
{
    struct history *h = opaque;
    /* The newest snapshot's list is the one being filled: it stays. */
    if (h->count < 2)
        return false;
    drop_oldest(h);
    return true;
}

/* The IDE channel has state worth saving only with a disk on it. */
static bool has_disks(const struct machine *m)
{
    return m->cfg.disks[0] != NULL || m->cfg.disks[1] != NULL;
}

static void save_state(struct machine *m, struct saved_state *s)
{
    s->clock = m->clock;
    s->pic = m->pic;
    s->pit = m->pit;
    s->com1 = m->com1;
    s->cmos = m->cmos;
    s->ps2 = m->ps2;
    s->vga = m->vga;
    s->debug = m->debug;
    if (s->ide)
        *s->ide = m->ide;
    memcpy(s->lapic, m->lapic, sizeof s->lapic);
    s->ioapic = m->ioapic;
    s->fw_cfg_selector = m->fw_cfg.selector;
    s->fw_cfg_current = m->fw_cfg.current;
    s->fw_cfg_offset = m->fw_cfg.offset;
    s->tsc_offset = m->tsc_offset;
    s->seq = m->seq;
    s->deliveries = m->deliveries;
    s->last_delivery_icount = m->last_delivery_icount;
    s->ring_count = m->ring_count;
    s->halted = m->halted;
    s->irq_poll = m->irq_poll;
    s->irq_recheck = m->irq_recheck;
    s->irq_poll_skip = m->irq_poll_skip;
    s->return_pending = m->return_pending;
    s->return_kind = m->return_kind;
    s->return_from = m->return_from;
    s->special_pass = m->special_pass;
    s->irq_hold_until = m->irq_hold_until;
    s->end = m->end;
    s->reset_pending = m->reset_pending;
    s->debug_exit_status = m->debug_exit_status;
    memcpy(s->detail, m->detail, sizeof s->detail);
    s->walker_disagreements = m->walker_disagreements;
    s->input_pos = m->input_pos;
    s->replay_has_end = m->replay_has_end;
    s->serial_out = m->serial_out;
    s->debugcon_out = m->debugcon_out;
}

static void load_state(struct machine *m, const struct saved_state *s)
{
    m->clock = s->clock;
    m->pic = s->pic;
    m->pit = s->pit;
    m->com1 = s->com1;
    m->cmos = s->cmos;
    m->ps2 = s->ps2;
    m->vga = s->vga;
    m->debug = s->debug;
    if (s->ide)
        m->ide = *s->ide;
    memcpy(m->lapic, s->lapic, sizeof m->lapic);
    char apic_err[160]; /* the pages where the restored IA32_APIC_BASEs point, valid before */
    (void)apics_follow_bases(m, apic_err, sizeof apic_err);
    m->ioapic = s->ioapic;
    m->fw_cfg.selector = s->fw_cfg_selector;
    m->fw_cfg.current = s->fw_cfg_current;
    m->fw_cfg.offset = s->fw_cfg_offset;
    m->tsc_offset = s->tsc_offset;
    m->seq = s->seq;
    m->deliveries = s->deliveries;
    m->last_delivery_icount = s->last_delivery_icount;
    m->ring_count = s->ring_count;
    m->halted = s->halted;
    m->irq_poll = s->irq_poll;
    m->irq_recheck = s->irq_recheck;
    m->irq_poll_skip = s->irq_poll_skip;
    m->return_pending = s->return_pending;
    m->return_kind = s->return_kind;
    m->return_from = s->return_from;
    m->special_pass = s->special_pass;
    m->irq_hold_until = s->irq_hold_until;
    m->end = s->end;
    m->reset_pending = s->reset_pending;
    m->debug_exit_status = s->debug_exit_status;
    memcpy(m->detail, s->detail, sizeof m->detail);
    m->walker_disagreements = s->walker_disagreements;
    m->input_pos = s->input_pos;
    m->replay_has_end = s->replay_has_end;
    m->replay_waiting = false;
    m->serial_out = s->serial_out;
    m->debugcon_out = s->debugcon_out;
}

static bool take(struct machine *m)
{
    struct history *h = m->history;
    note_peak(h);
    if (h->count == HISTORY_MAX)
        drop_oldest(h);
    /* The interval that ends is complete: if the budget is over, the oldest go. */
    while (h->count > 0 && bytes_used(h) + h->record_bytes > h->cfg.budget)
        drop_oldest(h);
    struct snapshot *s = &h->snaps[(h->first + h->count) % HISTORY_MAX];
    if (!s->cpu && !(s->cpu = malloc(engine_snapshot_size(m->engine))))
        return false;
    if (has_disks(m) && !s->st.ide && !(s->st.ide = malloc(sizeof *s->st.ide)))
        return false;
    if (m->cfg.cpus > 1 && !s->smp && !(s->smp = smp_saved_new(m)))
        return false;
    const struct machine_history_client *c = &m->history_client;
    if (c->save && !s->client && !(s->client = malloc(c->size)))
        return false;
    if (!engine_snapshot_save(m->engine, s->cpu))
        return false;
    if (c->save)
        c->save(c->opaque, s->client);
    if (s->smp)
        smp_save(m, s->smp);
    control_position(m, &s->pos);
    s->canonical = m->last_delivery_icount == UINT64_MAX ||
                   m->last_delivery_icount < m->clock.icount;
    save_state(m, &s->st);
    h->count++;
    cow_begin(h->cow, &s->undo);
    h->next_at = m->clock.icount + h->cfg.every;
    update_limit(h);
    return true;
}

void history_tick(struct machine *m)
{
    struct history *h = m->history;
    if (!h)
        return;
    if (cow_lost(h->cow)) {
        /* A write could not be saved: no snapshot before it can be restored. */
        while (h->count > 0)
            drop_oldest(h);
        take(m);
        return;
    }
    if (m->clock.icount + HISTORY_EARLY >= h->next_at && m->end == END_NONE && !m->reset_pending)
        take(m);
}

uint64_t history_next_icount(const struct machine *m)
{
    return m->history ? m->history->next_at : UINT64_MAX;
}


bool history_on(const struct machine *m)
{
    return m->history != NULL;
}

/* Put snapshot i back: RAM, CPU, devices; the later snapshots go. */
static bool restore(struct machine *m, unsigned i)
{
    struct history *h = m->history;
    cow_unprotect(h->cow);
    for (unsigned j = h->count; j-- > i;)
        cow_list_restore(h->cow, &snap(h, j)->undo);
    h->count = i + 1;
    struct snapshot *s = snap(h, i);
    load_state(m, &s->st);
    bool ok = engine_snapshot_restore(m->engine, s->cpu);
    if (s->smp)
        smp_load(m, s->smp);
    if (m->history_client.restore && s->client)
        m->history_client.restore(m->history_client.opaque, m, s->client);
    /* What was translated or cached came from the RAM of another moment. */
    block_cache_clear(&m->blocks);
    m->block = NULL;
    m->paging_stale = true;
    m->fresh_addr = UINT32_MAX;
    m->watch_hit = 0;
    m->cause = CAUSE_NONE;
    cow_begin(h->cow, &s->undo);
    h->next_at = m->clock.icount + h->cfg.every;
    update_limit(h);
    if (!ok)
        machine_finish(m, END_HOST_ERROR, "the engine could not take a snapshot's CPU state back");
    return ok;
}

static bool pos_before(const struct machine_pos *a, const struct machine_pos *b)
{
    return a->icount < b->icount || (a->icount == b->icount && a->deliveries < b->deliveries);
}

bool history_restore_before(struct machine *m, const struct machine_pos *before,
                            struct machine_pos *restored)
{
    struct history *h = m->history;
    if (!h || cow_lost(h->cow))
        return false;
    for (unsigned i = h->count; i-- > 0;)
        if (pos_before(&snap(h, i)->pos, before)) {
            *restored = snap(h, i)->pos;
            return restore(m, i);
        }
    return false;
}

bool history_oldest(const struct machine *m, struct machine_pos *out)
{
    const struct history *h = m->history;
    if (!h || h->count == 0)
        return false;
    *out = h->snaps[h->first].pos;
    return true;
}

/* Run forward, breakpoints off, to the first state with icount `target`,
 * waiting out halts as the run did the first time.  RUN_INSNS when there. */
static enum run_stop run_forward(struct machine *m, uint64_t target)
{
    while (m->clock.icount < target) {
        struct run_request req = {.max_insns = target - m->clock.icount, .no_breakpoints = true};
        struct run_result res;
        enum run_stop stop = control_run(m, &req, &res);
        switch (stop) {
        case RUN_INSNS:
        case RUN_SLICE:
        case RUN_EVENT:
        case RUN_BREAKPOINT:
        case RUN_WATCHPOINT:
        case RUN_HISTORY_START:
            continue;
        case RUN_IDLE:
            if (res.next_event_ns == UINT64_MAX)
                return RUN_IDLE;
            control_idle(m, res.next_event_ns - clock_now_ns(&m->clock));
            continue;
        case RUN_PAUSED:
        case RUN_END:
            return stop;
        }
    }
    return RUN_INSNS;
}

enum run_stop history_goto(struct machine *m, uint64_t target)
{
    struct history *h = m->history;
    if (!h || h->count == 0 || cow_lost(h->cow))
        return RUN_END;
    int i = (int)h->count - 1;
    for (; i >= 0; i--) {
        const struct snapshot *s = snap(h, (unsigned)i);
        if (s->pos.icount < target || (s->pos.icount == target && s->canonical))
            break;
    }
    if (i < 0)
        return restore(m, 0) ? RUN_HISTORY_START : RUN_END;
    if (!restore(m, (unsigned)i))
        return RUN_END;
    return run_forward(m, target);
}

enum run_stop history_goto_pos(struct machine *m, const struct machine_pos *pos)
{
    enum run_stop stop = history_goto(m, pos->icount);
    if (stop != RUN_INSNS)
        return stop;
    /* Deliveries at that very count (an IRQ, a fault of the next
     * instruction): one event at a time. */
    while (m->deliveries < pos->deliveries && m->clock.icount == pos->icount) {
        struct run_request req = {.stop_on = STOP_ON_ANY, .max_insns = 1, .no_breakpoints = true};
        struct run_result res;
        stop = control_run(m, &req, &res);
        if (stop == RUN_IDLE && res.next_event_ns != UINT64_MAX)
            control_idle(m, res.next_event_ns - clock_now_ns(&m->clock));
        else if (stop != RUN_EVENT)
            return stop == RUN_INSNS ? RUN_END : stop;
    }
    return RUN_INSNS;
}

void history_restart(struct machine *m)
{
    /* What happens from here on is new: show it. */
    m->serial_shown = m->serial_out;
    m->debugcon_shown = m->debugcon_out;
    m->shown_deliveries = m->deliveries;
    m->shown_return_icount = m->clock.icount ? m->clock.icount - 1 : UINT64_MAX;
    input_truncate(m);
    struct history *h = m->history;
    if (!h)
        return;
    while (h->count > 0)
        drop_oldest(h);
    take(m);
}

/* ---- the control API ---------------------------------------------------------- */

bool control_history_start(struct machine *m, const struct history_config *cfg, char *err,
                           size_t errlen)
{
    if (m->history) {
        snprintf(err, errlen, "history is already on");
        return false;
    }
    if (m->clock.realtime) {
        snprintf(err, errlen, "history needs the virtual clock (not --realtime)");
        return false;
    }
    if (cfg->every == 0) {
        snprintf(err, errlen, "snapshots need an interval of at least one instruction");
        return false;
    }
    struct history *h = calloc(1, sizeof *h);
    if (!h) {
        snprintf(err, errlen, "out of memory");
        return false;
    }
    h->cfg = *cfg;
    h->record_bytes = sizeof(struct snapshot) + engine_snapshot_size(m->engine) +
                      (has_disks(m) ? sizeof(struct ide_channel) : 0) + smp_saved_size(m) +
                      m->history_client.size;
    if (cfg->budget < 2 * h->record_bytes) {
        snprintf(err, errlen, "a snapshot budget of %zu bytes is less than two snapshots (%zu bytes)",
                 cfg->budget, 2 * h->record_bytes);
        free(h);
        return false;
    }
    h->cow = cow_open(&m->ram_guard, cfg->budget, reclaim, h, err, errlen);
    if (!h->cow) {
        free(h);
        return false;
    }
    m->history = h;
    m->input_logging = true;
    if (!take(m)) {
        snprintf(err, errlen, "cannot take the first snapshot");
        history_free(m);
        return false;
    }
    return true;
}

void history_free(struct machine *m)
{
    struct history *h = m->history;
    if (!h)
        return;
    cow_close(h->cow);
    for (unsigned i = 0; i < HISTORY_MAX; i++) {
        free(h->snaps[i].cpu);
        free(h->snaps[i].st.ide);
        smp_saved_free(h->snaps[i].smp);
        free(h->snaps[i].client);
    }
    free(h);
    m->history = NULL;
}

void control_history_stop(struct machine *m)
{
    history_free(m);
}

void control_history_info(struct machine *m, struct history_info *out)
{
    memset(out, 0, sizeof *out);
    struct history *h = m->history;
    if (!h)
        return;
    out->on = true;
    out->snapshots = h->count;
    if (h->count)
        out->oldest = snap(h, 0)->pos;
    note_peak(h);
    out->bytes = bytes_used(h);
    out->peak_bytes = h->peak;
    out->budget = h->cfg.budget;
    out->dropped = h->dropped;
}
