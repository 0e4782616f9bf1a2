/* SPDX-License-Identifier: MIT */
/* cmd-store - `recoil status`, `list`, `reset`, `ignore`, `import`,
 * `stats`: the operator's commands over the state store. */
#ifndef RECOIL_CMD_STORE_H
#define RECOIL_CMD_STORE_H

#include "cli.h"
#include "conf.h"
#include "store.h"

/* cmd_store_open - load the configuration (cli_load_conf with CONF_FLAGS)
 * and open the store it names; RECOIL_TEMPORARY when the store cannot be
 * opened (logged). */
recoil_outcome cmd_store_open (struct cli *cli, unsigned conf_flags, struct conf **conf,
                               struct store **store);

/* cmd_store_run - one of the store commands, named by ARGV[0]; see struct
 * command. */
recoil_outcome cmd_store_run (struct cli *cli, int argc, char **argv);

#endif
