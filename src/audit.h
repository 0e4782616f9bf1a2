/* SPDX-License-Identifier: MIT */
/* audit - the log line of each fact recoil applied, for the operator
 *
 * Every decision is logged at notice: the address, what was decided and
 * why, the provider actions queued, and the event that led to it (kind,
 * status, reason, feedback type, message id) with where it came from (the
 * envelope of a mail, or FILE:LINE of an accounting record).  Facts that
 * were not believed are logged at notice too, with the reason; the rest
 * (recorded, seen before) at info.  `recoil events` reads the same facts
 * back from the store's event log.
 */
#ifndef RECOIL_AUDIT_H
#define RECOIL_AUDIT_H

#include <glib.h>

#include "store.h"

/* audit_log - the line for ITEM, which store_apply answered with RESULT. */
void audit_log (const struct store_item *item, const struct store_result *result);

#endif
