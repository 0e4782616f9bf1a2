/* provider - the provider types recoil knows, in one table.
 *
 * Adding a provider type is one row here plus its own file.  A type's check
 * says which settings it cannot work without, so that `recoil config check`
 * refuses an incomplete [provider NAME] group before any mail arrives.
 */
#include "config.h"

#include "provider.h"

/* provider_empty - TRUE when S is NULL or "". */
static gboolean
provider_empty (const char *s)
{
  return s == NULL || *s == '\0';
}

/* provider_check_mailwizz - API 1.x signs with a key pair, 2.x sends a key. */
static const char *
provider_check_mailwizz (const struct provider_settings *s)
{
  if (s->api_version == 1 && (provider_empty (s->public_key) || provider_empty (s->private_key)))
    return "type mailwizz with api_version 1 needs public_key and private_key";
  if (s->api_version == 2 && provider_empty (s->api_key))
    return "type mailwizz with api_version 2 needs api_key";
  return NULL;
}

/* provider_check_interspire - the XML API authenticates every request. */
static const char *
provider_check_interspire (const struct provider_settings *s)
{
  if (provider_empty (s->username) || provider_empty (s->token))
    return "type interspire needs username and token (the XML API user token)";
  return NULL;
}

/* provider_check_listmonk - basic auth or an API user and token. */
static const char *
provider_check_listmonk (const struct provider_settings *s)
{
  if (provider_empty (s->username) || provider_empty (s->token))
    return "type listmonk needs username and token (an API user and its token)";
  return NULL;
}

/* provider_check_webhook - receivers verify the HMAC, so a key is needed. */
static const char *
provider_check_webhook (const struct provider_settings *s)
{
  if (provider_empty (s->secret))
    return "type webhook needs secret (the HMAC-SHA256 key receivers verify with)";
  return NULL;
}

static const struct provider_type provider_types[] = {
  { "mailwizz", "MailWizz API 1.x (signed) or 2.x (X-Api-Key)", provider_check_mailwizz },
  { "interspire", "Interspire Email Marketer XML API (xml.php)", provider_check_interspire },
  { "listmonk", "listmonk bounce webhook and blocklist", provider_check_listmonk },
  { "webhook", "a signed JSON document to any URL", provider_check_webhook },
};

static const char *const provider_names[] = { "mailwizz", "interspire", "listmonk", "webhook", NULL };

static const char *const provider_actions[] = { "none", "unsubscribe", "blocklist", "record", NULL };

const struct provider_type *
provider_type_lookup (const char *name)
{
  for (gsize i = 0; i < G_N_ELEMENTS (provider_types); i++)
    if (name != NULL && g_ascii_strcasecmp (name, provider_types[i].name) == 0)
      return &provider_types[i];
  return NULL;
}

const char *const *
provider_type_names (void)
{
  return provider_names;
}

const char *const *
provider_action_names (void)
{
  return provider_actions;
}
