/* SPDX-License-Identifier: MIT */
/* store-year - a simulated stretch of time on the store, for bench/retention:
 * EVENTS a day for DAYS days, the clock advanced day by day, so the
 * retention settings let go of the old facts as they would in production.
 *
 * store-year DIR DAYS EVENTS ADDRESSES [BATCH]
 *   applies EVENTS facts a day (a mix of hard, soft and sender-side
 *   bounces and complaints over ADDRESSES addresses, each with a
 *   fingerprint keyed by its own time, as accounting records are) in
 *   batches of BATCH (10,000), without fsync (the size is measured, not
 *   the durability), with the default retention (events 90 days, counters
 *   400 days, fingerprints 30 days); prints the store's size in use at
 *   the end of every 30th day.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store.h"

#define DAY 86400

int
main (int argc, char **argv)
{
  struct store_options o = { 0 };
  g_autoptr (conf_t) conf = conf_new_defaults ();
  g_autoptr (GError) error = NULL;
  struct store *s = NULL;
  struct store_item *items;
  struct store_result *results;
  struct event *events;
  guint8 *fps;
  guint64 days, per_day, addresses, batch = 10000, seq = 0;
  gint64 start = 1767225600; /* 2026-01-01 */
  gint64 t0 = g_get_monotonic_time ();
  static const char *const cats[] = { "bad-mailbox", "quota-issues", "policy-related", "spam-related" };

  if (argc < 5) {
    fprintf (stderr, "usage: store-year DIR DAYS EVENTS ADDRESSES [BATCH]\n");
    return 2;
  }
  days = g_ascii_strtoull (argv[2], NULL, 10);
  per_day = MAX (1, g_ascii_strtoull (argv[3], NULL, 10));
  addresses = MAX (1, g_ascii_strtoull (argv[4], NULL, 10));
  if (argc > 5)
    batch = MAX (1, g_ascii_strtoull (argv[5], NULL, 10));
  store_options_from_conf (conf, &o);
  o.dir = argv[1];
  o.nosync = TRUE;
  o.lock_timeout_ms = 0;
  if (!store_open (&o, &s, &error)) {
    fprintf (stderr, "store-year: %s\n", error->message);
    return 75;
  }
  items = g_new0 (struct store_item, batch);
  results = g_new0 (struct store_result, batch);
  events = g_new0 (struct event, batch);
  fps = g_new0 (guint8, 32 * batch);
  printf ("%5s %12s %14s %10s\n", "day", "facts", "store in use", "seconds");
  for (guint64 day = 0; day < days; day++) {
    for (guint64 done = 0; done < per_day;) {
      guint n = (guint) MIN (batch, per_day - done);
      gint64 now = start + (gint64) day * DAY + (gint64) (done * DAY / per_day);

      for (guint k = 0; k < n; k++) {
        struct event *e = &events[k];
        guint64 i = seq + k;
        guint64 a = (i * 2654435761u) % addresses;
        char buf[40];

        g_free (e->address);
        g_snprintf (buf, sizeof buf, "user%" G_GUINT64_FORMAT "@example.org", a);
        e->address = g_strdup (buf);
        e->kind = i % 50 == 0 ? EVENT_KIND_COMPLAINT : EVENT_KIND_BOUNCE;
        e->klass = e->kind == EVENT_KIND_COMPLAINT ? EVENT_CLASS_NONE
                   : i % 4 == 0                    ? EVENT_CLASS_HARD
                   : i % 4 == 1                    ? EVENT_CLASS_SOFT
                                                   : EVENT_CLASS_IGNORE;
        e->category = (char *) cats[i % 4];
        e->status = (char *) (e->klass == EVENT_CLASS_HARD ? "5.1.1" : "4.2.2");
        e->reason = (char *) "userunknown";
        e->source = (char *) "acct-b";
        e->time = now;
        g_snprintf (buf, sizeof buf, "%" G_GUINT64_FORMAT, i);
        store_fingerprint (NULL, "acct", buf, strlen (buf), fps + 32 * k);
        items[k] = (struct store_item){ e, fps + 32 * k, "news@example.com", NULL, NULL, now };
      }
      if (!store_apply (s, conf, items, n, now, results, &error)) {
        fprintf (stderr, "store-year: %s\n", error->message);
        return 75;
      }
      seq += n;
      done += n;
    }
    if ((day + 1) % 30 == 0 || day + 1 == days) {
      printf ("%5" G_GUINT64_FORMAT " %12" G_GUINT64_FORMAT " %11.1f MB %10.0f\n", day + 1, seq,
              (double) store_used_size (s) / 1e6, (double) (g_get_monotonic_time () - t0) / 1e6);
      fflush (stdout);
    }
  }
  for (guint k = 0; k < batch; k++)
    g_free (events[k].address);
  g_free (items);
  g_free (results);
  g_free (events);
  g_free (fps);
  store_close (s);
  return 0;
}
