/* SPDX-License-Identifier: MIT */
/* store-lmdb - the LMDB backend's inside, shared by its files:
 * store-lmdb.c (environment, transactions, records, fingerprints, event
 * log, retention), store-lmdb-outbox.c (the outbox) and store-lmdb-copy.c
 * (whole tables, for recoil store copy).  Not for other code: the rest of
 * recoil sees the store through store.h. */
#ifndef RECOIL_STORE_LMDB_H
#define RECOIL_STORE_LMDB_H

#include <lmdb.h>

#include "store-backend.h"

/* A return code of our own for work functions: a GError was set. */
#define STORE_RC_ERROR (-100000)

struct store_lmdb {
  struct store base;
  MDB_env *env;
  MDB_dbi addresses, seen, seen_days, seen_at, outbox, events, daily;
  /* address -> the newest logged fact about an address without a record
   * (delay warnings, deliveries): the head of its chain until a record
   * takes it over or the retention lets the fact go */
  MDB_dbi leads;
  gint64 max_map_size;
  gint64 seen_ttl;
  gint64 lock_timeout_ms; /* > 0: the writer-lock watchdog is armed around write begins */
  gint64 event_retention; /* seconds the event log keeps a fact, 0 = for ever */
  gint64 stats_retention; /* seconds the daily counters are kept, 0 = for ever */
};

/* The work of one write transaction; a negative or LMDB return code
 * aborts it (STORE_RC_ERROR: ERROR was set). */
typedef int (*store_lmdb_work_fn) (struct store_lmdb *s, MDB_txn *txn, gpointer data, GError **error);

/* A row visitor for store_lmdb_scan: FALSE stops the scan. */
typedef gboolean (*store_lmdb_row_fn) (const MDB_val *key, const MDB_val *value, gpointer data);

/* store-lmdb.c: the helpers the other files use (documented there) */
gboolean store_lmdb_fail (GError **error, int rc, const char *what);
gboolean store_lmdb_write (struct store_lmdb *s, store_lmdb_work_fn work, gpointer data, GError **error);
int store_lmdb_read (struct store_lmdb *s, MDB_txn **txn);
gboolean store_lmdb_scan (struct store_lmdb *s, MDB_dbi dbi, const char *start, store_lmdb_row_fn fn,
                          gpointer data, GError **error);
MDB_val store_lmdb_key (const char *s);
void store_lmdb_be64 (guint64 n, guint8 out[8]);
guint64 store_lmdb_from_be64 (const guint8 *b);
int store_lmdb_next_id (MDB_txn *txn, MDB_dbi dbi, guint64 *next);
int store_lmdb_load (struct store_lmdb *s, MDB_txn *txn, const char *key, struct record *r, GError **error);
int store_lmdb_save (struct store_lmdb *s, MDB_txn *txn, const char *key, const struct record *r);
int store_lmdb_lead_put (struct store_lmdb *s, MDB_txn *txn, const char *key, guint64 seq);
int store_lmdb_count (struct store_lmdb *s, MDB_txn *txn, const char *key, guint64 delta);
void store_lmdb_day_key (guint32 day, const guint8 *fp, guint8 out[36]);

/* store-lmdb-outbox.c: the outbox operations of store_ops, and the write
 * of one entry (store_lmdb_outbox_put) that applying a batch uses */
int store_lmdb_outbox_put (struct store_lmdb *s, MDB_txn *txn, guint64 id, const struct outbox_entry *e);
gboolean store_lmdb_outbox_claim (struct store *base, gint64 now, gint64 lease, guint64 first, guint64 last,
                                  guint max, GPtrArray *out, GError **error);
gboolean store_lmdb_outbox_read (struct store *base, guint64 first, guint n, GPtrArray *out, GError **error);
gboolean store_lmdb_outbox_finish (struct store *base, const struct store_outbox_outcome *outcomes, guint n,
                                   gint64 now, GError **error);
gboolean store_lmdb_outbox_requeue (struct store *base, guint64 id, gint64 now, guint *count, GError **error);
gboolean store_lmdb_outbox_drop (struct store *base, guint64 id, gboolean *existed, GError **error);

/* store-lmdb-copy.c: whole tables, for recoil store copy */
gboolean store_lmdb_each_row (struct store *base, store_table table, store_row_fn fn, gpointer data,
                              GError **error);
gboolean store_lmdb_put_rows (struct store *base, store_table table, const struct store_row *rows, guint n,
                              GError **error);

#endif
