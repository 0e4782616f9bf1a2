/* SPDX-License-Identifier: MIT */
/* store-lmdb-outbox - the LMDB backend's outbox: entries keyed by their
 * id (8 bytes big-endian), claimed with a lease, finished, requeued and
 * dropped, each in one write transaction. */
#include "config.h"

#include <string.h>

#include "clock.h"
#include "store-lmdb.h"

/* store_lmdb_outbox_put - write E under ID. */
int
store_lmdb_outbox_put (struct store_lmdb *s, MDB_txn *txn, guint64 id, const struct outbox_entry *e)
{
  g_autoptr (GBytes) bytes = outbox_encode (e);
  guint8 key[8];
  MDB_val k = { 8, key }, v;
  gsize len;

  store_lmdb_be64 (id, key);
  v.mv_data = (void *) g_bytes_get_data (bytes, &len);
  v.mv_size = len;
  return mdb_put (txn, s->outbox, &k, &v, 0);
}

/* store_lmdb_outbox_get - the entry ID into E; MDB_NOTFOUND when there is none,
 * MDB_CORRUPTED when it cannot be read. */
static int
store_lmdb_outbox_get (struct store_lmdb *s, MDB_txn *txn, guint64 id, struct outbox_entry *e)
{
  guint8 key[8];
  MDB_val k = { 8, key }, v;
  int rc;

  store_lmdb_be64 (id, key);
  if ((rc = mdb_get (txn, s->outbox, &k, &v)) != 0)
    return rc;
  if (!outbox_decode (v.mv_data, v.mv_size, e))
    return MDB_CORRUPTED;
  e->id = id;
  return 0;
}

struct store_lmdb_claim_work {
  gint64 now, lease;
  guint64 first, last;
  guint max;
  GPtrArray *out;
};

static int
store_lmdb_claim_work (struct store_lmdb *s, MDB_txn *txn, gpointer data, GError **error)
{
  struct store_lmdb_claim_work *w = data;
  g_autoptr (GHashTable) heads = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr (GArray) due = g_array_new (FALSE, FALSE, sizeof (guint64));
  MDB_cursor *c;
  MDB_val k, v;
  int rc;

  (void) error;
  g_ptr_array_set_size (w->out, 0);
  if ((rc = mdb_cursor_open (txn, s->outbox, &c)) != 0)
    return rc;
  for (rc = mdb_cursor_get (c, &k, &v, MDB_FIRST); rc == 0; rc = mdb_cursor_get (c, &k, &v, MDB_NEXT)) {
    struct outbox_entry e;
    char *head;
    guint64 id;

    if (k.mv_size != 8 || !outbox_decode (v.mv_data, v.mv_size, &e))
      continue; /* unreadable entries are left for `recoil outbox` to show */
    id = store_lmdb_from_be64 (k.mv_data);
    if (!e.parked) {
      head = g_strdup_printf ("%s\n%s", e.provider, e.address);
      if (!g_hash_table_contains (heads, head)) {
        g_hash_table_add (heads, head);
        if (e.next_try <= w->now && id >= w->first && id <= w->last && due->len < w->max)
          g_array_append_val (due, id);
      } else {
        g_free (head);
      }
    }
    outbox_entry_clear (&e);
  }
  mdb_cursor_close (c);
  if (rc != MDB_NOTFOUND)
    return rc;
  for (guint i = 0; i < due->len; i++) {
    struct outbox_entry *e = g_new0 (struct outbox_entry, 1);
    guint64 id = g_array_index (due, guint64, i);

    if ((rc = store_lmdb_outbox_get (s, txn, id, e)) != 0) {
      g_free (e);
      return rc;
    }
    e->attempts++;
    e->next_try = w->now + w->lease;
    if ((rc = store_lmdb_outbox_put (s, txn, id, e)) != 0) {
      outbox_entry_free (e);
      return rc;
    }
    g_ptr_array_add (w->out, e);
  }
  return 0;
}

gboolean
store_lmdb_outbox_claim (struct store *base, gint64 now, gint64 lease, guint64 first, guint64 last, guint max,
                         GPtrArray *out, GError **error)
{
  struct store_lmdb *s = (struct store_lmdb *) base;
  g_autoptr (GPtrArray) claimed = g_ptr_array_new_with_free_func ((GDestroyNotify) outbox_entry_free);
  struct store_lmdb_claim_work w = { now, lease, first, last, max, claimed };

  if (!store_lmdb_write (s, store_lmdb_claim_work, &w, error))
    return FALSE;
  while (claimed->len > 0)
    g_ptr_array_add (out, g_ptr_array_steal_index (claimed, 0));
  return TRUE;
}

gboolean
store_lmdb_outbox_read (struct store *base, guint64 first, guint n, GPtrArray *out, GError **error)
{
  struct store_lmdb *s = (struct store_lmdb *) base;
  MDB_txn *txn;
  int rc;

  if ((rc = store_lmdb_read (s, &txn)) != 0)
    return store_lmdb_fail (error, rc, "cannot begin a read transaction");
  for (guint i = 0; i < n; i++) {
    struct outbox_entry *e = g_new0 (struct outbox_entry, 1);

    if ((rc = store_lmdb_outbox_get (s, txn, first + i, e)) == 0)
      g_ptr_array_add (out, e);
    else
      g_free (e);
  }
  mdb_txn_abort (txn);
  return TRUE;
}

struct store_lmdb_finish_work {
  const struct store_outbox_outcome *outcomes;
  guint n;
  gint64 now;
};

static int
store_lmdb_finish_work (struct store_lmdb *s, MDB_txn *txn, gpointer data, GError **error)
{
  struct store_lmdb_finish_work *w = data;
  g_autofree char *day = clock_format_day (clock_day_of (w->now));

  (void) error;
  for (guint i = 0; i < w->n; i++) {
    const struct store_outbox_outcome *o = &w->outcomes[i];
    struct outbox_entry e;
    g_autofree char *tally = NULL;
    int rc = store_lmdb_outbox_get (s, txn, o->id, &e);

    if (rc == MDB_NOTFOUND || rc == MDB_CORRUPTED)
      continue;
    if (rc != 0)
      return rc;
    switch (o->end) {
    case STORE_OUTBOX_DONE: {
      guint8 key[8];
      MDB_val k = { 8, key };

      store_lmdb_be64 (o->id, key);
      rc = mdb_del (txn, s->outbox, &k, NULL);
      tally = g_strdup_printf ("%s|dispatch|done|%s", day, e.provider);
      break;
    }
    case STORE_OUTBOX_RESCHEDULE:
    case STORE_OUTBOX_PARK:
      e.next_try = o->end == STORE_OUTBOX_PARK ? w->now : o->next_try;
      e.parked = o->end == STORE_OUTBOX_PARK;
      g_free (e.answer);
      e.answer = g_strdup (o->answer);
      rc = store_lmdb_outbox_put (s, txn, o->id, &e);
      tally = g_strdup_printf ("%s|dispatch|%s|%s", day, e.parked ? "parked" : "retry", e.provider);
      break;
    case STORE_OUTBOX_RELEASE:
      e.next_try = w->now;
      if (e.attempts > 0)
        e.attempts--;
      rc = store_lmdb_outbox_put (s, txn, o->id, &e);
      break;
    }
    outbox_entry_clear (&e);
    if (rc == 0 && tally != NULL)
      rc = store_lmdb_count (s, txn, tally, 1);
    if (rc != 0)
      return rc;
  }
  return 0;
}

gboolean
store_lmdb_outbox_finish (struct store *base, const struct store_outbox_outcome *outcomes, guint n,
                          gint64 now, GError **error)
{
  struct store_lmdb *s = (struct store_lmdb *) base;
  struct store_lmdb_finish_work w = { outcomes, n, now };

  if (n == 0)
    return TRUE;
  return store_lmdb_write (s, store_lmdb_finish_work, &w, error);
}

struct store_lmdb_requeue_work {
  guint64 id;
  gint64 now;
  guint count;
  gboolean drop;
};

/* store_lmdb_requeue_one - requeue or drop the entry ID (E, read from it). */
static int
store_lmdb_requeue_one (struct store_lmdb *s, MDB_txn *txn, struct store_lmdb_requeue_work *w, guint64 id,
                        struct outbox_entry *e)
{
  int rc;

  if (w->drop) {
    guint8 key[8];
    MDB_val k = { 8, key };

    store_lmdb_be64 (id, key);
    rc = mdb_del (txn, s->outbox, &k, NULL);
  } else {
    if (!e->parked)
      return 0;
    e->parked = FALSE;
    e->attempts = 0;
    e->next_try = w->now;
    rc = store_lmdb_outbox_put (s, txn, id, e);
  }
  if (rc == 0)
    w->count++;
  return rc;
}

static int
store_lmdb_requeue_work (struct store_lmdb *s, MDB_txn *txn, gpointer data, GError **error)
{
  struct store_lmdb_requeue_work *w = data;
  g_autoptr (GArray) ids = g_array_new (FALSE, FALSE, sizeof (guint64));
  MDB_cursor *c;
  MDB_val k, v;
  int rc;

  (void) error;
  w->count = 0;
  if (w->id != 0) {
    g_array_append_val (ids, w->id);
  } else {
    if ((rc = mdb_cursor_open (txn, s->outbox, &c)) != 0)
      return rc;
    for (rc = mdb_cursor_get (c, &k, &v, MDB_FIRST); rc == 0; rc = mdb_cursor_get (c, &k, &v, MDB_NEXT))
      if (k.mv_size == 8 && v.mv_size > 2 && ((const guint8 *) v.mv_data)[2] != 0) {
        guint64 id = store_lmdb_from_be64 (k.mv_data);

        g_array_append_val (ids, id);
      }
    mdb_cursor_close (c);
  }
  for (guint i = 0; i < ids->len; i++) {
    struct outbox_entry e;
    guint64 id = g_array_index (ids, guint64, i);

    rc = store_lmdb_outbox_get (s, txn, id, &e);
    if (rc == MDB_NOTFOUND)
      continue;
    if (rc == MDB_CORRUPTED && w->drop) {
      /* an unreadable entry can still be dropped */
      memset (&e, 0, sizeof e);
      rc = 0;
    }
    if (rc != 0)
      return rc;
    rc = store_lmdb_requeue_one (s, txn, w, id, &e);
    outbox_entry_clear (&e);
    if (rc != 0)
      return rc;
  }
  return 0;
}

gboolean
store_lmdb_outbox_requeue (struct store *base, guint64 id, gint64 now, guint *count, GError **error)
{
  struct store_lmdb *s = (struct store_lmdb *) base;
  struct store_lmdb_requeue_work w = { id, now, 0, FALSE };
  gboolean ok = store_lmdb_write (s, store_lmdb_requeue_work, &w, error);

  *count = w.count;
  return ok;
}

gboolean
store_lmdb_outbox_drop (struct store *base, guint64 id, gboolean *existed, GError **error)
{
  struct store_lmdb *s = (struct store_lmdb *) base;
  struct store_lmdb_requeue_work w = { id, 0, 0, TRUE };
  gboolean ok;

  if (id == 0) {
    *existed = FALSE;
    return TRUE;
  }
  ok = store_lmdb_write (s, store_lmdb_requeue_work, &w, error);
  *existed = w.count > 0;
  return ok;
}
