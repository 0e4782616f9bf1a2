/* SPDX-License-Identifier: MIT */
/* test-parse - mime/ on the fixtures in tests/cases (each with LF, CRLF and
 * bare-CR line ends) and on generated hostile input: empty, truncated,
 * oversized, deeply nested, too many parts or recipients, NUL bytes,
 * over-long headers, garbage.
 */
#include "config.h"

#include <string.h>

#include "eventjson.h"
#include "mime/parse.h"

/* A fixture folder and the line ends to feed it with. */
struct case_run {
  char *dir;
  const char *eol; /* "\n", "\r\n" or "\r" */
};

/* with_line_ends - TEXT with every LF replaced by EOL (caller frees). */
static char *
with_line_ends (const char *text, gsize len, const char *eol, gsize *out_len)
{
  GString *s = g_string_sized_new (len + len / 8);

  for (gsize i = 0; i < len; i++) {
    if (text[i] == '\n')
      g_string_append (s, eol);
    else
      g_string_append_c (s, text[i]);
  }
  *out_len = s->len;
  return g_string_free (s, FALSE);
}

/* subset - whether every member of EXPECT is in GOT with an equal value
 * (objects recursively, arrays element by element and of equal length);
 * the first difference is described in WHY. */
static gboolean
subset (json_t *expect, json_t *got, const char *path, GString *why)
{
  if (json_is_object (expect)) {
    const char *key;
    json_t *value;

    if (!json_is_object (got)) {
      g_string_printf (why, "%s: not an object", path);
      return FALSE;
    }
    json_object_foreach (expect, key, value)
    {
      g_autofree char *sub = g_strdup_printf ("%s.%s", path, key);
      json_t *other = json_object_get (got, key);

      if (other == NULL) {
        g_string_printf (why, "%s: missing", sub);
        return FALSE;
      }
      if (!subset (value, other, sub, why))
        return FALSE;
    }
    return TRUE;
  }
  if (json_is_array (expect)) {
    if (!json_is_array (got) || json_array_size (got) != json_array_size (expect)) {
      g_string_printf (why, "%s: %zu elements, expected %zu", path,
                       json_is_array (got) ? json_array_size (got) : 0, json_array_size (expect));
      return FALSE;
    }
    for (gsize i = 0; i < json_array_size (expect); i++) {
      g_autofree char *sub = g_strdup_printf ("%s[%zu]", path, i);

      if (!subset (json_array_get (expect, i), json_array_get (got, i), sub, why))
        return FALSE;
    }
    return TRUE;
  }
  if (!json_equal (expect, got)) {
    g_autofree char *a = json_dumps (expect, JSON_ENCODE_ANY);
    g_autofree char *b = json_dumps (got, JSON_ENCODE_ANY);

    g_string_printf (why, "%s: expected %s, got %s", path, a, b);
    return FALSE;
  }
  return TRUE;
}

static void
test_case (gconstpointer data)
{
  const struct case_run *run = data;
  g_autofree char *input_path = g_build_filename (run->dir, "input.eml", NULL);
  g_autofree char *expect_path = g_build_filename (run->dir, "expected.json", NULL);
  g_autofree char *input = NULL;
  g_autofree char *converted = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (GString) why = g_string_new (NULL);
  json_error_t jerr;
  json_t *expect, *got;
  struct parse_result *r;
  gsize len = 0, n = 0;

  g_assert_true (g_file_get_contents (input_path, &input, &len, &error));
  expect = json_load_file (expect_path, 0, &jerr);
  if (expect == NULL)
    g_error ("%s:%d: %s", expect_path, jerr.line, jerr.text);
  converted = with_line_ends (input, len, run->eol, &n);
  r = parse_message (converted, n, NULL, 0);
  got = eventjson_result (r, input_path);
  if (!subset (expect, got, "", why)) {
    g_autofree char *text = json_dumps (got, JSON_INDENT (1) | JSON_PRESERVE_ORDER);

    g_test_message ("output: %s", text);
    g_error ("%s: %s", run->dir, why->str);
  }
  json_decref (expect);
  json_decref (got);
  parse_result_free (r);
}

/* parse_text - parse TEXT with LIMITS (NULL: defaults). */
static struct parse_result *
parse_text (const char *text, gsize len, const struct parse_limits *limits)
{
  return parse_message (text, len, limits, 0);
}

static void
test_empty (void)
{
  struct parse_result *r = parse_text ("", 0, NULL);

  g_assert_cmpint (r->kind, ==, EVENT_KIND_UNKNOWN);
  g_assert_true (r->anomalies & ANOMALY_EMPTY);
  g_assert_cmpuint (r->events->len, ==, 0);
  parse_result_free (r);
  r = parse_message (NULL, 0, NULL, 0);
  g_assert_true (r->anomalies & ANOMALY_EMPTY);
  parse_result_free (r);
}

/* dsn_with - a DSN with N failed recipients. */
static char *
dsn_with (guint n)
{
  GString *s =
      g_string_new ("From: MAILER-DAEMON@mx.example.test\nSubject: Undelivered Mail\nMIME-Version: 1.0\n"
                    "Content-Type: multipart/report; report-type=delivery-status; boundary=\"X\"\n\n"
                    "--X\nContent-Type: message/delivery-status\n\nReporting-MTA: dns; mx.example.test\n");

  for (guint i = 0; i < n; i++)
    g_string_append_printf (
        s, "\nFinal-Recipient: rfc822; user%u@example.org\nAction: failed\nStatus: 5.1.1\n", i);
  g_string_append (s, "\n--X--\n");
  return g_string_free (s, FALSE);
}

static void
test_too_many_recipients (void)
{
  struct parse_limits limits;
  g_autofree char *text = dsn_with (50);
  struct parse_result *r;

  parse_limits_default (&limits);
  limits.max_recipients = 10;
  r = parse_text (text, strlen (text), &limits);
  g_assert_true (r->anomalies & ANOMALY_TOO_MANY_RCPTS);
  g_assert_cmpuint (r->events->len, ==, 10);
  parse_result_free (r);
  r = parse_text (text, strlen (text), NULL);
  g_assert_false (r->anomalies & ANOMALY_TOO_MANY_RCPTS);
  g_assert_cmpuint (r->events->len, ==, 50);
  parse_result_free (r);
}

static void
test_too_large (void)
{
  struct parse_limits limits;
  g_autofree char *text = dsn_with (200);
  struct parse_result *r;

  parse_limits_default (&limits);
  limits.max_size = 2048;
  r = parse_text (text, strlen (text), &limits);
  g_assert_true (r->anomalies & ANOMALY_TOO_LARGE);
  g_assert_cmpuint (r->events->len, >, 0);
  g_assert_cmpuint (r->events->len, <, 200);
  parse_result_free (r);
}

static void
test_too_deep (void)
{
  GString *s = g_string_new ("From: a@example.org\nSubject: nest\nMIME-Version: 1.0\n");
  struct parse_result *r;

  for (int i = 0; i < 40; i++)
    g_string_append_printf (s, "Content-Type: multipart/mixed; boundary=\"b%d\"\n\n--b%d\n", i, i);
  g_string_append (s, "Content-Type: text/plain\n\ninnermost\n");
  for (int i = 39; i >= 0; i--)
    g_string_append_printf (s, "--b%d--\n", i);
  r = parse_text (s->str, s->len, NULL);
  g_assert_true (r->anomalies & ANOMALY_TOO_DEEP);
  parse_result_free (r);
  g_string_free (s, TRUE);
}

static void
test_too_many_parts (void)
{
  GString *s = g_string_new ("From: a@example.org\nSubject: parts\nMIME-Version: 1.0\n"
                             "Content-Type: multipart/mixed; boundary=\"p\"\n\n");
  struct parse_result *r;

  for (int i = 0; i < 600; i++)
    g_string_append_printf (s, "--p\nContent-Type: text/plain\n\npart %d\n", i);
  g_string_append (s, "--p--\n");
  r = parse_text (s->str, s->len, NULL);
  g_assert_true (r->anomalies & ANOMALY_TOO_MANY_PARTS);
  parse_result_free (r);
  g_string_free (s, TRUE);
}

static void
test_long_header_and_nul (void)
{
  GString *s = g_string_new ("From: a@example.org\nSubject: ");
  struct parse_result *r;

  for (int i = 0; i < 40000; i++)
    g_string_append (s, "xy");
  g_string_append (s, "\n\nbody with a\0NUL byte\n");
  g_string_append_len (s, "tail\0\0", 6);
  r = parse_text (s->str, s->len, NULL);
  g_assert_true (r->anomalies & ANOMALY_LONG_HEADER);
  g_assert_true (r->anomalies & ANOMALY_NUL_BYTES);
  parse_result_free (r);
  g_string_free (s, TRUE);
}

/* Every prefix of a fixture (cut every 37 bytes) yields a result. */
static void
test_truncated_everywhere (void)
{
  g_autofree char *path =
      g_test_build_filename (G_TEST_DIST, "cases", "dsn-postfix-userunknown", "input.eml", NULL);
  g_autofree char *text = NULL;
  gsize len;

  g_assert_true (g_file_get_contents (path, &text, &len, NULL));
  for (gsize cut = 0; cut <= len; cut += 37) {
    struct parse_result *r = parse_text (text, cut, NULL);

    g_assert_nonnull (r);
    for (guint i = 0; i < r->events->len; i++) {
      struct event *e = g_ptr_array_index (r->events, i);

      g_assert_nonnull (event_kind_name (e->kind));
    }
    parse_result_free (r);
  }
}

/* Random bytes and random mail-like lines never crash and never report an
 * address that is not normalised. */
static void
test_garbage (void)
{
  static const char *const pieces[] = { "From: ",
                                        "MAILER-DAEMON@x.example",
                                        "\n",
                                        "\r\n",
                                        "\r",
                                        "--b\n",
                                        "Content-Type: multipart/report; boundary=b\n",
                                        "Final-Recipient: rfc822; ",
                                        "a@b.example",
                                        "Status: 5.1.1\n",
                                        "<",
                                        ">",
                                        "\n\n",
                                        "=?utf-8?B?",
                                        "\xff\xfe",
                                        "Content-Type: message/rfc822\n",
                                        ":",
                                        " ",
                                        "@",
                                        "\t" };

  for (int n = 0; n < 400; n++) {
    GString *s = g_string_new (NULL);
    int parts = g_test_rand_int_range (0, 80);
    struct parse_result *r;

    for (int i = 0; i < parts; i++) {
      if (g_test_rand_int_range (0, 4) == 0)
        g_string_append_c (s, (char) g_test_rand_int_range (0, 256));
      else
        g_string_append (s, pieces[g_test_rand_int_range (0, G_N_ELEMENTS (pieces))]);
    }
    r = parse_text (s->str, s->len, NULL);
    g_assert_nonnull (r);
    for (guint i = 0; i < r->events->len; i++) {
      struct event *e = g_ptr_array_index (r->events, i);

      if (e->address != NULL) {
        g_autofree char *again = event_normalize_address (e->address);

        g_assert_cmpstr (again, ==, e->address);
      }
    }
    parse_result_free (r);
    g_string_free (s, TRUE);
  }
}

/* What a report gives as its recipient must be an address: a folded
 * comment after Final-Recipient names another address (the alias), and a
 * value that is not an address becomes an anomaly, never an event's
 * address.  LF, CRLF and CR line ends read the same. */
static void
test_recipient_is_an_address (void)
{
  static const char head[] =
      "From: MAILER-DAEMON@mx.example.test\nSubject: Undelivered Mail\n"
      "MIME-Version: 1.0\nContent-Type: multipart/report; "
      "report-type=delivery-status; boundary=\"B\"\n\n--B\n"
      "Content-Type: message/delivery-status\n\nReporting-MTA: dns; mx.example.test\n\n";
  static const struct {
    const char *fields;
    const char *address; /* NULL: none */
    gboolean anomaly;
  } cases[] = {
    { "Final-Recipient: rfc822; victim@example.com\n (expanded from:\n <alias@example.org>)\n",
      "victim@example.com", FALSE },
    { "Final-Recipient: rfc822; (expanded from: <alias@example.org>) victim@example.com\n",
      "victim@example.com", FALSE },
    { "Final-Recipient: rfc822; two words@example.com\n", NULL, TRUE },
    { "Final-Recipient: rfc822; victim@example.com, other@example.com\n", NULL, TRUE },
    { "Final-Recipient: rfc822; x@y@z.example\n", NULL, TRUE },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    for (int ends = 0; ends < 3; ends++) {
      g_autofree char *lf =
          g_strconcat (head, cases[i].fields, "Action: failed\nStatus: 5.1.1\n\n--B--\n", NULL);
      g_autoptr (GString) text = g_string_new (NULL);
      struct parse_result *r;
      const char *address = NULL;

      for (const char *p = lf; *p; p++)
        if (*p == '\n' && ends > 0)
          g_string_append (text, ends == 1 ? "\r\n" : "\r");
        else
          g_string_append_c (text, *p);
      r = parse_text (text->str, text->len, NULL);
      for (guint k = 0; k < r->events->len; k++) {
        struct event *e = g_ptr_array_index (r->events, k);

        if (e->address != NULL)
          address = e->address;
      }
      g_assert_cmpstr (address, ==, cases[i].address);
      g_assert_cmpint (!!(r->anomalies & ANOMALY_BAD_ADDRESS), ==, cases[i].anomaly);
      parse_result_free (r);
    }
}

/* A plain mail to the unsubscribe domain is a request; the same mail to
 * anywhere else is nothing. */
static void
test_expect_unsub (void)
{
  static const char mail[] =
      "From: Olivia <olivia@example.com>\nTo: x@unsub.example.test\nSubject: please\n\nstop\n";
  struct parse_result *r = parse_message (mail, sizeof mail - 1, NULL, PARSE_EXPECT_UNSUB);

  g_assert_cmpint (r->kind, ==, EVENT_KIND_UNSUBSCRIBE);
  g_assert_cmpstr (r->from, ==, "olivia@example.com");
  parse_result_free (r);
  r = parse_message (mail, sizeof mail - 1, NULL, 0);
  g_assert_cmpint (r->kind, ==, EVENT_KIND_UNKNOWN);
  g_assert_cmpuint (r->events->len, ==, 0);
  parse_result_free (r);
}

/* A report whose human text names every one of its many recipients, with
 * a long tail of filler, and no Diagnostic-Code: each recipient gets its
 * own line's words, code and SMTP command, the one after the other. */
/* a notice wrapping a report that wraps a report ..., 60 deep: the walk
 * into wrapped reports stops at the depth cap with an anomaly */
static void
test_wrapped_reports_too_deep (void)
{
  GString *s = g_string_new ("From: MAILER-DAEMON@gw.example.net\nSubject: Returned mail\nMIME-Version: 1.0\n"
                             "Content-Type: multipart/mixed; boundary=\"w\"\n\n--w\n"
                             "Content-Type: message/rfc822\n\n");
  struct parse_result *r;

  for (int i = 0; i < 60; i++)
    g_string_append_printf (s,
                            "From: MAILER-DAEMON@gw%d.example.net\nMIME-Version: 1.0\n"
                            "Content-Type: multipart/report; report-type=delivery-status; "
                            "boundary=\"r%d\"\n\n--r%d\nContent-Type: message/rfc822\n\n",
                            i, i, i);
  g_string_append (s, "From: a@example.org\nSubject: innermost\n\nhello\n");
  for (int i = 59; i >= 0; i--)
    g_string_append_printf (s, "--r%d--\n", i);
  g_string_append (s, "--w--\n");
  r = parse_text (s->str, s->len, NULL);
  g_assert_true (r->anomalies & ANOMALY_TOO_DEEP);
  g_assert_cmpuint (r->events->len, ==, 0);
  parse_result_free (r);
  g_string_free (s, TRUE);
}

/* Outlook's automatic replies in the languages it writes them in are
 * auto-replies, never bounces; an ordinary reply is neither */
static void
test_autoreply_subjects (void)
{
  static const struct {
    const char *subject;
    event_kind kind;
  } cases[] = {
    { "Automatic reply: November news", EVENT_KIND_AUTOREPLY },
    { "Automatische Antwort: November news", EVENT_KIND_AUTOREPLY },
    { "Automatisch antwoord: November news", EVENT_KIND_AUTOREPLY },
    { "AutoSvar: November news", EVENT_KIND_AUTOREPLY },
    { "=?UTF-8?B?0JDQstGC0L7QvNCw0YLQuNGH0LXRgdC60LjQuSDQvtGC0LLQtdGC?=: November news",
      EVENT_KIND_AUTOREPLY },
    { "=?UTF-8?Q?Automatyczna_odpowied=C5=BA?=: November news", EVENT_KIND_AUTOREPLY },
    { "Re: November news", EVENT_KIND_UNKNOWN },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++) {
    g_autofree char *text = g_strdup_printf ("From: Alice <alice@example.org>\nTo: news@news.example.test\n"
                                             "Subject: %s\n\nI am out of the office until Monday.\n",
                                             cases[i].subject);
    struct parse_result *r = parse_text (text, strlen (text), NULL);

    g_assert_cmpint (r->kind, ==, cases[i].kind);
    parse_result_free (r);
  }
}

/* Amazon SES notifications: compact, pretty-printed, inside an SNS
 * message, as event publishing records; truncated, deeply nested and
 * wrongly typed JSON is no notification and no crash. */
static void
test_ses_json (void)
{
  static const char head[] = "From: no-reply@sns.amazonaws.example\nTo: bounces@news.example.test\n"
                             "Subject: AWS Notification Message\nContent-Type: text/plain; charset=UTF-8\n\n";
  static const struct {
    const char *name, *body;
    event_kind kind;
    const char *address, *status, *reason;
  } cases[] = {
    { "pretty",
      "{\n  \"notificationType\" : \"Bounce\",\n  \"bounce\" : {\n    \"bounceType\" : \"Permanent\",\n"
      "    \"bouncedRecipients\" : [ {\n      \"emailAddress\" : \"gone@example.net\",\n"
      "      \"action\" : \"failed\",\n      \"status\" : \"5.1.1\",\n"
      "      \"diagnosticCode\" : \"smtp; 550 5.1.1 user unknown\"\n    } ]\n  }\n}\n",
      EVENT_KIND_BOUNCE, "gone@example.net", "5.1.1", "userunknown" },
    { "prose-before",
      "A notice from SES follows.\n{\"notificationType\":\"Bounce\",\"bounce\":{\"bounceType\":"
      "\"Transient\",\"bouncedRecipients\":[{\"emailAddress\":\"full@example.net\",\"status\":"
      "\"4.2.2\",\"diagnosticCode\":\"smtp; 452 4.2.2 Mailbox full\"}]}}\n-- \nAWS\n",
      EVENT_KIND_BOUNCE, "full@example.net", "4.2.2", "mailboxfull" },
    { "event-publishing",
      "{\"eventType\": \"Complaint\", \"complaint\": {\"complaintFeedbackType\": \"abuse\", "
      "\"complainedRecipients\": [{\"emailAddress\": \"Angry@Example.ORG\"}]}}",
      EVENT_KIND_COMPLAINT, "Angry@example.org", NULL, "feedback" },
    { "sns-pretty",
      "{\n  \"Type\" : \"Notification\",\n  \"Message\" : \"{\\n \\\"notificationType\\\": "
      "\\\"Delivery\\\", \\\"delivery\\\": {\\\"recipients\\\": [\\\"ok@example.com\\\"], "
      "\\\"smtpResponse\\\": \\\"250 2.6.0 Message received\\\"}}\"\n}\n",
      EVENT_KIND_DELIVERED, "ok@example.com", "2.6.0", "delivered" },
    { "escaped-quote",
      "{\"notificationType\":\"Bounce\",\"bounce\":{\"bouncedRecipients\":[{\"emailAddress\":"
      "\"\\\"john doe\\\"@example.net\",\"status\":\"5.1.1\",\"diagnosticCode\":"
      "\"smtp; 550 5.1.1 \\u201cunknown\\u201d user\"}]}}",
      EVENT_KIND_BOUNCE, "\"john doe\"@example.net", "5.1.1", "userunknown" },
    { "line-broken-by-a-relay",
      "{\"notificationType\":\"Bounce\",\"bounce\":{\"bouncedRecipients\":[{\"emailAddress\":"
      "\"long@example.net\",\"status\":\"5.1.1\",\"diagnosticCode\":\"smtp; 550 5.1.1 user un!\n known\"}]},"
      "\"mail\":{\"commonHeaders\":{\"subject\":\"a subject\n cut in two\"}}}",
      EVENT_KIND_BOUNCE, "long@example.net", "5.1.1", "userunknown" },
    { "truncated",
      "{\"notificationType\":\"Bounce\",\"bounce\":{\"bouncedRecipients\":[{\"emailAddress\":"
      "\"cut@example.net\",\"status\":\"5.1",
      EVENT_KIND_UNKNOWN, NULL, NULL, NULL },
    { "wrong-types",
      "{\"notificationType\":\"Bounce\",\"bounce\":{\"bouncedRecipients\":{\"emailAddress\":"
      "\"x@example.net\"}}}",
      EVENT_KIND_UNKNOWN, NULL, NULL, NULL },
    { "not-utf8",
      "{\"notificationType\":\"Bounce\",\"bounce\":{\"bouncedRecipients\":[{\"emailAddress\":"
      "\"caf\xe9@example.net\",\"status\":\"5.1.1\"}]}}",
      EVENT_KIND_BOUNCE, NULL, NULL, NULL },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++) {
    g_autofree char *text = g_strconcat (head, cases[i].body, NULL);
    struct parse_result *r = parse_text (text, strlen (text), NULL);

    g_test_message ("%s", cases[i].name);
    g_assert_cmpint (r->kind, ==, cases[i].kind);
    if (cases[i].address != NULL) {
      const struct event *e;

      g_assert_cmpuint (r->events->len, ==, 1);
      e = g_ptr_array_index (r->events, 0);
      g_assert_cmpstr (e->address, ==, cases[i].address);
      g_assert_cmpstr (e->reason, ==, cases[i].reason);
      if (cases[i].status != NULL)
        g_assert_cmpstr (e->status, ==, cases[i].status);
    }
    if (strcmp (cases[i].name, "not-utf8") == 0) {
      /* the bad byte is not dropped into another, real-looking address */
      g_assert_cmpuint (r->events->len, ==, 1);
      g_assert_null (((const struct event *) g_ptr_array_index (r->events, 0))->address);
      g_assert_true (r->anomalies & ANOMALY_BAD_ADDRESS);
      g_assert_true (r->anomalies & ANOMALY_BAD_CHARSET);
    }
    parse_result_free (r);
  }
  {
    /* nesting far deeper than any notification: refused, quickly */
    GString *deep = g_string_new (head);
    struct parse_result *r;

    g_string_append (deep, "{\"notificationType\":\"Bounce\",\"bounce\":");
    for (guint i = 0; i < 100000; i++)
      g_string_append_c (deep, '[');
    r = parse_text (deep->str, deep->len, NULL);
    g_assert_cmpint (r->kind, ==, EVENT_KIND_UNKNOWN);
    parse_result_free (r);
    g_string_free (deep, TRUE);
  }
}

/* a text bounce whose recipient line is megabytes long: the diagnostic is
 * cut, at a character boundary, and the reason before the address still
 * counts */
static void
test_long_line_diagnostic (void)
{
  GString *text =
      g_string_new ("From: MAILER-DAEMON@mx.example.org\nSubject: Returned mail: see transcript\n\n");
  struct parse_result *r;
  const struct event *e;

  for (guint i = 0; i < 200000; i++)
    g_string_append (text, "\xc3\xa9t\xc3\xa9 ");
  g_string_append (text, "mailbox is full: <oscar@example.org> ");
  for (guint i = 0; i < 200000; i++)
    g_string_append (text, "\xc3\xa9t\xc3\xa9 ");
  g_string_append (text, "\nUnable to deliver mail.\n");
  r = parse_text (text->str, text->len, NULL);
  g_assert_cmpuint (r->events->len, ==, 1);
  e = g_ptr_array_index (r->events, 0);
  g_assert_cmpstr (e->address, ==, "oscar@example.org");
  g_assert_cmpstr (e->reason, ==, "mailboxfull");
  g_assert_nonnull (e->diagnostic);
  g_assert_cmpuint (strlen (e->diagnostic), <=, 2048);
  g_assert_true (g_utf8_validate (e->diagnostic, -1, NULL));
  parse_result_free (r);
  g_string_free (text, TRUE);
}

/* test_one_recipient - the one recipient TEXT's bounce names, or NULL;
 * the kind must be bounce when there is one */
static char *
test_one_recipient (const char *text)
{
  struct parse_result *r = parse_text (text, strlen (text), NULL);
  char *out = NULL;

  if (r->events->len == 1) {
    g_assert_cmpint (r->kind, ==, EVENT_KIND_BOUNCE);
    out = g_strdup (((const struct event *) g_ptr_array_index (r->events, 0))->address);
  } else {
    g_assert_cmpuint (r->events->len, ==, 0);
  }
  parse_result_free (r);
  return out;
}

/* the ways a plain-text report names its recipient when its From and
 * Subject do not say it is a report */
static void
test_text_report_shapes (void)
{
  static const struct {
    const char *text, *want;
  } cases[] = {
    /* a delivery-status part without recipient fields, no From at all */
    { "Subject: Utilisateur inconnu\nMIME-Version: 1.0\nContent-Type: multipart/report; "
      "report-type=delivery-status; boundary=\"R\"\n\n--R\nContent-Type: text/plain\n\n"
      "A message could not be delivered to:\nines@example.fr\nL'adresse n'existe pas.\n\n--R\n"
      "Content-Type: message/delivery-status\n\nReporting-MTA: dns; gw.example.fr\n\n--R--\n",
      "ines@example.fr" },
    /* the same text without the report part is nobody's bounce */
    { "Subject: Utilisateur inconnu\n\nA message could not be delivered to:\nines@example.fr\n", NULL },
    /* Exchange's "[SMTP:a@b]" */
    { "From: \"Delivery Subsystem\" <POSTMASTER@corp.example>\nSubject: Message Delivery Failure\n\n"
      "The following recipient(s) could not be reached:\n\n\tRecipient: [SMTP:jon@corp.example]\n"
      "\tReason: 550 Requested action not taken: mailbox unavailable.\n",
      "jon@corp.example" },
    /* an X.400 address's "dda:SMTP=a@b" */
    { "From: System Administrator <postmaster@corp.example>\nSubject: Undeliverable: report\n\n"
      "Your message\n\ndid not reach the following recipient(s):\n\n"
      "c=US;a= ;p=CORP;o=Hub;dda:SMTP=kim@corp.example; on Sat, 21 Nov 2026\n",
      "kim@corp.example" },
    /* Exchange's "Undeliverable" in German, from a person's address */
    { "From: it-desk@firma.example\nSubject: Unzustellbar: Ihre Nachricht\n\n"
      "Your message could not be delivered to\nlena@firma.example\n",
      "lena@firma.example" },
    /* no address in the report but the quoted To of the message */
    { "From: MAILER-DAEMON@mail.example\nContent-Type: text/plain\n\n"
      "I'm afraid I wasn't able to deliver the following message.\n"
      "This is a permanent error; I've given up. Sorry it didn't work out.\n\n"
      "Subject: Weekly news\nTo: Omar@mail.example\n\n---Below this line is a copy of the message.\n",
      "Omar@mail.example" },
    /* a quoted To that is the report's own sender is nobody */
    { "From: postmaster@mail.example\nSubject: Undeliverable\n\n"
      "I'm afraid I wasn't able to deliver the following message.\n\n"
      "Subject: Weekly news\nTo: postmaster@mail.example\n\n---Below this line is a copy of the message.\n",
      NULL },
    /* a link or a URL is still nobody */
    { "From: MAILER-DAEMON@mail.example\nSubject: Undeliverable\n\n"
      "See mailto:help@mail.example or https://mail.example/x?u=pat@mail.example\n",
      NULL },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++) {
    g_autofree char *got = test_one_recipient (cases[i].text);

    if (g_strcmp0 (got, cases[i].want) != 0)
      g_error ("case %u: want %s, got %s", i, cases[i].want ? cases[i].want : "nobody", got ? got : "nobody");
  }
}

/* a text report of an alias or a forward names the address first written
 * to beside the one that failed: one recipient, with both */
static void
test_expanded_from (void)
{
  static const char *const texts[] = {
    "From: MAILER-DAEMON@mx.example.org (Mail Delivery System)\nSubject: Undelivered Mail Returned to "
    "Sender\n\n"
    "This is the mail system at host mx.example.org.\n\n"
    "<ruth.old@other.example> (expanded from <ruth@example.org>): host\n"
    "    mx.other.example[192.0.2.7] said: 550 5.1.1 <ruth.old@other.example>: User unknown\n"
    "    (in reply to RCPT TO command)\n",
    "From: Mail Delivery Subsystem <MAILER-DAEMON@mx.example.org>\nTo: news@example.test\n"
    "Subject: Returned mail: see transcript\n\n   ----- The following addresses had permanent fatal errors "
    "-----\nruth.old@other.example\n"
    "    (expanded from: ruth@example.org)\n\n   ----- Transcript of session follows -----\n"
    "554 Too many hops 26 (25 max): from news@example.test via localhost, to ruth@example.org\n",
  };

  const char *far =
      "From: MAILER-DAEMON@mx.example.org\nTo: news@example.test\n"
      "Subject: Returned mail: see transcript\n\n"
      "   ----- The following addresses had permanent fatal errors -----\nruth.old@other.example\n"
      "    (reason: 550 User unknown)\n\nSome words in between.\n"
      "    (expanded from: ruth@example.org)\n";
  struct parse_result *r;
  const struct event *e;

  for (guint i = 0; i < G_N_ELEMENTS (texts); i++) {
    r = parse_text (texts[i], strlen (texts[i]), NULL);
    g_assert_cmpuint (r->events->len, ==, 1);
    e = g_ptr_array_index (r->events, 0);
    g_assert_cmpstr (e->address, ==, "ruth.old@other.example");
    g_assert_cmpstr (e->original_recipient, ==, "ruth@example.org");
    parse_result_free (r);
  }
  /* lines away from the recipient, it is nobody's */
  r = parse_text (far, strlen (far), NULL);
  g_assert_cmpuint (r->events->len, ==, 1);
  e = g_ptr_array_index (r->events, 0);
  g_assert_cmpstr (e->address, ==, "ruth.old@other.example");
  g_assert_null (e->original_recipient);
  parse_result_free (r);
}

/* test_sendmail_reply - a Sendmail report of one recipient whose
 * Diagnostic-Code is DIAG and whose transcript holds TRANSCRIPT, with line
 * ends EOL; the event's diagnostic (caller frees). */
static char *
test_sendmail_reply (const char *diag, const char *transcript, const char *eol)
{
  g_autofree char *text = g_strdup_printf (
      "From: MAILER-DAEMON@mta.example.test\nSubject: Returned mail: see transcript for details\n"
      "MIME-Version: 1.0\nContent-Type: multipart/report; report-type=delivery-status; "
      "boundary=\"B\"\n\n--B\nContent-Type: text/plain\n\n"
      "   ----- Transcript of session follows -----\n... while talking to mx.example.net.:\n"
      ">>> DATA\n%s554 5.0.0 Service unavailable\n\n--B\nContent-Type: message/delivery-status\n\n"
      "Reporting-MTA: dns; mta.example.test\n\nFinal-Recipient: rfc822; pat@example.net\n"
      "Action: failed\nStatus: 5.7.1\nDiagnostic-Code: smtp; %s\n\n--B--\n",
      transcript, diag);
  g_auto (GStrv) lines = g_strsplit (text, "\n", -1);
  g_autofree char *joined = g_strjoinv (eol, lines);
  struct parse_result *r = parse_text (joined, strlen (joined), NULL);
  char *out;

  g_assert_cmpuint (r->events->len, ==, 1);
  out = g_strdup (((const struct event *) g_ptr_array_index (r->events, 0))->diagnostic);
  parse_result_free (r);
  return out;
}

/* Sendmail keeps the first line of a multi-line reply; the transcript has
 * the rest, up to the line without the dash */
static void
test_multiline_reply (void)
{
  static const char *const eols[] = { "\n", "\r\n", "\r" };
  const char *first = "550-5.7.1 [192.0.2.25] Messages with multiple addresses in From:";
  GString *endless = g_string_new (NULL);

  for (guint i = 0; i < G_N_ELEMENTS (eols); i++) {
    g_autofree char *whole =
        test_sendmail_reply (first,
                             "<<< 550-5.7.1 [192.0.2.25] Messages with multiple addresses in From:\n"
                             "<<< 550-5.7.1 header are not accepted.\n<<< 550 5.7.1 x12si - gsmtp\n",
                             eols[i]);
    g_autofree char *cut = test_sendmail_reply (
        first,
        "<<< 550-5.7.1 [192.0.2.25] Messages with multiple addresses in From:\n<<< 550-5.7.1 header are\n",
        eols[i]);
    g_autofree char *other = test_sendmail_reply (
        first, "<<< 550-5.7.1 [192.0.2.26] Something else entirely\n<<< 550 5.7.1 x12si - gsmtp\n", eols[i]);

    g_assert_cmpstr (
        whole, ==,
        "550-5.7.1 [192.0.2.25] Messages with multiple addresses in From: header are not accepted. "
        "x12si - gsmtp");
    /* a reply cut off before its last line, or not in the transcript:
     * the report's own line stands */
    g_assert_cmpstr (cut, ==, first);
    g_assert_cmpstr (other, ==, first);
  }
  /* a reply that never ends stops at the diagnostic cap */
  g_string_append_printf (endless, "<<< %s\n", first);
  for (guint i = 0; i < 100000; i++)
    g_string_append (endless, "<<< 550-5.7.1 and on\n");
  g_string_append (endless, "<<< 550 5.7.1 end\n");
  {
    g_autofree char *capped = test_sendmail_reply (first, endless->str, "\n");

    g_assert_true (g_str_has_prefix (capped, first));
    g_assert_cmpuint (strlen (capped), >, 2000);
    g_assert_cmpuint (strlen (capped), <=, 2048);
  }
  g_string_free (endless, TRUE);
}

static void
test_many_recipients_in_text (void)
{
  GString *human = g_string_new (NULL);
  GString *report = g_string_new ("Reporting-MTA: dns; mta.example.test\n\n");
  g_autofree char *text = NULL;
  struct parse_result *r;

  for (guint i = 0; i < 1000; i++) {
    gboolean full = i % 2 == 1;

    g_string_append_printf (human,
                            "<u%u@example.net>: host mx.example.net[192.0.2.1] said: %s <u%u@example.net>\n"
                            "    %s (in reply to %s command)\n\n",
                            i, full ? "552 5.2.2" : "550 5.1.1", i, full ? "Mailbox full" : "User unknown",
                            full ? "end of DATA" : "RCPT TO");
    g_string_append_printf (report,
                            "Final-Recipient: rfc822; u%u@example.net\nAction: failed\nStatus: 5.0.0\n\n", i);
  }
  for (guint i = 0; i < 20000; i++)
    g_string_append (human, "filler text that says nothing about anybody\n");
  text =
      g_strdup_printf ("From: MAILER-DAEMON@mta.example.test\nSubject: Undelivered Mail Returned to Sender\n"
                       "MIME-Version: 1.0\nContent-Type: multipart/report; report-type=delivery-status; "
                       "boundary=\"B\"\n\n--B\nContent-Type: text/plain\n\n%s\n--B\n"
                       "Content-Type: message/delivery-status\n\n%s\n--B--\n",
                       human->str, report->str);
  r = parse_text (text, strlen (text), NULL);
  g_assert_cmpuint (r->events->len, ==, 1000);
  for (guint i = 0; i < r->events->len; i++) {
    const struct event *e = g_ptr_array_index (r->events, i);
    g_autofree char *want = g_strdup_printf ("u%u@example.net", i);

    g_assert_cmpstr (e->address, ==, want);
    g_assert_cmpstr (e->status, ==, i % 2 ? "5.2.2" : "5.1.1");
    g_assert_cmpstr (e->reason, ==, i % 2 ? "mailboxfull" : "userunknown");
    g_assert_cmpint (e->klass, ==, i % 2 ? EVENT_CLASS_SOFT : EVENT_CLASS_HARD);
  }
  parse_result_free (r);
  g_string_free (human, TRUE);
  g_string_free (report, TRUE);
}

int
main (int argc, char **argv)
{
  static const struct {
    const char *name, *eol;
  } eols[] = { { "lf", "\n" }, { "crlf", "\r\n" }, { "cr", "\r" } };
  g_autofree char *cases = NULL;
  g_autoptr (GDir) dir = NULL;
  g_autoptr (GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GPtrArray) runs = g_ptr_array_new ();
  const char *name;
  int rc;

  g_test_init (&argc, &argv, NULL);
  cases = g_test_build_filename (G_TEST_DIST, "cases", NULL);
  dir = g_dir_open (cases, 0, NULL);
  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    g_ptr_array_add (names, g_strdup (name));
  g_ptr_array_sort (names, (GCompareFunc) g_strcmp0);
  for (guint i = 0; i < names->len; i++) {
    const char *n = *(const char **) &g_ptr_array_index (names, i);

    for (gsize v = 0; v < G_N_ELEMENTS (eols); v++) {
      struct case_run *run = g_new0 (struct case_run, 1);
      g_autofree char *path = g_strdup_printf ("/parse/case/%s/%s", n, eols[v].name);

      run->dir = g_build_filename (cases, n, NULL);
      run->eol = eols[v].eol;
      g_ptr_array_add (runs, run);
      g_test_add_data_func (path, run, test_case);
    }
  }
  g_assert_cmpuint (runs->len, >=, 3 * 15);
  g_test_add_func ("/parse/empty", test_empty);
  g_test_add_func ("/parse/too-many-recipients", test_too_many_recipients);
  g_test_add_func ("/parse/many-recipients-in-text", test_many_recipients_in_text);
  g_test_add_func ("/parse/long-line-diagnostic", test_long_line_diagnostic);
  g_test_add_func ("/parse/autoreply-subjects", test_autoreply_subjects);
  g_test_add_func ("/parse/multiline-reply", test_multiline_reply);
  g_test_add_func ("/parse/text-report-shapes", test_text_report_shapes);
  g_test_add_func ("/parse/expanded-from", test_expanded_from);
  g_test_add_func ("/parse/wrapped-reports-too-deep", test_wrapped_reports_too_deep);
  g_test_add_func ("/parse/too-large", test_too_large);
  g_test_add_func ("/parse/too-deep", test_too_deep);
  g_test_add_func ("/parse/too-many-parts", test_too_many_parts);
  g_test_add_func ("/parse/long-header-and-nul", test_long_header_and_nul);
  g_test_add_func ("/parse/truncated-everywhere", test_truncated_everywhere);
  g_test_add_func ("/parse/garbage", test_garbage);
  g_test_add_func ("/parse/ses-json", test_ses_json);
  g_test_add_func ("/parse/expect-unsub", test_expect_unsub);
  g_test_add_func ("/parse/recipient-is-an-address", test_recipient_is_an_address);
  rc = g_test_run ();
  for (guint i = 0; i < runs->len; i++) {
    struct case_run *run = g_ptr_array_index (runs, i);

    g_free (run->dir);
    g_free (run);
  }
  return rc;
}
