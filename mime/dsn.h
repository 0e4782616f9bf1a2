/* SPDX-License-Identifier: MIT */
/* dsn - RFC 3464 delivery status notifications (and RFC 6533's
 * message/global-delivery-status) into facts, one per recipient group.
 */
#ifndef RECOIL_DSN_H
#define RECOIL_DSN_H

#include <glib.h>

/* dsn_read - append a struct fact * to FACTS for each recipient group of
 * the delivery-status body TEXT (LEN bytes).  At most MAX_RCPTS groups are
 * read; anomalies (ANOMALY_TOO_MANY_RCPTS, ANOMALY_LONG_HEADER,
 * ANOMALY_BAD_REPORT) are ORed into *ANOMALIES.  Returns the number of
 * facts added. */
guint dsn_read (const char *text, gsize len, guint max_rcpts, gsize max_field, GPtrArray *facts,
                unsigned *anomalies);

#endif
