/* arf - RFC 5965 feedback reports, and the Microsoft JMRP variant. */
#ifndef RECOIL_ARF_H
#define RECOIL_ARF_H

#include <glib.h>

#include "event.h"

/* arf_read - the complaint event of the feedback-report body TEXT (LEN
 * bytes).  The address comes from Original-Rcpt-To, then
 * Removal-Recipient, then FALLBACK_RCPT (the To of the returned message,
 * or the JMRP X-HmXmrOriginalRecipient); redacted addresses (RFC 6590) are
 * not used.  Feedback types not-spam and auth-failure are class ignore:
 * they are not complaints about the recipient's mail.  Caller frees with
 * event_free. */
struct event *arf_read (const char *text, gsize len, gsize max_field, const char *fallback_rcpt,
                        unsigned *anomalies);

/* arf_redacted - whether ADDRESS looks redacted (RFC 6590: a local part of
 * x's or stars, "redacted", or no local part at all). */
gboolean arf_redacted (const char *address);

#endif
