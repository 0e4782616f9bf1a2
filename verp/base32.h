/* SPDX-License-Identifier: MIT */
/* base32 - RFC 4648 base32 in lower case, without padding
 *
 * The alphabet a-z2-7 survives an MTA that lower-cases a local part, and
 * decoding accepts either case.  Used for the day stamp, the tag and the
 * case mask of recoil's signed addresses.
 */
#ifndef RECOIL_BASE32_H
#define RECOIL_BASE32_H

#include <glib.h>

/* base32_encode_bits - write the low NCHARS*5 bits of VALUE, most
 * significant first, as NCHARS characters to OUT (no NUL added). */
void base32_encode_bits (guint64 value, gsize nchars, char *out);

/* base32_decode_bits - the inverse for NCHARS (at most 12) characters of
 * TEXT; FALSE when one is outside the alphabet (either case). */
gboolean base32_decode_bits (const char *text, gsize nchars, guint64 *value);

/* base32_value - the value of one character, or -1. */
int base32_value (char c);

/* base32_char - the character for V (0..31). */
char base32_char (unsigned v);

#endif
