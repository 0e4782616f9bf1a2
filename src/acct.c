/* acct - accounting columns by name, records into events. */
#include "config.h"

#include <string.h>

#include "acct.h"
#include "mime/classify.h"

struct acct_columns {
  GHashTable *index; /* lower-case column name -> index + 1 */
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

/* acct_get - the value of column NAME (lower case) in RECORD, or NULL when
 * the column is missing or empty. */
static const char *
acct_get (const struct acct_columns *c, GPtrArray *record, const char *name)
{
  guint i = GPOINTER_TO_UINT (g_hash_table_lookup (c->index, name));
  const char *v;

  if (i == 0 || i > record->len)
    return NULL;
  v = g_ptr_array_index (record, i - 1);
  while (*v == ' ')
    v++;
  return *v != '\0' ? v : NULL;
}

/* acct_first - the first of NAMES with a value. */
static const char *
acct_first (const struct acct_columns *c, GPtrArray *record, const char *const *names)
{
  for (const char *const *n = names; *n != NULL; n++) {
    const char *v = acct_get (c, record, *n);

    if (v != NULL)
      return v;
  }
  return NULL;
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
  static const char *const subscriber[] = { "header_x-mw-subscriber-uid", "header_x-mailer-recptid", NULL };
  static const char *const list[] = { "header_x-mw-list-uid", "header_x-mailer-lid", "header_list-id", NULL };
  static const char *const campaign[] = { "header_x-mw-campaign-uid", "header_x-mailer-sid", NULL };
  static const char *const message_id[] = { "header_message-id", NULL };
  const char *job = acct_get (c, record, "jobid");
  const char *v;

  if ((v = acct_first (c, record, subscriber)) != NULL)
    h->subscriber_id = g_strdup (v);
  if ((v = acct_first (c, record, list)) != NULL)
    h->list_id = g_strdup (v);
  if ((v = acct_first (c, record, campaign)) != NULL)
    h->campaign_id = g_strdup (v);
  if ((v = acct_first (c, record, message_id)) != NULL)
    h->message_id = g_strdup (v);
  if (job == NULL)
    job = acct_get (c, record, "header_x-job");
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
  static const char *const times[] = { "timelogged", "timequeued", "arrivaldate", NULL };
  const char *type = g_ptr_array_index (record, 0);
  const char *rcpt = acct_get (c, record, "rcpt");
  const char *time_text = acct_first (c, record, times);
  struct event *e;

  *out = NULL;
  *why = NULL;
  *sender = acct_get (c, record, "orig");
  if (g_ascii_strcasecmp (type, "b") != 0 && g_ascii_strcasecmp (type, "rb") != 0
      && g_ascii_strcasecmp (type, "f") != 0)
    return ACCT_SKIPPED;
  if (g_hash_table_size (c->index) == 0 || !g_hash_table_contains (c->index, "rcpt")) {
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
    const char *fbtype = acct_get (c, record, "feedbacktype");

    e->kind = EVENT_KIND_COMPLAINT;
    e->source = g_strdup ("acct-f");
    e->reason = g_strdup ("feedback");
    e->category = g_strdup ("other");
    e->feedback_type = g_ascii_strdown (fbtype != NULL ? fbtype : "abuse", -1);
    e->address = acct_address (rcpt, TRUE);
    if (e->address == NULL)
      e->address = acct_address (acct_get (c, record, "header_x-hmxmroriginalrecipient"), TRUE);
    e->remote_mta = g_strdup (acct_get (c, record, "reportingmta"));
    if (strcmp (e->feedback_type, "not-spam") == 0 || strcmp (e->feedback_type, "auth-failure") == 0)
      e->klass = EVENT_CLASS_IGNORE;
    if (e->address == NULL && e->hints.subscriber_id == NULL) {
      *why = "a feedback record names no recipient and no subscriber id";
      event_free (e);
      return ACCT_BAD;
    }
  } else {
    const char *status_text = acct_get (c, record, "dsnstatus");
    const char *diag = acct_get (c, record, "dsndiag");
    const char *cat = acct_get (c, record, "bouncecat");
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
    e->remote_mta = g_strdup (acct_get (c, record, "dsnmta"));
    e->category = g_strdup (cat != NULL ? cat : "other");
    e->reason = g_strdup (classify_reason (e->diagnostic, e->status, e->reply_code,
                                           e->status != NULL && e->status[0] == '4', FALSE));
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
