/* provider - the campaign tools recoil can tell about a decision
 *
 * Each provider type (MailWizz, Interspire, listmonk, a generic webhook)
 * is described by one `struct provider_type` in the registry.  src/ reads
 * the `[provider NAME]` groups of the configuration into `struct
 * provider_settings` (plain data: providers/ never reads files or the
 * environment) and asks the type whether the settings are complete.
 */
#ifndef RECOIL_PROVIDER_H
#define RECOIL_PROVIDER_H

#include <glib.h>

/* The settings of one configured provider instance.  All strings are owned
 * by whoever filled the struct (src/conf.c frees them with the config). */
struct provider_settings {
  char *name;         /* the NAME of [provider NAME] */
  char *type;         /* "mailwizz", "interspire", "listmonk", "webhook" */
  char *url;          /* API base URL, http:// or https:// */
  gint64 api_version; /* MailWizz: 1 (signed) or 2 (X-Api-Key) */
  char *public_key;   /* MailWizz 1.x */
  char *private_key;  /* MailWizz 1.x, secret */
  char *api_key;      /* MailWizz 2.x, secret */
  char *username;     /* Interspire, listmonk */
  char *token;        /* Interspire usertoken, listmonk token, secret */
  char *secret;       /* webhook HMAC key, secret */
  char **senders;     /* envelope sender patterns routed here; empty = all */
  int scope;          /* enum provider_scope */
  char **actions;     /* "unsubscribe", "blocklist", "record", "none" */
};

enum provider_scope { PROVIDER_SCOPE_ALL_LISTS, PROVIDER_SCOPE_ORIGIN_LIST };

struct provider_type {
  const char *name; /* the word in `type =` */
  const char *summary;
  /* check - NULL when SETTINGS are complete for this type, else a static
   * sentence naming what is missing, e.g. "api_version 1 needs public_key". */
  const char *(*check) (const struct provider_settings *settings);
};

/* provider_type_lookup - the registered type called NAME, or NULL.
 * The result is static. */
const struct provider_type *provider_type_lookup (const char *name);

/* provider_type_names - the registered type names in registry order,
 * NULL-terminated; static storage. */
const char *const *provider_type_names (void);

/* provider_action_names - the action words a provider may be given,
 * NULL-terminated; static storage. */
const char *const *provider_action_names (void);

#endif
