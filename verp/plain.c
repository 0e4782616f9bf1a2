/* SPDX-License-Identifier: MIT */
/* plain - Postfix/qmail VERP, the sentto- form and MailWizz's unsubscribe
 * local parts.  None of them is signed: anyone can write one, which is why
 * [verp] signature decides whether they are believed.
 *
 * STANDARDS: D. J. Bernstein, "Variable Envelope Return Paths" (1997);
 * Postfix VERP_README and verp_sender.c (no escaping; split the extension
 * on its last '=', because a local part may contain '=' but a domain may
 * not).
 */
#include "config.h"

#include <string.h>

#include "plain.h"

/* plain_domain_ok - a domain name or an address literal as it appears in a
 * VERP address: labels of letters, digits, '-' and UTF-8, at least one dot. */
static gboolean
plain_domain_ok (const char *domain)
{
  gsize len = strlen (domain);
  gboolean dot = FALSE;
  char prev = '.';

  if (len == 0 || len > 253)
    return FALSE;
  if (domain[0] == '[' && domain[len - 1] == ']')
    return len > 2;
  if (!g_utf8_validate (domain, (gssize) len, NULL))
    return FALSE;
  for (const char *p = domain; *p; p++) {
    if (*p == '.') {
      if (prev == '.')
        return FALSE;
      dot = TRUE;
    } else if (!g_ascii_isalnum (*p) && *p != '-' && (unsigned char) *p < 0x80) {
      return FALSE;
    }
    prev = *p;
  }
  return dot && prev != '.';
}

/* plain_local_ok - a non-empty local part without control characters. */
static gboolean
plain_local_ok (const char *local, gsize len)
{
  if (len == 0 || len > 64 * 4)
    return FALSE;
  for (gsize i = 0; i < len; i++)
    if ((unsigned char) local[i] < 0x20 || local[i] == 0x7f)
      return FALSE;
  return g_utf8_validate (local, (gssize) len, NULL);
}

/* plain_split - USER D2 DOMAIN in EXT, split on the last D2, into OUT. */
static gboolean
plain_split (const char *ext, char d2, verp_scheme scheme, struct verp_result *out)
{
  const char *sep = strrchr (ext, d2);
  g_autofree char *domain = NULL;

  if (sep == NULL || !plain_local_ok (ext, (gsize) (sep - ext)) || !plain_domain_ok (sep + 1))
    return FALSE;
  domain = g_utf8_strdown (sep + 1, -1);
  out->scheme = scheme;
  out->address = g_strdup_printf ("%.*s@%s", (int) (sep - ext), ext, domain);
  out->signature = VERP_SIG_ABSENT;
  return TRUE;
}

gboolean
plain_decode_postfix (const char *local_part, const struct verp_params *params, struct verp_result *out)
{
  const char *ext = strchr (local_part, params->delimiters[0]);

  if (ext == NULL || ext == local_part)
    return FALSE;
  return plain_split (ext + 1, params->delimiters[1], VERP_SCHEME_POSTFIX, out);
}

gboolean
plain_decode_sentto (const char *local_part, const struct verp_params *params, struct verp_result *out)
{
  if (g_ascii_strncasecmp (local_part, "sentto-", 7) != 0)
    return FALSE;
  return plain_split (local_part + 7, '=', VERP_SCHEME_SENTTO, out);
}

/* plain_id_ok - a MailWizz-style uid. */
static gboolean
plain_id_ok (const char *id)
{
  gsize len = strlen (id);

  if (len == 0 || len > VERP_MAX_ID)
    return FALSE;
  for (const char *p = id; *p; p++)
    if (!g_ascii_isalnum (*p) && *p != '_' && *p != '-')
      return FALSE;
  return TRUE;
}

gboolean
plain_decode_mailwizz (const char *local_part, const struct verp_params *params, struct verp_result *out)
{
  g_auto (GStrv) ids = g_strsplit (local_part, ".", 4);
  guint n = g_strv_length (ids);

  if (n == 0 || n > 3)
    return FALSE;
  for (guint i = 0; i < n; i++)
    if (!plain_id_ok (ids[i]))
      return FALSE;
  out->scheme = VERP_SCHEME_MAILWIZZ;
  out->subscriber_id = g_strdup (ids[0]);
  out->list_id = n > 1 ? g_strdup (ids[1]) : NULL;
  out->campaign_id = n > 2 ? g_strdup (ids[2]) : NULL;
  out->signature = VERP_SIG_ABSENT;
  return TRUE;
}
