/* SPDX-License-Identifier: MIT */
/* cmd-parse - the `recoil parse` command. */
#ifndef RECOIL_CMD_PARSE_H
#define RECOIL_CMD_PARSE_H

#include "cli.h"

/* cmd_parse_run - `recoil parse FILE|DIR|MBOX... [--list FILE]`; see struct
 * command. */
recoil_outcome cmd_parse_run (struct cli *cli, int argc, char **argv);

#endif
