/* SPDX-License-Identifier: MIT */
/* ops - the provider types' operations, found by name.
 *
 * Only the dispatcher (recoil-dispatch) links this file, and through it the
 * type files with their JSON and XML code.
 */
#include "config.h"

#include "provider.h"

static const struct provider_ops *const provider_ops_table[] = {
  &provider_mailwizz_ops,
  &provider_interspire_ops,
  &provider_listmonk_ops,
  &provider_webhook_ops,
};

const struct provider_ops *
provider_ops_lookup (const char *name)
{
  for (gsize i = 0; i < G_N_ELEMENTS (provider_ops_table); i++)
    if (name != NULL && g_ascii_strcasecmp (name, provider_ops_table[i]->name) == 0)
      return provider_ops_table[i];
  return NULL;
}
