/* ls — list the files of the initrd with their sizes. */
#include "user.h"

int main(int argc, char **argv)
{
    struct dirent d;
    for (int i = 0; dirent(i, &d) == 0; i++)
        printf("%8u  %s\n", d.size, d.name);
    return 0;
}
