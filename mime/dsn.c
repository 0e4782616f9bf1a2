/* SPDX-License-Identifier: MIT */
/* dsn - delivery-status field groups to facts.
 *
 * STANDARDS: RFC 3464 2.2 (per-message fields: Reporting-MTA, ...) and 2.3
 * (per-recipient fields: Final-Recipient, Original-Recipient, Action,
 * Status, Remote-MTA, Diagnostic-Code); RFC 6533 3 (UTF-8 addresses,
 * utf-8 address type); RFC 3463 (status codes).
 */
#include "config.h"

#include <string.h>

#include "anomaly.h"
#include "classify.h"
#include "dsn.h"
#include "fields.h"

/* dsn_value - the part of a typed field after "type;", trimmed. */
static char *
dsn_value (const char *field)
{
  const char *semi;

  if (field == NULL)
    return NULL;
  semi = strchr (field, ';');
  return g_strstrip (g_strdup (semi != NULL ? semi + 1 : field));
}

/* dsn_type - the CLASSIFY_DIAG_* type of a Diagnostic-Code value, or 0. */
static char
dsn_type (const char *field)
{
  const char *semi = field != NULL ? strchr (field, ';') : NULL;
  g_autofree char *type = NULL;

  if (semi == NULL)
    return 0;
  type = g_strstrip (g_ascii_strdown (field, semi - field));
  /* Postfix's own words (x-postfix) read like an SMTP server's */
  if (strcmp (type, "smtp") == 0 || strcmp (type, "x-postfix") == 0)
    return CLASSIFY_DIAG_SMTP;
  if (strcmp (type, "x-unix") == 0 || strcmp (type, "x-local") == 0) {
    /* a local mailer may pass on an SMTP reply ("X-Unix; 550 5.1.1 User
     * unknown", Sendmail's local delivery): then it reads like one */
    const char *v = semi + 1;

    while (*v == ' ' || *v == '\t')
      v++;
    if ((v[0] == '4' || v[0] == '5') && g_ascii_isdigit (v[1]) && g_ascii_isdigit (v[2])
        && (v[3] == ' ' || v[3] == '-'))
      return CLASSIFY_DIAG_SMTP;
    return CLASSIFY_DIAG_MAILER;
  }
  return *type != '\0' ? CLASSIFY_DIAG_OTHER : 0;
}

/* dsn_status - the status code of a Status: value ("5.1.1 (comment)"); a
 * catch-all x.0.0 gives way to a more specific code of the same class in
 * the diagnostic. */
static char *
dsn_status (const char *field, const char *diagnostic)
{
  char *status = classify_status_in_text (field);

  /* the reporting MTA's Status gives way to a code of the same class in
   * the diagnostic: the remote server's own words are more exact
   * ("Status: 5.1.1" for "550 5.7.1 IP address blacklisted") */
  if (status != NULL && diagnostic != NULL) {
    char *first = NULL;

    /* the code a reply carries ("550-5.7.1", "550 '5.7.1") is the remote
     * server's own and beats a relay's summary before it; when the reply
     * agrees with it, it wins even over a Status of the other class
     * ("Status: 4.5.0" for "550 5.5.0") */
    for (const char *p = diagnostic; p != NULL && *p != '\0';) {
      char *better = classify_status_in_text (p);
      const char *at, *q;
      gboolean replied;

      if (better == NULL)
        break;
      at = strstr (p, better);
      q = at;
      while (q > diagnostic && strchr (" -'\"", q[-1]) != NULL && at - q < 3)
        q--;
      replied = q != at && q - diagnostic >= 3 && q[-3] == better[0] && g_ascii_isdigit (q[-2])
                && g_ascii_isdigit (q[-1]) && (q - diagnostic == 3 || !g_ascii_isalnum (q[-4]));
      if (strcmp (better, status) != 0 && !g_str_has_suffix (better, ".0.0")
          && (replied || better[0] == status[0])) {
        if (replied) {
          g_free (first);
          g_free (status);
          return better;
        }
        if (first == NULL) {
          p = at + strlen (better);
          first = better;
          continue;
        }
      }
      p = at + strlen (better);
      g_free (better);
    }
    if (first != NULL) {
      g_free (status);
      return first;
    }
  }
  if (status == NULL && diagnostic != NULL)
    status = classify_status_in_text (diagnostic);
  return status;
}

/* dsn_split_groups - the recipient groups of F that an MTA wrote without
 * the blank line between them: a group holding a second Final-Recipient
 * (with the Original-Recipient just before it) is split there, so each
 * recipient keeps its own Action, Status and diagnostic. */
static void
dsn_split_groups (struct fields *f)
{
  for (guint i = 0; i < f->groups->len; i++) {
    struct fields_group *g = fields_group (f, i);
    gboolean final_seen = FALSE;

    for (guint k = 0; k < g->names->len; k++) {
      const char *name = g_ptr_array_index (g->names, k);
      gboolean starts = FALSE;
      guint at = k;

      if (g_ascii_strcasecmp (name, "Final-Recipient") == 0) {
        starts = final_seen;
        final_seen = TRUE;
        if (starts && k > 0
            && g_ascii_strcasecmp (g_ptr_array_index (g->names, k - 1), "Original-Recipient") == 0)
          at = k - 1;
      }
      if (starts) {
        struct fields_group *rest = g_new0 (struct fields_group, 1);

        rest->names = g_ptr_array_new_with_free_func (g_free);
        rest->values = g_ptr_array_new_with_free_func (g_free);
        while (g->names->len > at) {
          g_ptr_array_add (rest->names, g_ptr_array_steal_index (g->names, at));
          g_ptr_array_add (rest->values, g_ptr_array_steal_index (g->values, at));
        }
        g_ptr_array_insert (f->groups, (gint) i + 1, rest);
        break; /* the rest is looked at as the next group */
      }
    }
  }
}

guint
dsn_read (const char *text, gsize len, guint max_rcpts, gsize max_field, GPtrArray *facts,
          unsigned *anomalies)
{
  struct fields *f = fields_parse (text, len, max_rcpts + 1, max_field);
  guint added = 0;

  *anomalies |= f->anomalies;
  dsn_split_groups (f);
  for (guint i = 0; i < f->groups->len; i++) {
    const struct fields_group *g = fields_group (f, i);
    const char *final = fields_get (g, "Final-Recipient");
    const char *original = fields_get (g, "Original-Recipient");
    const char *diag = fields_get (g, "Diagnostic-Code");
    struct fact *fact;

    if (final == NULL && original == NULL)
      continue;
    fact = fact_new ();
    fact->recipient = dsn_value (final != NULL && strchr (final, '@') != NULL ? final : original);
    if (original != NULL && strchr (original, '@') != NULL && fact->recipient != NULL) {
      g_autofree char *value = dsn_value (original);

      if (value != NULL && g_ascii_strcasecmp (value, fact->recipient) != 0)
        fact->original = g_steal_pointer (&value);
    }
    fact->action = g_strdup (fields_get (g, "Action"));
    fact->diagnostic = diag != NULL ? dsn_value (diag) : NULL;
    fact->diag_type = dsn_type (diag);
    if (fact->diagnostic != NULL)
      fact->command = classify_command_in (fact->diagnostic, NULL);
    if (fact->diagnostic != NULL && *fact->diagnostic == '\0')
      g_clear_pointer (&fact->diagnostic, g_free);
    fact->status = dsn_status (fields_get (g, "Status"), fact->diagnostic);
    fact->report_status = classify_status_in_text (fields_get (g, "Status"));
    fact->remote_mta = dsn_value (fields_get (g, "Remote-MTA"));
    if (fields_get (g, "Will-Retry-Until") != NULL)
      fact->temporary = TRUE;
    g_ptr_array_add (facts, fact);
    added++;
  }
  if (added == 0)
    *anomalies |= ANOMALY_BAD_REPORT;
  fields_free (f);
  return added;
}
