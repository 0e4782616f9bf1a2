/* SPDX-License-Identifier: MIT */
/* acct - accounting columns by name, records into events. */
#include "config.h"

#include <string.h>

#include "acct.h"
#include "mime/classify.h"

/* The columns recoil reads, resolved to positions once per header. */
enum {
  ACCT_RCPT,
  ACCT_ORIG,
  ACCT_TIMELOGGED,
  ACCT_TIMEQUEUED,
  ACCT_ARRIVALDATE,
  ACCT_DSNSTATUS,
  ACCT_DSNDIAG,
  ACCT_DSNMTA,
  ACCT_BOUNCECAT,
  ACCT_JOBID,
  ACCT_FEEDBACKTYPE,
  ACCT_REPORTINGMTA,
  ACCT_H_SUBSCRIBER_MW,
  ACCT_H_SUBSCRIBER_IS,
  ACCT_H_LIST_MW,
  ACCT_H_LIST_IS,
  ACCT_H_LIST_ID,
  ACCT_H_CAMPAIGN_MW,
  ACCT_H_CAMPAIGN_IS,
  ACCT_H_MESSAGE_ID,
  ACCT_H_XJOB,
  ACCT_H_HMXMR,
  ACCT_NCOLUMNS
};

static const char *const acct_known[ACCT_NCOLUMNS] = {
  "rcpt",
  "orig",
  "timelogged",
  "timequeued",
  "arrivaldate",
  "dsnstatus",
  "dsndiag",
  "dsnmta",
  "bouncecat",
  "jobid",
  "feedbacktype",
  "reportingmta",
  "header_x-mw-subscriber-uid",
  "header_x-mailer-recptid",
  "header_x-mw-list-uid",
  "header_x-mailer-lid",
  "header_list-id",
  "header_x-mw-campaign-uid",
  "header_x-mailer-sid",
  "header_message-id",
  "header_x-job",
  "header_x-hmxmroriginalrecipient",
};

struct acct_columns {
  GHashTable *index;       /* lower-case column name -> index + 1 */
  guint at[ACCT_NCOLUMNS]; /* index + 1 of each known column, 0 when absent */
};

struct acct_columns *
acct_columns_new (GPtrArray *header)
{
  struct acct_columns *c = g_new0 (struct acct_columns, 1);

  c->index = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  for (guint i = 0; i < header->len; i++) {
    char *name = g_ascii_strdown (g_strstrip ((char *) g_ptr_array_index (header, i)), -1);

    if (!g_hash_table_contains (c->index, name))
      g_hash_table_insert (c->index, name, GUINT_TO_POINTER (i + 1));
    else
      g_free (name);
  }
  for (int k = 0; k < ACCT_NCOLUMNS; k++)
    c->at[k] = GPOINTER_TO_UINT (g_hash_table_lookup (c->index, acct_known[k]));
  return c;
}

void
acct_columns_free (struct acct_columns *c)
{
  if (c == NULL)
    return;
  g_hash_table_unref (c->index);
  g_free (c);
}

gboolean
acct_is_header (GPtrArray *record)
{
  return record->len > 0
         && g_ascii_strcasecmp (g_strstrip ((char *) g_ptr_array_index (record, 0)), "type") == 0;
}

/* acct_get - the value of known column K in RECORD, or NULL when the
 * column is missing or empty. */
static const char *
acct_get (const struct acct_columns *c, GPtrArray *record, int k)
{
  guint i = c->at[k];
  const char *v;

  if (i == 0 || i > record->len)
    return NULL;
  v = g_ptr_array_index (record, i - 1);
  while (*v == ' ')
    v++;
  return *v != '\0' ? v : NULL;
}

/* acct_first - the value of the first of the known columns K1, K2 (and K3
 * unless negative) that has one. */
static const char *
acct_first (const struct acct_columns *c, GPtrArray *record, int k1, int k2, int k3)
{
  const char *v = acct_get (c, record, k1);

  if (v == NULL)
    v = acct_get (c, record, k2);
  if (v == NULL && k3 >= 0)
    v = acct_get (c, record, k3);
  return v;
}

gboolean
acct_parse_time (const char *text, gint64 *seconds)
{
  g_autoptr (GDateTime) dt = NULL;
  g_autoptr (GTimeZone) utc = NULL;
  g_autofree char *iso = NULL;
  gint64 n;

  if (text == NULL)
    return FALSE;
  if (g_ascii_string_to_signed (text, 10, 0, G_GINT64_CONSTANT (253402300799), &n, NULL)) {
    *seconds = n;
    return TRUE;
  }
  /* "2016-05-29 01:10:51+0200": ISO 8601 with a space */
  iso = g_strdup (text);
  if (strlen (iso) > 10 && iso[10] == ' ')
    iso[10] = 'T';
  utc = g_time_zone_new_utc ();
  dt = g_date_time_new_from_iso8601 (iso, utc);
  if (dt == NULL)
    return FALSE;
  *seconds = g_date_time_to_unix (dt);
  return TRUE;
}

/* acct_in - whether WORD is in the list LIST. */
static gboolean
acct_in (char **list, const char *word)
{
  for (char **p = list; p != NULL && *p != NULL; p++)
    if (g_ascii_strcasecmp (*p, word) == 0)
      return TRUE;
  return FALSE;
}

/* acct_address - the address of a column value: angle brackets and a
 * "rfc822;" type removed, normalised; NULL for nothing, or for a redacted
 * address (RFC 6590, an all-x local part) when REDACTABLE. */
static char *
acct_address (const char *value, gboolean redactable)
{
  char *a = event_field_address (value);
  const char *at = a != NULL ? strrchr (a, '@') : NULL;

  if (at != NULL && redactable) {
    gboolean redacted = TRUE;

    for (const char *p = a; p < at; p++)
      if (*p != 'x' && *p != 'X' && *p != '*')
        redacted = FALSE;
    if (redacted)
      g_clear_pointer (&a, g_free);
  }
  return a;
}

/* acct_hints - identity hints from the header_* and jobId columns. */
static void
acct_hints (const struct acct_columns *c, GPtrArray *record, struct event_hints *h)
{
  const char *job = acct_first (c, record, ACCT_JOBID, ACCT_H_XJOB, -1);
  const char *v;

  if ((v = acct_first (c, record, ACCT_H_SUBSCRIBER_MW, ACCT_H_SUBSCRIBER_IS, -1)) != NULL)
    h->subscriber_id = g_strdup (v);
  if ((v = acct_first (c, record, ACCT_H_LIST_MW, ACCT_H_LIST_IS, ACCT_H_LIST_ID)) != NULL)
    h->list_id = g_strdup (v);
  if ((v = acct_first (c, record, ACCT_H_CAMPAIGN_MW, ACCT_H_CAMPAIGN_IS, -1)) != NULL)
    h->campaign_id = g_strdup (v);
  if ((v = acct_get (c, record, ACCT_H_MESSAGE_ID)) != NULL)
    h->message_id = g_strdup (v);
  if (job != NULL) {
    h->job_id = g_strdup (job);
    /* MailWizz delivery servers send X-Job: mailwizz-CAMPAIGN_UID */
    if (h->campaign_id == NULL && g_str_has_prefix (job, "mailwizz-") && job[9] != '\0')
      h->campaign_id = g_strdup (job + 9);
  }
}

acct_status
acct_record (const struct acct_columns *c, GPtrArray *record, const struct conf *conf, struct event **out,
             const char **sender, const char **why)
{
  const char *type = g_ptr_array_index (record, 0);
  const char *rcpt = acct_get (c, record, ACCT_RCPT);
  const char *time_text = acct_first (c, record, ACCT_TIMELOGGED, ACCT_TIMEQUEUED, ACCT_ARRIVALDATE);
  struct event *e;

  *out = NULL;
  *why = NULL;
  *sender = acct_get (c, record, ACCT_ORIG);
  if (g_ascii_strcasecmp (type, "b") != 0 && g_ascii_strcasecmp (type, "rb") != 0
      && g_ascii_strcasecmp (type, "f") != 0)
    return ACCT_SKIPPED;
  if (c->at[ACCT_RCPT] == 0) {
    *why = "no header line naming a rcpt column has been seen";
    return ACCT_BAD;
  }
  e = event_new ();
  e->hints.provider = NULL;
  if (time_text != NULL && !acct_parse_time (time_text, &e->time)) {
    *why = "the time is neither unix seconds nor YYYY-MM-DD HH:MM:SS+ZZZZ";
    event_free (e);
    return ACCT_BAD;
  }
  acct_hints (c, record, &e->hints);
  if (g_ascii_strcasecmp (type, "f") == 0) {
    const char *fbtype = acct_get (c, record, ACCT_FEEDBACKTYPE);

    e->kind = EVENT_KIND_COMPLAINT;
    e->source = g_strdup ("acct-f");
    e->reason = g_strdup ("feedback");
    e->category = g_strdup ("other");
    e->feedback_type = g_ascii_strdown (fbtype != NULL ? fbtype : "abuse", -1);
    e->address = acct_address (rcpt, TRUE);
    if (e->address == NULL)
      e->address = acct_address (acct_get (c, record, ACCT_H_HMXMR), TRUE);
    e->remote_mta = g_strdup (acct_get (c, record, ACCT_REPORTINGMTA));
    if (strcmp (e->feedback_type, "not-spam") == 0 || strcmp (e->feedback_type, "auth-failure") == 0)
      e->klass = EVENT_CLASS_IGNORE;
    if (e->address == NULL && e->hints.subscriber_id == NULL) {
      *why = "a feedback record names no recipient and no subscriber id";
      event_free (e);
      return ACCT_BAD;
    }
  } else {
    const char *status_text = acct_get (c, record, ACCT_DSNSTATUS);
    const char *diag = acct_get (c, record, ACCT_DSNDIAG);
    const char *cat = acct_get (c, record, ACCT_BOUNCECAT);
    char *status = classify_status_in_text (status_text);

    e->kind = EVENT_KIND_BOUNCE;
    e->source = g_strdup (type[0] == 'r' || type[0] == 'R' ? "acct-rb" : "acct-b");
    e->address = acct_address (rcpt, FALSE);
    if (e->address == NULL) {
      *why = "a bounce record without a usable rcpt";
      g_free (status);
      event_free (e);
      return ACCT_BAD;
    }
    if (diag != NULL) {
      const char *semi = strchr (diag, ';');

      e->diagnostic = g_strdup (semi != NULL && semi - diag < 12 ? semi + 1 : diag);
    }
    if (status == NULL)
      status = classify_status_in_text (e->diagnostic);
    e->status = status;
    e->reply_code = classify_reply_in_text (e->diagnostic);
    e->remote_mta = g_strdup (acct_get (c, record, ACCT_DSNMTA));
    e->category = g_strdup (cat != NULL ? cat : "other");
    e->reason = g_strdup (classify_reason (e->diagnostic, e->status, e->reply_code,
                                           e->status != NULL && e->status[0] == '4', 0));
    if (acct_in (conf->hard_categories, e->category))
      e->klass = EVENT_CLASS_HARD;
    else if (acct_in (conf->soft_categories, e->category))
      e->klass = EVENT_CLASS_SOFT;
    else
      e->klass = EVENT_CLASS_IGNORE;
    /* a hard category with a temporary status is still only soft */
    if (e->klass == EVENT_CLASS_HARD && e->status != NULL && e->status[0] == '4')
      e->klass = EVENT_CLASS_SOFT;
  }
  *out = e;
  return ACCT_EVENT;
}
