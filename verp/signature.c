/* SPDX-License-Identifier: MIT */
/* signature - recoil's signed return-path and unsubscribe local parts.
 *
 * The format is documented in verp/FORMAT.md; in short:
 *
 *   KIND "1" STAMP TAG [".l" LIST] [".c" CAMPAIGN] [".s" SUBSCRIBER]
 *   [".k" CASEMASK] "-" LOCAL "=" DOMAIN
 *
 * KIND is 'b' or 'u', STAMP four base32 characters of the day number, TAG
 * eight base32 characters (40 bits) of HMAC-SHA256 over the decoded values.
 * Everything is lower case; the upper-case letters of the subscriber's local
 * part are restored from CASEMASK.  Bytes outside a small safe set are
 * escaped as "~" and two hex digits.  There is exactly one spelling of each
 * address: decoding re-encodes the values it read and refuses anything that
 * does not come out byte for byte the same.
 *
 * STANDARDS: RFC 2104 and FIPS 180-4 (HMAC-SHA256, through GLib's GHmac);
 * RFC 4648 section 6 (base32 alphabet); RFC 5322 3.2.3 (dot-atom: only
 * atext, no leading, trailing or double dots); RFC 5890 (IDNA A-labels).
 */
#include "config.h"

#include <string.h>

#include "base32.h"
#include "signature.h"

#define SIGNATURE_VERSION '1'
#define SIGNATURE_STAMP_CHARS 4 /* 20 bits of day number: until year 4840 */
#define SIGNATURE_TAG_CHARS 8   /* 40 bits of HMAC-SHA256 */
#define SIGNATURE_HEADER (2 + SIGNATURE_STAMP_CHARS + SIGNATURE_TAG_CHARS)
#define SIGNATURE_MAX_DAY ((G_GINT64_CONSTANT (1) << (5 * SIGNATURE_STAMP_CHARS)) - 1)

/* The decoded values of one signed local part. */
struct signature_parts {
  char kind;
  gint64 day;
  char *local;                        /* the subscriber's local part, case as sent */
  char *domain;                       /* ASCII: IDNA A-labels in lower case, or [literal] */
  char *list, *campaign, *subscriber; /* NULL when absent */
};

/* signature_parts_clear - free what PARTS owns. */
static void
signature_parts_clear (struct signature_parts *parts)
{
  g_free (parts->local);
  g_free (parts->domain);
  g_free (parts->list);
  g_free (parts->campaign);
  g_free (parts->subscriber);
  memset (parts, 0, sizeof *parts);
}

/* signature_hex - append byte C as "~" and two lower-case hex digits. */
static void
signature_hex (GString *out, unsigned char c)
{
  static const char hex[] = "0123456789abcdef";

  g_string_append_c (out, '~');
  g_string_append_c (out, hex[c >> 4]);
  g_string_append_c (out, hex[c & 15]);
}

/* signature_escape_local - the subscriber's local part: a-z 0-9 - _ + =
 * as they are, A-Z lowered (their case goes in the mask), '.' as it is
 * unless it follows a '.', everything else escaped.  MASK collects one bit
 * per letter, set for upper case. */
static void
signature_escape_local (GString *out, const char *local, GArray *mask)
{
  gboolean last_dot = FALSE;

  for (const unsigned char *p = (const unsigned char *) local; *p; p++) {
    unsigned char c = *p;
    gboolean upper = c >= 'A' && c <= 'Z';

    if (upper || (c >= 'a' && c <= 'z')) {
      g_array_append_val (mask, upper);
      g_string_append_c (out, (char) g_ascii_tolower (c));
    } else if ((c >= '0' && c <= '9') || c == '-' || c == '_' || c == '+' || c == '=') {
      g_string_append_c (out, (char) c);
    } else if (c == '.' && !last_dot) {
      g_string_append_c (out, '.');
    } else {
      signature_hex (out, c);
    }
    last_dot = c == '.' && out->str[out->len - 1] == '.';
  }
}

/* signature_escape_plain - an id (RAW_DOT FALSE: a-z 0-9 _ as they are) or
 * a domain (RAW_DOT TRUE: also '.' and '-'); everything else escaped. */
static void
signature_escape_plain (GString *out, const char *text, gboolean raw_dot)
{
  for (const unsigned char *p = (const unsigned char *) text; *p; p++) {
    unsigned char c = *p;

    if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || (raw_dot && (c == '.' || c == '-')))
      g_string_append_c (out, (char) c);
    else
      signature_hex (out, c);
  }
}

/* signature_mask - the case mask: bit i of the letters in groups of five,
 * the first letter in the lowest bit of the first character, trailing zero
 * groups dropped.  Empty when no letter is upper case. */
static void
signature_mask (GString *out, const GArray *mask)
{
  gsize groups = (mask->len + 4) / 5;
  gsize start = out->len;
  gsize keep = 0;

  for (gsize g = 0; g < groups; g++) {
    unsigned v = 0;

    for (gsize t = 0; t < 5 && 5 * g + t < mask->len; t++)
      if (g_array_index (mask, gboolean, 5 * g + t))
        v |= 1u << t;
    g_string_append_c (out, base32_char (v));
    if (v != 0)
      keep = g + 1;
  }
  g_string_truncate (out, start + keep);
}

/* signature_build - the canonical local part of PARTS with TAG (8 chars). */
static char *
signature_build (const struct signature_parts *parts, const char *tag)
{
  GString *out = g_string_sized_new (64);
  g_autoptr (GArray) mask = g_array_new (FALSE, FALSE, sizeof (gboolean));
  g_autoptr (GString) local = g_string_new (NULL);
  g_autoptr (GString) case_mask = g_string_new (NULL);
  char stamp[SIGNATURE_STAMP_CHARS];
  const struct {
    char key;
    const char *value;
  } fields[] = { { 'l', parts->list }, { 'c', parts->campaign }, { 's', parts->subscriber } };

  base32_encode_bits ((guint64) parts->day, SIGNATURE_STAMP_CHARS, stamp);
  g_string_append_c (out, parts->kind);
  g_string_append_c (out, SIGNATURE_VERSION);
  g_string_append_len (out, stamp, SIGNATURE_STAMP_CHARS);
  g_string_append_len (out, tag, SIGNATURE_TAG_CHARS);
  for (gsize i = 0; i < G_N_ELEMENTS (fields); i++) {
    if (fields[i].value == NULL)
      continue;
    g_string_append_c (out, '.');
    g_string_append_c (out, fields[i].key);
    signature_escape_plain (out, fields[i].value, FALSE);
  }
  signature_escape_local (local, parts->local, mask);
  signature_mask (case_mask, mask);
  if (case_mask->len > 0) {
    g_string_append (out, ".k");
    g_string_append_len (out, case_mask->str, case_mask->len);
  }
  g_string_append_c (out, '-');
  g_string_append_len (out, local->str, local->len);
  g_string_append_c (out, '=');
  signature_escape_plain (out, parts->domain, TRUE);
  return g_string_free (out, FALSE);
}

/* signature_tag - the tag of PARTS under SECRET: the first 40 bits of
 * HMAC-SHA256(SECRET, "recoil1" NUL kind NUL day NUL local NUL domain NUL
 * list NUL campaign NUL subscriber), in base32, written to TAG. */
static void
signature_tag (const struct signature_parts *parts, const char *secret, char tag[SIGNATURE_TAG_CHARS])
{
  g_autoptr (GHmac) hmac = g_hmac_new (G_CHECKSUM_SHA256, (const guchar *) secret, strlen (secret));
  g_autofree char *day = g_strdup_printf ("%" G_GINT64_FORMAT, parts->day);
  const char *values[] = { "recoil1",
                           NULL,
                           day,
                           parts->local,
                           parts->domain,
                           parts->list ? parts->list : "",
                           parts->campaign ? parts->campaign : "",
                           parts->subscriber ? parts->subscriber : "" };
  char kind[2] = { parts->kind, '\0' };
  guint8 digest[32];
  gsize len = sizeof digest;
  guint64 bits = 0;

  values[1] = kind;
  for (gsize i = 0; i < G_N_ELEMENTS (values); i++) {
    if (i > 0)
      g_hmac_update (hmac, (const guchar *) "", 1);
    g_hmac_update (hmac, (const guchar *) values[i], strlen (values[i]));
  }
  g_hmac_get_digest (hmac, digest, &len);
  for (int i = 0; i < 5; i++)
    bits = (bits << 8) | digest[i];
  base32_encode_bits (bits, SIGNATURE_TAG_CHARS, tag);
}

/* signature_tag_equal - compare two tags in constant time. */
static gboolean
signature_tag_equal (const char *a, const char *b)
{
  unsigned diff = 0;

  for (int i = 0; i < SIGNATURE_TAG_CHARS; i++)
    diff |= (unsigned char) a[i] ^ (unsigned char) b[i];
  return diff == 0;
}

/* signature_text_ok - valid UTF-8 without control characters. */
static gboolean
signature_text_ok (const char *text)
{
  if (!g_utf8_validate (text, -1, NULL))
    return FALSE;
  for (const unsigned char *p = (const unsigned char *) text; *p; p++)
    if (*p < 0x20 || *p == 0x7f)
      return FALSE;
  return TRUE;
}

/* signature_domain_ascii - DOMAIN as lower-case ASCII (IDNA A-labels), an
 * address literal kept as it is; NULL when it is not a usable domain. */
static char *
signature_domain_ascii (const char *domain)
{
  g_autofree char *ascii = NULL;
  gsize len = strlen (domain);

  if (len >= 2 && domain[0] == '[' && domain[len - 1] == ']') {
    for (const char *p = domain + 1; p < domain + len - 1; p++)
      if (!g_ascii_isalnum (*p) && *p != '.' && *p != ':' && *p != '-')
        return NULL;
    return g_ascii_strdown (domain, -1);
  }
  ascii = g_hostname_to_ascii (domain);
  if (ascii == NULL || *ascii == '\0' || ascii[0] == '.' || strstr (ascii, "..") != NULL)
    return NULL;
  for (const char *p = ascii; *p; p++)
    if (!g_ascii_isalnum (*p) && *p != '.' && *p != '-')
      return NULL;
  {
    gsize n = strlen (ascii);

    if (ascii[n - 1] == '.')
      ascii[n - 1] = '\0'; /* a root dot is not part of the name */
  }
  return g_ascii_strdown (ascii, -1);
}

/* signature_set_id - copy ID into *DST when present; FALSE if unusable. */
static gboolean
signature_set_id (char **dst, const char *id, const char *what, GError **error)
{
  if (id == NULL || *id == '\0')
    return TRUE;
  if (strlen (id) > VERP_MAX_ID || !signature_text_ok (id)) {
    g_set_error (error, VERP_ERROR, VERP_ERROR_ID, "%s id must be at most %d characters of text", what,
                 VERP_MAX_ID);
    return FALSE;
  }
  *dst = g_strdup (id);
  return TRUE;
}

char *
signature_encode (verp_kind kind, const char *address, const struct verp_ids *ids, const char *secret,
                  gint64 day, GError **error)
{
  struct signature_parts parts = { 0 };
  const char *at;
  char tag[SIGNATURE_TAG_CHARS];
  char *result = NULL;

  if (secret == NULL || *secret == '\0') {
    g_set_error_literal (error, VERP_ERROR, VERP_ERROR_SECRET, "no secret to sign with");
    return NULL;
  }
  if (address == NULL || strlen (address) > VERP_MAX_ADDRESS || !signature_text_ok (address)
      || (at = strrchr (address, '@')) == NULL || at == address || at[1] == '\0') {
    g_set_error (error, VERP_ERROR, VERP_ERROR_ADDRESS,
                 "\"%s\" is not an address (local@domain, at most %d characters)", address ? address : "",
                 VERP_MAX_ADDRESS);
    return NULL;
  }
  if (day < 0 || day > SIGNATURE_MAX_DAY) {
    g_set_error (error, VERP_ERROR, VERP_ERROR_ADDRESS, "day %" G_GINT64_FORMAT " is out of range", day);
    return NULL;
  }
  parts.kind = (char) kind;
  parts.day = day;
  parts.local = g_strndup (address, (gsize) (at - address));
  parts.domain = signature_domain_ascii (at + 1);
  if (parts.domain == NULL) {
    g_set_error (error, VERP_ERROR, VERP_ERROR_ADDRESS, "\"%s\" is not a domain name", at + 1);
    goto out;
  }
  if (ids != NULL
      && (!signature_set_id (&parts.list, ids->list, "list", error)
          || !signature_set_id (&parts.campaign, ids->campaign, "campaign", error)
          || !signature_set_id (&parts.subscriber, ids->subscriber, "subscriber", error)))
    goto out;
  signature_tag (&parts, secret, tag);
  result = signature_build (&parts, tag);
out:
  signature_parts_clear (&parts);
  return result;
}

/* signature_unescape - decode ~xx escapes of TEXT[0..LEN); NULL when an
 * escape is broken or yields NUL. */
static char *
signature_unescape (const char *text, gsize len)
{
  GString *out = g_string_sized_new (len);

  for (gsize i = 0; i < len; i++) {
    if (text[i] != '~') {
      g_string_append_c (out, text[i]);
      continue;
    }
    if (i + 2 >= len || !g_ascii_isxdigit (text[i + 1]) || !g_ascii_isxdigit (text[i + 2])
        || (g_ascii_xdigit_value (text[i + 1]) == 0 && g_ascii_xdigit_value (text[i + 2]) == 0)) {
      g_string_free (out, TRUE);
      return NULL;
    }
    g_string_append_c (out,
                       (char) (g_ascii_xdigit_value (text[i + 1]) * 16 + g_ascii_xdigit_value (text[i + 2])));
    i += 2;
  }
  return g_string_free (out, FALSE);
}

/* signature_apply_mask - raise the letters of LOCAL whose bit is set in the
 * base32 MASK text; FALSE when the mask is not base32. */
static gboolean
signature_apply_mask (char *local, const char *mask)
{
  gsize letter = 0;

  for (char *p = local; *p; p++) {
    int v;

    if (!g_ascii_isalpha (*p))
      continue;
    if (letter / 5 < strlen (mask)) {
      if ((v = base32_value (mask[letter / 5])) < 0)
        return FALSE;
      if (v & (1 << (letter % 5)))
        *p = g_ascii_toupper (*p);
    }
    letter++;
  }
  return TRUE;
}

/* signature_parse - split the lower-cased local part S (after the fixed
 * header) into PARTS; a static problem on failure, NULL on success. */
static const char *
signature_parse (const char *s, struct signature_parts *parts)
{
  static const char order[] = "lcsk";
  g_autofree char *mask = NULL;
  const char *p = s + SIGNATURE_HEADER;
  const char *addr, *eq;
  int next = 0;

  while (*p == '.') {
    const char *key = p[1] != '\0' ? strchr (order + next, p[1]) : NULL;
    const char *end;
    char **dst;

    if (key == NULL)
      return "unknown or repeated field";
    end = p + 2 + strcspn (p + 2, ".-");
    next = (int) (key - order) + 1;
    dst = *key == 'l'   ? &parts->list
          : *key == 'c' ? &parts->campaign
          : *key == 's' ? &parts->subscriber
                        : &mask;
    *dst = *key == 'k' ? g_strndup (p + 2, (gsize) (end - p - 2))
                       : signature_unescape (p + 2, (gsize) (end - p - 2));
    if (*dst == NULL || **dst == '\0')
      return "empty or badly escaped field";
    p = end;
  }
  if (*p != '-')
    return "no '-' before the address";
  addr = p + 1;
  eq = strrchr (addr, '=');
  if (eq == NULL || eq == addr || eq[1] == '\0')
    return "no local=domain address";
  parts->local = signature_unescape (addr, (gsize) (eq - addr));
  parts->domain = signature_unescape (eq + 1, strlen (eq + 1));
  if (parts->local == NULL || parts->domain == NULL)
    return "badly escaped address";
  if (mask != NULL && !signature_apply_mask (parts->local, mask))
    return "bad case mask";
  return NULL;
}

/* signature_unicode_domain - the domain as people write it (U-labels). */
static char *
signature_unicode_domain (const char *ascii)
{
  char *unicode;

  if (strstr (ascii, "xn--") == NULL)
    return g_strdup (ascii);
  unicode = g_hostname_to_unicode (ascii);
  return unicode != NULL ? unicode : g_strdup (ascii);
}

gboolean
signature_decode (const char *local_part, const struct verp_params *params, struct verp_result *out)
{
  struct signature_parts parts = { 0 };
  g_autofree char *lower = NULL;
  g_autofree char *canonical = NULL;
  char tag[SIGNATURE_TAG_CHARS];
  const char *problem;
  guint64 day = 0;
  gsize len = strlen (local_part);
  gint64 today;

  if (len < SIGNATURE_HEADER + 4 || len > VERP_MAX_LOCAL)
    return FALSE;
  lower = g_ascii_strdown (local_part, (gssize) len);
  if ((lower[0] != VERP_KIND_BOUNCE && lower[0] != VERP_KIND_UNSUB) || lower[1] != SIGNATURE_VERSION
      || !base32_decode_bits (lower + 2, SIGNATURE_STAMP_CHARS, &day)
      || !base32_decode_bits (lower + 2 + SIGNATURE_STAMP_CHARS, SIGNATURE_TAG_CHARS, &(guint64){ 0 }))
    return FALSE;

  /* From here on the local part is recoil's, whatever else is wrong. */
  out->scheme = VERP_SCHEME_RECOIL;
  out->signature = VERP_SIG_INVALID;
  out->stamp_day = (gint64) day;
  parts.kind = lower[0];
  parts.day = (gint64) day;
  if ((problem = signature_parse (lower, &parts)) != NULL) {
    out->problem = problem;
    goto out;
  }
  canonical = signature_build (&parts, lower + 2 + SIGNATURE_STAMP_CHARS);
  if (strcmp (canonical, lower) != 0) {
    out->problem = "not in canonical form";
    goto out;
  }
  {
    g_autofree char *domain = signature_unicode_domain (parts.domain);

    out->address = g_strdup_printf ("%s@%s", parts.local, domain);
  }
  out->list_id = g_strdup (parts.list);
  out->campaign_id = g_strdup (parts.campaign);
  out->subscriber_id = g_strdup (parts.subscriber);

  if (parts.kind != (char) params->kind) {
    out->problem = parts.kind == VERP_KIND_UNSUB ? "an unsubscribe address used as a return path"
                                                 : "a return path used as an unsubscribe address";
    goto out;
  }
  if (params->secret == NULL || *params->secret == '\0') {
    out->problem = "no secret configured to verify with";
    goto out;
  }
  signature_tag (&parts, params->secret, tag);
  if (!signature_tag_equal (tag, lower + 2 + SIGNATURE_STAMP_CHARS)) {
    gboolean ok = FALSE;

    if (params->secret_previous != NULL && *params->secret_previous != '\0') {
      signature_tag (&parts, params->secret_previous, tag);
      ok = signature_tag_equal (tag, lower + 2 + SIGNATURE_STAMP_CHARS);
    }
    if (!ok) {
      out->problem = "the tag does not match (forged or altered)";
      goto out;
    }
    out->previous_key = TRUE;
  }
  today = params->now >= 0 ? params->now / 86400 : -1;
  if ((gint64) day > today + 1) {
    out->problem = "the stamp is in the future";
    goto out;
  }
  if ((today - (gint64) day) * 86400 > params->max_age) {
    out->problem = "the stamp is older than max_age";
    goto out;
  }
  out->signature = VERP_SIG_VALID;
out:
  signature_parts_clear (&parts);
  return TRUE;
}
