/* SPDX-License-Identifier: MIT */
/* store-pg-batch - a batch of several events in few round trips.
 *
 * Applied one item at a time, each event costs the database five or six
 * statements (its fingerprint, its record read and written, its event
 * log line, ...), each a round trip: about 2,700 events a second whatever
 * the batch size.  So for a batch the reads are done ahead, for all its
 * items at once -- the fingerprints inserted in one statement that
 * returns the new ones, the records read in one -- and the writes behind:
 * the records and the event log lines kept here and written in one
 * statement each at the end.  The transaction, the advisory locks taken
 * before and the results are those of the one-by-one path; a batch the
 * server makes retry starts again from nothing.
 */
#include "config.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "store-pg.h"

struct store_pg_ahead {
  /* fingerprint keys (hex) the batch's insert found new, not yet asked for */
  GHashTable *fresh;
  /* record key -> GBytes (record_encode), or NULL: known to have none */
  GHashTable *records;
  /* keys whose record was saved in the batch */
  GHashTable *dirty;
  /* key without a record -> guint64 *: the head of its chain (0: none) */
  GHashTable *leads;
  /* reserved event log ids, and how many were handed out */
  GArray *ids;
  guint next_id;
  guint reserve;  /* ids reserved next time: doubling from 16 up to the batch's size */
  guint most;     /* the batch's size */
  json_t *events; /* [id, time, address, entry] rows, written by the flush */
};

/* store_pg_ahead_string - VALUE as a JSON string (bytes that are not UTF-8
 * become U+FFFD, as store_pg_str does), or null. */
static json_t *
store_pg_ahead_string (const char *value)
{
  g_autofree char *valid = NULL;

  if (value == NULL)
    return json_null ();
  if (!g_utf8_validate (value, -1, NULL))
    value = valid = g_utf8_make_valid (value, -1);
  return json_string (value);
}

static char *
store_pg_ahead_hex (const guint8 *key, gsize len)
{
  char *out = g_malloc (2 * len + 1);

  for (gsize i = 0; i < len; i++)
    g_snprintf (out + 2 * i, 3, "%02x", key[i]);
  return out;
}

/* store_pg_ahead_fresh - run SQL (which returns the hex keys it inserted
 * or renewed) and note them as fresh. */
static int
store_pg_ahead_fresh (struct store_pg_txn *t, const char *sql, struct store_pg_params *p)
{
  PGresult *res = store_pg_exec (t->s, sql, p);

  if (res == NULL)
    return store_pg_rc (t->s);
  for (int i = 0; i < PQntuples (res); i++)
    g_hash_table_add (t->ahead->fresh, g_strdup (PQgetvalue (res, i, 0)));
  PQclear (res);
  return 0;
}

/* store_pg_ahead_fingerprints - the batch's fingerprints into recoil_seen,
 * as store_pg_txn_seen inserts them one by one: an accounting fact is new
 * once; a message is new again after seen_ttl. */
static int
store_pg_ahead_fingerprints (struct store_pg_txn *t, const struct store_batch *b)
{
  g_autoptr (GByteArray) facts = g_byte_array_new ();
  g_autoptr (GByteArray) messages = g_byte_array_new ();
  g_autoptr (GString) times = g_string_new ("[");
  guint nfacts = 0, nmessages = 0;
  int rc = 0;

  for (guint i = 0; i < b->n; i++) {
    const struct store_item *item = &b->items[i];

    if (item->fingerprint == NULL)
      continue;
    if (item->fact_time > 0) {
      guint8 at[20];

      store_fact_key (item->fact_time, item->fingerprint, at);
      g_byte_array_append (facts, at, sizeof at);
      g_string_append_printf (times, "%s%" G_GINT64_FORMAT, nfacts > 0 ? "," : "", item->fact_time);
      nfacts++;
    } else {
      g_byte_array_append (messages, item->fingerprint, 32);
      nmessages++;
    }
  }
  g_string_append_c (times, ']');
  if (nfacts > 0) {
    struct store_pg_params p;

    store_pg_params_init (&p);
    store_pg_bytes (&p, facts->data, facts->len);
    store_pg_int (&p, b->now);
    store_pg_str (&p, times->str);
    rc = store_pg_ahead_fresh (t,
                               "INSERT INTO recoil_seen (key, applied, fact_time) "
                               "SELECT DISTINCT ON (k) k, $2::bigint, f FROM ("
                               " SELECT substring($1::bytea FROM i * 20 + 1 FOR 20) AS k,"
                               " ($3::json ->> i)::bigint AS f"
                               " FROM generate_series(0, json_array_length($3::json) - 1) AS i) AS x "
                               "ON CONFLICT (key) DO NOTHING RETURNING encode(key, 'hex')",
                               &p);
    store_pg_params_clear (&p);
  }
  if (rc == 0 && nmessages > 0) {
    struct store_pg_params p;

    store_pg_params_init (&p);
    store_pg_bytes (&p, messages->data, messages->len);
    store_pg_int (&p, b->now);
    store_pg_int (&p, nmessages);
    store_pg_int (&p, b->now - t->s->seen_ttl);
    rc = store_pg_ahead_fresh (t,
                               "INSERT INTO recoil_seen (key, applied) "
                               "SELECT DISTINCT substring($1::bytea FROM i * 32 + 1 FOR 32), $2::bigint"
                               " FROM generate_series(0, $3::integer - 1) AS i "
                               "ON CONFLICT (key) DO UPDATE SET applied = EXCLUDED.applied"
                               " WHERE recoil_seen.applied <= $4 "
                               "RETURNING encode(key, 'hex')",
                               &p);
    store_pg_params_clear (&p);
  }
  return rc;
}

/* store_pg_ahead_leads - the chain heads of the batch's keys that have no
 * record (a new address asks for one). */
static int
store_pg_ahead_leads (struct store_pg_txn *t)
{
  json_t *keys = json_array ();
  GHashTableIter it;
  gpointer key, value;
  struct store_pg_params p;
  PGresult *res;

  g_hash_table_iter_init (&it, t->ahead->records);
  while (g_hash_table_iter_next (&it, &key, &value))
    if (value == NULL) {
      json_array_append_new (keys, json_string (key));
      g_hash_table_insert (t->ahead->leads, g_strdup (key), g_new0 (guint64, 1));
    }
  if (json_array_size (keys) == 0) {
    json_decref (keys);
    return 0;
  }
  store_pg_params_init (&p);
  store_pg_own (&p, json_dumps (keys, JSON_COMPACT));
  json_decref (keys);
  res = store_pg_exec (t->s,
                       "SELECT address, seq FROM recoil_lead"
                       " WHERE address IN (SELECT json_array_elements_text($1::json))",
                       &p);
  store_pg_params_clear (&p);
  if (res == NULL)
    return store_pg_rc (t->s);
  for (int i = 0; i < PQntuples (res); i++) {
    guint64 *seq = g_hash_table_lookup (t->ahead->leads, PQgetvalue (res, i, 0));

    if (seq != NULL)
      *seq = (guint64) store_pg_get_int (res, i, 1);
  }
  PQclear (res);
  return 0;
}

/* store_pg_ahead_records - the records of the batch's keys, and the chain
 * heads of those without one. */
static int
store_pg_ahead_records (struct store_pg_txn *t, const struct store_batch *b)
{
  json_t *keys = json_array ();
  struct store_pg_params p;
  PGresult *res;
  char *text;

  for (guint i = 0; i < b->n; i++) {
    char *key = store_item_key (&b->items[i]);

    if (key == NULL || !g_utf8_validate (key, -1, NULL) || g_hash_table_contains (t->ahead->records, key)) {
      /* a key that is not UTF-8 is read the usual way */
      g_free (key);
      continue;
    }
    json_array_append_new (keys, json_string (key));
    g_hash_table_insert (t->ahead->records, key, NULL);
  }
  if (json_array_size (keys) == 0) {
    json_decref (keys);
    return 0;
  }
  text = json_dumps (keys, JSON_COMPACT);
  json_decref (keys);
  store_pg_params_init (&p);
  store_pg_own (&p, text);
  res = store_pg_exec (t->s,
                       "SELECT " STORE_PG_RECORD_COLUMNS " FROM recoil_record"
                       " WHERE address IN (SELECT json_array_elements_text($1::json))",
                       &p);
  store_pg_params_clear (&p);
  if (res == NULL)
    return store_pg_rc (t->s);
  for (int i = 0; i < PQntuples (res); i++) {
    struct record r;

    record_init (&r);
    record_clear (&r);
    store_pg_record_from (res, i, 1, &r);
    g_hash_table_replace (t->ahead->records, g_strdup (PQgetvalue (res, i, 0)), record_encode (&r));
    record_clear (&r);
  }
  PQclear (res);
  return store_pg_ahead_leads (t);
}

/* store_pg_ahead_reserve - more event log ids. */
static int
store_pg_ahead_reserve (struct store_pg_txn *t)
{
  struct store_pg_params p;
  PGresult *res;

  store_pg_params_init (&p);
  store_pg_int (&p, t->ahead->reserve);
  res = store_pg_exec (t->s, "SELECT nextval('recoil_event_id') FROM generate_series(1, $1::integer)", &p);
  store_pg_params_clear (&p);
  if (res == NULL)
    return store_pg_rc (t->s);
  g_array_set_size (t->ahead->ids, 0);
  t->ahead->next_id = 0;
  t->ahead->reserve = MIN (t->ahead->most, 2 * t->ahead->reserve);
  for (int i = 0; i < PQntuples (res); i++) {
    guint64 id = (guint64) store_pg_get_int (res, i, 0);

    g_array_append_val (t->ahead->ids, id);
  }
  PQclear (res);
  return 0;
}

int
store_pg_ahead_begin (struct store_pg_txn *t, const struct store_batch *b)
{
  struct store_pg_ahead *a = g_new0 (struct store_pg_ahead, 1);
  int rc;

  a->fresh = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  a->records = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) g_bytes_unref);
  a->dirty = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  a->leads = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  a->ids = g_array_new (FALSE, FALSE, sizeof (guint64));
  /* ids are reserved as lines are logged: a batch of repeats wastes none */
  a->reserve = 16;
  a->most = MAX (b->n, 16);
  a->events = json_array ();
  t->ahead = a;
  if ((rc = store_pg_ahead_fingerprints (t, b)) != 0 || (rc = store_pg_ahead_records (t, b)) != 0)
    return rc;
  return 0;
}

gboolean
store_pg_ahead_seen (struct store_pg_txn *t, const guint8 *key, gsize len, gboolean *duplicate)
{
  g_autofree char *hex = NULL;

  if (t->ahead == NULL)
    return FALSE;
  hex = store_pg_ahead_hex (key, len);
  /* the first of the batch's items with this key is new, if the insert
   * found it so; any later one is its repeat */
  *duplicate = !g_hash_table_remove (t->ahead->fresh, hex);
  return TRUE;
}

gboolean
store_pg_ahead_load (struct store_pg_txn *t, const char *key, struct record *r, gboolean *found)
{
  gpointer value;

  if (t->ahead == NULL || !g_hash_table_lookup_extended (t->ahead->records, key, NULL, &value))
    return FALSE;
  record_init (r);
  *found = FALSE;
  if (value != NULL) {
    gsize len;
    const void *data = g_bytes_get_data (value, &len);

    record_clear (r);
    /* bytes this process encoded a moment ago */
    if (!record_decode (data, len, r, NULL))
      return FALSE;
    *found = TRUE;
  }
  return TRUE;
}

gboolean
store_pg_ahead_save (struct store_pg_txn *t, const char *key, const struct record *r)
{
  if (t->ahead == NULL || !g_utf8_validate (key, -1, NULL))
    return FALSE;
  g_hash_table_replace (t->ahead->records, g_strdup (key), record_encode (r));
  if (!g_hash_table_contains (t->ahead->dirty, key))
    g_hash_table_add (t->ahead->dirty, g_strdup (key));
  return TRUE;
}

gboolean
store_pg_ahead_lead_get (struct store_pg_txn *t, const char *key, guint64 *seq)
{
  guint64 *head;

  if (t->ahead == NULL || (head = g_hash_table_lookup (t->ahead->leads, key)) == NULL)
    return FALSE;
  *seq = *head;
  return TRUE;
}

void
store_pg_ahead_lead_set (struct store_pg_txn *t, const char *key, guint64 seq)
{
  guint64 *head;

  if (t->ahead != NULL && (head = g_hash_table_lookup (t->ahead->leads, key)) != NULL)
    *head = seq;
}

int
store_pg_ahead_log_event (struct store_pg_txn *t, gint64 time, const char *key, const char *entry,
                          guint64 *seq)
{
  struct store_pg_ahead *a = t->ahead;
  json_t *row;
  int rc;

  if (a->next_id >= a->ids->len && (rc = store_pg_ahead_reserve (t)) != 0)
    return rc;
  *seq = g_array_index (a->ids, guint64, a->next_id++);
  row = json_array ();
  json_array_append_new (row, json_integer ((json_int_t) *seq));
  json_array_append_new (row, json_integer (time));
  json_array_append_new (row, store_pg_ahead_string (key));
  json_array_append_new (row, store_pg_ahead_string (entry));
  json_array_append_new (a->events, row);
  return 0;
}

/* The types of STORE_PG_RECORD_COLUMNS, in order: s text, i bigint or
 * integer, b boolean, j jsonb. */
static const char store_pg_ahead_types[] = "sssibiiiiiiijisssjii";

/* store_pg_ahead_record_json - the record of KEY (saved in the batch) as an
 * object with the table's column names, for json_populate_recordset. */
static json_t *
store_pg_ahead_record_json (const char *key, GBytes *encoded)
{
  static const char *const names[] = { "address",       "state",         "state_reason", "changed",
                                       "ignore",        "hard",          "soft",         "ignored",
                                       "complaints",    "unsubscribes",  "first_bounce", "last_bounce",
                                       "recent",        "last_soft_day", "last_status",  "last_reason",
                                       "last_category", "acted",         "last_event",   "state_event" };
  json_t *obj = json_object ();
  struct store_pg_params p;
  struct record r;
  gsize len;
  const void *data = g_bytes_get_data (encoded, &len);

  G_STATIC_ASSERT (G_N_ELEMENTS (names) == sizeof store_pg_ahead_types - 1);
  if (!record_decode (data, len, &r, NULL)) {
    json_decref (obj);
    return NULL;
  }
  store_pg_params_init (&p);
  store_pg_record_params (&p, key, &r);
  for (int i = 0; i < p.n; i++) {
    const char *v = p.values[i];
    json_t *value;

    if (v == NULL)
      value = json_null ();
    else if (store_pg_ahead_types[i] == 'i')
      value = json_integer (g_ascii_strtoll (v, NULL, 10));
    else if (store_pg_ahead_types[i] == 'b')
      value = json_boolean (v[0] == 't');
    else if (store_pg_ahead_types[i] == 'j')
      value = json_loads (v, 0, NULL);
    else
      value = json_string (v);
    json_object_set_new (obj, names[i], value != NULL ? value : json_null ());
  }
  store_pg_params_clear (&p);
  record_clear (&r);
  return obj;
}

static int
store_pg_ahead_compare (const void *a, const void *b)
{
  return strcmp (*(const char *const *) a, *(const char *const *) b);
}

int
store_pg_ahead_flush (struct store_pg_txn *t)
{
  struct store_pg_ahead *a = t->ahead;
  int rc = 0;

  if (a == NULL)
    return 0;
  if (g_hash_table_size (a->dirty) > 0) {
    guint n;
    g_autofree gpointer *keys = g_hash_table_get_keys_as_array (a->dirty, &n);
    json_t *rows = json_array ();
    struct store_pg_params p;

    qsort (keys, n, sizeof *keys, store_pg_ahead_compare);
    for (guint i = 0; i < n; i++) {
      json_t *row = store_pg_ahead_record_json (keys[i], g_hash_table_lookup (a->records, keys[i]));

      if (row == NULL) {
        json_decref (rows);
        return STORE_PG_FAILED;
      }
      json_array_append_new (rows, row);
    }
    store_pg_params_init (&p);
    store_pg_own (&p, json_dumps (rows, JSON_COMPACT));
    json_decref (rows);
    rc = store_pg_do (
        t->s,
        "INSERT INTO recoil_record SELECT * FROM json_populate_recordset(NULL::recoil_record, $1::json) "
        "ON CONFLICT (address) DO UPDATE SET (" STORE_PG_RECORD_COLUMNS ") = ("
        "EXCLUDED.address, EXCLUDED.state, EXCLUDED.state_reason, EXCLUDED.changed, "
        "EXCLUDED.ignore, EXCLUDED.hard, EXCLUDED.soft, EXCLUDED.ignored, EXCLUDED.complaints, "
        "EXCLUDED.unsubscribes, EXCLUDED.first_bounce, EXCLUDED.last_bounce, EXCLUDED.recent, "
        "EXCLUDED.last_soft_day, EXCLUDED.last_status, EXCLUDED.last_reason, "
        "EXCLUDED.last_category, EXCLUDED.acted, EXCLUDED.last_event, EXCLUDED.state_event)",
        &p, NULL);
    store_pg_params_clear (&p);
  }
  if (rc == 0 && json_array_size (a->events) > 0) {
    struct store_pg_params p;

    store_pg_params_init (&p);
    store_pg_own (&p, json_dumps (a->events, JSON_COMPACT));
    rc = store_pg_do (t->s,
                      "INSERT INTO recoil_event (id, time, address, entry) "
                      "SELECT (e ->> 0)::bigint, (e ->> 1)::bigint, e ->> 2, e ->> 3"
                      " FROM json_array_elements($1::json) AS e",
                      &p, NULL);
    store_pg_params_clear (&p);
  }
  return rc;
}

void
store_pg_ahead_free (struct store_pg_txn *t)
{
  struct store_pg_ahead *a = t->ahead;

  if (a == NULL)
    return;
  g_hash_table_unref (a->fresh);
  g_hash_table_unref (a->dirty);
  g_hash_table_unref (a->leads);
  g_hash_table_unref (a->records);
  g_array_unref (a->ids);
  json_decref (a->events);
  g_free (a);
  t->ahead = NULL;
}
