/* clock - the one place recoil reads the time.
 *
 * RECOIL_NOW in the environment (unix seconds, or an ISO 8601 date and
 * time) fixes the clock, so that tests can walk days forward and an
 * operator can replay old input as of its own day.
 */
#ifndef RECOIL_CLOCK_H
#define RECOIL_CLOCK_H

#include <glib.h>

/* clock_now - unix seconds: RECOIL_NOW when set and valid, else the real
 * time.  An invalid RECOIL_NOW is ignored with a warning. */
gint64 clock_now (void);

/* clock_parse - "1790000000" or "2026-11-21", "2026-11-21T10:00:00Z" to
 * unix seconds (dates without a zone are UTC); FALSE when unreadable. */
gboolean clock_parse (const char *text, gint64 *seconds);

/* clock_format_day - day number DAY (days since 1970-01-01) as YYYY-MM-DD;
 * caller frees with g_free. */
char *clock_format_day (gint64 day);

#endif
