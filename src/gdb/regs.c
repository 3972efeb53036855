/* The stub's registers (see regs.h).  The x87 registers are shown in
 * stack order, ST(0) first (SDM Vol. 1 8.1.2); CR0 and CR4 as flags, so
 * that gdb prints `[ PG WP ET PE ]`. */
#include "gdb/regs.h"

#include <string.h>

#include "gdb/packet.h"

static const char target_xml[] =
    "<?xml version=\"1.0\"?>\n"
    "<!DOCTYPE target SYSTEM \"gdb-target.dtd\">\n"
    "<target version=\"1.0\">\n"
    "<architecture>i386</architecture>\n"
    "<feature name=\"org.gnu.gdb.i386.core\">\n"
    "<flags id=\"i386_eflags\" size=\"4\">\n"
    "<field name=\"CF\" start=\"0\" end=\"0\"/><field name=\"\" start=\"1\" end=\"1\"/>\n"
    "<field name=\"PF\" start=\"2\" end=\"2\"/><field name=\"AF\" start=\"4\" end=\"4\"/>\n"
    "<field name=\"ZF\" start=\"6\" end=\"6\"/><field name=\"SF\" start=\"7\" end=\"7\"/>\n"
    "<field name=\"TF\" start=\"8\" end=\"8\"/><field name=\"IF\" start=\"9\" end=\"9\"/>\n"
    "<field name=\"DF\" start=\"10\" end=\"10\"/><field name=\"OF\" start=\"11\" end=\"11\"/>\n"
    "<field name=\"NT\" start=\"14\" end=\"14\"/><field name=\"RF\" start=\"16\" end=\"16\"/>\n"
    "<field name=\"VM\" start=\"17\" end=\"17\"/><field name=\"AC\" start=\"18\" end=\"18\"/>\n"
    "<field name=\"VIF\" start=\"19\" end=\"19\"/><field name=\"VIP\" start=\"20\" end=\"20\"/>\n"
    "<field name=\"ID\" start=\"21\" end=\"21\"/>\n"
    "</flags>\n"
    "<reg name=\"eax\" bitsize=\"32\" type=\"int32\" regnum=\"0\"/>\n"
    "<reg name=\"ecx\" bitsize=\"32\" type=\"int32\"/>\n"
    "<reg name=\"edx\" bitsize=\"32\" type=\"int32\"/>\n"
    "<reg name=\"ebx\" bitsize=\"32\" type=\"int32\"/>\n"
    "<reg name=\"esp\" bitsize=\"32\" type=\"data_ptr\"/>\n"
    "<reg name=\"ebp\" bitsize=\"32\" type=\"data_ptr\"/>\n"
    "<reg name=\"esi\" bitsize=\"32\" type=\"int32\"/>\n"
    "<reg name=\"edi\" bitsize=\"32\" type=\"int32\"/>\n"
    "<reg name=\"eip\" bitsize=\"32\" type=\"code_ptr\"/>\n"
    "<reg name=\"eflags\" bitsize=\"32\" type=\"i386_eflags\"/>\n"
    "<reg name=\"cs\" bitsize=\"32\" type=\"int32\"/>\n"
    "<reg name=\"ss\" bitsize=\"32\" type=\"int32\"/>\n"
    "<reg name=\"ds\" bitsize=\"32\" type=\"int32\"/>\n"
    "<reg name=\"es\" bitsize=\"32\" type=\"int32\"/>\n"
    "<reg name=\"fs\" bitsize=\"32\" type=\"int32\"/>\n"
    "<reg name=\"gs\" bitsize=\"32\" type=\"int32\"/>\n"
    "<reg name=\"st0\" bitsize=\"80\" type=\"i387_ext\"/>\n"
    "<reg name=\"st1\" bitsize=\"80\" type=\"i387_ext\"/>\n"
    "<reg name=\"st2\" bitsize=\"80\" type=\"i387_ext\"/>\n"
    "<reg name=\"st3\" bitsize=\"80\" type=\"i387_ext\"/>\n"
    "<reg name=\"st4\" bitsize=\"80\" type=\"i387_ext\"/>\n"
    "<reg name=\"st5\" bitsize=\"80\" type=\"i387_ext\"/>\n"
    "<reg name=\"st6\" bitsize=\"80\" type=\"i387_ext\"/>\n"
    "<reg name=\"st7\" bitsize=\"80\" type=\"i387_ext\"/>\n"
    "<reg name=\"fctrl\" bitsize=\"32\" type=\"int\" group=\"float\"/>\n"
    "<reg name=\"fstat\" bitsize=\"32\" type=\"int\" group=\"float\"/>\n"
    "<reg name=\"ftag\" bitsize=\"32\" type=\"int\" group=\"float\"/>\n"
    "<reg name=\"fiseg\" bitsize=\"32\" type=\"int\" group=\"float\"/>\n"
    "<reg name=\"fioff\" bitsize=\"32\" type=\"int\" group=\"float\"/>\n"
    "<reg name=\"foseg\" bitsize=\"32\" type=\"int\" group=\"float\"/>\n"
    "<reg name=\"fooff\" bitsize=\"32\" type=\"int\" group=\"float\"/>\n"
    "<reg name=\"fop\" bitsize=\"32\" type=\"int\" group=\"float\"/>\n"
    "</feature>\n"
    "<feature name=\"org.ringlab.gdb.i386.system\">\n"
    "<flags id=\"i386_cr0\" size=\"4\">\n"
    "<field name=\"PE\" start=\"0\" end=\"0\"/><field name=\"MP\" start=\"1\" end=\"1\"/>\n"
    "<field name=\"EM\" start=\"2\" end=\"2\"/><field name=\"TS\" start=\"3\" end=\"3\"/>\n"
    "<field name=\"ET\" start=\"4\" end=\"4\"/><field name=\"NE\" start=\"5\" end=\"5\"/>\n"
    "<field name=\"WP\" start=\"16\" end=\"16\"/><field name=\"AM\" start=\"18\" end=\"18\"/>\n"
    "<field name=\"NW\" start=\"29\" end=\"29\"/><field name=\"CD\" start=\"30\" end=\"30\"/>\n"
    "<field name=\"PG\" start=\"31\" end=\"31\"/>\n"
    "</flags>\n"
    "<flags id=\"i386_cr4\" size=\"4\">\n"
    "<field name=\"VME\" start=\"0\" end=\"0\"/><field name=\"PVI\" start=\"1\" end=\"1\"/>\n"
    "<field name=\"TSD\" start=\"2\" end=\"2\"/><field name=\"DE\" start=\"3\" end=\"3\"/>\n"
    "<field name=\"PSE\" start=\"4\" end=\"4\"/><field name=\"PAE\" start=\"5\" end=\"5\"/>\n"
    "<field name=\"MCE\" start=\"6\" end=\"6\"/><field name=\"PGE\" start=\"7\" end=\"7\"/>\n"
    "<field name=\"PCE\" start=\"8\" end=\"8\"/><field name=\"OSFXSR\" start=\"9\" end=\"9\"/>\n"
    "<field name=\"OSXMMEXCPT\" start=\"10\" end=\"10\"/>\n"
    "<field name=\"UMIP\" start=\"11\" end=\"11\"/>\n"
    "</flags>\n"
    "<reg name=\"fs_base\" bitsize=\"32\" type=\"int32\" group=\"system\"/>\n"
    "<reg name=\"gs_base\" bitsize=\"32\" type=\"int32\" group=\"system\"/>\n"
    "<reg name=\"cr0\" bitsize=\"32\" type=\"i386_cr0\" group=\"system\"/>\n"
    "<reg name=\"cr2\" bitsize=\"32\" type=\"int32\" group=\"system\"/>\n"
    "<reg name=\"cr3\" bitsize=\"32\" type=\"int32\" group=\"system\"/>\n"
    "<reg name=\"cr4\" bitsize=\"32\" type=\"i386_cr4\" group=\"system\"/>\n"
    "<reg name=\"gdtr_base\" bitsize=\"32\" type=\"data_ptr\" group=\"system\"/>\n"
    "<reg name=\"gdtr_limit\" bitsize=\"32\" type=\"int32\" group=\"system\"/>\n"
    "<reg name=\"idtr_base\" bitsize=\"32\" type=\"data_ptr\" group=\"system\"/>\n"
    "<reg name=\"idtr_limit\" bitsize=\"32\" type=\"int32\" group=\"system\"/>\n"
    "<reg name=\"ldtr\" bitsize=\"32\" type=\"int32\" group=\"system\"/>\n"
    "<reg name=\"tr\" bitsize=\"32\" type=\"int32\" group=\"system\"/>\n"
    "<reg name=\"cpl\" bitsize=\"32\" type=\"int32\" group=\"general\"/>\n"
    "</feature>\n"
    "</target>\n";

const char *gdb_target_xml(void)
{
    return target_xml;
}

size_t gdb_reg_size(int n)
{
    if (n < 0 || n >= GDB_NREGS)
        return 0;
    return n >= GDB_ST0 && n < GDB_ST0 + 8 ? 10 : 4;
}

/* The segment registers in the description's order. */
static const enum seg_reg seg_order[6] = {SEG_CS, SEG_SS, SEG_DS, SEG_ES, SEG_FS, SEG_GS};

static uint32_t reg32(int n, const struct cpu_state *st, const struct fpu_state *f)
{
    if (n < 8)
        return st->gpr[n];
    if (n >= GDB_CS && n <= GDB_GS)
        return st->seg[seg_order[n - GDB_CS]].selector;
    switch (n) {
    case GDB_EIP: return st->eip;
    case GDB_EFLAGS: return st->eflags;
    case GDB_FCTRL: return f->fctrl;
    case GDB_FSTAT: return f->fstat;
    case GDB_FTAG: return f->ftag;
    case GDB_FISEG: return f->fiseg;
    case GDB_FIOFF: return f->fioff;
    case GDB_FOSEG: return f->foseg;
    case GDB_FOOFF: return f->fooff;
    case GDB_FOP: return f->fop;
    case GDB_FS_BASE: return st->seg[SEG_FS].base;
    case GDB_GS_BASE: return st->seg[SEG_GS].base;
    case GDB_CR0: return st->cr0;
    case GDB_CR2: return st->cr2;
    case GDB_CR3: return st->cr3;
    case GDB_CR4: return st->cr4;
    case GDB_GDTR_BASE: return st->gdtr.base;
    case GDB_GDTR_LIMIT: return st->gdtr.limit;
    case GDB_IDTR_BASE: return st->idtr.base;
    case GDB_IDTR_LIMIT: return st->idtr.limit;
    case GDB_LDTR: return st->ldtr.selector;
    case GDB_TR: return st->tr.selector;
    case GDB_CPL: return st->cpl;
    }
    return 0;
}

static void put_le32(uint8_t *out, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        out[i] = (uint8_t)(v >> (8 * i));
}

bool gdb_reg_get(int n, const struct cpu_state *st, const struct fpu_state *fpu, uint8_t *out)
{
    if (!gdb_reg_size(n))
        return false;
    if (n >= GDB_ST0 && n < GDB_ST0 + 8)
        memcpy(out, fpu->st[n - GDB_ST0], 10);
    else
        put_le32(out, reg32(n, st, fpu));
    return true;
}

bool gdb_reg_set(int n, struct cpu_state *st, const struct fpu_state *fpu, const uint8_t *value)
{
    size_t size = gdb_reg_size(n);
    if (!size)
        return false;
    uint8_t now[10];
    gdb_reg_get(n, st, fpu, now);
    if (memcmp(now, value, size) == 0)
        return true;
    uint32_t v = (uint32_t)value[0] | (uint32_t)value[1] << 8 | (uint32_t)value[2] << 16 |
                 (uint32_t)value[3] << 24;
    if (n < 8)
        st->gpr[n] = v;
    else if (n == GDB_EIP)
        st->eip = v;
    else if (n == GDB_EFLAGS)
        st->eflags = v;
    else
        return false;
    return true;
}

size_t gdb_regs_hex(const struct cpu_state *st, const struct fpu_state *fpu, char *out, size_t cap)
{
    size_t n = 0;
    for (int r = 0; r < GDB_NREGS; r++) {
        uint8_t v[10];
        size_t size = gdb_reg_size(r);
        if (n + 2 * size + 1 > cap)
            return 0;
        gdb_reg_get(r, st, fpu, v);
        gdb_hex_encode(v, size, out + n);
        n += 2 * size;
    }
    return n;
}
