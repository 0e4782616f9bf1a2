/* SPDX-License-Identifier: MIT */
/* plain - the unsigned schemes people already use (internal to verp/). */
#ifndef RECOIL_PLAIN_H
#define RECOIL_PLAIN_H

#include "verp.h"

/* plain_decode_postfix - PREFIX D1 USER D2 DOMAIN (Postfix/qmail VERP, D1
 * and D2 from PARAMS->delimiters), split on the last D2.  FALSE when
 * LOCAL_PART is not of that shape. */
gboolean plain_decode_postfix (const char *local_part, const struct verp_params *params,
                               struct verp_result *out);

/* plain_decode_sentto - "sentto-" USER "=" DOMAIN, split on the last '='. */
gboolean plain_decode_sentto (const char *local_part, const struct verp_params *params,
                              struct verp_result *out);

/* plain_decode_mailwizz - SUBSCRIBER[.LIST[.CAMPAIGN]], each id 1 to 64
 * letters, digits, '_' or '-'. */
gboolean plain_decode_mailwizz (const char *local_part, const struct verp_params *params,
                                struct verp_result *out);

#endif
