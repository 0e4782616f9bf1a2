/* SPDX-License-Identifier: MIT */
/* cmd-config - `recoil config check` and `recoil config sample`. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "cmd-config.h"
#include "trust.h"

/* cmd_config_reserved - whether DOMAIN is one of the names RFC 2606 and
 * RFC 6761 keep for examples and tests, which never receive mail. */
static gboolean
cmd_config_reserved (const char *domain)
{
  static const char *const names[] = { "example.com", "example.net", "example.org", NULL };
  static const char *const tlds[] = { ".example", ".test", ".invalid", ".localhost", NULL };

  for (const char *const *n = names; *n; n++) {
    gsize a = strlen (domain), b = strlen (*n);

    if (a == b ? g_ascii_strcasecmp (domain, *n) == 0
               : a > b && domain[a - b - 1] == '.' && g_ascii_strcasecmp (domain + a - b, *n) == 0)
      return TRUE;
  }
  for (const char *const *t = tlds; *t; t++)
    if (g_str_has_suffix (domain, *t))
      return TRUE;
  return FALSE;
}

/* cmd_config_has_scheme - whether LIST holds NAME. */
static gboolean
cmd_config_has_scheme (char **list, const char *name)
{
  for (char **p = list; p != NULL && *p != NULL; p++)
    if (g_ascii_strcasecmp (*p, name) == 0)
      return TRUE;
  return FALSE;
}

/* cmd_config_review - what CONF can do, beyond each key being valid: a
 * configuration that can believe no mail and tell nobody is an error
 * (logged with its fix); one that is weaker than it looks, a warning.
 * Returns the number of errors. */
static guint
cmd_config_review (const struct conf *conf)
{
  const char *path = conf->path;
  gboolean enforce = conf->signature == CONF_SIGNATURE_ENFORCE;
  guint errors = 0;
  const char *posture = trust_posture (conf);

  if (enforce && conf->secret == NULL && (conf->bounce_domain != NULL || conf->unsub_domain != NULL)) {
    g_critical (
        "%s: [recoil] secret is not set: under [verp] signature = enforce no return path or "
        "unsubscribe address can then be believed, so recoil mail acts on nothing.  Set secret "
        "(head -c 32 /dev/urandom | base64) and have senders use `recoil verp encode`; or, while they "
        "still send plain VERP, set [verp] signature = warn",
        path);
    errors++;
  }
  if (enforce && conf->bounce_domain != NULL && !cmd_config_has_scheme (conf->schemes, "recoil")) {
    g_critical (
        "%s: [verp] schemes lacks recoil: under signature = enforce only recoil's signed return paths "
        "are believed at bounce_domain, so none would be.  Add recoil to schemes",
        path);
    errors++;
  }
  if (enforce && conf->unsub_domain != NULL && !cmd_config_has_scheme (conf->unsub_schemes, "recoil")) {
    g_critical ("%s: [verp] unsub_schemes lacks recoil: under signature = enforce only recoil's signed "
                "unsubscribe addresses are believed at unsub_domain, so none would be.  Add recoil to "
                "unsub_schemes",
                path);
    errors++;
  }
  if (conf->bounce_domain == NULL && conf->unsub_domain == NULL && conf->providers->len == 0) {
    g_critical ("%s: this configuration can neither believe a returned mail (no [recoil] bounce_domain or "
                "unsub_domain) nor tell a campaign tool (no [provider NAME] group).  Set bounce_domain, "
                "unsub_domain and secret, and a provider for each campaign tool",
                path);
    errors++;
  }
  if (errors > 0)
    return errors;
  if (posture != NULL)
    g_warning ("%s: %s", path, posture);
  if (conf->providers->len == 0)
    g_warning ("%s: no [provider NAME] group: decisions are recorded, and no campaign tool is told; "
               "`recoil list` is then the only way out of them",
               path);
  if (enforce && conf->bounce_domain == NULL && conf->unsub_domain == NULL)
    g_warning ("%s: no bounce_domain or unsub_domain: recoil mail believes no returned mail "
               "(signature = enforce); only recoil acct's records act",
               path);
  if (conf->bounce_domain != NULL && cmd_config_reserved (conf->bounce_domain))
    g_warning ("%s: [recoil] bounce_domain %s is a reserved example name (RFC 2606): no bounce will reach it",
               path, conf->bounce_domain);
  if (conf->unsub_domain != NULL && cmd_config_reserved (conf->unsub_domain))
    g_warning ("%s: [recoil] unsub_domain %s is a reserved example name (RFC 2606): no request will reach it",
               path, conf->unsub_domain);
  return 0;
}

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
      cli_context_new (cli, "config", "check|sample|manpage",
                       "check: read the configuration file, report every problem with its group and key,\n"
                       "and print the effective configuration with secrets masked.\n"
                       "sample: print the annotated sample configuration with every key at its default.\n"
                       "manpage: print recoil.conf(5), generated from the same table.");
  g_autoptr (GString) out = g_string_new (NULL);

  if (!cli_parse (cli, ctx, &argc, &argv))
    return RECOIL_USAGE;
  if (argc != 2) {
    g_critical ("config needs one of: check, sample, manpage (see recoil help config)");
    return RECOIL_USAGE;
  }
  if (strcmp (argv[1], "sample") == 0) {
    conf_write_sample (out);
  } else if (strcmp (argv[1], "manpage") == 0) {
    conf_write_manpage (out, PACKAGE_VERSION);
  } else if (strcmp (argv[1], "check") == 0) {
    g_autoptr (conf_t) conf = NULL;
    recoil_outcome outcome = cli_load_conf (cli, CLI_CONF_WARN, &conf);

    if (outcome != RECOIL_DONE)
      return outcome;
    if (cmd_config_review (conf) > 0)
      return RECOIL_CONFIG;
    conf_write_effective (conf, out);
  } else {
    g_critical ("config: unknown action \"%s\"; use check, sample or manpage", argv[1]);
    return RECOIL_USAGE;
  }
  if (!cmd_config_write (out)) {
    g_critical ("config: cannot write to standard output");
    return RECOIL_TEMPORARY;
  }
  return RECOIL_DONE;
}
