/* SPDX-License-Identifier: MIT */
/* store-apply - apply synthetic events to a store, for the concurrency and
 * crash tests and bench/store.
 *
 * store-apply DIR COUNT BATCH ADDRESSES [nosync] [hard|soft|ignore]
 *   (DIR: an LMDB directory, or postgresql:CONNINFO) applies COUNT bounce events, BATCH per transaction, to
 * addresses user0..user{ADDRESSES-1}@example.org in turn (event i goes to i mod ADDRESSES), and prints
 * "applied N in S seconds (E events/s)". Events of class ignore (the default) add one to a record's `ignored`
 * counter each, so the counts are exact whatever the order.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store.h"

int
main (int argc, char **argv)
{
  struct store_options o = { 0 };
  g_autoptr (conf_t) conf = conf_new_defaults ();
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) events = g_ptr_array_new_with_free_func ((GDestroyNotify) event_free);
  struct store *s = NULL;
  struct store_item *items;
  struct store_result *results;
  guint64 count, batch, addresses;
  event_class klass = EVENT_CLASS_IGNORE;
  gint64 start, now = 20413 * G_GINT64_CONSTANT (86400);
  double secs;

  if (argc < 5) {
    fprintf (stderr, "usage: store-apply DIR COUNT BATCH ADDRESSES [nosync] [hard|soft|ignore]\n");
    return 2;
  }
  count = g_ascii_strtoull (argv[2], NULL, 10);
  batch = MAX (1, g_ascii_strtoull (argv[3], NULL, 10));
  addresses = MAX (1, g_ascii_strtoull (argv[4], NULL, 10));
  for (int i = 5; i < argc; i++) {
    if (strcmp (argv[i], "nosync") == 0)
      o.nosync = TRUE;
    else if (strcmp (argv[i], "hard") == 0)
      klass = EVENT_CLASS_HARD;
    else if (strcmp (argv[i], "soft") == 0)
      klass = EVENT_CLASS_SOFT;
  }
  if (g_str_has_prefix (argv[1], "postgresql:")) {
    o.backend = "postgresql";
    o.conninfo = argv[1] + strlen ("postgresql:");
    o.create_schema = TRUE;
  } else {
    o.dir = argv[1];
  }
  o.map_size = 64 << 20;
  o.max_map_size = G_GINT64_CONSTANT (8) << 30;
  o.seen_ttl = 30 * 86400;
  if (!store_open (&o, &s, &error)) {
    fprintf (stderr, "store-apply: %s\n", error->message);
    return 75;
  }
  for (guint64 i = 0; i < addresses; i++) {
    struct event *e = event_new ();

    e->kind = EVENT_KIND_BOUNCE;
    e->klass = klass;
    e->address = g_strdup_printf ("user%" G_GUINT64_FORMAT "@example.org", i);
    e->status = g_strdup ("5.7.1");
    e->reason = g_strdup ("blocked");
    e->category = g_strdup ("policy-related");
    g_ptr_array_add (events, e);
  }
  items = g_new0 (struct store_item, batch);
  results = g_new0 (struct store_result, batch);
  start = g_get_monotonic_time ();
  for (guint64 done = 0; done < count;) {
    guint n = (guint) MIN (batch, count - done);

    for (guint k = 0; k < n; k++)
      items[k].event = g_ptr_array_index (events, (done + k) % addresses);
    if (!store_apply (s, conf, items, n, now, results, &error)) {
      fprintf (stderr, "store-apply: %s\n", error->message);
      return 75;
    }
    done += n;
  }
  secs = (double) (g_get_monotonic_time () - start) / 1e6;
  printf ("applied %" G_GUINT64_FORMAT " in %.3f seconds (%.0f events/s)\n", count, secs,
          secs > 0 ? (double) count / secs : 0.0);
  g_free (items);
  g_free (results);
  store_close (s);
  return 0;
}
