/* SPDX-License-Identifier: MIT */
/* autoreply - automatic replies by header and by subject.
 *
 * STANDARDS: RFC 3834 5 (Auto-Submitted: auto-replied / auto-generated).
 */
#include "config.h"

#include <string.h>

#include "autoreply.h"

/* Headers whose mere presence marks an automatic reply. */
static const char *const autoreply_headers[] = { "X-Autoreply",      "X-Autorespond", "X-Autoresponder",
                                                 "X-Mail-Autoreply", "X-Vacation",    "X-Auto-Reply",
                                                 "X-AutoReply-From", "X-Cron-Env",    NULL };

/* Lower-case subject phrases of vacation and out-of-office replies. */
static const char *const autoreply_subjects[] = {
  "auto:", "automatic reply", "autoreply", "auto-reply", "auto reply", "autoresponse", "auto response",
  "out of office", "out of the office", "vacation", "away from", "away until", "on leave", "abwesenheit",
  "absence", "r\xc3\xa9ponse automatique", "risposta automatica", "respuesta autom\xc3\xa1tica",
  /* Outlook's "Automatic reply:" in other languages */
  "automatische antwort", "automatisch antwoord", "resposta autom\xc3\xa1tica", "autosvar",
  "automaattinen vastaus", "automatyczna odpowied\xc5\xba", "automatick\xc3\xa1 odpov\xc4\x9b\xc4\x8f",
  "otomatik yan\xc4\xb1t",
  "\xd0\xb0\xd0\xb2\xd1\x82\xd0\xbe\xd0\xbc\xd0\xb0\xd1\x82\xd0\xb8\xd1\x87\xd0\xb5\xd1\x81\xd0\xba\xd0\xb8"
  "\xd0\xb9 \xd0\xbe\xd1\x82\xd0\xb2\xd0\xb5\xd1\x82",
  "\xe8\x87\xaa\xe5\x8a\xa8\xe5\x9b\x9e\xe5\xa4\x8d", "\xe8\x87\xaa\xe5\x8b\x95\xe5\xbf\x9c\xe7\xad\x94",
  "\xe4\xb8\x8d\xe5\x9c\xa8", "i am away", "i'm away", NULL
};

gboolean
autoreply_detect (GMimeMessage *message)
{
  GMimeObject *obj = GMIME_OBJECT (message);
  const char *v;
  const char *subject;

  v = g_mime_object_get_header (obj, "Auto-Submitted");
  if (v != NULL) {
    while (*v == ' ' || *v == '\t')
      v++;
    if (g_ascii_strncasecmp (v, "no", 2) != 0)
      return TRUE;
  }
  for (const char *const *h = autoreply_headers; *h != NULL; h++)
    if (g_mime_object_get_header (obj, *h) != NULL)
      return TRUE;
  v = g_mime_object_get_header (obj, "Precedence");
  if (v != NULL && strstr (v, "auto_reply") != NULL)
    return TRUE;
  subject = g_mime_message_get_subject (message);
  if (subject != NULL) {
    g_autofree char *lower = g_utf8_strdown (subject, -1);

    for (const char *const *s = autoreply_subjects; *s != NULL; s++)
      if (strstr (lower, *s) != NULL)
        return TRUE;
  }
  return FALSE;
}
