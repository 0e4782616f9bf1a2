/* SPDX-License-Identifier: MIT */
/* dispatch-spawn - starting recoil-dispatch (see dispatch-spawn.h). */
#include "config.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "dispatch-spawn.h"

gint64
dispatch_lease (const struct conf *conf)
{
  return MAX (300, conf->timeout * 10 + conf->connect_timeout);
}

gboolean
dispatch_inline_wanted (const struct conf *conf)
{
  return conf->providers->len > 0 && conf->inline_deadline_ms > 0;
}

char *
dispatch_helper_path (void)
{
  return cli_helper_path ("RECOIL_DISPATCH", "recoil-dispatch");
}

/* dispatch_argv - the helper's command line up to the mode's own options. */
static GPtrArray *
dispatch_argv (const struct cli *cli)
{
  GPtrArray *argv = g_ptr_array_new_with_free_func (g_free);

  g_ptr_array_add (argv, dispatch_helper_path ());
  if (cli->config_path != NULL) {
    g_ptr_array_add (argv, g_strdup ("--config"));
    g_ptr_array_add (argv, g_strdup (cli->config_path));
  }
  if (cli->debug)
    g_ptr_array_add (argv, g_strdup ("--debug"));
  return argv;
}

void
dispatch_inline (const struct cli *cli, const struct conf *conf, const struct store_result *results, guint n)
{
  g_autoptr (GPtrArray) argv = dispatch_argv (cli);
  g_autoptr (GError) error = NULL;
  guint64 first = 0, total = 0;
  int status = 0;

  for (guint i = 0; i < n; i++)
    if (results[i].actions > 0) {
      if (total == 0)
        first = results[i].first_action;
      total += results[i].actions;
    }
  if (total == 0)
    return;
  /* one transaction numbers its actions consecutively */
  g_ptr_array_add (argv, g_strdup ("--claimed"));
  g_ptr_array_add (argv,
                   g_strdup_printf ("%" G_GUINT64_FORMAT "-%" G_GUINT64_FORMAT, first, first + total - 1));
  g_ptr_array_add (argv, g_strdup ("--deadline-ms"));
  g_ptr_array_add (argv, g_strdup_printf ("%" G_GINT64_FORMAT, conf->inline_deadline_ms));
  g_ptr_array_add (argv, NULL);
  /* standard output stays clean (Postfix reads it); logging goes where the
   * configuration says, standard error included */
  if (!g_spawn_sync (NULL, (char **) argv->pdata, NULL,
                     G_SPAWN_STDOUT_TO_DEV_NULL | G_SPAWN_STDIN_FROM_DEV_NULL, NULL, NULL, NULL, NULL,
                     &status, &error))
    g_warning ("dispatch: cannot run %s: %s; the actions wait in the outbox", (char *) argv->pdata[0],
               error->message);
  else if (!g_spawn_check_wait_status (status, NULL))
    g_warning ("dispatch: %s ended abnormally; the actions wait in the outbox", (char *) argv->pdata[0]);
}

recoil_outcome
dispatch_exec_retry (const struct cli *cli, gboolean once, gint deadline)
{
  g_autoptr (GPtrArray) argv = dispatch_argv (cli);

  if (once)
    g_ptr_array_add (argv, g_strdup ("--once"));
  if (deadline > 0) {
    g_ptr_array_add (argv, g_strdup ("--deadline"));
    g_ptr_array_add (argv, g_strdup_printf ("%d", deadline));
  }
  g_ptr_array_add (argv, NULL);
  execv (argv->pdata[0], (char **) argv->pdata);
  g_critical ("retry: cannot run %s: %s", (char *) argv->pdata[0], g_strerror (errno));
  return RECOIL_INTERNAL;
}
