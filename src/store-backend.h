/* SPDX-License-Identifier: MIT */
/* store-backend - what a store implementation provides (store-lmdb.c,
 * store-pg.c), and the batch logic they share (store-apply.c).
 *
 * A backend fills a struct store_ops; store.c chooses one by the name in
 * [recoil] store and calls through it, so commands never know which one
 * they hold.  Applying a batch of events is the same algorithm on every
 * backend (store_apply_batch): the backend opens the transaction and
 * gives it the handful of primitives below, which say nothing about how
 * the rows are kept.
 */
#ifndef RECOIL_STORE_BACKEND_H
#define RECOIL_STORE_BACKEND_H

#include "store.h"

struct store_ops {
  const char *name;
  void (*close) (struct store *s);
  gint64 (*map_size) (struct store *s);
  gint64 (*used_size) (struct store *s);
  gboolean (*apply) (struct store *s, const struct conf *conf, const struct store_item *items, guint n,
                     gint64 now, struct store_result *results, GError **error);
  gboolean (*get) (struct store *s, const char *key, struct record *r, GError **error);
  gboolean (*reset) (struct store *s, const char *key, gboolean *existed, GError **error);
  gboolean (*set_ignore) (struct store *s, const char *key, gboolean on, gint64 now, GError **error);
  gboolean (*import) (struct store *s, const struct store_import_row *rows, guint n, GError **error);
  gboolean (*each_record) (struct store *s, store_record_fn fn, gpointer data, GError **error);
  gboolean (*each_daily) (struct store *s, const char *from_day, store_daily_fn fn, gpointer data,
                          GError **error);
  gboolean (*each_outbox) (struct store *s, store_outbox_fn fn, gpointer data, GError **error);
  gboolean (*purge_seen) (struct store *s, gint64 now, guint max, guint *purged, GError **error);
  gboolean (*purge) (struct store *s, gint64 now, guint max, struct store_purge_report *report,
                     GError **error);
  gboolean (*each_event) (struct store *s, const char *key, store_event_fn fn, gpointer data, GError **error);
  gboolean (*event_at) (struct store *s, guint64 seq, store_event_fn fn, gpointer data, GError **error);
  gboolean (*outbox_claim) (struct store *s, gint64 now, gint64 lease, guint64 first, guint64 last, guint max,
                            GPtrArray *out, GError **error);
  gboolean (*outbox_read) (struct store *s, guint64 first, guint n, GPtrArray *out, GError **error);
  gboolean (*outbox_finish) (struct store *s, const struct store_outbox_outcome *outcomes, guint n,
                             gint64 now, GError **error);
  gboolean (*outbox_requeue) (struct store *s, guint64 id, gint64 now, guint *count, GError **error);
  gboolean (*outbox_drop) (struct store *s, guint64 id, gboolean *existed, GError **error);
  /* whole rows, for store_copy: each_* list them, put_* write a batch of
   * them in one transaction (replacing what is there) */
  gboolean (*each_row) (struct store *s, store_table table, store_row_fn fn, gpointer data, GError **error);
  gboolean (*put_rows) (struct store *s, store_table table, const struct store_row *rows, guint n,
                        GError **error);
};

/* Every backend's store starts with this. */
struct store {
  const struct store_ops *ops;
  gint64 claim_lease; /* > 0: new outbox entries are claimed for this long */
};

/* The backends' constructors. */
gboolean store_lmdb_open (const struct store_options *options, struct store **out, GError **error);
gboolean store_pg_open (const struct store_options *options, struct store **out, GError **error);

/* store_pg_linked - whether this program has the PostgreSQL backend
 * (recoil-pg, recoil-dispatch) or only its stand-in (the lean recoil). */
extern const gboolean store_pg_linked;

/* The primitives of one open transaction, for store_apply_batch.  Each
 * returns 0 or the backend's own nonzero code, which store_apply_batch
 * hands back unchanged for the backend to act on (grow and retry, roll
 * back and retry, fail). */
struct store_txn_ops {
  /* whether the fingerprint FP (32 bytes) was applied before (within
   * seen_ttl; for a fact with its own time WHEN > 0, ever) and, if not,
   * mark it as applied NOW */
  int (*seen) (gpointer txn, const guint8 *fp, gint64 when, gint64 now, gboolean *duplicate);
  /* the record of KEY into R (initialised in every case); *FOUND says
   * whether there was one */
  int (*load) (gpointer txn, const char *key, struct record *r, gboolean *found, GError **error);
  int (*save) (gpointer txn, const char *key, const struct record *r);
  /* the head of the chain of facts about KEY while it has no record */
  int (*lead_get) (gpointer txn, const char *key, guint64 *seq);
  int (*lead_put) (gpointer txn, const char *key, guint64 seq);
  int (*lead_del) (gpointer txn, const char *key);
  /* add the outbox entry E, number INDEX of COUNT for one item; *ID gets
   * its id.  The entries of one item get consecutive ids. */
  int (*outbox_add) (gpointer txn, const struct outbox_entry *e, guint index, guint count, guint64 *id);
  /* append the event log entry LINE (JSON) about KEY (NULL: about no
   * address, or not believed); *SEQ gets its number */
  int (*log_event) (gpointer txn, const GString *line, const char *key, guint64 *seq);
  /* add DELTA to the daily counter KEY */
  int (*count) (gpointer txn, const char *key, guint64 delta);
};

/* One batch for store_apply_batch. */
struct store_batch {
  const struct conf *conf;
  const struct store_item *items;
  guint n;
  gint64 now;
  gint64 claim_lease;
  struct store_result *results;
  GHashTable *counts; /* scratch: daily counter key -> increment */
  GString *line;      /* scratch for event log lines */
};

/* store_batch_init / store_batch_clear - a batch over ITEMS (N of them),
 * with its scratch space. */
void store_batch_init (struct store_batch *b, const struct conf *conf, const struct store_item *items,
                       guint n, gint64 now, gint64 claim_lease, struct store_result *results);
void store_batch_clear (struct store_batch *b);

/* store_apply_batch - apply B inside the transaction TXN through OPS:
 * fingerprints, records by policy, outbox entries, the event log and the
 * daily counters (those written last, in key order).  Returns 0 or the
 * first nonzero code of a primitive; ERROR is set only for a record that
 * cannot be read (the code is then the one load returned). */
int store_apply_batch (const struct store_txn_ops *ops, gpointer txn, struct store_batch *b, GError **error);

/* store_batch_keys - the distinct address keys and fingerprints of B's
 * items, as 64-bit lock numbers in ascending order (a backend that locks
 * per key takes them in this order, so that two batches never wait on
 * each other in a circle).  Caller frees with g_array_unref. */
GArray *store_batch_locks (const struct store_batch *b);

/* store_item_key - the key ITEM's facts are kept under (its normalised
 * address, or for an unsubscribe by ids alone a key of its ids), or NULL
 * when it has none.  Caller frees. */
char *store_item_key (const struct store_item *item);

/* store_fact_key - the key an accounting fact is remembered under, the
 * same on every backend (so a copied store knows the same facts): its own
 * time (4 bytes, big-endian, seconds, so a stream in time order is
 * appended at the end of the index and expired from its start) and the
 * first 16 bytes of its fingerprint FP. */
void store_fact_key (gint64 when, const guint8 *fp, guint8 out[20]);

/* store_import_apply - ROW (store_import) applied to R, the address's
 * record as it is (or an empty one): a whole record replaces R but for its
 * place in the event log; otherwise the state, why and since when, and
 * the counts when ROW has them.  FALSE with ERROR for a whole record that
 * does not encode back. */
gboolean store_import_apply (const struct store_import_row *row, struct record *r, GError **error);

/* store_event_time - the "time" an event log entry LINE (LEN bytes)
 * starts with, or -1. */
gint64 store_event_time (const char *line, gsize len);

/* store_event_prev - the "prev" an event log entry ends with, or 0. */
guint64 store_event_prev (const char *line, gsize len);

/* store_event_key - the address the event log entry LINE is chained
 * under (its recipient, normalised, unless it was not believed), or NULL.
 * Caller frees. */
char *store_event_key (const char *line, gsize len);

/* store_event_recordless - whether LINE was logged for an address
 * without a record (it heads that address's lead). */
gboolean store_event_recordless (const char *line, gsize len);

#endif
