/* SPDX-License-Identifier: MIT */
/* store-pg - the PostgreSQL backend's inside, shared by its files:
 * store-pg.c (connection, transactions, schema, records, fingerprints,
 * event log, retention), store-pg-outbox.c (the outbox) and
 * store-pg-copy.c (whole tables, for recoil store copy).  Not for other
 * code: the rest of recoil sees the store through store.h. */
#ifndef RECOIL_STORE_PG_H
#define RECOIL_STORE_PG_H

#include <libpq-fe.h>

#include "store-backend.h"

/* Outbox ids are handed out in blocks of this many, one block per
 * transaction at a time, so the entries of one event are consecutive
 * whatever other hosts do meanwhile. */
#define STORE_PG_BLOCK 1024

/* A return code of our own: the statement failed; the message is kept. */
#define STORE_PG_FAILED 1
/* The same, but running the transaction again may succeed (a deadlock, a
 * serialisation failure). */
#define STORE_PG_RETRY 2
/* A GError was set by the work. */
#define STORE_PG_ERROR 3

struct store_pg {
  struct store base;
  PGconn *conn;
  char *conninfo;
  char *password;
  gint64 connect_timeout;
  gint64 seen_ttl;
  gint64 event_retention;
  gint64 stats_retention;
  char *last_error;   /* the last failed statement's message */
  char last_state[6]; /* and its SQLSTATE */
};

/* The columns of recoil_record, in the order store_pg_record_params and
 * store_pg_record_from read them. */
#define STORE_PG_RECORD_COLUMNS                                                                              \
  "address, state, state_reason, changed, ignore, hard, soft, ignored, complaints, unsubscribes, "           \
  "first_bounce, last_bounce, recent, last_soft_day, last_status, last_reason, last_category, acted, "       \
  "last_event, state_event"

#define STORE_PG_OUTBOX_COLUMNS                                                                              \
  "id, provider, action, scope, address, list_id, campaign_id, subscriber_id, reason, status, created, "     \
  "next_try, attempts, parked, answer"

/* Parameters of one statement, as text (or bytes for bytea). */
struct store_pg_params {
  const char *values[24];
  int lengths[24];
  int formats[24];
  GPtrArray *owned;
  int n;
};

/* The work of one transaction (store_pg_txn): 0, or a STORE_PG_* code. */
typedef int (*store_pg_work_fn) (struct store_pg *s, gpointer data, GError **error);

/* A row visitor for store_pg_scan: FALSE stops the scan. */
typedef gboolean (*store_pg_row_fn) (PGresult *res, int row, gpointer data);

/* One transaction applying a batch. */
struct store_pg_txn {
  struct store_pg *s;
  guint64 block;  /* the outbox block in use (its first id), 0 = none */
  guint64 used;   /* ids of it handed out */
  GError **error; /* where load puts a record it cannot read */
  /* a batch of several items: its fingerprints and records read ahead in
   * one statement each, its records and event log written behind in one
   * statement each at the end (store-pg-batch.c); NULL otherwise */
  struct store_pg_ahead *ahead;
};

/* store-pg.c: the helpers the other files use (documented there) */
void store_pg_params_init (struct store_pg_params *p);
void store_pg_params_clear (struct store_pg_params *p);
void store_pg_str (struct store_pg_params *p, const char *value);
void store_pg_own (struct store_pg_params *p, char *value);
void store_pg_int (struct store_pg_params *p, gint64 value);
void store_pg_bool (struct store_pg_params *p, gboolean value);
void store_pg_bytes (struct store_pg_params *p, const void *data, gsize len);
PGresult *store_pg_exec (struct store_pg *s, const char *sql, const struct store_pg_params *p);
int store_pg_do (struct store_pg *s, const char *sql, const struct store_pg_params *p, guint64 *affected);
gint64 store_pg_get_int (PGresult *res, int row, int col);
char *store_pg_get_str (PGresult *res, int row, int col);
gboolean store_pg_fail (struct store_pg *s, GError **error, const char *what);
gboolean store_pg_txn (struct store_pg *s, store_pg_work_fn work, gpointer data, const char *what,
                       GError **error);
gboolean store_pg_scan (struct store_pg *s, const char *query, const struct store_pg_params *params,
                        store_pg_row_fn fn, gpointer data, const char *what, GError **error);
struct outbox_entry *store_pg_outbox_from (PGresult *res, int row);
void store_pg_outbox_params (struct store_pg_params *p, guint64 id, const struct outbox_entry *e);
int store_pg_lock (struct store_pg *s, GArray *locks);
void store_pg_record_params (struct store_pg_params *p, const char *key, const struct record *r);
void store_pg_record_from (PGresult *res, int row, int col, struct record *r);
int store_pg_count (struct store_pg *s, const char *key, guint64 delta);
int store_pg_rc (struct store_pg *s);
int store_pg_save (struct store_pg *s, const char *key, const struct record *r);

/* store-pg-batch.c: reading ahead and writing behind for a batch.
 * store_pg_ahead_begin reads the batch B's fingerprints (inserting the new
 * ones, as store_pg_txn_seen would one by one) and records, and reserves
 * event log ids; the _seen, _load and _save calls answer from what was
 * read (FALSE: not theirs to answer, ask the database), as _lead_get does
 * for the chain heads of keys without a record (_lead_set keeps it in
 * step with what lead_put and lead_del write); _log_event keeps
 * the line; store_pg_ahead_flush writes the records and lines; _free
 * forgets it all.  Return codes as store_pg_do's. */
int store_pg_ahead_begin (struct store_pg_txn *t, const struct store_batch *b);
gboolean store_pg_ahead_seen (struct store_pg_txn *t, const guint8 *key, gsize len, gboolean *duplicate);
gboolean store_pg_ahead_load (struct store_pg_txn *t, const char *key, struct record *r, gboolean *found);
gboolean store_pg_ahead_save (struct store_pg_txn *t, const char *key, const struct record *r);
gboolean store_pg_ahead_lead_get (struct store_pg_txn *t, const char *key, guint64 *seq);
void store_pg_ahead_lead_set (struct store_pg_txn *t, const char *key, guint64 seq);
int store_pg_ahead_log_event (struct store_pg_txn *t, gint64 time, const char *key, const char *entry,
                              guint64 *seq);
int store_pg_ahead_flush (struct store_pg_txn *t);
void store_pg_ahead_free (struct store_pg_txn *t);

/* store-pg-outbox.c: the outbox operations of store_ops */
gboolean store_pg_outbox_claim (struct store *base, gint64 now, gint64 lease, guint64 first, guint64 last,
                                guint max, GPtrArray *out, GError **error);
gboolean store_pg_outbox_read (struct store *base, guint64 first, guint n, GPtrArray *out, GError **error);
gboolean store_pg_outbox_finish (struct store *base, const struct store_outbox_outcome *outcomes, guint n,
                                 gint64 now, GError **error);
gboolean store_pg_outbox_requeue (struct store *base, guint64 id, gint64 now, guint *count, GError **error);
gboolean store_pg_outbox_drop (struct store *base, guint64 id, gboolean *existed, GError **error);

/* store-pg-copy.c: whole tables, for recoil store copy */
gboolean store_pg_each_row (struct store *base, store_table table, store_row_fn fn, gpointer data,
                            GError **error);
gboolean store_pg_put_rows (struct store *base, store_table table, const struct store_row *rows, guint n,
                            GError **error);

#endif
