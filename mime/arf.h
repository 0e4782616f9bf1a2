/* SPDX-License-Identifier: MIT */
/* arf - RFC 5965 feedback reports, and the Microsoft JMRP variant. */
#ifndef RECOIL_ARF_H
#define RECOIL_ARF_H

#include <glib.h>

#include "event.h"

/* arf_read - append to EVENTS the complaint events of the feedback-report
 * body TEXT (LEN bytes): one per Original-Rcpt-To field (RFC 5965 allows
 * several), else one for Removal-Recipient, else one for FALLBACK_RCPT (the
 * To of the returned message, or the JMRP X-HmXmrOriginalRecipient), else
 * one without an address.  Redacted addresses (RFC 6590) are not used.
 * Feedback types not-spam and auth-failure are class ignore: they are not
 * complaints about the recipient's mail.  At most MAX_RCPTS events. */
void arf_read (const char *text, gsize len, gsize max_field, guint max_rcpts, const char *fallback_rcpt,
               GPtrArray *events, unsigned *anomalies);

/* arf_redacted - whether ADDRESS looks redacted (RFC 6590: a local part of
 * x's or stars, "redacted", or no local part at all). */
gboolean arf_redacted (const char *address);

#endif
