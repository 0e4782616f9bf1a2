/* SPDX-License-Identifier: MIT */
/* punycode - RFC 3492 Punycode and the ACE form of domain names
 *
 * The bootstring parameters and the steps below are those of RFC 3492
 * sections 5 and 6.  Labels are short (DNS allows 63 octets), so code
 * points are kept in a fixed array and anything longer is refused.
 */
#include "punycode.h"

#include <string.h>

enum {
  PUNY_BASE = 36,
  PUNY_TMIN = 1,
  PUNY_TMAX = 26,
  PUNY_SKEW = 38,
  PUNY_DAMP = 700,
  PUNY_INITIAL_BIAS = 72,
  PUNY_INITIAL_N = 0x80,
  PUNY_MAX_POINTS = 256 /* code points per label, well above DNS's 63 octets */
};

#define PUNY_MAXINT G_MAXUINT32

/* punycode_adapt - the bias adaptation function of RFC 3492 6.1. */
static guint32
punycode_adapt (guint32 delta, guint32 points, gboolean first)
{
  guint32 k = 0;

  delta = first ? delta / PUNY_DAMP : delta / 2;
  delta += delta / points;
  while (delta > ((PUNY_BASE - PUNY_TMIN) * PUNY_TMAX) / 2) {
    delta /= PUNY_BASE - PUNY_TMIN;
    k += PUNY_BASE;
  }
  return k + (PUNY_BASE - PUNY_TMIN + 1) * delta / (delta + PUNY_SKEW);
}

/* punycode_threshold - t for position K with BIAS (RFC 3492 6.2). */
static guint32
punycode_threshold (guint32 k, guint32 bias)
{
  if (k <= bias)
    return PUNY_TMIN;
  if (k >= bias + PUNY_TMAX)
    return PUNY_TMAX;
  return k - bias;
}

/* punycode_digit_value - the value of digit C, or -1. */
static int
punycode_digit_value (char c)
{
  if (c >= 'a' && c <= 'z')
    return c - 'a';
  if (c >= 'A' && c <= 'Z')
    return c - 'A';
  if (c >= '0' && c <= '9')
    return c - '0' + 26;
  return -1;
}

/* punycode_digit - the (lower-case) digit for value D < 36. */
static char
punycode_digit (guint32 d)
{
  return d < 26 ? (char) ('a' + d) : (char) ('0' + d - 26);
}

gboolean
punycode_decode (const char *input, gsize len, GString *out)
{
  gunichar points[PUNY_MAX_POINTS];
  guint32 n = PUNY_INITIAL_N, i = 0, bias = PUNY_INITIAL_BIAS, count = 0;
  gsize b = 0, in;

  if (len > PUNY_MAX_POINTS * 4)
    return FALSE;
  for (gsize j = 0; j < len; j++)
    if (input[j] == '-')
      b = j;
  for (gsize j = 0; j < b; j++) {
    if ((unsigned char) input[j] >= 0x80)
      return FALSE;
    points[count++] = (unsigned char) input[j];
  }
  in = b > 0 ? b + 1 : 0;
  while (in < len) {
    guint32 oldi = i, w = 1;

    for (guint32 k = PUNY_BASE;; k += PUNY_BASE) {
      int digit;
      guint32 t;

      if (in >= len || (digit = punycode_digit_value (input[in++])) < 0)
        return FALSE;
      if ((guint32) digit > (PUNY_MAXINT - i) / w)
        return FALSE;
      i += (guint32) digit * w;
      t = punycode_threshold (k, bias);
      if ((guint32) digit < t)
        break;
      if (w > PUNY_MAXINT / (PUNY_BASE - t))
        return FALSE;
      w *= PUNY_BASE - t;
    }
    if (count >= PUNY_MAX_POINTS)
      return FALSE;
    bias = punycode_adapt (i - oldi, count + 1, oldi == 0);
    if (i / (count + 1) > PUNY_MAXINT - n)
      return FALSE;
    n += i / (count + 1);
    i %= count + 1;
    if (n < PUNY_INITIAL_N || n > 0x10FFFF || (n >= 0xD800 && n <= 0xDFFF))
      return FALSE;
    memmove (points + i + 1, points + i, (count - i) * sizeof points[0]);
    points[i++] = n;
    count++;
  }
  for (guint32 j = 0; j < count; j++)
    g_string_append_unichar (out, points[j]);
  return TRUE;
}

gboolean
punycode_encode (const char *label, gsize len, GString *out)
{
  gunichar points[PUNY_MAX_POINTS];
  guint32 n = PUNY_INITIAL_N, delta = 0, bias = PUNY_INITIAL_BIAS, count = 0, h, b;
  const char *p = label, *end = label + len;
  gsize mark = out->len;

  if (!g_utf8_validate (label, (gssize) len, NULL))
    return FALSE;
  while (p < end) {
    if (count >= PUNY_MAX_POINTS)
      return FALSE;
    points[count++] = g_utf8_get_char (p);
    p = g_utf8_next_char (p);
  }
  for (guint32 j = 0; j < count; j++)
    if (points[j] < 0x80)
      g_string_append_c (out, (char) points[j]);
  h = b = (guint32) (out->len - mark);
  if (b > 0)
    g_string_append_c (out, '-');
  while (h < count) {
    guint32 m = PUNY_MAXINT;

    for (guint32 j = 0; j < count; j++)
      if (points[j] >= n && points[j] < m)
        m = points[j];
    if (m - n > (PUNY_MAXINT - delta) / (h + 1))
      goto overflow;
    delta += (m - n) * (h + 1);
    n = m;
    for (guint32 j = 0; j < count; j++) {
      if (points[j] < n && ++delta == 0)
        goto overflow;
      if (points[j] == n) {
        guint32 q = delta;

        for (guint32 k = PUNY_BASE;; k += PUNY_BASE) {
          guint32 t = punycode_threshold (k, bias);

          if (q < t)
            break;
          g_string_append_c (out, punycode_digit (t + (q - t) % (PUNY_BASE - t)));
          q = (q - t) / (PUNY_BASE - t);
        }
        g_string_append_c (out, punycode_digit (q));
        bias = punycode_adapt (delta, h + 1, h == b);
        delta = 0;
        h++;
      }
    }
    delta++;
    n++;
  }
  return TRUE;

overflow:
  g_string_truncate (out, mark);
  return FALSE;
}

char *
punycode_domain_to_utf8 (const char *domain)
{
  GString *out = g_string_new (NULL);
  gboolean changed = FALSE;
  const char *label = domain;

  for (;;) {
    const char *dot = strchr (label, '.');
    gsize len = dot != NULL ? (gsize) (dot - label) : strlen (label);

    if (len > 4 && g_ascii_strncasecmp (label, "xn--", 4) == 0) {
      gsize mark = out->len;
      gboolean ascii = TRUE;

      if (!punycode_decode (label + 4, len - 4, out))
        goto fail;
      for (gsize j = mark; j < out->len; j++)
        if ((unsigned char) out->str[j] >= 0x80)
          ascii = FALSE;
      if (ascii)
        goto fail;
      changed = TRUE;
    } else {
      g_string_append_len (out, label, (gssize) len);
    }
    if (dot == NULL)
      break;
    g_string_append_c (out, '.');
    label = dot + 1;
  }
  if (changed)
    return g_string_free (out, FALSE);
fail:
  g_string_free (out, TRUE);
  return NULL;
}

char *
punycode_domain_to_ascii (const char *domain)
{
  g_autofree char *nfc = NULL;
  g_autofree char *lower = NULL;
  GString *out;
  const char *label;

  if (!g_utf8_validate (domain, -1, NULL))
    return NULL;
  nfc = g_utf8_normalize (domain, -1, G_NORMALIZE_NFC);
  if (nfc == NULL)
    return NULL;
  lower = g_utf8_strdown (nfc, -1);
  out = g_string_new (NULL);
  label = lower;
  for (;;) {
    const char *dot = strchr (label, '.');
    gsize len = dot != NULL ? (gsize) (dot - label) : strlen (label);
    gboolean ascii = TRUE;

    for (gsize j = 0; j < len; j++)
      if ((unsigned char) label[j] >= 0x80)
        ascii = FALSE;
    if (ascii) {
      g_string_append_len (out, label, (gssize) len);
    } else {
      g_string_append (out, "xn--");
      if (!punycode_encode (label, len, out)) {
        g_string_free (out, TRUE);
        return NULL;
      }
    }
    if (dot == NULL)
      break;
    g_string_append_c (out, '.');
    label = dot + 1;
  }
  return g_string_free (out, FALSE);
}
