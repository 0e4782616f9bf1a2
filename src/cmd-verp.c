/* SPDX-License-Identifier: MIT */
/* cmd-verp - make signed return paths and unsubscribe addresses for a
 * sender's mailer, and show what recoil reads from one.
 */
#include "config.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "cmd-verp.h"
#include "eventjson.h"
#include "ourdomain.h"
#include "verp/verp.h"

/* cmd_verp_encode - print the signed address for the options given. */
static recoil_outcome
cmd_verp_encode (const struct conf *conf, const char *address, const struct verp_ids *ids, gboolean unsub)
{
  const char *domain = unsub ? conf->unsub_domain : conf->bounce_domain;
  g_autoptr (GError) error = NULL;
  g_autofree char *local = NULL;
  gsize len;

  if (conf->secret == NULL) {
    g_critical ("%s: [recoil] secret is not set; signed addresses need it", conf->path);
    return RECOIL_CONFIG;
  }
  if (domain == NULL) {
    g_critical ("%s: [recoil] %s is not set", conf->path, unsub ? "unsub_domain" : "bounce_domain");
    return RECOIL_CONFIG;
  }
  if (address == NULL) {
    g_critical ("verp encode needs --address (see recoil help verp)");
    return RECOIL_USAGE;
  }
  local = verp_encode (unsub ? VERP_KIND_UNSUB : VERP_KIND_BOUNCE, address, ids, conf->secret,
                       clock_now () / 86400, &error);
  if (local == NULL) {
    g_critical ("verp encode: %s", error->message);
    return RECOIL_INVALID;
  }
  len = strlen (local);
  if (len > VERP_LOCAL_LIMIT)
    g_warning ("the local part is %zu octets, over the %d that RFC 5321 obliges every server to accept; "
               "most accept it, some may refuse the mail",
               len, VERP_LOCAL_LIMIT);
  printf ("%s@%s\n", local, domain);
  return RECOIL_DONE;
}

/* cmd_verp_set - set KEY to VALUE, or to null when VALUE is NULL. */
static void
cmd_verp_set (json_t *obj, const char *key, const char *value)
{
  json_object_set_new (obj, key, eventjson_string (value));
}

/* cmd_verp_decode - print what ADDRESS says, as one JSON object. */
static recoil_outcome
cmd_verp_decode (const struct conf *conf, const char *address)
{
  g_autofree char *local = NULL;
  ourdomain_which which = ourdomain_split (conf, address, &local);
  struct ourdomain_params params;
  struct verp_result r;
  gint64 now = clock_now ();
  json_t *obj;
  char *text;

  if (which == OURDOMAIN_NONE) {
    g_critical ("\"%s\" is not at bounce_domain (%s) or unsub_domain (%s)", address,
                conf->bounce_domain ? conf->bounce_domain : "not set",
                conf->unsub_domain ? conf->unsub_domain : "not set");
    return RECOIL_INVALID;
  }
  ourdomain_params (conf, which, now, &params);
  if (!verp_decode (local, &params.verp, &r)) {
    g_autofree char *names =
        g_strjoinv (", ", which == OURDOMAIN_UNSUB ? conf->unsub_schemes : conf->schemes);

    g_critical ("\"%s\" matches none of the schemes accepted at that domain (%s)", address, names);
    return RECOIL_INVALID;
  }
  obj = json_object ();
  json_object_set_new (obj, "input", eventjson_string (address));
  json_object_set_new (obj, "domain", json_string (which == OURDOMAIN_UNSUB ? "unsub" : "bounce"));
  json_object_set_new (obj, "scheme", json_string (verp_scheme_name (r.scheme)));
  cmd_verp_set (obj, "address", r.address);
  cmd_verp_set (obj, "list", r.list_id);
  cmd_verp_set (obj, "campaign", r.campaign_id);
  cmd_verp_set (obj, "subscriber", r.subscriber_id);
  json_object_set_new (obj, "signature", json_string (verp_sig_name (r.signature)));
  cmd_verp_set (obj, "problem", r.problem);
  if (r.stamp_day >= 0) {
    g_autofree char *day = clock_format_day (r.stamp_day);

    json_object_set_new (obj, "stamp", json_string (day));
    json_object_set_new (obj, "age_days", json_integer (now / 86400 - r.stamp_day));
  } else {
    json_object_set_new (obj, "stamp", json_null ());
    json_object_set_new (obj, "age_days", json_null ());
  }
  if (r.signature == VERP_SIG_VALID)
    json_object_set_new (obj, "key", json_string (r.previous_key ? "previous" : "current"));
  else
    json_object_set_new (obj, "key", json_null ());
  json_object_set_new (obj, "believed", json_boolean (ourdomain_believed (conf, &r)));
  text = json_dumps (obj, JSON_COMPACT | JSON_PRESERVE_ORDER);
  printf ("%s\n", text);
  free (text);
  json_decref (obj);
  verp_result_clear (&r);
  return RECOIL_DONE;
}

recoil_outcome
cmd_verp_run (struct cli *cli, int argc, char **argv)
{
  g_autofree char *address = NULL;
  g_autofree char *list = NULL;
  g_autofree char *campaign = NULL;
  g_autofree char *subscriber = NULL;
  gboolean unsub = FALSE;
  const GOptionEntry entries[] = {
    { "address", 'a', 0, G_OPTION_ARG_FILENAME, &address, "encode: the subscriber's address", "ADDRESS" },
    { "list", 'l', 0, G_OPTION_ARG_FILENAME, &list, "encode: the list id", "ID" },
    { "campaign", 'C', 0, G_OPTION_ARG_FILENAME, &campaign, "encode: the campaign id", "ID" },
    { "subscriber", 's', 0, G_OPTION_ARG_FILENAME, &subscriber, "encode: the subscriber id", "ID" },
    { "unsub", 'u', 0, G_OPTION_ARG_NONE, &unsub, "encode: an unsubscribe address, not a return path", NULL },
    G_OPTION_ENTRY_NULL
  };
  g_autoptr (GOptionContext) ctx = cli_context_new (
      cli, "verp", "encode|decode [ADDRESS]",
      "encode: print the signed return path (or, with --unsub, the List-Unsubscribe mailto:\n"
      "address) for a subscriber, to be used by the sender's mailer.\n"
      "decode ADDRESS: print as JSON what recoil reads from an address at the bounce or\n"
      "unsubscribe domain: scheme, address, ids, signature valid/invalid/absent, stamp age.\n"
      "Both use the domains and the secret of the configuration.");
  g_autoptr (conf_t) conf = NULL;
  recoil_outcome outcome;

  /* Addresses and ids are taken as the bytes given (G_OPTION_ARG_FILENAME):
   * an MTA runs us with LANG=C, where GLib would refuse UTF-8 in a
   * G_OPTION_ARG_STRING.  verp_encode checks the bytes are UTF-8. */
  g_option_context_add_main_entries (ctx, entries, NULL);
  if (!cli_parse (cli, ctx, &argc, &argv))
    return RECOIL_USAGE;
  if (argc < 2 || (strcmp (argv[1], "encode") != 0 && strcmp (argv[1], "decode") != 0)) {
    g_critical ("verp needs one of: encode, decode (see recoil help verp)");
    return RECOIL_USAGE;
  }
  if (strcmp (argv[1], "encode") == 0 && argc != 2) {
    g_critical ("verp encode takes no arguments, only options (see recoil help verp)");
    return RECOIL_USAGE;
  }
  if (strcmp (argv[1], "decode") == 0 && argc != 3) {
    g_critical ("verp decode takes one address (see recoil help verp)");
    return RECOIL_USAGE;
  }
  if ((outcome = cli_load_conf (cli, 0, &conf)) != RECOIL_DONE)
    return outcome;
  if (strcmp (argv[1], "encode") == 0) {
    struct verp_ids ids = { list, campaign, subscriber };

    return cmd_verp_encode (conf, address, &ids, unsub);
  }
  return cmd_verp_decode (conf, argv[2]);
}
