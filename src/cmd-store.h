/* cmd-store - `recoil status`, `list`, `reset`, `ignore`, `import`,
 * `stats`: the operator's commands over the state store. */
#ifndef RECOIL_CMD_STORE_H
#define RECOIL_CMD_STORE_H

#include "cli.h"

/* cmd_store_run - one of the store commands, named by ARGV[0]; see struct
 * command. */
recoil_outcome cmd_store_run (struct cli *cli, int argc, char **argv);

#endif
