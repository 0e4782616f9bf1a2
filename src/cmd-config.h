/* SPDX-License-Identifier: MIT */
/* cmd-config - the `recoil config` command. */
#ifndef RECOIL_CMD_CONFIG_H
#define RECOIL_CMD_CONFIG_H

#include "cli.h"

/* cmd_config_run - `recoil config check|sample`; see struct command. */
recoil_outcome cmd_config_run (struct cli *cli, int argc, char **argv);

#endif
