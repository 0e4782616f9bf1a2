/* SPDX-License-Identifier: MIT */
/* base32 - RFC 4648 section 6 alphabet, lower case, bit strings only.
 *
 * STANDARDS: RFC 4648 section 6 (alphabet); no padding is ever written,
 * because every field has a fixed or self-delimited length.
 */
#include "config.h"

#include "base32.h"

static const char base32_alphabet[] = "abcdefghijklmnopqrstuvwxyz234567";

char
base32_char (unsigned v)
{
  return base32_alphabet[v & 31];
}

int
base32_value (char c)
{
  if (c >= 'a' && c <= 'z')
    return c - 'a';
  if (c >= 'A' && c <= 'Z')
    return c - 'A';
  if (c >= '2' && c <= '7')
    return c - '2' + 26;
  return -1;
}

void
base32_encode_bits (guint64 value, gsize nchars, char *out)
{
  for (gsize i = 0; i < nchars; i++)
    out[i] = base32_char ((unsigned) (value >> (5 * (nchars - 1 - i))));
}

gboolean
base32_decode_bits (const char *text, gsize nchars, guint64 *value)
{
  guint64 v = 0;

  if (nchars > 12)
    return FALSE;
  for (gsize i = 0; i < nchars; i++) {
    int d = base32_value (text[i]);

    if (d < 0)
      return FALSE;
    v = (v << 5) | (guint64) d;
  }
  *value = v;
  return TRUE;
}
