/* png_probe FILE X Y: the colour of one pixel of a PNG, as "R G B", read
 * with SDL2_image, for the view's tests to check what a screenshot shows. */
#include <stdio.h>
#include <stdlib.h>

#include <SDL.h>
#include <SDL_image.h>

int main(int argc, char **argv)
{
    if (argc != 4) {
        fprintf(stderr, "usage: png_probe FILE X Y\n");
        return 2;
    }
    SDL_Surface *s = IMG_Load(argv[1]);
    if (!s) {
        fprintf(stderr, "png_probe: %s: %s\n", argv[1], IMG_GetError());
        return 1;
    }
    SDL_Surface *rgb = SDL_ConvertSurfaceFormat(s, SDL_PIXELFORMAT_RGB24, 0);
    SDL_FreeSurface(s);
    int x = atoi(argv[2]), y = atoi(argv[3]);
    if (!rgb || x < 0 || y < 0 || x >= rgb->w || y >= rgb->h) {
        fprintf(stderr, "png_probe: %s: (%d, %d) is outside the picture\n", argv[1], x, y);
        return 1;
    }
    const Uint8 *p = (const Uint8 *)rgb->pixels + y * rgb->pitch + x * 3;
    printf("%u %u %u\n", p[0], p[1], p[2]);
    SDL_FreeSurface(rgb);
    return 0;
}
