/* SPDX-License-Identifier: MIT */
/* sesjson - Amazon SES notifications (Bounce, Complaint, Delivery) sent as
 * JSON in a mail body, bare or wrapped as a string in an SNS message.
 *
 * The body's first JSON object is parsed with jansson (compact or pretty
 * printed, any spacing); an SNS message's "Message" string is parsed in
 * turn.  Notifications ("notificationType") and event publishing records
 * ("eventType") are read: bounce.bouncedRecipients[] (emailAddress,
 * action, status, diagnosticCode) and bounceType,
 * complaint.complainedRecipients[] and complaintFeedbackType,
 * delivery.recipients[] and smtpResponse.
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
