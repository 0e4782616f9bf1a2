/* SPDX-License-Identifier: MIT */
/* provider - the provider types recoil knows, in one table, and the small
 * helpers their files share.
 *
 * Adding a provider type is one row here plus its own file.  A type's check
 * says which settings it cannot work without, and its action list which
 * decisions it can carry out, so that `recoil config check` refuses an
 * incomplete [provider NAME] group before any mail arrives.
 */
#include "config.h"

#include <stdarg.h>
#include <string.h>

#include "provider.h"

static const char *
mw_check (const struct provider_settings *s)
{
  gboolean empty_pub = s->public_key == NULL || *s->public_key == '\0';
  gboolean empty_priv = s->private_key == NULL || *s->private_key == '\0';

  if (s->api_version == 1 && (empty_pub || empty_priv))
    return "type mailwizz with api_version 1 needs public_key and private_key";
  if (s->api_version == 2 && (s->api_key == NULL || *s->api_key == '\0'))
    return "type mailwizz with api_version 2 needs api_key";
  return NULL;
}

static const char *const mw_actions[] = { "unsubscribe", "record", "blocklist", NULL };

static const char *
is_check (const struct provider_settings *s)
{
  if (s->username == NULL || *s->username == '\0' || s->token == NULL || *s->token == '\0')
    return "type interspire needs username and token (the XML API user token)";
  return NULL;
}

static const char *const is_actions[] = { "unsubscribe", "record", NULL };

static const char *
lm_check (const struct provider_settings *s)
{
  if (s->username == NULL || *s->username == '\0' || s->token == NULL || *s->token == '\0')
    return "type listmonk needs username and token (an API user and its token)";
  return NULL;
}

static const char *const lm_actions[] = { "unsubscribe", "record", "blocklist", NULL };

static const char *
webhook_check (const struct provider_settings *s)
{
  if (s->secret == NULL || *s->secret == '\0')
    return "type webhook needs secret (the HMAC-SHA256 key receivers verify with)";
  return NULL;
}

static const char *const webhook_actions[] = { "unsubscribe", "record", "blocklist", NULL };

static const struct provider_type provider_types[] = {
  { "mailwizz", "MailWizz API 1.x (signed) or 2.x (X-Api-Key)", mw_actions, mw_check },
  { "interspire", "Interspire Email Marketer XML API (xml.php)", is_actions, is_check },
  { "listmonk", "listmonk bounce webhook, blocklist and unsubscribe", lm_actions, lm_check },
  { "webhook", "a signed JSON document to any URL", webhook_actions, webhook_check },
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

gboolean
provider_supports (const struct provider_type *type, const char *action)
{
  if (action != NULL && strcmp (action, "none") == 0)
    return TRUE;
  for (const char *const *a = type->actions; action != NULL && *a != NULL; a++)
    if (strcmp (*a, action) == 0)
      return TRUE;
  return FALSE;
}

void
provider_job_init (struct provider_job *job, const struct provider_settings *settings,
                   const struct provider_action *action, struct provider_cache *cache, gint64 now)
{
  memset (job, 0, sizeof *job);
  job->settings = settings;
  job->action = action;
  job->cache = cache;
  job->now = now;
  job->todo = g_ptr_array_new_with_free_func (g_free);
}

/* provider_request_clear - free what the request holds. */
static void
provider_request_clear (struct provider_request *r)
{
  g_free (r->url);
  if (r->headers != NULL)
    g_ptr_array_unref (r->headers);
  if (r->body != NULL)
    g_string_free (r->body, TRUE);
  memset (r, 0, sizeof *r);
}

void
provider_job_clear (struct provider_job *job)
{
  provider_request_clear (&job->request);
  g_free (job->note);
  g_free (job->found);
  if (job->todo != NULL)
    g_ptr_array_unref (job->todo);
  memset (job, 0, sizeof *job);
}

void
provider_cache_clear (struct provider_cache *cache)
{
  g_strfreev (cache->lists);
  memset (cache, 0, sizeof *cache);
}

void
provider_request_new (struct provider_job *job, const char *method, char *url)
{
  provider_request_clear (&job->request);
  job->request.method = method;
  job->request.url = url;
  job->request.headers = g_ptr_array_new_with_free_func (g_free);
}

void
provider_header (struct provider_job *job, const char *name, const char *value)
{
  g_ptr_array_add (job->request.headers, g_strdup_printf ("%s: %s", name, value));
}

char *
provider_url (const char *base, const char *path)
{
  gsize n = strlen (base);

  while (n > 0 && base[n - 1] == '/')
    n--;
  return g_strdup_printf ("%.*s/%s", (int) n, base, path);
}

void
provider_urlencode (GString *out, const char *value)
{
  static const char hex[] = "0123456789ABCDEF";

  for (const unsigned char *p = (const unsigned char *) value; *p != '\0'; p++) {
    if (g_ascii_isalnum (*p) || *p == '.' || *p == '_' || *p == '-')
      g_string_append_c (out, (char) *p);
    else if (*p == ' ')
      g_string_append_c (out, '+');
    else {
      g_string_append_c (out, '%');
      g_string_append_c (out, hex[*p >> 4]);
      g_string_append_c (out, hex[*p & 15]);
    }
  }
}

char *
provider_path_segment (const char *value)
{
  return g_uri_escape_string (value, NULL, FALSE);
}

/* provider_printable - S with control characters and non-ASCII bytes made
 * harmless, cut to MAX bytes; appended to OUT. */
static void
provider_printable (GString *out, const char *s, gsize len, gsize max)
{
  for (gsize i = 0; i < len && out->len < max; i++) {
    unsigned char c = (unsigned char) s[i];

    if (c == '\n' || c == '\r' || c == '\t')
      g_string_append_c (out, ' ');
    else if (c < 0x20 || c == 0x7f)
      g_string_append_c (out, '?');
    else
      g_string_append_c (out, (char) c);
  }
}

void
provider_note (struct provider_job *job, const char *format, ...)
{
  va_list ap;
  g_autofree char *text = NULL;
  GString *out = g_string_sized_new (128);

  va_start (ap, format);
  text = g_strdup_vprintf (format, ap);
  va_end (ap);
  provider_printable (out, text, strlen (text), 300);
  g_free (job->note);
  job->note = g_string_free (out, FALSE);
}

char *
provider_body_excerpt (const struct provider_answer *answer)
{
  GString *out = g_string_sized_new (64);
  gsize skip = 0;

  while (skip < answer->len && g_ascii_isspace (answer->body[skip]))
    skip++;
  if (answer->body != NULL)
    provider_printable (out, answer->body + skip, answer->len - skip, 160);
  return g_string_free (out, FALSE);
}

provider_verdict
provider_http_trouble (struct provider_job *job, const struct provider_answer *answer, const char *what)
{
  g_autofree char *excerpt = NULL;
  long h = answer->http;

  if (answer->transport_error != NULL || h == 0) {
    provider_note (job, "%s: %s", what, answer->transport_error ? answer->transport_error : "no answer");
    return PROVIDER_RETRY;
  }
  if (h >= 200 && h < 300)
    return PROVIDER_DONE;
  excerpt = provider_body_excerpt (answer);
  provider_note (job, "%s: HTTP %ld%s%s", what, h, *excerpt ? ": " : "", excerpt);
  if (h == 408 || h == 425 || h == 429 || h >= 500)
    return PROVIDER_RETRY;
  return PROVIDER_PARK;
}

void
provider_todo_push (struct provider_job *job, char *item)
{
  g_ptr_array_add (job->todo, item);
}

char *
provider_todo_pop (struct provider_job *job)
{
  if (job->todo->len == 0)
    return NULL;
  return g_ptr_array_steal_index (job->todo, 0);
}

char *
provider_action_key (const struct provider_action *a)
{
  /* the decision's time, its outbox id and a digest of what it is about:
   * the same on every attempt, and not shared with another state store's
   * action (two MTAs, or a store started afresh) unless it is the same one */
  g_autofree char *what =
      g_strdup_printf ("%s\n%s\n%s\n%s", a->action, a->address ? a->address : "",
                       a->list_id ? a->list_id : "", a->subscriber_id ? a->subscriber_id : "");
  g_autofree char *digest = g_compute_checksum_for_string (G_CHECKSUM_SHA256, what, -1);

  return g_strdup_printf ("%" G_GINT64_FORMAT "-%" G_GUINT64_FORMAT "-%.12s", a->created, a->id, digest);
}
