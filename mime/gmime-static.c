/* SPDX-License-Identifier: MIT */
/* gmime-static - GMime's start for the statically linked recoil
 *
 * g_mime_init registers, besides the parser's types, GMime's OpenPGP and
 * S/MIME contexts (GPGME) and its GIO stream; linking it statically drags
 * GPGME, GIO, libmount, libblkid and libselinux into every `recoil mail`,
 * and resolving them costs more than parsing the mail.  recoil never signs,
 * verifies or decrypts, so this file starts GMime the way g_mime_init of
 * GMime 3.2 does, minus those parts; configure links it into src/recoil
 * ahead of libmime.a only after checking that it links against a 3.2
 * archive.  Signed and encrypted multiparts are then read as plain
 * multiparts, which is all recoil wants from them.
 *
 * It also supplies the three libidn2 functions GMime's address parser and
 * writer call, with recoil's own Punycode (punycode.c), so that the binary
 * can be linked fully statically: Debian ships no static libunistring.
 */
#include "gmime-setup.h"
#include "punycode.h"

#include <gmime/gmime.h>
#include <stdlib.h>

#if !GMIME_CHECK_VERSION(3, 2, 0) || GMIME_CHECK_VERSION(3, 3, 0)
#error "gmime-static.c mirrors g_mime_init of GMime 3.2; configure should not have chosen it"
#endif

/* defined in GMime's gmime.c, which is left out of the link */
GQuark gmime_error_quark;
GQuark gmime_gpgme_error_quark;

/* GMime 3.2's internal start-up functions (no public prototypes) */
void g_mime_format_options_init (void);
void g_mime_parser_options_init (void);

void
gmime_setup (void)
{
  /* the order of g_mime_init, without seeding rand () from the clock:
   * that serves the boundaries and Message-IDs GMime makes up when
   * writing, and recoil only reads */
  g_mime_format_options_init ();
  g_mime_parser_options_init ();
  g_mime_charset_map_init ();
  gmime_gpgme_error_quark = g_quark_from_static_string ("gmime-gpgme");
  gmime_error_quark = g_quark_from_static_string ("gmime");
  g_mime_object_type_registry_init ();
  g_mime_object_register_type ("*", "*", g_mime_part_get_type ());
  g_mime_object_register_type ("text", "*", g_mime_text_part_get_type ());
  g_mime_object_register_type ("multipart", "*", g_mime_multipart_get_type ());
  g_mime_object_register_type ("message", "rfc822", g_mime_message_part_get_type ());
  g_mime_object_register_type ("message", "rfc2822", g_mime_message_part_get_type ());
  g_mime_object_register_type ("message", "global", g_mime_message_part_get_type ());
  g_mime_object_register_type ("message", "news", g_mime_message_part_get_type ());
  g_mime_object_register_type ("message", "partial", g_mime_message_partial_get_type ());
}

/* libidn2's answer for input it cannot convert (IDN2_ENCODING_ERROR);
 * GMime then keeps the domain as it was written.  GMime releases what
 * these return with free (), which since GLib 2.46 also releases g_malloc's
 * memory. */
#define GMIME_STATIC_IDN2_ERROR (-200)

int idn2_to_unicode_8z8z (const char *input, char **output, int flags);
int idn2_to_ascii_8z (const char *input, char **output, int flags);
void idn2_free (void *ptr);

/* idn2_to_unicode_8z8z - a domain's "xn--" labels as UTF-8 (GMime calls it
 * for the domain of every address it parses). */
int
idn2_to_unicode_8z8z (const char *input, char **output, int flags)
{
  (void) flags;
  *output = input != NULL ? punycode_domain_to_utf8 (input) : NULL;
  return *output != NULL ? 0 : GMIME_STATIC_IDN2_ERROR;
}

/* idn2_to_ascii_8z - a UTF-8 domain in its ACE form (GMime's
 * internet_address_mailbox_get_idn_addr). */
int
idn2_to_ascii_8z (const char *input, char **output, int flags)
{
  (void) flags;
  *output = input != NULL ? punycode_domain_to_ascii (input) : NULL;
  return *output != NULL ? 0 : GMIME_STATIC_IDN2_ERROR;
}

void
idn2_free (void *ptr)
{
  free (ptr);
}
