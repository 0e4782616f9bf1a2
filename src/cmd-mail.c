/* SPDX-License-Identifier: MIT */
/* cmd-mail - `recoil mail --from=SENDER --to=RECIPIENT`: one returned
 * message on stdin, as a Postfix pipe(8) transport or a PowerMTA domain
 * pipe delivers it.
 *
 * Reads the message (up to max_message_size; the rest is drained, never a
 * hang), parses it, works out who it is about (a signed return path or
 * unsubscribe address first, then the plain schemes, then the report's
 * fields and the returned headers), applies policy and enqueues provider
 * actions in one store transaction.  Mail it cannot use is kept in the
 * quarantine Maildir when one is configured.  Exit codes follow pipe(8):
 * 0 done, 75 for anything temporary (so the MTA keeps the mail), 67 only
 * with --reject-unknown for a local part at our domains that is not ours.
 * Nothing is written to stdout.
 */
#include "config.h"

#include <errno.h>
#include <malloc.h>
#include <pthread.h>
#include <string.h>
#include <unistd.h>

#include "audit.h"
#include "clock.h"
#include "cmd-mail.h"
#include "dispatch-spawn.h"
#include "maildir.h"
#include "mime/parse.h"
#include "ourdomain.h"
#include "store.h"
#include "trust.h"

/* cmd_mail_read - all of stdin, at most MAX bytes kept; the rest is read
 * and dropped (*TRUNCATED set).  FALSE on a read error. */
static gboolean
cmd_mail_read (gsize max, GByteArray *out, gboolean *truncated)
{
  guint8 buf[65536];

  *truncated = FALSE;
  for (;;) {
    ssize_t n = read (STDIN_FILENO, buf, sizeof buf);

    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0)
      return FALSE;
    if (n == 0)
      return TRUE;
    if (out->len < max) {
      gsize keep = MIN ((gsize) n, max - out->len);

      g_byte_array_append (out, buf, (guint) keep);
      if (keep < (gsize) n)
        *truncated = TRUE;
    } else {
      *truncated = TRUE;
    }
  }
}

/* cmd_mail_null_sender - the null sender as MTAs spell it. */
static gboolean
cmd_mail_null_sender (const char *from)
{
  return from == NULL || *from == '\0' || strcmp (from, "<>") == 0
         || g_ascii_strcasecmp (from, "MAILER-DAEMON") == 0
         || g_ascii_strncasecmp (from, "MAILER-DAEMON@", 14) == 0;
}

/* What one invocation decided, for its log lines and exit status. */
struct cmd_mail {
  const struct cli *cli;
  const struct conf *conf;
  const char *from, *to;
  gint64 now;
  const char *why;         /* static: why it is kept in the quarantine */
  struct trust_mail trust; /* who the mail may act on */
  char *origin;            /* "from=<...> to=<...>" for the log and the event log */
};

/* cmd_mail_prefer_original - the address the list has is the one first
 * written to: where a report says a forward or an alias turned it into
 * another (Original-Recipient against Final-Recipient), act on the first,
 * unless the return path already named the recipient. */
static void
cmd_mail_prefer_original (const struct cmd_mail *m, struct parse_result *result)
{
  for (guint i = 0; i < result->events->len; i++) {
    struct event *e = g_ptr_array_index (result->events, i);

    if (e->original_recipient == NULL || e == m->trust.target)
      continue;
    g_info ("mail to=<%s>: %s was addressed as %s; recorded for the latter", m->to ? m->to : "",
            e->address ? e->address : "(nobody)", e->original_recipient);
    g_free (e->address);
    e->address = g_strdup (e->original_recipient);
  }
}

/* cmd_mail_usable - whether RESULT names somebody recoil can act on. */
static gboolean
cmd_mail_usable (const struct parse_result *result)
{
  for (guint i = 0; i < result->events->len; i++) {
    const struct event *e = g_ptr_array_index (result->events, i);

    if (e->address != NULL && e->kind != EVENT_KIND_UNKNOWN)
      return TRUE;
    /* SUBSCRIBER.LIST.CAMPAIGN@ names a membership, which is enough */
    if (e->kind == EVENT_KIND_UNSUBSCRIBE && e->hints.list_id != NULL && e->hints.subscriber_id != NULL)
      return TRUE;
  }
  return FALSE;
}

/* cmd_mail_quarantine - keep a copy when a quarantine is configured. */
static recoil_outcome
cmd_mail_quarantine (const struct cmd_mail *m, const GByteArray *data)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *name = NULL;

  if (m->conf->quarantine == NULL) {
    g_info ("mail from=<%s> to=<%s>: %s; not kept ([recoil] quarantine is not set)", m->from ? m->from : "",
            m->to ? m->to : "", m->why);
    return RECOIL_DONE;
  }
  if (!maildir_deliver (m->conf->quarantine, (const char *) data->data, data->len, m->now, &name, &error)) {
    g_critical ("%s", error->message);
    return RECOIL_TEMPORARY;
  }
  g_message ("mail from=<%s> to=<%s>: %s; kept as %s", m->from ? m->from : "", m->to ? m->to : "", m->why,
             name);
  return RECOIL_DONE;
}

/* The store is opened by a thread of its own while the message is read
 * and parsed: opening maps the files and reads the meta pages, parsing
 * is all computation, and the two do not wait for each other. */
struct cmd_mail_opening {
  struct store_options options;
  pthread_t thread;
  gboolean started;
  struct store *store;
  GError *error;
};

static void *
cmd_mail_opening_run (void *data)
{
  struct cmd_mail_opening *op = data;

  store_open (&op->options, &op->store, &op->error);
  return NULL;
}

/* cmd_mail_opening_start - begin opening the store of CONF; runs it in
 * the caller when no thread can be had. */
static void
cmd_mail_opening_start (struct cmd_mail_opening *op, const struct conf *conf)
{
  pthread_attr_t attr;

  store_options_from_conf (conf, &op->options);
  op->options.refuse_root_create = TRUE;
  /* one malloc arena: a second would cost more to set up than the
   * opening takes */
  mallopt (M_ARENA_MAX, 1);
  pthread_attr_init (&attr);
  pthread_attr_setstacksize (&attr, 256 * 1024);
  op->started = pthread_create (&op->thread, &attr, cmd_mail_opening_run, op) == 0;
  pthread_attr_destroy (&attr);
  if (!op->started)
    cmd_mail_opening_run (op);
}

/* cmd_mail_opening_finish - the opened store (NULL, *ERROR set, if it
 * could not be opened). */
static struct store *
cmd_mail_opening_finish (struct cmd_mail_opening *op, GError **error)
{
  if (op->started) {
    pthread_join (op->thread, NULL);
    op->started = FALSE;
  }
  if (op->error != NULL)
    g_propagate_error (error, g_steal_pointer (&op->error));
  return g_steal_pointer (&op->store);
}

/* cmd_mail_apply - the events of RESULT into the store, one transaction. */
static recoil_outcome
cmd_mail_apply (const struct cmd_mail *m, struct cmd_mail_opening *opening, const struct parse_result *result,
                const GByteArray *data)
{
  g_autoptr (GError) error = NULL;
  guint n = result->events->len;
  g_autofree struct store_item *items = g_new0 (struct store_item, MAX (n, 1));
  g_autofree struct store_result *results = g_new0 (struct store_result, MAX (n, 1));
  g_autofree guint8 *fps = g_new0 (guint8, 32 * MAX (n, 1));
  struct store *store = NULL;
  const char *sender = cmd_mail_null_sender (m->from) ? NULL : m->from;
  guint actions = 0, decisions = 0, duplicates = 0;

  if ((store = cmd_mail_opening_finish (opening, &error)) == NULL) {
    g_critical ("%s", error->message);
    return RECOIL_TEMPORARY;
  }
  if (dispatch_inline_wanted (m->conf))
    store_set_claim (store, dispatch_lease (m->conf));
  for (guint i = 0; i < n; i++) {
    const struct event *e = g_ptr_array_index (result->events, i);
    g_autofree char *rcpt =
        g_strdup_printf ("%s\n%s", m->to != NULL ? m->to : "", e->address ? e->address : "");

    /* the same message to the same envelope recipient about the same
     * address is applied once, however often the MTA retries */
    store_fingerprint (result->message_id, rcpt, (const char *) data->data, data->len, fps + 32 * i);
    items[i].event = e;
    items[i].fingerprint = fps + 32 * i;
    items[i].sender = e->kind == EVENT_KIND_UNSUBSCRIBE ? NULL : sender;
    items[i].untrusted = i < m->trust.untrusted->len ? g_ptr_array_index (m->trust.untrusted, i) : NULL;
    items[i].origin = m->origin;
  }
  if (!store_apply (store, m->conf, items, n, m->now, results, &error)) {
    g_critical ("%s", error->message);
    store_close (store);
    return RECOIL_TEMPORARY;
  }
  store_close (store);
  if (dispatch_inline_wanted (m->conf))
    dispatch_inline (m->cli, m->conf, results, n);
  for (guint i = 0; i < n; i++) {
    actions += results[i].actions;
    decisions += results[i].decision.outcome != POLICY_NONE && !results[i].decision.repeat;
    duplicates += results[i].duplicate;
    audit_log (&items[i], &results[i]);
  }
  if (n > 1)
    g_info ("mail %s: %u facts, %u decisions, %u provider actions queued, %u seen before", m->origin, n,
            decisions, actions, duplicates);
  return RECOIL_DONE;
}

recoil_outcome
cmd_mail_run (struct cli *cli, int argc, char **argv)
{
  g_autofree char *from = NULL, *to = NULL;
  gboolean reject_unknown = FALSE;
  struct trust_envelope env;
  const GOptionEntry entries[] = {
    { "from", 'f', 0, G_OPTION_ARG_FILENAME, &from,
      "Envelope sender (${sender}; MAILER-DAEMON or empty for <>)", "SENDER" },
    { "to", 't', 0, G_OPTION_ARG_FILENAME, &to, "Envelope recipient (${recipient})", "RECIPIENT" },
    { "reject-unknown", 0, 0, G_OPTION_ARG_NONE, &reject_unknown,
      "Exit 67 (the MTA bounces) for a local part at our domains that no scheme reads", NULL },
    G_OPTION_ENTRY_NULL
  };
  g_autoptr (GOptionContext) ctx =
      cli_context_new (cli, "mail", NULL,
                       "Read one returned message from standard input (a bounce, a feedback report, an\n"
                       "unsubscribe request ...), as an MTA pipe delivers it, and apply it: work out who it\n"
                       "is about, update the state store by policy and queue the providers' actions.\n"
                       "Exit 0 when done, 75 on temporary trouble (the MTA retries); nothing on stdout.");
  g_autoptr (conf_t) conf = NULL;
  g_autoptr (GByteArray) data = g_byte_array_new ();
  struct parse_limits limits;
  struct parse_result *result;
  struct cmd_mail m = { 0 };
  struct cmd_mail_opening opening = { 0 };
  recoil_outcome outcome;
  gboolean truncated = FALSE;

  g_option_context_add_main_entries (ctx, entries, NULL);
  if (!cli_parse (cli, ctx, &argc, &argv))
    return RECOIL_USAGE;
  if (argc != 1) {
    g_critical ("mail takes no arguments, only options (see recoil help mail)");
    return RECOIL_USAGE;
  }
  if ((outcome = cli_load_conf (cli, CLI_CONF_LOG | CLI_CONF_WARN, &conf)) != RECOIL_DONE) {
    /* drain stdin so the MTA sees no write error, then ask it to retry */
    cmd_mail_read (0, data, &truncated);
    return outcome;
  }
  cmd_mail_opening_start (&opening, conf);
  if (!cmd_mail_read ((gsize) conf->max_message_size, data, &truncated)) {
    g_critical ("mail: cannot read standard input: %s", g_strerror (errno));
    store_close (cmd_mail_opening_finish (&opening, NULL));
    return RECOIL_TEMPORARY;
  }
  m.cli = cli;
  m.conf = conf;
  m.from = from;
  m.to = to;
  m.now = clock_now ();
  m.origin = g_strdup_printf ("from=<%s> to=<%s>", from != NULL ? from : "", to != NULL ? to : "");
  parse_limits_default (&limits);
  limits.max_size = (gsize) conf->max_message_size;
  {
    g_autofree char *local = NULL;
    ourdomain_which which = to != NULL ? ourdomain_split (conf, to, &local) : OURDOMAIN_NONE;

    result = parse_message ((const char *) data->data, data->len, &limits,
                            PARSE_ONE_SHOT | (which == OURDOMAIN_UNSUB ? PARSE_EXPECT_UNSUB : 0));
  }
  if (truncated)
    result->anomalies |= ANOMALY_TOO_LARGE;
  env.from = from;
  env.to = to;
  env.now = m.now;
  trust_mail (conf, &env, result, &m.trust);
  m.why = m.trust.why;
  if (m.trust.which != OURDOMAIN_NONE && !m.trust.ours) {
    if (reject_unknown) {
      g_message ("mail %s: no accepted scheme reads the local part; rejected (--reject-unknown)", m.origin);
      parse_result_free (result);
      trust_mail_clear (&m.trust);
      g_free (m.origin);
      store_close (cmd_mail_opening_finish (&opening, NULL));
      return RECOIL_REJECT;
    }
    g_info ("mail %s: no accepted scheme reads the local part", m.origin);
  }
  cmd_mail_prefer_original (&m, result);
  if (truncated)
    g_warning ("mail to=<%s>: message over max_message_size; the rest was not read", to ? to : "");
  if (m.why == NULL && !cmd_mail_usable (result))
    m.why = result->kind == EVENT_KIND_UNKNOWN ? "neither a bounce, a report nor a request"
                                               : "names no recipient recoil can use";
  if (result->events->len == 0) {
    /* nothing usable is still counted and logged */
    struct event *e = event_new ();

    e->kind = result->kind;
    e->source = g_strdup (result->source != NULL ? result->source : "mail");
    e->hints.message_id = g_strdup (result->message_id);
    g_ptr_array_add (result->events, e);
    g_ptr_array_add (m.trust.untrusted, NULL);
  }
  outcome = cmd_mail_apply (&m, &opening, result, data);
  if (outcome == RECOIL_DONE && m.why != NULL)
    outcome = cmd_mail_quarantine (&m, data);
  parse_result_free (result);
  trust_mail_clear (&m.trust);
  g_free (m.origin);
  return outcome;
}
