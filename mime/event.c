/* SPDX-License-Identifier: MIT */
/* event - allocation, names and address normalisation for events.
 *
 * STANDARDS: RFC 5321 2.4 (local parts are case-sensitive to the sender,
 * domains are not), RFC 6531 (UTF-8 addresses).
 */
#include "config.h"

#include <string.h>

#include "event.h"

static const char *const event_kind_names[EVENT_KIND_COUNT] = { "unknown",     "bounce",    "complaint",
                                                                "unsubscribe", "autoreply", "delivered",
                                                                "delayed" };

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

/* event_local_ok - whether LOCAL[0..LEN) is a local part: a dot-atom of
 * RFC 5322 atext (and UTF-8, RFC 6531), dots anywhere (real mailboxes have
 * them doubled or last), or a quoted string of printable characters
 * with backslash escapes.  RFC 5321 4.5.3.1.1: at most 64 octets. */
static gboolean
event_local_ok (const char *local, gsize len)
{
  static const char atext[] = "!#$%&'*+-/=?^_`{|}~.";

  if (len == 0 || len > 64)
    return FALSE;
  if (local[0] == '"') {
    if (len < 2 || local[len - 1] != '"')
      return FALSE;
    for (gsize i = 1; i < len - 1; i++) {
      unsigned char c = (unsigned char) local[i];

      if (c == '\\') {
        if (++i >= len - 1)
          return FALSE;
      } else if (c == '"' || c < 0x20 || c == 0x7f) {
        return FALSE;
      }
    }
    return TRUE;
  }
  for (gsize i = 0; i < len; i++) {
    unsigned char c = (unsigned char) local[i];

    if (!(g_ascii_isalnum (c) || c >= 0x80 || strchr (atext, c) != NULL) || c == '\0')
      return FALSE;
  }
  return TRUE;
}

/* event_domain_ok - whether DOMAIN (no final dot) is a domain: labels of
 * letters, digits, '-' and '_' (or UTF-8), 1 to 63 octets, at least two
 * of them, at most 253 octets in all (RFC 1035 2.3.4, RFC 5321
 * 4.5.3.1.2); or an address literal, [192.0.2.1] or [IPv6:2001:db8::1]. */
static gboolean
event_domain_ok (const char *domain)
{
  gsize len = strlen (domain), label = 0, labels = 1;

  if (len == 0 || len > 253)
    return FALSE;
  if (domain[0] == '[') {
    const char *p = domain + 1;

    if (domain[len - 1] != ']' || len < 3)
      return FALSE;
    if (g_ascii_strncasecmp (p, "IPv6:", 5) == 0)
      p += 5;
    for (; p < domain + len - 1; p++)
      if (!g_ascii_isxdigit (*p) && *p != '.' && *p != ':')
        return FALSE;
    return TRUE;
  }
  for (const char *p = domain; *p; p++) {
    unsigned char c = (unsigned char) *p;

    if (c == '.') {
      if (label == 0)
        return FALSE;
      label = 0;
      labels++;
      continue;
    }
    if (!(g_ascii_isalnum (c) || c == '-' || c == '_' || c >= 0x80) || ++label > 63)
      return FALSE;
  }
  return label > 0 && labels >= 2;
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
  /* U+FFFD stands for bytes lost in decoding: not an address anyone has */
  if (strstr (s, "\xef\xbf\xbd") != NULL)
    return NULL;
  at = strrchr (s, '@');
  if (at == NULL || at == s || at[1] == '\0')
    return NULL;
  {
    /* a final dot is the root: the same domain */
    gsize n = strlen (at + 1);

    while (n > 0 && at[n] == '.')
      s[(at - s) + n--] = '\0';
  }
  if (strlen (s) > 254 || !event_local_ok (s, (gsize) (at - s)) || !event_domain_ok (at + 1))
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

/* event_uncomment - VALUE without RFC 5322 comments (parenthesised,
 * nested, outside quotes and angle brackets), or NULL when what is left
 * holds no '@' (the address itself was in parentheses). */
static char *
event_uncomment (const char *value)
{
  GString *out = g_string_sized_new (strlen (value));
  int depth = 0;
  gboolean quoted = FALSE, angle = FALSE;

  for (const char *p = value; *p; p++) {
    if (depth > 0) {
      if (*p == '\\' && p[1] != '\0')
        p++;
      else if (*p == '(')
        depth++;
      else if (*p == ')')
        depth--;
      continue;
    }
    if (*p == '"' && !angle)
      quoted = !quoted;
    else if (*p == '<' && !quoted)
      angle = TRUE;
    else if (*p == '>' && !quoted)
      angle = FALSE;
    else if (*p == '(' && !quoted && !angle) {
      depth = 1;
      g_string_append_c (out, ' ');
      continue;
    }
    g_string_append_c (out, *p);
  }
  if (strchr (out->str, '@') == NULL) {
    g_string_free (out, TRUE);
    return NULL;
  }
  return g_string_free (out, FALSE);
}

char *
event_field_address (const char *value)
{
  g_autofree char *copy = NULL;
  g_autofree char *plain = NULL;
  const char *semi;
  char *s, *lt, *gt;
  gsize n;

  if (value == NULL)
    return NULL;
  /* "rfc822; a@b (expanded from: <c@d>)": the comment names another
   * address, which is not this one */
  if (strchr (value, '(') != NULL && (plain = event_uncomment (value)) != NULL)
    value = plain;
  semi = strchr (value, ';');
  copy = g_strdup (semi != NULL && strchr (value, '@') > semi ? semi + 1 : value);
  s = g_strstrip (copy);
  {
    /* a source route, "<@relay.example:user@host>" (RFC 5321 4.1.2): the
     * mailbox is after its last colon */
    char *p = s[0] == '<' ? s + 1 : s;

    if (p[0] == '@') {
      char *colon = strrchr (p, ':');

      if (colon != NULL && strchr (colon, '@') != NULL)
        s = colon + 1;
    }
  }
  if ((lt = strchr (s, '<')) != NULL && (gt = strchr (lt, '>')) != NULL && strchr (lt, '@') < gt) {
    *gt = '\0';
    s = lt + 1;
  }
  /* a quoted local part ("john doe"@example.com) is the address itself;
   * other quotes and brackets around it are the text's */
  if (s[0] == '"' && strstr (s + 1, "\"@") != NULL) {
    char *quoted = event_normalize_address (s);

    if (quoted != NULL)
      return quoted;
  }
  while (*s == '"' || *s == '\'' || *s == '(')
    s++;
  n = strlen (s);
  while (n > 0 && strchr ("\"').),:", s[n - 1]) != NULL)
    s[--n] = '\0';
  return event_normalize_address (s);
}
