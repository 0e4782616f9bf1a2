/* cmd-config - `recoil config check` and `recoil config sample`. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "cmd-config.h"

/* cmd_config_write - write TEXT to stdout; FALSE on a write error. */
static gboolean
cmd_config_write (const GString *text)
{
  return fwrite (text->str, 1, text->len, stdout) == text->len && fflush (stdout) == 0;
}

recoil_outcome
cmd_config_run (struct cli *cli, int argc, char **argv)
{
  g_autoptr (GOptionContext) ctx =
      cli_context_new (cli, "config", "check|sample",
                       "check: read the configuration file, report every problem with its group and key,\n"
                       "and print the effective configuration with secrets masked.\n"
                       "sample: print the annotated sample configuration with every key at its default.");
  g_autoptr (GString) out = g_string_new (NULL);

  if (!cli_parse (cli, ctx, &argc, &argv))
    return RECOIL_USAGE;
  if (argc != 2) {
    g_critical ("config needs one of: check, sample (see recoil help config)");
    return RECOIL_USAGE;
  }
  if (strcmp (argv[1], "sample") == 0) {
    conf_write_sample (out);
  } else if (strcmp (argv[1], "check") == 0) {
    g_autoptr (conf_t) conf = NULL;
    recoil_outcome outcome = cli_load_conf (cli, CLI_CONF_WARN, &conf);

    if (outcome != RECOIL_DONE)
      return outcome;
    conf_write_effective (conf, out);
  } else {
    g_critical ("config: unknown action \"%s\"; use check or sample", argv[1]);
    return RECOIL_USAGE;
  }
  if (!cmd_config_write (out)) {
    g_critical ("config: cannot write to standard output");
    return RECOIL_TEMPORARY;
  }
  return RECOIL_DONE;
}
