/* SPDX-License-Identifier: MIT */
/* cmd-outbox - `recoil retry` and `recoil outbox`: the provider actions
 * waiting in the outbox. */
#ifndef RECOIL_CMD_OUTBOX_H
#define RECOIL_CMD_OUTBOX_H

#include "cli.h"

/* cmd_retry_run - carry out due actions; RECOIL_WORK_LEFT when some wait. */
recoil_outcome cmd_retry_run (struct cli *cli, int argc, char **argv);

/* cmd_outbox_run - list, requeue or drop outbox entries. */
recoil_outcome cmd_outbox_run (struct cli *cli, int argc, char **argv);

#endif
