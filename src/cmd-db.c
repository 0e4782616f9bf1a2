/* SPDX-License-Identifier: MIT */
/* cmd-db - `recoil store init|copy` (see cmd-db.h). */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "cmd-db.h"
#include "store.h"

/* cmd_db_open - the store of CONF, backend BACKEND (NULL: the one the
 * configuration names), creating PostgreSQL's schema when CREATE. */
static struct store *
cmd_db_open (const struct conf *conf, const char *backend, gboolean create)
{
  g_autoptr (GError) error = NULL;
  struct store_options o;
  struct store *s = NULL;

  store_options_from_conf (conf, &o);
  if (backend != NULL)
    o.backend = backend;
  o.create_schema = create;
  if (!store_open (&o, &s, &error)) {
    g_critical ("%s", error->message);
    return NULL;
  }
  return s;
}

static recoil_outcome
cmd_db_init (struct cli *cli)
{
  g_autoptr (conf_t) conf = NULL;
  struct store *s;
  recoil_outcome outcome = cli_load_conf (cli, CLI_CONF_WARN, &conf);

  if (outcome != RECOIL_DONE)
    return outcome;
  if ((s = cmd_db_open (conf, NULL, TRUE)) == NULL)
    return RECOIL_TEMPORARY;
  printf ("store: %s ready\n", store_backend_name (s));
  store_close (s);
  return RECOIL_DONE;
}

static recoil_outcome
cmd_db_copy (struct cli *cli, const char *to_name)
{
  g_autoptr (conf_t) conf = NULL;
  g_autoptr (GError) error = NULL;
  guint64 counts[STORE_TABLE_COUNT] = { 0 };
  struct store *from, *to;
  const char *from_name;
  recoil_outcome outcome;
  gboolean ok;

  if (to_name == NULL || !store_backend_known (to_name)) {
    g_critical ("store copy: --to lmdb or --to postgresql (see recoil help store)");
    return RECOIL_USAGE;
  }
  from_name = strcmp (to_name, "lmdb") == 0 ? "postgresql" : "lmdb";
  if ((outcome = cli_load_conf (cli, CLI_CONF_WARN, &conf)) != RECOIL_DONE)
    return outcome;
  if ((from = cmd_db_open (conf, from_name, FALSE)) == NULL)
    return RECOIL_TEMPORARY;
  if ((to = cmd_db_open (conf, to_name, TRUE)) == NULL) {
    store_close (from);
    return RECOIL_TEMPORARY;
  }
  ok = store_copy (from, to, counts, &error);
  store_close (from);
  store_close (to);
  for (int t = 0; t < STORE_TABLE_COUNT; t++)
    printf ("%s %s: %" G_GUINT64_FORMAT "\n", ok || counts[t] > 0 ? "copied" : "not copied",
            store_table_name ((store_table) t), counts[t]);
  if (!ok) {
    g_critical ("store copy: %s", error->message);
    return RECOIL_TEMPORARY;
  }
  return RECOIL_DONE;
}

recoil_outcome
cmd_db_run (struct cli *cli, int argc, char **argv)
{
  g_autofree char *to = NULL;
  GOptionEntry entries[] = { { "to", 0, 0, G_OPTION_ARG_STRING, &to,
                               "copy: the backend copied into, lmdb or postgresql (the other is read)",
                               "BACKEND" },
                             G_OPTION_ENTRY_NULL };
  g_autoptr (GOptionContext) ctx =
      cli_context_new (cli, "store", "init|copy",
                       "init: create the state store, or upgrade its schema (PostgreSQL: run once, from\n"
                       "one host, before the first use and after installing a newer recoil; recoil refuses\n"
                       "a schema newer than its own).\n"
                       "copy --to postgresql: copy the LMDB store under [recoil] state_dir whole into the\n"
                       "database of [postgresql] (records, fingerprints, outbox, event log, counters);\n"
                       "copy --to lmdb: the other way.  Rows already there are replaced.  Stop the MTA's\n"
                       "pipes and recoil acct first, copy, then switch [recoil] store.");

  g_option_context_add_main_entries (ctx, entries, NULL);
  if (!cli_parse (cli, ctx, &argc, &argv))
    return RECOIL_USAGE;
  if (argc == 2 && strcmp (argv[1], "init") == 0)
    return cmd_db_init (cli);
  if (argc == 2 && strcmp (argv[1], "copy") == 0)
    return cmd_db_copy (cli, to);
  g_critical ("store: init or copy (see recoil help store)");
  return RECOIL_USAGE;
}
