/* SPDX-License-Identifier: MIT */
/* store-lmdb-copy - the LMDB backend's tables read and written whole,
 * row by row, for `recoil store copy`. */
#include "config.h"

#include <string.h>

#include "store-lmdb.h"

/* The arguments of store_lmdb_each_row's visitor. */
struct store_lmdb_rows {
  store_table table;
  store_row_fn fn;
  gpointer data;
  gboolean failed; /* a record or entry that cannot be read */
  GError **error;
};

static gboolean
store_lmdb_row_visit (const MDB_val *k, const MDB_val *v, gpointer data)
{
  struct store_lmdb_rows *w = data;
  struct store_row row = { 0 };
  g_autofree char *key = NULL;
  struct record r;
  struct outbox_entry e = { 0 };
  gboolean go;

  switch (w->table) {
  case STORE_TABLE_RECORDS:
    key = g_strndup (k->mv_data, k->mv_size);
    if (!record_decode (v->mv_data, v->mv_size, &r, w->error)) {
      g_prefix_error (w->error, "state store: record of %s: ", key);
      w->failed = TRUE;
      return FALSE;
    }
    row.key = key;
    row.record = &r;
    go = w->fn (&row, w->data);
    record_clear (&r);
    return go;
  case STORE_TABLE_SEEN:
    row.bytes = k->mv_data;
    row.len = k->mv_size;
    if (k->mv_size == 32 && v->mv_size == 8) {
      memcpy (&row.applied, v->mv_data, 8);
    } else if (k->mv_size == 20 && v->mv_size == 4) {
      const guint8 *b = k->mv_data;
      guint32 applied;

      memcpy (&applied, v->mv_data, 4);
      row.applied = applied;
      row.fact_time = (gint64) ((guint32) b[0] << 24 | (guint32) b[1] << 16 | (guint32) b[2] << 8 | b[3]);
    } else {
      return TRUE;
    }
    return w->fn (&row, w->data);
  case STORE_TABLE_OUTBOX:
    if (k->mv_size != 8 || !outbox_decode (v->mv_data, v->mv_size, &e))
      return TRUE; /* unreadable entries stay where they are */
    e.id = store_lmdb_from_be64 (k->mv_data);
    row.id = e.id;
    row.entry = &e;
    go = w->fn (&row, w->data);
    outbox_entry_clear (&e);
    return go;
  case STORE_TABLE_EVENTS:
    if (k->mv_size != 8)
      return TRUE;
    row.id = store_lmdb_from_be64 (k->mv_data);
    row.json = v->mv_data;
    row.json_len = v->mv_size;
    return w->fn (&row, w->data);
  case STORE_TABLE_DAILY:
    if (v->mv_size != 8)
      return TRUE;
    key = g_strndup (k->mv_data, k->mv_size);
    row.key = key;
    memcpy (&row.count, v->mv_data, 8);
    return w->fn (&row, w->data);
  case STORE_TABLE_LEADS:
    if (v->mv_size != 8)
      return TRUE;
    key = g_strndup (k->mv_data, k->mv_size);
    row.key = key;
    row.id = store_lmdb_from_be64 (v->mv_data);
    return w->fn (&row, w->data);
  default: return FALSE;
  }
}

gboolean
store_lmdb_each_row (struct store *base, store_table table, store_row_fn fn, gpointer data, GError **error)
{
  struct store_lmdb *s = (struct store_lmdb *) base;
  struct store_lmdb_rows w = { table, fn, data, FALSE, error };
  MDB_dbi dbs[STORE_TABLE_COUNT][2] = {
    [STORE_TABLE_RECORDS] = { s->addresses, s->addresses }, [STORE_TABLE_SEEN] = { s->seen, s->seen_at },
    [STORE_TABLE_OUTBOX] = { s->outbox, s->outbox },        [STORE_TABLE_EVENTS] = { s->events, s->events },
    [STORE_TABLE_DAILY] = { s->daily, s->daily },           [STORE_TABLE_LEADS] = { s->leads, s->leads },
  };

  for (int i = 0; i < (dbs[table][1] != dbs[table][0] ? 2 : 1); i++) {
    if (!store_lmdb_scan (s, dbs[table][i], NULL, store_lmdb_row_visit, &w, error))
      return FALSE;
    if (w.failed)
      return FALSE;
  }
  return TRUE;
}

/* The arguments of store_lmdb_put_work. */
struct store_lmdb_put {
  store_table table;
  const struct store_row *rows;
  guint n;
};

static int
store_lmdb_put_work (struct store_lmdb *s, MDB_txn *txn, gpointer data, GError **error)
{
  struct store_lmdb_put *w = data;

  (void) error;
  for (guint i = 0; i < w->n; i++) {
    const struct store_row *row = &w->rows[i];
    guint8 k8[8], v8[8];
    MDB_val k = { 8, k8 }, v = { 8, v8 };
    int rc = 0;

    switch (w->table) {
    case STORE_TABLE_RECORDS: rc = store_lmdb_save (s, txn, row->key, row->record); break;
    case STORE_TABLE_SEEN:
      if (row->len == 32) {
        guint8 daykey[36];
        MDB_val dk = { sizeof daykey, daykey }, empty = { 0, (void *) "" };

        k.mv_size = 32;
        k.mv_data = (void *) row->bytes;
        memcpy (v8, &row->applied, 8);
        store_lmdb_day_key ((guint32) (row->applied / 86400), row->bytes, daykey);
        if ((rc = mdb_put (txn, s->seen, &k, &v, 0)) == 0)
          rc = mdb_put (txn, s->seen_days, &dk, &empty, 0);
      } else if (row->len == 20) {
        guint32 applied = (guint32) CLAMP (row->applied, 0, (gint64) G_MAXUINT32);

        k.mv_size = 20;
        k.mv_data = (void *) row->bytes;
        v.mv_size = 4;
        v.mv_data = &applied;
        rc = mdb_put (txn, s->seen_at, &k, &v, 0);
      }
      break;
    case STORE_TABLE_OUTBOX: rc = store_lmdb_outbox_put (s, txn, row->id, row->entry); break;
    case STORE_TABLE_EVENTS:
      store_lmdb_be64 (row->id, k8);
      v.mv_size = row->json_len;
      v.mv_data = (void *) row->json;
      rc = mdb_put (txn, s->events, &k, &v, 0);
      break;
    case STORE_TABLE_DAILY:
      k = store_lmdb_key (row->key);
      memcpy (v8, &row->count, 8);
      rc = mdb_put (txn, s->daily, &k, &v, 0);
      break;
    case STORE_TABLE_LEADS: rc = store_lmdb_lead_put (s, txn, row->key, row->id); break;
    default: break;
    }
    if (rc != 0)
      return rc;
  }
  return 0;
}

gboolean
store_lmdb_put_rows (struct store *base, store_table table, const struct store_row *rows, guint n,
                     GError **error)
{
  struct store_lmdb_put w = { table, rows, n };

  return store_lmdb_write ((struct store_lmdb *) base, store_lmdb_put_work, &w, error);
}
