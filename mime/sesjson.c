/* SPDX-License-Identifier: MIT */
/* sesjson - Amazon SES notifications read with jansson. */
#include "config.h"

#include <jansson.h>
#include <string.h>

#include "classify.h"
#include "sesjson.h"

/* sesjson_string - the string member KEY of O, copied, or NULL. */
static char *
sesjson_string (json_t *o, const char *key)
{
  const char *v = json_string_value (json_object_get (o, key));

  return v != NULL ? g_strdup (v) : NULL;
}

/* sesjson_load - the JSON object that starts at a '{' of TEXT, the first
 * that parses (a notification may follow a line of prose); NULL when none
 * does. */
static json_t *
sesjson_load (const char *text)
{
  const char *p = text;

  /* a few tries: a body is prose with one object in it, not a heap of
   * broken ones worth parsing each */
  for (int tries = 0; tries < 8 && (p = strchr (p, '{')) != NULL; tries++, p++) {
    json_t *o = json_loads (p, JSON_DISABLE_EOF_CHECK | JSON_REJECT_DUPLICATES, NULL);

    if (json_is_object (o))
      return o;
    json_decref (o);
  }
  return NULL;
}

/* sesjson_notification - the SES notification in O: O itself, or the one
 * an SNS message carries as a string in "Message" (new reference), or
 * NULL. */
static json_t *
sesjson_notification (json_t *o)
{
  const char *inner = json_string_value (json_object_get (o, "Message"));

  if (json_object_get (o, "notificationType") != NULL || json_object_get (o, "eventType") != NULL)
    return json_incref (o);
  if (inner != NULL) {
    json_t *n = json_loads (inner, 0, NULL);

    if (json_is_object (n)
        && (json_object_get (n, "notificationType") != NULL || json_object_get (n, "eventType") != NULL))
      return n;
    json_decref (n);
  }
  return NULL;
}

/* sesjson_bounces - a fact per bounced recipient of the "bounce" object B. */
static void
sesjson_bounces (json_t *b, guint max, GPtrArray *facts)
{
  const char *type = json_string_value (json_object_get (b, "bounceType"));
  json_t *list = json_object_get (b, "bouncedRecipients");
  gboolean temporary = type != NULL && g_ascii_strcasecmp (type, "Transient") == 0;
  size_t i;
  json_t *r;

  json_array_foreach (list, i, r)
  {
    struct fact *f;

    if (facts->len >= max)
      break;
    if (json_string_value (json_object_get (r, "emailAddress")) == NULL)
      continue;
    f = fact_new ();
    f->recipient = sesjson_string (r, "emailAddress");
    f->action = sesjson_string (r, "action");
    f->status = sesjson_string (r, "status");
    f->diagnostic = sesjson_string (r, "diagnosticCode");
    f->temporary = temporary;
    f->family = "amazonses";
    if (f->diagnostic != NULL && g_ascii_strncasecmp (f->diagnostic, "smtp;", 5) == 0)
      memmove (f->diagnostic, f->diagnostic + 5, strlen (f->diagnostic + 5) + 1);
    if (f->diagnostic != NULL)
      g_strstrip (f->diagnostic);
    g_ptr_array_add (facts, f);
  }
}

/* sesjson_complaints - an event per complained recipient of the
 * "complaint" object C. */
static void
sesjson_complaints (json_t *c, guint max, GPtrArray *complaints)
{
  const char *type = json_string_value (json_object_get (c, "complaintFeedbackType"));
  json_t *list = json_object_get (c, "complainedRecipients");
  size_t i;
  json_t *r;

  json_array_foreach (list, i, r)
  {
    const char *address = json_string_value (json_object_get (r, "emailAddress"));
    struct event *e;

    if (complaints->len >= max)
      break;
    if (address == NULL)
      continue;
    e = event_new ();
    e->kind = EVENT_KIND_COMPLAINT;
    e->source = g_strdup ("arf");
    e->reason = g_strdup ("feedback");
    e->category = g_strdup ("other");
    e->feedback_type = g_strdup (type != NULL ? type : "abuse");
    e->address = event_field_address (address);
    g_ptr_array_add (complaints, e);
  }
}

/* sesjson_deliveries - a delivered fact per recipient of the "delivery"
 * object D, with the receiving server's answer ("250 2.6.0 ..."). */
static void
sesjson_deliveries (json_t *d, guint max, GPtrArray *facts)
{
  const char *response = json_string_value (json_object_get (d, "smtpResponse"));
  g_autofree char *code = classify_status_in_text (response);
  json_t *list = json_object_get (d, "recipients");
  size_t i;
  json_t *r;

  json_array_foreach (list, i, r)
  {
    struct fact *f;

    if (facts->len >= max)
      break;
    if (!json_is_string (r))
      continue;
    f = fact_new ();
    f->recipient = g_strdup (json_string_value (r));
    f->action = g_strdup ("delivered");
    f->status = g_strdup (code != NULL && code[0] == '2' ? code : "2.0.0");
    f->diagnostic = g_strdup (response);
    f->family = "amazonses";
    g_ptr_array_add (facts, f);
  }
}

/* sesjson_unwrap - TEXT with the breaks a relay put into over-long lines
 * taken out (caller frees): Sendmail's "!" + newline + space, or a bare
 * newline + space; JSON has neither inside a string. */
static char *
sesjson_unwrap (const char *text)
{
  GString *out = g_string_sized_new (strlen (text));

  for (const char *p = text; *p != '\0'; p++) {
    const char *q = p + (*p == '!');

    if (*q == '\r')
      q++;
    if (*q == '\n' && (q[1] == ' ' || q[1] == '\t')) {
      p = q + 1;
      continue;
    }
    g_string_append_c (out, *p);
  }
  return g_string_free (out, FALSE);
}

gboolean
sesjson_read (const char *text, guint max_rcpts, GPtrArray *facts, GPtrArray *complaints)
{
  json_t *outer, *n;
  const char *type;

  /* most mail is not JSON: no parse at all without the key */
  if (text == NULL || (strstr (text, "notificationType") == NULL && strstr (text, "eventType") == NULL))
    return FALSE;
  if ((outer = sesjson_load (text)) == NULL) {
    g_autofree char *unwrapped = sesjson_unwrap (text);

    if ((outer = sesjson_load (unwrapped)) == NULL)
      return FALSE;
  }
  n = sesjson_notification (outer);
  json_decref (outer);
  if (n == NULL)
    return FALSE;
  type = json_string_value (json_object_get (n, "notificationType"));
  if (type == NULL)
    type = json_string_value (json_object_get (n, "eventType"));
  if (type != NULL && g_ascii_strcasecmp (type, "Bounce") == 0)
    sesjson_bounces (json_object_get (n, "bounce"), max_rcpts, facts);
  else if (type != NULL && g_ascii_strcasecmp (type, "Complaint") == 0)
    sesjson_complaints (json_object_get (n, "complaint"), max_rcpts, complaints);
  else if (type != NULL && g_ascii_strcasecmp (type, "Delivery") == 0)
    sesjson_deliveries (json_object_get (n, "delivery"), max_rcpts, facts);
  json_decref (n);
  return facts->len > 0 || complaints->len > 0;
}
