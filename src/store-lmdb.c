/* SPDX-License-Identifier: MIT */
/* store - LMDB environment, transactions that retry after growing the map,
 * and the operations recoil needs.
 *
 * Every change runs inside store_lmdb_write(): begin a write transaction (LMDB
 * serialises writers across processes), do the work, commit; on
 * MDB_MAP_FULL abort, grow the map and run the whole work again, so a
 * batch is never half applied.  A map grown by another process shows up
 * as MDB_MAP_RESIZED and is adopted.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <jansson.h>
#include <lmdb.h>
#include <signal.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

#include "clock.h"
#include "store-lmdb.h"

static void store_lmdb_close (struct store *base);
static const struct store_ops store_lmdb_ops;

/* The writer-lock watchdog.  LMDB waits for its writer lock in
 * pthread_mutex_lock, which no timeout or signal interrupts; so while a
 * write transaction begins, a one-shot timer is armed, and if it fires
 * the handler writes a prepared line to standard error and ends the
 * process.  Nothing has begun at that point, so nothing is half done. */
static struct {
  char line[256];
  gsize len;
  int status;
} store_lmdb_watchdog;

static void
store_lmdb_watchdog_fire (int sig)
{
  ssize_t w;

  (void) sig;
  w = write (STDERR_FILENO, store_lmdb_watchdog.line, store_lmdb_watchdog.len);
  (void) w;
  _exit (store_lmdb_watchdog.status);
}

/* store_lmdb_watchdog_arm - arm (MS > 0) or disarm (0) the timer. */
static void
store_lmdb_watchdog_arm (gint64 ms)
{
  struct itimerval t = { { 0, 0 }, { (time_t) (ms / 1000), (suseconds_t) (ms % 1000) * 1000 } };

  setitimer (ITIMER_REAL, &t, NULL);
}

/* store_lmdb_watchdog_setup - install the handler and prepare its line for the
 * store in DIR. */
static void
store_lmdb_watchdog_setup (const struct store_options *o)
{
  struct sigaction sa;
  int n;

  n = g_snprintf (
      store_lmdb_watchdog.line, sizeof store_lmdb_watchdog.line,
      "recoil: error: state store %s: another process has held the writer lock for %" G_GINT64_FORMAT
      " ms ([recoil] lock_timeout); giving up (exit %d)\n",
      o->dir, o->lock_timeout_ms, o->lock_exit_status);
  store_lmdb_watchdog.len = (gsize) CLAMP (n, 0, (int) sizeof store_lmdb_watchdog.line - 1);
  store_lmdb_watchdog.status = o->lock_exit_status;
  memset (&sa, 0, sizeof sa);
  sa.sa_handler = store_lmdb_watchdog_fire;
  sigemptyset (&sa.sa_mask);
  sigaction (SIGALRM, &sa, NULL);
}

/* store_lmdb_fail - set ERROR for LMDB code RC while doing WHAT. */
gboolean
store_lmdb_fail (GError **error, int rc, const char *what)
{
  g_set_error (error, STORE_ERROR, STORE_ERROR_TEMPORARY, "state store: %s: %s", what, mdb_strerror (rc));
  return FALSE;
}

static gint64
store_lmdb_used_size (struct store *base)
{
  struct store_lmdb *s = (struct store_lmdb *) base;
  MDB_envinfo info;
  MDB_stat st;

  mdb_env_info (s->env, &info);
  mdb_env_stat (s->env, &st);
  return (gint64) (info.me_last_pgno + 1) * st.ms_psize;
}

static gint64
store_lmdb_map_size (struct store *base)
{
  struct store_lmdb *s = (struct store_lmdb *) base;
  MDB_envinfo info;

  mdb_env_info (s->env, &info);
  return (gint64) info.me_mapsize;
}

/* store_lmdb_grow - double the map, up to the ceiling; FALSE at the ceiling. */
static gboolean
store_lmdb_grow (struct store_lmdb *s)
{
  gint64 size = store_lmdb_map_size (&s->base);
  gint64 next = MIN (size * 2, s->max_map_size);

  if (next <= size)
    return FALSE;
  return mdb_env_set_mapsize (s->env, (size_t) next) == 0;
}

/* store_lmdb_write - run WORK in a write transaction, growing the map and
 * running it again while it is full. */
gboolean
store_lmdb_write (struct store_lmdb *s, store_lmdb_work_fn work, gpointer data, GError **error)
{
  for (int attempt = 0; attempt < 64; attempt++) {
    MDB_txn *txn = NULL;
    int rc;

    if (s->lock_timeout_ms > 0)
      store_lmdb_watchdog_arm (s->lock_timeout_ms);
    rc = mdb_txn_begin (s->env, NULL, 0, &txn);
    if (s->lock_timeout_ms > 0)
      store_lmdb_watchdog_arm (0);

    if (rc == MDB_MAP_RESIZED) {
      mdb_env_set_mapsize (s->env, 0);
      continue;
    }
    if (rc != 0)
      return store_lmdb_fail (error, rc, "cannot begin a write transaction");
    rc = work (s, txn, data, error);
    if (rc == 0)
      rc = mdb_txn_commit (txn);
    else
      mdb_txn_abort (txn);
    if (rc == MDB_MAP_FULL) {
      g_clear_error (error);
      if (!store_lmdb_grow (s)) {
        g_set_error (error, STORE_ERROR, STORE_ERROR_TEMPORARY,
                     "state store: the map is full at %" G_GINT64_FORMAT " bytes ([recoil] max_map_size)",
                     store_lmdb_map_size (&s->base));
        return FALSE;
      }
      g_info ("state store: map grown to %" G_GINT64_FORMAT " bytes", store_lmdb_map_size (&s->base));
      continue;
    }
    if (rc == STORE_RC_ERROR)
      return FALSE;
    if (rc != 0)
      return store_lmdb_fail (error, rc, "cannot commit");
    return TRUE;
  }
  g_set_error (error, STORE_ERROR, STORE_ERROR_TEMPORARY, "state store: gave up after repeated map changes");
  return FALSE;
}

/* store_lmdb_read - begin a read transaction, adopting a grown map. */
int
store_lmdb_read (struct store_lmdb *s, MDB_txn **txn)
{
  int rc = mdb_txn_begin (s->env, NULL, MDB_RDONLY, txn);

  if (rc == MDB_MAP_RESIZED) {
    mdb_env_set_mapsize (s->env, 0);
    rc = mdb_txn_begin (s->env, NULL, MDB_RDONLY, txn);
  }
  return rc;
}

/* store_lmdb_open_dbis_with - open the named databases in TXN, with FLAGS. */
static int
store_lmdb_open_dbis_with (struct store_lmdb *s, MDB_txn *txn, unsigned flags)
{
  const struct {
    const char *name;
    MDB_dbi *dbi;
  } dbs[] = { { "addresses", &s->addresses }, { "seen", &s->seen },     { "seen_days", &s->seen_days },
              { "seen_at", &s->seen_at },     { "outbox", &s->outbox }, { "events", &s->events },
              { "daily", &s->daily },         { "leads", &s->leads } };

  for (gsize i = 0; i < G_N_ELEMENTS (dbs); i++) {
    int rc = mdb_dbi_open (txn, dbs[i].name, flags, dbs[i].dbi);

    if (rc != 0)
      return rc;
  }
  return 0;
}

/* store_lmdb_open_dbis - open the named databases, creating those missing. */
static int
store_lmdb_open_dbis (struct store_lmdb *s, MDB_txn *txn, gpointer data, GError **error)
{
  (void) data;
  (void) error;
  return store_lmdb_open_dbis_with (s, txn, MDB_CREATE);
}

/* store_lmdb_reserve_lock_file - make sure every page of DIR's lock file is on
 * disk: LMDB writes its reader table through a shared map, and a page
 * first touched when the disk is full would end the process with SIGBUS.
 * Called before LMDB opens the file: closing a descriptor of it later
 * would drop the POSIX record locks LMDB holds on it, and another process
 * would then take the table for unused and set it up anew.  A lock file
 * that does not exist yet is made by LMDB at its full size.  FALSE with
 * ERROR when the space cannot be had. */
static gboolean
store_lmdb_reserve_lock_file (const char *dir, GError **error)
{
  g_autofree char *path = g_build_filename (dir, "lock.mdb", NULL);
  struct stat st;
  int fd = open (path, O_RDWR | O_CLOEXEC);
  int rc;

  if (fd < 0)
    return TRUE;
  /* fallocate(2) itself, never posix_fallocate: where the file system
   * has no fallocate, glibc's stand-in writes zero bytes over what it read
   * as zero, racing with the processes that use the table */
  rc = fstat (fd, &st) == 0 && st.st_size > 0 && fallocate (fd, 0, 0, st.st_size) != 0 ? errno : 0;
  close (fd);
  if (rc == 0 || rc == EOPNOTSUPP || rc == EINVAL || rc == ENOSYS)
    return TRUE;
  g_set_error (error, STORE_ERROR, STORE_ERROR_TEMPORARY, "state store: cannot reserve %s: %s", path,
               g_strerror (rc));
  return FALSE;
}

/* store_lmdb_file_mode - the mode of the store's files: the owner's, and the
 * group's when the directory gives its group write access (a state
 * directory shared with the MTA's pipe user through a group: recoil:recoil
 * 2770, the pipe user in group recoil). */
static mode_t
store_lmdb_file_mode (const char *dir)
{
  struct stat st;

  if (stat (dir, &st) == 0 && (st.st_mode & S_IWGRP))
    return 0660;
  return 0600;
}

/* store_lmdb_share_files - give the store's files MODE where this process owns
 * them and its umask took the group's bits away (PowerMTA and Postfix run
 * pipes with umask 022 or 077). */
static void
store_lmdb_share_files (const char *dir, mode_t mode)
{
  static const char *const names[] = { "data.mdb", "lock.mdb" };

  if (mode == 0600)
    return;
  for (gsize i = 0; i < G_N_ELEMENTS (names); i++) {
    g_autofree char *path = g_build_filename (dir, names[i], NULL);
    struct stat st;

    if (stat (path, &st) == 0 && st.st_uid == geteuid () && (st.st_mode & 0777) != mode)
      chmod (path, mode);
  }
}

gboolean
store_lmdb_open (const struct store_options *o, struct store **out, GError **error)
{
  struct store_lmdb *s = g_new0 (struct store_lmdb, 1);
  int rc, dead = 0;
  mode_t mode;

  if (o->refuse_root_create && geteuid () == 0 && !g_file_test (o->dir, G_FILE_TEST_IS_DIR)) {
    g_set_error (error, STORE_ERROR, STORE_ERROR_INVALID,
                 "state store: %s does not exist, and recoil will not create it as root: the MTA runs "
                 "recoil as its pipe user, which could never write a directory root made (create it with "
                 "install -d -o recoil -g recoil -m 0700 %s)",
                 o->dir, o->dir);
    g_free (s);
    return FALSE;
  }
  if (g_mkdir_with_parents (o->dir, 0700) != 0) {
    int saved = errno;

    g_set_error (error, STORE_ERROR, STORE_ERROR_TEMPORARY, "state store: cannot create %s: %s", o->dir,
                 g_strerror (saved));
    g_free (s);
    return FALSE;
  }
  s->event_retention = MAX (o->event_retention, 0);
  s->stats_retention = MAX (o->stats_retention, 0);
  s->max_map_size = o->max_map_size > 0 ? o->max_map_size : G_GINT64_CONSTANT (64) << 30;
  s->seen_ttl = o->seen_ttl > 0 ? o->seen_ttl : 30 * 86400;
  if ((rc = mdb_env_create (&s->env)) != 0 || (rc = mdb_env_set_maxdbs (s->env, 16)) != 0
      || (rc = mdb_env_set_mapsize (s->env, (size_t) (o->map_size > 0 ? o->map_size : 64 << 20))) != 0) {
    store_lmdb_close (&s->base);
    return store_lmdb_fail (error, rc, "cannot create the environment");
  }
  /* no MDB_WRITEMAP: pages are written with write(2) at commit, so a full
   * disk is ENOSPC from the commit rather than SIGBUS from a store into a
   * hole of the map; it also spares each commit an msync of the whole map
   * (bench/store measured batches of 1,000 2.2 times faster without it).
   * The dirty pages of one transaction are allocated and reused, so a
   * long accounting stream still keeps a flat footprint. */
  if (!store_lmdb_reserve_lock_file (o->dir, error)) {
    store_lmdb_close (&s->base);
    return FALSE;
  }
  mode = store_lmdb_file_mode (o->dir);
  rc = mdb_env_open (s->env, o->dir, o->nosync ? MDB_NOSYNC : 0, mode);
  if (rc != 0) {
    g_autofree char *what = g_strdup_printf ("cannot open %s", o->dir);

    store_lmdb_close (&s->base);
    return store_lmdb_fail (error, rc, what);
  }
  store_lmdb_share_files (o->dir, mode);
  if (o->lock_timeout_ms > 0) {
    s->lock_timeout_ms = o->lock_timeout_ms;
    store_lmdb_watchdog_setup (o);
  }
  mdb_reader_check (s->env, &dead);
  if (dead > 0)
    g_info ("state store: cleared %d stale reader slots", dead);
  /* in a write transaction, even when they exist: handles opened in a
   * read transaction led LMDB 0.9.24 to an assertion in its free list
   * when several processes used a new store at once */
  if (!store_lmdb_write (s, store_lmdb_open_dbis, NULL, error)) {
    store_lmdb_close (&s->base);
    return FALSE;
  }
  s->base.ops = &store_lmdb_ops;
  *out = &s->base;
  return TRUE;
}

static void
store_lmdb_close (struct store *base)
{
  struct store_lmdb *s = (struct store_lmdb *) base;
  if (s == NULL)
    return;
  if (s->env != NULL)
    mdb_env_close (s->env);
  g_free (s);
}

/* store_lmdb_key - an MDB_val over a string (without its NUL). */
MDB_val
store_lmdb_key (const char *s)
{
  MDB_val v = { strlen (s), (void *) s };

  return v;
}

/* store_lmdb_be64 - N as 8 big-endian bytes, so keys sort by number. */
void
store_lmdb_be64 (guint64 n, guint8 out[8])
{
  for (int i = 7; i >= 0; i--, n >>= 8)
    out[i] = n & 0xff;
}

guint64
store_lmdb_from_be64 (const guint8 *b)
{
  guint64 n = 0;

  for (int i = 0; i < 8; i++)
    n = (n << 8) | b[i];
  return n;
}

/* store_lmdb_next_id - one more than the last 8-byte key of DBI. */
int
store_lmdb_next_id (MDB_txn *txn, MDB_dbi dbi, guint64 *next)
{
  MDB_cursor *c;
  MDB_val k, v;
  int rc = mdb_cursor_open (txn, dbi, &c);

  if (rc != 0)
    return rc;
  rc = mdb_cursor_get (c, &k, &v, MDB_LAST);
  *next = rc == 0 && k.mv_size == 8 ? store_lmdb_from_be64 (k.mv_data) + 1 : 1;
  mdb_cursor_close (c);
  return rc == MDB_NOTFOUND ? 0 : rc;
}

/* store_lmdb_count - add DELTA to the daily counter KEY. */
int
store_lmdb_count (struct store_lmdb *s, MDB_txn *txn, const char *key, guint64 delta)
{
  MDB_val k = store_lmdb_key (key), v;
  guint64 n = 0;
  int rc = mdb_get (txn, s->daily, &k, &v);

  if (rc == 0 && v.mv_size == 8)
    memcpy (&n, v.mv_data, 8);
  else if (rc != 0 && rc != MDB_NOTFOUND)
    return rc;
  n += delta;
  v.mv_size = 8;
  v.mv_data = &n;
  return mdb_put (txn, s->daily, &k, &v, 0);
}

/* store_lmdb_load - the record under KEY into R (initialised); rc 0 found,
 * MDB_NOTFOUND none, STORE_RC_ERROR bad bytes. */
int
store_lmdb_load (struct store_lmdb *s, MDB_txn *txn, const char *key, struct record *r, GError **error)
{
  MDB_val k = store_lmdb_key (key), v;
  int rc = mdb_get (txn, s->addresses, &k, &v);

  if (rc != 0) {
    record_init (r);
    return rc;
  }
  if (!record_decode (v.mv_data, v.mv_size, r, error)) {
    g_prefix_error (error, "state store: record of %s: ", key);
    if (error != NULL && *error != NULL) {
      (*error)->domain = STORE_ERROR;
      (*error)->code = STORE_ERROR_FORMAT;
    }
    return STORE_RC_ERROR;
  }
  return 0;
}

/* store_lmdb_save - R under KEY. */
int
store_lmdb_save (struct store_lmdb *s, MDB_txn *txn, const char *key, const struct record *r)
{
  g_autoptr (GBytes) bytes = record_encode (r);
  MDB_val k = store_lmdb_key (key), v;
  gsize len;

  v.mv_data = (void *) g_bytes_get_data (bytes, &len);
  v.mv_size = len;
  return mdb_put (txn, s->addresses, &k, &v, 0);
}

/* store_lmdb_day_key - DAY (big-endian) followed by FP: the expiry index key. */
void
store_lmdb_day_key (guint32 day, const guint8 *fp, guint8 out[36])
{
  out[0] = (day >> 24) & 0xff;
  out[1] = (day >> 16) & 0xff;
  out[2] = (day >> 8) & 0xff;
  out[3] = day & 0xff;
  memcpy (out + 4, fp, 32);
}

/* store_lmdb_seen_check - whether FP was applied within seen_ttl; if not, mark
 * it as applied NOW.  rc 0 or an LMDB error. */
static int
store_lmdb_seen_check (struct store_lmdb *s, MDB_txn *txn, const guint8 *fp, gint64 now, gboolean *duplicate)
{
  MDB_val k = { 32, (void *) fp }, v;
  guint8 daykey[36];
  gint64 when = now;
  int rc = mdb_get (txn, s->seen, &k, &v);

  *duplicate = FALSE;
  if (rc == 0 && v.mv_size == 8) {
    gint64 first;

    memcpy (&first, v.mv_data, 8);
    if (now - first < s->seen_ttl) {
      *duplicate = TRUE;
      return 0;
    }
    /* expired: drop its old place in the expiry index */
    store_lmdb_day_key ((guint32) (first / 86400), fp, daykey);
    {
      MDB_val dk = { sizeof daykey, daykey };

      rc = mdb_del (txn, s->seen_days, &dk, NULL);
      if (rc != 0 && rc != MDB_NOTFOUND)
        return rc;
    }
  } else if (rc != MDB_NOTFOUND && rc != 0) {
    return rc;
  }
  v.mv_size = 8;
  v.mv_data = &when;
  if ((rc = mdb_put (txn, s->seen, &k, &v, 0)) != 0)
    return rc;
  {
    MDB_val dk = { sizeof daykey, daykey }, empty = { 0, (void *) "" };

    store_lmdb_day_key ((guint32) (now / 86400), fp, daykey);
    return mdb_put (txn, s->seen_days, &dk, &empty, 0);
  }
}

/* store_lmdb_seen_at_check - whether the fact with fingerprint FP and time
 * WHEN was applied before; if not, mark it as applied NOW. */
static int
store_lmdb_seen_at_check (struct store_lmdb *s, MDB_txn *txn, const guint8 *fp, gint64 when, gint64 now,
                          gboolean *duplicate)
{
  guint8 key[20];
  guint32 applied = (guint32) CLAMP (now, 0, (gint64) G_MAXUINT32);
  MDB_val k = { sizeof key, key }, v = { sizeof applied, &applied };
  int rc;

  store_fact_key (when, fp, key);
  rc = mdb_put (txn, s->seen_at, &k, &v, MDB_NOOVERWRITE);
  *duplicate = rc == MDB_KEYEXIST;
  return rc == MDB_KEYEXIST ? 0 : rc;
}

/* store_lmdb_purge_at - forget up to MAX facts of seen_at that are older than
 * CUTOFF and were applied before it: they are at the start of the tree.
 * An old fact applied lately (a file read again after weeks) is kept its
 * seen_ttl, and the purge waits behind it. */
static int
store_lmdb_purge_at (struct store_lmdb *s, MDB_txn *txn, gint64 cutoff, guint max, guint *purged)
{
  guint8 limit[20];
  MDB_cursor *c;
  MDB_val k, v;
  guint n = 0;
  int rc = mdb_cursor_open (txn, s->seen_at, &c);

  *purged = 0;
  if (rc != 0)
    return rc;
  memset (limit, 0, sizeof limit);
  store_fact_key (cutoff, limit + 4, limit);
  for (rc = mdb_cursor_get (c, &k, &v, MDB_FIRST); rc == 0 && n < max;
       rc = mdb_cursor_get (c, &k, &v, MDB_NEXT)) {
    guint32 applied = 0;

    if (k.mv_size != sizeof limit || memcmp (k.mv_data, limit, 4) >= 0)
      break;
    if (v.mv_size == sizeof applied)
      memcpy (&applied, v.mv_data, sizeof applied);
    if ((gint64) applied >= cutoff)
      break;
    if ((rc = mdb_cursor_del (c, 0)) != 0)
      break;
    n++;
  }
  mdb_cursor_close (c);
  *purged = n;
  return rc == MDB_NOTFOUND ? 0 : rc;
}

/* store_lmdb_lead_get - the head of KEY's chain of facts without a record
 * into SEQ, 0 when there is none. */
static int
store_lmdb_lead_get (struct store_lmdb *s, MDB_txn *txn, const char *key, guint64 *seq)
{
  MDB_val k = store_lmdb_key (key), v;
  int rc = mdb_get (txn, s->leads, &k, &v);

  *seq = 0;
  if (rc == 0 && v.mv_size == 8)
    *seq = store_lmdb_from_be64 (v.mv_data);
  return rc == MDB_NOTFOUND ? 0 : rc;
}

/* store_lmdb_lead_put - SEQ becomes the head of KEY's chain. */
int
store_lmdb_lead_put (struct store_lmdb *s, MDB_txn *txn, const char *key, guint64 seq)
{
  guint8 b[8];
  MDB_val k = store_lmdb_key (key), v = { 8, b };

  store_lmdb_be64 (seq, b);
  return mdb_put (txn, s->leads, &k, &v, 0);
}

/* store_lmdb_lead_del - KEY's chain has a record now, or nothing left. */
static int
store_lmdb_lead_del (struct store_lmdb *s, MDB_txn *txn, const char *key)
{
  MDB_val k = store_lmdb_key (key);
  int rc = mdb_del (txn, s->leads, &k, NULL);

  return rc == MDB_NOTFOUND ? 0 : rc;
}

/* store_lmdb_lead_forget - SEQ, a fact logged without a record, is let go:
 * when it is still the head of its address's chain, the chain is gone. */
static int
store_lmdb_lead_forget (struct store_lmdb *s, MDB_txn *txn, guint64 seq, const MDB_val *v)
{
  json_t *o = json_loadb (v->mv_data, v->mv_size, 0, NULL);
  const char *raw = o != NULL ? json_string_value (json_object_get (o, "recipient")) : NULL;
  g_autofree char *key = raw != NULL ? event_normalize_address (raw) : NULL;
  guint64 head = 0;
  int rc = 0;

  json_decref (o);
  if (key == NULL)
    return 0;
  if ((rc = store_lmdb_lead_get (s, txn, key, &head)) == 0 && head == seq)
    rc = store_lmdb_lead_del (s, txn, key);
  return rc;
}

/* store_lmdb_prune_events - delete up to MAX entries from the start of the
 * event log that are older than CUTOFF (entries are in the order they
 * were written, so in time order but for clock steps); *N gets how many. */
static int
store_lmdb_prune_events (struct store_lmdb *s, MDB_txn *txn, gint64 cutoff, guint max, guint *n)
{
  MDB_cursor *c;
  MDB_val k, v;
  int rc = mdb_cursor_open (txn, s->events, &c);

  *n = 0;
  if (rc != 0)
    return rc;
  for (rc = mdb_cursor_get (c, &k, &v, MDB_FIRST); rc == 0 && *n < max;
       rc = mdb_cursor_get (c, &k, &v, MDB_NEXT)) {
    gint64 t = store_event_time (v.mv_data, v.mv_size);

    if (t >= cutoff)
      break;
    if (k.mv_size == 8 && store_event_recordless (v.mv_data, v.mv_size)
        && (rc = store_lmdb_lead_forget (s, txn, store_lmdb_from_be64 (k.mv_data), &v)) != 0)
      break;
    if ((rc = mdb_cursor_del (c, 0)) != 0)
      break;
    (*n)++;
  }
  mdb_cursor_close (c);
  return rc == MDB_NOTFOUND ? 0 : rc;
}

/* store_lmdb_prune_daily - delete up to MAX daily counters of days before the
 * day of CUTOFF (their keys start "YYYY-MM-DD|", in day order). */
static int
store_lmdb_prune_daily (struct store_lmdb *s, MDB_txn *txn, gint64 cutoff, guint max, guint *n)
{
  g_autofree char *day = clock_format_day (clock_day_of (cutoff));
  MDB_cursor *c;
  MDB_val k, v;
  int rc = mdb_cursor_open (txn, s->daily, &c);

  *n = 0;
  if (rc != 0)
    return rc;
  for (rc = mdb_cursor_get (c, &k, &v, MDB_FIRST); rc == 0 && *n < max;
       rc = mdb_cursor_get (c, &k, &v, MDB_NEXT)) {
    if (k.mv_size < 10 || memcmp (k.mv_data, day, 10) >= 0)
      break;
    if ((rc = mdb_cursor_del (c, 0)) != 0)
      break;
    (*n)++;
  }
  mdb_cursor_close (c);
  return rc == MDB_NOTFOUND ? 0 : rc;
}

/* Arguments of the purge work function. */
struct store_lmdb_purge_work {
  gint64 now;
  guint max;
  guint purged;
};

/* store_lmdb_purge_in - inside TXN, forget up to W->max fingerprints first seen
 * before W->now - seen_ttl; the expiry index is in day order, so this
 * stops at the first one still fresh. */
static int
store_lmdb_purge_in (struct store_lmdb *s, MDB_txn *txn, struct store_lmdb_purge_work *w)
{
  guint32 cutoff = (guint32) ((w->now - s->seen_ttl) / 86400);
  MDB_cursor *c;
  MDB_val k, v;
  int rc = mdb_cursor_open (txn, s->seen_days, &c);

  w->purged = 0;
  if (rc != 0)
    return rc;
  for (rc = mdb_cursor_get (c, &k, &v, MDB_FIRST); rc == 0 && w->purged < w->max;
       rc = mdb_cursor_get (c, &k, &v, MDB_NEXT)) {
    const guint8 *b = k.mv_data;
    guint32 day;
    MDB_val fp;

    if (k.mv_size != 36)
      continue;
    day = (guint32) b[0] << 24 | (guint32) b[1] << 16 | (guint32) b[2] << 8 | b[3];
    if (day >= cutoff)
      break;
    fp.mv_size = 32;
    fp.mv_data = (void *) (b + 4);
    rc = mdb_del (txn, s->seen, &fp, NULL);
    if (rc != 0 && rc != MDB_NOTFOUND)
      break;
    if ((rc = mdb_cursor_del (c, 0)) != 0)
      break;
    w->purged++;
  }
  mdb_cursor_close (c);
  return rc == MDB_NOTFOUND ? 0 : rc;
}

static int
store_lmdb_purge_work (struct store_lmdb *s, MDB_txn *txn, gpointer data, GError **error)
{
  return store_lmdb_purge_in (s, txn, data);
}

/* store_lmdb_prune_in - the retention's share of one write transaction as of
 * NOW: up to MAX old events, daily counters and time-keyed fingerprints,
 * and up to MAX_SEEN message fingerprints. */
static int
store_lmdb_prune_in (struct store_lmdb *s, MDB_txn *txn, gint64 now, guint max, guint max_seen,
                     struct store_purge_report *report)
{
  struct store_lmdb_purge_work purge = { now, max_seen, 0 };
  guint n = 0;
  int rc;

  if ((rc = store_lmdb_purge_in (s, txn, &purge)) != 0)
    return rc;
  report->seen += purge.purged;
  if ((rc = store_lmdb_purge_at (s, txn, now - s->seen_ttl, max, &n)) != 0)
    return rc;
  report->seen += n;
  if (s->event_retention > 0) {
    if ((rc = store_lmdb_prune_events (s, txn, now - s->event_retention, max, &n)) != 0)
      return rc;
    report->events += n;
  }
  if (s->stats_retention > 0) {
    if ((rc = store_lmdb_prune_daily (s, txn, now - s->stats_retention, max, &n)) != 0)
      return rc;
    report->daily += n;
  }
  return 0;
}

/* One write transaction of store_lmdb_apply, for store_apply_batch. */
struct store_lmdb_txn {
  struct store_lmdb *s;
  MDB_txn *txn;
  guint64 next_outbox, next_event;
};

static int
store_lmdb_txn_seen (gpointer data, const guint8 *fp, gint64 when, gint64 now, gboolean *duplicate)
{
  struct store_lmdb_txn *t = data;

  return when > 0 ? store_lmdb_seen_at_check (t->s, t->txn, fp, when, now, duplicate)
                  : store_lmdb_seen_check (t->s, t->txn, fp, now, duplicate);
}

static int
store_lmdb_txn_load (gpointer data, const char *key, struct record *r, gboolean *found, GError **error)
{
  struct store_lmdb_txn *t = data;
  int rc = store_lmdb_load (t->s, t->txn, key, r, error);

  *found = rc == 0;
  return rc == MDB_NOTFOUND ? 0 : rc;
}

static int
store_lmdb_txn_save (gpointer data, const char *key, const struct record *r)
{
  struct store_lmdb_txn *t = data;

  return store_lmdb_save (t->s, t->txn, key, r);
}

static int
store_lmdb_txn_lead_get (gpointer data, const char *key, guint64 *seq)
{
  struct store_lmdb_txn *t = data;

  return store_lmdb_lead_get (t->s, t->txn, key, seq);
}

static int
store_lmdb_txn_lead_put (gpointer data, const char *key, guint64 seq)
{
  struct store_lmdb_txn *t = data;

  return store_lmdb_lead_put (t->s, t->txn, key, seq);
}

static int
store_lmdb_txn_lead_del (gpointer data, const char *key)
{
  struct store_lmdb_txn *t = data;

  return store_lmdb_lead_del (t->s, t->txn, key);
}

static int
store_lmdb_txn_outbox_add (gpointer data, const struct outbox_entry *e, guint index, guint count, guint64 *id)
{
  struct store_lmdb_txn *t = data;

  (void) index; /* ids are handed out in order: always consecutive */
  (void) count;
  g_autoptr (GBytes) bytes = outbox_encode (e);
  guint8 key[8];
  MDB_val k = { 8, key }, v;
  gsize len;

  *id = t->next_outbox++;
  store_lmdb_be64 (*id, key);
  v.mv_data = (void *) g_bytes_get_data (bytes, &len);
  v.mv_size = len;
  return mdb_put (t->txn, t->s->outbox, &k, &v, MDB_APPEND);
}

static int
store_lmdb_txn_log_event (gpointer data, const GString *line, const char *key, guint64 *seq)
{
  struct store_lmdb_txn *t = data;
  guint8 k8[8];
  MDB_val k = { 8, k8 }, v = { line->len, line->str };

  (void) key; /* the chain is in the entries themselves */
  *seq = t->next_event++;
  store_lmdb_be64 (*seq, k8);
  return mdb_put (t->txn, t->s->events, &k, &v, MDB_APPEND);
}

static int
store_lmdb_txn_count (gpointer data, const char *key, guint64 delta)
{
  struct store_lmdb_txn *t = data;

  return store_lmdb_count (t->s, t->txn, key, delta);
}

static const struct store_txn_ops store_lmdb_txn_ops = {
  store_lmdb_txn_seen,       store_lmdb_txn_load,      store_lmdb_txn_save,
  store_lmdb_txn_lead_get,   store_lmdb_txn_lead_put,  store_lmdb_txn_lead_del,
  store_lmdb_txn_outbox_add, store_lmdb_txn_log_event, store_lmdb_txn_count,
};

/* store_lmdb_apply_work - the batch, in one transaction. */
static int
store_lmdb_apply_work (struct store_lmdb *s, MDB_txn *txn, gpointer data, GError **error)
{
  struct store_batch *b = data;
  struct store_lmdb_txn t = { s, txn, 0, 0 };
  int rc;

  if ((rc = store_lmdb_next_id (txn, s->outbox, &t.next_outbox)) != 0
      || (rc = store_lmdb_next_id (txn, s->events, &t.next_event)) != 0)
    return rc;
  if ((rc = store_apply_batch (&store_lmdb_txn_ops, &t, b, error)) != 0)
    return rc;
  {
    /* retention, a bounded share per transaction: twice what the batch
     * adds, so the state stays bounded without a pass of its own */
    struct store_purge_report report = { 0 };

    return store_lmdb_prune_in (s, txn, b->now, MAX (64, 2 * b->n), 64, &report);
  }
}

static gboolean
store_lmdb_apply (struct store *base, const struct conf *conf, const struct store_item *items, guint n,
                  gint64 now, struct store_result *results, GError **error)
{
  struct store_lmdb *s = (struct store_lmdb *) base;
  struct store_batch b;
  gboolean ok;

  store_batch_init (&b, conf, items, n, now, base->claim_lease, results);
  ok = store_lmdb_write (s, store_lmdb_apply_work, &b, error);
  store_batch_clear (&b);
  return ok;
}

static gboolean
store_lmdb_get (struct store *base, const char *address, struct record *r, GError **error)
{
  struct store_lmdb *s = (struct store_lmdb *) base;
  g_autofree char *key = event_normalize_address (address);
  MDB_txn *txn;
  int rc;

  record_init (r);
  if (key == NULL) {
    g_set_error (error, STORE_ERROR, STORE_ERROR_INVALID, "\"%s\" is not an address", address);
    return FALSE;
  }
  if ((rc = store_lmdb_read (s, &txn)) != 0)
    return store_lmdb_fail (error, rc, "cannot begin a read transaction");
  record_clear (r);
  rc = store_lmdb_load (s, txn, key, r, error);
  mdb_txn_abort (txn);
  if (rc == STORE_RC_ERROR)
    return FALSE;
  if (rc != 0 && rc != MDB_NOTFOUND)
    return store_lmdb_fail (error, rc, "cannot read");
  return rc == 0;
}

/* Arguments of the single-address work functions. */
struct store_lmdb_address_work {
  const char *key;
  gboolean flag;
  gint64 now;
  gboolean existed;
};

static int
store_lmdb_reset_work (struct store_lmdb *s, MDB_txn *txn, gpointer data, GError **error)
{
  struct store_lmdb_address_work *w = data;
  MDB_val k = store_lmdb_key (w->key);
  int rc = mdb_del (txn, s->addresses, &k, NULL);

  w->existed = rc == 0;
  return rc == MDB_NOTFOUND ? 0 : rc;
}

static gboolean
store_lmdb_reset (struct store *base, const char *address, gboolean *existed, GError **error)
{
  struct store_lmdb *s = (struct store_lmdb *) base;
  g_autofree char *key = event_normalize_address (address);
  struct store_lmdb_address_work w = { key, FALSE, 0, FALSE };

  if (key == NULL) {
    g_set_error (error, STORE_ERROR, STORE_ERROR_INVALID, "\"%s\" is not an address", address);
    return FALSE;
  }
  if (!store_lmdb_write (s, store_lmdb_reset_work, &w, error))
    return FALSE;
  *existed = w.existed;
  return TRUE;
}

static int
store_lmdb_ignore_work (struct store_lmdb *s, MDB_txn *txn, gpointer data, GError **error)
{
  struct store_lmdb_address_work *w = data;
  struct record r;
  int rc = store_lmdb_load (s, txn, w->key, &r, error);

  if (rc != 0 && rc != MDB_NOTFOUND)
    return rc;
  r.ignore = w->flag;
  rc = store_lmdb_save (s, txn, w->key, &r);
  record_clear (&r);
  return rc;
}

static gboolean
store_lmdb_set_ignore (struct store *base, const char *address, gboolean on, gint64 now, GError **error)
{
  struct store_lmdb *s = (struct store_lmdb *) base;
  g_autofree char *key = event_normalize_address (address);
  struct store_lmdb_address_work w = { key, on, now, FALSE };

  if (key == NULL) {
    g_set_error (error, STORE_ERROR, STORE_ERROR_INVALID, "\"%s\" is not an address", address);
    return FALSE;
  }
  return store_lmdb_write (s, store_lmdb_ignore_work, &w, error);
}

/* Arguments of the import work function. */
struct store_lmdb_import_work {
  const struct store_import_row *rows;
  guint n;
};

static int
store_lmdb_import_work (struct store_lmdb *s, MDB_txn *txn, gpointer data, GError **error)
{
  struct store_lmdb_import_work *w = data;

  for (guint i = 0; i < w->n; i++) {
    g_autofree char *key = event_normalize_address (w->rows[i].address);
    struct record r;
    int rc;

    if (key == NULL)
      continue;
    rc = store_lmdb_load (s, txn, key, &r, error);
    if (rc != 0 && rc != MDB_NOTFOUND)
      return rc;
    if (!store_import_apply (&w->rows[i], &r, error)) {
      record_clear (&r);
      return STORE_RC_ERROR;
    }
    rc = store_lmdb_save (s, txn, key, &r);
    record_clear (&r);
    if (rc != 0)
      return rc;
  }
  return 0;
}

static gboolean
store_lmdb_import (struct store *base, const struct store_import_row *rows, guint n, GError **error)
{
  struct store_lmdb *s = (struct store_lmdb *) base;
  struct store_lmdb_import_work w = { rows, n };

  return store_lmdb_write (s, store_lmdb_import_work, &w, error);
}

/* store_lmdb_scan - visit the rows of DBI in key order from a read transaction,
 * starting at the first key >= START (all rows when START is NULL). */
gboolean
store_lmdb_scan (struct store_lmdb *s, MDB_dbi dbi, const char *start, store_lmdb_row_fn fn, gpointer data,
                 GError **error)
{
  MDB_txn *txn;
  MDB_cursor *c;
  MDB_val k, v;
  int rc;

  if ((rc = store_lmdb_read (s, &txn)) != 0)
    return store_lmdb_fail (error, rc, "cannot begin a read transaction");
  if ((rc = mdb_cursor_open (txn, dbi, &c)) != 0) {
    mdb_txn_abort (txn);
    return store_lmdb_fail (error, rc, "cannot open a cursor");
  }
  if (start != NULL)
    k = store_lmdb_key (start);
  for (rc = mdb_cursor_get (c, &k, &v, start != NULL ? MDB_SET_RANGE : MDB_FIRST); rc == 0;
       rc = mdb_cursor_get (c, &k, &v, MDB_NEXT))
    if (!fn (&k, &v, data))
      break;
  mdb_cursor_close (c);
  mdb_txn_abort (txn);
  return TRUE;
}

/* Adapters from store_lmdb_scan rows to the public callbacks. */
struct store_lmdb_scan_args {
  gpointer fn;
  gpointer data;
};

static gboolean
store_lmdb_record_row (const MDB_val *k, const MDB_val *v, gpointer data)
{
  struct store_lmdb_scan_args *a = data;
  g_autofree char *address = g_strndup (k->mv_data, k->mv_size);
  g_autoptr (GError) bad = NULL;
  struct record r;
  gboolean go_on;

  if (!record_decode (v->mv_data, v->mv_size, &r, &bad)) {
    g_warning ("state store: record of %s: %s", address, bad->message);
    return TRUE;
  }
  go_on = ((store_record_fn) a->fn) (address, &r, a->data);
  record_clear (&r);
  return go_on;
}

static gboolean
store_lmdb_each_record (struct store *base, store_record_fn fn, gpointer data, GError **error)
{
  struct store_lmdb *s = (struct store_lmdb *) base;
  struct store_lmdb_scan_args a = { (gpointer) fn, data };

  return store_lmdb_scan (s, s->addresses, NULL, store_lmdb_record_row, &a, error);
}

static gboolean
store_lmdb_daily_row (const MDB_val *k, const MDB_val *v, gpointer data)
{
  struct store_lmdb_scan_args *a = data;
  g_autofree char *key = g_strndup (k->mv_data, k->mv_size);
  guint64 n = 0;

  if (v->mv_size == 8)
    memcpy (&n, v->mv_data, 8);
  ((store_daily_fn) a->fn) (key, n, a->data);
  return TRUE;
}

static gboolean
store_lmdb_each_daily (struct store *base, const char *from_day, store_daily_fn fn, gpointer data,
                       GError **error)
{
  struct store_lmdb *s = (struct store_lmdb *) base;
  struct store_lmdb_scan_args a = { (gpointer) fn, data };

  return store_lmdb_scan (s, s->daily, from_day, store_lmdb_daily_row, &a, error);
}

static gboolean
store_lmdb_outbox_row (const MDB_val *k, const MDB_val *v, gpointer data)
{
  struct store_lmdb_scan_args *a = data;
  struct outbox_entry e;
  gboolean go_on;

  if (k->mv_size != 8 || !outbox_decode (v->mv_data, v->mv_size, &e))
    return TRUE;
  e.id = store_lmdb_from_be64 (k->mv_data);
  go_on = ((store_outbox_fn) a->fn) (&e, a->data);
  outbox_entry_clear (&e);
  return go_on;
}

static gboolean
store_lmdb_each_outbox (struct store *base, store_outbox_fn fn, gpointer data, GError **error)
{
  struct store_lmdb *s = (struct store_lmdb *) base;
  struct store_lmdb_scan_args a = { (gpointer) fn, data };

  return store_lmdb_scan (s, s->outbox, NULL, store_lmdb_outbox_row, &a, error);
}

static gboolean
store_lmdb_purge_seen (struct store *base, gint64 now, guint max, guint *purged, GError **error)
{
  struct store_lmdb *s = (struct store_lmdb *) base;
  struct store_lmdb_purge_work w = { now, max, 0 };

  if (!store_lmdb_write (s, store_lmdb_purge_work, &w, error))
    return FALSE;
  *purged = w.purged;
  return TRUE;
}

/* Arguments of store_purge's work function. */
struct store_lmdb_purge_all {
  gint64 now;
  guint max;
  struct store_purge_report pass;
};

static int
store_lmdb_purge_all_work (struct store_lmdb *s, MDB_txn *txn, gpointer data, GError **error)
{
  struct store_lmdb_purge_all *w = data;

  (void) error;
  memset (&w->pass, 0, sizeof w->pass);
  return store_lmdb_prune_in (s, txn, w->now, w->max, w->max, &w->pass);
}

static gboolean
store_lmdb_purge (struct store *base, gint64 now, guint max, struct store_purge_report *report,
                  GError **error)
{
  struct store_lmdb *s = (struct store_lmdb *) base;
  struct store_lmdb_purge_all w = { now, MAX (max, 1), { 0 } };

  memset (report, 0, sizeof *report);
  for (;;) {
    if (!store_lmdb_write (s, store_lmdb_purge_all_work, &w, error))
      return FALSE;
    report->seen += w.pass.seen;
    report->events += w.pass.events;
    report->daily += w.pass.daily;
    report->transactions++;
    if (w.pass.seen + w.pass.events + w.pass.daily == 0)
      return TRUE;
  }
}

static gboolean store_lmdb_each_event_all (struct store_lmdb *s, store_event_fn fn, gpointer data,
                                           GError **error);

static gboolean
store_lmdb_each_event (struct store *base, const char *address, store_event_fn fn, gpointer data,
                       GError **error)
{
  struct store_lmdb *s = (struct store_lmdb *) base;
  MDB_txn *txn;
  MDB_val k, v;
  guint8 key[8];
  guint64 seq = 0;
  int rc;

  if ((rc = store_lmdb_read (s, &txn)) != 0)
    return store_lmdb_fail (error, rc, "cannot begin a read transaction");
  if (address != NULL) {
    /* the address's chain: its record names its last fact, each fact the
     * one before */
    g_autofree char *norm = event_normalize_address (address);
    struct record r;

    if (norm == NULL) {
      mdb_txn_abort (txn);
      g_set_error (error, STORE_ERROR, STORE_ERROR_INVALID, "\"%s\" is not an address", address);
      return FALSE;
    }
    rc = store_lmdb_load (s, txn, norm, &r, error);
    seq = rc == 0 ? r.last_event : 0;
    record_clear (&r);
    if (rc == STORE_RC_ERROR) {
      mdb_txn_abort (txn);
      return FALSE;
    }
    /* no record: the chain of facts that make none (delay warnings,
     * deliveries) */
    if (rc == MDB_NOTFOUND && (rc = store_lmdb_lead_get (s, txn, norm, &seq)) != 0) {
      mdb_txn_abort (txn);
      return store_lmdb_fail (error, rc, "cannot read the event log");
    }
    while (seq > 0) {
      k.mv_size = 8;
      k.mv_data = key;
      store_lmdb_be64 (seq, key);
      if (mdb_get (txn, s->events, &k, &v) != 0)
        break; /* older facts are past the retention */
      if (!fn (seq, v.mv_data, v.mv_size, data))
        break;
      seq = store_event_prev (v.mv_data, v.mv_size);
    }
    mdb_txn_abort (txn);
    return TRUE;
  }
  mdb_txn_abort (txn);
  return store_lmdb_each_event_all (s, fn, data, error);
}

/* store_lmdb_each_event_all - every fact, newest first; the read transaction is
 * renewed now and then, so a long listing does not hold old pages from
 * reuse. */
static gboolean
store_lmdb_each_event_all (struct store_lmdb *s, store_event_fn fn, gpointer data, GError **error)
{
  MDB_txn *txn;
  MDB_cursor *c = NULL;
  MDB_val k, v;
  guint8 key[8];
  guint64 seq = 0, seen = 0;
  int rc;

  if ((rc = store_lmdb_read (s, &txn)) != 0)
    return store_lmdb_fail (error, rc, "cannot begin a read transaction");
  for (rc = mdb_cursor_open (txn, s->events, &c) == 0 ? mdb_cursor_get (c, &k, &v, MDB_LAST) : MDB_NOTFOUND;
       rc == 0; rc = mdb_cursor_get (c, &k, &v, MDB_PREV)) {
    if (k.mv_size != 8)
      continue;
    seq = store_lmdb_from_be64 (k.mv_data);
    if (!fn (seq, v.mv_data, v.mv_size, data))
      break;
    if (++seen % 10000 == 0) {
      mdb_cursor_close (c);
      mdb_txn_abort (txn);
      c = NULL;
      if ((rc = store_lmdb_read (s, &txn)) != 0)
        return store_lmdb_fail (error, rc, "cannot begin a read transaction");
      if ((rc = mdb_cursor_open (txn, s->events, &c)) != 0)
        break;
      store_lmdb_be64 (seq, key);
      k.mv_size = 8;
      k.mv_data = key;
      /* the entry just shown, or the first after it if it was pruned */
      if ((rc = mdb_cursor_get (c, &k, &v, MDB_SET_RANGE)) != 0)
        rc = mdb_cursor_get (c, &k, &v, MDB_LAST);
      else if (store_lmdb_from_be64 (k.mv_data) != seq)
        continue; /* the next MDB_PREV lands before it */
    }
  }
  if (c != NULL)
    mdb_cursor_close (c);
  mdb_txn_abort (txn);
  return TRUE;
}

static gboolean
store_lmdb_event_at (struct store *base, guint64 seq, store_event_fn fn, gpointer data, GError **error)
{
  struct store_lmdb *s = (struct store_lmdb *) base;
  MDB_txn *txn;
  guint8 key[8];
  MDB_val k = { 8, key }, v;
  int rc;

  if ((rc = store_lmdb_read (s, &txn)) != 0)
    return store_lmdb_fail (error, rc, "cannot begin a read transaction");
  store_lmdb_be64 (seq, key);
  rc = mdb_get (txn, s->events, &k, &v);
  if (rc == 0)
    fn (seq, v.mv_data, v.mv_size, data);
  mdb_txn_abort (txn);
  if (rc != 0 && rc != MDB_NOTFOUND)
    return store_lmdb_fail (error, rc, "cannot read the event log");
  return TRUE;
}

static const struct store_ops store_lmdb_ops = {
  .name = "lmdb",
  .close = store_lmdb_close,
  .map_size = store_lmdb_map_size,
  .used_size = store_lmdb_used_size,
  .apply = store_lmdb_apply,
  .get = store_lmdb_get,
  .reset = store_lmdb_reset,
  .set_ignore = store_lmdb_set_ignore,
  .import = store_lmdb_import,
  .each_record = store_lmdb_each_record,
  .each_daily = store_lmdb_each_daily,
  .each_outbox = store_lmdb_each_outbox,
  .purge_seen = store_lmdb_purge_seen,
  .purge = store_lmdb_purge,
  .each_event = store_lmdb_each_event,
  .event_at = store_lmdb_event_at,
  .outbox_claim = store_lmdb_outbox_claim,
  .outbox_read = store_lmdb_outbox_read,
  .outbox_finish = store_lmdb_outbox_finish,
  .outbox_requeue = store_lmdb_outbox_requeue,
  .outbox_drop = store_lmdb_outbox_drop,
  .each_row = store_lmdb_each_row,
  .put_rows = store_lmdb_put_rows,
};
