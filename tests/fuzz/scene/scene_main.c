/* scene-gen: write one random protection scene as a guest.
 *
 *   scene-gen SEED PREFIX    writes PREFIX.asm (for nasm, with scene.inc)
 *                            and PREFIX.meta (for scene-judge)
 *
 * The same seed gives the same scene, byte for byte.  Exit 0, or 2 for a
 * bad argument or a file that cannot be written. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scene.h"

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: scene-gen SEED PREFIX\n");
        return 2;
    }
    char *end;
    errno = 0;
    unsigned long long seed = strtoull(argv[1], &end, 0);
    if (errno || *end || end == argv[1]) {
        fprintf(stderr, "scene-gen: '%s' is not a seed (a number)\n", argv[1]);
        return 2;
    }
    struct scene s;
    scene_init(&s, seed);
    scene_build_tables(&s);
    scene_build_action(&s);
    size_t n = strlen(argv[2]) + 8;
    char *asm_path = malloc(n), *meta_path = malloc(n);
    if (!asm_path || !meta_path)
        return 2;
    snprintf(asm_path, n, "%s.asm", argv[2]);
    snprintf(meta_path, n, "%s.meta", argv[2]);
    int rc = 0;
    if (!scene_write(&s, asm_path, meta_path)) {
        fprintf(stderr, "scene-gen: cannot write %s: %s\n", asm_path, strerror(errno));
        rc = 2;
    }
    sbuf_free(&s.setup);
    sbuf_free(&s.action);
    sbuf_free(&s.name);
    sbuf_free(&s.meta);
    free(asm_path);
    free(meta_path);
    return rc;
}
