/* SPDX-License-Identifier: MIT */
/* autoreply - RFC 3834 automatic responses and vacation messages. */
#ifndef RECOIL_AUTOREPLY_H
#define RECOIL_AUTOREPLY_H

#include <gmime/gmime.h>

/* autoreply_detect - whether MESSAGE is an automatic reply (Auto-Submitted
 * other than "no", the X-Autoreply family of headers, Precedence
 * auto_reply, or a vacation subject).  Call only once the message is known
 * not to be a bounce or a feedback report: DSNs carry Auto-Submitted too. */
gboolean autoreply_detect (GMimeMessage *message);

#endif
