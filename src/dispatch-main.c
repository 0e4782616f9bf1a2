/* SPDX-License-Identifier: MIT */
/* recoil-dispatch - the program that talks to the providers.
 *
 * Run by recoil, not by people (see dispatch-spawn.h):
 *   recoil-dispatch [--config F] [--debug] [--once] [--deadline S]
 *       what `recoil retry` does: carry out due actions, exit 0 when
 *       nothing but parked actions is left, 75 when actions wait;
 *   recoil-dispatch [--config F] [--debug] --claimed FIRST-LAST --deadline-ms N
 *       try the actions recoil mail or acct just created and claimed;
 *       always exit 0 (what is left waits in the outbox).
 */
#include "config.h"

#include <locale.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "clock.h"
#include "dispatch-spawn.h"
#include "dispatch.h"
#include "exitcode.h"
#include "log.h"

/* What is in the outbox, counted. */
struct dispatch_count {
  guint due, waiting, parked;
  gint64 now;
};

static gboolean
dispatch_count_one (const struct outbox_entry *e, gpointer data)
{
  struct dispatch_count *c = data;

  if (e->parked)
    c->parked++;
  else if (e->next_try <= c->now)
    c->due++;
  else
    c->waiting++;
  return TRUE;
}

/* dispatch_claimed_range - "FIRST-LAST" into the options. */
static gboolean
dispatch_claimed_range (const char *text, struct dispatch_options *o)
{
  g_auto (GStrv) parts = g_strsplit (text, "-", 2);

  return parts[0] != NULL && parts[1] != NULL
         && g_ascii_string_to_unsigned (parts[0], 10, 1, G_MAXUINT64, &o->first, NULL)
         && g_ascii_string_to_unsigned (parts[1], 10, o->first, G_MAXUINT64, &o->last, NULL);
}

/* dispatch_main_run - the work; the outcome for the exit status. */
static recoil_outcome
dispatch_main_run (struct cli *cli, const struct dispatch_options *o)
{
  g_autoptr (conf_t) conf = NULL;
  g_autoptr (GError) error = NULL;
  struct store_options so = { 0 };
  struct store *store = NULL;
  struct dispatch_report r;
  struct dispatch_count count = { 0 };
  recoil_outcome outcome;

  if ((outcome = cli_load_conf (cli, CLI_CONF_LOG | (o->claimed ? 0 : CLI_CONF_WARN), &conf)) != RECOIL_DONE)
    return outcome;
  store_options_from_conf (conf, &so);
  if (!store_open (&so, &store, &error)) {
    g_critical ("%s", error->message);
    return RECOIL_TEMPORARY;
  }
  if (!dispatch_run (store, conf, o, &r, &error)) {
    g_critical ("dispatch: %s", error->message);
    store_close (store);
    return RECOIL_TEMPORARY;
  }
  if (o->claimed) {
    if (r.released + r.retried > 0)
      g_info ("dispatch: %u actions wait in the outbox for recoil retry", r.released + r.retried);
    store_close (store);
    return RECOIL_DONE;
  }
  count.now = clock_now ();
  if (!store_each_outbox (store, dispatch_count_one, &count, &error)) {
    g_critical ("retry: %s", error->message);
    store_close (store);
    return RECOIL_TEMPORARY;
  }
  store_close (store);
  if (r.done + r.retried + r.parked + r.released > 0 || count.due + count.waiting + count.parked > 0)
    g_message (
        "retry: %u done, %u to retry, %u parked, %u not reached; outbox: %u due, %u waiting, %u parked",
        r.done, r.retried, r.parked, r.released, count.due, count.waiting, count.parked);
  if (count.parked > 0)
    g_warning ("retry: %u parked actions wait for the operator (recoil outbox --parked)", count.parked);
  return count.due + count.waiting > 0 ? RECOIL_WORK_LEFT : RECOIL_DONE;
}

int
main (int argc, char **argv)
{
  struct cli cli = { NULL, NULL, FALSE, EXITCODE_ADMIN };
  gboolean once = FALSE;
  gint deadline = 0;
  gint64 deadline_ms = 0;
  g_autofree char *claimed = NULL;
  const GOptionEntry entries[] = {
    { "config", 'c', 0, G_OPTION_ARG_FILENAME, &cli.config_path, "Configuration file", "FILE" },
    { "debug", 'd', 0, G_OPTION_ARG_NONE, &cli.debug, "Log debugging messages", NULL },
    { "once", '1', 0, G_OPTION_ARG_NONE, &once, "Try each due action at most once", NULL },
    { "deadline", 0, 0, G_OPTION_ARG_INT, &deadline, "Stop after SECONDS", "SECONDS" },
    { "claimed", 0, 0, G_OPTION_ARG_STRING, &claimed, "Run the claimed actions FIRST-LAST", "FIRST-LAST" },
    { "deadline-ms", 0, 0, G_OPTION_ARG_INT64, &deadline_ms, "With --claimed: stop after MS", "MS" },
    G_OPTION_ENTRY_NULL
  };
  g_autoptr (GOptionContext) ctx = g_option_context_new ("- carry out recoil's provider actions");
  g_autoptr (GError) error = NULL;
  struct dispatch_options o = { 0 };
  recoil_outcome outcome;
  int status;

  /* the character set only: recoil speaks English, and its JSON, CSV and
   * logs must not change with LC_NUMERIC or LC_TIME (it also spares every
   * pipe invocation a dozen locale files) */
  setlocale (LC_CTYPE, "");
  log_init ();
  g_set_prgname ("recoil");
  g_option_context_set_summary (ctx, "Run by recoil (recoil retry, and after recoil mail and acct); see\n"
                                     "`recoil help retry`.");
  g_option_context_add_main_entries (ctx, entries, NULL);
  if (!g_option_context_parse (ctx, &argc, &argv, &error) || argc != 1 || deadline < 0 || deadline_ms < 0) {
    g_critical ("recoil-dispatch: %s", error != NULL ? error->message : "bad arguments");
    return exitcode_for (RECOIL_USAGE, EXITCODE_ADMIN);
  }
  if (cli.debug)
    log_set_level (LOG_LEVEL_DEBUG);
  if (claimed != NULL) {
    if (!dispatch_claimed_range (claimed, &o)) {
      g_critical ("recoil-dispatch: --claimed takes FIRST-LAST, not \"%s\"", claimed);
      return exitcode_for (RECOIL_USAGE, EXITCODE_ADMIN);
    }
    o.claimed = TRUE;
    o.deadline_ms = deadline_ms;
  } else {
    o.once = once;
    o.deadline_ms = (gint64) deadline * 1000;
  }
  outcome = dispatch_main_run (&cli, &o);
  status = exitcode_for (outcome, EXITCODE_ADMIN);
  log_close ();
  g_free (cli.config_path);
  return status;
}
