/* SPDX-License-Identifier: MIT */
/* signature - recoil's signed local parts (internal to verp/; see verp.h
 * and verp/FORMAT.md). */
#ifndef RECOIL_SIGNATURE_H
#define RECOIL_SIGNATURE_H

#include "verp.h"

/* signature_encode - see verp_encode. */
char *signature_encode (verp_kind kind, const char *address, const struct verp_ids *ids, const char *secret,
                        gint64 day, GError **error);

/* signature_decode - FALSE when LOCAL_PART does not start like a recoil
 * local part (kind, version, base32 stamp and tag); otherwise TRUE with OUT
 * filled: scheme recoil, the values read, and the signature verdict with
 * its problem.  OUT must be cleared on entry. */
gboolean signature_decode (const char *local_part, const struct verp_params *params, struct verp_result *out);

#endif
