/* SPDX-License-Identifier: MIT */
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

/* clock_parse - "1790000000" or "2026-11-21", "2026-11-21T10:00:00Z",
 * "2026-11-21 10:00:00" or "2026-11-21 10:00:00 UTC" to unix seconds
 * (dates without a zone are UTC); FALSE when unreadable. */
gboolean clock_parse (const char *text, gint64 *seconds);

/* clock_day_of - the day number (days since 1970-01-01, UTC) of unix
 * time SECONDS. */
gint64 clock_day_of (gint64 seconds);

/* clock_format_day - day number DAY (days since 1970-01-01) as YYYY-MM-DD,
 * or "?" outside the years 1 to 9999; caller frees with g_free. */
char *clock_format_day (gint64 day);

/* clock_format_stamp - unix time SECONDS as YYYY-MM-DDTHH:MM:SSZ, or "?"
 * outside the years 1 to 9999; caller frees with g_free.  No locale is
 * consulted, so logs read the same under any LANG. */
char *clock_format_stamp (gint64 seconds);

#endif
