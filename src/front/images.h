/* The files a run boots from: the kernel (or the lone IMAGE), its modules
 * and command line, read once at start-up, and the machine's load callback
 * that puts them into RAM at power-on and at every reset. */
#ifndef RINGLAB_IMAGES_H
#define RINGLAB_IMAGES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "loader/multiboot.h"
#include "options.h"

struct blob {
    uint8_t *data;
    size_t size;
};

struct image_set {
    const char *kernel_path;
    struct blob kernel;
    struct blob *modules;
    struct mb_module *mods;
    size_t nmods;
    const char *cmdline;
    bool flat_allowed; /* the lone IMAGE may be a flat binary; -kernel may not */
    bool has_load_addr;
    uint32_t load_addr;
};

/* Read the kernel and the modules (bundled_initrd: the bundled guest's
 * single module).  On failure: false, the message printed by `say`. */
bool images_read(struct image_set *set, const struct options *o, const char *kernel_path,
                 const char *bundled_initrd, void (*say)(const char *fmt, ...));
void images_free(struct image_set *set);

/* machine_config.load */
bool images_load(void *opaque, uint8_t *ram, size_t ram_size, struct boot_info *boot, char *err,
                 size_t errlen);

/* ringlab's own PC firmware (firmware/bios.bin): beside the binary in a
 * build tree, else installed in datadir (or $RINGLAB_DATADIR). */
bool images_find_firmware(const char *datadir, char *rom, size_t n);

/* The bundled guest: next to the binary in a build tree, else installed
 * in datadir.  kernel_name is "kernel.elf", or "kernel-pv.elf" for the
 * build that runs at ring 1 under the paravirtual monitor.  Fills kernel
 * and initrd (n bytes each). */
bool images_find_bundled(const char *datadir, const char *kernel_name, char *kernel, char *initrd,
                         size_t n);

/* The native kernel.elf beside a kernel-pv.elf (the paravirtual build), for
 * the paravirtual monitor's comparison.  False when the name is not
 * kernel-pv.elf or the native build is not there. */
bool images_native_beside(const char *pv_kernel, char *native, size_t n);

#endif
