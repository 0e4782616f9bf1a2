/* SPDX-License-Identifier: MIT */
/* cmd-db - `recoil store init` and `recoil store copy`: the state store
 * itself, its schema and moving it between backends. */
#ifndef RECOIL_CMD_DB_H
#define RECOIL_CMD_DB_H

#include "cli.h"

/* cmd_db_run - `recoil store ACTION ...`; see struct command. */
recoil_outcome cmd_db_run (struct cli *cli, int argc, char **argv);

#endif
