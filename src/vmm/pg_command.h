/* `ringlab pg ...`: the Popek-Goldberg subcommands (the audit; the
 * monitor strategies). */
#ifndef RINGLAB_PG_COMMAND_H
#define RINGLAB_PG_COMMAND_H

/* argv[0] is "pg".  Returns the exit status (status.h). */
int pg_command(int argc, char **argv);

#endif
