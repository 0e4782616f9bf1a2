/* SPDX-License-Identifier: MIT */
/* acct - PowerMTA accounting records into events
 *
 * Columns are found by name in the most recent header record (its first
 * field is `type`), never by position; a new header line re-maps them.
 * Record types b (bounce) and rb (remote bounce) become bounces, f
 * (feedback loop) complaints; every other type is counted and skipped.
 * The class of a bounce comes from its bounceCat through the configured
 * [policy] hard_categories and soft_categories; every other category is
 * sender-side trouble (class ignore).  (protocols.md 1.2-1.5.)
 */
#ifndef RECOIL_ACCT_H
#define RECOIL_ACCT_H

#include <glib.h>

#include "conf.h"
#include "mime/event.h"

struct acct_columns;

/* acct_columns_new - the columns of HEADER (a record whose first field is
 * "type").  Free with acct_columns_free. */
struct acct_columns *acct_columns_new (GPtrArray *header);
void acct_columns_free (struct acct_columns *c);

/* acct_is_header - whether RECORD is a header line. */
gboolean acct_is_header (GPtrArray *record);

typedef enum {
  ACCT_EVENT,   /* *OUT holds an event */
  ACCT_SKIPPED, /* a record type recoil does not act on (d, t, r ...) */
  ACCT_BAD      /* a record that cannot be read; *WHY says why */
} acct_status;

/* acct_record - the event of RECORD under columns C.  *SENDER gets the
 * `orig` column (borrowed from RECORD), for routing.  Caller frees *OUT
 * with event_free. */
acct_status acct_record (const struct acct_columns *c, GPtrArray *record, const struct conf *conf,
                         struct event **out, const char **sender, const char **why);

/* acct_parse_time - "1178807903" or "2016-05-29 01:10:51+0200" to unix
 * seconds; FALSE when neither. */
gboolean acct_parse_time (const char *text, gint64 *seconds);

#endif
