/* SPDX-License-Identifier: MIT */
/* spool - accounting records kept on this host until the shared store
 * takes them (see spool.h).
 *
 * An LMDB environment of its own, without a writable memory map: a full
 * disk is then a failed commit (the caller waits and tries again), never
 * a SIGBUS.  Keys are 8-byte big-endian sequence numbers, so the head is
 * the first key and appends go at the end.  A record is a version byte,
 * the kind, class, reply code and time, the fingerprint, and the event's
 * strings, each a 32-bit length (all ones for none) and its bytes.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <lmdb.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "spool.h"

#define SPOOL_VERSION 1
#define SPOOL_NONE 0xffffffffu
/* address space reserved for the file, not disk: an hour of a busy
 * PowerMTA's bounces is a few hundred megabytes */
#define SPOOL_MAP_SIZE ((size_t) 16 << 30)

struct spool {
  MDB_env *env;
  MDB_dbi dbi;
  char *dir;
  int lock_fd;
};

static GQuark
spool_quark (void)
{
  return g_quark_from_static_string ("recoil-spool");
}

static gboolean
spool_fail (GError **error, const struct spool *s, const char *what, int rc)
{
  g_set_error (error, spool_quark (), rc, "the accounting spool %s: %s: %s", s->dir, what, mdb_strerror (rc));
  return FALSE;
}

const char *
spool_path (const struct spool *s)
{
  return s->dir;
}

gboolean
spool_open (const char *state_dir, gboolean create, struct spool **out, GError **error)
{
  struct spool *s = g_new0 (struct spool, 1);
  MDB_txn *txn = NULL;
  int rc;

  *out = NULL;
  s->lock_fd = -1;
  s->dir = g_build_filename (state_dir, "acct-spool", NULL);
  if (!create && !g_file_test (s->dir, G_FILE_TEST_IS_DIR)) {
    spool_close (s);
    return FALSE;
  }
  if (g_mkdir_with_parents (s->dir, 0700) != 0) {
    g_set_error (error, spool_quark (), errno, "cannot make the accounting spool %s: %s", s->dir,
                 g_strerror (errno));
    spool_close (s);
    return FALSE;
  }
  if ((rc = mdb_env_create (&s->env)) != 0 || (rc = mdb_env_set_mapsize (s->env, SPOOL_MAP_SIZE)) != 0
      || (rc = mdb_env_set_maxreaders (s->env, 16)) != 0
      || (rc = mdb_env_open (s->env, s->dir, MDB_NOTLS, 0600)) != 0
      || (rc = mdb_txn_begin (s->env, NULL, 0, &txn)) != 0 || (rc = mdb_dbi_open (txn, NULL, 0, &s->dbi)) != 0
      || (rc = mdb_txn_commit (txn)) != 0) {
    if (txn != NULL && rc != 0)
      mdb_txn_abort (txn);
    spool_fail (error, s, "cannot open", rc);
    spool_close (s);
    return FALSE;
  }
  *out = s;
  return TRUE;
}

void
spool_close (struct spool *s)
{
  if (s == NULL)
    return;
  if (s->env != NULL)
    mdb_env_close (s->env);
  if (s->lock_fd >= 0)
    close (s->lock_fd);
  g_free (s->dir);
  g_free (s);
}

gboolean
spool_forward_lock (struct spool *s)
{
  g_autofree char *path = NULL;

  if (s->lock_fd >= 0)
    return TRUE;
  path = g_build_filename (s->dir, "forward.lock", NULL);
  s->lock_fd = open (path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (s->lock_fd < 0)
    return FALSE;
  if (flock (s->lock_fd, LOCK_EX | LOCK_NB) != 0) {
    close (s->lock_fd);
    s->lock_fd = -1;
    return FALSE;
  }
  return TRUE;
}

static void
spool_put_string (GByteArray *out, const char *v)
{
  guint32 len = v != NULL ? (guint32) strlen (v) : SPOOL_NONE;

  g_byte_array_append (out, (const guint8 *) &len, 4);
  if (v != NULL)
    g_byte_array_append (out, (const guint8 *) v, len);
}

/* the event's strings, in the order they are written */
#define SPOOL_STRINGS(e)                                                                                     \
  {                                                                                                          \
    &(e)->address, &(e)->original_recipient, &(e)->status, &(e)->diagnostic, &(e)->remote_mta, &(e)->reason, \
        &(e)->category, &(e)->feedback_type, &(e)->source, &(e)->hints.list_id, &(e)->hints.campaign_id,     \
        &(e)->hints.subscriber_id, &(e)->hints.provider, &(e)->hints.job_id, &(e)->hints.message_id          \
  }

GBytes *
spool_encode (const struct event *e, const char *sender, const char *origin, const guint8 fp[32])
{
  GByteArray *out = g_byte_array_sized_new (256);
  guint8 head[2] = { SPOOL_VERSION, (guint8) e->kind };
  guint8 klass = (guint8) e->klass;
  gint32 reply = e->reply_code;
  gint64 time = e->time;
  char *const *strings[] = SPOOL_STRINGS (e);

  g_byte_array_append (out, head, 2);
  g_byte_array_append (out, &klass, 1);
  g_byte_array_append (out, (const guint8 *) &reply, 4);
  g_byte_array_append (out, (const guint8 *) &time, 8);
  g_byte_array_append (out, fp, 32);
  for (gsize i = 0; i < G_N_ELEMENTS (strings); i++)
    spool_put_string (out, *strings[i]);
  spool_put_string (out, sender);
  spool_put_string (out, origin);
  return g_byte_array_free_to_bytes (out);
}

/* spool_get_string - a string at *P (advanced), within END; FALSE when the
 * bytes run out. */
static gboolean
spool_get_string (const guint8 **p, const guint8 *end, char **out)
{
  guint32 len;

  *out = NULL;
  if (end - *p < 4)
    return FALSE;
  memcpy (&len, *p, 4);
  *p += 4;
  if (len == SPOOL_NONE)
    return TRUE;
  if ((gsize) (end - *p) < len)
    return FALSE;
  *out = g_strndup ((const char *) *p, len);
  *p += len;
  return TRUE;
}

gboolean
spool_decode (const guint8 *data, gsize len, struct event **out, char **sender, char **origin, guint8 fp[32])
{
  const guint8 *p = data, *end = data + len;
  struct event *e;
  gint32 reply;
  gint64 time;

  *out = NULL;
  *sender = *origin = NULL;
  if (len < 3 + 4 + 8 + 32 || data[0] != SPOOL_VERSION || data[1] >= EVENT_KIND_COUNT
      || data[2] >= EVENT_CLASS_COUNT)
    return FALSE;
  e = event_new ();
  e->kind = (event_kind) data[1];
  e->klass = (event_class) data[2];
  p += 3;
  memcpy (&reply, p, 4);
  p += 4;
  memcpy (&time, p, 8);
  p += 8;
  memcpy (fp, p, 32);
  p += 32;
  e->reply_code = reply;
  e->time = time;
  {
    char **strings[] = SPOOL_STRINGS (e);

    for (gsize i = 0; i < G_N_ELEMENTS (strings); i++)
      if (!spool_get_string (&p, end, strings[i]))
        goto bad;
  }
  if (!spool_get_string (&p, end, sender) || !spool_get_string (&p, end, origin) || p != end)
    goto bad;
  *out = e;
  return TRUE;
bad:
  event_free (e);
  g_clear_pointer (sender, g_free);
  g_clear_pointer (origin, g_free);
  return FALSE;
}

gboolean
spool_append (struct spool *s, guint n, struct event *const *events, char *const *senders,
              char *const *origins, const guint8 *fps, GError **error)
{
  MDB_txn *txn;
  MDB_cursor *cur;
  MDB_val k, v;
  guint64 next = 1;
  int rc;

  if ((rc = mdb_txn_begin (s->env, NULL, 0, &txn)) != 0)
    return spool_fail (error, s, "cannot begin", rc);
  if ((rc = mdb_cursor_open (txn, s->dbi, &cur)) != 0) {
    mdb_txn_abort (txn);
    return spool_fail (error, s, "cannot open a cursor", rc);
  }
  if (mdb_cursor_get (cur, &k, &v, MDB_LAST) == 0 && k.mv_size == 8) {
    guint64 be;

    memcpy (&be, k.mv_data, 8);
    next = GUINT64_FROM_BE (be) + 1;
  }
  for (guint i = 0; i < n; i++, next++) {
    g_autoptr (GBytes) rec = spool_encode (events[i], senders[i], origins[i], fps + 32 * i);
    guint64 be = GUINT64_TO_BE (next);
    gsize len;

    k.mv_size = 8;
    k.mv_data = &be;
    v.mv_data = (void *) g_bytes_get_data (rec, &len);
    v.mv_size = len;
    if ((rc = mdb_cursor_put (cur, &k, &v, MDB_APPEND)) != 0) {
      mdb_cursor_close (cur);
      mdb_txn_abort (txn);
      return spool_fail (error, s, "cannot append", rc);
    }
  }
  mdb_cursor_close (cur);
  if ((rc = mdb_txn_commit (txn)) != 0)
    return spool_fail (error, s, "cannot commit", rc);
  return TRUE;
}

void
spool_batch_init (struct spool_batch *b)
{
  b->events = g_ptr_array_new_with_free_func ((GDestroyNotify) event_free);
  b->senders = g_ptr_array_new_with_free_func (g_free);
  b->origins = g_ptr_array_new_with_free_func (g_free);
  b->fps = g_byte_array_new ();
  b->last = 0;
}

void
spool_batch_clear (struct spool_batch *b)
{
  g_clear_pointer (&b->events, g_ptr_array_unref);
  g_clear_pointer (&b->senders, g_ptr_array_unref);
  g_clear_pointer (&b->origins, g_ptr_array_unref);
  g_clear_pointer (&b->fps, g_byte_array_unref);
}

gboolean
spool_head (struct spool *s, guint max, struct spool_batch *b, GError **error)
{
  MDB_txn *txn;
  MDB_cursor *cur;
  MDB_val k, v;
  int rc;
  MDB_cursor_op op = MDB_FIRST;

  g_ptr_array_set_size (b->events, 0);
  g_ptr_array_set_size (b->senders, 0);
  g_ptr_array_set_size (b->origins, 0);
  g_byte_array_set_size (b->fps, 0);
  b->last = 0;
  if ((rc = mdb_txn_begin (s->env, NULL, MDB_RDONLY, &txn)) != 0)
    return spool_fail (error, s, "cannot begin", rc);
  if ((rc = mdb_cursor_open (txn, s->dbi, &cur)) != 0) {
    mdb_txn_abort (txn);
    return spool_fail (error, s, "cannot open a cursor", rc);
  }
  while (b->events->len < max && (rc = mdb_cursor_get (cur, &k, &v, op)) == 0) {
    struct event *e;
    char *sender, *origin;
    guint8 fp[32];
    guint64 be;

    op = MDB_NEXT;
    if (k.mv_size != 8)
      continue;
    memcpy (&be, k.mv_data, 8);
    b->last = GUINT64_FROM_BE (be);
    if (!spool_decode (v.mv_data, v.mv_size, &e, &sender, &origin, fp)) {
      /* not a record of this version: kept out of the store, said once */
      g_warning ("the accounting spool %s: record %" G_GUINT64_FORMAT " cannot be read; dropped", s->dir,
                 b->last);
      continue;
    }
    g_ptr_array_add (b->events, e);
    g_ptr_array_add (b->senders, sender);
    g_ptr_array_add (b->origins, origin);
    g_byte_array_append (b->fps, fp, 32);
  }
  mdb_cursor_close (cur);
  mdb_txn_abort (txn);
  if (rc != 0 && rc != MDB_NOTFOUND)
    return spool_fail (error, s, "cannot read", rc);
  return TRUE;
}

gboolean
spool_drop (struct spool *s, guint64 through, GError **error)
{
  MDB_txn *txn;
  MDB_cursor *cur;
  MDB_val k, v;
  int rc;

  if ((rc = mdb_txn_begin (s->env, NULL, 0, &txn)) != 0)
    return spool_fail (error, s, "cannot begin", rc);
  if ((rc = mdb_cursor_open (txn, s->dbi, &cur)) != 0) {
    mdb_txn_abort (txn);
    return spool_fail (error, s, "cannot open a cursor", rc);
  }
  while ((rc = mdb_cursor_get (cur, &k, &v, MDB_FIRST)) == 0) {
    guint64 be;

    if (k.mv_size == 8) {
      memcpy (&be, k.mv_data, 8);
      if (GUINT64_FROM_BE (be) > through)
        break;
    }
    if ((rc = mdb_cursor_del (cur, 0)) != 0)
      break;
  }
  mdb_cursor_close (cur);
  if (rc != 0 && rc != MDB_NOTFOUND) {
    mdb_txn_abort (txn);
    return spool_fail (error, s, "cannot drop", rc);
  }
  if ((rc = mdb_txn_commit (txn)) != 0)
    return spool_fail (error, s, "cannot commit", rc);
  return TRUE;
}

guint64
spool_count (struct spool *s)
{
  MDB_txn *txn;
  MDB_stat st;
  guint64 n = 0;

  if (mdb_txn_begin (s->env, NULL, MDB_RDONLY, &txn) != 0)
    return 0;
  if (mdb_stat (txn, s->dbi, &st) == 0)
    n = st.ms_entries;
  mdb_txn_abort (txn);
  return n;
}
