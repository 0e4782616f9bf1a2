/* SPDX-License-Identifier: MIT */
/* punycode - RFC 3492 Punycode and the ACE form of domain names
 *
 * Internationalised domain labels travel as "xn--" plus the Punycode of
 * the label.  GMime turns such domains of the addresses it parses into
 * UTF-8; the statically linked recoil does that with these functions
 * instead of libidn2 (mime/gmime-static.c).  Only the conversion is done
 * here, not IDNA2008's table of permitted code points: recoil reads
 * addresses, it never decides whether a name may be registered.
 */
#ifndef RECOIL_PUNYCODE_H
#define RECOIL_PUNYCODE_H

#include <glib.h>

/* punycode_decode - the code points of Punycode INPUT (LEN bytes, without
 * the "xn--" prefix), appended to OUT as UTF-8.  FALSE for input that is
 * not valid Punycode (OUT is then left as it was). */
gboolean punycode_decode (const char *input, gsize len, GString *out);

/* punycode_encode - the Punycode of the UTF-8 LABEL (LEN bytes) appended
 * to OUT.  FALSE for invalid UTF-8 or a label too long to encode. */
gboolean punycode_encode (const char *label, gsize len, GString *out);

/* punycode_domain_to_utf8 - DOMAIN with each "xn--" label decoded, or NULL
 * when one of them is not valid Punycode or decodes to nothing but ASCII.
 * Caller frees. */
char *punycode_domain_to_utf8 (const char *domain);

/* punycode_domain_to_ascii - UTF-8 DOMAIN with each label that is not
 * plain ASCII NFC-normalised, lower-cased and written as "xn--" Punycode,
 * or NULL for invalid UTF-8.  Caller frees. */
char *punycode_domain_to_ascii (const char *domain);

#endif
