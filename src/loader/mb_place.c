/* Placing the boot loader's data around the kernel (see mb_place.h). */
#include "loader/mb_place.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/text.h"

#define PAGE_SIZE 0x1000u

/* The memory map and the structure where QEMU's boot ROM writes them. */
static const struct mb_range info_default = {MULTIBOOT_MMAP_ADDR,
                                             MULTIBOOT_INFO_ADDR + MULTIBOOT_INFO_SIZE};
static const struct mb_range video_rom = {MULTIBOOT_VIDEO_ROM_START, MULTIBOOT_VIDEO_ROM_END};

static uint64_t page_align(uint64_t v)
{
    return (v + PAGE_SIZE - 1) & ~(uint64_t)(PAGE_SIZE - 1);
}

static bool overlaps(uint64_t start, uint64_t end, const struct mb_range *r)
{
    return start < r->end && r->start < end;
}

/* The layout from the module list on, in offsets from it. */
struct tail {
    uint64_t head;     /* list + strings (+ map and structure when moved) */
    uint64_t info_off; /* where the map goes when moved */
    uint64_t run;      /* through the last module's page */
};

static void lay_out(const struct mb_place_request *req, bool moved, struct tail *t,
                    uint64_t *mod_off)
{
    uint64_t strings_end = (uint64_t)req->nmods * MULTIBOOT_MOD_ENTRY_SIZE + req->strings_size;
    t->info_off = (strings_end + 3) & ~(uint64_t)3;
    t->head = moved ? t->info_off + req->info_size : strings_end;
    uint64_t off = page_align(t->head);
    for (size_t i = 0; i < req->nmods; i++) {
        mod_off[i] = off;
        off = page_align(off + req->mods[i].size);
    }
    t->run = off;
}

/* Checks that [start, end), `what`, is free for the loader's data: in RAM,
 * off the video and ROM area, off the kernel and, unless the map and
 * structure moved, off their place. */
static enum load_status check_free(const struct mb_place_request *req, bool moved,
                                   uint64_t start, uint64_t end, const char *name,
                                   const char *what, char *err, size_t errlen)
{
    if (end > req->ram_size) {
        text_file_error(err, errlen, name,
                        "%s at 0x%llx-0x%llx lies outside RAM (0x%llx bytes, %llu MiB)", what,
                        (unsigned long long)start, (unsigned long long)(end - 1),
                        (unsigned long long)req->ram_size,
                        (unsigned long long)(req->ram_size >> 20));
        return LOAD_TOO_BIG;
    }
    const struct mb_range *hit = NULL;
    const char *hit_what = NULL;
    if (overlaps(start, end, &video_rom)) {
        hit = &video_rom;
        hit_what = "the video memory and ROM area";
    } else if (!moved && overlaps(start, end, &info_default)) {
        hit = &info_default;
        hit_what = "the Multiboot information area";
    }
    for (size_t i = 0; hit == NULL && i < req->nkernel; i++) {
        if (overlaps(start, end, &req->kernel[i])) {
            hit = &req->kernel[i];
            hit_what = "the kernel";
        }
    }
    if (hit != NULL) {
        text_file_error(err, errlen, name, "%s at 0x%llx-0x%llx overlaps %s at 0x%llx-0x%llx",
                        what, (unsigned long long)start, (unsigned long long)(end - 1), hit_what,
                        (unsigned long long)hit->start, (unsigned long long)(hit->end - 1));
        return LOAD_OVERLAP;
    }
    return LOAD_OK;
}

/* Whether everything fits with the module list at `start`. */
static enum load_status try_at(const struct mb_place_request *req, bool moved, uint64_t start,
                               const struct tail *t, const uint64_t *mod_off, char *err,
                               size_t errlen)
{
    enum load_status st =
        check_free(req, moved, start, start + t->head, req->name,
                   moved ? "the module list, command lines and information structure"
                         : "the module list and command lines",
                   err, errlen);
    for (size_t i = 0; st == LOAD_OK && i < req->nmods; i++) {
        char what[64];
        snprintf(what, sizeof what, "module %zu", i + 1);
        const struct mb_module *m = &req->mods[i];
        st = check_free(req, moved, start + mod_off[i], start + mod_off[i] + m->size,
                        m->name ? m->name : req->name, what, err, errlen);
    }
    /* The whole run is written (zeroed first), the gaps between pages too. */
    if (st == LOAD_OK)
        st = check_free(req, moved, start, start + t->run, req->name,
                        "the boot data and modules", err, errlen);
    return st;
}

/* Places to try after QEMU's: page-aligned ends of what is in the way, at
 * or above `first` in address order, then below it. */
static size_t candidates(const struct mb_place_request *req, uint64_t first, uint64_t *c)
{
    size_t n = 0;
    c[n++] = PAGE_SIZE; /* the lowest page a PC leaves free (page 0: IVT, BDA) */
    c[n++] = page_align(info_default.end);
    c[n++] = video_rom.end;
    for (size_t i = 0; i < req->nkernel; i++)
        c[n++] = page_align(req->kernel[i].end);
    for (size_t i = 1; i < n; i++) /* insertion sort: above `first`, then below */
        for (size_t j = i; j > 0; j--) {
            uint64_t a = c[j - 1], b = c[j];
            bool swap = (a < first) == (b < first) ? a > b : a < first;
            if (!swap)
                break;
            c[j - 1] = b;
            c[j] = a;
        }
    return n;
}

enum load_status mb_place_boot_data(const struct mb_place_request *req, struct mb_place *out,
                                    char *err, size_t errlen)
{
    uint64_t *mod_off = calloc(req->nmods ? req->nmods : 1, sizeof *mod_off);
    uint64_t *cand = malloc((req->nkernel + 3) * sizeof *cand);
    if (mod_off == NULL || cand == NULL) {
        free(mod_off);
        free(cand);
        text_file_error(err, errlen, req->name, "out of host memory for %zu modules",
                        req->nmods);
        return LOAD_TOO_BIG;
    }
    struct tail t;
    /* The map and structure stay at 0x9000 unless the kernel or, at QEMU's
     * place, the list or a module covers it. */
    bool moved = false;
    for (size_t i = 0; i < req->nkernel; i++)
        moved = moved || overlaps(info_default.start, info_default.end, &req->kernel[i]);
    if (!moved) {
        lay_out(req, false, &t, mod_off);
        moved = overlaps(req->qemu_start, req->qemu_start + t.head, &info_default);
        for (size_t i = 0; i < req->nmods; i++)
            moved = moved || overlaps(req->qemu_start + mod_off[i],
                                      req->qemu_start + mod_off[i] + req->mods[i].size,
                                      &info_default);
    }
    lay_out(req, moved, &t, mod_off);
    uint64_t start = req->qemu_start;
    enum load_status first = try_at(req, moved, start, &t, mod_off, err, errlen);
    enum load_status st = first;
    if (st != LOAD_OK) {
        char scratch[256];
        size_t nc = candidates(req, req->qemu_start, cand);
        /* Elsewhere, with the map and structure where they are; then with
         * them moved too, in case only their place was in the way. */
        for (int pass = moved ? 1 : 0; pass < 2 && st != LOAD_OK; pass++) {
            moved = pass == 1;
            lay_out(req, moved, &t, mod_off);
            for (size_t i = 0; i < nc && st != LOAD_OK; i++) {
                start = cand[i];
                st = try_at(req, moved, start, &t, mod_off, scratch, sizeof scratch);
            }
        }
        if (st != LOAD_OK) {
            size_t len = strlen(err);
            snprintf(err + len, errlen > len ? errlen - len : 0,
                     ", and no other free memory holds them (0x%llx bytes)",
                     (unsigned long long)t.run);
            st = first;
        }
    }
    if (st == LOAD_OK) {
        out->list = start;
        out->info_moved = moved;
        out->info_area = moved ? start + t.info_off : MULTIBOOT_MMAP_ADDR;
        for (size_t i = 0; i < req->nmods; i++)
            out->mod[i] = start + mod_off[i];
        out->end = start + t.run;
        if (err && errlen)
            err[0] = '\0';
    }
    free(mod_off);
    free(cand);
    return st;
}
