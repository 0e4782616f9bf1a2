/* event - allocation, names and address normalisation for events.
 *
 * STANDARDS: RFC 5321 2.4 (local parts are case-sensitive to the sender,
 * domains are not), RFC 6531 (UTF-8 addresses).
 */
#include "config.h"

#include <string.h>

#include "event.h"

static const char *const event_kind_names[EVENT_KIND_COUNT] = { "unknown",     "bounce",    "complaint",
                                                                "unsubscribe", "autoreply", "delivered" };

static const char *const event_class_names[EVENT_CLASS_COUNT] = { "none", "hard", "soft", "ignore" };

struct event *
event_new (void)
{
  return g_new0 (struct event, 1);
}

void
event_free (struct event *event)
{
  if (event == NULL)
    return;
  g_free (event->address);
  g_free (event->original_recipient);
  g_free (event->status);
  g_free (event->diagnostic);
  g_free (event->remote_mta);
  g_free (event->reason);
  g_free (event->category);
  g_free (event->feedback_type);
  g_free (event->source);
  g_free (event->hints.list_id);
  g_free (event->hints.campaign_id);
  g_free (event->hints.subscriber_id);
  g_free (event->hints.provider);
  g_free (event->hints.job_id);
  g_free (event->hints.message_id);
  g_free (event);
}

const char *
event_kind_name (event_kind kind)
{
  return (unsigned) kind < EVENT_KIND_COUNT ? event_kind_names[kind] : "unknown";
}

const char *
event_class_name (event_class klass)
{
  return (unsigned) klass < EVENT_CLASS_COUNT ? event_class_names[klass] : "none";
}

/* event_name_index - index of NAME in NAMES[0..N), or -1. */
static int
event_name_index (const char *const *names, int n, const char *name)
{
  for (int i = 0; name != NULL && i < n; i++)
    if (g_ascii_strcasecmp (names[i], name) == 0)
      return i;
  return -1;
}

gboolean
event_kind_parse (const char *name, event_kind *kind)
{
  int i = event_name_index (event_kind_names, EVENT_KIND_COUNT, name);

  if (i < 0)
    return FALSE;
  *kind = (event_kind) i;
  return TRUE;
}

gboolean
event_class_parse (const char *name, event_class *klass)
{
  int i = event_name_index (event_class_names, EVENT_CLASS_COUNT, name);

  if (i < 0)
    return FALSE;
  *klass = (event_class) i;
  return TRUE;
}

char *
event_normalize_address (const char *address)
{
  g_autofree char *trimmed = NULL;
  g_autofree char *domain = NULL;
  const char *at;
  char *s;
  gsize len;

  if (address == NULL || !g_utf8_validate (address, -1, NULL))
    return NULL;
  trimmed = g_strstrip (g_strdup (address));
  s = trimmed;
  len = strlen (s);
  if (len >= 2 && s[0] == '<' && s[len - 1] == '>') {
    s[len - 1] = '\0';
    s++;
  }
  for (const char *p = s; *p; p++)
    if ((unsigned char) *p < 0x20 || *p == 0x7f)
      return NULL;
  at = strrchr (s, '@');
  if (at == NULL || at == s || at[1] == '\0')
    return NULL;
  {
    gboolean ascii = TRUE;

    for (const char *p = at + 1; *p; p++)
      if ((unsigned char) *p >= 0x80)
        ascii = FALSE;
    if (ascii) {
      char *out = g_strdup (s);

      for (char *p = out + (at - s) + 1; *p; p++)
        *p = g_ascii_tolower (*p);
      return out;
    }
  }
  {
    g_autofree char *nfc = g_utf8_normalize (at + 1, -1, G_NORMALIZE_NFC);

    if (nfc == NULL)
      return NULL;
    domain = g_utf8_strdown (nfc, -1);
  }
  return g_strdup_printf ("%.*s@%s", (int) (at - s), s, domain);
}

char *
event_field_address (const char *value)
{
  g_autofree char *copy = NULL;
  const char *semi;
  char *s, *lt, *gt;
  gsize n;

  if (value == NULL)
    return NULL;
  semi = strchr (value, ';');
  copy = g_strdup (semi != NULL && strchr (value, '@') > semi ? semi + 1 : value);
  s = g_strstrip (copy);
  if ((lt = strchr (s, '<')) != NULL && (gt = strchr (lt, '>')) != NULL && strchr (lt, '@') < gt) {
    *gt = '\0';
    s = lt + 1;
  }
  while (*s == '"' || *s == '\'' || *s == '(')
    s++;
  n = strlen (s);
  while (n > 0 && strchr ("\"').),:", s[n - 1]) != NULL)
    s[--n] = '\0';
  return event_normalize_address (s);
}
