/* Disassembly of guest code with Capstone: instruction text for the trace
 * explanations and the debugger, and instruction counts for the clock. */
#ifndef RINGLAB_DISASM_H
#define RINGLAB_DISASM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct disasm;

struct disasm *disasm_open(void);
void disasm_close(struct disasm *d);
/* Instructions in code[0..size), decoded as 32-bit code; undecodable bytes
 * count as one instruction each. */
unsigned disasm_count(struct disasm *d, const uint8_t *code, size_t size, uint32_t addr);
/* The first instruction: its length (0 if undecodable) and "mnemonic operands". */
int disasm_one(struct disasm *d, const uint8_t *code, size_t size, uint32_t addr, bool code32,
               char *text, size_t textlen);

#endif
