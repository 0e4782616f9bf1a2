/* SPDX-License-Identifier: MIT */
/* cmd-acct - the `recoil acct` pipe command. */
#ifndef RECOIL_CMD_ACCT_H
#define RECOIL_CMD_ACCT_H

#include "cli.h"

/* cmd_acct_run - `recoil acct [FILE...] [--standalone]`; see struct
 * command.  Runs in pipe mode. */
recoil_outcome cmd_acct_run (struct cli *cli, int argc, char **argv);

#endif
