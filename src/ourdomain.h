/* SPDX-License-Identifier: MIT */
/* ourdomain - which of recoil's domains an address is at, and how local
 * parts there are decoded (the [verp] settings as verp_params).
 */
#ifndef RECOIL_OURDOMAIN_H
#define RECOIL_OURDOMAIN_H

#include <glib.h>

#include "conf.h"
#include "verp/verp.h"

typedef enum {
  OURDOMAIN_NONE,   /* not ours */
  OURDOMAIN_BOUNCE, /* [recoil] bounce_domain */
  OURDOMAIN_UNSUB   /* [recoil] unsub_domain */
} ourdomain_which;

/* ourdomain_split - which of CONF's domains ADDRESS (local@domain; angle
 * brackets allowed) is at; *LOCAL gets its local part (caller frees with
 * g_free) unless the result is OURDOMAIN_NONE. */
ourdomain_which ourdomain_split (const struct conf *conf, const char *address, char **local);

/* Decoding parameters for one domain; SCHEMES is storage for the list. */
struct ourdomain_params {
  struct verp_params verp;
  verp_scheme schemes[VERP_SCHEME_COUNT];
};

/* ourdomain_params - fill OUT for decoding at WHICH (not NONE) as of NOW,
 * from CONF.  The strings in OUT are borrowed from CONF. */
void ourdomain_params (const struct conf *conf, ourdomain_which which, gint64 now,
                       struct ourdomain_params *out);

/* ourdomain_believed - whether a decoded result may be acted on: a valid
 * signature always, an invalid one never, an absent one unless [verp]
 * signature = enforce. */
gboolean ourdomain_believed (const struct conf *conf, const struct verp_result *result);

#endif
