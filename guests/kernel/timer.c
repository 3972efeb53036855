/* timer.c — the 8254 programmable interval timer, channel 0, wired to IRQ 0.
 * Its input clock runs at 1.193182 MHz; dividing by 11932 gives 100
 * interrupts a second: one tick every 10 ms, the scheduler's time slice.
 * Between two ticks the counter itself tells the time, in steps of 0.84 us. */
#include "defs.h"
#include "x86.h"
#include "trap.h"

#define PIT_CH0 0x40
#define PIT_CMD 0x43
#define PIT_HZ  1193182
#define TICK_HZ 100
#define TICK_US (1000000 / TICK_HZ)
#define DIVISOR ((PIT_HZ + TICK_HZ / 2) / TICK_HZ)

uint32_t ticks; /* timer interrupts since boot */

void timer_init(void)
{
    /* Command: channel 0, access low byte then high byte, mode 2 (rate
     * generator), binary. */
    outb(PIT_CMD, 0x34);
    outb(PIT_CH0, DIVISOR & 0xFF);
    outb(PIT_CH0, DIVISOR >> 8);
    pic_enable(IRQ_TIMER);
}

void timer_intr(void)
{
    ticks++;
    wakeup(&ticks); /* sleep() callers check whether their time is up */
}

/* Microseconds since boot (wrapping after 71 minutes): the whole ticks,
 * and how far channel 0 has counted down into the current one. Called
 * with interrupts off, as all kernel code runs. */
uint32_t timer_usec(void)
{
    /* 8254 "Counter Latch Command": channel 0's count is frozen for the
     * two reads that follow, low byte first. */
    outb(PIT_CMD, 0x00);
    uint32_t count = inb(PIT_CH0);
    count |= (uint32_t)inb(PIT_CH0) << 8;
    uint32_t t = ticks;
    /* A tick that fell due while interrupts were off has restarted the
     * count but not yet moved `ticks`: the 8259A holds it as a request. */
    if (pic_pending(IRQ_TIMER) && count > DIVISOR / 2)
        t++;
    if (count == 0 || count > DIVISOR)
        count = DIVISOR;
    return t * TICK_US + (DIVISOR - count) * TICK_US / DIVISOR;
}

#ifndef PV
/* The boot's check that the clock ticks, as Linux checks its timer: with
 * interrupts on, `ticks` must move.  timer_usec() wants interrupts off, so
 * each reading is an irq-save section, a few microseconds apart.  A tick the PIC holds (requested,
 * not yet taken) at two readings in a row, with interrupts on between
 * them, means the CPU does not take interrupts: every sleep() would hang. */
void timer_check(void)
{
    uint32_t start = ticks, flags, t0 = 0, now = 0, before = 0, after = 0;
    int held = 0;
    sti();
    for (int i = 0; ticks == start && held < 2 && i < 1000000; i++) {
        flags = irq_save();
        now = timer_usec();
        held = pic_pending(IRQ_TIMER) ? held + 1 : 0;
        irq_restore(flags);
        if (i == 0) {
            t0 = now;
            before = flags;
            after = read_eflags();
        }
        for (int spin = 0; spin < 200; spin++)
            __asm__ volatile("pause"); /* a few microseconds between readings */
    }
    cli();
    if (ticks == start)
        kprintf("timer: no tick in %u us: irq_restore(%x) left EFLAGS %x, interrupts off\n",
                now - t0, before, after);
}
#endif
