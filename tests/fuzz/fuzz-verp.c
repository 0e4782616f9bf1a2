/* SPDX-License-Identifier: MIT */
/* fuzz-verp - libFuzzer target for verp/: bytes to a decoded address.
 *
 * The first byte picks the kind, the delimiters and whether the rest is
 * decoded as a local part or encoded as an address.  Invariants checked:
 * decoding never reports a valid signature for something that does not
 * re-encode to the same text; whatever encodes decodes back as valid with
 * the same ids; unwrapping never grows an address.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "verp/verp.h"

#define FUZZ_SECRET "fuzz-secret-0123456789abcdef"
#define FUZZ_DAY 20413

static const verp_scheme fuzz_schemes[] = { VERP_SCHEME_RECOIL, VERP_SCHEME_POSTFIX, VERP_SCHEME_SENTTO,
                                            VERP_SCHEME_MAILWIZZ };

static void
fuzz_check (int ok)
{
  if (!ok)
    abort ();
}

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  struct verp_params p = { 0 };
  struct verp_result r;
  char *text;
  unsigned mode;

  if (size == 0)
    return 0;
  mode = data[0];
  text = g_strndup ((const char *) data + 1, size - 1);
  p.kind = (mode & 1) ? VERP_KIND_UNSUB : VERP_KIND_BOUNCE;
  p.schemes = fuzz_schemes;
  p.n_schemes = G_N_ELEMENTS (fuzz_schemes);
  p.delimiters[0] = (mode & 2) ? '-' : '+';
  p.delimiters[1] = '=';
  p.secret = FUZZ_SECRET;
  p.secret_previous = (mode & 4) ? "previous-secret-0123456789" : NULL;
  p.now = (gint64) FUZZ_DAY * 86400;
  p.max_age = 60 * 86400;

  if (mode & 8) {
    /* encode the bytes as an address, then it must decode back */
    struct verp_ids ids = { (mode & 16) ? "list1" : NULL, (mode & 32) ? "Camp-2" : NULL, NULL };
    char *local = verp_encode (p.kind, text, &ids, FUZZ_SECRET, FUZZ_DAY, NULL);

    if (local != NULL) {
      fuzz_check (verp_decode (local, &p, &r));
      fuzz_check (r.scheme == VERP_SCHEME_RECOIL && r.signature == VERP_SIG_VALID);
      fuzz_check (g_strcmp0 (r.list_id, ids.list) == 0 && g_strcmp0 (r.campaign_id, ids.campaign) == 0);
      fuzz_check (r.address != NULL && strrchr (r.address, '@') != NULL);
      verp_result_clear (&r);
      g_free (local);
    }
  } else {
    gboolean matched = verp_decode (text, &p, &r);

    fuzz_check (matched == (r.scheme != VERP_SCHEME_NONE));
    if (r.signature == VERP_SIG_VALID) {
      /* a valid signature means the text is the canonical encoding */
      struct verp_ids ids = { r.list_id, r.campaign_id, r.subscriber_id };
      char *again = verp_encode (p.kind, r.address, &ids, r.previous_key ? p.secret_previous : FUZZ_SECRET,
                                 r.stamp_day, NULL);
      char *lower = g_ascii_strdown (text, -1);

      fuzz_check (again != NULL && strcmp (again, lower) == 0);
      g_free (again);
      g_free (lower);
    }
    verp_result_clear (&r);
  }
  {
    char *plain = verp_unwrap (text);

    fuzz_check (strlen (plain) <= strlen (text));
    g_free (plain);
  }
  g_free (text);
  return 0;
}
