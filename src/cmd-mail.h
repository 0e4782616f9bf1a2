/* SPDX-License-Identifier: MIT */
/* cmd-mail - the `recoil mail` pipe command. */
#ifndef RECOIL_CMD_MAIL_H
#define RECOIL_CMD_MAIL_H

#include "cli.h"

/* cmd_mail_run - `recoil mail --from=SENDER --to=RECIPIENT`; see struct
 * command.  Runs in pipe mode: exit codes per Postfix pipe(8). */
recoil_outcome cmd_mail_run (struct cli *cli, int argc, char **argv);

#endif
