/* SPDX-License-Identifier: MIT */
/* progress - a progress line on a terminal (see progress.h). */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "progress.h"

struct progress {
  char *label;
  guint64 total;
  gint64 start; /* monotonic microseconds */
  gint64 drawn; /* when the line was last drawn */
  gboolean shown;
};

struct progress *
progress_new (const char *label, guint64 total)
{
  struct progress *p;

  if (!isatty (STDERR_FILENO))
    return NULL;
  p = g_new0 (struct progress, 1);
  p->label = g_strdup (label);
  p->total = total;
  p->start = g_get_monotonic_time ();
  return p;
}

/* progress_clock - SECONDS as H:MM:SS or M:SS, into OUT. */
static void
progress_clock (char *out, gsize size, gint64 seconds)
{
  if (seconds >= 3600)
    g_snprintf (out, size, "%" G_GINT64_FORMAT ":%02d:%02d", seconds / 3600, (int) (seconds / 60 % 60),
                (int) (seconds % 60));
  else
    g_snprintf (out, size, "%d:%02d", (int) (seconds / 60), (int) (seconds % 60));
}

void
progress_update (struct progress *p, guint64 count, guint64 done)
{
  gint64 now;
  double secs, rate;
  char line[512], left[32];
  int n;

  if (p == NULL)
    return;
  now = g_get_monotonic_time ();
  if (now - p->drawn < G_USEC_PER_SEC / 4)
    return;
  p->drawn = now;
  secs = (double) (now - p->start) / G_USEC_PER_SEC;
  rate = secs > 0 ? (double) count / secs : 0;
  n = g_snprintf (line, sizeof line, "\r%s: %" G_GUINT64_FORMAT " (%.0f/s)", p->label, count, rate);
  if (p->total > 0 && done <= p->total && done > 0 && n > 0 && (gsize) n < sizeof line) {
    double share = (double) done / (double) p->total;

    progress_clock (left, sizeof left, (gint64) (secs / share - secs + 0.5));
    n += g_snprintf (line + n, sizeof line - (gsize) n, ", %.0f%%, %s left", share * 100, left);
  }
  if (n > 0 && (gsize) n < sizeof line - 4) {
    memcpy (line + n, "\033[K", 4); /* clear what a longer line left */
    fputs (line, stderr);
    fflush (stderr);
    p->shown = TRUE;
  }
}

void
progress_free (struct progress *p)
{
  if (p == NULL)
    return;
  if (p->shown) {
    fputs ("\r\033[K", stderr);
    fflush (stderr);
  }
  g_free (p->label);
  g_free (p);
}
