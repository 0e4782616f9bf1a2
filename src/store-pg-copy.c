/* SPDX-License-Identifier: MIT */
/* store-pg-copy - the PostgreSQL backend's tables read and written whole,
 * row by row, for `recoil store copy`. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "store-pg.h"

/* The arguments of store_pg_each_row's visitor. */
struct store_pg_rows {
  store_table table;
  store_row_fn fn;
  gpointer data;
};

static gboolean
store_pg_row_visit (PGresult *res, int i, gpointer data)
{
  struct store_pg_rows *w = data;
  struct store_row row = { 0 };
  struct record r;
  struct outbox_entry *e;
  gboolean go;

  switch (w->table) {
  case STORE_TABLE_RECORDS:
    store_pg_record_from (res, i, 1, &r);
    row.key = PQgetvalue (res, i, 0);
    row.record = &r;
    go = w->fn (&row, w->data);
    record_clear (&r);
    return go;
  case STORE_TABLE_SEEN: {
    size_t len = 0;
    unsigned char *bytes = PQunescapeBytea ((const unsigned char *) PQgetvalue (res, i, 0), &len);

    row.bytes = bytes;
    row.len = len;
    row.applied = store_pg_get_int (res, i, 1);
    row.fact_time = store_pg_get_int (res, i, 2);
    go = bytes != NULL && w->fn (&row, w->data);
    PQfreemem (bytes);
    return go;
  }
  case STORE_TABLE_OUTBOX:
    e = store_pg_outbox_from (res, i);
    row.id = e->id;
    row.entry = e;
    go = w->fn (&row, w->data);
    outbox_entry_free (e);
    return go;
  case STORE_TABLE_EVENTS:
    row.id = (guint64) store_pg_get_int (res, i, 0);
    row.json = PQgetvalue (res, i, 1);
    row.json_len = (gsize) PQgetlength (res, i, 1);
    return w->fn (&row, w->data);
  case STORE_TABLE_DAILY:
    row.key = PQgetvalue (res, i, 0);
    row.count = store_pg_get_int (res, i, 1);
    return w->fn (&row, w->data);
  case STORE_TABLE_LEADS:
    row.key = PQgetvalue (res, i, 0);
    row.id = (guint64) store_pg_get_int (res, i, 1);
    return w->fn (&row, w->data);
  default: return FALSE;
  }
}

gboolean
store_pg_each_row (struct store *base, store_table table, store_row_fn fn, gpointer data, GError **error)
{
  static const char *const queries[STORE_TABLE_COUNT] = {
    [STORE_TABLE_RECORDS] = "SELECT " STORE_PG_RECORD_COLUMNS " FROM recoil_record ORDER BY address",
    [STORE_TABLE_SEEN] = "SELECT key, applied, fact_time FROM recoil_seen ORDER BY key",
    [STORE_TABLE_OUTBOX] = "SELECT " STORE_PG_OUTBOX_COLUMNS " FROM recoil_outbox ORDER BY id",
    [STORE_TABLE_EVENTS] = "SELECT id, entry FROM recoil_event ORDER BY id",
    [STORE_TABLE_DAILY] = "SELECT key, count FROM recoil_daily ORDER BY key",
    [STORE_TABLE_LEADS] = "SELECT address, seq FROM recoil_lead ORDER BY address",
  };
  struct store_pg_rows w = { table, fn, data };

  return store_pg_scan ((struct store_pg *) base, queries[table], NULL, store_pg_row_visit, &w, "copying",
                        error);
}

/* The arguments of store_pg_put_work. */
struct store_pg_put {
  store_table table;
  const struct store_row *rows;
  guint n;
};

static int
store_pg_put_work (struct store_pg *s, gpointer data, GError **error)
{
  struct store_pg_put *w = data;
  int rc = 0;

  (void) error;
  for (guint i = 0; i < w->n && rc == 0; i++) {
    const struct store_row *row = &w->rows[i];
    struct store_pg_params p;

    store_pg_params_init (&p);
    switch (w->table) {
    case STORE_TABLE_RECORDS: rc = store_pg_save (s, row->key, row->record); break;
    case STORE_TABLE_SEEN:
      store_pg_bytes (&p, row->bytes, row->len);
      store_pg_int (&p, row->applied);
      if (row->len == 20)
        store_pg_int (&p, row->fact_time);
      else
        store_pg_str (&p, NULL);
      rc = store_pg_do (
          s,
          "INSERT INTO recoil_seen (key, applied, fact_time) VALUES ($1, $2, $3) "
          "ON CONFLICT (key) DO UPDATE SET applied = EXCLUDED.applied, fact_time = EXCLUDED.fact_time",
          &p, NULL);
      break;
    case STORE_TABLE_OUTBOX:
      store_pg_outbox_params (&p, row->id, row->entry);
      rc = store_pg_do (
          s,
          "INSERT INTO recoil_outbox (" STORE_PG_OUTBOX_COLUMNS ") VALUES ($1, $2, $3, $4, $5, $6, "
          "$7, $8, $9, $10, $11, $12, $13, $14, $15) ON CONFLICT (id) DO UPDATE SET provider = $2, "
          "action = $3, scope = $4, address = $5, list_id = $6, campaign_id = $7, "
          "subscriber_id = $8, reason = $9, status = $10, created = $11, next_try = $12, "
          "attempts = $13, parked = $14, answer = $15",
          &p, NULL);
      break;
    case STORE_TABLE_EVENTS: {
      g_autofree char *line = g_strndup (row->json, row->json_len);
      g_autofree char *key = store_event_key (row->json, row->json_len);

      store_pg_int (&p, (gint64) row->id);
      store_pg_int (&p, store_event_time (row->json, row->json_len));
      store_pg_str (&p, key);
      store_pg_str (&p, line);
      rc = store_pg_do (s,
                        "INSERT INTO recoil_event (id, time, address, entry) VALUES ($1, $2, $3, $4) "
                        "ON CONFLICT (id) DO UPDATE SET time = $2, address = $3, entry = $4",
                        &p, NULL);
      break;
    }
    case STORE_TABLE_DAILY:
      store_pg_str (&p, row->key);
      store_pg_int (&p, row->count);
      rc = store_pg_do (s,
                        "INSERT INTO recoil_daily (key, count) VALUES ($1, $2) "
                        "ON CONFLICT (key) DO UPDATE SET count = EXCLUDED.count",
                        &p, NULL);
      break;
    case STORE_TABLE_LEADS:
      store_pg_str (&p, row->key);
      store_pg_int (&p, (gint64) row->id);
      rc = store_pg_do (s,
                        "INSERT INTO recoil_lead (address, seq) VALUES ($1, $2) "
                        "ON CONFLICT (address) DO UPDATE SET seq = EXCLUDED.seq",
                        &p, NULL);
      break;
    default: break;
    }
    store_pg_params_clear (&p);
  }
  if (rc != 0)
    return rc;
  /* numbers handed out later come after the ones copied in */
  if (w->table == STORE_TABLE_EVENTS)
    rc = store_pg_do (
        s,
        "SELECT setval('recoil_event_id', greatest((SELECT coalesce(max(id), 1) FROM recoil_event), "
        "(SELECT last_value FROM recoil_event_id)))",
        NULL, NULL);
  else if (w->table == STORE_TABLE_OUTBOX)
    rc = store_pg_do (
        s,
        "SELECT setval('recoil_outbox_block', greatest((SELECT coalesce(max(id), 0) FROM recoil_outbox) "
        "/ " G_STRINGIFY (STORE_PG_BLOCK) " + 1, (SELECT last_value FROM recoil_outbox_block)))",
        NULL, NULL);
  return rc;
}

gboolean
store_pg_put_rows (struct store *base, store_table table, const struct store_row *rows, guint n,
                   GError **error)
{
  struct store_pg_put w = { table, rows, n };

  return store_pg_txn ((struct store_pg *) base, store_pg_put_work, &w, "copying", error);
}
