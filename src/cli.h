/* SPDX-License-Identifier: MIT */
/* cli - what every subcommand shares: its table entry, the common options
 * (--config, --debug) and loading the configuration the same way.
 */
#ifndef RECOIL_CLI_H
#define RECOIL_CLI_H

#include <glib.h>

#include "conf.h"
#include "exitcode.h"

struct cli {
  char *config_path; /* --config, or NULL for RECOIL_DEFAULT_CONFIG; owned */
  char *sub_config;  /* --config after the command name; moved into config_path */
  gboolean debug;    /* --debug */
  exitcode_mode mode;
};

struct command {
  const char *name;
  const char *summary;
  exitcode_mode mode;
  /* run - ARGV[0] is the command's name; returns the outcome that
   * exitcode_for() turns into the exit status. */
  recoil_outcome (*run) (struct cli *cli, int argc, char **argv);
};

/* cli_context_new - a GOptionContext for command NAME with PARAMETERS
 * ("check|sample", "ADDRESS", ...) and SUMMARY, holding the common options
 * that store into CLI.  Caller frees with g_option_context_free. */
GOptionContext *cli_context_new (struct cli *cli, const char *name, const char *parameters,
                                 const char *summary);

/* cli_parse - parse ARGV with CTX (made by cli_context_new for CLI); on a
 * usage error log it and return FALSE. */
gboolean cli_parse (struct cli *cli, GOptionContext *ctx, int *argc, char ***argv);

/* cli_config_path - the configuration file that will be read. */
const char *cli_config_path (const struct cli *cli);

enum {
  CLI_CONF_LOG = 1 << 0, /* send logging where the configuration says */
  CLI_CONF_WARN = 1 << 1 /* log the configuration's warnings */
};

/* cli_load_conf - read the configuration; with CLI_CONF_WARN log its
 * warnings (config check and the pipe commands, where they matter); with
 * CLI_CONF_LOG send logging where it says (--debug wins over log_level).
 * Each problem is logged on a line of its own.  Returns RECOIL_DONE with
 * *OUT set (free with conf_free) or RECOIL_CONFIG.  In a program without
 * the PostgreSQL backend, a configuration that wants it does not return:
 * the command line is run by recoil-pg instead (RECOIL_TEMPORARY when that
 * cannot be started). */
recoil_outcome cli_load_conf (struct cli *cli, unsigned flags, struct conf **out);

/* cli_remember_argv - keep main()'s ARGV (ARGC of them; the strings are
 * borrowed) before option parsing changes it: a command that finds
 * [recoil] store = postgresql in a program built without that backend is
 * run again, whole, by recoil-pg. */
void cli_remember_argv (int argc, char **argv);

/* cli_log_lines - log each line of TEXT as an error. */
void cli_log_lines (const char *text);

/* cli_helper_path - the path of recoil's helper program NAME
 * ("recoil-dispatch", "recoil-pg"): the environment variable ENV_NAME when
 * set (tests), else beside this program, else in the libexec directory.
 * Caller frees. */
char *cli_helper_path (const char *env_name, const char *name);

#endif
