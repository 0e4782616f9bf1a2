/* SPDX-License-Identifier: MIT */
/* cli - common options and configuration loading for the subcommands. */
#include "config.h"

#include <string.h>

#include <errno.h>
#include <unistd.h>

#include "cli.h"
#include "log.h"
#include "store-backend.h"

/* The command line as main() got it, for cli_hand_over. */
static char **cli_argv;

void
cli_remember_argv (int argc, char **argv)
{
  cli_argv = g_new0 (char *, (gsize) argc + 1);
  for (int i = 0; i < argc; i++)
    cli_argv[i] = argv[i];
}

char *
cli_helper_path (const char *env_name, const char *name)
{
  const char *env = g_getenv (env_name);
  g_autofree char *self = NULL;

  if (env != NULL && *env != '\0')
    return g_strdup (env);
  self = g_file_read_link ("/proc/self/exe", NULL);
  if (self != NULL) {
    g_autofree char *dir = g_path_get_dirname (self);
    char *beside = g_build_filename (dir, name, NULL);

    if (g_file_test (beside, G_FILE_TEST_IS_EXECUTABLE))
      return beside;
    g_free (beside);
  }
  return g_build_filename (RECOIL_LIBEXECDIR, name, NULL);
}

/* cli_hand_over - run the same command line in recoil-pg, which has the
 * PostgreSQL backend this lean program was built without; returns only
 * when that cannot be done. */
static void
cli_hand_over (void)
{
  g_autofree char *program = cli_helper_path ("RECOIL_PG", "recoil-pg");

  if (cli_argv == NULL)
    return;
  log_close ();
  execv (program, cli_argv);
  g_critical ("[recoil] store = postgresql: cannot run %s: %s", program, g_strerror (errno));
}

GOptionContext *
cli_context_new (struct cli *cli, const char *name, const char *parameters, const char *summary)
{
  const GOptionEntry common[] = { { "config", 'c', 0, G_OPTION_ARG_FILENAME, &cli->sub_config,
                                    "Configuration file (default " RECOIL_DEFAULT_CONFIG ")", "FILE" },
                                  { "debug", 'd', 0, G_OPTION_ARG_NONE, &cli->debug, "Log debugging messages",
                                    NULL },
                                  G_OPTION_ENTRY_NULL };
  g_autofree char *usage =
      g_strdup_printf ("%s%s%s", name, parameters ? " " : "", parameters ? parameters : "");
  GOptionContext *ctx = g_option_context_new (usage);

  g_option_context_set_summary (ctx, summary);
  g_option_context_add_main_entries (ctx, common, NULL);
  return ctx;
}

gboolean
cli_parse (struct cli *cli, GOptionContext *ctx, int *argc, char ***argv)
{
  g_autoptr (GError) error = NULL;
  gboolean ok = g_option_context_parse (ctx, argc, argv, &error);

  if (cli->sub_config != NULL) {
    g_free (cli->config_path);
    cli->config_path = g_steal_pointer (&cli->sub_config);
  }
  if (!ok) {
    g_critical ("%s (see recoil help %s)", error->message, (*argv)[0]);
    return FALSE;
  }
  return TRUE;
}

const char *
cli_config_path (const struct cli *cli)
{
  return cli->config_path != NULL ? cli->config_path : RECOIL_DEFAULT_CONFIG;
}

void
cli_log_lines (const char *text)
{
  g_auto (GStrv) lines = g_strsplit (text, "\n", -1);

  for (char **l = lines; *l; l++)
    if (**l != '\0')
      g_critical ("%s", *l);
}

recoil_outcome
cli_load_conf (struct cli *cli, unsigned flags, struct conf **out)
{
  g_autoptr (GError) error = NULL;
  struct conf *conf = NULL;

  if (cli->debug)
    log_set_level (LOG_LEVEL_DEBUG);
  if (!conf_load (cli_config_path (cli), &conf, &error)) {
    cli_log_lines (error->message);
    return RECOIL_CONFIG;
  }
  /* before anything is read or opened: the command starts over there */
  if (strcmp (conf_stores[conf->store], "postgresql") == 0 && !store_pg_linked) {
    cli_hand_over ();
    conf_free (conf);
    return RECOIL_TEMPORARY;
  }
  if (flags & CLI_CONF_LOG) {
    log_target target = strcmp (conf->log, "stderr") == 0   ? LOG_TARGET_STDERR
                        : strcmp (conf->log, "syslog") == 0 ? LOG_TARGET_SYSLOG
                                                            : LOG_TARGET_FILE;
    log_level level = cli->debug ? LOG_LEVEL_DEBUG : (log_level) conf->log_level;

    if (!log_configure (target, conf->log, level, &error)) {
      g_critical ("%s: [recoil] log: %s", conf->path, error->message);
      conf_free (conf);
      return RECOIL_CONFIG;
    }
  }
  for (const char *const *w = conf_warnings (conf); (flags & CLI_CONF_WARN) && *w != NULL; w++)
    g_warning ("%s", *w);
  *out = conf;
  return RECOIL_DONE;
}
