/* SPDX-License-Identifier: MIT */
/* cmd-verp - the `recoil verp` command. */
#ifndef RECOIL_CMD_VERP_H
#define RECOIL_CMD_VERP_H

#include "cli.h"

/* cmd_verp_run - `recoil verp encode|decode`; see struct command. */
recoil_outcome cmd_verp_run (struct cli *cli, int argc, char **argv);

#endif
