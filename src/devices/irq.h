/* An interrupt request line: how a device tells its interrupt controller
 * that it wants attention.  A device holds one of these and calls
 * irq_set(line, level); it never knows which controller is behind it. */
#ifndef RINGLAB_IRQ_H
#define RINGLAB_IRQ_H

struct irq_line {
    void (*set)(void *opaque, int irq, int level);
    void *opaque;
    int irq;
};

static inline void irq_set(const struct irq_line *line, int level)
{
    if (line && line->set)
        line->set(line->opaque, line->irq, level);
}

#endif
