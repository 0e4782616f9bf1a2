/* SPDX-License-Identifier: MIT */
/* test-store - the state store: record and outbox encodings, idempotent
 * application, batches equal to one-by-one, the outbox in the same
 * transaction, retention, an event log that stays JSON whatever bytes the
 * input carried; LMDB's map growth and its ceiling, unknown record
 * versions.
 *
 * With RECOIL_TEST_PG set to a PostgreSQL server's conninfo (tests/pg.test
 * starts one), the tests that hold for every backend run against it
 * instead, each in a database of its own. */
#include "config.h"

#include <glib/gstdio.h>
#include <jansson.h>
#include <libpq-fe.h>
#include <lmdb.h>
#include <string.h>

#include "store.h"

#define DAY 86400
#define T0 (G_GINT64_CONSTANT (20413) * DAY + 3600)

/* RECOIL_TEST_PG: the server's conninfo without a database, or NULL. */
static const char *test_pg;

/* test_pg_sql - run SQL in DB of the test server; FALSE when it failed. */
static gboolean
test_pg_sql (const char *db, const char *sql, char **first)
{
  g_autofree char *conninfo = g_strdup_printf ("%s dbname=%s", test_pg, db);
  PGconn *c = PQconnectdb (conninfo);
  PGresult *res;
  gboolean ok;

  g_assert_cmpint (PQstatus (c), ==, CONNECTION_OK);
  res = PQexec (c, sql);
  ok = PQresultStatus (res) == PGRES_COMMAND_OK || PQresultStatus (res) == PGRES_TUPLES_OK;
  if (first != NULL)
    *first = ok && PQntuples (res) > 0 ? g_strdup (PQgetvalue (res, 0, 0)) : NULL;
  PQclear (res);
  PQfinish (c);
  return ok;
}

/* test_pg_db - the database that stands for DIR (a name of its own). */
static char *
test_pg_db (const char *dir)
{
  g_autofree char *base = g_path_get_basename (dir);

  for (char *p = base; *p; p++)
    *p = g_ascii_isalnum (*p) ? g_ascii_tolower (*p) : '_';
  return g_strconcat ("t_", base, NULL);
}

/* test_options - O for the store that stands for DIR: LMDB in DIR/var, or
 * a database of its own on the test server (created when missing). */
static void
test_options (struct store_options *o, const char *dir, gint64 map, gint64 max)
{
  static GPtrArray *keep;
  char *db = g_build_filename (dir, "var", NULL);

  if (keep == NULL)
    keep = g_ptr_array_new ();
  g_ptr_array_add (keep, db);
  memset (o, 0, sizeof *o);
  o->dir = db;
  o->map_size = map;
  o->max_map_size = max;
  o->seen_ttl = 30 * DAY;
  o->nosync = TRUE;
  if (test_pg != NULL) {
    g_autofree char *name = test_pg_db (dir);
    g_autofree char *exists = NULL;
    g_autofree char *sql = g_strdup_printf ("SELECT 1 FROM pg_database WHERE datname = '%s'", name);
    char *conninfo = g_strdup_printf ("%s dbname=%s", test_pg, name);

    g_assert_true (test_pg_sql ("postgres", sql, &exists));
    if (exists == NULL) {
      g_autofree char *create = g_strdup_printf ("CREATE DATABASE %s", name);

      g_assert_true (test_pg_sql ("postgres", create, NULL));
    }
    g_ptr_array_add (keep, conninfo);
    o->backend = "postgresql";
    o->conninfo = conninfo;
    o->create_schema = TRUE;
  }
}

/* tmpdir - a new empty directory (caller frees; removed by rmrf). */
static char *
tmpdir (void)
{
  g_autoptr (GError) error = NULL;
  char *d = g_dir_make_tmp ("recoil-store-XXXXXX", &error);

  g_assert_no_error (error);
  return d;
}

static void
rmrf (const char *dir)
{
  g_autoptr (GDir) d = g_dir_open (dir, 0, NULL);
  const char *name;

  if (test_pg != NULL && g_path_is_absolute (dir) && strstr (dir, "recoil-store-") != NULL) {
    g_autofree char *db = test_pg_db (dir);
    g_autofree char *sql = g_strdup_printf ("DROP DATABASE IF EXISTS %s", db);

    test_pg_sql ("postgres", sql, NULL);
  }

  while (d != NULL && (name = g_dir_read_name (d)) != NULL) {
    g_autofree char *p = g_build_filename (dir, name, NULL);

    if (g_file_test (p, G_FILE_TEST_IS_DIR))
      rmrf (p);
    else
      g_unlink (p);
  }
  g_rmdir (dir);
}

/* test_conf - a configuration with a webhook provider that gets every
 * decision (caller frees). */
static struct conf *
test_conf (const char *dir)
{
  g_autofree char *path = g_build_filename (dir, "recoil.conf", NULL);
  g_autoptr (GError) error = NULL;
  struct conf *conf = NULL;

  g_assert_true (g_file_set_contents (path,
                                      "[recoil]\nlog = stderr\n"
                                      "[provider hook]\ntype = webhook\nurl = http://127.0.0.1:9/h\n"
                                      "secret = 0123456789abcdef0123\nactions = unsubscribe, record\n",
                                      -1, &error));
  g_chmod (path, 0600);
  g_assert_true (conf_load (path, &conf, &error));
  g_assert_no_error (error);
  return conf;
}

static struct store *
open_store (const char *dir, gint64 map, gint64 max)
{
  struct store_options o;
  g_autoptr (GError) error = NULL;
  struct store *s = NULL;

  test_options (&o, dir, map, max);
  g_assert_true (store_open (&o, &s, &error));
  g_assert_no_error (error);
  return s;
}

static struct event *
bounce (const char *address, event_class klass)
{
  struct event *e = event_new ();

  e->kind = EVENT_KIND_BOUNCE;
  e->klass = klass;
  e->address = g_strdup (address);
  e->status = g_strdup (klass == EVENT_CLASS_HARD ? "5.1.1" : "4.2.2");
  e->reason = g_strdup (klass == EVENT_CLASS_HARD ? "userunknown" : "mailboxfull");
  e->category = g_strdup (klass == EVENT_CLASS_HARD ? "bad-mailbox" : "quota-issues");
  e->hints.list_id = g_strdup ("L1");
  return e;
}

static void
test_record_codec (void)
{
  struct record r, back;
  g_autoptr (GBytes) bytes = NULL;
  g_autoptr (GError) error = NULL;
  const guint8 *d;
  gsize len;

  record_init (&r);
  r.hard = 2;
  r.soft = 4;
  r.ignored = 7;
  r.complaints = 1;
  r.unsubscribes = 3;
  r.first_bounce = T0;
  r.last_bounce = T0 + 5;
  r.recent[0] = T0 + 5;
  r.recent[1] = T0 + 4;
  r.last_soft_day = 20413;
  r.changed = T0 + 9;
  r.state = RECORD_SUPPRESSED;
  r.ignore = TRUE;
  r.last_status = g_strdup ("5.1.1");
  r.last_reason = g_strdup ("userunknown");
  r.state_reason = g_strdup ("hard");
  record_acted_add (&r, "mw:unsubscribe");
  record_acted_add (&r, "hook:record");
  g_assert_false (record_acted_add (&r, "mw:unsubscribe"));
  bytes = record_encode (&r);
  d = g_bytes_get_data (bytes, &len);
  g_assert_cmpuint (d[0], ==, RECORD_VERSION);
  g_assert_true (record_decode (d, len, &back, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (back.hard, ==, 2);
  g_assert_cmpuint (back.soft, ==, 4);
  g_assert_cmpuint (back.ignored, ==, 7);
  g_assert_cmpuint (back.unsubscribes, ==, 3);
  g_assert_cmpint (back.recent[1], ==, T0 + 4);
  g_assert_cmpint (back.last_soft_day, ==, 20413);
  g_assert_cmpint (back.state, ==, RECORD_SUPPRESSED);
  g_assert_true (back.ignore);
  g_assert_cmpstr (back.last_status, ==, "5.1.1");
  g_assert_null (back.last_category);
  g_assert_cmpstr (back.state_reason, ==, "hard");
  g_assert_cmpuint (back.acted->len, ==, 2);
  g_assert_cmpstr (g_ptr_array_index (back.acted, 1), ==, "hook:record");
  record_clear (&back);

  /* every truncation and a trailing byte are errors, never garbage */
  for (gsize cut = 0; cut < len; cut++) {
    g_autoptr (GError) e2 = NULL;

    g_assert_false (record_decode (d, cut, &back, &e2));
    g_assert_nonnull (e2);
    record_clear (&back);
  }
  {
    g_autofree guint8 *longer = g_malloc (len + 1);
    g_autoptr (GError) e2 = NULL;

    memcpy (longer, d, len);
    longer[len] = 0;
    g_assert_false (record_decode (longer, len + 1, &back, &e2));
    g_assert_error (e2, RECORD_ERROR, RECORD_ERROR_CORRUPT);
    record_clear (&back);
  }
  {
    g_autofree guint8 *newer = g_memdup2 (d, len);
    g_autoptr (GError) e2 = NULL;

    newer[0] = RECORD_VERSION + 1;
    g_assert_false (record_decode (newer, len, &back, &e2));
    g_assert_error (e2, RECORD_ERROR, RECORD_ERROR_VERSION);
    record_clear (&back);
  }
  record_clear (&r);
}

static void
test_outbox_codec (void)
{
  struct outbox_entry e = { 0 }, back;
  g_autoptr (GBytes) bytes = NULL;
  const guint8 *d;
  gsize len;

  e.provider = g_strdup ("mw");
  e.action = g_strdup ("unsubscribe");
  e.scope = 1;
  e.address = g_strdup ("a@example.org");
  e.list_id = g_strdup ("L1");
  e.reason = g_strdup ("hard");
  e.created = T0;
  e.next_try = T0 + 60;
  e.attempts = 3;
  e.parked = TRUE;
  e.answer = g_strdup ("422 list not found");
  bytes = outbox_encode (&e);
  d = g_bytes_get_data (bytes, &len);
  g_assert_true (outbox_decode (d, len, &back));
  g_assert_cmpstr (back.provider, ==, "mw");
  g_assert_cmpstr (back.address, ==, "a@example.org");
  g_assert_cmpint (back.scope, ==, 1);
  g_assert_cmpint (back.next_try, ==, T0 + 60);
  g_assert_cmpuint (back.attempts, ==, 3);
  g_assert_true (back.parked);
  g_assert_cmpstr (back.answer, ==, "422 list not found");
  g_assert_null (back.campaign_id);
  outbox_entry_clear (&back);
  for (gsize cut = 0; cut < len; cut++)
    g_assert_false (outbox_decode (d, cut, &back));
  outbox_entry_clear (&e);
}

static gboolean
count_outbox (const struct outbox_entry *e, gpointer data)
{
  (*(guint *) data)++;
  g_assert_cmpstr (e->provider, ==, "hook");
  return TRUE;
}

/* A message applied twice (an MTA retry) changes nothing the second time;
 * once its fingerprint expires it counts again. */
static void
test_idempotent (void)
{
  g_autofree char *dir = tmpdir ();
  g_autoptr (conf_t) conf = test_conf (dir);
  struct store *s = open_store (dir, 1 << 20, 64 << 20);
  g_autoptr (event_t) e = bounce ("Alice@Example.ORG", EVENT_CLASS_SOFT);
  guint8 fp[32];
  struct store_item item = { e, fp, "news@example.com" };
  struct store_result res;
  g_autoptr (GError) error = NULL;
  struct record r;
  guint outbox = 0, purged = 0;

  store_fingerprint ("<m1@example.test>", "b1x@bounces.example.test", NULL, 0, fp);
  g_assert_true (store_apply (s, conf, &item, 1, T0, &res, &error));
  g_assert_false (res.duplicate);
  g_assert_true (res.decision.counted);
  g_assert_true (store_apply (s, conf, &item, 1, T0 + 3 * DAY, &res, &error));
  g_assert_true (res.duplicate);
  g_assert_true (store_get (s, "alice@example.org", &r, &error) == FALSE || TRUE);
  record_clear (&r);
  g_assert_true (store_get (s, "Alice@example.org", &r, &error));
  g_assert_cmpuint (r.soft, ==, 1);
  record_clear (&r);
  /* 31 days later the fingerprint has expired: a new mail with the same id */
  g_assert_true (store_apply (s, conf, &item, 1, T0 + 31 * DAY, &res, &error));
  g_assert_false (res.duplicate);
  g_assert_true (store_get (s, "Alice@example.org", &r, &error));
  g_assert_cmpuint (r.soft, ==, 1); /* the quiet window forgot the first one */
  record_clear (&r);
  g_assert_true (store_purge_seen (s, T0 + 62 * DAY, 100, &purged, &error));
  g_assert_cmpuint (purged, ==, 1);
  g_assert_true (store_each_outbox (s, count_outbox, &outbox, &error));
  g_assert_cmpuint (outbox, ==, 0); /* soft bounces below the threshold tell nobody */
  store_close (s);
  rmrf (dir);
}

/* Facts keyed by their own time (accounting records): a record read again
 * is a duplicate whatever the day; the purge forgets only what is older
 * than seen_ttl and was applied more than seen_ttl ago, so an old file
 * read again is remembered for its own seen_ttl. */
static void
test_idempotent_by_fact_time (void)
{
  g_autofree char *dir = tmpdir ();
  g_autoptr (conf_t) conf = test_conf (dir);
  struct store *s = open_store (dir, 1 << 20, 64 << 20);
  g_autoptr (event_t) e = bounce ("acct@example.org", EVENT_CLASS_IGNORE);
  g_autoptr (event_t) other = bounce ("other@example.org", EVENT_CLASS_IGNORE);
  guint8 fp[32], fp2[32];
  struct store_item item = { e, fp, NULL, NULL, NULL, T0 - 100 * DAY };
  struct store_item fresh = { other, fp2, NULL, NULL, NULL, T0 + 40 * DAY };
  struct store_result res;
  g_autoptr (GError) error = NULL;

  store_fingerprint (NULL, "acct", "b,1,acct@example.org", 20, fp);
  store_fingerprint (NULL, "acct", "b,2,other@example.org", 21, fp2);
  /* a record 100 days old, read today and again 20 days later */
  g_assert_true (store_apply (s, conf, &item, 1, T0, &res, &error));
  g_assert_false (res.duplicate);
  g_assert_true (store_apply (s, conf, &item, 1, T0 + 20 * DAY, &res, &error));
  g_assert_true (res.duplicate);
  /* 40 days after it was applied, a new record's batch purges it */
  g_assert_true (store_apply (s, conf, &fresh, 1, T0 + 40 * DAY, &res, &error));
  g_assert_false (res.duplicate);
  g_assert_true (store_apply (s, conf, &item, 1, T0 + 41 * DAY, &res, &error));
  g_assert_false (res.duplicate);
  /* the recent one is still known */
  g_assert_true (store_apply (s, conf, &fresh, 1, T0 + 41 * DAY, &res, &error));
  g_assert_true (res.duplicate);
  store_close (s);
  rmrf (dir);
}

static gboolean
count_events (guint64 seq, const char *json, gsize len, gpointer data)
{
  (*(guint *) data)++;
  return TRUE;
}

static void
count_daily (const char *key, guint64 count, gpointer data)
{
  (*(guint *) data)++;
}

/* Retention: across the boundary, old event log entries, daily counters
 * and fingerprints go (a bounded share with each batch, the rest with
 * store_purge); address records, suppressions and the newer facts stay,
 * and an address's chain of facts ends where the log was cut. */
static void
test_retention (void)
{
  g_autofree char *dir = tmpdir ();
  g_autoptr (conf_t) conf = test_conf (dir);
  struct store_options o;
  struct store *s = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (event_t) hard = bounce ("gone@example.org", EVENT_CLASS_HARD);
  g_autoptr (event_t) noise = bounce ("busy@example.org", EVENT_CLASS_IGNORE);
  struct store_item items[200];
  struct store_result results[200];
  struct store_purge_report report;
  guint events = 0, daily = 0;
  struct record r;
  guint8 fp[32];

  test_options (&o, dir, 1 << 20, 64 << 20);
  o.event_retention = 90 * DAY;
  o.stats_retention = 400 * DAY;
  g_assert_true (store_open (&o, &s, &error));
  /* day 0: the decision and 199 other facts, each with a fingerprint */
  for (guint i = 0; i < 200; i++) {
    items[i] = (struct store_item){ i == 0 ? hard : noise, NULL, NULL, NULL, NULL, 0 };
  }
  store_fingerprint ("<m0@example.test>", "x", NULL, 0, fp);
  items[0].fingerprint = fp;
  g_assert_true (store_apply (s, conf, items, 200, T0, results, &error));
  g_assert_true (results[0].decision.outcome == POLICY_SUPPRESS);
  /* day 89: nothing has gone yet */
  g_assert_true (store_apply (s, conf, items + 1, 1, T0 + 89 * DAY, results, &error));
  g_assert_true (store_each_event (s, NULL, count_events, &events, &error));
  g_assert_cmpuint (events, ==, 201);
  /* day 91: one small batch removes a bounded share of the old facts */
  g_assert_true (store_apply (s, conf, items + 1, 1, T0 + 91 * DAY, results, &error));
  events = 0;
  g_assert_true (store_each_event (s, NULL, count_events, &events, &error));
  g_assert_cmpuint (events, ==, 202 - 64);
  /* store_purge removes the rest of what is past the retention */
  g_assert_true (store_purge (s, T0 + 91 * DAY, 50, &report, &error));
  g_assert_cmpuint (report.events, ==, 202 - 64 - 2);
  g_assert_cmpuint (report.transactions, >=, 3);
  events = 0;
  g_assert_true (store_each_event (s, NULL, count_events, &events, &error));
  g_assert_cmpuint (events, ==, 2);
  /* the fingerprint expired with seen_ttl: the same message counts again */
  g_assert_true (store_apply (s, conf, items, 1, T0 + 92 * DAY, results, &error));
  g_assert_false (results[0].duplicate);
  /* the suppression and the record stay; its chain ends at the cut */
  g_assert_true (store_get (s, "gone@example.org", &r, &error));
  g_assert_cmpint (r.state, ==, RECORD_SUPPRESSED);
  g_assert_cmpuint (r.hard, ==, 2);
  record_clear (&r);
  events = 0;
  g_assert_true (store_each_event (s, "gone@example.org", count_events, &events, &error));
  g_assert_cmpuint (events, ==, 1);
  /* daily counters live for stats_retention */
  g_assert_true (store_each_daily (s, "0000-00-00", count_daily, &daily, &error));
  g_assert_cmpuint (daily, ==, 6); /* day 0: 3 counters, days 89, 91, 92: 1 each */
  g_assert_true (store_purge (s, T0 + 401 * DAY, 1000, &report, &error));
  g_assert_cmpuint (report.daily, ==, 3);
  g_assert_true (store_purge (s, T0 + 500 * DAY, 1000, &report, &error));
  g_assert_cmpuint (report.daily, ==, 3);
  daily = 0;
  g_assert_true (store_each_daily (s, "0000-00-00", count_daily, &daily, &error));
  g_assert_cmpuint (daily, ==, 0);
  g_assert_true (store_get (s, "gone@example.org", &r, &error));
  g_assert_cmpint (r.state, ==, RECORD_SUPPRESSED);
  record_clear (&r);
  store_close (s);
  rmrf (dir);
}

/* leads_count - the heads of chains of addresses without a record in the
 * store that stands for DIR. */
static guint64
leads_count (const char *dir)
{
  g_autofree char *db = g_build_filename (dir, "var", NULL);
  MDB_env *env;
  MDB_txn *txn;
  MDB_dbi dbi;
  MDB_stat st;

  if (test_pg != NULL) {
    g_autofree char *name = test_pg_db (dir);
    g_autofree char *n = NULL;

    g_assert_true (test_pg_sql (name, "SELECT count(*) FROM recoil_lead", &n));
    return g_ascii_strtoull (n, NULL, 10);
  }
  g_assert_cmpint (mdb_env_create (&env), ==, 0);
  mdb_env_set_maxdbs (env, 16);
  g_assert_cmpint (mdb_env_open (env, db, MDB_RDONLY, 0600), ==, 0);
  g_assert_cmpint (mdb_txn_begin (env, NULL, MDB_RDONLY, &txn), ==, 0);
  g_assert_cmpint (mdb_dbi_open (txn, "leads", 0, &dbi), ==, 0);
  g_assert_cmpint (mdb_stat (txn, dbi, &st), ==, 0);
  mdb_txn_abort (txn);
  mdb_env_close (env);
  return st.ms_entries;
}

/* Delay warnings make no record: they are chained in the log by address
 * all the same, the first bounce's record takes the chain over, and the
 * chain's head goes with the retention. */
static void
test_delayed_chain (void)
{
  g_autofree char *dir = tmpdir ();
  g_autoptr (conf_t) conf = test_conf (dir);
  struct store_options o;
  struct store *s = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (event_t) late = bounce ("late@example.org", EVENT_CLASS_SOFT);
  g_autoptr (event_t) late_bounce = bounce ("late@Example.ORG", EVENT_CLASS_SOFT);
  g_autoptr (event_t) slow = bounce ("slow@example.org", EVENT_CLASS_SOFT);
  struct store_item item = { late, NULL, NULL, NULL, NULL, 0 };
  struct store_result res;
  struct store_purge_report report;
  guint events = 0;
  struct record r;

  late->kind = slow->kind = EVENT_KIND_DELAYED;
  test_options (&o, dir, 1 << 20, 64 << 20);
  o.event_retention = 90 * DAY;
  g_assert_true (store_open (&o, &s, &error));
  g_assert_true (store_apply (s, conf, &item, 1, T0, &res, &error));
  g_assert_true (store_apply (s, conf, &item, 1, T0 + DAY, &res, &error));
  item.event = slow;
  g_assert_true (store_apply (s, conf, &item, 1, T0 + DAY, &res, &error));
  g_assert_false (store_get (s, "late@example.org", &r, &error));
  g_assert_no_error (error);
  record_clear (&r);
  g_assert_true (store_each_event (s, "late@example.org", count_events, &events, &error));
  g_assert_cmpuint (events, ==, 2);
  /* the bounce: one soft, a record, and its chain holds the warnings */
  item.event = late_bounce;
  g_assert_true (store_apply (s, conf, &item, 1, T0 + 2 * DAY, &res, &error));
  g_assert_true (store_get (s, "late@example.org", &r, &error));
  g_assert_cmpuint (r.soft, ==, 1);
  record_clear (&r);
  events = 0;
  g_assert_true (store_each_event (s, "late@example.org", count_events, &events, &error));
  g_assert_cmpuint (events, ==, 3);
  store_close (s);
  g_assert_cmpuint (leads_count (dir), ==, 1); /* slow@ only */
  /* past the retention the warning about slow@ goes, and its head too */
  g_assert_true (store_open (&o, &s, &error));
  g_assert_true (store_purge (s, T0 + 92 * DAY, 1000, &report, &error));
  g_assert_cmpuint (report.events, ==, 3); /* the bounce of day 2 stays */
  events = 0;
  g_assert_true (store_each_event (s, "slow@example.org", count_events, &events, &error));
  g_assert_cmpuint (events, ==, 0);
  store_close (s);
  g_assert_cmpuint (leads_count (dir), ==, 0);
  rmrf (dir);
}

/* A hard bounce suppresses, enqueues the provider's actions in the same
 * transaction, and a second one does not repeat them. */
static void
test_outbox_enqueue (void)
{
  g_autofree char *dir = tmpdir ();
  g_autoptr (conf_t) conf = test_conf (dir);
  struct store *s = open_store (dir, 1 << 20, 64 << 20);
  g_autoptr (event_t) e = bounce ("bob@example.org", EVENT_CLASS_HARD);
  struct store_item item = { e, NULL, NULL };
  struct store_result res;
  g_autoptr (GError) error = NULL;
  struct record r;
  guint outbox = 0;

  g_assert_true (store_apply (s, conf, &item, 1, T0, &res, &error));
  g_assert_cmpint (res.decision.outcome, ==, POLICY_SUPPRESS);
  g_assert_cmpuint (res.actions, ==, 2);
  g_assert_true (store_apply (s, conf, &item, 1, T0 + DAY, &res, &error));
  g_assert_true (res.decision.repeat);
  g_assert_cmpuint (res.actions, ==, 0);
  g_assert_true (store_each_outbox (s, count_outbox, &outbox, &error));
  g_assert_cmpuint (outbox, ==, 2);
  g_assert_true (store_get (s, "bob@example.org", &r, &error));
  g_assert_cmpint (r.state, ==, RECORD_SUPPRESSED);
  g_assert_cmpuint (r.hard, ==, 2);
  g_assert_cmpuint (r.acted->len, ==, 2);
  record_clear (&r);
  store_close (s);
  rmrf (dir);
}

/* snapshot - every record encoded, in order, as one string. */
static gboolean
snap_one (const char *address, const struct record *r, gpointer data)
{
  g_autoptr (GBytes) b = record_encode (r);
  gsize len;
  const guint8 *d = g_bytes_get_data (b, &len);
  g_autofree char *hex = g_malloc (2 * len + 1);

  for (gsize i = 0; i < len; i++)
    g_snprintf (hex + 2 * i, 3, "%02x", d[i]);
  g_string_append_printf (data, "%s=%s\n", address, hex);
  return TRUE;
}

static char *
snapshot (struct store *s)
{
  GString *out = g_string_new (NULL);
  g_autoptr (GError) error = NULL;

  g_assert_true (store_each_record (s, snap_one, out, &error));
  return g_string_free (out, FALSE);
}

/* N events applied in one transaction leave the same state as one by one. */
static void
test_batch_equals_single (void)
{
  g_autofree char *dir_a = tmpdir ();
  g_autofree char *dir_b = tmpdir ();
  g_autoptr (conf_t) conf = test_conf (dir_a);
  struct store *a = open_store (dir_a, 1 << 20, 64 << 20);
  struct store *b = open_store (dir_b, 1 << 20, 64 << 20);
  g_autoptr (GPtrArray) events = g_ptr_array_new_with_free_func ((GDestroyNotify) event_free);
  g_autofree struct store_item *items = g_new0 (struct store_item, 300);
  g_autofree struct store_result *results = g_new0 (struct store_result, 300);
  g_autofree guint8 *fps = g_new0 (guint8, 300 * 32);
  g_autoptr (GError) error = NULL;
  g_autofree char *snap_a = NULL, *snap_b = NULL;

  for (int i = 0; i < 300; i++) {
    g_autofree char *addr = g_strdup_printf ("user%d@example.org", g_test_rand_int_range (0, 25));
    static const event_class classes[] = { EVENT_CLASS_HARD, EVENT_CLASS_SOFT, EVENT_CLASS_SOFT,
                                           EVENT_CLASS_IGNORE };
    struct event *e = bounce (addr, classes[g_test_rand_int_range (0, 4)]);
    g_autofree char *mid = g_strdup_printf ("<m%d@x>", g_test_rand_int_range (0, 250)); /* some repeats */

    if (g_test_rand_int_range (0, 10) == 0)
      e->kind = EVENT_KIND_COMPLAINT;
    g_ptr_array_add (events, e);
    store_fingerprint (mid, addr, NULL, 0, fps + 32 * i);
    items[i].event = e;
    items[i].fingerprint = fps + 32 * i;
  }
  g_assert_true (store_apply (a, conf, items, 300, T0, results, &error));
  g_assert_no_error (error);
  for (int i = 0; i < 300; i++)
    g_assert_true (store_apply (b, conf, &items[i], 1, T0, &results[i], &error));
  snap_a = snapshot (a);
  snap_b = snapshot (b);
  g_assert_cmpuint (strlen (snap_a), >, 0);
  g_assert_cmpstr (snap_a, ==, snap_b);
  store_close (a);
  store_close (b);
  rmrf (dir_a);
  rmrf (dir_b);
}

/* A tiny map grows as needed; with the ceiling reached the store answers
 * with a temporary error and keeps what was committed before. */
static void
test_map_full (void)
{
  g_autofree char *dir = tmpdir ();
  g_autoptr (conf_t) conf = test_conf (dir);
  struct store *s = open_store (dir, 64 * 1024, 32 << 20);
  g_autoptr (GError) error = NULL;
  gint64 initial = store_map_size (s);
  struct record r;

  for (int round = 0; round < 20; round++) {
    g_autoptr (GPtrArray) events = g_ptr_array_new_with_free_func ((GDestroyNotify) event_free);
    g_autofree struct store_item *items = g_new0 (struct store_item, 200);
    g_autofree struct store_result *results = g_new0 (struct store_result, 200);

    for (int i = 0; i < 200; i++) {
      g_autofree char *addr = g_strdup_printf ("grow%d-%d@example.org", round, i);
      struct event *e = bounce (addr, EVENT_CLASS_SOFT);

      g_ptr_array_add (events, e);
      items[i].event = e;
    }
    g_assert_true (store_apply (s, conf, items, 200, T0, results, &error));
    g_assert_no_error (error);
  }
  g_assert_cmpint (store_map_size (s), >, initial);
  store_close (s);

  /* same store, ceiling at the current size: a big batch cannot fit */
  s = open_store (dir, 64 * 1024, 64 * 1024);
  {
    g_autoptr (GPtrArray) events = g_ptr_array_new_with_free_func ((GDestroyNotify) event_free);
    guint n = 20000;
    g_autofree struct store_item *items = g_new0 (struct store_item, n);
    g_autofree struct store_result *results = g_new0 (struct store_result, n);

    for (guint i = 0; i < n; i++) {
      g_autofree char *addr = g_strdup_printf ("toomuch-%u-with-a-longer-local-part@example.org", i);
      struct event *e = bounce (addr, EVENT_CLASS_HARD);

      g_ptr_array_add (events, e);
      items[i].event = e;
    }
    g_assert_false (store_apply (s, conf, items, n, T0, results, &error));
    g_assert_error (error, STORE_ERROR, STORE_ERROR_TEMPORARY);
    g_clear_error (&error);
  }
  g_assert_false (store_get (s, "toomuch-0-with-a-longer-local-part@example.org", &r, &error));
  g_assert_no_error (error);
  record_clear (&r);
  g_assert_true (store_get (s, "grow0-0@example.org", &r, &error));
  g_assert_cmpuint (r.soft, ==, 1);
  record_clear (&r);
  store_close (s);
  rmrf (dir);
}

/* A record written by a newer recoil is an error, not garbage. */
static void
test_unknown_version (void)
{
  g_autofree char *dir = tmpdir ();
  g_autofree char *db = g_build_filename (dir, "var", NULL);
  struct store *s = open_store (dir, 1 << 20, 64 << 20);
  MDB_env *env;
  MDB_txn *txn;
  MDB_dbi dbi;
  MDB_val k = { 15, (void *) "new@example.org" }, v = { 4, (void *) "\x09\x00\x00\x00" };
  g_autoptr (GError) error = NULL;
  struct record r;

  store_close (s);
  g_assert_cmpint (mdb_env_create (&env), ==, 0);
  mdb_env_set_maxdbs (env, 8);
  g_assert_cmpint (mdb_env_open (env, db, 0, 0600), ==, 0);
  g_assert_cmpint (mdb_txn_begin (env, NULL, 0, &txn), ==, 0);
  g_assert_cmpint (mdb_dbi_open (txn, "addresses", 0, &dbi), ==, 0);
  g_assert_cmpint (mdb_put (txn, dbi, &k, &v, 0), ==, 0);
  g_assert_cmpint (mdb_txn_commit (txn), ==, 0);
  mdb_env_close (env);
  s = open_store (dir, 1 << 20, 64 << 20);
  g_assert_false (store_get (s, "new@example.org", &r, &error));
  g_assert_error (error, STORE_ERROR, STORE_ERROR_FORMAT);
  record_clear (&r);
  store_close (s);
  rmrf (dir);
}

/* collect_lines - each event log entry into a GPtrArray of strings. */
static gboolean
collect_lines (guint64 seq, const char *json, gsize len, gpointer data)
{
  g_ptr_array_add (data, g_strndup (json, len));
  return TRUE;
}

/* Accounting fields and envelope senders are bytes, not UTF-8: each line
 * of the event log is still one JSON object, with U+FFFD for what was not
 * UTF-8 and the quotes, backslashes and controls escaped. */
static void
test_event_log_json (void)
{
  g_autofree char *dir = tmpdir ();
  g_autoptr (conf_t) conf = test_conf (dir);
  struct store *s = open_store (dir, 1 << 20, 64 << 20);
  g_autoptr (event_t) e = bounce ("latin@example.org", EVENT_CLASS_HARD);
  guint8 fp[32];
  struct store_item item = { e, fp, "caf\xe9@example.com" };
  struct store_result res;
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) lines = g_ptr_array_new_with_free_func (g_free);

  g_free (e->category);
  e->category = g_strdup ("bad\xff\xfe-\"mailbox\"\\\x01");
  g_free (e->hints.list_id);
  e->hints.list_id = g_strdup ("\xc3"); /* a cut two-byte sequence */
  store_fingerprint ("<latin@example.test>", NULL, NULL, 0, fp);
  g_assert_true (store_apply (s, conf, &item, 1, T0, &res, &error));
  g_assert_no_error (error);
  g_assert_true (store_each_event (s, NULL, collect_lines, lines, &error));
  g_assert_cmpuint (lines->len, ==, 1);
  for (guint i = 0; i < lines->len; i++) {
    const char *text = g_ptr_array_index (lines, i);
    json_error_t jerr;
    json_t *line;

    g_assert_true (g_utf8_validate (text, -1, NULL));
    line = json_loads (text, 0, &jerr);
    if (line == NULL)
      g_error ("event log line %u is not JSON: %s: %s", i, jerr.text, text);
    g_assert_cmpstr (json_string_value (json_object_get (line, "sender")), ==, "caf\xef\xbf\xbd@example.com");
    g_assert_cmpstr (json_string_value (json_object_get (line, "category")), ==,
                     "bad\xef\xbf\xbd\xef\xbf\xbd-\"mailbox\"\\\x01");
    g_assert_cmpstr (json_string_value (json_object_get (line, "list")), ==, "\xef\xbf\xbd");
    g_assert_cmpstr (json_string_value (json_object_get (line, "recipient")), ==, "latin@example.org");
    json_decref (line);
  }
  store_close (s);
  rmrf (dir);
}

/* reset, ignore and import. */
static void
test_admin (void)
{
  g_autofree char *dir = tmpdir ();
  g_autoptr (conf_t) conf = test_conf (dir);
  struct store *s = open_store (dir, 1 << 20, 64 << 20);
  g_autoptr (event_t) e = bounce ("carol@example.org", EVENT_CLASS_HARD);
  struct store_item item = { e, NULL, NULL };
  struct store_result res;
  struct store_import_row rows[] = { { "dave@Example.ORG", RECORD_UNSUBSCRIBED, "legacy", T0 - DAY },
                                     { "not an address", RECORD_SUPPRESSED, NULL, T0 } };
  g_autoptr (GError) error = NULL;
  gboolean existed = FALSE;
  struct record r;

  g_assert_true (store_set_ignore (s, "carol@example.org", TRUE, T0, &error));
  g_assert_true (store_apply (s, conf, &item, 1, T0, &res, &error));
  g_assert_true (res.decision.ignored);
  g_assert_cmpuint (res.actions, ==, 0);
  g_assert_true (store_get (s, "carol@example.org", &r, &error));
  g_assert_cmpint (r.state, ==, RECORD_ACTIVE);
  g_assert_cmpuint (r.hard, ==, 1);
  record_clear (&r);
  g_assert_true (store_reset (s, "carol@example.org", &existed, &error));
  g_assert_true (existed);
  g_assert_true (store_reset (s, "carol@example.org", &existed, &error));
  g_assert_false (existed);
  g_assert_false (store_reset (s, "nope", &existed, &error));
  g_assert_error (error, STORE_ERROR, STORE_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_true (store_import (s, rows, 2, &error));
  g_assert_true (store_get (s, "dave@example.org", &r, &error));
  g_assert_cmpint (r.state, ==, RECORD_UNSUBSCRIBED);
  g_assert_cmpstr (r.state_reason, ==, "legacy");
  g_assert_cmpint (r.changed, ==, T0 - DAY);
  record_clear (&r);
  store_close (s);
  rmrf (dir);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  test_pg = g_getenv ("RECOIL_TEST_PG");
  if (test_pg != NULL && *test_pg != '\0') {
    /* what every backend must do alike */
    g_test_add_func ("/store-pg/idempotent", test_idempotent);
    g_test_add_func ("/store-pg/idempotent-by-fact-time", test_idempotent_by_fact_time);
    g_test_add_func ("/store-pg/retention", test_retention);
    g_test_add_func ("/store-pg/delayed-chain", test_delayed_chain);
    g_test_add_func ("/store-pg/outbox-enqueue", test_outbox_enqueue);
    g_test_add_func ("/store-pg/batch-equals-single", test_batch_equals_single);
    g_test_add_func ("/store-pg/admin", test_admin);
    g_test_add_func ("/store-pg/event-log-json", test_event_log_json);
    return g_test_run ();
  }
  test_pg = NULL;
  g_test_add_func ("/store/record-codec", test_record_codec);
  g_test_add_func ("/store/outbox-codec", test_outbox_codec);
  g_test_add_func ("/store/idempotent", test_idempotent);
  g_test_add_func ("/store/idempotent-by-fact-time", test_idempotent_by_fact_time);
  g_test_add_func ("/store/retention", test_retention);
  g_test_add_func ("/store/delayed-chain", test_delayed_chain);
  g_test_add_func ("/store/outbox-enqueue", test_outbox_enqueue);
  g_test_add_func ("/store/batch-equals-single", test_batch_equals_single);
  g_test_add_func ("/store/map-full", test_map_full);
  g_test_add_func ("/store/unknown-version", test_unknown_version);
  g_test_add_func ("/store/admin", test_admin);
  g_test_add_func ("/store/event-log-json", test_event_log_json);
  return g_test_run ();
}
