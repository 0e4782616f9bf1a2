/* store - LMDB environment, transactions that retry after growing the map,
 * and the operations recoil needs.
 *
 * Every change runs inside store_write(): begin a write transaction (LMDB
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
#include "store.h"

/* clang-format off */
G_DEFINE_QUARK (recoil-store-error-quark, store_error)
/* clang-format on */

/* A return code of our own for work functions: a GError was set. */
#define STORE_RC_ERROR (-100000)

struct store {
  MDB_env *env;
  MDB_dbi addresses, seen, seen_days, seen_at, outbox, events, daily;
  /* address -> the newest logged fact about an address without a record
   * (delay warnings, deliveries): the head of its chain until a record
   * takes it over or the retention lets the fact go */
  MDB_dbi leads;
  gint64 max_map_size;
  gint64 seen_ttl;
  gint64 claim_lease;     /* > 0: new outbox entries are claimed for this long */
  gint64 lock_timeout_ms; /* > 0: the writer-lock watchdog is armed around write begins */
  gint64 event_retention; /* seconds the event log keeps a fact, 0 = for ever */
  gint64 stats_retention; /* seconds the daily counters are kept, 0 = for ever */
};

/* The writer-lock watchdog.  LMDB waits for its writer lock in
 * pthread_mutex_lock, which no timeout or signal interrupts; so while a
 * write transaction begins, a one-shot timer is armed, and if it fires
 * the handler writes a prepared line to standard error and ends the
 * process.  Nothing has begun at that point, so nothing is half done. */
static struct {
  char line[256];
  gsize len;
  int status;
} store_watchdog;

static void
store_watchdog_fire (int sig)
{
  ssize_t w;

  (void) sig;
  w = write (STDERR_FILENO, store_watchdog.line, store_watchdog.len);
  (void) w;
  _exit (store_watchdog.status);
}

/* store_watchdog_arm - arm (MS > 0) or disarm (0) the timer. */
static void
store_watchdog_arm (gint64 ms)
{
  struct itimerval t = { { 0, 0 }, { (time_t) (ms / 1000), (suseconds_t) (ms % 1000) * 1000 } };

  setitimer (ITIMER_REAL, &t, NULL);
}

/* store_watchdog_setup - install the handler and prepare its line for the
 * store in DIR. */
static void
store_watchdog_setup (const struct store_options *o)
{
  struct sigaction sa;
  int n;

  n = g_snprintf (
      store_watchdog.line, sizeof store_watchdog.line,
      "recoil: error: state store %s: another process has held the writer lock for %" G_GINT64_FORMAT
      " ms ([recoil] lock_timeout); giving up (exit %d)\n",
      o->dir, o->lock_timeout_ms, o->lock_exit_status);
  store_watchdog.len = (gsize) CLAMP (n, 0, (int) sizeof store_watchdog.line - 1);
  store_watchdog.status = o->lock_exit_status;
  memset (&sa, 0, sizeof sa);
  sa.sa_handler = store_watchdog_fire;
  sigemptyset (&sa.sa_mask);
  sigaction (SIGALRM, &sa, NULL);
}

void
store_options_from_conf (const struct conf *conf, struct store_options *out)
{
  memset (out, 0, sizeof *out);
  out->dir = conf->state_dir;
  out->map_size = conf->map_size;
  out->max_map_size = conf->max_map_size;
  out->seen_ttl = conf->seen_ttl;
  out->lock_timeout_ms = conf->lock_timeout * 1000;
  out->lock_exit_status = 75;
  out->event_retention = conf->event_retention;
  out->stats_retention = conf->stats_retention;
}

/* store_fail - set ERROR for LMDB code RC while doing WHAT. */
static gboolean
store_fail (GError **error, int rc, const char *what)
{
  g_set_error (error, STORE_ERROR, STORE_ERROR_TEMPORARY, "state store: %s: %s", what, mdb_strerror (rc));
  return FALSE;
}

gint64
store_used_size (struct store *s)
{
  MDB_envinfo info;
  MDB_stat st;

  mdb_env_info (s->env, &info);
  mdb_env_stat (s->env, &st);
  return (gint64) (info.me_last_pgno + 1) * st.ms_psize;
}

gint64
store_map_size (struct store *s)
{
  MDB_envinfo info;

  mdb_env_info (s->env, &info);
  return (gint64) info.me_mapsize;
}

/* store_grow - double the map, up to the ceiling; FALSE at the ceiling. */
static gboolean
store_grow (struct store *s)
{
  gint64 size = store_map_size (s);
  gint64 next = MIN (size * 2, s->max_map_size);

  if (next <= size)
    return FALSE;
  return mdb_env_set_mapsize (s->env, (size_t) next) == 0;
}

typedef int (*store_work_fn) (struct store *s, MDB_txn *txn, gpointer data, GError **error);

/* store_write - run WORK in a write transaction, growing the map and
 * running it again while it is full. */
static gboolean
store_write (struct store *s, store_work_fn work, gpointer data, GError **error)
{
  for (int attempt = 0; attempt < 64; attempt++) {
    MDB_txn *txn = NULL;
    int rc;

    if (s->lock_timeout_ms > 0)
      store_watchdog_arm (s->lock_timeout_ms);
    rc = mdb_txn_begin (s->env, NULL, 0, &txn);
    if (s->lock_timeout_ms > 0)
      store_watchdog_arm (0);

    if (rc == MDB_MAP_RESIZED) {
      mdb_env_set_mapsize (s->env, 0);
      continue;
    }
    if (rc != 0)
      return store_fail (error, rc, "cannot begin a write transaction");
    rc = work (s, txn, data, error);
    if (rc == 0)
      rc = mdb_txn_commit (txn);
    else
      mdb_txn_abort (txn);
    if (rc == MDB_MAP_FULL) {
      g_clear_error (error);
      if (!store_grow (s)) {
        g_set_error (error, STORE_ERROR, STORE_ERROR_TEMPORARY,
                     "state store: the map is full at %" G_GINT64_FORMAT " bytes ([recoil] max_map_size)",
                     store_map_size (s));
        return FALSE;
      }
      g_info ("state store: map grown to %" G_GINT64_FORMAT " bytes", store_map_size (s));
      continue;
    }
    if (rc == STORE_RC_ERROR)
      return FALSE;
    if (rc != 0)
      return store_fail (error, rc, "cannot commit");
    return TRUE;
  }
  g_set_error (error, STORE_ERROR, STORE_ERROR_TEMPORARY, "state store: gave up after repeated map changes");
  return FALSE;
}

/* store_read - begin a read transaction, adopting a grown map. */
static int
store_read (struct store *s, MDB_txn **txn)
{
  int rc = mdb_txn_begin (s->env, NULL, MDB_RDONLY, txn);

  if (rc == MDB_MAP_RESIZED) {
    mdb_env_set_mapsize (s->env, 0);
    rc = mdb_txn_begin (s->env, NULL, MDB_RDONLY, txn);
  }
  return rc;
}

/* store_open_dbis_with - open the named databases in TXN, with FLAGS. */
static int
store_open_dbis_with (struct store *s, MDB_txn *txn, unsigned flags)
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

/* store_open_dbis - open the named databases, creating those missing. */
static int
store_open_dbis (struct store *s, MDB_txn *txn, gpointer data, GError **error)
{
  (void) data;
  (void) error;
  return store_open_dbis_with (s, txn, MDB_CREATE);
}

/* store_reserve_lock_file - make sure every page of DIR's lock file is on
 * disk: LMDB writes its reader table through a shared map, and a page
 * first touched when the disk is full would end the process with SIGBUS.
 * Called before LMDB opens the file: closing a descriptor of it later
 * would drop the POSIX record locks LMDB holds on it, and another process
 * would then take the table for unused and set it up anew.  A lock file
 * that does not exist yet is made by LMDB at its full size.  FALSE with
 * ERROR when the space cannot be had. */
static gboolean
store_reserve_lock_file (const char *dir, GError **error)
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

/* store_file_mode - the mode of the store's files: the owner's, and the
 * group's when the directory gives its group write access (a state
 * directory shared with the MTA's pipe user through a group: recoil:recoil
 * 2770, the pipe user in group recoil). */
static mode_t
store_file_mode (const char *dir)
{
  struct stat st;

  if (stat (dir, &st) == 0 && (st.st_mode & S_IWGRP))
    return 0660;
  return 0600;
}

/* store_share_files - give the store's files MODE where this process owns
 * them and its umask took the group's bits away (PowerMTA and Postfix run
 * pipes with umask 022 or 077). */
static void
store_share_files (const char *dir, mode_t mode)
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
store_open (const struct store_options *o, struct store **out, GError **error)
{
  struct store *s = g_new0 (struct store, 1);
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
    store_close (s);
    return store_fail (error, rc, "cannot create the environment");
  }
  /* no MDB_WRITEMAP: pages are written with write(2) at commit, so a full
   * disk is ENOSPC from the commit rather than SIGBUS from a store into a
   * hole of the map; it also spares each commit an msync of the whole map
   * (bench/store measured batches of 1,000 2.2 times faster without it).
   * The dirty pages of one transaction are allocated and reused, so a
   * long accounting stream still keeps a flat footprint. */
  if (!store_reserve_lock_file (o->dir, error)) {
    store_close (s);
    return FALSE;
  }
  mode = store_file_mode (o->dir);
  rc = mdb_env_open (s->env, o->dir, o->nosync ? MDB_NOSYNC : 0, mode);
  if (rc != 0) {
    g_autofree char *what = g_strdup_printf ("cannot open %s", o->dir);

    store_close (s);
    return store_fail (error, rc, what);
  }
  store_share_files (o->dir, mode);
  if (o->lock_timeout_ms > 0) {
    s->lock_timeout_ms = o->lock_timeout_ms;
    store_watchdog_setup (o);
  }
  mdb_reader_check (s->env, &dead);
  if (dead > 0)
    g_info ("state store: cleared %d stale reader slots", dead);
  /* in a write transaction, even when they exist: handles opened in a
   * read transaction led LMDB 0.9.24 to an assertion in its free list
   * when several processes used a new store at once */
  if (!store_write (s, store_open_dbis, NULL, error)) {
    store_close (s);
    return FALSE;
  }
  *out = s;
  return TRUE;
}

void
store_close (struct store *s)
{
  if (s == NULL)
    return;
  if (s->env != NULL)
    mdb_env_close (s->env);
  g_free (s);
}

void
store_fingerprint (const char *message_id, const char *recipient, const char *content, gsize len,
                   guint8 out[32])
{
  g_autoptr (GChecksum) sum = g_checksum_new (G_CHECKSUM_SHA256);
  gsize n = 32;

  if (message_id != NULL && *message_id != '\0') {
    g_checksum_update (sum, (const guchar *) "mid", 4);
    g_checksum_update (sum, (const guchar *) message_id, (gssize) strlen (message_id) + 1);
  } else {
    g_checksum_update (sum, (const guchar *) "raw", 4);
    g_checksum_update (sum, (const guchar *) (content != NULL ? content : ""), (gssize) len);
  }
  /* one message may be about several recipients: each is its own fact */
  g_checksum_update (sum, (const guchar *) "\0rcpt", 6);
  if (recipient != NULL)
    g_checksum_update (sum, (const guchar *) recipient, (gssize) strlen (recipient));
  g_checksum_get_digest (sum, out, &n);
}

/* store_key - an MDB_val over a string (without its NUL). */
static MDB_val
store_key (const char *s)
{
  MDB_val v = { strlen (s), (void *) s };

  return v;
}

/* store_be64 - N as 8 big-endian bytes, so keys sort by number. */
static void
store_be64 (guint64 n, guint8 out[8])
{
  for (int i = 7; i >= 0; i--, n >>= 8)
    out[i] = n & 0xff;
}

static guint64
store_from_be64 (const guint8 *b)
{
  guint64 n = 0;

  for (int i = 0; i < 8; i++)
    n = (n << 8) | b[i];
  return n;
}

/* store_next_id - one more than the last 8-byte key of DBI. */
static int
store_next_id (MDB_txn *txn, MDB_dbi dbi, guint64 *next)
{
  MDB_cursor *c;
  MDB_val k, v;
  int rc = mdb_cursor_open (txn, dbi, &c);

  if (rc != 0)
    return rc;
  rc = mdb_cursor_get (c, &k, &v, MDB_LAST);
  *next = rc == 0 && k.mv_size == 8 ? store_from_be64 (k.mv_data) + 1 : 1;
  mdb_cursor_close (c);
  return rc == MDB_NOTFOUND ? 0 : rc;
}

/* store_count - add DELTA to the daily counter KEY. */
static int
store_count (struct store *s, MDB_txn *txn, const char *key, guint64 delta)
{
  MDB_val k = store_key (key), v;
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

/* store_load - the record under KEY into R (initialised); rc 0 found,
 * MDB_NOTFOUND none, STORE_RC_ERROR bad bytes. */
static int
store_load (struct store *s, MDB_txn *txn, const char *key, struct record *r, GError **error)
{
  MDB_val k = store_key (key), v;
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

/* store_save - R under KEY. */
static int
store_save (struct store *s, MDB_txn *txn, const char *key, const struct record *r)
{
  g_autoptr (GBytes) bytes = record_encode (r);
  MDB_val k = store_key (key), v;
  gsize len;

  v.mv_data = (void *) g_bytes_get_data (bytes, &len);
  v.mv_size = len;
  return mdb_put (txn, s->addresses, &k, &v, 0);
}

/* What store_apply's work function needs. */
struct store_apply_work {
  const struct conf *conf;
  const struct store_item *items;
  guint n;
  gint64 now;
  struct store_result *results;
  GHashTable *counts; /* daily counter key -> increment, written once per batch */
  GString *line;      /* scratch for event log lines */
};

/* store_tally - add one to counter KEY of the batch (KEY is taken). */
static void
store_tally (struct store_apply_work *w, char *key)
{
  guint64 *count = g_hash_table_lookup (w->counts, key);

  if (count != NULL) {
    (*count)++;
    g_free (key);
  } else {
    count = g_new (guint64, 1);
    *count = 1;
    g_hash_table_insert (w->counts, key, count);
  }
}

/* store_tally_parts - add one to the counter DAY|WHAT|A|B|C, allocating
 * the key only the first time it is seen in the batch. */
static void
store_tally_parts (struct store_apply_work *w, const char *day, const char *what, const char *a,
                   const char *b, const char *c)
{
  guint64 *count;

  /* "DAY|WHAT|A|B|C", without printf: this runs for every event */
  g_string_assign (w->line, day);
  g_string_append_c (w->line, '|');
  g_string_append (w->line, what);
  g_string_append_c (w->line, '|');
  g_string_append (w->line, a);
  g_string_append_c (w->line, '|');
  g_string_append (w->line, b);
  g_string_append_c (w->line, '|');
  g_string_append (w->line, c != NULL ? c : "-");
  count = g_hash_table_lookup (w->counts, w->line->str);
  if (count != NULL) {
    (*count)++;
  } else {
    count = g_new (guint64, 1);
    *count = 1;
    g_hash_table_insert (w->counts, g_strdup (w->line->str), count);
  }
}

/* store_day_key - DAY (big-endian) followed by FP: the expiry index key. */
static void
store_day_key (guint32 day, const guint8 *fp, guint8 out[36])
{
  out[0] = (day >> 24) & 0xff;
  out[1] = (day >> 16) & 0xff;
  out[2] = (day >> 8) & 0xff;
  out[3] = day & 0xff;
  memcpy (out + 4, fp, 32);
}

/* store_seen_check - whether FP was applied within seen_ttl; if not, mark
 * it as applied NOW.  rc 0 or an LMDB error. */
static int
store_seen_check (struct store *s, MDB_txn *txn, const guint8 *fp, gint64 now, gboolean *duplicate)
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
    store_day_key ((guint32) (first / 86400), fp, daykey);
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

    store_day_key ((guint32) (now / 86400), fp, daykey);
    return mdb_put (txn, s->seen_days, &dk, &empty, 0);
  }
}

/* store_at_key - the key of a fact in seen_at: its own time (4 bytes,
 * big-endian, seconds; so a stream in time order is appended at the end
 * of the tree and expired from its start) and 16 bytes of its
 * fingerprint. */
static void
store_at_key (gint64 when, const guint8 *fp, guint8 out[20])
{
  guint32 t = (guint32) CLAMP (when, 0, (gint64) G_MAXUINT32);

  out[0] = (t >> 24) & 0xff;
  out[1] = (t >> 16) & 0xff;
  out[2] = (t >> 8) & 0xff;
  out[3] = t & 0xff;
  memcpy (out + 4, fp, 16);
}

/* store_seen_at_check - whether the fact with fingerprint FP and time
 * WHEN was applied before; if not, mark it as applied NOW. */
static int
store_seen_at_check (struct store *s, MDB_txn *txn, const guint8 *fp, gint64 when, gint64 now,
                     gboolean *duplicate)
{
  guint8 key[20];
  guint32 applied = (guint32) CLAMP (now, 0, (gint64) G_MAXUINT32);
  MDB_val k = { sizeof key, key }, v = { sizeof applied, &applied };
  int rc;

  store_at_key (when, fp, key);
  rc = mdb_put (txn, s->seen_at, &k, &v, MDB_NOOVERWRITE);
  *duplicate = rc == MDB_KEYEXIST;
  return rc == MDB_KEYEXIST ? 0 : rc;
}

/* store_purge_at - forget up to MAX facts of seen_at that are older than
 * CUTOFF and were applied before it: they are at the start of the tree.
 * An old fact applied lately (a file read again after weeks) is kept its
 * seen_ttl, and the purge waits behind it. */
static int
store_purge_at (struct store *s, MDB_txn *txn, gint64 cutoff, guint max, guint *purged)
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
  store_at_key (cutoff, limit + 4, limit);
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

/* store_event_time - the "time" an event log entry starts with, or -1. */
static gint64
store_event_time (const MDB_val *v)
{
  const char *p = v->mv_data, *end = p + v->mv_size;
  gint64 t = 0;

  if (v->mv_size < 9 || memcmp (p, "{\"time\":", 8) != 0)
    return -1;
  for (p += 8; p < end && g_ascii_isdigit (*p); p++)
    t = t * 10 + (*p - '0');
  return t;
}

/* what marks a fact logged without a record */
static const char store_no_record[] = ",\"record\":false";

/* store_lead_get - the head of KEY's chain of facts without a record
 * into SEQ, 0 when there is none. */
static int
store_lead_get (struct store *s, MDB_txn *txn, const char *key, guint64 *seq)
{
  MDB_val k = store_key (key), v;
  int rc = mdb_get (txn, s->leads, &k, &v);

  *seq = 0;
  if (rc == 0 && v.mv_size == 8)
    *seq = store_from_be64 (v.mv_data);
  return rc == MDB_NOTFOUND ? 0 : rc;
}

/* store_lead_put - SEQ becomes the head of KEY's chain. */
static int
store_lead_put (struct store *s, MDB_txn *txn, const char *key, guint64 seq)
{
  guint8 b[8];
  MDB_val k = store_key (key), v = { 8, b };

  store_be64 (seq, b);
  return mdb_put (txn, s->leads, &k, &v, 0);
}

/* store_lead_del - KEY's chain has a record now, or nothing left. */
static int
store_lead_del (struct store *s, MDB_txn *txn, const char *key)
{
  MDB_val k = store_key (key);
  int rc = mdb_del (txn, s->leads, &k, NULL);

  return rc == MDB_NOTFOUND ? 0 : rc;
}

/* store_lead_forget - SEQ, a fact logged without a record, is let go:
 * when it is still the head of its address's chain, the chain is gone. */
static int
store_lead_forget (struct store *s, MDB_txn *txn, guint64 seq, const MDB_val *v)
{
  json_t *o = json_loadb (v->mv_data, v->mv_size, 0, NULL);
  const char *raw = o != NULL ? json_string_value (json_object_get (o, "recipient")) : NULL;
  g_autofree char *key = raw != NULL ? event_normalize_address (raw) : NULL;
  guint64 head = 0;
  int rc = 0;

  json_decref (o);
  if (key == NULL)
    return 0;
  if ((rc = store_lead_get (s, txn, key, &head)) == 0 && head == seq)
    rc = store_lead_del (s, txn, key);
  return rc;
}

/* store_prune_events - delete up to MAX entries from the start of the
 * event log that are older than CUTOFF (entries are in the order they
 * were written, so in time order but for clock steps); *N gets how many. */
static int
store_prune_events (struct store *s, MDB_txn *txn, gint64 cutoff, guint max, guint *n)
{
  MDB_cursor *c;
  MDB_val k, v;
  int rc = mdb_cursor_open (txn, s->events, &c);

  *n = 0;
  if (rc != 0)
    return rc;
  for (rc = mdb_cursor_get (c, &k, &v, MDB_FIRST); rc == 0 && *n < max;
       rc = mdb_cursor_get (c, &k, &v, MDB_NEXT)) {
    gint64 t = store_event_time (&v);

    if (t >= cutoff)
      break;
    if (k.mv_size == 8 && memmem (v.mv_data, v.mv_size, store_no_record, sizeof store_no_record - 1) != NULL
        && (rc = store_lead_forget (s, txn, store_from_be64 (k.mv_data), &v)) != 0)
      break;
    if ((rc = mdb_cursor_del (c, 0)) != 0)
      break;
    (*n)++;
  }
  mdb_cursor_close (c);
  return rc == MDB_NOTFOUND ? 0 : rc;
}

/* store_prune_daily - delete up to MAX daily counters of days before the
 * day of CUTOFF (their keys start "YYYY-MM-DD|", in day order). */
static int
store_prune_daily (struct store *s, MDB_txn *txn, gint64 cutoff, guint max, guint *n)
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
struct store_purge_work {
  gint64 now;
  guint max;
  guint purged;
};

/* store_purge_in - inside TXN, forget up to W->max fingerprints first seen
 * before W->now - seen_ttl; the expiry index is in day order, so this
 * stops at the first one still fresh. */
static int
store_purge_in (struct store *s, MDB_txn *txn, struct store_purge_work *w)
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
store_purge_work (struct store *s, MDB_txn *txn, gpointer data, GError **error)
{
  return store_purge_in (s, txn, data);
}

/* store_prune_in - the retention's share of one write transaction as of
 * NOW: up to MAX old events, daily counters and time-keyed fingerprints,
 * and up to MAX_SEEN message fingerprints. */
static int
store_prune_in (struct store *s, MDB_txn *txn, gint64 now, guint max, guint max_seen,
                struct store_purge_report *report)
{
  struct store_purge_work purge = { now, max_seen, 0 };
  guint n = 0;
  int rc;

  if ((rc = store_purge_in (s, txn, &purge)) != 0)
    return rc;
  report->seen += purge.purged;
  if ((rc = store_purge_at (s, txn, now - s->seen_ttl, max, &n)) != 0)
    return rc;
  report->seen += n;
  if (s->event_retention > 0) {
    if ((rc = store_prune_events (s, txn, now - s->event_retention, max, &n)) != 0)
      return rc;
    report->events += n;
  }
  if (s->stats_retention > 0) {
    if ((rc = store_prune_daily (s, txn, now - s->stats_retention, max, &n)) != 0)
      return rc;
    report->daily += n;
  }
  return 0;
}

/* store_json_int - N in decimal onto OUT, without printf. */
static void
store_json_int (GString *out, gint64 n)
{
  char digits[24];
  int i = (int) sizeof digits;
  guint64 u = n < 0 ? (guint64) -n : (guint64) n;

  do {
    digits[--i] = (char) ('0' + u % 10);
    u /= 10;
  } while (u > 0);
  if (n < 0)
    digits[--i] = '-';
  g_string_append_len (out, digits + i, (gssize) sizeof digits - i);
}

/* store_json_str_n - PREFIX (,"KEY":) and the JSON string VALUE onto OUT;
 * nothing when VALUE is NULL.
 * Bytes that are not UTF-8 become U+FFFD, as in eventjson_string, so
 * every line of the log stays JSON. */
static void
store_json_str_n (GString *out, const char *prefix, gsize prefix_len, const char *value)
{
  gsize n = 0;

  /* a field without a value is left out: a line is smaller, and a reader
   * takes an absent key as null */
  if (value == NULL)
    return;
  g_string_append_len (out, prefix, (gssize) prefix_len);
  /* most values are plain ASCII with nothing to escape: one copy */
  while (value[n] != '\0' && (unsigned char) value[n] >= 0x20 && (unsigned char) value[n] < 0x80
         && value[n] != '"' && value[n] != '\\')
    n++;
  if (value[n] == '\0') {
    g_string_append_c (out, '"');
    g_string_append_len (out, value, (gssize) n);
    g_string_append_c (out, '"');
    return;
  }
  {
    g_autofree char *valid = g_utf8_validate (value, -1, NULL) ? NULL : g_utf8_make_valid (value, -1);

    if (valid != NULL)
      value = valid;
    g_string_append_c (out, '"');
    for (const unsigned char *p = (const unsigned char *) value; *p;) {
      const unsigned char *run = p;

      while (*p && *p != '"' && *p != '\\' && *p >= 0x20)
        p++;
      g_string_append_len (out, (const char *) run, p - run);
      if (*p == '\0')
        break;
      if (*p == '"' || *p == '\\')
        g_string_append_printf (out, "\\%c", *p);
      else
        g_string_append_printf (out, "\\u%04x", *p);
      p++;
    }
    g_string_append_c (out, '"');
  }
}

/* store_json_str - append ,"KEY":VALUE (a string literal KEY) to OUT. */
#define store_json_str(out, key, value)                                                                      \
  store_json_str_n ((out), ",\"" key "\":", sizeof (",\"" key "\":") - 1, (value))

/* store_log_event - append E and what was decided to the event log, as
 * one JSON object: time, decision, actions, sender and the event fields. */
static int
store_log_event (struct store *s, MDB_txn *txn, guint64 *seq, const struct store_item *item, gint64 now,
                 const struct store_result *res, guint64 prev, gboolean lead, GString *line)
{
  const struct event *e = item->event;
  guint8 key[8];
  MDB_val k = { 8, key }, v;

  g_string_assign (line, "{\"time\":");
  store_json_int (line, now);
  g_string_append (line, ",\"decision\":\"");
  g_string_append (line, res->decision.outcome == POLICY_SUPPRESS      ? "suppress"
                         : res->decision.outcome == POLICY_UNSUBSCRIBE ? "unsubscribe"
                                                                       : "none");
  g_string_append (line, "\",\"actions\":");
  store_json_int (line, res->actions);
  store_json_str (line, "sender", item->sender);
  store_json_str (line, "recipient", e->address);
  store_json_str (line, "kind", event_kind_name (e->kind));
  store_json_str (line, "class", event_class_name (e->klass));
  store_json_str (line, "status", e->status);
  store_json_str (line, "reason", e->reason);
  store_json_str (line, "category", e->category);
  store_json_str (line, "feedback_type", e->feedback_type);
  store_json_str (line, "source", e->source);
  store_json_str (line, "list", e->hints.list_id);
  store_json_str (line, "campaign", e->hints.campaign_id);
  store_json_str (line, "subscriber", e->hints.subscriber_id);
  store_json_str (line, "message_id", e->hints.message_id);
  store_json_str (line, "origin", item->origin);
  if (e->time > 0) {
    g_string_append (line, ",\"event_time\":");
    store_json_int (line, e->time);
  }
  store_json_str (line, "untrusted", item->untrusted);
  if (res->actions > 0)
    store_json_str (line, "acted", res->acted);
  if (lead)
    g_string_append (line, store_no_record);
  if (prev > 0) {
    g_string_append (line, ",\"prev\":");
    store_json_int (line, (gint64) prev);
  }
  g_string_append_c (line, '}');
  store_be64 ((*seq)++, key);
  v.mv_size = line->len;
  v.mv_data = line->str;
  return mdb_put (txn, s->events, &k, &v, MDB_APPEND);
}

/* store_id_ok - an id fit for a key: letters, digits, - and _, 1 to 64. */
static gboolean
store_id_ok (const char *id)
{
  gsize n = 0;

  for (; id != NULL && id[n] != '\0'; n++)
    if (!g_ascii_isalnum (id[n]) && id[n] != '-' && id[n] != '_')
      return FALSE;
  return n > 0 && n <= 64;
}

char *
store_id_only_key (const char *list_id, const char *subscriber_id)
{
  g_autofree char *raw = NULL;

  if (!store_id_ok (list_id) || !store_id_ok (subscriber_id))
    return NULL;
  /* normalised like any address, so that `recoil status` finds it */
  raw = g_strdup_printf ("%s@%s" STORE_ID_ONLY_SUFFIX, subscriber_id, list_id);
  return event_normalize_address (raw);
}

gboolean
store_key_is_id_only (const char *key)
{
  return key != NULL && g_str_has_suffix (key, STORE_ID_ONLY_SUFFIX);
}

/* store_note_acted - add WHO ("provider:action") to RES->acted, ending
 * it with "..." when it does not fit. */
static void
store_note_acted (struct store_result *res, const char *who)
{
  gsize have = strlen (res->acted), need = strlen (who) + (have > 0 ? 2 : 0);

  if (have + need + 4 <= sizeof res->acted) {
    if (have > 0)
      strcat (res->acted, ", ");
    strcat (res->acted, who);
  } else if (!g_str_has_suffix (res->acted, "...") && have + 4 <= sizeof res->acted) {
    strcat (res->acted, "...");
  }
}

/* store_kind_counts - whether facts of KIND are kept per address. */
static gboolean
store_kind_counts (event_kind kind)
{
  return kind == EVENT_KIND_BOUNCE || kind == EVENT_KIND_COMPLAINT || kind == EVENT_KIND_UNSUBSCRIBE;
}

/* store_apply_one - one item inside the batch transaction. */
static int
store_apply_one (struct store *s, MDB_txn *txn, struct store_apply_work *w, guint i, const char *day,
                 guint64 *next_outbox, guint64 *next_event, GError **error)
{
  const struct store_item *item = &w->items[i];
  const struct event *e = item->event;
  struct store_result *res = &w->results[i];
  g_autofree char *key = NULL;
  g_autoptr (GPtrArray) actions = NULL;
  struct record r;
  guint64 prev;
  int rc;

  memset (res, 0, sizeof *res);
  if (item->fingerprint != NULL) {
    rc = item->fact_time > 0
             ? store_seen_at_check (s, txn, item->fingerprint, item->fact_time, w->now, &res->duplicate)
             : store_seen_check (s, txn, item->fingerprint, w->now, &res->duplicate);
    if (rc != 0)
      return rc;
    if (res->duplicate)
      return 0;
  }
  store_tally_parts (w, day, "event", event_kind_name (e->kind), event_class_name (e->klass), e->category);
  if (item->untrusted != NULL) {
    store_tally (w, g_strdup_printf ("%s|untrusted|%s", day, event_kind_name (e->kind)));
    return store_log_event (s, txn, next_event, item, w->now, res, 0, FALSE, w->line);
  }
  key = e->address != NULL ? event_normalize_address (e->address) : NULL;
  if (key == NULL && e->kind == EVENT_KIND_UNSUBSCRIBE)
    key = store_id_only_key (e->hints.list_id, e->hints.subscriber_id);
  if (key == NULL)
    return store_log_event (s, txn, next_event, item, w->now, res, 0, FALSE, w->line);
  rc = store_load (s, txn, key, &r, error);
  if (rc != 0 && rc != MDB_NOTFOUND)
    return rc;
  /* delay warnings, auto-replies and deliveries are kept in the log but
   * make no record of their own: an address seen only that way has
   * nothing to count and would only take room */
  if (rc == MDB_NOTFOUND && !store_kind_counts (e->kind)) {
    guint64 seq = *next_event;

    record_clear (&r);
    if ((rc = store_lead_get (s, txn, key, &prev)) != 0
        || (rc = store_log_event (s, txn, next_event, item, w->now, res, prev, TRUE, w->line)) != 0)
      return rc;
    return store_lead_put (s, txn, key, seq);
  }
  /* a new record takes over the facts logged before it */
  if (rc == MDB_NOTFOUND) {
    if ((rc = store_lead_get (s, txn, key, &r.last_event)) != 0)
      return rc;
    if (r.last_event > 0 && (rc = store_lead_del (s, txn, key)) != 0)
      return rc;
  }
  {
    struct policy_rules rules;

    policy_rules_from_conf (w->conf, &rules);
    res->decision = policy_apply (&rules, &r, e, w->now);
  }
  actions = g_ptr_array_new_with_free_func (g_free);
  policy_route (w->conf, e, item->sender, &r, &res->decision, actions);
  for (guint k = 0; k < actions->len; k++) {
    const struct policy_action *a = g_ptr_array_index (actions, k);
    struct outbox_entry o = { 0 };
    g_autoptr (GBytes) bytes = NULL;
    g_autofree char *who = g_strdup_printf ("%s:%s", a->provider, a->action);
    guint8 okey[8];
    MDB_val kk = { 8, okey }, vv;
    gsize len;

    o.provider = (char *) a->provider;
    o.action = (char *) a->action;
    o.scope = a->scope;
    o.address = key;
    o.list_id = e->hints.list_id;
    o.campaign_id = e->hints.campaign_id;
    o.subscriber_id = e->hints.subscriber_id;
    o.reason = (char *) res->decision.why;
    o.status = e->status;
    o.created = o.next_try = w->now;
    if (s->claim_lease > 0) {
      /* the caller carries it out right away */
      o.next_try = w->now + s->claim_lease;
      o.attempts = 1;
    }
    bytes = outbox_encode (&o);
    if (res->actions == 0)
      res->first_action = *next_outbox;
    store_be64 ((*next_outbox)++, okey);
    vv.mv_data = (void *) g_bytes_get_data (bytes, &len);
    vv.mv_size = len;
    if ((rc = mdb_put (txn, s->outbox, &kk, &vv, MDB_APPEND)) != 0) {
      record_clear (&r);
      return rc;
    }
    record_acted_add (&r, who);
    store_note_acted (res, who);
    res->actions++;
  }
  /* the fact's place in the address's chain of facts */
  prev = r.last_event;
  r.last_event = *next_event;
  if (res->decision.outcome != POLICY_NONE && !res->decision.repeat && !res->decision.ignored)
    r.state_event = *next_event;
  rc = store_save (s, txn, key, &r);
  record_clear (&r);
  if (rc != 0)
    return rc;
  if (res->decision.outcome != POLICY_NONE && !res->decision.repeat)
    store_tally (w, g_strdup_printf ("%s|decision|%s|%s", day,
                                     res->decision.outcome == POLICY_SUPPRESS ? "suppress" : "unsubscribe",
                                     res->decision.why));
  return store_log_event (s, txn, next_event, item, w->now, res, prev, FALSE, w->line);
}

/* store_apply_work - the batch, in one transaction. */
static int
store_apply_work (struct store *s, MDB_txn *txn, gpointer data, GError **error)
{
  struct store_apply_work *w = data;
  g_autofree char *day = clock_format_day (clock_day_of (w->now));
  guint64 next_outbox, next_event;
  int rc;

  if ((rc = store_next_id (txn, s->outbox, &next_outbox)) != 0
      || (rc = store_next_id (txn, s->events, &next_event)) != 0)
    return rc;
  g_hash_table_remove_all (w->counts);
  for (guint i = 0; i < w->n; i++)
    if ((rc = store_apply_one (s, txn, w, i, day, &next_outbox, &next_event, error)) != 0)
      return rc;
  {
    GHashTableIter it;
    gpointer key, delta;

    g_hash_table_iter_init (&it, w->counts);
    while (g_hash_table_iter_next (&it, &key, &delta))
      if ((rc = store_count (s, txn, key, *(guint64 *) delta)) != 0)
        return rc;
  }
  {
    /* retention, a bounded share per transaction: twice what the batch
     * adds, so the state stays bounded without a pass of its own */
    struct store_purge_report report = { 0 };

    return store_prune_in (s, txn, w->now, MAX (64, 2 * w->n), 64, &report);
  }
}

gboolean
store_apply (struct store *s, const struct conf *conf, const struct store_item *items, guint n, gint64 now,
             struct store_result *results, GError **error)
{
  struct store_apply_work w = { conf, items, n, now, results, NULL, NULL };
  gboolean ok;

  w.counts = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  w.line = g_string_sized_new (512);
  ok = store_write (s, store_apply_work, &w, error);
  g_hash_table_unref (w.counts);
  g_string_free (w.line, TRUE);
  return ok;
}

gboolean
store_get (struct store *s, const char *address, struct record *r, GError **error)
{
  g_autofree char *key = event_normalize_address (address);
  MDB_txn *txn;
  int rc;

  record_init (r);
  if (key == NULL) {
    g_set_error (error, STORE_ERROR, STORE_ERROR_INVALID, "\"%s\" is not an address", address);
    return FALSE;
  }
  if ((rc = store_read (s, &txn)) != 0)
    return store_fail (error, rc, "cannot begin a read transaction");
  record_clear (r);
  rc = store_load (s, txn, key, r, error);
  mdb_txn_abort (txn);
  if (rc == STORE_RC_ERROR)
    return FALSE;
  if (rc != 0 && rc != MDB_NOTFOUND)
    return store_fail (error, rc, "cannot read");
  return rc == 0;
}

/* Arguments of the single-address work functions. */
struct store_address_work {
  const char *key;
  gboolean flag;
  gint64 now;
  gboolean existed;
};

static int
store_reset_work (struct store *s, MDB_txn *txn, gpointer data, GError **error)
{
  struct store_address_work *w = data;
  MDB_val k = store_key (w->key);
  int rc = mdb_del (txn, s->addresses, &k, NULL);

  w->existed = rc == 0;
  return rc == MDB_NOTFOUND ? 0 : rc;
}

gboolean
store_reset (struct store *s, const char *address, gboolean *existed, GError **error)
{
  g_autofree char *key = event_normalize_address (address);
  struct store_address_work w = { key, FALSE, 0, FALSE };

  if (key == NULL) {
    g_set_error (error, STORE_ERROR, STORE_ERROR_INVALID, "\"%s\" is not an address", address);
    return FALSE;
  }
  if (!store_write (s, store_reset_work, &w, error))
    return FALSE;
  *existed = w.existed;
  return TRUE;
}

static int
store_ignore_work (struct store *s, MDB_txn *txn, gpointer data, GError **error)
{
  struct store_address_work *w = data;
  struct record r;
  int rc = store_load (s, txn, w->key, &r, error);

  if (rc != 0 && rc != MDB_NOTFOUND)
    return rc;
  r.ignore = w->flag;
  rc = store_save (s, txn, w->key, &r);
  record_clear (&r);
  return rc;
}

gboolean
store_set_ignore (struct store *s, const char *address, gboolean on, gint64 now, GError **error)
{
  g_autofree char *key = event_normalize_address (address);
  struct store_address_work w = { key, on, now, FALSE };

  if (key == NULL) {
    g_set_error (error, STORE_ERROR, STORE_ERROR_INVALID, "\"%s\" is not an address", address);
    return FALSE;
  }
  return store_write (s, store_ignore_work, &w, error);
}

/* Arguments of the import work function. */
struct store_import_work {
  const struct store_import_row *rows;
  guint n;
};

static int
store_import_work (struct store *s, MDB_txn *txn, gpointer data, GError **error)
{
  struct store_import_work *w = data;

  for (guint i = 0; i < w->n; i++) {
    g_autofree char *key = event_normalize_address (w->rows[i].address);
    struct record r;
    int rc;

    if (key == NULL)
      continue;
    rc = store_load (s, txn, key, &r, error);
    if (rc != 0 && rc != MDB_NOTFOUND)
      return rc;
    if (w->rows[i].whole != NULL) {
      GBytes *copy = record_encode (w->rows[i].whole);
      guint64 last = r.last_event;
      gsize len;
      const void *d = g_bytes_get_data (copy, &len);

      record_clear (&r);
      if (!record_decode (d, len, &r, error)) {
        g_bytes_unref (copy);
        return STORE_RC_ERROR;
      }
      g_bytes_unref (copy);
      r.last_event = last;
      r.state_event = 0;
    } else {
      r.state = w->rows[i].state;
      r.changed = w->rows[i].when;
      g_free (r.state_reason);
      r.state_reason = g_strdup (w->rows[i].reason != NULL ? w->rows[i].reason : "import");
      r.state_event = 0;
      if (w->rows[i].counts) {
        r.hard = w->rows[i].hard;
        r.soft = w->rows[i].soft;
        r.complaints = w->rows[i].complaints;
      }
    }
    rc = store_save (s, txn, key, &r);
    record_clear (&r);
    if (rc != 0)
      return rc;
  }
  return 0;
}

gboolean
store_import (struct store *s, const struct store_import_row *rows, guint n, GError **error)
{
  struct store_import_work w = { rows, n };

  return store_write (s, store_import_work, &w, error);
}

/* A row visitor for store_scan: FALSE stops the scan. */
typedef gboolean (*store_row_fn) (const MDB_val *key, const MDB_val *value, gpointer data);

/* store_scan - visit the rows of DBI in key order from a read transaction,
 * starting at the first key >= START (all rows when START is NULL). */
static gboolean
store_scan (struct store *s, MDB_dbi dbi, const char *start, store_row_fn fn, gpointer data, GError **error)
{
  MDB_txn *txn;
  MDB_cursor *c;
  MDB_val k, v;
  int rc;

  if ((rc = store_read (s, &txn)) != 0)
    return store_fail (error, rc, "cannot begin a read transaction");
  if ((rc = mdb_cursor_open (txn, dbi, &c)) != 0) {
    mdb_txn_abort (txn);
    return store_fail (error, rc, "cannot open a cursor");
  }
  if (start != NULL)
    k = store_key (start);
  for (rc = mdb_cursor_get (c, &k, &v, start != NULL ? MDB_SET_RANGE : MDB_FIRST); rc == 0;
       rc = mdb_cursor_get (c, &k, &v, MDB_NEXT))
    if (!fn (&k, &v, data))
      break;
  mdb_cursor_close (c);
  mdb_txn_abort (txn);
  return TRUE;
}

/* Adapters from store_scan rows to the public callbacks. */
struct store_scan_args {
  gpointer fn;
  gpointer data;
};

static gboolean
store_record_row (const MDB_val *k, const MDB_val *v, gpointer data)
{
  struct store_scan_args *a = data;
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

gboolean
store_each_record (struct store *s, store_record_fn fn, gpointer data, GError **error)
{
  struct store_scan_args a = { (gpointer) fn, data };

  return store_scan (s, s->addresses, NULL, store_record_row, &a, error);
}

static gboolean
store_daily_row (const MDB_val *k, const MDB_val *v, gpointer data)
{
  struct store_scan_args *a = data;
  g_autofree char *key = g_strndup (k->mv_data, k->mv_size);
  guint64 n = 0;

  if (v->mv_size == 8)
    memcpy (&n, v->mv_data, 8);
  ((store_daily_fn) a->fn) (key, n, a->data);
  return TRUE;
}

gboolean
store_each_daily (struct store *s, const char *from_day, store_daily_fn fn, gpointer data, GError **error)
{
  struct store_scan_args a = { (gpointer) fn, data };

  return store_scan (s, s->daily, from_day, store_daily_row, &a, error);
}

static gboolean
store_outbox_row (const MDB_val *k, const MDB_val *v, gpointer data)
{
  struct store_scan_args *a = data;
  struct outbox_entry e;
  gboolean go_on;

  if (k->mv_size != 8 || !outbox_decode (v->mv_data, v->mv_size, &e))
    return TRUE;
  e.id = store_from_be64 (k->mv_data);
  go_on = ((store_outbox_fn) a->fn) (&e, a->data);
  outbox_entry_clear (&e);
  return go_on;
}

gboolean
store_each_outbox (struct store *s, store_outbox_fn fn, gpointer data, GError **error)
{
  struct store_scan_args a = { (gpointer) fn, data };

  return store_scan (s, s->outbox, NULL, store_outbox_row, &a, error);
}

gboolean
store_purge_seen (struct store *s, gint64 now, guint max, guint *purged, GError **error)
{
  struct store_purge_work w = { now, max, 0 };

  if (!store_write (s, store_purge_work, &w, error))
    return FALSE;
  *purged = w.purged;
  return TRUE;
}

/* Arguments of store_purge's work function. */
struct store_purge_all {
  gint64 now;
  guint max;
  struct store_purge_report pass;
};

static int
store_purge_all_work (struct store *s, MDB_txn *txn, gpointer data, GError **error)
{
  struct store_purge_all *w = data;

  (void) error;
  memset (&w->pass, 0, sizeof w->pass);
  return store_prune_in (s, txn, w->now, w->max, w->max, &w->pass);
}

gboolean
store_purge (struct store *s, gint64 now, guint max, struct store_purge_report *report, GError **error)
{
  struct store_purge_all w = { now, MAX (max, 1), { 0 } };

  memset (report, 0, sizeof *report);
  for (;;) {
    if (!store_write (s, store_purge_all_work, &w, error))
      return FALSE;
    report->seen += w.pass.seen;
    report->events += w.pass.events;
    report->daily += w.pass.daily;
    report->transactions++;
    if (w.pass.seen + w.pass.events + w.pass.daily == 0)
      return TRUE;
  }
}

/* store_event_prev - the "prev" an event log entry ends with, or 0. */
static guint64
store_event_prev (const MDB_val *v)
{
  const char *p = v->mv_data, *end = p + v->mv_size;
  const char *q;
  guint64 n = 0;

  /* ...,"prev":DIGITS} is always the end of an entry that has one */
  if (v->mv_size < 10 || end[-1] != '}')
    return 0;
  for (q = end - 1; q > p && g_ascii_isdigit (q[-1]); q--)
    ;
  if (q == end - 1 || q - p < 8 || memcmp (q - 8, ",\"prev\":", 8) != 0)
    return 0;
  for (; q < end - 1; q++)
    n = n * 10 + (guint64) (*q - '0');
  return n;
}

static gboolean store_each_event_all (struct store *s, store_event_fn fn, gpointer data, GError **error);

gboolean
store_each_event (struct store *s, const char *address, store_event_fn fn, gpointer data, GError **error)
{
  MDB_txn *txn;
  MDB_val k, v;
  guint8 key[8];
  guint64 seq = 0;
  int rc;

  if ((rc = store_read (s, &txn)) != 0)
    return store_fail (error, rc, "cannot begin a read transaction");
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
    rc = store_load (s, txn, norm, &r, error);
    seq = rc == 0 ? r.last_event : 0;
    record_clear (&r);
    if (rc == STORE_RC_ERROR) {
      mdb_txn_abort (txn);
      return FALSE;
    }
    /* no record: the chain of facts that make none (delay warnings,
     * deliveries) */
    if (rc == MDB_NOTFOUND && (rc = store_lead_get (s, txn, norm, &seq)) != 0) {
      mdb_txn_abort (txn);
      return store_fail (error, rc, "cannot read the event log");
    }
    while (seq > 0) {
      k.mv_size = 8;
      k.mv_data = key;
      store_be64 (seq, key);
      if (mdb_get (txn, s->events, &k, &v) != 0)
        break; /* older facts are past the retention */
      if (!fn (seq, v.mv_data, v.mv_size, data))
        break;
      seq = store_event_prev (&v);
    }
    mdb_txn_abort (txn);
    return TRUE;
  }
  mdb_txn_abort (txn);
  return store_each_event_all (s, fn, data, error);
}

/* store_each_event_all - every fact, newest first; the read transaction is
 * renewed now and then, so a long listing does not hold old pages from
 * reuse. */
static gboolean
store_each_event_all (struct store *s, store_event_fn fn, gpointer data, GError **error)
{
  MDB_txn *txn;
  MDB_cursor *c = NULL;
  MDB_val k, v;
  guint8 key[8];
  guint64 seq = 0, seen = 0;
  int rc;

  if ((rc = store_read (s, &txn)) != 0)
    return store_fail (error, rc, "cannot begin a read transaction");
  for (rc = mdb_cursor_open (txn, s->events, &c) == 0 ? mdb_cursor_get (c, &k, &v, MDB_LAST) : MDB_NOTFOUND;
       rc == 0; rc = mdb_cursor_get (c, &k, &v, MDB_PREV)) {
    if (k.mv_size != 8)
      continue;
    seq = store_from_be64 (k.mv_data);
    if (!fn (seq, v.mv_data, v.mv_size, data))
      break;
    if (++seen % 10000 == 0) {
      mdb_cursor_close (c);
      mdb_txn_abort (txn);
      c = NULL;
      if ((rc = store_read (s, &txn)) != 0)
        return store_fail (error, rc, "cannot begin a read transaction");
      if ((rc = mdb_cursor_open (txn, s->events, &c)) != 0)
        break;
      store_be64 (seq, key);
      k.mv_size = 8;
      k.mv_data = key;
      /* the entry just shown, or the first after it if it was pruned */
      if ((rc = mdb_cursor_get (c, &k, &v, MDB_SET_RANGE)) != 0)
        rc = mdb_cursor_get (c, &k, &v, MDB_LAST);
      else if (store_from_be64 (k.mv_data) != seq)
        continue; /* the next MDB_PREV lands before it */
    }
  }
  if (c != NULL)
    mdb_cursor_close (c);
  mdb_txn_abort (txn);
  return TRUE;
}

gboolean
store_event_at (struct store *s, guint64 seq, store_event_fn fn, gpointer data, GError **error)
{
  MDB_txn *txn;
  guint8 key[8];
  MDB_val k = { 8, key }, v;
  int rc;

  if ((rc = store_read (s, &txn)) != 0)
    return store_fail (error, rc, "cannot begin a read transaction");
  store_be64 (seq, key);
  rc = mdb_get (txn, s->events, &k, &v);
  if (rc == 0)
    fn (seq, v.mv_data, v.mv_size, data);
  mdb_txn_abort (txn);
  if (rc != 0 && rc != MDB_NOTFOUND)
    return store_fail (error, rc, "cannot read the event log");
  return TRUE;
}

void
store_set_claim (struct store *s, gint64 lease)
{
  s->claim_lease = MAX (lease, 0);
}

/* store_outbox_put - write E under ID. */
static int
store_outbox_put (struct store *s, MDB_txn *txn, guint64 id, const struct outbox_entry *e)
{
  g_autoptr (GBytes) bytes = outbox_encode (e);
  guint8 key[8];
  MDB_val k = { 8, key }, v;
  gsize len;

  store_be64 (id, key);
  v.mv_data = (void *) g_bytes_get_data (bytes, &len);
  v.mv_size = len;
  return mdb_put (txn, s->outbox, &k, &v, 0);
}

/* store_outbox_get - the entry ID into E; MDB_NOTFOUND when there is none,
 * MDB_CORRUPTED when it cannot be read. */
static int
store_outbox_get (struct store *s, MDB_txn *txn, guint64 id, struct outbox_entry *e)
{
  guint8 key[8];
  MDB_val k = { 8, key }, v;
  int rc;

  store_be64 (id, key);
  if ((rc = mdb_get (txn, s->outbox, &k, &v)) != 0)
    return rc;
  if (!outbox_decode (v.mv_data, v.mv_size, e))
    return MDB_CORRUPTED;
  e->id = id;
  return 0;
}

struct store_claim_work {
  gint64 now, lease;
  guint64 first, last;
  guint max;
  GPtrArray *out;
};

static int
store_claim_work (struct store *s, MDB_txn *txn, gpointer data, GError **error)
{
  struct store_claim_work *w = data;
  g_autoptr (GHashTable) heads = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr (GArray) due = g_array_new (FALSE, FALSE, sizeof (guint64));
  MDB_cursor *c;
  MDB_val k, v;
  int rc;

  (void) error;
  g_ptr_array_set_size (w->out, 0);
  if ((rc = mdb_cursor_open (txn, s->outbox, &c)) != 0)
    return rc;
  for (rc = mdb_cursor_get (c, &k, &v, MDB_FIRST); rc == 0; rc = mdb_cursor_get (c, &k, &v, MDB_NEXT)) {
    struct outbox_entry e;
    char *head;
    guint64 id;

    if (k.mv_size != 8 || !outbox_decode (v.mv_data, v.mv_size, &e))
      continue; /* unreadable entries are left for `recoil outbox` to show */
    id = store_from_be64 (k.mv_data);
    if (!e.parked) {
      head = g_strdup_printf ("%s\n%s", e.provider, e.address);
      if (!g_hash_table_contains (heads, head)) {
        g_hash_table_add (heads, head);
        if (e.next_try <= w->now && id >= w->first && id <= w->last && due->len < w->max)
          g_array_append_val (due, id);
      } else {
        g_free (head);
      }
    }
    outbox_entry_clear (&e);
  }
  mdb_cursor_close (c);
  if (rc != MDB_NOTFOUND)
    return rc;
  for (guint i = 0; i < due->len; i++) {
    struct outbox_entry *e = g_new0 (struct outbox_entry, 1);
    guint64 id = g_array_index (due, guint64, i);

    if ((rc = store_outbox_get (s, txn, id, e)) != 0) {
      g_free (e);
      return rc;
    }
    e->attempts++;
    e->next_try = w->now + w->lease;
    if ((rc = store_outbox_put (s, txn, id, e)) != 0) {
      outbox_entry_free (e);
      return rc;
    }
    g_ptr_array_add (w->out, e);
  }
  return 0;
}

gboolean
store_outbox_claim (struct store *s, gint64 now, gint64 lease, guint64 first, guint64 last, guint max,
                    GPtrArray *out, GError **error)
{
  g_autoptr (GPtrArray) claimed = g_ptr_array_new_with_free_func ((GDestroyNotify) outbox_entry_free);
  struct store_claim_work w = { now, lease, first, last, max, claimed };

  if (!store_write (s, store_claim_work, &w, error))
    return FALSE;
  while (claimed->len > 0)
    g_ptr_array_add (out, g_ptr_array_steal_index (claimed, 0));
  return TRUE;
}

gboolean
store_outbox_read (struct store *s, guint64 first, guint n, GPtrArray *out, GError **error)
{
  MDB_txn *txn;
  int rc;

  if ((rc = store_read (s, &txn)) != 0)
    return store_fail (error, rc, "cannot begin a read transaction");
  for (guint i = 0; i < n; i++) {
    struct outbox_entry *e = g_new0 (struct outbox_entry, 1);

    if ((rc = store_outbox_get (s, txn, first + i, e)) == 0)
      g_ptr_array_add (out, e);
    else
      g_free (e);
  }
  mdb_txn_abort (txn);
  return TRUE;
}

struct store_finish_work {
  const struct store_outbox_outcome *outcomes;
  guint n;
  gint64 now;
};

static int
store_finish_work (struct store *s, MDB_txn *txn, gpointer data, GError **error)
{
  struct store_finish_work *w = data;
  g_autofree char *day = clock_format_day (clock_day_of (w->now));

  (void) error;
  for (guint i = 0; i < w->n; i++) {
    const struct store_outbox_outcome *o = &w->outcomes[i];
    struct outbox_entry e;
    g_autofree char *tally = NULL;
    int rc = store_outbox_get (s, txn, o->id, &e);

    if (rc == MDB_NOTFOUND || rc == MDB_CORRUPTED)
      continue;
    if (rc != 0)
      return rc;
    switch (o->end) {
    case STORE_OUTBOX_DONE: {
      guint8 key[8];
      MDB_val k = { 8, key };

      store_be64 (o->id, key);
      rc = mdb_del (txn, s->outbox, &k, NULL);
      tally = g_strdup_printf ("%s|dispatch|done|%s", day, e.provider);
      break;
    }
    case STORE_OUTBOX_RESCHEDULE:
    case STORE_OUTBOX_PARK:
      e.next_try = o->end == STORE_OUTBOX_PARK ? w->now : o->next_try;
      e.parked = o->end == STORE_OUTBOX_PARK;
      g_free (e.answer);
      e.answer = g_strdup (o->answer);
      rc = store_outbox_put (s, txn, o->id, &e);
      tally = g_strdup_printf ("%s|dispatch|%s|%s", day, e.parked ? "parked" : "retry", e.provider);
      break;
    case STORE_OUTBOX_RELEASE:
      e.next_try = w->now;
      if (e.attempts > 0)
        e.attempts--;
      rc = store_outbox_put (s, txn, o->id, &e);
      break;
    }
    outbox_entry_clear (&e);
    if (rc == 0 && tally != NULL)
      rc = store_count (s, txn, tally, 1);
    if (rc != 0)
      return rc;
  }
  return 0;
}

gboolean
store_outbox_finish (struct store *s, const struct store_outbox_outcome *outcomes, guint n, gint64 now,
                     GError **error)
{
  struct store_finish_work w = { outcomes, n, now };

  if (n == 0)
    return TRUE;
  return store_write (s, store_finish_work, &w, error);
}

struct store_requeue_work {
  guint64 id;
  gint64 now;
  guint count;
  gboolean drop;
};

/* store_requeue_one - requeue or drop the entry ID (E, read from it). */
static int
store_requeue_one (struct store *s, MDB_txn *txn, struct store_requeue_work *w, guint64 id,
                   struct outbox_entry *e)
{
  int rc;

  if (w->drop) {
    guint8 key[8];
    MDB_val k = { 8, key };

    store_be64 (id, key);
    rc = mdb_del (txn, s->outbox, &k, NULL);
  } else {
    if (!e->parked)
      return 0;
    e->parked = FALSE;
    e->attempts = 0;
    e->next_try = w->now;
    rc = store_outbox_put (s, txn, id, e);
  }
  if (rc == 0)
    w->count++;
  return rc;
}

static int
store_requeue_work (struct store *s, MDB_txn *txn, gpointer data, GError **error)
{
  struct store_requeue_work *w = data;
  g_autoptr (GArray) ids = g_array_new (FALSE, FALSE, sizeof (guint64));
  MDB_cursor *c;
  MDB_val k, v;
  int rc;

  (void) error;
  w->count = 0;
  if (w->id != 0) {
    g_array_append_val (ids, w->id);
  } else {
    if ((rc = mdb_cursor_open (txn, s->outbox, &c)) != 0)
      return rc;
    for (rc = mdb_cursor_get (c, &k, &v, MDB_FIRST); rc == 0; rc = mdb_cursor_get (c, &k, &v, MDB_NEXT))
      if (k.mv_size == 8 && v.mv_size > 2 && ((const guint8 *) v.mv_data)[2] != 0) {
        guint64 id = store_from_be64 (k.mv_data);

        g_array_append_val (ids, id);
      }
    mdb_cursor_close (c);
  }
  for (guint i = 0; i < ids->len; i++) {
    struct outbox_entry e;
    guint64 id = g_array_index (ids, guint64, i);

    rc = store_outbox_get (s, txn, id, &e);
    if (rc == MDB_NOTFOUND)
      continue;
    if (rc == MDB_CORRUPTED && w->drop) {
      /* an unreadable entry can still be dropped */
      memset (&e, 0, sizeof e);
      rc = 0;
    }
    if (rc != 0)
      return rc;
    rc = store_requeue_one (s, txn, w, id, &e);
    outbox_entry_clear (&e);
    if (rc != 0)
      return rc;
  }
  return 0;
}

gboolean
store_outbox_requeue (struct store *s, guint64 id, gint64 now, guint *count, GError **error)
{
  struct store_requeue_work w = { id, now, 0, FALSE };
  gboolean ok = store_write (s, store_requeue_work, &w, error);

  *count = w.count;
  return ok;
}

gboolean
store_outbox_drop (struct store *s, guint64 id, gboolean *existed, GError **error)
{
  struct store_requeue_work w = { id, 0, 0, TRUE };
  gboolean ok;

  if (id == 0) {
    *existed = FALSE;
    return TRUE;
  }
  ok = store_write (s, store_requeue_work, &w, error);
  *existed = w.count > 0;
  return ok;
}
