/* SPDX-License-Identifier: MIT */
/* store-pg-outbox - the PostgreSQL backend's outbox: entries claimed with
 * FOR UPDATE SKIP LOCKED and a lease, so any host's recoil retry drains
 * it and no action is sent twice at once; finished, requeued and dropped
 * in transactions of their own. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "store-pg.h"

/* The arguments of a claim. */
struct store_pg_claim {
  gint64 now, lease;
  guint64 first, last;
  guint max;
  GPtrArray *out;
};

static int
store_pg_claim_work (struct store_pg *s, gpointer data, GError **error)
{
  struct store_pg_claim *w = data;
  struct store_pg_params p;
  PGresult *res;

  (void) error;
  g_ptr_array_set_size (w->out, 0);
  store_pg_params_init (&p);
  store_pg_int (&p, w->now);
  store_pg_int (&p, (gint64) MIN (w->first, (guint64) G_MAXINT64));
  store_pg_int (&p, (gint64) MIN (w->last, (guint64) G_MAXINT64));
  store_pg_int (&p, w->max);
  store_pg_int (&p, w->now + w->lease);
  /* the oldest unparked entry of each provider and address, when due and
   * not claimed by another host this very moment */
  res = store_pg_exec (s,
                       "WITH heads AS (SELECT DISTINCT ON (provider, address) id FROM recoil_outbox "
                       "  WHERE NOT parked ORDER BY provider, address, id), "
                       "due AS (SELECT o.id FROM recoil_outbox o JOIN heads h ON h.id = o.id "
                       "  WHERE NOT o.parked AND o.next_try <= $1 AND o.id BETWEEN $2 AND $3 "
                       "  ORDER BY o.id LIMIT $4 FOR UPDATE OF o SKIP LOCKED) "
                       "UPDATE recoil_outbox SET attempts = attempts + 1, next_try = $5 "
                       "FROM due WHERE recoil_outbox.id = due.id "
                       "RETURNING recoil_outbox.id, provider, action, scope, address, list_id, campaign_id, "
                       "subscriber_id, reason, status, created, next_try, attempts, parked, answer",
                       &p);
  store_pg_params_clear (&p);
  if (res == NULL)
    return store_pg_rc (s);
  for (int i = 0; i < PQntuples (res); i++)
    g_ptr_array_add (w->out, store_pg_outbox_from (res, i));
  PQclear (res);
  return 0;
}

static gint
store_pg_compare_ids (gconstpointer a, gconstpointer b)
{
  const struct outbox_entry *x = *(const struct outbox_entry *const *) a;
  const struct outbox_entry *y = *(const struct outbox_entry *const *) b;

  return x->id < y->id ? -1 : x->id > y->id;
}

gboolean
store_pg_outbox_claim (struct store *base, gint64 now, gint64 lease, guint64 first, guint64 last, guint max,
                       GPtrArray *out, GError **error)
{
  g_autoptr (GPtrArray) claimed = g_ptr_array_new_with_free_func ((GDestroyNotify) outbox_entry_free);
  struct store_pg_claim w = { now, lease, first, last, max, claimed };

  if (!store_pg_txn ((struct store_pg *) base, store_pg_claim_work, &w, "claiming outbox entries", error))
    return FALSE;
  g_ptr_array_sort (claimed, store_pg_compare_ids);
  while (claimed->len > 0)
    g_ptr_array_add (out, g_ptr_array_steal_index (claimed, 0));
  return TRUE;
}

static gboolean
store_pg_collect_outbox (PGresult *res, int row, gpointer data)
{
  g_ptr_array_add (data, store_pg_outbox_from (res, row));
  return TRUE;
}

gboolean
store_pg_outbox_read (struct store *base, guint64 first, guint n, GPtrArray *out, GError **error)
{
  struct store_pg_params p;
  gboolean ok;

  if (n == 0)
    return TRUE;
  store_pg_params_init (&p);
  store_pg_int (&p, (gint64) first);
  store_pg_int (&p, (gint64) (first + n - 1));
  ok = store_pg_scan ((struct store_pg *) base,
                      "SELECT " STORE_PG_OUTBOX_COLUMNS
                      " FROM recoil_outbox WHERE id BETWEEN $1 AND $2 ORDER BY id",
                      &p, store_pg_collect_outbox, out, "reading the outbox", error);
  store_pg_params_clear (&p);
  return ok;
}

/* store_pg_compare_keys - two char ** in strcmp order. */
static int
store_pg_compare_keys (const void *a, const void *b)
{
  return strcmp (*(const char *const *) a, *(const char *const *) b);
}

struct store_pg_finish {
  const struct store_outbox_outcome *outcomes;
  guint n;
  gint64 now;
};

static int
store_pg_finish_work (struct store_pg *s, gpointer data, GError **error)
{
  struct store_pg_finish *w = data;
  g_autofree char *day = clock_format_day (clock_day_of (w->now));
  g_autoptr (GHashTable) counts = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_autofree gpointer *keys = NULL;
  guint nkeys = 0;
  int rc;

  (void) error;
  for (guint i = 0; i < w->n; i++) {
    const struct store_outbox_outcome *o = &w->outcomes[i];
    struct store_pg_params p;
    PGresult *res;
    char *provider;
    const char *tally = NULL;

    store_pg_params_init (&p);
    store_pg_int (&p, (gint64) o->id);
    switch (o->end) {
    case STORE_OUTBOX_DONE:
      res = store_pg_exec (s, "DELETE FROM recoil_outbox WHERE id = $1 RETURNING provider", &p);
      tally = "done";
      break;
    case STORE_OUTBOX_RESCHEDULE:
    case STORE_OUTBOX_PARK:
      store_pg_int (&p, o->end == STORE_OUTBOX_PARK ? w->now : o->next_try);
      store_pg_bool (&p, o->end == STORE_OUTBOX_PARK);
      store_pg_str (&p, o->answer);
      res = store_pg_exec (s,
                           "UPDATE recoil_outbox SET next_try = $2, parked = $3, answer = $4 WHERE id = $1 "
                           "RETURNING provider",
                           &p);
      tally = o->end == STORE_OUTBOX_PARK ? "parked" : "retry";
      break;
    case STORE_OUTBOX_RELEASE:
    default:
      store_pg_int (&p, w->now);
      res = store_pg_exec (s,
                           "UPDATE recoil_outbox SET next_try = $2, attempts = greatest(attempts - 1, 0) "
                           "WHERE id = $1 RETURNING provider",
                           &p);
      break;
    }
    store_pg_params_clear (&p);
    if (res == NULL)
      return store_pg_rc (s);
    if (PQntuples (res) == 1 && tally != NULL) {
      guint64 *count;

      provider = g_strdup_printf ("%s|dispatch|%s|%s", day, tally, PQgetvalue (res, 0, 0));
      if ((count = g_hash_table_lookup (counts, provider)) != NULL) {
        (*count)++;
        g_free (provider);
      } else {
        count = g_new (guint64, 1);
        *count = 1;
        g_hash_table_insert (counts, provider, count);
      }
    }
    PQclear (res);
  }
  /* in key order, as a batch writes them */
  keys = g_hash_table_get_keys_as_array (counts, &nkeys);
  qsort (keys, nkeys, sizeof *keys, store_pg_compare_keys);
  for (guint i = 0; i < nkeys; i++)
    if ((rc = store_pg_count (s, keys[i], *(guint64 *) g_hash_table_lookup (counts, keys[i]))) != 0)
      return rc;
  return 0;
}

gboolean
store_pg_outbox_finish (struct store *base, const struct store_outbox_outcome *outcomes, guint n, gint64 now,
                        GError **error)
{
  struct store_pg_finish w = { outcomes, n, now };

  return store_pg_txn ((struct store_pg *) base, store_pg_finish_work, &w, "finishing outbox entries", error);
}

struct store_pg_requeue {
  guint64 id;
  gint64 now;
  guint64 count;
  gboolean drop;
};

static int
store_pg_requeue_work (struct store_pg *s, gpointer data, GError **error)
{
  struct store_pg_requeue *w = data;
  struct store_pg_params p;
  int rc;

  (void) error;
  store_pg_params_init (&p);
  store_pg_int (&p, (gint64) w->id);
  if (w->drop) {
    rc = store_pg_do (s, "DELETE FROM recoil_outbox WHERE id = $1", &p, &w->count);
  } else {
    store_pg_int (&p, w->now);
    rc = store_pg_do (s,
                      "UPDATE recoil_outbox SET parked = false, attempts = 0, next_try = $2 "
                      "WHERE parked AND ($1 = 0 OR id = $1)",
                      &p, &w->count);
  }
  store_pg_params_clear (&p);
  return rc;
}

gboolean
store_pg_outbox_requeue (struct store *base, guint64 id, gint64 now, guint *count, GError **error)
{
  struct store_pg_requeue w = { id, now, 0, FALSE };

  if (!store_pg_txn ((struct store_pg *) base, store_pg_requeue_work, &w, "requeuing", error))
    return FALSE;
  *count = (guint) w.count;
  return TRUE;
}

gboolean
store_pg_outbox_drop (struct store *base, guint64 id, gboolean *existed, GError **error)
{
  struct store_pg_requeue w = { id, 0, 0, TRUE };

  if (!store_pg_txn ((struct store_pg *) base, store_pg_requeue_work, &w, "dropping an outbox entry", error))
    return FALSE;
  *existed = w.count > 0;
  return TRUE;
}
