/* SPDX-License-Identifier: MIT */
/* cmd-outbox - `recoil retry` carries out what waits in the outbox;
 * `recoil outbox` shows it, puts parked actions back in line or drops them.
 */
#include "config.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "cmd-outbox.h"
#include "cmd-store.h"
#include "dispatch-spawn.h"
#include "eventjson.h"

recoil_outcome
cmd_retry_run (struct cli *cli, int argc, char **argv)
{
  gboolean once = FALSE;
  gint deadline = 0;
  const GOptionEntry entries[] = {
    { "once", '1', 0, G_OPTION_ARG_NONE, &once, "Try each due action at most once, then stop", NULL },
    { "deadline", 0, 0, G_OPTION_ARG_INT, &deadline,
      "Stop after SECONDS; unfinished actions stay due (default: none)", "SECONDS" },
    G_OPTION_ENTRY_NULL
  };
  g_autoptr (GOptionContext) ctx = cli_context_new (
      cli, "retry", NULL,
      "Carry out the provider actions waiting in the outbox: those due now, and those\n"
      "that become due as earlier ones finish.  Actions that fail for a temporary reason\n"
      "are rescheduled with backoff; permanent failures are parked (recoil outbox --parked).\n"
      "Exit 0 when nothing is left to do, 75 when actions wait for a later run\n"
      "(run it from a systemd timer or cron).");

  g_option_context_add_main_entries (ctx, entries, NULL);
  if (!cli_parse (cli, ctx, &argc, &argv))
    return RECOIL_USAGE;
  if (argc != 1) {
    g_critical ("retry takes no arguments (see recoil help retry)");
    return RECOIL_USAGE;
  }
  if (deadline < 0) {
    g_critical ("retry: --deadline must not be negative");
    return RECOIL_USAGE;
  }
  /* the HTTP work happens in recoil-dispatch, which becomes this process */
  return dispatch_exec_retry (cli, once, deadline);
}

/* Listing state. */
struct cmd_outbox_list {
  gboolean parked_only, as_json;
  gint64 now;
  guint shown;
};

/* cmd_outbox_time - T as UTC text. */
static char *
cmd_outbox_time (gint64 t)
{
  char *text = clock_format_stamp (t);

  if (text[0] != '?')
    return text;
  g_free (text);
  return g_strdup ("-");
}

/* cmd_outbox_state - parked, due or waiting. */
static const char *
cmd_outbox_state (const struct outbox_entry *e, gint64 now)
{
  return e->parked ? "parked" : e->next_try <= now ? "due" : "waiting";
}

static gboolean
cmd_outbox_show (const struct outbox_entry *e, gpointer data)
{
  struct cmd_outbox_list *l = data;
  g_autofree char *created = cmd_outbox_time (e->created);
  g_autofree char *next = cmd_outbox_time (e->next_try);

  if (l->parked_only && !e->parked)
    return TRUE;
  l->shown++;
  if (l->as_json) {
    json_t *o = json_object ();
    char *text;

    json_object_set_new (o, "id", json_integer ((json_int_t) e->id));
    json_object_set_new (o, "state", json_string (cmd_outbox_state (e, l->now)));
    json_object_set_new (o, "provider", eventjson_string (e->provider));
    json_object_set_new (o, "action", eventjson_string (e->action));
    json_object_set_new (o, "scope",
                         json_string (e->scope == PROVIDER_SCOPE_ORIGIN_LIST ? "origin-list" : "all-lists"));
    json_object_set_new (o, "address", eventjson_string (e->address));
    json_object_set_new (o, "reason", eventjson_string (e->reason));
    json_object_set_new (o, "status", eventjson_string (e->status));
    json_object_set_new (o, "list", eventjson_string (e->list_id));
    json_object_set_new (o, "campaign", eventjson_string (e->campaign_id));
    json_object_set_new (o, "subscriber", eventjson_string (e->subscriber_id));
    json_object_set_new (o, "created", json_integer (e->created));
    json_object_set_new (o, "next_try", json_integer (e->next_try));
    json_object_set_new (o, "attempts", json_integer (e->attempts));
    json_object_set_new (o, "answer", eventjson_string (e->answer));
    text = json_dumps (o, JSON_COMPACT);
    puts (text);
    free (text);
    json_decref (o);
  } else {
    if (l->shown == 1)
      printf ("%-6s %-7s %-12s %-11s %-32s %3s %-20s %s\n", "ID", "STATE", "PROVIDER", "ACTION", "ADDRESS",
              "TRY", "NEXT", "ANSWER");
    printf ("%-6" G_GUINT64_FORMAT " %-7s %-12s %-11s %-32s %3u %-20s %s\n", e->id,
            cmd_outbox_state (e, l->now), e->provider, e->action, e->address, e->attempts,
            e->parked ? "-" : next, e->answer ? e->answer : "");
  }
  return TRUE;
}

/* cmd_outbox_id - ARG as an outbox id; 0 when it is not one. */
static guint64
cmd_outbox_id (const char *arg)
{
  guint64 id = 0;

  if (arg[0] == '#')
    arg++;
  if (!g_ascii_string_to_unsigned (arg, 10, 1, G_MAXUINT64, &id, NULL))
    return 0;
  return id;
}

recoil_outcome
cmd_outbox_run (struct cli *cli, int argc, char **argv)
{
  gboolean parked = FALSE, as_json = FALSE, all = FALSE;
  const GOptionEntry entries[] = {
    { "parked", 'p', 0, G_OPTION_ARG_NONE, &parked, "Only the parked actions", NULL },
    { "json", 'j', 0, G_OPTION_ARG_NONE, &as_json, "One JSON object per line", NULL },
    { "all", 'a', 0, G_OPTION_ARG_NONE, &all, "requeue: every parked action", NULL },
    G_OPTION_ENTRY_NULL
  };
  g_autoptr (GOptionContext) ctx =
      cli_context_new (cli, "outbox", "[requeue ID|--all | drop ID]",
                       "Show the provider actions waiting in the outbox (due, waiting for a retry, or\n"
                       "parked after a permanent failure, with the provider's answer).\n"
                       "  requeue ID   put the parked action ID back in line (--all: every parked one)\n"
                       "  drop ID      remove action ID for good");
  g_autoptr (conf_t) conf = NULL;
  g_autoptr (GError) error = NULL;
  struct store *store = NULL;
  recoil_outcome outcome;
  const char *verb;

  g_option_context_add_main_entries (ctx, entries, NULL);
  if (!cli_parse (cli, ctx, &argc, &argv))
    return RECOIL_USAGE;
  verb = argc > 1 ? argv[1] : NULL;
  if (verb != NULL && strcmp (verb, "requeue") != 0 && strcmp (verb, "drop") != 0) {
    g_critical ("outbox: unknown action \"%s\" (requeue or drop; see recoil help outbox)", verb);
    return RECOIL_USAGE;
  }
  if (verb != NULL && !((argc == 3 && !all) || (argc == 2 && all && strcmp (verb, "requeue") == 0))) {
    g_critical ("outbox %s takes %s", verb, strcmp (verb, "requeue") == 0 ? "an ID or --all" : "an ID");
    return RECOIL_USAGE;
  }
  if (verb != NULL && argc == 3 && cmd_outbox_id (argv[2]) == 0) {
    g_critical ("outbox %s: \"%s\" is not an action id", verb, argv[2]);
    return RECOIL_USAGE;
  }
  if ((outcome = cmd_store_open (cli, 0, &conf, &store)) != RECOIL_DONE)
    return outcome;
  if (verb == NULL) {
    struct cmd_outbox_list l = { parked, as_json, clock_now (), 0 };

    if (!store_each_outbox (store, cmd_outbox_show, &l, &error))
      outcome = RECOIL_TEMPORARY;
    else if (l.shown == 0)
      g_message ("outbox: %s", parked ? "no parked actions" : "empty");
  } else if (strcmp (verb, "requeue") == 0) {
    guint count = 0;

    if (!store_outbox_requeue (store, all ? 0 : cmd_outbox_id (argv[2]), clock_now (), &count, &error))
      outcome = RECOIL_TEMPORARY;
    else if (count == 0 && !all) {
      g_critical ("outbox requeue: no parked action %s", argv[2]);
      outcome = RECOIL_INVALID;
    } else
      g_message ("outbox: %u actions requeued", count);
  } else {
    gboolean existed = FALSE;

    if (!store_outbox_drop (store, cmd_outbox_id (argv[2]), &existed, &error))
      outcome = RECOIL_TEMPORARY;
    else if (!existed) {
      g_critical ("outbox drop: no action %s", argv[2]);
      outcome = RECOIL_INVALID;
    } else
      g_message ("outbox: action %s dropped", argv[2]);
  }
  if (error != NULL)
    g_critical ("outbox: %s", error->message);
  store_close (store);
  return outcome;
}
