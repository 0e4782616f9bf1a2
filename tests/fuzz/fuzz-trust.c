/* SPDX-License-Identifier: MIT */
/* fuzz-trust - libFuzzer target for what src/trust.c reads from a hostile
 * mail: Authentication-Results values (RFC 8601, comments, quoting) and
 * the addresses of Return-Path and List-Unsubscribe, checked against
 * recoil's signatures.
 *
 * The input is split on NUL bytes: the first piece is the report's From
 * domain, the rest are Authentication-Results values and addresses.  A
 * DKIM pass may only ever be believed from our authserv-id for a trusted
 * domain, and a signature only for an address recoil signed: the target
 * aborts if a piece that contains neither is believed.
 */
#include "config.h"

#include <stdint.h>
#include <string.h>

#include "trust.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  static struct conf *conf;
  static char *trusted[] = { (char *) "fbl.example.net", NULL };
  g_autoptr (GPtrArray) pieces = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GPtrArray) results = g_ptr_array_new_with_free_func (g_free);
  const char *p = (const char *) data, *end = p + size;

  if (conf == NULL) {
    conf = conf_new_defaults ();
    conf->bounce_domain = g_strdup ("bounces.example.test");
    conf->unsub_domain = g_strdup ("unsub.example.test");
    conf->secret = g_strdup ("fuzz-secret-0123456789");
  }
  while (p < end) {
    const char *nul = memchr (p, '\0', (size_t) (end - p));
    const char *stop = nul != NULL ? nul : end;

    g_ptr_array_add (pieces, g_strndup (p, (gsize) (stop - p)));
    p = stop + 1;
  }
  if (pieces->len == 0)
    return 0;
  for (guint i = 1; i < pieces->len; i++) {
    const char *piece = g_ptr_array_index (pieces, i);
    char *a = trust_signed_address (conf, OURDOMAIN_BOUNCE, piece, 1790000000);
    char *u = trust_signed_address (conf, OURDOMAIN_UNSUB, piece, 1790000000);

    /* a believed signature needs one of our domains in the input */
    if ((a != NULL && strstr (piece, "bounces.example.test") == NULL && strcasestr (piece, "bounces") == NULL)
        || (u != NULL && strcasestr (piece, "unsub") == NULL))
      abort ();
    g_free (a);
    g_free (u);
    g_ptr_array_add (results, g_strdup (piece));
  }
  if (trust_dkim_pass (results, "mx.example.test", g_ptr_array_index (pieces, 0), trusted)) {
    gboolean named = FALSE;

    for (guint i = 0; i < results->len; i++)
      if (strcasestr (g_ptr_array_index (results, i), "mx.example.test") != NULL
          && strcasestr (g_ptr_array_index (results, i), "fbl.example.net") != NULL)
        named = TRUE;
    if (!named)
      abort ();
  }
  return 0;
}
