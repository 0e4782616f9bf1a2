/* SPDX-License-Identifier: MIT */
/* recoil - the command: global options, the subcommand table, help.
 *
 * main() stays thin: it installs logging, picks the subcommand, runs it and
 * turns its outcome into an exit status through the exit-code table.
 */
#include "config.h"

#include <curl/curl.h>
#include <gmime/gmime.h>
#include <jansson.h>
#include <libxml/xmlversion.h>
#include <lmdb.h>
#include <locale.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "cmd-acct.h"
#include "cmd-config.h"
#include "cmd-db.h"
#include "cmd-mail.h"
#include "cmd-outbox.h"
#include "cmd-parse.h"
#include "cmd-store.h"
#include "cmd-verp.h"
#include "exitcode.h"
#include "log.h"

static recoil_outcome main_help (struct cli *cli, int argc, char **argv);

/* main_on_sigbus - a pipe command's last defence: a page of a mapped file
 * that the disk could not hold (the store's files on a full or failing
 * disk).  Nothing was committed by the access that faulted, so the MTA
 * may as well try again: exit 75, never a signal (which Postfix would
 * take for a crash and bounce the mail). */
static void
main_on_sigbus (int sig)
{
  static const char line[] = "recoil: error: a mapped file could not be read or written (SIGBUS): the state "
                             "store's disk is full or failing; try again later\n";
  ssize_t w = write (STDERR_FILENO, line, sizeof line - 1);

  (void) sig;
  (void) w;
  _exit (75);
}

static const struct command main_commands[] = {
  { "config", "check the configuration file, or print the sample", EXITCODE_ADMIN, cmd_config_run },
  { "acct", "apply PowerMTA accounting records from stdin or files", EXITCODE_PIPE, cmd_acct_run },
  { "mail", "apply one returned message from stdin (an MTA pipe)", EXITCODE_PIPE, cmd_mail_run },
  { "parse", "read returned mail and print what it says, as JSON lines", EXITCODE_ADMIN, cmd_parse_run },
  { "status", "show what recoil knows about an address", EXITCODE_ADMIN, cmd_store_run },
  { "list", "print the suppression list as CSV or JSON", EXITCODE_ADMIN, cmd_store_run },
  { "reset", "forget an address: it becomes active again", EXITCODE_ADMIN, cmd_store_run },
  { "ignore", "never act on an address (or, with --off, act again)", EXITCODE_ADMIN, cmd_store_run },
  { "import", "import an existing suppression list (CSV)", EXITCODE_ADMIN, cmd_store_run },
  { "stats", "events and decisions per day", EXITCODE_ADMIN, cmd_store_run },
  { "events", "the facts applied and what was decided, newest first", EXITCODE_ADMIN, cmd_store_run },
  { "purge", "remove what the retention settings let go of", EXITCODE_ADMIN, cmd_store_run },
  { "store", "create the state store or upgrade its schema; copy it between backends", EXITCODE_ADMIN,
    cmd_db_run },
  { "retry", "carry out the provider actions waiting in the outbox", EXITCODE_ADMIN, cmd_retry_run },
  { "outbox", "show, requeue or drop provider actions", EXITCODE_ADMIN, cmd_outbox_run },
  { "verp", "make or read signed return paths and unsubscribe addresses", EXITCODE_ADMIN, cmd_verp_run },
  { "help", "show the options of a command", EXITCODE_ADMIN, main_help },
};

/* main_lookup - the command called NAME, or NULL. */
static const struct command *
main_lookup (const char *name)
{
  for (gsize i = 0; i < G_N_ELEMENTS (main_commands); i++)
    if (strcmp (main_commands[i].name, name) == 0)
      return &main_commands[i];
  return NULL;
}

/* main_is_pipe - whether ARGV starts with a pipe command's name and asks
 * for no help (which a person reads). */
static gboolean
main_is_pipe (int argc, char **argv)
{
  const struct command *cmd = argc > 1 ? main_lookup (argv[1]) : NULL;

  if (cmd == NULL || cmd->mode != EXITCODE_PIPE)
    return FALSE;
  for (int i = 2; i < argc; i++)
    if (g_str_has_prefix (argv[i], "--help") || strcmp (argv[i], "-h") == 0 || strcmp (argv[i], "-?") == 0)
      return FALSE;
  return TRUE;
}

/* main_describe - the command list shown under --help. */
static char *
main_describe (void)
{
  GString *s = g_string_sized_new (1024);

  /* built on every start, so without printf, whose first call in a
   * process costs more than the whole list */
  g_string_append (s, "Commands:\n");
  for (gsize i = 0; i < G_N_ELEMENTS (main_commands); i++) {
    gsize n = strlen (main_commands[i].name);

    g_string_append (s, "  ");
    g_string_append (s, main_commands[i].name);
    do
      g_string_append_c (s, ' ');
    while (++n < 11);
    g_string_append (s, main_commands[i].summary);
    g_string_append_c (s, '\n');
  }
  g_string_append (s, "\n`recoil help COMMAND` shows a command's options.\n"
                      "Exit status: 0 done; 75 temporary trouble (an MTA retries); pipe commands\n"
                      "also use 75 for a bad configuration, so no mail is lost while it is fixed.\n");
  return g_string_free (s, FALSE);
}

/* main_version - print the version and the libraries in use. */
static void
main_version (void)
{
  /* compile-time versions of GMime and the libraries not otherwise used
   * here, so that asking loads nothing (GMime's run-time version variables
   * live in the object with g_mime_init, which the lean build leaves out) */
  int major, minor, patch;

  mdb_version (&major, &minor, &patch);
  printf ("recoil %s\n", PACKAGE_VERSION);
  printf ("glib %u.%u.%u, gmime %u.%u.%u, %s, jansson %s, libxml2 %s, lmdb %d.%d.%d\n", glib_major_version,
          glib_minor_version, glib_micro_version, GMIME_MAJOR_VERSION, GMIME_MINOR_VERSION,
          GMIME_MICRO_VERSION, "libcurl " LIBCURL_VERSION, JANSSON_VERSION, LIBXML_DOTTED_VERSION, major,
          minor, patch);
}

/* main_help - `recoil help [COMMAND]`. */
static recoil_outcome
main_help (struct cli *cli, int argc, char **argv)
{
  const struct command *cmd;
  char *help_argv[3];

  if (argc < 2) {
    g_autofree char *text = main_describe ();

    fputs (text, stdout);
    return RECOIL_DONE;
  }
  cmd = main_lookup (argv[1]);
  if (cmd == NULL || cmd->run == main_help) {
    g_critical ("no command called \"%s\" (see recoil --help)", argv[1]);
    return RECOIL_USAGE;
  }
  help_argv[0] = argv[1];
  help_argv[1] = (char *) "--help";
  help_argv[2] = NULL;
  return cmd->run (cli, 2, help_argv);
}

int
main (int argc, char **argv)
{
  struct cli cli = { NULL, NULL, FALSE, EXITCODE_ADMIN };
  gboolean version = FALSE;
  const GOptionEntry entries[] = {
    { "config", 'c', 0, G_OPTION_ARG_FILENAME, &cli.config_path,
      "Configuration file (default " RECOIL_DEFAULT_CONFIG ")", "FILE" },
    { "debug", 'd', 0, G_OPTION_ARG_NONE, &cli.debug, "Log debugging messages", NULL },
    { "version", 'V', 0, G_OPTION_ARG_NONE, &version, "Print the version and exit", NULL },
    G_OPTION_ENTRY_NULL
  };
  g_autoptr (GOptionContext) ctx = g_option_context_new ("COMMAND [OPTION...]");
  g_autoptr (GError) error = NULL;
  g_autofree char *description = main_describe ();
  const struct command *cmd;
  recoil_outcome outcome;
  int status;

  /* the character set only: recoil speaks English, and its JSON, CSV and
   * logs must not change with LC_NUMERIC or LC_TIME.  A pipe command
   * (`recoil mail ...`, as the MTA runs it) reads and writes bytes whatever
   * the MTA's LANG, and is spared opening the locale files */
  cli_remember_argv (argc, argv);
  if (!main_is_pipe (argc, argv))
    setlocale (LC_CTYPE, "");
  log_init ();
  g_set_prgname ("recoil");

  g_option_context_set_summary (ctx, "Turns bounces, feedback-loop complaints and unsubscribe requests\n"
                                     "into suppressions in your campaign tools.");
  g_option_context_set_description (ctx, description);
  g_option_context_add_main_entries (ctx, entries, NULL);
  g_option_context_set_strict_posix (ctx, TRUE);
  if (!g_option_context_parse (ctx, &argc, &argv, &error)) {
    g_critical ("%s (see recoil --help)", error->message);
    return exitcode_for (RECOIL_USAGE, EXITCODE_ADMIN);
  }
  if (version) {
    main_version ();
    return exitcode_for (RECOIL_DONE, EXITCODE_ADMIN);
  }
  if (argc < 2) {
    g_critical ("no command given (see recoil --help)");
    return exitcode_for (RECOIL_USAGE, EXITCODE_ADMIN);
  }
  cmd = main_lookup (argv[1]);
  if (cmd == NULL) {
    g_critical ("no command called \"%s\" (see recoil --help)", argv[1]);
    return exitcode_for (RECOIL_USAGE, EXITCODE_ADMIN);
  }
  cli.mode = cmd->mode;
  if (cli.mode == EXITCODE_PIPE) {
    struct sigaction sa;

    memset (&sa, 0, sizeof sa);
    sa.sa_handler = main_on_sigbus;
    sigaction (SIGBUS, &sa, NULL);
  }
  if (cli.debug)
    log_set_level (LOG_LEVEL_DEBUG);
  outcome = cmd->run (&cli, argc - 1, argv + 1);
  status = exitcode_for (outcome, cli.mode);
  if (outcome != RECOIL_DONE)
    g_debug ("exit %d (%s)", status, exitcode_name (outcome));
  log_close ();
  g_free (cli.config_path);
  return status;
}
