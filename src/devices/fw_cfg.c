/* The fw_cfg device (see fw_cfg.h): a small table of byte strings and the
 * two ports that read them.  The file directory is itself an item,
 * rebuilt whenever a file is added: a big-endian count, then 64 bytes a
 * file (size and key big-endian, a reserved word, the name). */
#include "devices/fw_cfg.h"

#include <stdlib.h>
#include <string.h>

void fw_cfg_init(struct fw_cfg *f)
{
    memset(f, 0, sizeof *f);
}

void fw_cfg_free(struct fw_cfg *f)
{
    for (int i = 0; i < f->nitems; i++)
        free(f->items[i].data);
    memset(f, 0, sizeof *f);
}

static struct fw_cfg_item *find_key(struct fw_cfg *f, uint16_t key)
{
    for (int i = 0; i < f->nitems; i++)
        if (f->items[i].key == key)
            return &f->items[i];
    return NULL;
}

static bool put(struct fw_cfg *f, uint16_t key, const char *name, const void *data, uint32_t size)
{
    /* The same item again: an unnamed one by its key, a file by its name. */
    struct fw_cfg_item *it = NULL;
    for (int i = 0; i < f->nitems && !it; i++) {
        struct fw_cfg_item *c = &f->items[i];
        if (name[0] ? strcmp(c->name, name) == 0 : (!c->name[0] && c->key == key))
            it = c;
    }
    if (!it) {
        if (f->nitems >= FW_CFG_MAX_ITEMS)
            return false;
        it = &f->items[f->nitems++];
        memset(it, 0, sizeof *it);
    }
    uint8_t *copy = malloc(size ? size : 1);
    if (!copy)
        return false;
    memcpy(copy, data, size);
    free(it->data);
    it->data = copy;
    it->size = size;
    it->key = key;
    strcpy(it->name, name);
    f->current = NULL; /* the table moved: select again */
    return true;
}

bool fw_cfg_add_bytes(struct fw_cfg *f, uint16_t key, const void *data, uint32_t size)
{
    return put(f, key, "", data, size);
}

static void be32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

static int by_name(const void *a, const void *b)
{
    const struct fw_cfg_item *x = *(const struct fw_cfg_item *const *)a;
    const struct fw_cfg_item *y = *(const struct fw_cfg_item *const *)b;
    return strcmp(x->name, y->name);
}

/* Renumbers the files in name order and rebuilds the directory. */
static bool rebuild_directory(struct fw_cfg *f)
{
    struct fw_cfg_item *files[FW_CFG_MAX_ITEMS];
    int n = 0;
    for (int i = 0; i < f->nitems; i++)
        if (f->items[i].name[0])
            files[n++] = &f->items[i];
    qsort(files, (size_t)n, sizeof files[0], by_name);
    uint32_t size = 4 + 64 * (uint32_t)n;
    uint8_t *dir = calloc(1, size);
    if (!dir)
        return false;
    be32(dir, (uint32_t)n);
    for (int i = 0; i < n; i++) {
        uint8_t *e = dir + 4 + 64 * i;
        files[i]->key = (uint16_t)(FW_CFG_FILE_FIRST + i);
        be32(e, files[i]->size);
        e[4] = (uint8_t)(files[i]->key >> 8);
        e[5] = (uint8_t)files[i]->key;
        memcpy(e + 8, files[i]->name, strlen(files[i]->name));
    }
    bool ok = put(f, FW_CFG_FILE_DIR, "", dir, size);
    free(dir);
    return ok;
}

bool fw_cfg_add_file(struct fw_cfg *f, const char *name, const void *data, uint32_t size)
{
    if (name[0] == '\0' || strlen(name) >= FW_CFG_NAME_SIZE)
        return false;
    /* A new file gets a placeholder key until the directory numbers it. */
    return put(f, FW_CFG_FILE_FIRST, name, data, size) && rebuild_directory(f);
}

uint16_t fw_cfg_file_key(const struct fw_cfg *f, const char *name)
{
    for (int i = 0; i < f->nitems; i++)
        if (f->items[i].name[0] && strcmp(f->items[i].name, name) == 0)
            return f->items[i].key;
    return 0;
}

static void le(uint8_t *p, uint64_t v, int n)
{
    for (int i = 0; i < n; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

static void e820_bytes(uint8_t *p, const struct e820_range *r)
{
    le(p, r->base, 8);
    le(p + 8, r->length, 8);
    le(p + 16, r->type, 4);
}

bool fw_cfg_pc_setup(struct fw_cfg *f, uint64_t ram_size, int cpus, bool nographic,
                     const struct e820_range *e820, int n)
{
    uint8_t b[8], uuid[16] = {0};
    bool ok = fw_cfg_add_bytes(f, FW_CFG_SIGNATURE, "QEMU", 4);
    le(b, 1, 4); /* bit 0: the traditional interface; bit 1 (DMA) clear */
    ok = ok && fw_cfg_add_bytes(f, FW_CFG_ID, b, 4);
    ok = ok && fw_cfg_add_bytes(f, FW_CFG_UUID, uuid, sizeof uuid);
    le(b, ram_size, 8);
    ok = ok && fw_cfg_add_bytes(f, FW_CFG_RAM_SIZE, b, 8);
    le(b, nographic, 2);
    ok = ok && fw_cfg_add_bytes(f, FW_CFG_NOGRAPHIC, b, 2);
    le(b, (uint64_t)cpus, 2);
    ok = ok && fw_cfg_add_bytes(f, FW_CFG_NB_CPUS, b, 2);
    ok = ok && fw_cfg_add_bytes(f, FW_CFG_MAX_CPUS, b, 2);
    le(b, 1, 4);
    ok = ok && fw_cfg_add_bytes(f, FW_CFG_IRQ0_OVERRIDE, b, 4);
    /* QEMU's legacy table: a count and room for 16 ranges, the reserved
     * ones only; "etc/e820" has them all. */
    uint8_t legacy[4 + 16 * 20] = {0};
    uint8_t *all = calloc((size_t)(n > 0 ? n : 1), 20);
    if (!all)
        return false;
    int reserved = 0;
    for (int i = 0; i < n; i++) {
        e820_bytes(all + 20 * i, &e820[i]);
        if (e820[i].type != 1 && reserved < 16)
            e820_bytes(legacy + 4 + 20 * reserved++, &e820[i]);
    }
    le(legacy, (uint64_t)reserved, 4);
    ok = ok && fw_cfg_add_bytes(f, FW_CFG_E820_TABLE, legacy, sizeof legacy);
    ok = ok && fw_cfg_add_file(f, "etc/e820", all, (uint32_t)(20 * n));
    free(all);
    return ok;
}

static void select_item(struct fw_cfg *f, uint16_t key)
{
    /* QEMU: the write-channel bit does not change what is read. */
    f->selector = key;
    f->offset = 0;
    f->current = find_key(f, key & (uint16_t)~FW_CFG_WRITE_CHANNEL);
}

uint32_t fw_cfg_read(struct fw_cfg *f, uint16_t port, int size)
{
    if (port != FW_CFG_PORT_DATA || size != 1)
        return bus_all_ones(size);
    if (!f->current || f->offset >= f->current->size)
        return 0;
    return f->current->data[f->offset++];
}

void fw_cfg_write(struct fw_cfg *f, uint16_t port, uint32_t value, int size)
{
    if (port == FW_CFG_PORT_SELECTOR && size == 2)
        select_item(f, (uint16_t)value);
}

static uint32_t io_read(void *opaque, uint16_t port, int size)
{
    return fw_cfg_read(opaque, port, size);
}

static void io_write(void *opaque, uint16_t port, uint32_t value, int size)
{
    fw_cfg_write(opaque, port, value, size);
}

bool fw_cfg_register(struct fw_cfg *f, struct bus *bus)
{
    const struct io_handler h = {FW_CFG_PORT_SELECTOR, 2, "fw_cfg", f, io_read, io_write};
    return bus_register(bus, &h);
}
