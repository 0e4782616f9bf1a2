/* SPDX-License-Identifier: MIT */
/* cmd-acct - `recoil acct [FILE...]` and `recoil acct --dir DIR`: PowerMTA
 * accounting records from the <acct-file |...> pipe (one long-lived
 * process on stdin), from files, or from the directory PowerMTA's
 * `move-to` fills with closed files, into the store.
 *
 * Two threads.  The reader (the main thread) turns records into events
 * and cuts them into batches of [recoil] acct_batch, or whatever arrived
 * within acct_flush_ms; the applier applies each batch in one store
 * transaction.  So the pipe is read on while a batch waits for the store
 * (another process's writer lock, a full disk): the batches wait in
 * memory, up to a bound past which the reader waits too, and the applier
 * tries again until the store takes them.  On SIGTERM and SIGINT what was
 * read is applied and the process exits 0; SIGHUP reopens the log file.
 *
 * Every record is fingerprinted by what it says (its event, not its
 * column layout), whichever way it came: feeding the same records again
 * -- a restarted pipe, or the move-to files swept after the pipe -- counts
 * nothing twice.  So the pipe is the fast way in and the files are the
 * durable catch-up, exactly once together.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "acct.h"
#include "audit.h"
#include "clock.h"
#include "cmd-acct.h"
#include "csv.h"
#include "dispatch-spawn.h"
#include "log.h"
#include "progress.h"
#include "spool.h"
#include "store.h"

static volatile sig_atomic_t cmd_acct_stop;
static volatile sig_atomic_t cmd_acct_hup;

static void
cmd_acct_on_signal (int sig)
{
  if (sig == SIGHUP)
    cmd_acct_hup = 1;
  else
    cmd_acct_stop = sig;
}

/* One batch: events with their senders, fingerprints and where each came
 * from ("FILE:LINE"). */
struct cmd_acct_batch {
  GPtrArray *events;  /* of struct event *, owned */
  GPtrArray *senders; /* of char *, owned, parallel to events */
  GPtrArray *origins; /* of char *, owned, parallel */
  GByteArray *fps;    /* 32 bytes per event */
};

static struct cmd_acct_batch *
cmd_acct_batch_new (void)
{
  struct cmd_acct_batch *b = g_new0 (struct cmd_acct_batch, 1);

  b->events = g_ptr_array_new_with_free_func ((GDestroyNotify) event_free);
  b->senders = g_ptr_array_new_with_free_func (g_free);
  b->origins = g_ptr_array_new_with_free_func (g_free);
  b->fps = g_byte_array_new ();
  return b;
}

static void
cmd_acct_batch_free (struct cmd_acct_batch *b)
{
  if (b == NULL)
    return;
  g_ptr_array_unref (b->events);
  g_ptr_array_unref (b->senders);
  g_ptr_array_unref (b->origins);
  g_byte_array_unref (b->fps);
  g_free (b);
}

/* What one run reads, applies and counts. */
struct cmd_acct {
  const struct cli *cli;
  const struct conf *conf;
  struct store *store;
  gboolean standalone;
  gboolean patient; /* the pipe: retry the store as long as it takes */
  struct cmd_acct_batch *pending;
  struct acct_columns *columns;
  struct progress *progress;
  /* the reader's counts */
  guint64 records, skipped, bad;
  /* between the threads, under LOCK */
  GMutex lock;
  GCond cond;
  GQueue queue;       /* of struct cmd_acct_batch *, for the applier */
  guint64 queued;     /* records in QUEUE and being applied */
  guint64 limit;      /* the reader waits while QUEUED is above it */
  gboolean closing;   /* no more batches will come */
  gboolean failed;    /* the applier gave up: the store refused a batch for good */
  gint64 stuck_since; /* monotonic microseconds the applier's store trouble began, 0 = none */
  guint64 applied, duplicates, decisions, lost;
  GThread *applier;
  gboolean applier_done; /* under LOCK */
  /* the shared store (PostgreSQL): the pipe commits each batch to the
   * host's spool and the applier forwards the spool in order */
  struct spool *spool;
  gboolean spooling;    /* the reader writes to the spool, not to QUEUE */
  gboolean spool_new;   /* under LOCK: something was spooled since the applier looked */
  gboolean spool_stuck; /* under LOCK: the forwarder stopped on an error that is not temporary */
  gint leaving;         /* atomic: input ended; forward what the store takes soon, leave the rest */
  guint64 spooled;      /* under LOCK: records this process put in the spool */
};

/* cmd_acct_apply_one - BATCH into the store, trying again while the
 * trouble is temporary: forever for the pipe (which must not drop what
 * it read), a minute for files (which can be read again later), a few
 * seconds once a stop was asked for.  FALSE when it gave up. */
static gboolean
cmd_acct_apply_one (struct cmd_acct *a, GPtrArray *events, GPtrArray *senders, GPtrArray *origins,
                    GByteArray *fps, gboolean from_spool)
{
  guint n = events->len;
  g_autofree struct store_item *items = g_new0 (struct store_item, MAX (n, 1));
  g_autofree struct store_result *results = g_new0 (struct store_result, MAX (n, 1));
  gint64 first_failure = 0, last_warning = 0;
  guint64 dup = 0, dec = 0;
  gulong wait_ms = 100;

  for (guint i = 0; i < n; i++) {
    items[i].event = g_ptr_array_index (events, i);
    items[i].fingerprint = fps->data + 32 * i;
    items[i].fact_time = items[i].event->time;
    items[i].sender = g_ptr_array_index (senders, i);
    items[i].origin = g_ptr_array_index (origins, i);
  }
  for (;;) {
    g_autoptr (GError) error = NULL;
    gint64 now = g_get_monotonic_time ();

    if (store_apply (a->store, a->conf, items, n, clock_now (), results, &error))
      break;
    if (error->code != STORE_ERROR_TEMPORARY) {
      if (from_spool)
        g_critical ("acct: %u records of the spool %s not applied, and kept there: %s", n,
                    spool_path (a->spool), error->message);
      else
        g_critical ("acct: %u records not applied: %s", n, error->message);
      return FALSE;
    }
    if (first_failure == 0) {
      first_failure = now;
      g_mutex_lock (&a->lock);
      a->stuck_since = now;
      g_mutex_unlock (&a->lock);
    }
    if (last_warning == 0 || now - last_warning >= 60 * G_USEC_PER_SEC) {
      g_warning ("acct: %s; %u records wait, trying again", error->message, n);
      last_warning = now;
    }
    if ((!a->patient && now - first_failure >= 60 * G_USEC_PER_SEC)
        || (cmd_acct_stop && now - first_failure >= 5 * G_USEC_PER_SEC)
        || (from_spool && g_atomic_int_get (&a->leaving) && now - first_failure >= 10 * G_USEC_PER_SEC)) {
      if (from_spool)
        g_message ("acct: %s; the records stay in the spool %s for the next recoil acct", error->message,
                   spool_path (a->spool));
      else
        g_critical ("acct: %u records not applied: %s", n, error->message);
      return FALSE;
    }
    g_usleep (wait_ms * 1000);
    wait_ms = MIN (wait_ms * 2, 5000);
  }
  if (first_failure != 0)
    g_message ("acct: the state store takes records again");
  if (dispatch_inline_wanted (a->conf))
    dispatch_inline (a->cli, a->conf, results, n);
  for (guint i = 0; i < n; i++) {
    dup += results[i].duplicate;
    dec += results[i].decision.outcome != POLICY_NONE && !results[i].decision.repeat;
    audit_log (&items[i], &results[i]);
  }
  g_mutex_lock (&a->lock);
  a->stuck_since = 0;
  a->applied += n;
  a->duplicates += dup;
  a->decisions += dec;
  g_mutex_unlock (&a->lock);
  return TRUE;
}

/* cmd_acct_open - open the store, in the applier: while another process
 * holds the writer lock (opening takes it for a moment) the reader goes
 * on.  The pipe tries again as long as it takes; files give up after a
 * minute.  FALSE when it gave up. */
static gboolean
cmd_acct_open (struct cmd_acct *a)
{
  struct store_options o;
  gint64 first_failure = 0;

  store_options_from_conf (a->conf, &o);
  /* the applier waits for the writer lock as long as it takes */
  o.lock_timeout_ms = 0;
  o.refuse_root_create = TRUE;
  for (;;) {
    g_autoptr (GError) error = NULL;
    gint64 now = g_get_monotonic_time ();

    if (store_open (&o, &a->store, &error))
      break;
    if (first_failure == 0) {
      first_failure = now;
      g_warning ("acct: %s; trying again", error->message);
    }
    if (error->code != STORE_ERROR_TEMPORARY || cmd_acct_stop
        || (!a->patient && now - first_failure >= 60 * G_USEC_PER_SEC)
        || (g_atomic_int_get (&a->leaving) && now - first_failure >= 10 * G_USEC_PER_SEC)) {
      if (a->spooling && error->code == STORE_ERROR_TEMPORARY)
        g_message ("acct: %s; what was read stays in the spool", error->message);
      else
        g_critical ("acct: %s", error->message);
      return FALSE;
    }
    g_usleep (G_USEC_PER_SEC);
  }
  if (dispatch_inline_wanted (a->conf))
    store_set_claim (a->store, dispatch_lease (a->conf));
  return TRUE;
}

/* cmd_acct_forward - apply the spool to the store from its head, each
 * batch dropped once the store committed it.  FOLLOW (the pipe): go on as
 * records are spooled, until the input ends and the spool is empty, or
 * the store stays away after the input ended; otherwise forward what is
 * there, if no other process is forwarding. */
static void
cmd_acct_forward (struct cmd_acct *a, gboolean follow)
{
  struct spool_batch b;
  gint64 warned = 0;

  spool_batch_init (&b);
  while (!spool_forward_lock (a->spool)) {
    gint64 now = g_get_monotonic_time ();

    if (!follow || cmd_acct_stop || g_atomic_int_get (&a->leaving))
      goto out;
    if (now - warned >= 60 * G_USEC_PER_SEC) {
      g_message ("acct: another recoil acct forwards the spool %s; waiting for it", spool_path (a->spool));
      warned = now;
    }
    g_usleep (G_USEC_PER_SEC / 2);
  }
  for (;;) {
    g_autoptr (GError) error = NULL;

    if (cmd_acct_stop && !follow)
      break;
    if (!spool_head (a->spool, (guint) a->conf->acct_batch, &b, &error)) {
      g_critical ("acct: %s", error->message);
      break;
    }
    if (b.events->len == 0) {
      gboolean done;

      if (b.last != 0 && !spool_drop (a->spool, b.last, &error)) {
        g_critical ("acct: %s", error->message);
        break;
      }
      if (!follow)
        break;
      g_mutex_lock (&a->lock);
      if (!a->spool_new && !a->closing)
        g_cond_wait_until (&a->cond, &a->lock, g_get_monotonic_time () + G_USEC_PER_SEC);
      done = a->closing && !a->spool_new;
      a->spool_new = FALSE;
      g_mutex_unlock (&a->lock);
      if (done)
        break;
      continue;
    }
    if (!cmd_acct_apply_one (a, b.events, b.senders, b.origins, b.fps, TRUE)) {
      if (!cmd_acct_stop && !g_atomic_int_get (&a->leaving)) {
        g_mutex_lock (&a->lock);
        a->spool_stuck = TRUE;
        g_mutex_unlock (&a->lock);
      }
      break;
    }
    /* a crash before the drop applies the batch again: its fingerprints
     * make that count nothing */
    if (!spool_drop (a->spool, b.last, &error)) {
      g_critical ("acct: %s", error->message);
      g_mutex_lock (&a->lock);
      a->spool_stuck = TRUE;
      g_mutex_unlock (&a->lock);
      break;
    }
  }
out:
  spool_batch_clear (&b);
}

/* cmd_acct_applier - the applier thread: the store opened, what the spool
 * holds, then batches from the queue, in order. */
static gpointer
cmd_acct_applier (gpointer data)
{
  struct cmd_acct *a = data;
  gboolean opened = cmd_acct_open (a);

  if (opened && a->spool != NULL)
    cmd_acct_forward (a, a->spooling);
  if (!opened) {
    g_mutex_lock (&a->lock);
    /* the pipe keeps spooling; its records wait for the next recoil acct */
    a->spool_stuck = a->spooling && !cmd_acct_stop && !g_atomic_int_get (&a->leaving);
    a->failed = !a->spooling;
    g_cond_broadcast (&a->cond);
    g_mutex_unlock (&a->lock);
  }
  for (;;) {
    struct cmd_acct_batch *b;
    guint n;
    gboolean ok;

    g_mutex_lock (&a->lock);
    while (g_queue_is_empty (&a->queue) && !a->closing)
      g_cond_wait (&a->cond, &a->lock);
    b = g_queue_pop_head (&a->queue);
    g_mutex_unlock (&a->lock);
    if (b == NULL)
      break;
    n = b->events->len;
    ok = a->failed ? FALSE : cmd_acct_apply_one (a, b->events, b->senders, b->origins, b->fps, FALSE);
    cmd_acct_batch_free (b);
    g_mutex_lock (&a->lock);
    a->queued -= n;
    if (!ok) {
      a->failed = TRUE;
      a->lost += n;
    }
    g_cond_broadcast (&a->cond);
    g_mutex_unlock (&a->lock);
  }
  g_mutex_lock (&a->lock);
  a->applier_done = TRUE;
  g_cond_broadcast (&a->cond);
  g_mutex_unlock (&a->lock);
  return NULL;
}

/* cmd_acct_finish - wait for the applier to apply what is queued: as long
 * as it takes at the end of input, at most a few seconds after SIGTERM
 * (the service manager wants the process gone; what is left is in the
 * files PowerMTA keeps).  FALSE when it was left behind. */
static gboolean
cmd_acct_finish (struct cmd_acct *a)
{
  gint64 until = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
  gboolean done;

  g_atomic_int_set (&a->leaving, 1);
  g_mutex_lock (&a->lock);
  a->closing = TRUE;
  g_cond_broadcast (&a->cond);
  while (!a->applier_done)
    if (cmd_acct_stop && !g_cond_wait_until (&a->cond, &a->lock, until))
      break;
    else if (!cmd_acct_stop)
      g_cond_wait_until (&a->cond, &a->lock, g_get_monotonic_time () + G_USEC_PER_SEC);
  done = a->applier_done;
  if (!done && !a->spooling)
    a->lost += a->queued;
  g_mutex_unlock (&a->lock);
  if (done)
    g_thread_join (a->applier);
  return done;
}

/* cmd_acct_spool_push - commit batch B to the spool and wake the
 * applier; while the spool cannot take it (a full disk) reading pauses.
 * FALSE when a stop was asked for and the spool still refused. */
static gboolean
cmd_acct_spool_push (struct cmd_acct *a, struct cmd_acct_batch *b)
{
  guint n = b->events->len;
  gint64 first = 0, warned = 0;

  for (;;) {
    g_autoptr (GError) error = NULL;
    gint64 now;

    if (spool_append (a->spool, n, (struct event *const *) b->events->pdata,
                      (char *const *) b->senders->pdata, (char *const *) b->origins->pdata, b->fps->data,
                      &error))
      break;
    now = g_get_monotonic_time ();
    if (first == 0)
      first = now;
    if (now - warned >= 60 * G_USEC_PER_SEC) {
      g_warning ("acct: %s; %u records wait, reading pauses", error->message, n);
      warned = now;
    }
    if (cmd_acct_stop && now - first >= 5 * G_USEC_PER_SEC) {
      g_critical ("acct: %u records not spooled: %s", n, error->message);
      g_mutex_lock (&a->lock);
      a->lost += n;
      g_mutex_unlock (&a->lock);
      cmd_acct_batch_free (b);
      return FALSE;
    }
    g_usleep (G_USEC_PER_SEC / 2);
  }
  g_mutex_lock (&a->lock);
  a->spooled += n;
  a->spool_new = TRUE;
  g_cond_broadcast (&a->cond);
  g_mutex_unlock (&a->lock);
  cmd_acct_batch_free (b);
  return TRUE;
}

/* cmd_acct_push - hand the pending batch to the applier, waiting while
 * too much is queued.  FALSE once the applier has given up. */
static gboolean
cmd_acct_push (struct cmd_acct *a)
{
  struct cmd_acct_batch *b = a->pending;
  gboolean ok;
  gint64 warned = 0;

  if (b == NULL || b->events->len == 0)
    return !a->failed;
  a->pending = NULL;
  if (a->spooling)
    return cmd_acct_spool_push (a, b);
  g_mutex_lock (&a->lock);
  while (a->queued > 0 && a->queued + b->events->len > a->limit && !a->failed) {
    gint64 now = g_get_monotonic_time ();

    if (a->stuck_since != 0 && now - warned >= 60 * G_USEC_PER_SEC) {
      g_warning ("acct: %" G_GUINT64_FORMAT " records wait for the state store; reading pauses", a->queued);
      warned = now;
    }
    g_cond_wait_until (&a->cond, &a->lock, now + G_USEC_PER_SEC);
  }
  ok = !a->failed;
  if (ok) {
    a->queued += b->events->len;
    g_queue_push_tail (&a->queue, b);
    b = NULL;
    g_cond_broadcast (&a->cond);
  } else {
    a->lost += b->events->len;
  }
  g_mutex_unlock (&a->lock);
  cmd_acct_batch_free (b);
  return ok;
}

/* cmd_acct_drain - wait until the applier has applied everything handed
 * over so far; FALSE when it gave up on some of it. */
static gboolean
cmd_acct_drain (struct cmd_acct *a)
{
  gboolean ok;

  g_mutex_lock (&a->lock);
  while (a->queued > 0 && !a->failed)
    g_cond_wait (&a->cond, &a->lock);
  ok = !a->failed;
  g_mutex_unlock (&a->lock);
  return ok;
}

/* cmd_acct_fingerprint - a record by what it says: the event's fields and
 * the sender, so the same record read from the pipe and from a file (whose
 * columns may be ordered differently) is one fact. */
static void
cmd_acct_fingerprint (const struct event *e, const char *sender, GByteArray *fps)
{
  g_autoptr (GString) s = g_string_sized_new (256);
  const char *parts[] = { event_kind_name (e->kind),
                          e->source,
                          e->address,
                          e->status,
                          e->diagnostic,
                          e->remote_mta,
                          e->category,
                          e->feedback_type,
                          e->hints.list_id,
                          e->hints.campaign_id,
                          e->hints.subscriber_id,
                          e->hints.job_id,
                          e->hints.message_id,
                          sender };
  guint8 fp[32];

  g_string_append_printf (s, "%" G_GINT64_FORMAT, e->time);
  for (gsize i = 0; i < G_N_ELEMENTS (parts); i++) {
    g_string_append_c (s, '\x1f');
    if (parts[i] != NULL)
      g_string_append (s, parts[i]);
  }
  store_fingerprint (NULL, "acct", s->str, s->len, fp);
  g_byte_array_append (fps, fp, 32);
}

/* cmd_acct_record - one CSV record. */
static void
cmd_acct_record (struct cmd_acct *a, GPtrArray *record, const char *name, guint64 line)
{
  struct event *e = NULL;
  const char *sender = NULL, *why = NULL;

  if (acct_is_header (record)) {
    acct_columns_free (a->columns);
    a->columns = acct_columns_new (record);
    g_debug ("%s:%" G_GUINT64_FORMAT ": header with %u columns", name, line, record->len);
    return;
  }
  a->records++;
  if (a->standalone) {
    const char *first = record->len > 0 ? g_ptr_array_index (record, 0) : NULL;

    e = event_new ();
    e->kind = EVENT_KIND_UNSUBSCRIBE;
    e->source = g_strdup ("standalone");
    e->reason = g_strdup ("unsubscribe");
    e->category = g_strdup ("other");
    e->address = event_field_address (first);
    if (e->address == NULL) {
      g_warning ("%s:%" G_GUINT64_FORMAT ": \"%s\" is not an address; skipped", name, line,
                 first ? first : "");
      event_free (e);
      a->bad++;
      return;
    }
  } else {
    if (a->columns == NULL) {
      g_warning ("%s:%" G_GUINT64_FORMAT ": a record before any header line (type,...); skipped", name, line);
      a->bad++;
      return;
    }
    switch (acct_record (a->columns, record, a->conf, &e, &sender, &why)) {
    case ACCT_SKIPPED: a->skipped++; return;
    case ACCT_BAD:
      g_warning ("%s:%" G_GUINT64_FORMAT ": %s; skipped", name, line, why);
      a->bad++;
      return;
    case ACCT_EVENT: break;
    }
  }
  if (a->pending == NULL)
    a->pending = cmd_acct_batch_new ();
  cmd_acct_fingerprint (e, sender, a->pending->fps);
  g_ptr_array_add (a->pending->events, e);
  g_ptr_array_add (a->pending->senders, g_strdup (sender));
  g_ptr_array_add (a->pending->origins, g_strdup_printf ("%s:%" G_GUINT64_FORMAT, name, line));
}

/* cmd_acct_pending - records waiting in the batch being cut. */
static guint
cmd_acct_pending (const struct cmd_acct *a)
{
  return a->pending != NULL ? a->pending->events->len : 0;
}

/* cmd_acct_stream - every record of FD (named NAME in messages). */
static recoil_outcome
cmd_acct_stream (struct cmd_acct *a, int fd, const char *name)
{
  struct csv_reader *r = csv_reader_new (fd, 1 << 20);
  g_autoptr (GPtrArray) record = g_ptr_array_new_with_free_func (g_free);
  gint64 deadline = 0; /* monotonic microseconds: hand the batch over by then */
  recoil_outcome outcome = RECOIL_DONE;

  for (;;) {
    int timeout = a->progress != NULL ? 1000 : -1;
    guint64 line = 0;
    csv_status st;

    if (cmd_acct_pending (a) > 0) {
      gint64 left = deadline - g_get_monotonic_time ();

      timeout = left > 0 ? (int) (left / 1000) + 1 : 0;
    }
    if (cmd_acct_hup) {
      cmd_acct_hup = 0;
      log_reopen ();
      g_message ("acct: SIGHUP: log reopened");
    }
    if (cmd_acct_stop)
      break;
    st = csv_next (r, record, timeout, &line);
    if (st == CSV_RECORD) {
      gboolean was_empty = cmd_acct_pending (a) == 0;

      cmd_acct_record (a, record, name, line);
      if (was_empty && cmd_acct_pending (a) > 0)
        deadline = g_get_monotonic_time () + a->conf->acct_flush_ms * 1000;
      if (cmd_acct_pending (a) >= (guint) a->conf->acct_batch && !cmd_acct_push (a)) {
        outcome = RECOIL_TEMPORARY;
        break;
      }
    } else if (st == CSV_MALFORMED) {
      g_warning ("%s:%" G_GUINT64_FORMAT ": malformed record (a quote never closed, or over 1 MB); skipped",
                 name, line);
      a->bad++;
    } else if (st == CSV_TIMEOUT) {
      if (cmd_acct_pending (a) > 0 && g_get_monotonic_time () >= deadline && !cmd_acct_push (a)) {
        outcome = RECOIL_TEMPORARY;
        break;
      }
    } else if (st == CSV_EOF) {
      break;
    } else {
      g_critical ("%s: read error: %s", name, g_strerror (errno));
      outcome = RECOIL_TEMPORARY;
      break;
    }
    if (a->progress != NULL)
      progress_update (a->progress, a->records, (guint64) csv_reader_offset (r));
  }
  if (!cmd_acct_push (a))
    outcome = RECOIL_TEMPORARY;
  csv_reader_free (r);
  return outcome;
}

/* cmd_acct_file - the records of PATH; FALSE and *OUTCOME set when it
 * could not be opened. */
static recoil_outcome
cmd_acct_file (struct cmd_acct *a, const char *path)
{
  int fd = open (path, O_RDONLY | O_CLOEXEC);
  recoil_outcome outcome;
  struct stat st;

  if (fd < 0) {
    g_critical ("acct: cannot open %s: %s", path, g_strerror (errno));
    return RECOIL_INPUT;
  }
  /* each file starts with its own header line */
  g_clear_pointer (&a->columns, acct_columns_free);
  if (fstat (fd, &st) == 0 && S_ISREG (st.st_mode))
    a->progress = progress_new (path, (guint64) st.st_size);
  outcome = cmd_acct_stream (a, fd, path);
  g_clear_pointer (&a->progress, progress_free);
  close (fd);
  return outcome;
}

/* cmd_acct_sweepable - whether NAME in the swept directory is a closed
 * accounting file to read: not hidden, not already done, not a partial
 * copy, and left alone for MIN_AGE seconds (a file still being written
 * changes). */
static gboolean
cmd_acct_sweepable (const char *dir, const char *name, gint64 min_age, gint64 now)
{
  g_autofree char *path = NULL;
  struct stat st;

  if (name[0] == '.' || g_str_has_suffix (name, ".done") || g_str_has_suffix (name, ".tmp")
      || g_str_has_suffix (name, ".part"))
    return FALSE;
  path = g_build_filename (dir, name, NULL);
  if (stat (path, &st) != 0 || !S_ISREG (st.st_mode))
    return FALSE;
  return now - (gint64) st.st_mtime >= min_age;
}

static gint
cmd_acct_cmp (gconstpointer a, gconstpointer b)
{
  return strcmp (*(const char *const *) a, *(const char *const *) b);
}

/* cmd_acct_sweep - every closed file of DIR in name order: its records
 * committed, then the file renamed NAME.done or deleted (DELETE).  A
 * crash between the two leaves the file, and reading it again counts
 * nothing twice. */
static recoil_outcome
cmd_acct_sweep (struct cmd_acct *a, const char *dir, gboolean delete, gint64 min_age)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GDir) d = g_dir_open (dir, 0, &error);
  g_autoptr (GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  const char *name;
  guint done = 0;

  if (d == NULL) {
    g_critical ("acct: --dir: %s", error->message);
    return RECOIL_INPUT;
  }
  while ((name = g_dir_read_name (d)) != NULL)
    if (cmd_acct_sweepable (dir, name, min_age, now))
      g_ptr_array_add (names, g_strdup (name));
  g_ptr_array_sort (names, cmd_acct_cmp);
  for (guint i = 0; i < names->len && !cmd_acct_stop; i++) {
    g_autofree char *path = g_build_filename (dir, g_ptr_array_index (names, i), NULL);
    recoil_outcome outcome = cmd_acct_file (a, path);

    if (outcome != RECOIL_DONE)
      return outcome;
    if (cmd_acct_stop)
      break; /* perhaps not read to its end: left for the next sweep */
    if (!cmd_acct_drain (a))
      return RECOIL_TEMPORARY;
    if (delete) {
      if (unlink (path) != 0) {
        g_critical ("acct: cannot delete %s: %s", path, g_strerror (errno));
        return RECOIL_TEMPORARY;
      }
    } else {
      g_autofree char *to = g_strconcat (path, ".done", NULL);

      if (rename (path, to) != 0) {
        g_critical ("acct: cannot rename %s: %s", path, g_strerror (errno));
        return RECOIL_TEMPORARY;
      }
    }
    g_info ("acct: %s applied and %s", path, delete ? "deleted" : "renamed .done");
    done++;
  }
  if (names->len > 0)
    g_message ("acct: --dir %s: %u of %u closed files applied", dir, done, names->len);
  return RECOIL_DONE;
}

recoil_outcome
cmd_acct_run (struct cli *cli, int argc, char **argv)
{
  gboolean standalone = FALSE;
  g_autofree char *dir = NULL, *done = NULL;
  gint min_age = 5;
  const GOptionEntry entries[] = {
    { "standalone", 0, 0, G_OPTION_ARG_NONE, &standalone,
      "Every line's first column is an address to unsubscribe everywhere (bulk mode)", NULL },
    { "dir", 0, 0, G_OPTION_ARG_FILENAME, &dir,
      "Apply every closed file of DIR (PowerMTA's move-to) in name order, then rename or delete it", "DIR" },
    { "done", 0, 0, G_OPTION_ARG_STRING, &done,
      "With --dir: what happens to a file once applied: rename (to NAME.done, the default) or delete",
      "rename|delete" },
    { "min-age", 0, 0, G_OPTION_ARG_INT, &min_age,
      "With --dir: leave files changed less than SECONDS ago alone (default 5)", "SECONDS" },
    G_OPTION_ENTRY_NULL
  };
  g_autoptr (GOptionContext) ctx = cli_context_new (
      cli, "acct", "[FILE...]",
      "Read PowerMTA accounting records (CSV with a type,... header line) from standard\n"
      "input, as an <acct-file |...> pipe feeds them, from FILEs, or from the closed files of\n"
      "a directory (--dir), and apply the bounce (b, rb) and feedback-loop (f) records to the\n"
      "state store.  Other record types are counted and skipped; malformed lines are logged\n"
      "with their number and skipped.  Every record is remembered, so records read twice\n"
      "(the pipe, then the files) count once.");
  g_autoptr (conf_t) conf = NULL;
  struct cmd_acct a = { 0 };
  struct sigaction sa;
  sigset_t block, old;
  recoil_outcome outcome;

  g_option_context_add_main_entries (ctx, entries, NULL);
  if (!cli_parse (cli, ctx, &argc, &argv))
    return RECOIL_USAGE;
  if (done != NULL && strcmp (done, "rename") != 0 && strcmp (done, "delete") != 0) {
    g_critical ("acct: --done takes rename or delete, not \"%s\"", done);
    return RECOIL_USAGE;
  }
  if ((done != NULL || min_age != 5) && dir == NULL) {
    g_critical ("acct: --done and --min-age go with --dir");
    return RECOIL_USAGE;
  }
  if (dir != NULL && argc > 1) {
    g_critical ("acct: --dir takes no FILE arguments");
    return RECOIL_USAGE;
  }
  if (min_age < 0) {
    g_critical ("acct: --min-age: %d is negative", min_age);
    return RECOIL_USAGE;
  }
  if ((outcome = cli_load_conf (cli, CLI_CONF_LOG | CLI_CONF_WARN, &conf)) != RECOIL_DONE)
    return outcome;
  memset (&sa, 0, sizeof sa);
  sa.sa_handler = cmd_acct_on_signal; /* no SA_RESTART: a waiting read returns */
  sigaction (SIGTERM, &sa, NULL);
  sigaction (SIGINT, &sa, NULL);
  sigaction (SIGHUP, &sa, NULL);
  a.cli = cli;
  a.conf = conf;
  a.standalone = standalone;
  a.patient = argc < 2 && dir == NULL;
  a.limit = MAX (4 * (guint64) conf->acct_batch, 20000);
  g_mutex_init (&a.lock);
  g_cond_init (&a.cond);
  g_queue_init (&a.queue);
  if (strcmp (conf_stores[conf->store], "postgresql") == 0) {
    g_autoptr (GError) error = NULL;

    /* the pipe keeps what it reads on the host while the database is
     * away; a sweep forwards what a pipe left behind */
    if (spool_open (conf->state_dir, a.patient, &a.spool, &error))
      a.spooling = a.patient;
    else if (error != NULL && a.patient) {
      g_critical ("acct: %s", error->message);
      return RECOIL_TEMPORARY;
    }
  }
  /* the signals go to the reader, whose waits they end */
  sigemptyset (&block);
  sigaddset (&block, SIGTERM);
  sigaddset (&block, SIGINT);
  sigaddset (&block, SIGHUP);
  pthread_sigmask (SIG_BLOCK, &block, &old);
  a.applier = g_thread_new ("applier", cmd_acct_applier, &a);
  pthread_sigmask (SIG_SETMASK, &old, NULL);

  outcome = RECOIL_DONE;
  if (dir != NULL) {
    outcome = cmd_acct_sweep (&a, dir, done != NULL && strcmp (done, "delete") == 0, min_age);
  } else if (argc < 2) {
    outcome = cmd_acct_stream (&a, STDIN_FILENO, "stdin");
  } else {
    for (int i = 1; i < argc && outcome == RECOIL_DONE && !cmd_acct_stop; i++)
      outcome = cmd_acct_file (&a, argv[i]);
  }
  if (!cmd_acct_push (&a) && outcome == RECOIL_DONE)
    outcome = RECOIL_TEMPORARY;
  if (!cmd_acct_finish (&a)) {
    if (a.spooling)
      g_message ("acct: the state store is away; %" G_GUINT64_FORMAT
                 " records wait in the spool %s for the next recoil acct",
                 spool_count (a.spool), spool_path (a.spool));
    else
      g_critical ("acct: the state store did not take the last %" G_GUINT64_FORMAT
                  " records in time after the signal; read their file again to apply them",
                  a.lost);
    log_close ();
    /* the applier still waits inside the store: leave without it */
    _exit (exitcode_for (a.spooling && a.lost == 0 ? RECOIL_DONE : RECOIL_TEMPORARY, EXITCODE_PIPE));
  }
  if ((a.failed || a.spool_stuck) && outcome == RECOIL_DONE)
    outcome = RECOIL_TEMPORARY;
  g_message ("acct: %" G_GUINT64_FORMAT " records: %" G_GUINT64_FORMAT " applied (%" G_GUINT64_FORMAT
             " seen before, %" G_GUINT64_FORMAT " decisions), %" G_GUINT64_FORMAT
             " of other types, %" G_GUINT64_FORMAT " malformed%s",
             a.records, a.applied, a.duplicates, a.decisions, a.skipped, a.bad,
             cmd_acct_stop ? "; stopped by a signal" : "");
  if (a.spool != NULL) {
    guint64 left = spool_count (a.spool);

    g_message ("acct: %" G_GUINT64_FORMAT " records spooled; %" G_GUINT64_FORMAT " wait in the spool %s%s",
               a.spooled, left, spool_path (a.spool), left > 0 ? " for the next recoil acct" : "");
  }
  if (a.lost > 0)
    g_critical ("acct: %" G_GUINT64_FORMAT " records were read and not applied; read their files again "
                "(recoil acct FILE or --dir) to apply them",
                a.lost);
  acct_columns_free (a.columns);
  cmd_acct_batch_free (a.pending);
  g_mutex_clear (&a.lock);
  g_cond_clear (&a.cond);
  store_close (a.store);
  spool_close (a.spool);
  return outcome;
}
