/* SPDX-License-Identifier: MIT */
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

/* arf_address - the address of a field value, unless it is redacted. */
static char *
arf_address (const char *value)
{
  char *address = event_field_address (value);

  if (address != NULL && arf_redacted (address))
    g_clear_pointer (&address, g_free);
  return address;
}

/* arf_event - a complaint event for ADDRESS (may be NULL) of the report. */
static struct event *
arf_event (char *address, const char *type, const char *reporting)
{
  struct event *e = event_new ();

  e->kind = EVENT_KIND_COMPLAINT;
  e->source = g_strdup ("arf");
  e->reason = g_strdup ("feedback");
  e->category = g_strdup ("other");
  e->feedback_type = g_ascii_strdown (type != NULL ? type : "abuse", -1);
  g_strstrip (e->feedback_type);
  e->address = address;
  e->remote_mta = g_strdup (reporting);
  e->klass = (strcmp (e->feedback_type, "not-spam") == 0 || strcmp (e->feedback_type, "auth-failure") == 0)
                 ? EVENT_CLASS_IGNORE
                 : EVENT_CLASS_NONE;
  return e;
}

void
arf_read (const char *text, gsize len, gsize max_field, guint max_rcpts, const char *fallback_rcpt,
          GPtrArray *events, unsigned *anomalies)
{
  struct fields *f = fields_parse (text, len, 8, max_field);
  const struct fields_group *g = f->groups->len > 0 ? fields_group (f, 0) : NULL;
  const char *type = g != NULL ? fields_get (g, "Feedback-Type") : NULL;
  const char *reporting = g != NULL ? fields_get (g, "Reporting-MTA") : NULL;
  guint added = 0;

  *anomalies |= f->anomalies;
  if (g == NULL)
    *anomalies |= ANOMALY_BAD_REPORT;
  for (guint i = 0; g != NULL && i < g->names->len; i++) {
    char *address;

    if (g_ascii_strcasecmp (g_ptr_array_index (g->names, i), "Original-Rcpt-To") != 0)
      continue;
    if (added >= max_rcpts) {
      *anomalies |= ANOMALY_TOO_MANY_RCPTS;
      break;
    }
    address = arf_address (g_ptr_array_index (g->values, i));
    if (address != NULL) {
      g_ptr_array_add (events, arf_event (address, type, reporting));
      added++;
    }
  }
  if (added == 0) {
    char *address = g != NULL ? arf_address (fields_get (g, "Removal-Recipient")) : NULL;

    if (address == NULL && fallback_rcpt != NULL)
      address = arf_address (fallback_rcpt);
    g_ptr_array_add (events, arf_event (address, type, reporting));
  }
  fields_free (f);
}
