/* SPDX-License-Identifier: MIT */
/* store-pg-none - the PostgreSQL backend's stand-in in the lean pipe
 * program, which hands its command over to recoil-pg (cli.c) before it
 * would ever get here. */
#include "config.h"

#include "store-backend.h"

const gboolean store_pg_linked = FALSE;

gboolean
store_pg_open (const struct store_options *options, struct store **out, GError **error)
{
  (void) options;
  *out = NULL;
  g_set_error (error, STORE_ERROR, STORE_ERROR_TEMPORARY,
               "state store: this program has no PostgreSQL backend (recoil-pg has)");
  return FALSE;
}
