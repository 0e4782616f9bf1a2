/* SPDX-License-Identifier: MIT */
/* exitcode - the one table that turns an outcome into a process exit status
 *
 * recoil runs in two modes.  Pipe commands (`recoil mail`, `recoil acct`)
 * are run by an MTA, and Postfix pipe(8) reads their exit status: only 0,
 * 71 and 75 avoid a bounce, 75 (EX_TEMPFAIL) keeps the mail in the queue for
 * a retry, and every other sysexits code bounces the message (67 EX_NOUSER
 * as 5.1.1).  So in pipe mode every failure an operator can fix maps to 75,
 * and 67 appears only when the operator asked to reject unknown local parts.
 * Admin commands are run by a person or cron and use the ordinary sysexits
 * codes, so that scripts can tell a usage error from a bad configuration.
 */
#ifndef RECOIL_EXITCODE_H
#define RECOIL_EXITCODE_H

#include <glib.h>

/* What happened, independent of who runs us. */
typedef enum {
  RECOIL_DONE = 0,  /* handled, or ignored on purpose */
  RECOIL_USAGE,     /* bad command line */
  RECOIL_CONFIG,    /* configuration unreadable or invalid */
  RECOIL_TEMPORARY, /* store busy or full, disk, lock, provider down */
  RECOIL_INPUT,     /* an input file given on the command line is unusable */
  RECOIL_INVALID,   /* an argument or input value is wrong (admin commands) */
  RECOIL_REJECT,    /* local part at our domains is not ours (--reject-unknown) */
  RECOIL_WORK_LEFT, /* the command ran but left work for a later run */
  RECOIL_INTERNAL,  /* a bug in recoil */
  RECOIL_OUTCOME_COUNT
} recoil_outcome;

typedef enum {
  EXITCODE_ADMIN, /* run by a person, a script or cron */
  EXITCODE_PIPE   /* run by an MTA (Postfix pipe(8), PowerMTA pipes) */
} exitcode_mode;

/* exitcode_for - the exit status for OUTCOME in MODE.
 * Never returns a status that makes Postfix bounce a mail in pipe mode,
 * except 67 for RECOIL_REJECT (protocols.md 2.4). */
int exitcode_for (recoil_outcome outcome, exitcode_mode mode);

/* exitcode_name - a short stable name for OUTCOME ("done", "tempfail", ...);
 * static storage, never NULL. */
const char *exitcode_name (recoil_outcome outcome);

/* exitcode_meaning - one sentence for documentation and --help output;
 * static storage, never NULL. */
const char *exitcode_meaning (recoil_outcome outcome);

#endif
