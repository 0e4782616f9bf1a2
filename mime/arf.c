/* arf - feedback reports to complaint events.
 *
 * STANDARDS: RFC 5965 3.1 and 3.2 (Feedback-Type, Original-Rcpt-To,
 * Removal-Recipient, ...), RFC 6650 (updates), RFC 6590 (redaction),
 * RFC 6591 (auth-failure reports).
 */
#include "config.h"

#include <string.h>

#include "anomaly.h"
#include "arf.h"
#include "fields.h"

gboolean
arf_redacted (const char *address)
{
  const char *at;
  gboolean all_x = TRUE;

  if (address == NULL || (at = strrchr (address, '@')) == NULL || at == address)
    return TRUE;
  if (g_strstr_len (address, at - address, "redacted") != NULL)
    return TRUE;
  for (const char *p = address; p < at; p++)
    if (*p != 'x' && *p != 'X' && *p != '*' && *p != '_')
      all_x = FALSE;
  return all_x;
}

/* arf_address - the address of a field value ("rfc822; <a@b>" or "a@b"). */
static char *
arf_address (const char *value)
{
  g_autofree char *copy = NULL;
  const char *semi;
  char *s, *lt, *gt;

  if (value == NULL)
    return NULL;
  semi = strchr (value, ';');
  copy = g_strdup (semi != NULL && strchr (value, '@') > semi ? semi + 1 : value);
  s = g_strstrip (copy);
  if ((lt = strchr (s, '<')) != NULL && (gt = strchr (lt, '>')) != NULL) {
    *gt = '\0';
    s = lt + 1;
  }
  if (arf_redacted (s))
    return NULL;
  return event_normalize_address (s);
}

struct event *
arf_read (const char *text, gsize len, gsize max_field, const char *fallback_rcpt, unsigned *anomalies)
{
  struct fields *f = fields_parse (text, len, 8, max_field);
  struct event *e = event_new ();
  const struct fields_group *g = f->groups->len > 0 ? fields_group (f, 0) : NULL;
  const char *type = g != NULL ? fields_get (g, "Feedback-Type") : NULL;

  *anomalies |= f->anomalies;
  if (g == NULL)
    *anomalies |= ANOMALY_BAD_REPORT;
  e->kind = EVENT_KIND_COMPLAINT;
  e->source = g_strdup ("arf");
  e->reason = g_strdup ("feedback");
  e->category = g_strdup ("other");
  e->feedback_type = g_ascii_strdown (type != NULL ? type : "abuse", -1);
  g_strstrip (e->feedback_type);
  if (g != NULL) {
    e->address = arf_address (fields_get (g, "Original-Rcpt-To"));
    if (e->address == NULL)
      e->address = arf_address (fields_get (g, "Removal-Recipient"));
    e->remote_mta = g_strdup (fields_get (g, "Reporting-MTA"));
  }
  if (e->address == NULL && fallback_rcpt != NULL)
    e->address = arf_address (fallback_rcpt);
  e->klass = (strcmp (e->feedback_type, "not-spam") == 0 || strcmp (e->feedback_type, "auth-failure") == 0)
               ? EVENT_CLASS_IGNORE
               : EVENT_CLASS_NONE;
  fields_free (f);
  return e;
}
