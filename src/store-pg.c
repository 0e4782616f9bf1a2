/* SPDX-License-Identifier: MIT */
/* store-pg - the state in PostgreSQL, shared by several hosts.
 *
 * One connection per process (libpq), every change in one transaction
 * (READ COMMITTED), with the guarantees LMDB gives a single host:
 *
 * - a batch of events is one transaction: records, outbox entries, event
 *   log, daily counters and fingerprints commit together or not at all;
 * - the fingerprint of a message is the primary key of recoil_seen, so a
 *   retry delivered to another host changes nothing;
 * - a batch first takes transaction-level advisory locks on the addresses
 *   and fingerprints it touches, in ascending order (store_batch_locks):
 *   two hosts with events about one address apply them one after the
 *   other, and never wait on each other in a circle; daily counters are
 *   written last, in key order, for the same reason;
 * - the outbox is claimed with FOR UPDATE SKIP LOCKED and a lease, so
 *   every host's recoil retry drains it and no action runs twice at once.
 *
 * A deadlock or serialisation failure rolls the transaction back and runs
 * it again; a lost connection is opened again once.  Nothing keeps state
 * in the session between transactions (no prepared statements, no
 * temporary tables, no SET): it works through a pooler in transaction
 * mode.  The schema is created and upgraded by `recoil store init`
 * (store_options.create_schema), in numbered steps recorded in
 * recoil_schema; a newer schema than this program knows is refused.
 */
#include "config.h"

#include <errno.h>
#include <jansson.h>
#include <libpq-fe.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "store-pg.h"

const gboolean store_pg_linked = TRUE;

static const struct store_ops store_pg_ops;

/* The schema, in steps; recoil_schema holds the number of the last one
 * applied.  A step is never changed once released: a new one is added. */
static const char *const store_pg_steps[] = {
  /* 1 */
  "CREATE TABLE recoil_schema (version integer NOT NULL);"
  "INSERT INTO recoil_schema VALUES (0);"
  "CREATE TABLE recoil_record ("
  " address text COLLATE \"C\" PRIMARY KEY,"
  " state text NOT NULL CHECK (state IN ('active', 'suppressed', 'unsubscribed')),"
  " state_reason text,"
  " changed bigint NOT NULL,"
  " ignore boolean NOT NULL,"
  " hard integer NOT NULL, soft integer NOT NULL, ignored integer NOT NULL,"
  " complaints integer NOT NULL, unsubscribes integer NOT NULL,"
  " first_bounce bigint NOT NULL, last_bounce bigint NOT NULL,"
  " recent jsonb NOT NULL, last_soft_day bigint NOT NULL,"
  " last_status text, last_reason text, last_category text,"
  " acted jsonb NOT NULL,"
  " last_event bigint NOT NULL, state_event bigint NOT NULL);"
  "CREATE INDEX recoil_record_state ON recoil_record (state, changed) WHERE state <> 'active';"
  "CREATE TABLE recoil_seen (key bytea PRIMARY KEY, applied bigint NOT NULL, fact_time bigint);"
  "CREATE INDEX recoil_seen_applied ON recoil_seen (applied);"
  "CREATE SEQUENCE recoil_outbox_block;"
  "CREATE TABLE recoil_outbox ("
  " id bigint PRIMARY KEY, provider text NOT NULL, action text NOT NULL, scope integer NOT NULL,"
  " address text COLLATE \"C\" NOT NULL, list_id text, campaign_id text, subscriber_id text,"
  " reason text, status text, created bigint NOT NULL, next_try bigint NOT NULL,"
  " attempts integer NOT NULL, parked boolean NOT NULL, answer text);"
  "CREATE INDEX recoil_outbox_head ON recoil_outbox (provider, address, id) WHERE NOT parked;"
  "CREATE SEQUENCE recoil_event_id;"
  "CREATE TABLE recoil_event ("
  " id bigint PRIMARY KEY, time bigint NOT NULL, address text COLLATE \"C\", entry text NOT NULL);"
  "CREATE INDEX recoil_event_address ON recoil_event (address, id) WHERE address IS NOT NULL;"
  "CREATE INDEX recoil_event_time ON recoil_event (time);"
  "CREATE TABLE recoil_daily (key text COLLATE \"C\" PRIMARY KEY, count bigint NOT NULL);"
  "CREATE TABLE recoil_lead (address text COLLATE \"C\" PRIMARY KEY, seq bigint NOT NULL);",
};

#define STORE_PG_VERSION ((int) G_N_ELEMENTS (store_pg_steps))

void
store_pg_params_init (struct store_pg_params *p)
{
  memset (p, 0, sizeof *p);
  p->owned = g_ptr_array_new_with_free_func (g_free);
}

void
store_pg_params_clear (struct store_pg_params *p)
{
  g_clear_pointer (&p->owned, g_ptr_array_unref);
}

/* store_pg_str - a text parameter (NULL is SQL NULL); borrowed.  Bytes
 * that are not UTF-8 (an accounting field, an envelope sender) become
 * U+FFFD, as in the event log: the database takes UTF-8 only. */
void
store_pg_str (struct store_pg_params *p, const char *value)
{
  g_assert (p->n < (int) G_N_ELEMENTS (p->values));
  if (value != NULL && !g_utf8_validate (value, -1, NULL)) {
    value = g_utf8_make_valid (value, -1);
    g_ptr_array_add (p->owned, (gpointer) value);
  }
  p->values[p->n] = value;
  p->lengths[p->n] = 0;
  p->formats[p->n] = 0;
  p->n++;
}

/* store_pg_own - a text parameter VALUE (taken). */
void
store_pg_own (struct store_pg_params *p, char *value)
{
  g_ptr_array_add (p->owned, value);
  store_pg_str (p, value);
}

void
store_pg_int (struct store_pg_params *p, gint64 value)
{
  store_pg_own (p, g_strdup_printf ("%" G_GINT64_FORMAT, value));
}

void
store_pg_bool (struct store_pg_params *p, gboolean value)
{
  store_pg_str (p, value ? "t" : "f");
}

/* store_pg_bytes - a bytea parameter, sent as bytes; borrowed. */
void
store_pg_bytes (struct store_pg_params *p, const void *data, gsize len)
{
  g_assert (p->n < (int) G_N_ELEMENTS (p->values));
  p->values[p->n] = data;
  p->lengths[p->n] = (int) len;
  p->formats[p->n] = 1;
  p->n++;
}

/* store_pg_note - remember why RES (a failed result, or NULL for a lost
 * connection) failed. */
static void
store_pg_note (struct store_pg *s, PGresult *res)
{
  const char *state = res != NULL ? PQresultErrorField (res, PG_DIAG_SQLSTATE) : NULL;
  const char *msg = res != NULL ? PQresultErrorMessage (res) : NULL;

  if (msg == NULL || *msg == '\0')
    msg = PQerrorMessage (s->conn);
  g_free (s->last_error);
  s->last_error = g_strstrip (g_strdup (msg != NULL && *msg != '\0' ? msg : "no answer from the server"));
  g_strlcpy (s->last_state, state != NULL ? state : "", sizeof s->last_state);
}

/* store_pg_rc - the return code for a failed statement. */
int
store_pg_rc (struct store_pg *s)
{
  /* 40001 serialization_failure, 40P01 deadlock_detected */
  if (strcmp (s->last_state, "40001") == 0 || strcmp (s->last_state, "40P01") == 0)
    return STORE_PG_RETRY;
  return STORE_PG_FAILED;
}

/* store_pg_exec - run SQL with P (may be NULL); the result (caller frees
 * with PQclear) when it succeeded, else NULL with the reason noted. */
PGresult *
store_pg_exec (struct store_pg *s, const char *sql, const struct store_pg_params *p)
{
  /* without parameters, the simple protocol: a schema step is several
   * statements */
  PGresult *res = p == NULL ? PQexec (s->conn, sql)
                            : PQexecParams (s->conn, sql, p->n, NULL, p->values, p->lengths, p->formats, 0);
  ExecStatusType st = res != NULL ? PQresultStatus (res) : PGRES_FATAL_ERROR;

  if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK)
    return res;
  store_pg_note (s, res);
  PQclear (res);
  return NULL;
}

/* store_pg_do - run SQL for its effect; 0 or a return code.  *AFFECTED
 * (optional) gets the rows it changed. */
int
store_pg_do (struct store_pg *s, const char *sql, const struct store_pg_params *p, guint64 *affected)
{
  PGresult *res = store_pg_exec (s, sql, p);

  if (res == NULL)
    return store_pg_rc (s);
  if (affected != NULL)
    *affected = g_ascii_strtoull (PQcmdTuples (res), NULL, 10);
  PQclear (res);
  return 0;
}

gint64
store_pg_get_int (PGresult *res, int row, int col)
{
  return PQgetisnull (res, row, col) ? 0 : g_ascii_strtoll (PQgetvalue (res, row, col), NULL, 10);
}

char *
store_pg_get_str (PGresult *res, int row, int col)
{
  return PQgetisnull (res, row, col) ? NULL : g_strdup (PQgetvalue (res, row, col));
}

/* store_pg_fail - ERROR for the last failure while doing WHAT. */
gboolean
store_pg_fail (struct store_pg *s, GError **error, const char *what)
{
  g_set_error (error, STORE_ERROR, STORE_ERROR_TEMPORARY, "state store (PostgreSQL): %s: %s", what,
               s->last_error != NULL ? s->last_error : "failed");
  return FALSE;
}

/* store_pg_password - the first line of FILE, or NULL with ERROR. */
static char *
store_pg_password (const char *file, GError **error)
{
  g_autofree char *text = NULL;
  char *nl;

  if (!g_file_get_contents (file, &text, NULL, error)) {
    g_prefix_error (error, "[postgresql] password_file: ");
    return NULL;
  }
  if ((nl = strpbrk (text, "\r\n")) != NULL)
    *nl = '\0';
  return g_steal_pointer (&text);
}

/* store_pg_connect - (re)open the connection. */
static gboolean
store_pg_connect (struct store_pg *s, GError **error)
{
  g_autofree char *timeout =
      g_strdup_printf ("%" G_GINT64_FORMAT, s->connect_timeout > 0 ? s->connect_timeout : 5);
  const char *keys[] = { "dbname", "connect_timeout", "fallback_application_name", "password", NULL };
  const char *values[] = { s->conninfo, timeout, "recoil", s->password, NULL };

  if (s->conn != NULL)
    PQfinish (s->conn);
  if (s->password == NULL)
    keys[3] = NULL;
  s->conn = PQconnectdbParams (keys, values, 1);
  if (s->conn == NULL || PQstatus (s->conn) != CONNECTION_OK) {
    g_autofree char *msg =
        g_strstrip (g_strdup (s->conn != NULL ? PQerrorMessage (s->conn) : "out of memory"));

    g_set_error (error, STORE_ERROR, STORE_ERROR_TEMPORARY, "state store (PostgreSQL): cannot connect: %s",
                 msg);
    return FALSE;
  }
  return TRUE;
}

/* store_pg_txn - run WORK in a transaction: again after a deadlock or a
 * serialisation failure, and once more on a new connection when the old
 * one was lost before anything was committed. */
gboolean
store_pg_txn (struct store_pg *s, store_pg_work_fn work, gpointer data, const char *what, GError **error)
{
  gboolean reconnected = FALSE;

  for (int attempt = 0; attempt < 20; attempt++) {
    int rc;

    if (PQstatus (s->conn) != CONNECTION_OK) {
      if (reconnected || !store_pg_connect (s, error))
        return reconnected ? store_pg_fail (s, error, what) : FALSE;
      reconnected = TRUE;
    }
    rc = store_pg_do (s, "BEGIN", NULL, NULL);
    if (rc == 0)
      rc = work (s, data, error);
    if (rc == 0) {
      PGresult *res = PQexec (s->conn, "COMMIT");

      if (res != NULL && PQresultStatus (res) == PGRES_COMMAND_OK) {
        PQclear (res);
        return TRUE;
      }
      store_pg_note (s, res);
      PQclear (res);
      rc = store_pg_rc (s);
      if (PQstatus (s->conn) != CONNECTION_OK) {
        /* the commit's fate is unknown: the caller's retry is safe, for
         * fingerprints make a repeat change nothing */
        return store_pg_fail (s, error, what);
      }
    } else if (PQstatus (s->conn) == CONNECTION_OK) {
      PQclear (PQexec (s->conn, "ROLLBACK"));
    }
    if (rc == STORE_PG_ERROR)
      return FALSE;
    g_clear_error (error);
    if (rc == STORE_PG_RETRY) {
      g_debug ("state store (PostgreSQL): %s: %s; again", what, s->last_error);
      g_usleep ((gulong) g_random_int_range (1000, 20000) * (gulong) MIN (attempt + 1, 5));
      continue;
    }
    if (PQstatus (s->conn) != CONNECTION_OK && !reconnected)
      continue; /* lost before the commit: nothing was done; once more */
    return store_pg_fail (s, error, what);
  }
  return store_pg_fail (s, error, what);
}

/* store_pg_schema_version - the version recorded, 0 when there is no
 * schema; -1 on trouble. */
static int
store_pg_schema_version (struct store_pg *s)
{
  PGresult *res = store_pg_exec (s, "SELECT to_regclass('recoil_schema') IS NOT NULL", NULL);
  gboolean there;
  int v;

  if (res == NULL)
    return -1;
  there = strcmp (PQgetvalue (res, 0, 0), "t") == 0;
  PQclear (res);
  if (!there)
    return 0;
  if ((res = store_pg_exec (s, "SELECT max(version) FROM recoil_schema", NULL)) == NULL)
    return -1;
  v = (int) store_pg_get_int (res, 0, 0);
  PQclear (res);
  return v;
}

static int
store_pg_init_work (struct store_pg *s, gpointer data, GError **error)
{
  int *version = data;
  int rc, v;

  (void) error;
  /* one host at a time; the others find the work done */
  if ((rc = store_pg_do (s, "SELECT pg_advisory_xact_lock(7013512029)", NULL, NULL)) != 0)
    return rc;
  if ((v = store_pg_schema_version (s)) < 0)
    return store_pg_rc (s);
  for (; v < STORE_PG_VERSION; v++) {
    struct store_pg_params p;

    if ((rc = store_pg_do (s, store_pg_steps[v], NULL, NULL)) != 0)
      return rc;
    store_pg_params_init (&p);
    store_pg_int (&p, v + 1);
    rc = store_pg_do (s, "UPDATE recoil_schema SET version = $1", &p, NULL);
    store_pg_params_clear (&p);
    if (rc != 0)
      return rc;
  }
  *version = v;
  return 0;
}

gboolean
store_pg_open (const struct store_options *o, struct store **out, GError **error)
{
  struct store_pg *s = g_new0 (struct store_pg, 1);
  int version;

  *out = NULL;
  s->base.ops = &store_pg_ops;
  s->conninfo = g_strdup (o->conninfo != NULL ? o->conninfo : "");
  s->connect_timeout = o->connect_timeout;
  s->seen_ttl = o->seen_ttl > 0 ? o->seen_ttl : 30 * 86400;
  s->event_retention = MAX (o->event_retention, 0);
  s->stats_retention = MAX (o->stats_retention, 0);
  if (o->conninfo == NULL) {
    g_set_error (error, STORE_ERROR, STORE_ERROR_INVALID,
                 "state store: [recoil] store = postgresql needs [postgresql] conninfo");
    store_pg_ops.close (&s->base);
    return FALSE;
  }
  if (o->password_file != NULL && (s->password = store_pg_password (o->password_file, error)) == NULL) {
    store_pg_ops.close (&s->base);
    return FALSE;
  }
  if (!store_pg_connect (s, error)) {
    store_pg_ops.close (&s->base);
    return FALSE;
  }
  if (o->create_schema) {
    if (!store_pg_txn (s, store_pg_init_work, &version, "creating the schema", error)) {
      store_pg_ops.close (&s->base);
      return FALSE;
    }
  } else if ((version = store_pg_schema_version (s)) < 0) {
    store_pg_fail (s, error, "reading the schema version");
    store_pg_ops.close (&s->base);
    return FALSE;
  }
  if (version > STORE_PG_VERSION) {
    g_set_error (error, STORE_ERROR, STORE_ERROR_FORMAT,
                 "state store (PostgreSQL): the schema is version %d, newer than this recoil knows (%d)",
                 version, STORE_PG_VERSION);
    store_pg_ops.close (&s->base);
    return FALSE;
  }
  if (version < STORE_PG_VERSION) {
    g_set_error (error, STORE_ERROR, STORE_ERROR_TEMPORARY,
                 "state store (PostgreSQL): %s; run `recoil store init`",
                 version == 0 ? "the database has no recoil schema"
                              : "the schema is older than this recoil (upgrade it)");
    store_pg_ops.close (&s->base);
    return FALSE;
  }
  *out = &s->base;
  return TRUE;
}

static void
store_pg_close (struct store *base)
{
  struct store_pg *s = (struct store_pg *) base;

  if (s->conn != NULL)
    PQfinish (s->conn);
  g_free (s->conninfo);
  if (s->password != NULL)
    memset (s->password, 0, strlen (s->password));
  g_free (s->password);
  g_free (s->last_error);
  g_free (s);
}

static gint64
store_pg_map_size (struct store *base)
{
  (void) base;
  return -1;
}

static gint64
store_pg_used_size (struct store *base)
{
  struct store_pg *s = (struct store_pg *) base;
  PGresult *res = store_pg_exec (s,
                                 "SELECT coalesce(sum(pg_total_relation_size(c.oid)), 0) FROM pg_class c "
                                 "WHERE c.relkind = 'r' AND c.relname LIKE 'recoil\\_%' "
                                 "AND pg_table_is_visible(c.oid)",
                                 NULL);
  gint64 n;

  if (res == NULL)
    return -1;
  n = store_pg_get_int (res, 0, 0);
  PQclear (res);
  return n;
}

/* store_pg_json_ints - N numbers as a JSON array (caller frees). */
static char *
store_pg_json_ints (const gint64 *v, int n)
{
  GString *out = g_string_new ("[");

  for (int i = 0; i < n; i++)
    g_string_append_printf (out, "%s%" G_GINT64_FORMAT, i > 0 ? "," : "", v[i]);
  g_string_append_c (out, ']');
  return g_string_free (out, FALSE);
}

/* store_pg_record_params - KEY and R as the parameters of the columns of
 * STORE_PG_RECORD_COLUMNS. */
void
store_pg_record_params (struct store_pg_params *p, const char *key, const struct record *r)
{
  json_t *acted = json_array ();

  for (guint i = 0; r->acted != NULL && i < r->acted->len; i++)
    json_array_append_new (acted, json_string (g_ptr_array_index (r->acted, i)));
  store_pg_str (p, key);
  store_pg_str (p, record_state_name (r->state));
  store_pg_str (p, r->state_reason);
  store_pg_int (p, r->changed);
  store_pg_bool (p, r->ignore);
  store_pg_int (p, r->hard);
  store_pg_int (p, r->soft);
  store_pg_int (p, r->ignored);
  store_pg_int (p, r->complaints);
  store_pg_int (p, r->unsubscribes);
  store_pg_int (p, r->first_bounce);
  store_pg_int (p, r->last_bounce);
  store_pg_own (p, store_pg_json_ints (r->recent, G_N_ELEMENTS (r->recent)));
  store_pg_int (p, r->last_soft_day);
  store_pg_str (p, r->last_status);
  store_pg_str (p, r->last_reason);
  store_pg_str (p, r->last_category);
  store_pg_own (p, json_dumps (acted, JSON_COMPACT));
  store_pg_int (p, (gint64) r->last_event);
  store_pg_int (p, (gint64) r->state_event);
  json_decref (acted);
}

/* store_pg_record_from - R (initialised here) from row ROW of RES, whose
 * columns start at COL in the order of STORE_PG_RECORD_COLUMNS without
 * the address. */
void
store_pg_record_from (PGresult *res, int row, int col, struct record *r)
{
  json_t *recent, *acted;
  size_t i;
  json_t *v;

  record_init (r);
  record_state_parse (PQgetvalue (res, row, col), &r->state);
  r->state_reason = store_pg_get_str (res, row, col + 1);
  r->changed = store_pg_get_int (res, row, col + 2);
  r->ignore = strcmp (PQgetvalue (res, row, col + 3), "t") == 0;
  r->hard = (guint32) store_pg_get_int (res, row, col + 4);
  r->soft = (guint32) store_pg_get_int (res, row, col + 5);
  r->ignored = (guint32) store_pg_get_int (res, row, col + 6);
  r->complaints = (guint32) store_pg_get_int (res, row, col + 7);
  r->unsubscribes = (guint32) store_pg_get_int (res, row, col + 8);
  r->first_bounce = store_pg_get_int (res, row, col + 9);
  r->last_bounce = store_pg_get_int (res, row, col + 10);
  recent = json_loads (PQgetvalue (res, row, col + 11), 0, NULL);
  json_array_foreach (recent, i, v)
  {
    if (i < G_N_ELEMENTS (r->recent))
      r->recent[i] = json_integer_value (v);
  }
  json_decref (recent);
  r->last_soft_day = store_pg_get_int (res, row, col + 12);
  r->last_status = store_pg_get_str (res, row, col + 13);
  r->last_reason = store_pg_get_str (res, row, col + 14);
  r->last_category = store_pg_get_str (res, row, col + 15);
  acted = json_loads (PQgetvalue (res, row, col + 16), 0, NULL);
  json_array_foreach (acted, i, v)
  {
    if (json_is_string (v))
      g_ptr_array_add (r->acted, g_strdup (json_string_value (v)));
  }
  json_decref (acted);
  r->last_event = (guint64) store_pg_get_int (res, row, col + 17);
  r->state_event = (guint64) store_pg_get_int (res, row, col + 18);
}

/* store_pg_load - the record of KEY into R; *FOUND says whether there is
 * one. */
static int
store_pg_load (struct store_pg *s, const char *key, struct record *r, gboolean *found)
{
  struct store_pg_params p;
  PGresult *res;

  store_pg_params_init (&p);
  store_pg_str (&p, key);
  res = store_pg_exec (s, "SELECT " STORE_PG_RECORD_COLUMNS " FROM recoil_record WHERE address = $1", &p);
  store_pg_params_clear (&p);
  record_init (r);
  *found = FALSE;
  if (res == NULL)
    return store_pg_rc (s);
  if (PQntuples (res) == 1) {
    record_clear (r);
    store_pg_record_from (res, 0, 1, r);
    *found = TRUE;
  }
  PQclear (res);
  return 0;
}

int
store_pg_save (struct store_pg *s, const char *key, const struct record *r)
{
  struct store_pg_params p;
  int rc;

  store_pg_params_init (&p);
  store_pg_record_params (&p, key, r);
  rc = store_pg_do (s,
                    "INSERT INTO recoil_record (" STORE_PG_RECORD_COLUMNS ") VALUES ($1, $2, $3, $4, $5, $6, "
                    "$7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20) "
                    "ON CONFLICT (address) DO UPDATE SET state = $2, state_reason = $3, changed = $4, "
                    "ignore = $5, hard = $6, soft = $7, ignored = $8, complaints = $9, unsubscribes = $10, "
                    "first_bounce = $11, last_bounce = $12, recent = $13, last_soft_day = $14, "
                    "last_status = $15, last_reason = $16, last_category = $17, acted = $18, "
                    "last_event = $19, state_event = $20",
                    &p, NULL);
  store_pg_params_clear (&p);
  return rc;
}

/* store_pg_lock - the transaction's advisory locks LOCKS (ascending). */
int
store_pg_lock (struct store_pg *s, GArray *locks)
{
  GString *list = g_string_new ("{");
  struct store_pg_params p;
  int rc;

  if (locks->len == 0) {
    g_string_free (list, TRUE);
    return 0;
  }
  for (guint i = 0; i < locks->len; i++)
    g_string_append_printf (list, "%s%" G_GINT64_FORMAT, i > 0 ? "," : "", g_array_index (locks, gint64, i));
  g_string_append_c (list, '}');
  store_pg_params_init (&p);
  store_pg_own (&p, g_string_free (list, FALSE));
  /* unnest keeps the array's order, and so the locks are taken in it */
  rc = store_pg_do (s, "SELECT count(pg_advisory_xact_lock(x)) FROM unnest($1::bigint[]) AS x", &p, NULL);
  store_pg_params_clear (&p);
  return rc;
}

/* One transaction of store_pg_apply, for store_apply_batch. */

static int
store_pg_txn_seen (gpointer data, const guint8 *fp, gint64 when, gint64 now, gboolean *duplicate)
{
  struct store_pg_txn *t = data;
  struct store_pg_params p;
  guint8 at[20];
  guint64 n = 0;
  int rc;

  if (when > 0)
    store_fact_key (when, fp, at);
  if (store_pg_ahead_seen (t, when > 0 ? at : fp, when > 0 ? sizeof at : 32, duplicate))
    return 0;
  store_pg_params_init (&p);
  if (when > 0) {
    /* an accounting fact: once seen, a repeat for as long as it is kept */
    store_pg_bytes (&p, at, sizeof at);
    store_pg_int (&p, now);
    store_pg_int (&p, when);
    rc = store_pg_do (t->s,
                      "INSERT INTO recoil_seen (key, applied, fact_time) VALUES ($1, $2, $3) "
                      "ON CONFLICT (key) DO NOTHING",
                      &p, &n);
  } else {
    /* a message: a repeat within seen_ttl; after it, new again */
    store_pg_bytes (&p, fp, 32);
    store_pg_int (&p, now);
    store_pg_int (&p, now - t->s->seen_ttl);
    rc = store_pg_do (t->s,
                      "INSERT INTO recoil_seen (key, applied) VALUES ($1, $2) "
                      "ON CONFLICT (key) DO UPDATE SET applied = EXCLUDED.applied "
                      "WHERE recoil_seen.applied <= $3",
                      &p, &n);
  }
  store_pg_params_clear (&p);
  *duplicate = rc == 0 && n == 0;
  return rc;
}

static int
store_pg_txn_load (gpointer data, const char *key, struct record *r, gboolean *found, GError **error)
{
  struct store_pg_txn *t = data;

  (void) error;
  if (store_pg_ahead_load (t, key, r, found))
    return 0;
  return store_pg_load (t->s, key, r, found);
}

static int
store_pg_txn_save (gpointer data, const char *key, const struct record *r)
{
  struct store_pg_txn *t = data;

  if (store_pg_ahead_save (t, key, r))
    return 0;
  return store_pg_save (t->s, key, r);
}

static int
store_pg_txn_lead_get (gpointer data, const char *key, guint64 *seq)
{
  struct store_pg_txn *t = data;
  struct store_pg_params p;
  PGresult *res;

  if (store_pg_ahead_lead_get (t, key, seq))
    return 0;
  store_pg_params_init (&p);
  store_pg_str (&p, key);
  res = store_pg_exec (t->s, "SELECT seq FROM recoil_lead WHERE address = $1", &p);
  store_pg_params_clear (&p);
  *seq = 0;
  if (res == NULL)
    return store_pg_rc (t->s);
  if (PQntuples (res) == 1)
    *seq = (guint64) store_pg_get_int (res, 0, 0);
  PQclear (res);
  return 0;
}

static int
store_pg_txn_lead_put (gpointer data, const char *key, guint64 seq)
{
  struct store_pg_txn *t = data;
  struct store_pg_params p;
  int rc;

  store_pg_ahead_lead_set (t, key, seq);
  store_pg_params_init (&p);
  store_pg_str (&p, key);
  store_pg_int (&p, (gint64) seq);
  rc = store_pg_do (t->s,
                    "INSERT INTO recoil_lead (address, seq) VALUES ($1, $2) "
                    "ON CONFLICT (address) DO UPDATE SET seq = EXCLUDED.seq",
                    &p, NULL);
  store_pg_params_clear (&p);
  return rc;
}

static int
store_pg_txn_lead_del (gpointer data, const char *key)
{
  struct store_pg_txn *t = data;
  struct store_pg_params p;
  int rc;

  store_pg_ahead_lead_set (t, key, 0);
  store_pg_params_init (&p);
  store_pg_str (&p, key);
  rc = store_pg_do (t->s, "DELETE FROM recoil_lead WHERE address = $1", &p, NULL);
  store_pg_params_clear (&p);
  return rc;
}

/* store_pg_outbox_params - E (and ID) as the parameters of the columns of
 * STORE_PG_OUTBOX_COLUMNS. */
void
store_pg_outbox_params (struct store_pg_params *p, guint64 id, const struct outbox_entry *e)
{
  store_pg_int (p, (gint64) id);
  store_pg_str (p, e->provider);
  store_pg_str (p, e->action);
  store_pg_int (p, e->scope);
  store_pg_str (p, e->address);
  store_pg_str (p, e->list_id);
  store_pg_str (p, e->campaign_id);
  store_pg_str (p, e->subscriber_id);
  store_pg_str (p, e->reason);
  store_pg_str (p, e->status);
  store_pg_int (p, e->created);
  store_pg_int (p, e->next_try);
  store_pg_int (p, e->attempts);
  store_pg_bool (p, e->parked);
  store_pg_str (p, e->answer);
}

static const char store_pg_outbox_insert[] = "INSERT INTO recoil_outbox (" STORE_PG_OUTBOX_COLUMNS
                                             ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, "
                                             "$11, $12, $13, $14, $15)";

static int
store_pg_txn_outbox_add (gpointer data, const struct outbox_entry *e, guint index, guint count, guint64 *id)
{
  struct store_pg_txn *t = data;
  struct store_pg_params p;
  int rc;

  /* a new block when the item's entries would not fit in what is left */
  if (t->block == 0 || (index == 0 && t->used + count > STORE_PG_BLOCK) || t->used >= STORE_PG_BLOCK) {
    PGresult *res = store_pg_exec (t->s, "SELECT nextval('recoil_outbox_block')", NULL);

    if (res == NULL)
      return store_pg_rc (t->s);
    t->block = (guint64) store_pg_get_int (res, 0, 0) * STORE_PG_BLOCK;
    t->used = 0;
    PQclear (res);
  }
  *id = t->block + t->used++;
  store_pg_params_init (&p);
  store_pg_outbox_params (&p, *id, e);
  rc = store_pg_do (t->s, store_pg_outbox_insert, &p, NULL);
  store_pg_params_clear (&p);
  return rc;
}

static int
store_pg_txn_log_event (gpointer data, const GString *line, const char *key, guint64 *seq)
{
  struct store_pg_txn *t = data;
  struct store_pg_params p;
  PGresult *res;

  if (t->ahead != NULL)
    return store_pg_ahead_log_event (t, store_event_time (line->str, line->len), key, line->str, seq);
  store_pg_params_init (&p);
  store_pg_int (&p, store_event_time (line->str, line->len));
  store_pg_str (&p, key);
  store_pg_str (&p, line->str);
  res = store_pg_exec (t->s,
                       "INSERT INTO recoil_event (id, time, address, entry) "
                       "VALUES (nextval('recoil_event_id'), $1, $2, $3) RETURNING id",
                       &p);
  store_pg_params_clear (&p);
  if (res == NULL)
    return store_pg_rc (t->s);
  *seq = (guint64) store_pg_get_int (res, 0, 0);
  PQclear (res);
  return 0;
}

int
store_pg_count (struct store_pg *s, const char *key, guint64 delta)
{
  struct store_pg_params p;
  int rc;

  store_pg_params_init (&p);
  store_pg_str (&p, key);
  store_pg_int (&p, (gint64) delta);
  rc = store_pg_do (s,
                    "INSERT INTO recoil_daily (key, count) VALUES ($1, $2) "
                    "ON CONFLICT (key) DO UPDATE SET count = recoil_daily.count + EXCLUDED.count",
                    &p, NULL);
  store_pg_params_clear (&p);
  return rc;
}

static int
store_pg_txn_count (gpointer data, const char *key, guint64 delta)
{
  struct store_pg_txn *t = data;

  return store_pg_count (t->s, key, delta);
}

static const struct store_txn_ops store_pg_txn_ops = {
  store_pg_txn_seen,       store_pg_txn_load,      store_pg_txn_save,
  store_pg_txn_lead_get,   store_pg_txn_lead_put,  store_pg_txn_lead_del,
  store_pg_txn_outbox_add, store_pg_txn_log_event, store_pg_txn_count,
};

/* store_pg_prune - what the retention lets go of as of NOW, in one
 * statement: up to MAX_SEEN fingerprints and MAX event log entries and
 * daily counters; REPORT counts them. */
static int
store_pg_prune (struct store_pg *s, gint64 now, guint max, guint max_seen, struct store_purge_report *report)
{
  g_autofree char *day = clock_format_day (clock_day_of (now - s->stats_retention));
  struct store_pg_params p;
  PGresult *res;

  store_pg_params_init (&p);
  store_pg_int (&p, now - s->seen_ttl);
  store_pg_int (&p, max_seen);
  store_pg_int (&p, s->event_retention > 0 ? now - s->event_retention : G_MININT64);
  store_pg_int (&p, max);
  store_pg_str (&p, s->stats_retention > 0 ? day : "");
  /* SKIP LOCKED: hosts pruning at once take different rows */
  res =
      store_pg_exec (s,
                     "WITH s AS (DELETE FROM recoil_seen WHERE key IN (SELECT key FROM recoil_seen "
                     "  WHERE applied < $1 AND (fact_time IS NULL OR fact_time < $1) LIMIT $2 "
                     "  FOR UPDATE SKIP LOCKED) RETURNING 1), "
                     "e AS (DELETE FROM recoil_event WHERE id IN (SELECT id FROM recoil_event "
                     "  WHERE time < $3 ORDER BY id LIMIT $4 FOR UPDATE SKIP LOCKED) RETURNING id, address), "
                     "l AS (DELETE FROM recoil_lead USING e WHERE recoil_lead.address = e.address "
                     "  AND recoil_lead.seq = e.id RETURNING 1), "
                     "d AS (DELETE FROM recoil_daily WHERE key IN (SELECT key FROM recoil_daily "
                     "  WHERE key < $5 ORDER BY key LIMIT $4 FOR UPDATE SKIP LOCKED) RETURNING 1) "
                     "SELECT (SELECT count(*) FROM s), (SELECT count(*) FROM e), (SELECT count(*) FROM d), "
                     "(SELECT count(*) FROM l)",
                     &p);
  store_pg_params_clear (&p);
  if (res == NULL)
    return store_pg_rc (s);
  report->seen += (guint64) store_pg_get_int (res, 0, 0);
  report->events += (guint64) store_pg_get_int (res, 0, 1);
  report->daily += (guint64) store_pg_get_int (res, 0, 2);
  PQclear (res);
  return 0;
}

static int
store_pg_apply_work (struct store_pg *s, gpointer data, GError **error)
{
  struct store_batch *b = data;
  struct store_pg_txn t = { s, 0, 0, error, NULL };
  g_autoptr (GArray) locks = store_batch_locks (b);
  struct store_purge_report report = { 0 };
  int rc;

  if ((rc = store_pg_lock (s, locks)) != 0)
    return rc;
  /* several items: read ahead and write behind (store-pg-batch.c) */
  if (b->n > 1 && (rc = store_pg_ahead_begin (&t, b)) != 0) {
    store_pg_ahead_free (&t);
    return rc;
  }
  rc = store_apply_batch (&store_pg_txn_ops, &t, b, error);
  if (rc == 0)
    rc = store_pg_ahead_flush (&t);
  store_pg_ahead_free (&t);
  if (rc != 0)
    return rc;
  /* retention, a bounded share per transaction, as on LMDB */
  return store_pg_prune (s, b->now, MAX (64, 2 * b->n), 64, &report);
}

static gboolean
store_pg_apply (struct store *base, const struct conf *conf, const struct store_item *items, guint n,
                gint64 now, struct store_result *results, GError **error)
{
  struct store_pg *s = (struct store_pg *) base;
  struct store_batch b;
  gboolean ok;

  store_batch_init (&b, conf, items, n, now, base->claim_lease, results);
  ok = store_pg_txn (s, store_pg_apply_work, &b, "applying events", error);
  store_batch_clear (&b);
  return ok;
}

static gboolean
store_pg_get (struct store *base, const char *key, struct record *r, GError **error)
{
  struct store_pg *s = (struct store_pg *) base;
  gboolean found = FALSE;

  if (PQstatus (s->conn) != CONNECTION_OK && !store_pg_connect (s, error)) {
    record_init (r);
    return FALSE;
  }
  if (store_pg_load (s, key, r, &found) != 0)
    return store_pg_fail (s, error, "reading a record");
  return found;
}

/* What the single-address works need. */
struct store_pg_address {
  const char *key;
  gboolean flag;
  gboolean existed;
};

/* store_pg_lock_key - the advisory lock of KEY, as a batch takes it. */
static int
store_pg_lock_key (struct store_pg *s, const char *key)
{
  struct event e = { 0 };
  struct store_item item = { &e, NULL, NULL, NULL, NULL, 0 };
  struct store_batch b = { 0 };
  g_autoptr (GArray) locks = NULL;

  e.address = (char *) key;
  b.items = &item;
  b.n = 1;
  locks = store_batch_locks (&b);
  return store_pg_lock (s, locks);
}

static int
store_pg_reset_work (struct store_pg *s, gpointer data, GError **error)
{
  struct store_pg_address *w = data;
  struct store_pg_params p;
  guint64 n = 0;
  int rc;

  (void) error;
  if ((rc = store_pg_lock_key (s, w->key)) != 0)
    return rc;
  store_pg_params_init (&p);
  store_pg_str (&p, w->key);
  rc = store_pg_do (s, "DELETE FROM recoil_record WHERE address = $1", &p, &n);
  store_pg_params_clear (&p);
  w->existed = n > 0;
  return rc;
}

static gboolean
store_pg_reset (struct store *base, const char *key, gboolean *existed, GError **error)
{
  struct store_pg_address w = { key, FALSE, FALSE };

  if (!store_pg_txn ((struct store_pg *) base, store_pg_reset_work, &w, "resetting an address", error))
    return FALSE;
  *existed = w.existed;
  return TRUE;
}

static int
store_pg_ignore_work (struct store_pg *s, gpointer data, GError **error)
{
  struct store_pg_address *w = data;
  struct record r;
  gboolean found;
  int rc;

  (void) error;
  if ((rc = store_pg_lock_key (s, w->key)) != 0 || (rc = store_pg_load (s, w->key, &r, &found)) != 0)
    return rc;
  r.ignore = w->flag;
  rc = store_pg_save (s, w->key, &r);
  record_clear (&r);
  return rc;
}

static gboolean
store_pg_set_ignore (struct store *base, const char *key, gboolean on, gint64 now, GError **error)
{
  struct store_pg_address w = { key, on, FALSE };

  (void) now;
  return store_pg_txn ((struct store_pg *) base, store_pg_ignore_work, &w, "setting the ignore flag", error);
}

struct store_pg_import {
  const struct store_import_row *rows;
  guint n;
};

static int
store_pg_import_work (struct store_pg *s, gpointer data, GError **error)
{
  struct store_pg_import *w = data;

  for (guint i = 0; i < w->n; i++) {
    g_autofree char *key = event_normalize_address (w->rows[i].address);
    struct record r;
    gboolean found;
    int rc;

    if (key == NULL)
      continue;
    if ((rc = store_pg_lock_key (s, key)) != 0 || (rc = store_pg_load (s, key, &r, &found)) != 0)
      return rc;
    if (!store_import_apply (&w->rows[i], &r, error)) {
      record_clear (&r);
      return STORE_PG_ERROR;
    }
    rc = store_pg_save (s, key, &r);
    record_clear (&r);
    if (rc != 0)
      return rc;
  }
  return 0;
}

static gboolean
store_pg_import (struct store *base, const struct store_import_row *rows, guint n, GError **error)
{
  struct store_pg_import w = { rows, n };

  return store_pg_txn ((struct store_pg *) base, store_pg_import_work, &w, "importing", error);
}

/* A row visitor for store_pg_scan: FALSE stops the scan. */

/* The arguments of a scan. */
struct store_pg_scan {
  const char *query; /* a SELECT */
  const struct store_pg_params *params;
  store_pg_row_fn fn;
  gpointer data;
};

static int
store_pg_scan_work (struct store_pg *s, gpointer data, GError **error)
{
  struct store_pg_scan *w = data;
  g_autofree char *declare = g_strconcat ("DECLARE recoil_scan NO SCROLL CURSOR FOR ", w->query, NULL);
  int rc;

  (void) error;
  if ((rc = store_pg_do (s, declare, w->params, NULL)) != 0)
    return rc;
  for (;;) {
    PGresult *res = store_pg_exec (s, "FETCH 1000 FROM recoil_scan", NULL);
    int n;

    if (res == NULL)
      return store_pg_rc (s);
    n = PQntuples (res);
    for (int i = 0; i < n; i++)
      if (!w->fn (res, i, w->data)) {
        PQclear (res);
        return store_pg_do (s, "CLOSE recoil_scan", NULL, NULL);
      }
    PQclear (res);
    if (n == 0)
      return store_pg_do (s, "CLOSE recoil_scan", NULL, NULL);
  }
}

/* store_pg_scan - FN for each row of QUERY (with PARAMS), a thousand rows
 * at a time from a cursor, in one read-only transaction. */
gboolean
store_pg_scan (struct store_pg *s, const char *query, const struct store_pg_params *params,
               store_pg_row_fn fn, gpointer data, const char *what, GError **error)
{
  struct store_pg_scan w = { query, params, fn, data };

  return store_pg_txn (s, store_pg_scan_work, &w, what, error);
}

struct store_pg_record_visit {
  store_record_fn fn;
  gpointer data;
};

static gboolean
store_pg_record_row (PGresult *res, int row, gpointer data)
{
  struct store_pg_record_visit *v = data;
  struct record r;
  gboolean go;

  store_pg_record_from (res, row, 1, &r);
  go = v->fn (PQgetvalue (res, row, 0), &r, v->data);
  record_clear (&r);
  return go;
}

static gboolean
store_pg_each_record (struct store *base, store_record_fn fn, gpointer data, GError **error)
{
  struct store_pg_record_visit v = { fn, data };

  return store_pg_scan ((struct store_pg *) base,
                        "SELECT " STORE_PG_RECORD_COLUMNS " FROM recoil_record ORDER BY address", NULL,
                        store_pg_record_row, &v, "listing records", error);
}

struct store_pg_daily_visit {
  store_daily_fn fn;
  gpointer data;
};

static gboolean
store_pg_daily_row (PGresult *res, int row, gpointer data)
{
  struct store_pg_daily_visit *v = data;

  v->fn (PQgetvalue (res, row, 0), (guint64) store_pg_get_int (res, row, 1), v->data);
  return TRUE;
}

static gboolean
store_pg_each_daily (struct store *base, const char *from_day, store_daily_fn fn, gpointer data,
                     GError **error)
{
  struct store_pg_daily_visit v = { fn, data };
  struct store_pg_params p;
  gboolean ok;

  store_pg_params_init (&p);
  store_pg_str (&p, from_day);
  ok = store_pg_scan ((struct store_pg *) base,
                      "SELECT key, count FROM recoil_daily WHERE key >= $1 ORDER BY key", &p,
                      store_pg_daily_row, &v, "reading the counters", error);
  store_pg_params_clear (&p);
  return ok;
}

/* store_pg_outbox_from - the entry in row ROW of RES (columns of
 * STORE_PG_OUTBOX_COLUMNS); caller frees with outbox_entry_free. */
struct outbox_entry *
store_pg_outbox_from (PGresult *res, int row)
{
  struct outbox_entry *e = g_new0 (struct outbox_entry, 1);

  e->id = (guint64) store_pg_get_int (res, row, 0);
  e->provider = store_pg_get_str (res, row, 1);
  e->action = store_pg_get_str (res, row, 2);
  e->scope = (int) store_pg_get_int (res, row, 3);
  e->address = store_pg_get_str (res, row, 4);
  e->list_id = store_pg_get_str (res, row, 5);
  e->campaign_id = store_pg_get_str (res, row, 6);
  e->subscriber_id = store_pg_get_str (res, row, 7);
  e->reason = store_pg_get_str (res, row, 8);
  e->status = store_pg_get_str (res, row, 9);
  e->created = store_pg_get_int (res, row, 10);
  e->next_try = store_pg_get_int (res, row, 11);
  e->attempts = (guint32) store_pg_get_int (res, row, 12);
  e->parked = strcmp (PQgetvalue (res, row, 13), "t") == 0;
  e->answer = store_pg_get_str (res, row, 14);
  return e;
}

struct store_pg_outbox_visit {
  store_outbox_fn fn;
  gpointer data;
};

static gboolean
store_pg_outbox_row (PGresult *res, int row, gpointer data)
{
  struct store_pg_outbox_visit *v = data;
  struct outbox_entry *e = store_pg_outbox_from (res, row);
  gboolean go = v->fn (e, v->data);

  outbox_entry_free (e);
  return go;
}

static gboolean
store_pg_each_outbox (struct store *base, store_outbox_fn fn, gpointer data, GError **error)
{
  struct store_pg_outbox_visit v = { fn, data };

  return store_pg_scan ((struct store_pg *) base,
                        "SELECT " STORE_PG_OUTBOX_COLUMNS " FROM recoil_outbox ORDER BY id", NULL,
                        store_pg_outbox_row, &v, "listing the outbox", error);
}

/* The arguments of a purge. */
struct store_pg_purge {
  gint64 now;
  guint max;
  gboolean seen_only;
  struct store_purge_report pass;
};

static int
store_pg_purge_work (struct store_pg *s, gpointer data, GError **error)
{
  struct store_pg_purge *w = data;

  (void) error;
  memset (&w->pass, 0, sizeof w->pass);
  return store_pg_prune (s, w->now, w->seen_only ? 0 : w->max, w->max, &w->pass);
}

static gboolean
store_pg_purge_seen (struct store *base, gint64 now, guint max, guint *purged, GError **error)
{
  struct store_pg_purge w = { now, max, TRUE, { 0 } };

  *purged = 0;
  if (!store_pg_txn ((struct store_pg *) base, store_pg_purge_work, &w, "purging", error))
    return FALSE;
  *purged = (guint) w.pass.seen;
  return TRUE;
}

static gboolean
store_pg_purge (struct store *base, gint64 now, guint max, struct store_purge_report *report, GError **error)
{
  struct store_pg_purge w = { now, max, FALSE, { 0 } };

  for (;;) {
    if (!store_pg_txn ((struct store_pg *) base, store_pg_purge_work, &w, "purging", error))
      return FALSE;
    report->seen += w.pass.seen;
    report->events += w.pass.events;
    report->daily += w.pass.daily;
    report->transactions++;
    if (w.pass.seen + w.pass.events + w.pass.daily == 0)
      return TRUE;
  }
}

struct store_pg_event_visit {
  store_event_fn fn;
  gpointer data;
};

static gboolean
store_pg_event_row (PGresult *res, int row, gpointer data)
{
  struct store_pg_event_visit *v = data;

  return v->fn ((guint64) store_pg_get_int (res, row, 0), PQgetvalue (res, row, 1),
                (gsize) PQgetlength (res, row, 1), v->data);
}

static gboolean
store_pg_each_event (struct store *base, const char *key, store_event_fn fn, gpointer data, GError **error)
{
  struct store_pg_event_visit v = { fn, data };
  struct store_pg_params p;
  gboolean ok;

  store_pg_params_init (&p);
  if (key == NULL) {
    ok = store_pg_scan ((struct store_pg *) base, "SELECT id, entry FROM recoil_event ORDER BY id DESC", NULL,
                        store_pg_event_row, &v, "reading the event log", error);
  } else {
    /* the address's chain, as on LMDB: its record names its last fact (or,
     * without a record, its lead: delay warnings, deliveries), each fact
     * the one before; facts before a reset are on no chain */
    g_autofree char *norm = event_normalize_address (key);

    if (norm == NULL) {
      store_pg_params_clear (&p);
      g_set_error (error, STORE_ERROR, STORE_ERROR_INVALID, "\"%s\" is not an address", key);
      return FALSE;
    }
    store_pg_str (&p, norm);
    ok = store_pg_scan ((struct store_pg *) base,
                        "WITH RECURSIVE head (seq) AS ("
                        "  SELECT COALESCE((SELECT last_event FROM recoil_record WHERE address = $1),"
                        "                  (SELECT seq FROM recoil_lead WHERE address = $1), 0)),"
                        " chain (id, entry) AS ("
                        "  SELECT e.id, e.entry FROM recoil_event e, head WHERE e.id = head.seq"
                        "  UNION ALL"
                        "  SELECT e.id, e.entry FROM chain c"
                        "  JOIN recoil_event e ON e.id = ((c.entry::jsonb) ->> 'prev')::bigint)"
                        " SELECT id, entry FROM chain ORDER BY id DESC",
                        &p, store_pg_event_row, &v, "reading the event log", error);
  }
  store_pg_params_clear (&p);
  return ok;
}

static gboolean
store_pg_event_at (struct store *base, guint64 seq, store_event_fn fn, gpointer data, GError **error)
{
  struct store_pg_event_visit v = { fn, data };
  struct store_pg_params p;
  gboolean ok;

  store_pg_params_init (&p);
  store_pg_int (&p, (gint64) seq);
  ok = store_pg_scan ((struct store_pg *) base, "SELECT id, entry FROM recoil_event WHERE id = $1", &p,
                      store_pg_event_row, &v, "reading the event log", error);
  store_pg_params_clear (&p);
  return ok;
}

static const struct store_ops store_pg_ops = {
  .name = "postgresql",
  .close = store_pg_close,
  .map_size = store_pg_map_size,
  .used_size = store_pg_used_size,
  .apply = store_pg_apply,
  .get = store_pg_get,
  .reset = store_pg_reset,
  .set_ignore = store_pg_set_ignore,
  .import = store_pg_import,
  .each_record = store_pg_each_record,
  .each_daily = store_pg_each_daily,
  .each_outbox = store_pg_each_outbox,
  .purge_seen = store_pg_purge_seen,
  .purge = store_pg_purge,
  .each_event = store_pg_each_event,
  .event_at = store_pg_event_at,
  .outbox_claim = store_pg_outbox_claim,
  .outbox_read = store_pg_outbox_read,
  .outbox_finish = store_pg_outbox_finish,
  .outbox_requeue = store_pg_outbox_requeue,
  .outbox_drop = store_pg_outbox_drop,
  .each_row = store_pg_each_row,
  .put_rows = store_pg_put_rows,
};
