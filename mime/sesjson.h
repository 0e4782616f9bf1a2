/* sesjson - Amazon SES notifications (Bounce, Complaint, Delivery) sent as
 * JSON in a mail body, bare or wrapped as a string in an SNS message.
 *
 * Only what recoil needs is read, by key, without a JSON library:
 * bouncedRecipients[] (emailAddress, action, status, diagnosticCode) and
 * bounceType, complainedRecipients[] and complaintFeedbackType, and
 * delivery.recipients[].
 */
#ifndef RECOIL_SESJSON_H
#define RECOIL_SESJSON_H

#include <glib.h>

#include "event.h"

/* sesjson_read - for a bounce or delivery notification in TEXT, append a
 * struct fact * per recipient to FACTS; for a complaint, append a struct
 * event * per recipient to COMPLAINTS.  At most MAX_RCPTS of either.
 * Returns FALSE when TEXT is not an SES notification. */
gboolean sesjson_read (const char *text, guint max_rcpts, GPtrArray *facts, GPtrArray *complaints);

#endif
