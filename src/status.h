/* Exit statuses of the ringlab command, in one place so that --help, the
 * man page and the code agree.  isa-debug-exit statuses are (value << 1) | 1,
 * always odd, as QEMU makes them; ringlab's own statuses are even so the two
 * can never be confused. */
#ifndef RINGLAB_STATUS_H
#define RINGLAB_STATUS_H

enum ringlab_exit {
    RL_EXIT_POWEROFF = 0,     /* the guest powered off, or halted for good */
    RL_EXIT_USAGE = 2,        /* a wrong or missing option */
    RL_EXIT_BAD_IMAGE = 4,    /* an image or module that cannot be loaded */
    RL_EXIT_TRIPLE_FAULT = 6, /* triple fault under -no-reboot */
    RL_EXIT_LIMIT = 8,        /* --max-insns or --timeout reached */
    RL_EXIT_HOST = 10,        /* the host failed: a file, memory, the engine */
    RL_EXIT_GUEST_ERROR = 12, /* the guest left the machine: e.g. ran code outside RAM */
    RL_EXIT_NO_VIEW = 14,     /* the view was asked for and cannot open: no display, no
                                 font, or built without it */
};

#endif
