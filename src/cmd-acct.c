/* cmd-acct - `recoil acct [FILE...]`: PowerMTA accounting records from the
 * <acct-file |...> pipe (one long-lived process on stdin) or from rotated
 * files, into the store.
 *
 * Records are applied in batches of [recoil] acct_batch, or whatever has
 * arrived after acct_flush_ms, so a slow trickle is committed promptly; a
 * batch is flushed on end of input and on SIGTERM and SIGINT.  A batch the
 * store cannot take is retried for a while rather than dropped.  Malformed
 * records are logged with their line number and skipped.  Each record is
 * from a file is fingerprinted by its content, so reading a file twice
 * (rotation, cron) counts it once; the pipe hands each record over once.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include "acct.h"
#include "clock.h"
#include "cmd-acct.h"
#include "csv.h"
#include "dispatch-spawn.h"
#include "store.h"

static volatile sig_atomic_t cmd_acct_stop;

static void
cmd_acct_on_signal (int sig)
{
  cmd_acct_stop = sig;
}

/* The records waiting to be applied, and the counts for the summary. */
struct cmd_acct {
  const struct cli *cli;
  const struct conf *conf;
  struct store *store;
  gboolean standalone;
  gboolean fingerprints; /* files may be read again (rotation, cron): remember records */
  GPtrArray *events;     /* of struct event *, owned */
  GPtrArray *senders;    /* of char *, owned, parallel to events */
  GByteArray *fps;       /* 32 bytes per event */
  struct acct_columns *columns;
  guint64 records, applied, skipped, bad, duplicates, decisions;
};

/* cmd_acct_flush - apply what is pending in one transaction, retrying a
 * temporary failure for up to a minute before giving up. */
static gboolean
cmd_acct_flush (struct cmd_acct *a)
{
  guint n = a->events->len;
  g_autofree struct store_item *items = NULL;
  g_autofree struct store_result *results = NULL;

  if (n == 0)
    return TRUE;
  items = g_new0 (struct store_item, n);
  results = g_new0 (struct store_result, n);
  for (guint i = 0; i < n; i++) {
    items[i].event = g_ptr_array_index (a->events, i);
    items[i].fingerprint = a->fingerprints ? a->fps->data + 32 * i : NULL;
    items[i].sender = g_ptr_array_index (a->senders, i);
  }
  for (int attempt = 0;; attempt++) {
    g_autoptr (GError) error = NULL;

    if (store_apply (a->store, a->conf, items, n, clock_now (), results, &error))
      break;
    if (error->code != STORE_ERROR_TEMPORARY || attempt >= 60 || cmd_acct_stop) {
      g_critical ("acct: %u records not applied: %s", n, error->message);
      return FALSE;
    }
    if (attempt == 0)
      g_warning ("acct: %s; retrying", error->message);
    g_usleep (G_USEC_PER_SEC);
  }
  if (dispatch_inline_wanted (a->conf))
    dispatch_inline (a->cli, a->conf, results, n);
  for (guint i = 0; i < n; i++) {
    a->duplicates += results[i].duplicate;
    a->decisions += results[i].decision.outcome != POLICY_NONE && !results[i].decision.repeat;
  }
  a->applied += n;
  g_ptr_array_set_size (a->events, 0);
  g_ptr_array_set_size (a->senders, 0);
  g_byte_array_set_size (a->fps, 0);
  return TRUE;
}

/* cmd_acct_fingerprint - the record's fields, joined, hashed. */
static void
cmd_acct_fingerprint (GPtrArray *record, GByteArray *fps)
{
  g_autoptr (GString) joined = g_string_new (NULL);
  guint8 fp[32];

  for (guint i = 0; i < record->len; i++) {
    g_string_append (joined, g_ptr_array_index (record, i));
    g_string_append_c (joined, '\x1f');
  }
  store_fingerprint (NULL, "acct", joined->str, joined->len, fp);
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
  g_ptr_array_add (a->events, e);
  g_ptr_array_add (a->senders, g_strdup (sender));
  /* only records that may be read again need remembering */
  if (a->fingerprints)
    cmd_acct_fingerprint (record, a->fps);
}

/* cmd_acct_stream - every record of FD (named NAME in messages). */
static recoil_outcome
cmd_acct_stream (struct cmd_acct *a, int fd, const char *name)
{
  struct csv_reader *r = csv_reader_new (fd, 1 << 20);
  g_autoptr (GPtrArray) record = g_ptr_array_new_with_free_func (g_free);
  gint64 deadline = 0; /* monotonic microseconds: flush by then */
  recoil_outcome outcome = RECOIL_DONE;

  for (;;) {
    int timeout = -1;
    guint64 line = 0;
    csv_status st;

    if (a->events->len > 0) {
      gint64 left = deadline - g_get_monotonic_time ();

      timeout = left > 0 ? (int) (left / 1000) + 1 : 0;
    }
    if (cmd_acct_stop)
      break;
    st = csv_next (r, record, timeout, &line);
    if (st == CSV_RECORD) {
      gboolean was_empty = a->events->len == 0;

      cmd_acct_record (a, record, name, line);
      if (was_empty && a->events->len > 0)
        deadline = g_get_monotonic_time () + a->conf->acct_flush_ms * 1000;
      if (a->events->len >= (guint) a->conf->acct_batch && !cmd_acct_flush (a)) {
        outcome = RECOIL_TEMPORARY;
        break;
      }
    } else if (st == CSV_MALFORMED) {
      g_warning ("%s:%" G_GUINT64_FORMAT ": malformed record (a quote never closed, or over 1 MB); skipped",
                 name, line);
      a->bad++;
    } else if (st == CSV_TIMEOUT) {
      if (a->events->len > 0 && g_get_monotonic_time () >= deadline && !cmd_acct_flush (a)) {
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
  }
  if (!cmd_acct_flush (a))
    outcome = RECOIL_TEMPORARY;
  csv_reader_free (r);
  return outcome;
}

recoil_outcome
cmd_acct_run (struct cli *cli, int argc, char **argv)
{
  gboolean standalone = FALSE;
  const GOptionEntry entries[] = {
    { "standalone", 0, 0, G_OPTION_ARG_NONE, &standalone,
      "Every line's first column is an address to unsubscribe everywhere (bulk mode)", NULL },
    G_OPTION_ENTRY_NULL
  };
  g_autoptr (GOptionContext) ctx = cli_context_new (
      cli, "acct", "[FILE...]",
      "Read PowerMTA accounting records (CSV with a type,... header line) from standard\n"
      "input, as an <acct-file |...> pipe feeds them, or from FILEs, and apply the bounce (b, rb)\n"
      "and feedback-loop (f) records to the state store.  Other record types are counted and\n"
      "skipped; malformed lines are logged with their number and skipped.");
  g_autoptr (conf_t) conf = NULL;
  struct store_options o = { 0 };
  struct cmd_acct a = { 0 };
  g_autoptr (GError) error = NULL;
  struct sigaction sa;
  recoil_outcome outcome;

  g_option_context_add_main_entries (ctx, entries, NULL);
  if (!cli_parse (cli, ctx, &argc, &argv))
    return RECOIL_USAGE;
  if ((outcome = cli_load_conf (cli, CLI_CONF_LOG | CLI_CONF_WARN, &conf)) != RECOIL_DONE)
    return outcome;
  o.dir = conf->state_dir;
  o.map_size = conf->map_size;
  o.max_map_size = conf->max_map_size;
  o.seen_ttl = conf->seen_ttl;
  if (!store_open (&o, &a.store, &error)) {
    g_critical ("%s", error->message);
    return RECOIL_TEMPORARY;
  }
  if (dispatch_inline_wanted (conf))
    store_set_claim (a.store, dispatch_lease (conf));
  memset (&sa, 0, sizeof sa);
  sa.sa_handler = cmd_acct_on_signal; /* no SA_RESTART: a waiting read returns */
  sigaction (SIGTERM, &sa, NULL);
  sigaction (SIGINT, &sa, NULL);
  a.cli = cli;
  a.conf = conf;
  a.standalone = standalone;
  a.events = g_ptr_array_new_with_free_func ((GDestroyNotify) event_free);
  a.senders = g_ptr_array_new_with_free_func (g_free);
  a.fps = g_byte_array_new ();
  outcome = RECOIL_DONE;
  if (argc < 2) {
    /* the pipe hands each record over once: no fingerprints to keep */
    outcome = cmd_acct_stream (&a, STDIN_FILENO, "stdin");
  } else {
    for (int i = 1; i < argc && outcome == RECOIL_DONE && !cmd_acct_stop; i++) {
      int fd = open (argv[i], O_RDONLY | O_CLOEXEC);

      if (fd < 0) {
        g_critical ("acct: cannot open %s: %s", argv[i], g_strerror (errno));
        outcome = RECOIL_INPUT;
        break;
      }
      /* each file starts with its own header line, and may be read again */
      a.fingerprints = TRUE;
      g_clear_pointer (&a.columns, acct_columns_free);
      outcome = cmd_acct_stream (&a, fd, argv[i]);
      close (fd);
    }
  }
  g_message ("acct: %" G_GUINT64_FORMAT " records: %" G_GUINT64_FORMAT " applied (%" G_GUINT64_FORMAT
             " seen before, %" G_GUINT64_FORMAT " decisions), %" G_GUINT64_FORMAT
             " of other types, %" G_GUINT64_FORMAT " malformed%s",
             a.records, a.applied, a.duplicates, a.decisions, a.skipped, a.bad,
             cmd_acct_stop ? "; stopped by a signal" : "");
  acct_columns_free (a.columns);
  g_ptr_array_unref (a.events);
  g_ptr_array_unref (a.senders);
  g_byte_array_unref (a.fps);
  store_close (a.store);
  return outcome;
}
