/* SPDX-License-Identifier: MIT */
/* fuzz-parse - libFuzzer target for mime/: bytes to events.
 *
 * Every input must yield a result; every event must have a kind, and a
 * bounce a reason, a category and a status; addresses that are reported
 * must be normalised (domain lower case, no control characters).
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mime/parse.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

static void
fuzz_check (int ok)
{
  if (!ok)
    abort ();
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  struct parse_limits limits;
  struct parse_result *r;

  parse_limits_default (&limits);
  limits.max_size = 256 * 1024;
  r = parse_message ((const char *) data, size, &limits, size > 0 && (data[0] & 1) ? PARSE_EXPECT_UNSUB : 0);
  fuzz_check (r != NULL && r->events != NULL);
  for (guint i = 0; i < r->events->len; i++) {
    const struct event *e = g_ptr_array_index (r->events, i);

    fuzz_check ((unsigned) e->kind < EVENT_KIND_COUNT);
    if (e->kind == EVENT_KIND_BOUNCE)
      fuzz_check (e->reason != NULL && e->category != NULL && e->status != NULL);
    if (e->address != NULL) {
      char *again = event_normalize_address (e->address);

      fuzz_check (again != NULL && strcmp (again, e->address) == 0);
      g_free (again);
    }
  }
  parse_result_free (r);
  return 0;
}
