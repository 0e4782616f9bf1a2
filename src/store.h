/* SPDX-License-Identifier: MIT */
/* store - recoil's durable state, behind one interface
 *
 * What is kept, whatever the backend:
 *   records     normalised address -> struct record (record.h)
 *   seen        message fingerprints already applied, so that a repeat
 *               changes nothing (for seen_ttl; an accounting record's, by
 *               its own time, until that time is past the retention)
 *   outbox      provider actions waiting to be carried out (outbox.h)
 *   events      the event log: each fact as one JSON object, numbered
 *               in order, each naming the one before about its address
 *   daily       "YYYY-MM-DD|what|..." -> count
 *   leads       the newest fact about an address that has no record yet
 *
 * Two backends (store-backend.h): LMDB under [recoil] state_dir, one host
 * (store-lmdb.c), and PostgreSQL, several hosts on one database
 * (store-pg.c), chosen by [recoil] store.  Both apply a batch of events as
 * one transaction, all or nothing, and both answer STORE_ERROR_TEMPORARY
 * for trouble that may pass (a lock, a full disk, a database that cannot
 * be reached): the caller exits 75 and the MTA retries.
 */
#ifndef RECOIL_STORE_H
#define RECOIL_STORE_H

#include <glib.h>

#include "conf.h"
#include "mime/event.h"
#include "outbox.h"
#include "policy.h"
#include "record.h"

#define STORE_ERROR store_error_quark ()
GQuark store_error_quark (void);

typedef enum {
  STORE_ERROR_TEMPORARY, /* lock, disk, permissions, map ceiling: try again later */
  STORE_ERROR_FORMAT,    /* data written by a newer recoil, or damaged */
  STORE_ERROR_INVALID    /* a bad argument (an address that is not one, ...), or a state
                          * directory that recoil will not create (see refuse_root_create) */
} store_error_code;

struct store_options {
  const char *dir;             /* LMDB: created with mode 0700 when missing */
  gint64 map_size;             /* initial map size, bytes */
  gint64 max_map_size;         /* ceiling for growth, bytes */
  gint64 seen_ttl;             /* seconds a fingerprint blocks a repeat */
  gboolean nosync;             /* MDB_NOSYNC: faster, not durable (benchmarks) */
  gint64 lock_timeout_ms;      /* > 0: a write transaction that waits this long for another
                                * process's writer lock ends the process with exit status
                                * lock_exit_status (see store_open); 0 = wait as long as it takes */
  int lock_exit_status;        /* the status for that exit (75: the MTA retries) */
  gint64 event_retention;      /* seconds the event log keeps a fact, 0 = for ever */
  gint64 stats_retention;      /* seconds the daily counters are kept, 0 = for ever */
  gboolean refuse_root_create; /* do not create DIR when running as root: the pipe user
                                * could never write what root made */
  const char *backend;         /* "lmdb" (NULL) or "postgresql" */
  const char *conninfo;        /* PostgreSQL: libpq connection string */
  const char *password_file;   /* PostgreSQL: the password's file, or NULL */
  gint64 connect_timeout;      /* PostgreSQL: seconds, 0 = libpq's default */
  gboolean create_schema;      /* PostgreSQL: create or upgrade the schema (recoil store init) */
};

/* store_options_from_conf - OUT from the [recoil] and [postgresql]
 * settings of CONF: the backend, state directory, map sizes, seen_ttl,
 * lock_timeout (with exit status 75), retention and the database; the
 * rest zero.  The strings are borrowed from CONF. */
void store_options_from_conf (const struct conf *conf, struct store_options *out);

/* store_backend_known - whether NAME is a backend's name. */
gboolean store_backend_known (const char *name);

struct store;

/* store_backend_name - "lmdb" or "postgresql". */
const char *store_backend_name (struct store *s);

/* store_open - open the backend OPTIONS->backend names.  Free with
 * store_close.
 *
 * PostgreSQL: connect (within connect_timeout) and check the schema's
 * version: none, or an older one, is an error telling to run `recoil
 * store init` (unless OPTIONS->create_schema, which creates or upgrades
 * it); a newer one is STORE_ERROR_FORMAT.  A database that cannot be
 * reached is STORE_ERROR_TEMPORARY.
 *
 * LMDB: open (creating when needed) the environment in OPTIONS->dir and
 * clear stale reader slots of dead processes.
 *
 * Pages are written with write(2), never through the memory map, so a
 * full disk is an error from a commit (STORE_ERROR_TEMPORARY), not a
 * SIGBUS; the lock file's pages are reserved on disk when it is opened.
 * With OPTIONS->lock_timeout_ms, each write transaction arms a timer
 * while it waits for LMDB's writer lock (which cannot be waited for with
 * a timeout): when it fires, a line saying so goes to standard error and
 * the process ends with lock_exit_status at once.  Nothing is lost by
 * that, because nothing was begun; it suits a process an MTA runs, which
 * then keeps its mail and retries.  The timer is process-wide (SIGALRM):
 * a process that uses it must not use SIGALRM otherwise.
 * Errors: STORE_ERROR_TEMPORARY. */
gboolean store_open (const struct store_options *options, struct store **out, GError **error);

/* store_close - close S; NULL is fine. */
void store_close (struct store *s);

/* store_map_size - the current map size in bytes (LMDB; -1 otherwise). */
gint64 store_map_size (struct store *s);

/* store_used_size - the bytes the store occupies: LMDB, the file up to
 * its last page (freed pages inside are reused); PostgreSQL, the size of
 * recoil's tables and indexes. */
gint64 store_used_size (struct store *s);

/* One event to apply. */
struct store_item {
  const struct event *event;
  const guint8 *fingerprint; /* 32 bytes, or NULL: never a duplicate */
  const char *sender;        /* envelope sender, for routing; may be NULL */
  const char *untrusted;     /* why the event may not be believed (a forged or stale
                              * signature); it is logged and counted, and changes no record */
  const char *origin;        /* where it came from, for the log and the event log: the mail's
                              * envelope, FILE:LINE of an accounting record; may be NULL */
  gint64 fact_time;          /* > 0: the fact's own time (an accounting record's timeLogged), which
                              * every reading of it gives: the fingerprint is then kept in time
                              * order, so a stream in time order costs appends, not random
                              * inserts; 0: kept by when it was applied (mail) */
};

/* What applying one item did. */
struct store_result {
  gboolean duplicate;              /* fingerprint seen within seen_ttl: nothing changed */
  struct policy_decision decision; /* from policy_apply */
  guint actions;                   /* outbox entries added */
  guint64 first_action;            /* the id of the first of them; they are consecutive */
  char acted[160];                 /* "provider:action, ..." of those entries, cut short with "..." */
};

/* store_apply - apply N items in one write transaction as of NOW: for each
 * not seen before, update its address's record by policy, route the
 * decision to providers and enqueue their actions, log the event and
 * count it for the day.  RESULTS (N elements) says what happened.  The
 * same items applied one by one give the same state.  Errors:
 * STORE_ERROR_TEMPORARY, STORE_ERROR_FORMAT (nothing is applied). */
gboolean store_apply (struct store *s, const struct conf *conf, const struct store_item *items, guint n,
                      gint64 now, struct store_result *results, GError **error);

/* store_fingerprint - the fingerprint of one fact of a message: SHA-256 of
 * its MESSAGE_ID (or, when it has none, its CONTENT of LEN bytes) and
 * RECIPIENT (the envelope recipient and the address the fact is about;
 * may be NULL).  Written to OUT. */
void store_fingerprint (const char *message_id, const char *recipient, const char *content, gsize len,
                        guint8 out[32]);

/* store_get - the record of ADDRESS (normalised here).  Returns FALSE with
 * no error when there is none; FALSE with ERROR on trouble.  R is
 * initialised in every case; clear with record_clear. */
gboolean store_get (struct store *s, const char *address, struct record *r, GError **error);

/* store_reset - forget ADDRESS entirely (it becomes active and unknown).
 * *EXISTED tells whether there was a record. */
gboolean store_reset (struct store *s, const char *address, gboolean *existed, GError **error);

/* store_set_ignore - set or clear the operator's ignore flag of ADDRESS,
 * creating the record when needed. */
gboolean store_set_ignore (struct store *s, const char *address, gboolean on, gint64 now, GError **error);

/* store_import - set ADDRESS to STATE (why: REASON, since WHEN), keeping
 * its counters; used to migrate an existing suppression list.  N addresses
 * in one transaction. */
struct store_import_row {
  const char *address;
  record_state state;
  const char *reason;
  gint64 when;
  gboolean counts; /* HARD, SOFT and COMPLAINTS are given and replace the record's */
  guint32 hard, soft, complaints;
  const struct record *whole; /* or the whole record (a JSON export): it replaces the record,
                               * but for the record's place in the event log */
};
gboolean store_import (struct store *s, const struct store_import_row *rows, guint n, GError **error);

/* store_each_record - call FN for every record in address order, from a
 * read transaction (no memory grows with the number of records); FN
 * returns FALSE to stop.  The record passed is valid during the call. */
typedef gboolean (*store_record_fn) (const char *address, const struct record *r, gpointer data);
gboolean store_each_record (struct store *s, store_record_fn fn, gpointer data, GError **error);

/* store_each_daily - call FN for every daily counter whose day is FROM_DAY
 * ("YYYY-MM-DD") or later, in key order. */
typedef void (*store_daily_fn) (const char *key, guint64 count, gpointer data);
gboolean store_each_daily (struct store *s, const char *from_day, store_daily_fn fn, gpointer data,
                           GError **error);

/* store_each_outbox - call FN for every outbox entry in id order. */
typedef gboolean (*store_outbox_fn) (const struct outbox_entry *e, gpointer data);
gboolean store_each_outbox (struct store *s, store_outbox_fn fn, gpointer data, GError **error);

/* store_purge_seen - forget fingerprints first seen before NOW - seen_ttl;
 * at most MAX of them.  *PURGED gets how many. */
gboolean store_purge_seen (struct store *s, gint64 now, guint max, guint *purged, GError **error);

/* What store_purge removed. */
struct store_purge_report {
  guint64 seen;   /* fingerprints past seen_ttl */
  guint64 events; /* event log entries past event_retention */
  guint64 daily;  /* daily counters past stats_retention */
  guint transactions;
};

/* store_purge - as of NOW, remove what the retention settings have let go
 * of, at most MAX of each kind per transaction, transaction after
 * transaction until nothing is left (store_apply does a bounded share of
 * the same in each batch; this is for a timer, or after changing a
 * retention).  Address records are never removed. */
gboolean store_purge (struct store *s, gint64 now, guint max, struct store_purge_report *report,
                      GError **error);

/* store_each_event - call FN with the event log entries (one JSON object
 * each, LEN bytes, not NUL-terminated) newest first: all of them, or the
 * facts about ADDRESS (the chain its record starts, back to the oldest
 * fact kept; for an address without a record, the chain of its delay
 * warnings and deliveries).  FN returns FALSE to stop.  Facts that were
 * not believed are in the full listing only. */
typedef gboolean (*store_event_fn) (guint64 seq, const char *json, gsize len, gpointer data);
gboolean store_each_event (struct store *s, const char *address, store_event_fn fn, gpointer data,
                           GError **error);

/* store_event_at - call FN with the event log entry number SEQ, if it is
 * still kept (FN is not called otherwise). */
gboolean store_event_at (struct store *s, guint64 seq, store_event_fn fn, gpointer data, GError **error);

/* An unsubscribe request that names a list and a subscriber but no address
 * (MailWizz's SUBSCRIBER.LIST.CAMPAIGN@ without an X-Mw header to look the
 * address up) is kept under the key "SUBSCRIBER@LIST.id.invalid": the
 * reserved .invalid domain never receives mail, so the key can sit in any
 * suppression list, and the providers that can act on ids alone do. */
#define STORE_ID_ONLY_SUFFIX ".id.invalid"

/* store_id_only_key - that key for LIST_ID and SUBSCRIBER_ID (letters,
 * digits, - and _ only), normalised as an address; NULL when either is
 * unusable.  Caller frees. */
char *store_id_only_key (const char *list_id, const char *subscriber_id);

/* store_key_is_id_only - whether KEY is such a key. */
gboolean store_key_is_id_only (const char *key);

/* store_set_claim - from now on, outbox entries store_apply creates are
 * claimed for LEASE seconds (attempts 1, next try after the lease) so that
 * the caller can carry them out at once; 0 turns it off. */
void store_set_claim (struct store *s, gint64 lease);

/* store_outbox_claim - claim at most MAX due entries (next_try <= NOW, not
 * parked) whose id is within FIRST..LAST: each gets one more attempt and
 * its next try moves to NOW + LEASE, so that no other process runs it
 * meanwhile.  Only the oldest unparked entry of each provider and address
 * is eligible, so that one address's actions reach a provider in order.
 * Appends struct outbox_entry * (free with outbox_entry_free) to OUT. */
gboolean store_outbox_claim (struct store *s, gint64 now, gint64 lease, guint64 first, guint64 last,
                             guint max, GPtrArray *out, GError **error);

/* store_outbox_read - the entries with ids FIRST..FIRST+N-1 that exist,
 * appended to OUT as struct outbox_entry *. */
gboolean store_outbox_read (struct store *s, guint64 first, guint n, GPtrArray *out, GError **error);

/* How one claimed entry ended. */
typedef enum {
  STORE_OUTBOX_DONE,       /* confirmed: the entry is removed */
  STORE_OUTBOX_RESCHEDULE, /* temporary trouble: next try at next_try */
  STORE_OUTBOX_PARK,       /* permanent: kept for the operator */
  STORE_OUTBOX_RELEASE     /* not tried after all (deadline): due again now */
} store_outbox_end;

struct store_outbox_outcome {
  guint64 id;
  store_outbox_end end;
  gint64 next_try;    /* RESCHEDULE */
  const char *answer; /* what the provider said; may be NULL */
};

/* store_outbox_finish - record N outcomes in one transaction as of NOW and
 * count them for the day ("DAY|dispatch|done|PROVIDER", ...).  Entries that
 * no longer exist are skipped. */
gboolean store_outbox_finish (struct store *s, const struct store_outbox_outcome *outcomes, guint n,
                              gint64 now, GError **error);

/* store_outbox_requeue - put the parked entry ID (0: every parked entry)
 * back in line, due at NOW with its attempts reset; *COUNT gets how many. */
gboolean store_outbox_requeue (struct store *s, guint64 id, gint64 now, guint *count, GError **error);

/* store_outbox_drop - remove the entry ID for good; *EXISTED says whether
 * there was one. */
gboolean store_outbox_drop (struct store *s, guint64 id, gboolean *existed, GError **error);

/* Whole rows of each kind, for store_copy. */
typedef enum {
  STORE_TABLE_RECORDS, /* key, record */
  STORE_TABLE_SEEN,    /* bytes (32: a message's fingerprint; 20: an accounting fact's time and
                        * fingerprint), applied, fact_time */
  STORE_TABLE_OUTBOX,  /* id, entry */
  STORE_TABLE_EVENTS,  /* id (its number), json */
  STORE_TABLE_DAILY,   /* key, count */
  STORE_TABLE_LEADS,   /* key, id */
  STORE_TABLE_COUNT
} store_table;

struct store_row {
  const char *key;
  const guint8 *bytes;
  gsize len;
  guint64 id;
  gint64 applied, fact_time, count;
  const struct record *record;
  const struct outbox_entry *entry;
  const char *json;
  gsize json_len;
};

/* store_table_name - "records", "seen", ... */
const char *store_table_name (store_table table);

/* store_copy - every row of FROM into TO (whose rows of the same keys are
 * replaced), a batch of rows per transaction; COUNTS (STORE_TABLE_COUNT
 * elements) gets how many of each.  The event log keeps its numbers, so
 * records and leads still point into it. */
typedef gboolean (*store_row_fn) (const struct store_row *row, gpointer data);
gboolean store_copy (struct store *from, struct store *to, guint64 counts[STORE_TABLE_COUNT], GError **error);

#endif
