/* Boot files (see images.h). */
#include "front/images.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Read a whole file; false with a message naming it. */
static bool read_whole(const char *path, const char *what, struct blob *out,
                       void (*say)(const char *fmt, ...))
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        say("%s: cannot open %s: %s", path, what, strerror(errno));
        return false;
    }
    struct stat sb;
    if (fstat(fileno(f), &sb) != 0 || !S_ISREG(sb.st_mode)) {
        say("%s: %s is not a regular file", path, what);
        fclose(f);
        return false;
    }
    out->size = (size_t)sb.st_size;
    out->data = malloc(out->size ? out->size : 1);
    if (!out->data || fread(out->data, 1, out->size, f) != out->size) {
        say("%s: cannot read %s", path, what);
        free(out->data);
        out->data = NULL;
        fclose(f);
        return false;
    }
    fclose(f);
    return true;
}

bool images_read(struct image_set *set, const struct options *o, const char *kernel_path,
                 const char *bundled_initrd, void (*say)(const char *fmt, ...))
{
    memset(set, 0, sizeof *set);
    set->kernel_path = kernel_path;
    set->flat_allowed = o->image && !o->image_is_kernel && o->module_count == 0;
    set->has_load_addr = o->has_load_addr;
    set->load_addr = o->load_addr;
    set->cmdline = o->append ? o->append : "";
    if (!read_whole(kernel_path, "the kernel", &set->kernel, say))
        return false;
    size_t n = bundled_initrd ? 1 : o->module_count;
    set->modules = calloc(n ? n : 1, sizeof *set->modules);
    set->mods = calloc(n ? n : 1, sizeof *set->mods);
    if (!set->modules || !set->mods) {
        say("out of memory");
        return false;
    }
    for (size_t i = 0; i < n; i++) {
        const char *path = bundled_initrd ? bundled_initrd : o->modules[i].path;
        const char *cmd = bundled_initrd ? bundled_initrd : o->modules[i].cmdline;
        if (!read_whole(path, "the module", &set->modules[i], say))
            return false;
        set->mods[i] = (struct mb_module){path, cmd, set->modules[i].data, set->modules[i].size};
        set->nmods++;
    }
    return true;
}

void images_free(struct image_set *set)
{
    free(set->kernel.data);
    for (size_t i = 0; i < set->nmods; i++)
        free(set->modules[i].data);
    free(set->modules);
    free(set->mods);
    memset(set, 0, sizeof *set);
}

bool images_load(void *opaque, uint8_t *ram, size_t ram_size, struct boot_info *boot, char *err,
                 size_t errlen)
{
    const struct image_set *set = opaque;
    enum load_status st = multiboot_load(set->kernel.data, set->kernel.size, set->kernel_path,
                                         set->cmdline, set->mods, set->nmods, ram, ram_size, boot,
                                         err, errlen);
    /* The short form takes a flat binary too; -kernel, as QEMU's, does not. */
    if (st == LOAD_NOT_MULTIBOOT && set->flat_allowed) {
        err[0] = '\0';
        st = flat_load(set->kernel.data, set->kernel.size, set->kernel_path,
                       set->has_load_addr ? set->load_addr : FLAT_DEFAULT_LOAD_ADDR, ram, ram_size,
                       boot, err, errlen);
    }
    return st == LOAD_OK;
}

/* The directory the running binary is in; false when unknown. */
static bool exe_dir(char *dir, size_t n)
{
    ssize_t len = readlink("/proc/self/exe", dir, n - 1);
    if (len <= 0)
        return false;
    dir[len] = 0;
    char *slash = strrchr(dir, '/');
    if (!slash)
        return false;
    *slash = 0;
    return true;
}

bool images_find_firmware(const char *datadir, char *rom, size_t n)
{
    char exe[PATH_MAX - 64];
    if (exe_dir(exe, sizeof exe)) {
        snprintf(rom, n, "%s/firmware/bios.bin", exe);
        if (access(rom, R_OK) == 0)
            return true;
    }
    const char *dir = getenv("RINGLAB_DATADIR");
    snprintf(rom, n, "%s/bios.bin", dir ? dir : datadir);
    return access(rom, R_OK) == 0;
}

bool images_find_bundled(const char *datadir, const char *kernel_name, char *kernel, char *initrd,
                         size_t n)
{
    char exe[PATH_MAX - 64]; /* room for the file names appended below */
    ssize_t len = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (len > 0) {
        exe[len] = 0;
        char *slash = strrchr(exe, '/');
        if (slash) {
            *slash = 0;
            snprintf(kernel, n, "%s/guests/kernel/%s", exe, kernel_name);
            snprintf(initrd, n, "%s/guests/initrd.img", exe);
            if (access(kernel, R_OK) == 0 && access(initrd, R_OK) == 0)
                return true;
        }
    }
    const char *dir = getenv("RINGLAB_DATADIR");
    if (!dir)
        dir = datadir;
    snprintf(kernel, n, "%s/%s", dir, kernel_name);
    snprintf(initrd, n, "%s/initrd.img", dir);
    return access(kernel, R_OK) == 0 && access(initrd, R_OK) == 0;
}

bool images_native_beside(const char *pv_kernel, char *native, size_t n)
{
    static const char pv_name[] = "kernel-pv.elf";
    size_t len = strlen(pv_kernel), tail = sizeof pv_name - 1;
    if (len < tail || strcmp(pv_kernel + len - tail, pv_name) != 0 ||
        (len > tail && pv_kernel[len - tail - 1] != '/'))
        return false;
    if ((size_t)snprintf(native, n, "%.*skernel.elf", (int)(len - tail), pv_kernel) >= n)
        return false;
    return access(native, R_OK) == 0;
}
