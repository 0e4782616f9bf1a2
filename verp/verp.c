/* SPDX-License-Identifier: MIT */
/* verp - scheme dispatch, names, and unwrapping of BATV and SRS.
 *
 * STANDARDS: draft-levine-smtp-batv-01 (prvs=TAG=local); the Sender
 * Rewriting Scheme (SRS0=HASH=TT=domain=local, SRS1=...==...).
 */
#include "config.h"

#include <string.h>

#include "plain.h"
#include "signature.h"
#include "verp.h"

/* clang-format off */
G_DEFINE_QUARK (recoil-verp-error-quark, verp_error)
/* clang-format on */

static const char *const verp_scheme_names[VERP_SCHEME_COUNT] = { "none", "recoil", "postfix", "sentto",
                                                                  "mailwizz" };

typedef gboolean (*verp_decoder) (const char *, const struct verp_params *, struct verp_result *);

static const verp_decoder verp_decoders[VERP_SCHEME_COUNT] = { NULL, signature_decode, plain_decode_postfix,
                                                               plain_decode_sentto, plain_decode_mailwizz };

const char *
verp_scheme_name (verp_scheme scheme)
{
  return (unsigned) scheme < VERP_SCHEME_COUNT ? verp_scheme_names[scheme] : "none";
}

gboolean
verp_scheme_parse (const char *name, verp_scheme *scheme)
{
  for (int i = 1; name != NULL && i < VERP_SCHEME_COUNT; i++)
    if (g_ascii_strcasecmp (name, verp_scheme_names[i]) == 0) {
      *scheme = (verp_scheme) i;
      return TRUE;
    }
  return FALSE;
}

const char *
verp_sig_name (verp_sig sig)
{
  switch (sig) {
  case VERP_SIG_VALID: return "valid";
  case VERP_SIG_INVALID: return "invalid";
  default: return "absent";
  }
}

void
verp_result_clear (struct verp_result *out)
{
  g_free (out->address);
  g_free (out->list_id);
  g_free (out->campaign_id);
  g_free (out->subscriber_id);
  memset (out, 0, sizeof *out);
  out->stamp_day = -1;
}

char *
verp_encode (verp_kind kind, const char *address, const struct verp_ids *ids, const char *secret, gint64 day,
             GError **error)
{
  return signature_encode (kind, address, ids, secret, day, error);
}

gboolean
verp_decode (const char *local_part, const struct verp_params *params, struct verp_result *out)
{
  memset (out, 0, sizeof *out);
  out->stamp_day = -1;
  if (local_part == NULL || *local_part == '\0' || strlen (local_part) > VERP_MAX_LOCAL)
    return FALSE;
  for (gsize i = 0; i < params->n_schemes; i++) {
    verp_scheme s = params->schemes[i];

    if ((unsigned) s >= VERP_SCHEME_COUNT || verp_decoders[s] == NULL)
      continue;
    if (verp_decoders[s](local_part, params, out))
      return TRUE;
    verp_result_clear (out);
  }
  return FALSE;
}

/* verp_unwrap_token - TRUE when S[0..LEN) is 1 to 64 letters and digits. */
static gboolean
verp_unwrap_token (const char *s, gsize len)
{
  if (len == 0 || len > 64)
    return FALSE;
  for (gsize i = 0; i < len; i++)
    if (!g_ascii_isalnum (s[i]))
      return FALSE;
  return TRUE;
}

/* verp_unwrap_once - one layer off LOCAL@DOMAIN, or NULL when none. */
static char *
verp_unwrap_once (const char *local, const char *domain)
{
  if (g_ascii_strncasecmp (local, "prvs=", 5) == 0) {
    const char *tag = local + 5;
    const char *eq = strchr (tag, '=');

    if (eq != NULL && verp_unwrap_token (tag, (gsize) (eq - tag)) && eq[1] != '\0')
      return g_strdup_printf ("%s@%s", eq + 1, domain);
  }
  if (g_ascii_strncasecmp (local, "btv1==", 6) == 0) {
    const char *tag = local + 6;
    const char *eq = strstr (tag, "==");

    if (eq != NULL && verp_unwrap_token (tag, (gsize) (eq - tag)) && eq[2] != '\0')
      return g_strdup_printf ("%s@%s", eq + 2, domain);
  }
  if (g_ascii_strncasecmp (local, "SRS0", 4) == 0
      && (local[4] == '=' || local[4] == '+' || local[4] == '-')) {
    /* SRS0=HASH=TT=origdomain=local */
    g_auto (GStrv) f = g_strsplit (local + 5, "=", 4);

    if (g_strv_length (f) == 4 && *f[2] != '\0' && *f[3] != '\0' && strchr (f[2], '.') != NULL)
      return g_strdup_printf ("%s@%s", f[3], f[2]);
  }
  if (g_ascii_strncasecmp (local, "SRS1", 4) == 0
      && (local[4] == '=' || local[4] == '+' || local[4] == '-')) {
    /* SRS1=HASH=forwarder==HASH=TT=origdomain=local */
    const char *inner = strstr (local, "==");

    if (inner != NULL) {
      g_auto (GStrv) f = g_strsplit (inner + 2, "=", 4);

      if (g_strv_length (f) == 4 && *f[2] != '\0' && *f[3] != '\0' && strchr (f[2], '.') != NULL)
        return g_strdup_printf ("%s@%s", f[3], f[2]);
    }
  }
  return NULL;
}

char *
verp_unwrap (const char *address)
{
  char *current = g_strdup (address != NULL ? address : "");

  for (int depth = 0; depth < 8; depth++) {
    char *at = strrchr (current, '@');
    char *next;

    if (at == NULL)
      break;
    *at = '\0';
    next = verp_unwrap_once (current, at + 1);
    *at = '@';
    if (next == NULL)
      break;
    g_free (current);
    current = next;
  }
  return current;
}
