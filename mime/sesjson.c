/* sesjson - the few keys of an SES notification recoil needs. */
#include "config.h"

#include <string.h>

#include "classify.h"
#include "sesjson.h"

/* sesjson_value - the string value of "KEY": in [FROM, TO), unescaped, or
 * NULL; *AFTER (optional) gets where the value ends. */
static char *
sesjson_value (const char *from, const char *to, const char *key, const char **after)
{
  g_autofree char *needle = g_strdup_printf ("\"%s\":", key);
  const char *p = g_strstr_len (from, to - from, needle);
  GString *out;

  if (p == NULL)
    return NULL;
  p += strlen (needle);
  while (p < to && (*p == ' ' || *p == '\t'))
    p++;
  if (p >= to || *p != '"')
    return NULL;
  out = g_string_new (NULL);
  for (p++; p < to && *p != '"'; p++) {
    if (*p == '\\' && p + 1 < to) {
      p++;
      g_string_append_c (out, *p == 'n' ? ' ' : *p);
    } else {
      g_string_append_c (out, *p);
    }
  }
  if (after != NULL)
    *after = p;
  return g_string_free (out, FALSE);
}

/* sesjson_array - the bounds of the array value of "KEY": in TEXT. */
static gboolean
sesjson_array (const char *text, const char *key, const char **start, const char **end)
{
  g_autofree char *needle = g_strdup_printf ("\"%s\":[", key);
  const char *p = strstr (text, needle);
  int depth = 0;

  if (p == NULL)
    return FALSE;
  p += strlen (needle) - 1;
  *start = p;
  for (; *p; p++) {
    if (*p == '"') { /* skip strings */
      for (p++; *p && *p != '"'; p++)
        if (*p == '\\' && p[1])
          p++;
      if (!*p)
        break;
    } else if (*p == '[' || *p == '{') {
      depth++;
    } else if ((*p == ']' || *p == '}') && --depth == 0) {
      *end = p;
      return TRUE;
    }
  }
  return FALSE;
}

/* sesjson_objects - call FN for each {...} element of the array [START, END). */
static void
sesjson_each_object (const char *start, const char *end, void (*fn) (const char *, const char *, gpointer),
                     gpointer data)
{
  for (const char *p = start; p < end; p++)
    if (*p == '{') {
      const char *q = p;

      while (q < end && *q != '}') {
        if (*q == '"')
          for (q++; q < end && *q != '"'; q++)
            if (*q == '\\')
              q++;
        q++;
      }
      fn (p, q, data);
      p = q;
    }
}

/* What the element callbacks fill. */
struct sesjson_state {
  GPtrArray *facts, *complaints;
  guint max;
  gboolean temporary;
  char *feedback_type;
};

static void
sesjson_bounced (const char *from, const char *to, gpointer data)
{
  struct sesjson_state *st = data;
  struct fact *f;

  if (st->facts->len >= st->max)
    return;
  f = fact_new ();
  f->recipient = sesjson_value (from, to, "emailAddress", NULL);
  f->action = sesjson_value (from, to, "action", NULL);
  f->status = sesjson_value (from, to, "status", NULL);
  f->diagnostic = sesjson_value (from, to, "diagnosticCode", NULL);
  f->temporary = st->temporary;
  f->family = "amazonses";
  if (f->diagnostic != NULL && g_ascii_strncasecmp (f->diagnostic, "smtp;", 5) == 0)
    memmove (f->diagnostic, f->diagnostic + 5, strlen (f->diagnostic + 5) + 1);
  if (f->recipient == NULL) {
    fact_free (f);
    return;
  }
  g_ptr_array_add (st->facts, f);
}

static void
sesjson_complained (const char *from, const char *to, gpointer data)
{
  struct sesjson_state *st = data;
  g_autofree char *address = sesjson_value (from, to, "emailAddress", NULL);
  struct event *e;

  if (address == NULL || st->complaints->len >= st->max)
    return;
  e = event_new ();
  e->kind = EVENT_KIND_COMPLAINT;
  e->source = g_strdup ("arf");
  e->reason = g_strdup ("feedback");
  e->category = g_strdup ("other");
  e->feedback_type = g_strdup (st->feedback_type != NULL ? st->feedback_type : "abuse");
  e->address = event_field_address (address);
  g_ptr_array_add (st->complaints, e);
}

gboolean
sesjson_read (const char *text, guint max_rcpts, GPtrArray *facts, GPtrArray *complaints)
{
  g_autofree char *plain = NULL;
  g_autofree char *type = NULL;
  struct sesjson_state st = { facts, complaints, max_rcpts, FALSE, NULL };
  const char *start, *end;

  if (text == NULL || strstr (text, "notificationType") == NULL)
    return FALSE;
  if (strstr (text, "\\\"notificationType\\\"") != NULL) {
    /* a notification wrapped as a string inside an SNS message */
    GString *s = g_string_new (NULL);

    for (const char *p = text; *p; p++) {
      if (*p == '\\' && (p[1] == '"' || p[1] == '\\'))
        p++;
      g_string_append_c (s, *p);
    }
    plain = g_string_free (s, FALSE);
    text = plain;
  }
  type = sesjson_value (text, text + strlen (text), "notificationType", NULL);
  if (type == NULL)
    return FALSE;
  if (g_ascii_strcasecmp (type, "Bounce") == 0 && sesjson_array (text, "bouncedRecipients", &start, &end)) {
    g_autofree char *bounce_type = sesjson_value (text, text + strlen (text), "bounceType", NULL);

    st.temporary = bounce_type != NULL && g_ascii_strcasecmp (bounce_type, "Transient") == 0;
    sesjson_each_object (start, end, sesjson_bounced, &st);
  } else if (g_ascii_strcasecmp (type, "Complaint") == 0
             && sesjson_array (text, "complainedRecipients", &start, &end)) {
    st.feedback_type = sesjson_value (text, text + strlen (text), "complaintFeedbackType", NULL);
    sesjson_each_object (start, end, sesjson_complained, &st);
    g_free (st.feedback_type);
  } else if (g_ascii_strcasecmp (type, "Delivery") == 0 && sesjson_array (text, "recipients", &start, &end)) {
    /* the receiving server's answer, "250 2.6.0 Message received" */
    g_autofree char *response = sesjson_value (text, text + strlen (text), "smtpResponse", NULL);
    g_autofree char *code = classify_status_in_text (response);

    for (const char *p = start; p < end && facts->len < max_rcpts; p++)
      if (*p == '"') {
        const char *q = strchr (p + 1, '"');
        struct fact *f;

        if (q == NULL || q > end)
          break;
        f = fact_new ();
        f->recipient = g_strndup (p + 1, (gsize) (q - p - 1));
        f->action = g_strdup ("delivered");
        f->status = g_strdup (code != NULL && code[0] == '2' ? code : "2.0.0");
        f->diagnostic = g_strdup (response);
        f->family = "amazonses";
        g_ptr_array_add (facts, f);
        p = q;
      }
  } else {
    return FALSE;
  }
  return facts->len > 0 || complaints->len > 0;
}
