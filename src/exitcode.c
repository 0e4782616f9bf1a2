/* SPDX-License-Identifier: MIT */
/* exitcode - outcome to exit status, for pipe(8) and for people.
 *
 * STANDARDS: sysexits.h; Postfix pipe(8) and sys_exits.c semantics:
 * 0 delivered, 71/75 deferred, every other code bounced.
 */
#include "config.h"

#include "exitcode.h"

/* sysexits(3) values, spelled out so that nothing depends on the header. */
enum {
  EX_OK_ = 0,
  EX_USAGE_ = 64,
  EX_DATAERR_ = 65,
  EX_NOINPUT_ = 66,
  EX_NOUSER_ = 67,
  EX_SOFTWARE_ = 70,
  EX_TEMPFAIL_ = 75,
  EX_CONFIG_ = 78
};

struct exitcode_row {
  recoil_outcome outcome;
  const char *name;
  int pipe;  /* run by an MTA */
  int admin; /* run by a person or cron */
  const char *meaning;
};

/* One row per outcome, in enum order (checked by the unit test). */
static const struct exitcode_row exitcode_table[RECOIL_OUTCOME_COUNT] = {
  { RECOIL_DONE, "done", EX_OK_, EX_OK_, "handled, or ignored on purpose" },
  { RECOIL_USAGE, "usage", EX_TEMPFAIL_, EX_USAGE_,
    "bad command line; an MTA keeps the mail until the pipe is fixed" },
  { RECOIL_CONFIG, "config", EX_TEMPFAIL_, EX_CONFIG_,
    "configuration unreadable or invalid; an MTA keeps the mail until it is fixed" },
  { RECOIL_TEMPORARY, "tempfail", EX_TEMPFAIL_, EX_TEMPFAIL_,
    "temporary trouble (state store, disk, lock); try again later" },
  { RECOIL_INPUT, "input", EX_TEMPFAIL_, EX_NOINPUT_, "an input file could not be read" },
  { RECOIL_INVALID, "invalid", EX_TEMPFAIL_, EX_DATAERR_, "an argument or input value is wrong" },
  { RECOIL_REJECT, "reject", EX_NOUSER_, EX_NOUSER_,
    "the local part at our domain is not ours and rejection was asked for" },
  { RECOIL_WORK_LEFT, "work-left", EX_OK_, EX_TEMPFAIL_, "the run ended with work left for a later run" },
  { RECOIL_INTERNAL, "internal", EX_TEMPFAIL_, EX_SOFTWARE_,
    "an internal error in recoil; an MTA keeps the mail" },
};

/* exitcode_row_of - the row for OUTCOME, or the internal-error row. */
static const struct exitcode_row *
exitcode_row_of (recoil_outcome outcome)
{
  if ((unsigned) outcome >= RECOIL_OUTCOME_COUNT)
    outcome = RECOIL_INTERNAL;
  return &exitcode_table[outcome];
}

int
exitcode_for (recoil_outcome outcome, exitcode_mode mode)
{
  const struct exitcode_row *row = exitcode_row_of (outcome);

  return mode == EXITCODE_PIPE ? row->pipe : row->admin;
}

const char *
exitcode_name (recoil_outcome outcome)
{
  return exitcode_row_of (outcome)->name;
}

const char *
exitcode_meaning (recoil_outcome outcome)
{
  return exitcode_row_of (outcome)->meaning;
}
