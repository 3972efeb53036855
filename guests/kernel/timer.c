/* timer.c — the 8254 programmable interval timer, channel 0, wired to IRQ 0.
 * Its input clock runs at 1.193182 MHz; dividing by 11932 gives 100
 * interrupts a second: one tick every 10 ms, the scheduler's time slice. */
#include "defs.h"
#include "x86.h"
#include "trap.h"

#define PIT_CH0 0x40
#define PIT_CMD 0x43
#define PIT_HZ  1193182
#define TICK_HZ 100

uint32_t ticks; /* timer interrupts since boot */

void timer_init(void)
{
    uint32_t divisor = (PIT_HZ + TICK_HZ / 2) / TICK_HZ;
    /* Command: channel 0, access low byte then high byte, mode 2 (rate
     * generator), binary. */
    outb(PIT_CMD, 0x34);
    outb(PIT_CH0, divisor & 0xFF);
    outb(PIT_CH0, divisor >> 8);
    pic_enable(IRQ_TIMER);
}

void timer_intr(void)
{
    ticks++;
    wakeup(&ticks); /* sleep() callers check whether their time is up */
}
