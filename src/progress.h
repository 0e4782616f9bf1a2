/* SPDX-License-Identifier: MIT */
/* progress - a progress line on a terminal for long runs
 *
 * `recoil acct FILE`, `import` and `parse` over many files show how far
 * they are: records (or files) per second and, when the input's size is
 * known, the share done and the time left.  Only when standard error is a
 * terminal: in a pipe, a log or under an MTA nothing is written.  The line
 * is redrawn in place at most a few times a second and cleared at the end.
 */
#ifndef RECOIL_PROGRESS_H
#define RECOIL_PROGRESS_H

#include <glib.h>

struct progress;

/* progress_new - a progress line for LABEL (a file name, "stdin" ...)
 * whose input has TOTAL units (bytes or files; 0 = unknown), or NULL when
 * standard error is not a terminal.  Free with progress_free. */
struct progress *progress_new (const char *label, guint64 total);

/* progress_update - COUNT things done (records, messages) after DONE of
 * TOTAL units; redraws when a quarter of a second has passed.  P may be
 * NULL. */
void progress_update (struct progress *p, guint64 count, guint64 done);

/* progress_free - clear the line and free P; NULL is fine. */
void progress_free (struct progress *p);

#endif
