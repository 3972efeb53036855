/* The machine as text, for the debugger and the views: registers with
 * their descriptor caches, EFLAGS and the control registers decoded, the
 * descriptor tables, the TSS, the page tables as ranges, one page walk
 * explained, memory, disassembly, devices and events.  Everything is read
 * through inspect.h; nothing here changes the machine. */
#ifndef RINGLAB_SHOW_H
#define RINGLAB_SHOW_H

#include <stdbool.h>
#include <stdint.h>

#include "cpu/cpu_state.h"
#include "debug/symbols.h"
#include "machine.h"
#include "trace/event.h"
#include "util/strbuf.h"

/* "IF ZF PF IOPL=0" and the rest in Bochs's style: set flags in capitals. */
void show_eflags(uint32_t eflags, struct strbuf *out);
void show_cr0(uint32_t cr0, struct strbuf *out);
void show_cr4(uint32_t cr4, struct strbuf *out);
/* "cs 0x001b (GDT index 3, RPL 3)  base 0x00000000 limit 0xffffffff code, DPL 3, ..." */
void show_segment(const char *name, const struct seg_cache *s, struct strbuf *out);

void show_registers(struct machine *m, const struct symbols *syms, struct strbuf *out);
void show_segments(struct machine *m, struct strbuf *out);
void show_control(struct machine *m, struct strbuf *out);
void show_msrs(struct machine *m, struct strbuf *out);
void show_ring(struct machine *m, struct strbuf *out);

/* Entries first..last (clipped to the table's limit). */
void show_gdt(struct machine *m, unsigned first, unsigned last, struct strbuf *out);
void show_ldt(struct machine *m, unsigned first, unsigned last, struct strbuf *out);
void show_idt(struct machine *m, unsigned first, unsigned last, struct strbuf *out);
void show_tss(struct machine *m, struct strbuf *out);
/* The current page tables as ranges of linear addresses with the same rights. */
void show_page_tables(struct machine *m, struct strbuf *out);
/* The walk of one linear address, with what each kind of access would do. */
void show_page(struct machine *m, uint32_t linear, struct strbuf *out);

/* count units of `unit` bytes (1, 2, 4, 8) from addr, as hex, or as
 * unsigned or signed decimal ('x', 'u', 'd'), or characters ('c').
 * Returns false (with a line in out) when the memory cannot be read. */
bool show_memory(struct machine *m, bool physical, uint32_t addr, unsigned count, unsigned unit,
                 char format, struct strbuf *out);
/* n instructions from linear addr in the current address space; returns
 * the address after the last one shown. */
uint32_t show_disasm(struct machine *m, const struct symbols *syms, uint32_t addr, unsigned n,
                     struct strbuf *out);
/* "<name+0x12 in hello>" for a linear address, or nothing. */
void show_symbol(struct machine *m, const struct symbols *syms, uint32_t addr, struct strbuf *out);

/* One event: "#12 icount 2480055 #PF e=0005 CPL 3 -> 0  001b:080480fb -> 0008:c01000f4" and
 * its explanation on the next line. */
void show_event(struct machine *m, const struct trace_event *ev, struct strbuf *out);
/* For the bundled kernel's system call entries: "  call: write(1, "hi\n", 3)"
 * (the strings read now, in the event's address space); nothing for others. */
void show_syscall(struct machine *m, const struct trace_event *ev, struct strbuf *out);
/* The last n events; with syscall_names, each system call as show_syscall says it. */
void show_events(struct machine *m, unsigned n, bool syscall_names, struct strbuf *out);

void show_pic(struct machine *m, struct strbuf *out);
void show_pit(struct machine *m, struct strbuf *out);
void show_uart(struct machine *m, struct strbuf *out);

#endif
